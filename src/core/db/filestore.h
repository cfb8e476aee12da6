#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QHash>
#include <QList>

#include <optional>

namespace oncutf::core::db {

class Connection;
class DatabaseManager;

/// A file oncutf knows: its stable id and where it is now.
struct FileRecord {
    qint64 id = 0;
    QByteArray path;
    qint64 createdAtMs = 0;
    qint64 updatedAtMs = 0;
};

/// File identities: one stable id per file path. A rename updates the path in place, so the
/// cached metadata, hashes and rename history attached to the id follow the file. Paths are the
/// native bytes of an absolute, cleaned path (QFile::encodeName(QDir::cleanPath(...))), compared
/// byte for byte; the caller normalises them. The table mirrors the disk: when a path is taken
/// by a renamed file, a stale row left at that path (a file that disappeared) is dropped with
/// its caches.
/// Threading: thread-safe (each call runs on the calling thread's connection); calls inside
/// DatabaseManager::transaction() join that transaction.
class FileStore final {
public:
    explicit FileStore(DatabaseManager &database);

    /// The id of `path`, or nothing when oncutf does not know it.
    Result<std::optional<qint64>> idForPath(const QByteArray &path) const;
    /// The id of `path`, created when missing.
    Result<qint64> ensureId(const QByteArray &path);
    /// ensureId() for many paths in one transaction; ids in the order of `paths`.
    Result<QList<qint64>> ensureIds(const QList<QByteArray> &paths);
    /// The known files among `paths`, keyed by path (unknown paths are absent).
    Result<QHash<QByteArray, FileRecord>> lookup(const QList<QByteArray> &paths) const;
    Result<std::optional<FileRecord>> fileById(qint64 id) const;
    /// The file at `oldPath` is now at `newPath`: the id, caches and history follow it. Nothing to
    /// do when `oldPath` is unknown (a stale row at `newPath` is still dropped).
    Status renamePath(const QByteArray &oldPath, const QByteArray &newPath);
    /// Forgets `path` and its cached metadata and hashes (history keeps its paths).
    Status remove(const QByteArray &path);
    /// Known files, for `db info` and tests.
    Result<qint64> count() const;

    // Building blocks for other stores, to be called inside a transaction on `connection`.
    static Result<std::optional<qint64>> idForPathIn(Connection &connection, const QByteArray &path);
    static Result<qint64> ensureIdIn(Connection &connection, const QByteArray &path, qint64 nowMs);
    /// idForPathIn() for many paths, in the order of `paths` (nothing for an unknown path). Reads
    /// nothing per path when no file is known, and scans the table once when it is small next to
    /// `paths`, so a batch over files oncutf never cached costs one query.
    static Result<QList<std::optional<qint64>>> idsForPathsIn(Connection &connection, const QList<QByteArray> &paths);
    /// True when at least one file is known (one indexed probe).
    static Result<bool> anyIn(Connection &connection);
    /// Drops the row that still claims `path`, if any: the disk just gave that name to a file
    /// oncutf holds no row for, so the row (and its caches) belonged to a file that is gone.
    static Status dropStaleIn(Connection &connection, const QByteArray &path);
    /// Points file `id` at `path`, dropping a stale row that held `path`.
    static Status moveIdIn(Connection &connection, qint64 id, const QByteArray &path, qint64 nowMs);

private:
    DatabaseManager &m_database;
};

} // namespace oncutf::core::db
