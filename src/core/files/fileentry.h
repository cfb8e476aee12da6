#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>

namespace oncutf::core::files {

/// One regular file found by a scan: what the file table, the hash and metadata workers and the
/// rename engine start from.
/// Threading: a plain value, copied freely between threads (batches travel in queued signals).
struct FileEntry {
    QByteArray path;   ///< absolute, native bytes, byte-exact, never re-encoded (see nativepath.h)
    qint64 size = 0;   ///< bytes
    qint64 mtimeNs = 0; ///< modification time, nanoseconds since the Unix epoch (UTC)
    QString type;      ///< lower-case extension without the dot, "" if none
    QString kind;      ///< image|raw|video|audio|sidecar|other (see filekind.h)

    friend bool operator==(const FileEntry &, const FileEntry &) = default;
};

/// Something a scan met and did not list. Problems are reported, never fatal.
/// Threading: a plain value.
struct ScanProblem {
    enum class Kind {
        MissingArgument, ///< a path given to the scan does not exist (the CLI exits 1 for this)
        Unreadable,      ///< a folder could not be opened or read (EACCES, ...)
        SymlinkLoop,     ///< a followed symlink leads back to a folder already being scanned
        AlreadyScanned,  ///< the same folder reached twice (overlapping paths, bind mounts)
        Vanished,        ///< removed between listing its folder and reading its details
        Skipped,         ///< not a regular file (FIFO, socket, device, broken symlink): never opened
        Error,           ///< any other system error
    };

    QByteArray path;   ///< byte-exact, absolute
    QString message;   ///< readable, without the path
    Kind kind = Kind::Error;

    friend bool operator==(const ScanProblem &, const ScanProblem &) = default;
};

} // namespace oncutf::core::files

Q_DECLARE_METATYPE(oncutf::core::files::FileEntry)
Q_DECLARE_METATYPE(oncutf::core::files::ScanProblem)
