#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace oncutf::core::rename {

/// What the planner knows of one file: its path and stat data, plus the metadata and hash the
/// recipe needs (loaded beforehand by the front end, from the caches or the engines).
/// Threading: a plain value.
struct RenameInput {
    QByteArray path;       ///< absolute, clean, native bytes (QFile::encodeName)
    qint64 size = 0;
    qint64 mtimeNs = 0;    ///< nanoseconds since the epoch (st_mtim)
    qint64 ctimeNs = 0;    ///< st_ctim; "file:ctime"
    /// "Group:Tag" -> value, as MetadataRecord::fields; empty when not loaded or none.
    QJsonObject metadata;
    bool metadataLoaded = false; ///< false: a metadata module reports missing_data, never guesses
    std::optional<QString> crc32; ///< 8 lower-case hex digits, from the hash cache
};

} // namespace oncutf::core::rename
