#pragma once

#include "core/concurrency/taskpriority.h"
#include "core/error.h"
#include "core/hash/hashresult.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>

namespace oncutf::core::concurrency {
class ThreadPoolManager;
}
namespace oncutf::core::db {
class HashCache;
}

namespace oncutf::core::hash {

/// The engine behind every multi-file hash (HashWorker, DuplicatesWorker, CompareWorker):
/// 1. stat() every file (its size feeds the byte progress, size and mtime key the cache);
/// 2. take what the HashCache holds for the same size and mtime;
/// 3. hash the rest: spread over the ThreadPoolManager, all at once with submitBatch, one task per
///    small group of files (a big file alone), or on the calling thread when there is no pool or
///    one file; FileHasher checks cancellation every chunk;
/// 4. store the new hashes in the cache in one transaction. A file that changed while hashed is an
///    error and never stored; nor is a file modified in the last `racyWindow` (its mtime could
///    still be reused by a same-size rewrite within the file system's timestamp granularity: git's
///    "racily clean" rule).
/// Cancel: the queued tasks are removed from the pool, running ones see their token; run() returns
/// the files finished so far (partial results), and those are still cached.
///
/// run() blocks its thread, which must be able to run a nested QEventLoop (a QThread or the main
/// thread): the pool's completions are delivered there, and the callbacks run there too, at most
/// once per `tick`.
/// Threading: one run() at a time per object; the pool and cache are shared and thread-safe.
class BatchHasher final {
public:
    /// The cache's algorithm name for these hashes.
    static constexpr QLatin1StringView kAlgorithm{"CRC32"};

    struct Options {
        concurrency::ThreadPoolManager *pool = nullptr; ///< null: hash on the calling thread
        db::HashCache *cache = nullptr;                 ///< null: no lookups, no stores
        concurrency::TaskPriority priority = concurrency::TaskPriority::Normal;
        std::size_t chunkSize = std::size_t{1} << 20;
        int maxFilesPerTask = 32;
        qint64 maxBytesPerTask = qint64(8) << 20;
        std::chrono::milliseconds tick{40};
        std::chrono::milliseconds racyWindow{2000};
    };

    struct Callbacks {
        /// Polled on the calling thread (before each file and at every tick).
        std::function<bool()> isCancelled;
        /// Aggregate progress; `current` is the file finished last.
        std::function<void(qint64 bytesDone, qint64 bytesTotal, qint64 filesDone, qint64 filesTotal,
                           const QByteArray &current)>
            progress;
        /// Finished results in completion order (cache hits first), in batches.
        std::function<void(const QList<HashResult> &batch)> resultsReady;
    };

    struct Outcome {
        QList<HashResult> results;       ///< by index; after a cancel only the finished files
        bool cancelled = false;
        qint64 cacheHits = 0;
        qint64 filesRead = 0;            ///< files read from disk (successfully or not)
        qint64 bytesRead = 0;            ///< bytes of the files hashed successfully from disk
        qint64 cached = 0;               ///< new hashes stored in the cache
        std::optional<Error> cacheError; ///< a failed lookup or store (the hashes stay valid)
    };

    explicit BatchHasher(Options options);

    [[nodiscard]] const Options &options() const { return m_options; }

    /// Hashes `paths` (native bytes; relative ones against the current directory).
    [[nodiscard]] Outcome run(const QList<QByteArray> &paths, const Callbacks &callbacks) const;

private:
    Options m_options;
};

} // namespace oncutf::core::hash
