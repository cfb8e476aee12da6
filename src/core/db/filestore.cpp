#include "core/db/filestore.h"

#include "core/db/connection.h"
#include "core/db/databasemanager.h"

#include <QDateTime>

namespace oncutf::core::db {

FileStore::FileStore(DatabaseManager &database) : m_database(database) {}

Result<std::optional<qint64>> FileStore::idForPathIn(Connection &connection, const QByteArray &path)
{
    auto st = connection.prepare("SELECT id FROM files WHERE path = ?1");
    if (!st)
        return st.error();
    st->bindBlob(1, path);
    auto row = st->step();
    if (!row)
        return row.error();
    if (!*row)
        return std::optional<qint64>();
    return std::optional<qint64>(st->int64(0));
}

Result<qint64> FileStore::ensureIdIn(Connection &connection, const QByteArray &path, qint64 nowMs)
{
    auto existing = idForPathIn(connection, path);
    if (!existing)
        return existing.error();
    if (existing->has_value())
        return **existing;
    auto insert = connection.prepare("INSERT INTO files (path, created_at, updated_at) VALUES (?1, ?2, ?2)");
    if (!insert)
        return insert.error();
    insert->bindBlob(1, path);
    insert->bindInt(2, nowMs);
    if (Status done = insert->run(); !done)
        return done.error();
    return connection.lastInsertRowId();
}

Result<bool> FileStore::anyIn(Connection &connection)
{
    auto any = connection.queryInt("SELECT EXISTS (SELECT 1 FROM files)");
    if (!any)
        return any.error();
    return *any != 0;
}

Result<QList<std::optional<qint64>>> FileStore::idsForPathsIn(Connection &connection, const QList<QByteArray> &paths)
{
    QList<std::optional<qint64>> ids(paths.size());
    if (paths.isEmpty())
        return ids;
    // Counting stops at twice the paths: beyond that a lookup per path reads less than a scan.
    const qint64 scanLimit = 2 * qint64(paths.size());
    auto counter = connection.prepare("SELECT count(*) FROM (SELECT 1 FROM files LIMIT ?1)");
    if (!counter)
        return counter.error();
    counter->bindInt(1, scanLimit + 1);
    auto counted = counter->step();
    if (!counted)
        return counted.error();
    const qint64 known = *counted ? counter->int64(0) : 0;
    counter->reset();
    if (known == 0)
        return ids;
    if (known <= scanLimit) {
        QHash<QByteArray, qint64> byPath;
        byPath.reserve(known);
        auto scan = connection.prepare("SELECT id, path FROM files");
        if (!scan)
            return scan.error();
        for (;;) {
            auto row = scan->step();
            if (!row)
                return row.error();
            if (!*row)
                break;
            byPath.insert(scan->blob(1), scan->int64(0));
        }
        for (qsizetype i = 0; i < paths.size(); ++i) {
            if (const auto it = byPath.constFind(paths.at(i)); it != byPath.cend())
                ids[i] = it.value();
        }
        return ids;
    }
    auto st = connection.prepare("SELECT id FROM files WHERE path = ?1");
    if (!st)
        return st.error();
    for (qsizetype i = 0; i < paths.size(); ++i) {
        st->bindBlob(1, paths.at(i));
        auto row = st->step();
        if (!row)
            return row.error();
        if (*row)
            ids[i] = st->int64(0);
    }
    return ids;
}

Status FileStore::dropStaleIn(Connection &connection, const QByteArray &path)
{
    auto drop = connection.prepare("DELETE FROM files WHERE path = ?1");
    if (!drop)
        return drop.error();
    drop->bindBlob(1, path);
    return drop->run();
}

Status FileStore::moveIdIn(Connection &connection, qint64 id, const QByteArray &path, qint64 nowMs)
{
    // The disk just gave `path` to file `id`, so whatever row still claims it is stale.
    auto drop = connection.prepare("DELETE FROM files WHERE path = ?1 AND id <> ?2");
    if (!drop)
        return drop.error();
    drop->bindBlob(1, path);
    drop->bindInt(2, id);
    if (Status dropped = drop->run(); !dropped)
        return dropped;
    auto move = connection.prepare("UPDATE files SET path = ?1, updated_at = ?2 WHERE id = ?3");
    if (!move)
        return move.error();
    move->bindBlob(1, path);
    move->bindInt(2, nowMs);
    move->bindInt(3, id);
    return move->run();
}

Result<std::optional<qint64>> FileStore::idForPath(const QByteArray &path) const
{
    std::optional<qint64> id;
    Status status = m_database.read([&](Connection &c) -> Status {
        auto found = idForPathIn(c, path);
        if (!found)
            return found.error();
        id = *found;
        return {};
    });
    if (!status)
        return status.error();
    return id;
}

Result<qint64> FileStore::ensureId(const QByteArray &path)
{
    auto ids = ensureIds({path});
    if (!ids)
        return ids.error();
    return ids->constFirst();
}

Result<QList<qint64>> FileStore::ensureIds(const QList<QByteArray> &paths)
{
    QList<qint64> ids;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Status status = m_database.transaction([&](Connection &c) -> Status {
        ids.clear();
        ids.reserve(paths.size());
        for (const QByteArray &path : paths) {
            auto id = ensureIdIn(c, path, now);
            if (!id)
                return id.error();
            ids.append(*id);
        }
        return {};
    });
    if (!status)
        return status.error();
    return ids;
}

Result<QHash<QByteArray, FileRecord>> FileStore::lookup(const QList<QByteArray> &paths) const
{
    QHash<QByteArray, FileRecord> found;
    Status status = m_database.read([&](Connection &c) -> Status {
        found.clear();
        auto st = c.prepare("SELECT id, created_at, updated_at FROM files WHERE path = ?1");
        if (!st)
            return st.error();
        for (const QByteArray &path : paths) {
            st->bindBlob(1, path);
            auto row = st->step();
            if (!row)
                return row.error();
            if (*row)
                found.insert(path, FileRecord{st->int64(0), path, st->int64(1), st->int64(2)});
        }
        return {};
    });
    if (!status)
        return status.error();
    return found;
}

Result<std::optional<FileRecord>> FileStore::fileById(qint64 id) const
{
    std::optional<FileRecord> record;
    Status status = m_database.read([&](Connection &c) -> Status {
        auto st = c.prepare("SELECT path, created_at, updated_at FROM files WHERE id = ?1");
        if (!st)
            return st.error();
        st->bindInt(1, id);
        auto row = st->step();
        if (!row)
            return row.error();
        if (*row)
            record = FileRecord{id, st->blob(0), st->int64(1), st->int64(2)};
        return {};
    });
    if (!status)
        return status.error();
    return record;
}

Status FileStore::renamePath(const QByteArray &oldPath, const QByteArray &newPath)
{
    if (oldPath == newPath)
        return {};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    return m_database.transaction([&](Connection &c) -> Status {
        auto id = idForPathIn(c, oldPath);
        if (!id)
            return id.error();
        if (id->has_value())
            return moveIdIn(c, **id, newPath, now);
        return dropStaleIn(c, newPath);
    });
}

Status FileStore::remove(const QByteArray &path)
{
    return m_database.transaction([&](Connection &c) -> Status {
        auto drop = c.prepare("DELETE FROM files WHERE path = ?1");
        if (!drop)
            return drop.error();
        drop->bindBlob(1, path);
        return drop->run();
    });
}

Result<qint64> FileStore::count() const
{
    return m_database.readValue<qint64>([](Connection &c) { return c.queryInt("SELECT count(*) FROM files"); });
}

} // namespace oncutf::core::db
