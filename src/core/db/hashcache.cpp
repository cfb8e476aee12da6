#include "core/db/hashcache.h"

#include "core/db/connection.h"
#include "core/db/databasemanager.h"
#include "core/db/filestore.h"

#include <QDateTime>

#include <functional>

namespace oncutf::core::db {

namespace {

constexpr const char *kUpsert =
    "INSERT INTO hash_cache (file_id, algorithm, value, size, mtime_ns, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (file_id, algorithm) DO UPDATE SET value = excluded.value, size = excluded.size, "
    "mtime_ns = excluded.mtime_ns, updated_at = excluded.updated_at";

constexpr const char *kSelect =
    "SELECT h.value, h.size, h.mtime_ns, h.updated_at FROM files f "
    "JOIN hash_cache h ON h.file_id = f.id AND h.algorithm = ?2 WHERE f.path = ?1";

Error badAlgorithm(const QString &algorithm)
{
    return makeError(ErrorCode::InvalidArgument, QStringLiteral("\"%1\" is not a checksum algorithm name").arg(algorithm));
}

// Reports each valid entry among `queries` to `hit`; `name` is already normalised.
Status lookupIn(Connection &c, const QList<HashQuery> &queries, const QString &name,
                const std::function<void(const QByteArray &, HashEntry &&)> &hit)
{
    auto st = c.prepare(kSelect);
    if (!st)
        return st.error();
    const QByteArray nameUtf8 = name.toUtf8();
    for (const HashQuery &query : queries) {
        st->bindBlob(1, query.path);
        st->bindUtf8(2, nameUtf8);
        auto row = st->step();
        if (!row)
            return row.error();
        if (!*row)
            continue;
        const FileStamp stamp{st->int64(1), st->int64(2)};
        if (stamp != query.stamp)
            continue;
        hit(query.path, HashEntry{st->text(0), stamp, st->int64(3)});
    }
    return {};
}

} // namespace

HashCache::HashCache(DatabaseManager &database) : m_database(database) {}

QString HashCache::normalizedAlgorithm(const QString &algorithm)
{
    if (algorithm.isEmpty())
        return {};
    for (const QChar ch : algorithm) {
        const char16_t u = ch.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'-'
            || u == u'_';
        if (!ok)
            return {};
    }
    return algorithm.toUpper();
}

Result<std::optional<QString>> HashCache::get(const QByteArray &path, const QString &algorithm,
                                              const FileStamp &current) const
{
    const QString name = normalizedAlgorithm(algorithm);
    if (name.isEmpty())
        return badAlgorithm(algorithm);
    std::optional<QString> hit;
    Status status = m_database.read([&](Connection &c) -> Status {
        hit.reset();
        return lookupIn(c, {HashQuery{path, current}}, name,
                        [&hit](const QByteArray &, HashEntry &&entry) { hit = std::move(entry.value); });
    });
    if (!status)
        return status.error();
    return hit;
}

Result<QHash<QByteArray, HashEntry>> HashCache::getMany(const QList<HashQuery> &queries, const QString &algorithm) const
{
    const QString name = normalizedAlgorithm(algorithm);
    if (name.isEmpty())
        return badAlgorithm(algorithm);
    QHash<QByteArray, HashEntry> hits;
    Status status = m_database.read([&](Connection &c) -> Status {
        hits.clear();
        hits.reserve(queries.size());
        return lookupIn(c, queries, name,
                        [&hits](const QByteArray &path, HashEntry &&entry) { hits.insert(path, std::move(entry)); });
    });
    if (!status)
        return status.error();
    return hits;
}

Status HashCache::put(const HashRecord &record)
{
    return putMany({record});
}

Status HashCache::putMany(const QList<HashRecord> &records)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    return m_database.transaction([&](Connection &c) -> Status {
        auto st = c.prepare(kUpsert);
        if (!st)
            return st.error();
        for (const HashRecord &record : records) {
            const QString name = normalizedAlgorithm(record.algorithm);
            if (name.isEmpty())
                return badAlgorithm(record.algorithm);
            auto id = FileStore::ensureIdIn(c, record.path, now);
            if (!id)
                return id.error();
            st->bindInt(1, *id);
            st->bindText(2, name);
            st->bindText(3, record.value);
            st->bindInt(4, record.stamp.size);
            st->bindInt(5, record.stamp.mtimeNs);
            st->bindInt(6, now);
            if (Status stored = st->run(); !stored)
                return stored;
        }
        return {};
    });
}

Status HashCache::remove(const QByteArray &path, const QString &algorithm)
{
    const QString name = normalizedAlgorithm(algorithm);
    if (!algorithm.isEmpty() && name.isEmpty())
        return badAlgorithm(algorithm);
    return m_database.transaction([&](Connection &c) -> Status {
        auto st = c.prepare("DELETE FROM hash_cache WHERE file_id = (SELECT id FROM files WHERE path = ?1) "
                            "AND (?2 = '' OR algorithm = ?2)");
        if (!st)
            return st.error();
        st->bindBlob(1, path);
        st->bindText(2, name);
        return st->run();
    });
}

Result<QList<QByteArray>> HashCache::pathsWithValue(const QString &algorithm, const QString &value) const
{
    const QString name = normalizedAlgorithm(algorithm);
    if (name.isEmpty())
        return badAlgorithm(algorithm);
    QList<QByteArray> paths;
    Status status = m_database.read([&](Connection &c) -> Status {
        paths.clear();
        auto st = c.prepare("SELECT f.path FROM hash_cache h JOIN files f ON f.id = h.file_id "
                            "WHERE h.algorithm = ?1 AND h.value = ?2 ORDER BY f.path");
        if (!st)
            return st.error();
        st->bindText(1, name);
        st->bindText(2, value);
        for (;;) {
            auto row = st->step();
            if (!row)
                return row.error();
            if (!*row)
                break;
            paths.append(st->blob(0));
        }
        return {};
    });
    if (!status)
        return status.error();
    return paths;
}

Result<qint64> HashCache::count() const
{
    return m_database.readValue<qint64>([](Connection &c) { return c.queryInt("SELECT count(*) FROM hash_cache"); });
}

} // namespace oncutf::core::db
