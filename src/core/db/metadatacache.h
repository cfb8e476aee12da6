#pragma once

#include "core/db/filestamp.h"
#include "core/error.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace oncutf::core::db {

class DatabaseManager;

/// How much metadata an entry holds: the fast set or everything ExifTool knows.
enum class MetadataMode { Fast, Extended };

QString metadataModeName(MetadataMode mode);

/// A cached metadata document (UTF-8 JSON, the metadata engine's format).
struct MetadataEntry {
    MetadataMode mode = MetadataMode::Fast;
    QByteArray json;
    FileStamp stamp;
    qint64 updatedAtMs = 0;
};

/// One file's metadata to store.
struct MetadataRecord {
    QByteArray path;
    MetadataMode mode = MetadataMode::Fast;
    QByteArray json;
    FileStamp stamp;
};

/// One file to look up, with its current stamp.
struct MetadataQuery {
    QByteArray path;
    FileStamp stamp;
};

/// The persistent metadata cache, keyed to the file's stable id (FileStore) so it follows
/// renames. A lookup hits only when the stored size and mtime equal the file's current ones;
/// an extended entry is never replaced by a fast one for an unchanged file.
/// Threading: thread-safe; batched calls run in one transaction on the caller's connection.
class MetadataCache final {
public:
    explicit MetadataCache(DatabaseManager &database);

    /// The entry for `path` if it is still valid for `current` and at least `minimum` (a caller
    /// that needs extended metadata misses on a fast entry).
    Result<std::optional<MetadataEntry>> get(const QByteArray &path, const FileStamp &current,
                                             MetadataMode minimum = MetadataMode::Fast) const;
    /// get() for many files in one snapshot; misses are absent from the result.
    Result<QHash<QByteArray, MetadataEntry>> getMany(const QList<MetadataQuery> &queries,
                                                     MetadataMode minimum = MetadataMode::Fast) const;
    /// getMany() without building a result: `hit(i, mode, json)` for each valid entry, `i` its
    /// position in `queries`. `json` views SQLite's row and lives only during the call (a caller
    /// parsing it there saves a copy of every document). May report an entry again if the read
    /// is retried after a busy database.
    Status forEachHit(const QList<MetadataQuery> &queries, MetadataMode minimum,
                      const std::function<void(qsizetype, MetadataMode, QByteArrayView)> &hit) const;
    Status put(const MetadataRecord &record);
    /// put() for many files in one transaction.
    Status putMany(const QList<MetadataRecord> &records);
    Status remove(const QByteArray &path);
    Result<qint64> count() const;

private:
    DatabaseManager &m_database;
};

} // namespace oncutf::core::db
