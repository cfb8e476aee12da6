#pragma once

#include "core/db/filestamp.h"
#include "core/error.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace oncutf::core::db {

class DatabaseManager;

/// A cached checksum.
struct HashEntry {
    QString value;
    FileStamp stamp;
    qint64 updatedAtMs = 0;
};

/// One file's checksum to store. `algorithm` is stored upper-case ("CRC32"), whatever the case
/// given, so "crc32" and "CRC32" can never become two rows (a defect of the original).
struct HashRecord {
    QByteArray path;
    QString algorithm;
    QString value;
    FileStamp stamp;
};

/// One file to look up, with its current stamp.
struct HashQuery {
    QByteArray path;
    FileStamp stamp;
};

/// The persistent hash cache, keyed to the file's stable id (FileStore) and the algorithm. A
/// lookup hits only when the size and mtime at hashing time equal the file's current ones (the
/// original never invalidated a hash).
/// Threading: thread-safe; batched calls run in one transaction on the caller's connection.
class HashCache final {
public:
    explicit HashCache(DatabaseManager &database);

    /// The canonical (upper-case) algorithm name, or an empty string when `algorithm` is not a
    /// plausible name (empty, or characters other than ASCII letters, digits, '-' and '_').
    static QString normalizedAlgorithm(const QString &algorithm);

    Result<std::optional<QString>> get(const QByteArray &path, const QString &algorithm,
                                       const FileStamp &current) const;
    /// get() for many files in one snapshot; misses are absent from the result.
    Result<QHash<QByteArray, HashEntry>> getMany(const QList<HashQuery> &queries, const QString &algorithm) const;
    Status put(const HashRecord &record);
    /// put() for many files in one transaction.
    Status putMany(const QList<HashRecord> &records);
    /// Forgets the checksums of `path` (of every algorithm when `algorithm` is empty).
    Status remove(const QByteArray &path, const QString &algorithm = {});
    /// Paths whose cached checksum is `value` (candidates only: their stamps are not checked).
    Result<QList<QByteArray>> pathsWithValue(const QString &algorithm, const QString &value) const;
    Result<qint64> count() const;

private:
    DatabaseManager &m_database;
};

} // namespace oncutf::core::db
