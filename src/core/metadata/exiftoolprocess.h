#pragma once

#include "core/error.h"
#include "core/metadata/childspawner.h"
#include "core/metadata/metadatarecord.h"

#include <QByteArray>
#include <QList>

#include <atomic>
#include <chrono>
#include <functional>

namespace oncutf::core::metadata {

/// The malloc ExifTool's processes run with by default: tcmalloc (Debian libtcmalloc-minimal4)
/// when it is installed beside the C library, else empty (glibc's). ExifTool is Perl, which
/// allocates and frees small blocks all the time: with tcmalloc the same extended read of small
/// JPEGs takes 3.5 % fewer instructions and about 10 % less time (docs/performance.md).
/// The environment variable ONCUTF_EXIFTOOL_MALLOC overrides it: a library's path, or empty or
/// "system" for glibc's.
QByteArray defaultExifToolAllocator();

/// Settings shared by every process of an ExifTool pool.
struct ExifToolOptions {
    /// The program (looked up in PATH) and any arguments before ours; tests substitute a script.
    QList<QByteArray> command{QByteArrayLiteral("exiftool")};
    /// A file may take this long, plus perFiftyMegabytes for every 50 MB of its size, before the
    /// process counts as hung.
    std::chrono::milliseconds baseTimeout{5000};
    std::chrono::milliseconds perFiftyMegabytes{1000};
    /// How long a new process may take to answer its first command (`-ver`); its start-up time
    /// never counts against a file.
    std::chrono::milliseconds startTimeout{30000};
    /// After a cancel, files already handed to ExifTool may finish within this grace; then the
    /// process is killed (and restarted on the next request).
    std::chrono::milliseconds cancelGrace{250};
    /// Commands written ahead of the one ExifTool is working on (keeps it busy between files).
    int window = 4;
    /// A shared library preloaded (LD_PRELOAD) into each process, in front of any the user set:
    /// the allocator. Empty, or a file that is not there, preloads nothing.
    QByteArray allocator = defaultExifToolAllocator();
};

/// What a read() did, for logs and tests.
struct ExifToolReadSummary {
    qsizetype completed = 0; // files reported through the callback
    int restarts = 0;        // processes killed (dead or hung) and started again
    bool cancelled = false;
};

/// One persistent `exiftool -stay_open True -@ -` process, driven over pipes with plain POSIX
/// calls and poll(), so it runs on whichever thread holds it (no event loop needed).
///
/// Every file is one numbered command (`-json -G FILE -echo4 {doneN} -execute<N>`), written a few
/// commands ahead so ExifTool never waits for us: that keeps a batch's throughput while each file
/// has its own framing ({readyN} on stdout, {doneN} on stderr, so stderr is always drained and its
/// messages belong to the right file), its own timeout (scaled by its size) and its own result.
/// When the process dies (EOF) or hangs, it is killed (SIGKILL to its process group), reaped and
/// restarted; the file it was working on is retried alone, the files queued behind it carry on,
/// and a file that brings ExifTool down twice is reported as an error for that file only.
///
/// Throughput mode (read() with filesPerCommand > 1): files go several to a command, which
/// saves ExifTool its per-`-execute` work (a tenth of its time on small files). Output is
/// matched to files by SourceFile. A command whose output does not account for each of its files
/// (a file ExifTool could not open), or whose process dies or hangs (twice the files' joint
/// timeout without output), has its files read again one per command, so every answer, error
/// and blame is exactly the one-file one; such files may then be reported out of order.
///
/// Names the argument protocol cannot carry (a newline or carriage return) are read through a
/// symlink with a safe name in a private temporary directory and reported under their real path
/// (File:FileName and File:Directory rewritten). Bytes that are not UTF-8 pass as they are (Linux
/// opens the exact bytes), and a leading '-' is harmless because every path is made absolute.
/// Directories, FIFOs, devices and missing files are reported without asking ExifTool (it would
/// scan a directory and block forever on a FIFO).
///
/// Owner: ExifToolPool (one per pool slot). Threading: not thread-safe; the pool's per-process
/// mutex serialises callers; pid() is safe from any thread. stop() must have run before
/// destruction.
class ExifToolProcess final {
public:
    ExifToolProcess(ExifToolOptions options, ChildSpawner *spawner);
    ~ExifToolProcess();
    ExifToolProcess(const ExifToolProcess &) = delete;
    ExifToolProcess &operator=(const ExifToolProcess &) = delete;

    using ResultCallback = std::function<void(qsizetype index, MetadataRecord &&record)>;
    using CancelCheck = std::function<bool()>;

    /// Reads `paths` in `mode`, calling `onResult` (on this thread) for each file as it
    /// completes, in order. Every file gets exactly one callback unless the read is cancelled
    /// (isCancelled returning true), after which files not yet finished get none.
    /// `filesPerCommand` > 1 sends up to that many files per `-execute` (see the class comment).
    ExifToolReadSummary read(const QList<QByteArray> &paths, MetadataMode mode, const ResultCallback &onResult,
                             const CancelCheck &isCancelled = {}, int filesPerCommand = 1);

    /// Starts the process now (read() starts it on demand) and waits until it answers.
    Status start();
    /// Starts the process without waiting for it: Perl loads ExifTool while the caller goes on,
    /// and the next start() or read() only waits for what is left of that. An error when it
    /// cannot be started at all.
    Status launch();
    /// What the running ExifTool reported for -ver ("12.57").
    [[nodiscard]] QByteArray version() const { return m_version; }
    [[nodiscard]] bool isRunning() const { return m_child.pid > 0; }
    /// The running process's pid, or -1. Safe to read from any thread (the pool's shutdown kills
    /// a busy process by it).
    [[nodiscard]] pid_t pid() const { return m_publishedPid.load(); }
    [[nodiscard]] int restarts() const { return m_restarts; }

    /// Ends the process: `-stay_open False`, stdin closed, then SIGTERM and SIGKILL to its group
    /// within `budget`, and always reaped. Removes the alias directory. Idempotent.
    void stop(std::chrono::milliseconds budget);

    /// The timeout for a file of `bytes`.
    [[nodiscard]] std::chrono::milliseconds timeoutFor(qint64 bytes) const;

private:
    struct Pending;
    struct Command;
    /// The first command of a launched process (`-ver`), answered before any file is sent.
    struct Handshake {
        bool pending = false;
        quint64 command = 0;
        QByteArray request; // what is still to be written
        std::chrono::steady_clock::time_point deadline;
    };
    enum class Outcome { Completed, Died, Hung };

    void terminateChild();
    QByteArray aliasFor(const QByteArray &path, QString *error);
    void removeAliases();

    ExifToolOptions m_options;
    ChildSpawner *m_spawner;
    SpawnedChild m_child;
    std::atomic<pid_t> m_publishedPid{-1};
    quint64 m_nextCommand = 1;
    Handshake m_handshake;
    QByteArray m_version;
    int m_restarts = 0;
    bool m_stopped = false;
    QByteArray m_aliasDir;
    quint64 m_aliasCounter = 0; // names the links in m_aliasDir
};

} // namespace oncutf::core::metadata
