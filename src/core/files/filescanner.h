#pragma once

#include "core/files/fileentry.h"

#include <QByteArray>
#include <QList>

#include <functional>

namespace oncutf::core::files {

/// What a scan descends into and lists. Threading: a plain value.
struct ScanOptions {
    bool recursive = false;      ///< descend into sub-folders
    bool includeHidden = false;  ///< list dot-files and descend into dot-folders
    bool followSymlinks = false; ///< in recursive mode, descend into symlinked folders (loop-safe)
    /// Size and modification time of every file (an fstatat each). Without them, a file the
    /// folder listing already calls regular is listed with size and mtime 0: for callers that
    /// only need names (a rename by name), the stat is a third of the scan.
    bool readDetails = true;
};

/// Counters of one scan. Threading: a plain value.
struct ScanStats {
    qint64 files = 0;
    qint64 directories = 0; ///< folders whose names were read
    qint64 problems = 0;
    bool cancelled = false;
};

/// Lists the regular files under a set of paths, synchronously, through POSIX calls on byte paths
/// (opendir/readdir with the d_type fast path, fstatat relative to the open folder), so that names
/// that are not UTF-8 stay byte-exact and 100k files list in a fraction of a second.
///
/// Rules:
/// - A path argument that is a regular file (or a symlink to one) is listed as is; a folder has its
///   files listed (and its sub-folders, when recursive); anything else is reported.
/// - Order is stable: the paths in the order given; inside a folder, entries in byte order of their
///   names, the folder's files first, then its sub-folders one after the other (depth first).
/// - Only regular files are listed. A symlink to a regular file is listed under the link's own path
///   (renaming acts on the link) with the target's size and time. FIFOs, sockets, devices and broken
///   symlinks are reported as skipped and never opened, so a FIFO can never block a scan.
/// - Symlinked folders are descended only with followSymlinks (and recursive); every folder is
///   identified by (st_dev, st_ino), so a link back to an ancestor is reported as a loop and a
///   folder reached twice is listed once.
/// - Problems (missing path argument, unreadable folder, loop, file vanished between readdir and
///   stat, skipped special file) are reported through problemFound and never stop the scan.
///
/// Threading: a FileScanner holds only its options; scan() may run on any thread, and several
/// scans may run at once on different threads. Callbacks run on the scanning thread.
class FileScanner final {
public:
    struct Callbacks {
        std::function<void(FileEntry &&)> entryFound;
        std::function<void(ScanProblem &&)> problemFound;
        /// After a folder's names were read, before any of them is examined; `done` folders of
        /// `known` ones so far (known grows as sub-folders are discovered).
        std::function<void(const QByteArray &folder, qint64 done, qint64 known)> folderListed;
        /// Polled before every entry; returning true ends the scan early (stats().cancelled).
        std::function<bool()> isCancelled;
    };

    struct Result {
        QList<FileEntry> entries;
        QList<ScanProblem> problems;
        ScanStats stats;
    };

    explicit FileScanner(ScanOptions options = {});

    [[nodiscard]] const ScanOptions &options() const { return m_options; }

    /// Scans `paths` (relative ones against the current directory) and streams what it finds.
    ScanStats scan(const QList<QByteArray> &paths, const Callbacks &callbacks) const;

    /// Convenience for small scans and tests: everything collected in memory.
    [[nodiscard]] Result scanAll(const QList<QByteArray> &paths) const;

    /// "jpg" for "IMG_1.JPG"; "" for "README", ".bashrc" or "name." (a leading dot is part of the
    /// name, as in Python's os.path.splitext).
    [[nodiscard]] static QString extensionOf(const QByteArray &fileName);

private:
    ScanOptions m_options;
};

} // namespace oncutf::core::files
