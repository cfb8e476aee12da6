#pragma once

#include "core/concurrency/taskpriority.h"
#include "core/error.h"
#include "core/metadata/metadatarecord.h"

#include <QByteArray>
#include <QList>

#include <chrono>
#include <functional>
#include <optional>

namespace oncutf::core::concurrency {
class ThreadPoolManager;
}
namespace oncutf::core::db {
class MetadataCache;
}

namespace oncutf::core::metadata {

class ExifToolPool;

/// The engine behind every multi-file metadata load (MetadataWorker, the CLI). Per file it takes
/// the cheapest route that gives ExifTool's answer:
/// 1. stat(): missing files, folders and special files are reported at once (never given to
///    ExifTool, which would scan a folder or block on a FIFO);
/// 2. the MetadataCache, in one batched lookup (a changed size or mtime is a miss; a fast request
///    takes an extended entry, never the reverse);
/// 3. fast mode: the in-process Exiv2Reader, spread over the ThreadPoolManager in groups;
/// 4. ExifTool (ExifToolPool) for what the reader does not handle and for every extended read,
///    one pool task per ExifTool process pulling chunks from a shared queue.
/// Companion sidecars (SidecarMerger: same-stem .xmp, Sony M01.XML) are loaded like files - cached
/// under their own path and stamp - and merged into their main file's record where it has no
/// value; a record is handed out once its sidecars are in. New records are stored in the cache
/// while the rest is read (a transaction per `cacheStoreBatch` ready records) and at the end
/// (partial results after a cancel too), except errors and files modified within `racyWindow` (a
/// rewrite in the same timestamp tick could keep their stamp).
/// Cancel: queued pool tasks are removed, Exiv2 tasks stop before their next file, ExifTool stops
/// after the file it is on (see ExifToolProcess); run() returns what finished.
///
/// run() blocks its thread, which must be able to run a nested QEventLoop (a QThread or the main
/// thread): pool completions and the callbacks are delivered there, at most once per `tick`.
/// Threading: one run() at a time per object; the pools and the cache are shared, thread-safe.
class MetadataLoader final {
public:
    struct Options {
        concurrency::ThreadPoolManager *pool = nullptr; ///< null: everything on the calling thread
        ExifToolPool *exiftool = nullptr;               ///< null: files Exiv2 cannot read get an error
        db::MetadataCache *cache = nullptr;             ///< null: no lookups, no stores
        concurrency::TaskPriority priority = concurrency::TaskPriority::Normal;
        bool useInProcessReader = true; ///< false: fast mode through ExifTool too (benchmarks)
        bool mergeSidecars = true;
        /// Requested files without sidecars come with their fields as JsonWriter prints them in
        /// MetadataRecord::printedFields and empty `fields`, for a caller that only prints them
        /// (the CLI's --json): a cache hit's document is never parsed (most of a re-open), and
        /// the in-process reader writes a file's document as text, never as an object, printed
        /// by the reading threads and stored as it is. Files with sidecars, and sidecars, still
        /// come as `fields` (merging needs them).
        bool printForm = false;
        int readerFilesPerTask = 64;
        int exiftoolFilesPerChunk = 96; ///< most files in one request to a process (fewer as the queue ends)
        int exiftoolFilesPerCommand = 16; ///< files per `-execute` (ExifToolProcess's throughput mode)
        int cacheStoreBatch = 256; ///< ready documents stored in one transaction while reading
        std::chrono::milliseconds tick{40};
        std::chrono::milliseconds racyWindow{2000};
    };

    struct Callbacks {
        /// Polled on the calling thread (between files and at every tick).
        std::function<bool()> isCancelled;
        /// Files finished (sidecars included) of all; `current` is the file finished last.
        std::function<void(qint64 done, qint64 total, const QByteArray &current)> progress;
        /// Finished records of the given files (sidecars merged), in completion order, in batches.
        std::function<void(const QList<MetadataRecord> &batch)> resultsReady;
    };

    struct Outcome {
        QList<MetadataRecord> records; ///< by index; after a cancel only the finished files
        bool cancelled = false;
        qint64 cacheHits = 0;
        qint64 readInProcess = 0;
        qint64 readByExifTool = 0;
        qint64 sidecars = 0;  ///< sidecar files loaded for merging
        qint64 cached = 0;    ///< records stored in the cache
        int exiftoolRestarts = 0;
        std::optional<Error> cacheError; ///< a failed lookup or store (the records stay valid)
    };

    explicit MetadataLoader(Options options);
    [[nodiscard]] const Options &options() const { return m_options; }

    /// Loads `paths` (native bytes; relative ones against the current directory) in `mode`.
    [[nodiscard]] Outcome run(const QList<QByteArray> &paths, MetadataMode mode, const Callbacks &callbacks) const;

    /// The cache's document for a record's fields (cachejson::serialize), and back.
    [[nodiscard]] static QByteArray toCacheJson(const QJsonObject &fields);
    [[nodiscard]] static std::optional<QJsonObject> fromCacheJson(const QByteArray &json);

private:
    Options m_options;
};

} // namespace oncutf::core::metadata
