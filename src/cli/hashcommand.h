#pragma once

#include "core/files/fileentry.h"
#include "core/files/filescanner.h"
#include "core/hash/batchhasher.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace oncutf::core {
class AppContext;
}
namespace oncutf::core::concurrency {
class Worker;
}
namespace oncutf::core::db {
class DatabaseManager;
class HashCache;
}

namespace oncutf::cli {

class CliContext;
class ProgressPrinter;

/// `oncutf-cli hash [--recursive] [--hidden] [--jobs N] [--no-cache] [--json] PATH...`
/// `oncutf-cli hash --check LIST`
///
/// Prints the CRC32 of every file as `<crc32>  <path>` (sha256sum's layout and escaping; the path
/// as given on the command line, or the argument followed by the path below it for a folder), in
/// the order of the listing, or with --json one array of {"path", "crc32", "size", "error"}
/// (error null on success, crc32 null on error; paths in the surrogateescape convention).
/// Hashes go through the hash cache of the database (size and mtime must match) unless
/// --no-cache. --check verifies a list in that layout like `sha256sum -c --strict` (always reading
/// the files: a check must not trust the cache), printing `<path>: OK` / `<path>: FAILED` /
/// `<path>: FAILED open or read`. Unreadable files, FIFOs and devices are reported on stderr and
/// skipped. Exit code 1 if any file could not be hashed or checked, any line of a LIST was
/// malformed, or the run was cancelled.
/// Threading: main thread, with a QCoreApplication.
int runHashCommand(CliContext &ctx, const QStringList &args);

// Shared by the hash, duplicates and compare commands.

/// The services a hashing command needs for one run: an AppContext (thread pool of `jobs`
/// workers) and, unless disabled, the database with its hash cache, registered with the
/// AppContext's shutdown coordinator. shutdown() (also run by the destructor) stops them in order.
/// Owner: the command, on its stack. Threading: main thread.
class HashServices final {
public:
    HashServices(const CliContext &ctx, int jobs, bool useCache);
    ~HashServices();
    HashServices(const HashServices &) = delete;
    HashServices &operator=(const HashServices &) = delete;

    /// Options for a BatchHasher using this run's pool and cache.
    [[nodiscard]] core::hash::BatchHasher::Options hasherOptions() const;
    void shutdown();

private:
    std::unique_ptr<core::AppContext> m_app;
    std::unique_ptr<core::db::DatabaseManager> m_database;
    std::unique_ptr<core::db::HashCache> m_cache;
};

/// Maps the absolute paths a scan lists back to the arguments they came from: the argument
/// followed by the rest of the path ("photos/2024/a.jpg" for `photos`), byte-exact; a path under
/// no argument is returned as it is.
/// Threading: one thread at a time (it remembers the argument it matched last).
class DisplayMapper final {
public:
    explicit DisplayMapper(const QList<QByteArray> &arguments);
    [[nodiscard]] QByteArray display(const QByteArray &absolute) const;

private:
    struct Root {
        QByteArray absolute;
        QByteArray argument;
    };
    static std::optional<QByteArray> under(const Root &root, const QByteArray &path);

    QList<Root> m_roots;
    mutable qsizetype m_current = 0;
};

/// What the scan before a hashing command found.
struct HashScan {
    QList<core::files::FileEntry> files;
    /// Absolute path -> the path to print (DisplayMapper), for every listed file; empty when the
    /// scan was asked not to map every path (callers then map the few they print with `mapper`).
    QHash<QByteArray, QByteArray> display;
    std::shared_ptr<const DisplayMapper> mapper;
    bool problems = false; ///< something could not be listed or is not a regular file
    bool cancelled = false;
};

/// Lists `paths` (native bytes) with a ScanWorker, reporting problems on stderr (FIFOs, sockets,
/// devices: skipped and never opened). Progress on a TTY after one second. `mapEveryPath` false
/// leaves `display` empty: a hash per file costs as much as the listing.
HashScan scanForHashing(CliContext &ctx, const QList<QByteArray> &paths, const core::files::ScanOptions &options,
                        bool mapEveryPath = true);

/// Runs `worker` on a WorkerThread named `threadName` until it finishes, keeping the main thread's
/// event loop (and `progress`, if any) alive; CliContext::requestCancel() cancels it. Connect the
/// worker's signals before calling. Returns the worker's finished(ok).
bool runWorkerToEnd(CliContext &ctx, core::concurrency::Worker *worker, const QString &threadName,
                    ProgressPrinter *progress);

/// --jobs: a number from 1 to 64, or the number of CPUs when `text` is empty. -1 if invalid.
int parseJobs(const QString &text);

/// "12.3 MiB" style text for a byte count.
QString formatBytes(qint64 bytes);

} // namespace oncutf::cli
