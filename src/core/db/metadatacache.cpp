#include "core/db/metadatacache.h"

#include "core/db/connection.h"
#include "core/db/databasemanager.h"
#include "core/db/filestore.h"

#include <QDateTime>

#include <functional>

namespace oncutf::core::db {

namespace {

// Also refuses a fast entry over an extended one of the same size and mtime, in SQL, so two
// writers racing cannot downgrade it either.
constexpr const char *kUpsert =
    "INSERT INTO metadata_cache (file_id, mode, json, size, mtime_ns, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (file_id) DO UPDATE SET mode = excluded.mode, json = excluded.json, size = excluded.size, "
    "mtime_ns = excluded.mtime_ns, updated_at = excluded.updated_at "
    "WHERE NOT (metadata_cache.mode = 'extended' AND excluded.mode = 'fast' "
    "AND metadata_cache.size = excluded.size AND metadata_cache.mtime_ns = excluded.mtime_ns)";

// FileStore::ensureIdIn()'s INSERT, for a path known to be absent.
constexpr const char *kInsertFile = "INSERT INTO files (path, created_at, updated_at) VALUES (?1, ?2, ?2)";

constexpr const char *kSelect =
    "SELECT m.mode, m.json, m.size, m.mtime_ns, m.updated_at FROM files f "
    "JOIN metadata_cache m ON m.file_id = f.id WHERE f.path = ?1";

const QString kFast = QStringLiteral("fast");
const QString kExtended = QStringLiteral("extended");
const QByteArray kFastUtf8 = QByteArrayLiteral("fast");
const QByteArray kExtendedUtf8 = QByteArrayLiteral("extended");

Status putIn(Connection &c, const MetadataRecord &record, qint64 fileId, qint64 now)
{
    auto st = c.prepare(kUpsert);
    if (!st)
        return st.error();
    st->bindInt(1, fileId);
    st->bindUtf8(2, record.mode == MetadataMode::Extended ? kExtendedUtf8 : kFastUtf8);
    st->bindUtf8(3, record.json);
    st->bindInt(4, record.stamp.size);
    st->bindInt(5, record.stamp.mtimeNs);
    st->bindInt(6, now);
    return st->run();
}

// The one row walker of every lookup: steps kSelect for each query and calls
// `hit(i, mode, statement)` for each entry still valid for `queries[i]` (same size and mtime, at
// least `minimum`). The statement's row (json in column 1, updated_at in 4) lives only during
// the call.
template <typename Hit>
Status walkHits(Connection &c, const QList<MetadataQuery> &queries, MetadataMode minimum, Hit &&hit)
{
    auto st = c.prepare(kSelect);
    if (!st)
        return st.error();
    for (qsizetype i = 0; i < queries.size(); ++i) {
        const MetadataQuery &query = queries.at(i);
        st->bindBlob(1, query.path);
        auto row = st->step();
        if (!row)
            return row.error();
        if (!*row)
            continue;
        const MetadataMode mode = st->view(0) == kExtendedUtf8 ? MetadataMode::Extended : MetadataMode::Fast;
        if (FileStamp{st->int64(2), st->int64(3)} != query.stamp
            || (minimum == MetadataMode::Extended && mode != minimum))
            continue;
        hit(i, mode, *st);
    }
    return {};
}

// Reports each valid entry among `queries` to `hit`, as a MetadataEntry.
template <typename Hit>
Status lookupIn(Connection &c, const QList<MetadataQuery> &queries, MetadataMode minimum, Hit &&hit)
{
    return walkHits(c, queries, minimum, [&](qsizetype i, MetadataMode mode, Statement &st) {
        MetadataEntry entry;
        entry.mode = mode;
        entry.stamp = queries.at(i).stamp;
        entry.json = st.utf8(1);
        entry.updatedAtMs = st.int64(4);
        hit(queries.at(i).path, std::move(entry));
    });
}

} // namespace

QString metadataModeName(MetadataMode mode)
{
    return mode == MetadataMode::Extended ? kExtended : kFast;
}

MetadataCache::MetadataCache(DatabaseManager &database) : m_database(database) {}

Result<std::optional<MetadataEntry>> MetadataCache::get(const QByteArray &path, const FileStamp &current,
                                                        MetadataMode minimum) const
{
    std::optional<MetadataEntry> hit;
    Status status = m_database.read([&](Connection &c) -> Status {
        hit.reset();
        return lookupIn(c, {MetadataQuery{path, current}}, minimum,
                        [&hit](const QByteArray &, MetadataEntry &&entry) { hit = std::move(entry); });
    });
    if (!status)
        return status.error();
    return hit;
}

Status MetadataCache::forEachHit(const QList<MetadataQuery> &queries, MetadataMode minimum,
                                 const std::function<void(qsizetype, MetadataMode, QByteArrayView)> &hit) const
{
    return m_database.read([&](Connection &c) -> Status {
        return walkHits(c, queries, minimum,
                        [&hit](qsizetype i, MetadataMode mode, Statement &st) { hit(i, mode, st.view(1)); });
    });
}

Result<QHash<QByteArray, MetadataEntry>> MetadataCache::getMany(const QList<MetadataQuery> &queries,
                                                                MetadataMode minimum) const
{
    QHash<QByteArray, MetadataEntry> hits;
    Status status = m_database.read([&](Connection &c) -> Status {
        hits.clear();
        hits.reserve(queries.size());
        return lookupIn(c, queries, minimum,
                        [&hits](const QByteArray &path, MetadataEntry &&entry) { hits.insert(path, std::move(entry)); });
    });
    if (!status)
        return status.error();
    return hits;
}

Status MetadataCache::put(const MetadataRecord &record)
{
    return putMany({record});
}

Status MetadataCache::putMany(const QList<MetadataRecord> &records)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<QByteArray> paths;
    paths.reserve(records.size());
    for (const MetadataRecord &record : records)
        paths.append(record.path);
    return m_database.transaction([&](Connection &c) -> Status {
        // One bulk id lookup instead of a SELECT per record; new paths are inserted once each
        // (a path twice in `records` reuses the id inserted for its first occurrence).
        auto ids = FileStore::idsForPathsIn(c, paths);
        if (!ids)
            return ids.error();
        QHash<QByteArray, qint64> inserted;
        for (qsizetype i = 0; i < records.size(); ++i) {
            const MetadataRecord &record = records.at(i);
            qint64 fileId = 0;
            if (const std::optional<qint64> &known = ids->at(i)) {
                fileId = *known;
            } else if (const auto it = inserted.constFind(record.path); it != inserted.cend()) {
                fileId = it.value();
            } else {
                // Absent from the snapshot just read, inside this write transaction: no SELECT
                // again before the INSERT.
                auto insert = c.prepare(kInsertFile);
                if (!insert)
                    return insert.error();
                insert->bindBlob(1, record.path);
                insert->bindInt(2, now);
                if (Status done = insert->run(); !done)
                    return done;
                fileId = c.lastInsertRowId();
                inserted.insert(record.path, fileId);
            }
            if (Status stored = putIn(c, record, fileId, now); !stored)
                return stored;
        }
        return {};
    });
}

Status MetadataCache::remove(const QByteArray &path)
{
    return m_database.transaction([&](Connection &c) -> Status {
        auto st = c.prepare("DELETE FROM metadata_cache WHERE file_id = (SELECT id FROM files WHERE path = ?1)");
        if (!st)
            return st.error();
        st->bindBlob(1, path);
        return st->run();
    });
}

Result<qint64> MetadataCache::count() const
{
    return m_database.readValue<qint64>([](Connection &c) { return c.queryInt("SELECT count(*) FROM metadata_cache"); });
}

} // namespace oncutf::core::db
