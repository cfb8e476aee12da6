#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <optional>

namespace oncutf::core::db {

/// What a cache entry is valid for: the file's size and modification time (nanoseconds) when
/// it was read. A cache hit needs both to equal the file's current values, so a file changed
/// in place (same size, new mtime) or rewritten within one second (same second, new nanoseconds)
/// is read again.
/// Threading: a plain value.
struct FileStamp {
    qint64 size = -1;
    qint64 mtimeNs = 0;

    /// The stamp of the file at `nativePath` now (following symlinks), or nothing if it cannot
    /// be stat()ed.
    static std::optional<FileStamp> of(const QByteArray &nativePath);

    friend bool operator==(const FileStamp &, const FileStamp &) = default;
};

} // namespace oncutf::core::db
