#include "core/db/renamejournal.h"

#include "core/db/connection.h"
#include "core/db/databasemanager.h"
#include "core/db/filestore.h"

#include <QDateTime>

#include <array>
#include <cstring>
#include <functional>
#include <limits>

namespace oncutf::core::db {

namespace {

constexpr std::array<const char *, 3> kKinds{"apply", "undo", "redo"};
constexpr std::array<const char *, 7> kBatchStates{"planned",     "applying", "applied", "rolling_back",
                                                   "rolled_back", "failed",   "undone"};
constexpr std::array<const char *, 6> kOpStates{"pending", "at_temp", "done", "reverted", "skipped", "failed"};

template <typename Enum, std::size_t N>
std::optional<Enum> fromName(const std::array<const char *, N> &names, const QString &text)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (text == QLatin1String(names[i]))
            return static_cast<Enum>(i);
    }
    return std::nullopt;
}

void bindOptionalBlob(Statement &st, int index, const std::optional<QByteArray> &value)
{
    if (value)
        st.bindBlob(index, *value);
    else
        st.bindNull(index);
}

void bindOptionalText(Statement &st, int index, const QString &value)
{
    if (value.isEmpty())
        st.bindNull(index);
    else
        st.bindText(index, value);
}

std::optional<QByteArray> optionalBlob(const Statement &st, int column)
{
    if (st.isNull(column))
        return std::nullopt;
    return st.blob(column);
}

std::optional<qint64> optionalInt(const Statement &st, int column)
{
    if (st.isNull(column))
        return std::nullopt;
    return st.int64(column);
}

// The op state as UTF-8 bytes for binding, without building a QString per row.
QByteArray opStateUtf8(OpState state)
{
    const char *name = kOpStates[static_cast<std::size_t>(state)];
    return QByteArray::fromRawData(name, qsizetype(std::strlen(name)));
}

Error corruptRow(const char *what)
{
    return makeError(ErrorCode::Corrupt, QStringLiteral("the rename journal holds an unknown %1").arg(QLatin1String(what)));
}

constexpr int kInsertColumns = 8;
constexpr qsizetype kInsertRows = 64; // 512 parameters, well under SQLite's limit of 32,766

// INSERT of `rows` ops, columns as createBatch binds them.
QByteArray insertOpsSql(qsizetype rows)
{
    QByteArray sql = "INSERT INTO rename_ops (batch_id, seq, file_id, old_path, temp_path, new_path, holding_path, "
                     "state, updated_at) VALUES ";
    for (qsizetype r = 0; r < rows; ++r) {
        if (r > 0)
            sql += ',';
        sql += "(?, ?, ?, ?, ?, ?, ?, 'pending', ?)";
    }
    return sql;
}

constexpr const char *kBatchColumns =
    "SELECT id, kind, state, recipe_json, root_folder, parent_batch_id, created_at, finished_at, error "
    "FROM rename_batches ";

Status countsIn(Connection &c, BatchRecord &record)
{
    auto st = c.prepare("SELECT state, count(*) FROM rename_ops WHERE batch_id = ?1 GROUP BY state");
    if (!st)
        return st.error();
    st->bindInt(1, record.id);
    record.counts = {};
    for (;;) {
        auto row = st->step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const auto state = opStateFromString(st->text(0));
        if (!state)
            return corruptRow("operation state");
        const qint64 n = st->int64(1);
        record.counts.total += n;
        switch (*state) {
        case OpState::Pending: record.counts.pending = n; break;
        case OpState::AtTemp: record.counts.atTemp = n; break;
        case OpState::Done: record.counts.done = n; break;
        case OpState::Reverted: record.counts.reverted = n; break;
        case OpState::Skipped: record.counts.skipped = n; break;
        case OpState::Failed: record.counts.failed = n; break;
        }
    }
    return {};
}

// Runs a query over kBatchColumns and fills each batch with its counts.
Status batchesIn(Connection &c, const char *sql, const std::function<void(Statement &)> &bind,
                 QList<BatchRecord> &out)
{
    out.clear();
    auto st = c.prepare(sql);
    if (!st)
        return st.error();
    bind(*st);
    for (;;) {
        auto row = st->step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        BatchRecord record;
        record.id = st->int64(0);
        const auto kind = batchKindFromString(st->text(1));
        const auto state = batchStateFromString(st->text(2));
        if (!kind || !state)
            return corruptRow("batch kind or state");
        record.kind = *kind;
        record.state = *state;
        record.recipeJson = st->utf8(3);
        record.rootFolder = optionalBlob(*st, 4);
        record.parentBatchId = optionalInt(*st, 5);
        record.createdAtMs = st->int64(6);
        record.finishedAtMs = optionalInt(*st, 7);
        record.error = st->text(8);
        out.append(std::move(record));
    }
    for (BatchRecord &record : out) {
        if (Status counted = countsIn(c, record); !counted)
            return counted;
    }
    return {};
}

Status markIn(Connection &c, const OpUpdate &update, qint64 now)
{
    auto st = c.prepare("UPDATE rename_ops SET state = ?1, error = ?2, updated_at = ?3 WHERE id = ?4 "
                        "RETURNING file_id, old_path, temp_path, new_path");
    if (!st)
        return st.error();
    st->bindUtf8(1, opStateUtf8(update.state));
    bindOptionalText(*st, 2, update.error);
    st->bindInt(3, now);
    st->bindInt(4, update.opId);
    auto row = st->step();
    if (!row)
        return row.error();
    if (!*row)
        return makeError(ErrorCode::NotFound, QStringLiteral("no rename operation %1 in the journal").arg(update.opId));
    const std::optional<qint64> fileId = optionalInt(*st, 0);
    std::optional<QByteArray> location;
    switch (update.state) {
    case OpState::Pending:
    case OpState::Reverted:
        location = st->blob(1);
        break;
    case OpState::AtTemp:
        location = optionalBlob(*st, 2);
        if (!location)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("rename operation %1 has no temporary name").arg(update.opId));
        break;
    case OpState::Done:
        location = st->blob(3);
        break;
    case OpState::Skipped:
    case OpState::Failed:
        // Where the file is after a failure is for the executor to say through a later state.
        break;
    }
    st->reset();
    if (!location)
        return {};
    if (fileId)
        return FileStore::moveIdIn(c, *fileId, *location, now);
    // A file oncutf never cached has no id to move, but a row left at its new place by a file
    // that disappeared is stale all the same.
    return FileStore::dropStaleIn(c, *location);
}

// Marks ops [begin, end) of `updates`, consecutive ids with one state and error, in one UPDATE.
// Only for when no file is known (so no op has an id to move and no row can be stale).
Status markRangeIn(Connection &c, const QList<OpUpdate> &updates, qsizetype begin, qsizetype end, qint64 now)
{
    const OpUpdate &first = updates.at(begin);
    auto st = c.prepare("UPDATE rename_ops SET state = ?1, error = ?2, updated_at = ?3 WHERE id BETWEEN ?4 AND ?5 "
                        "AND (?1 <> 'at_temp' OR temp_path IS NOT NULL)");
    if (!st)
        return st.error();
    st->bindUtf8(1, opStateUtf8(first.state));
    bindOptionalText(*st, 2, first.error);
    st->bindInt(3, now);
    st->bindInt(4, first.opId);
    st->bindInt(5, updates.at(end - 1).opId);
    if (Status updated = st->run(); !updated)
        return updated;
    if (c.changes() == end - begin)
        return {};
    // Some op is missing or cannot take the state: the row by row path names it (the caller's
    // transaction is rolled back on the error, so marking twice does no harm).
    for (qsizetype k = begin; k < end; ++k) {
        if (Status marked = markIn(c, updates.at(k), now); !marked)
            return marked;
    }
    return makeError(ErrorCode::Internal, QStringLiteral("the rename journal could not mark operations %1 to %2")
                                              .arg(first.opId)
                                              .arg(updates.at(end - 1).opId));
}

} // namespace

QString batchKindName(BatchKind kind)
{
    return QLatin1String(kKinds[static_cast<std::size_t>(kind)]);
}

QString batchStateName(BatchState state)
{
    return QLatin1String(kBatchStates[static_cast<std::size_t>(state)]);
}

QString opStateName(OpState state)
{
    return QLatin1String(kOpStates[static_cast<std::size_t>(state)]);
}

std::optional<BatchKind> batchKindFromString(const QString &text)
{
    return fromName<BatchKind>(kKinds, text);
}

std::optional<BatchState> batchStateFromString(const QString &text)
{
    return fromName<BatchState>(kBatchStates, text);
}

std::optional<OpState> opStateFromString(const QString &text)
{
    return fromName<OpState>(kOpStates, text);
}

bool isUnfinished(BatchState state)
{
    return state == BatchState::Planned || state == BatchState::Applying || state == BatchState::RollingBack;
}

RenameJournal::RenameJournal(DatabaseManager &database) : m_database(database) {}

Result<CreatedBatch> RenameJournal::createBatch(const NewBatch &batch)
{
    CreatedBatch created;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Status status = m_database.transaction([&](Connection &c) -> Status {
        created = {};
        auto insertBatch = c.prepare("INSERT INTO rename_batches (kind, state, recipe_json, root_folder, "
                                     "parent_batch_id, created_at) VALUES (?1, 'planned', ?2, ?3, ?4, ?5)");
        if (!insertBatch)
            return insertBatch.error();
        insertBatch->bindText(1, batchKindName(batch.kind));
        if (batch.recipeJson.isEmpty())
            insertBatch->bindNull(2);
        else
            insertBatch->bindUtf8(2, batch.recipeJson);
        bindOptionalBlob(*insertBatch, 3, batch.rootFolder);
        if (batch.parentBatchId)
            insertBatch->bindInt(4, *batch.parentBatchId);
        else
            insertBatch->bindNull(4);
        insertBatch->bindInt(5, now);
        if (Status inserted = insertBatch->run(); !inserted)
            return inserted;
        created.batchId = c.lastInsertRowId();

        // Only files oncutf already knows get their id recorded (and moved along by markOp); a
        // row per file just for the journal would double its writes. Undo finds the other
        // files through the journal itself.
        QList<QByteArray> oldPaths;
        oldPaths.reserve(batch.ops.size());
        for (const PlannedOp &op : batch.ops)
            oldPaths.append(op.oldPath);
        auto fileIds = FileStore::idsForPathsIn(c, oldPaths);
        if (!fileIds)
            return fileIds.error();
        // Rows go in kInsertRows at a time: a statement step per row costs more than the row.
        static const QByteArray manyRowsSql = insertOpsSql(kInsertRows);
        static const QByteArray oneRowSql = insertOpsSql(1);
        const qsizetype total = batch.ops.size();
        // SQLite gives a new row the largest rowid plus one unless that largest is the maximum
        // possible; the write lock is ours, so the ids come out as lastId + 1 ... lastId + total.
        auto lastId = c.queryInt("SELECT coalesce(max(id), 0) FROM rename_ops");
        if (!lastId)
            return lastId.error();
        for (qsizetype begin = 0; begin < total;) {
            const qsizetype rows = total - begin >= kInsertRows ? kInsertRows : 1;
            auto insert = c.prepare(rows == kInsertRows ? manyRowsSql.constData() : oneRowSql.constData());
            if (!insert)
                return insert.error();
            for (qsizetype k = 0; k < rows; ++k) {
                const qsizetype seq = begin + k;
                const PlannedOp &op = batch.ops.at(seq);
                const int base = int(k) * kInsertColumns;
                insert->bindInt(base + 1, created.batchId);
                insert->bindInt(base + 2, seq);
                if (const std::optional<qint64> &fileId = fileIds->at(seq))
                    insert->bindInt(base + 3, *fileId);
                else
                    insert->bindNull(base + 3);
                insert->bindBlob(base + 4, op.oldPath);
                bindOptionalBlob(*insert, base + 5, op.tempPath);
                insert->bindBlob(base + 6, op.newPath);
                bindOptionalBlob(*insert, base + 7, op.holdingPath);
                insert->bindInt(base + 8, now);
            }
            if (Status inserted = insert->run(); !inserted)
                return inserted;
            begin += rows;
        }
        created.opIds.reserve(total);
        if (*lastId <= std::numeric_limits<qint64>::max() - total && c.lastInsertRowId() == *lastId + total) {
            for (qsizetype seq = 0; seq < total; ++seq)
                created.opIds.append(*lastId + 1 + seq);
            return {};
        }
        // Otherwise the ids in plan order, read back.
        auto ids = c.prepare("SELECT id FROM rename_ops WHERE batch_id = ?1 ORDER BY seq");
        if (!ids)
            return ids.error();
        ids->bindInt(1, created.batchId);
        for (;;) {
            auto row = ids->step();
            if (!row)
                return row.error();
            if (!*row)
                break;
            created.opIds.append(ids->int64(0));
        }
        if (created.opIds.size() != total)
            return makeError(ErrorCode::Internal, QStringLiteral("the rename journal lost operations of a new batch"));
        return {};
    });
    if (!status)
        return status.error();
    return created;
}

Status RenameJournal::markOp(qint64 opId, OpState state, const QString &error)
{
    return markOps({OpUpdate{opId, state, error}});
}

Status RenameJournal::markOps(const QList<OpUpdate> &updates)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    return m_database.transaction([&](Connection &c) -> Status {
        auto anyFile = FileStore::anyIn(c);
        if (!anyFile)
            return anyFile.error();
        if (*anyFile) {
            // Ids move (and stale rows go) one op at a time, in order: in a chain the next file
            // takes a name only after the previous one's id left it.
            for (const OpUpdate &update : updates) {
                if (Status marked = markIn(c, update, now); !marked)
                    return marked;
            }
            return {};
        }
        // No file is known, so no op has an id (file_id is ON DELETE SET NULL) and nothing is
        // stale: only states change, one UPDATE per run of consecutive ops in the same state.
        for (qsizetype begin = 0; begin < updates.size();) {
            qsizetype end = begin + 1;
            while (end < updates.size() && updates.at(end).opId == updates.at(end - 1).opId + 1
                   && updates.at(end).state == updates.at(begin).state
                   && updates.at(end).error == updates.at(begin).error)
                ++end;
            if (Status marked = markRangeIn(c, updates, begin, end, now); !marked)
                return marked;
            begin = end;
        }
        return {};
    });
}

Status RenameJournal::setOpPaths(qint64 opId, const std::optional<QByteArray> &tempPath,
                                 const std::optional<QByteArray> &holdingPath)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    return m_database.transaction([&](Connection &c) -> Status {
        auto st = c.prepare("UPDATE rename_ops SET temp_path = ?1, holding_path = ?2, updated_at = ?3 WHERE id = ?4");
        if (!st)
            return st.error();
        bindOptionalBlob(*st, 1, tempPath);
        bindOptionalBlob(*st, 2, holdingPath);
        st->bindInt(3, now);
        st->bindInt(4, opId);
        if (Status updated = st->run(); !updated)
            return updated;
        if (c.changes() == 0)
            return makeError(ErrorCode::NotFound, QStringLiteral("no rename operation %1 in the journal").arg(opId));
        return {};
    });
}

Status RenameJournal::setBatchState(qint64 batchId, BatchState state, const QString &error)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    return m_database.transaction([&](Connection &c) -> Status {
        auto st = c.prepare("UPDATE rename_batches SET state = ?1, error = coalesce(?2, error), "
                            "finished_at = ?3 WHERE id = ?4");
        if (!st)
            return st.error();
        st->bindText(1, batchStateName(state));
        bindOptionalText(*st, 2, error);
        if (isUnfinished(state))
            st->bindNull(3);
        else
            st->bindInt(3, now);
        st->bindInt(4, batchId);
        if (Status updated = st->run(); !updated)
            return updated;
        if (c.changes() == 0)
            return makeError(ErrorCode::NotFound, QStringLiteral("no rename batch %1 in the journal").arg(batchId));
        return {};
    });
}

Result<std::optional<BatchRecord>> RenameJournal::batch(qint64 batchId) const
{
    QList<BatchRecord> found;
    static const QByteArray sql = QByteArray(kBatchColumns) + "WHERE id = ?1";
    Status status = m_database.read([&](Connection &c) -> Status {
        return batchesIn(c, sql.constData(), [&](Statement &st) { st.bindInt(1, batchId); }, found);
    });
    if (!status)
        return status.error();
    if (found.isEmpty())
        return std::optional<BatchRecord>();
    return std::optional<BatchRecord>(found.takeFirst());
}

Result<QList<BatchRecord>> RenameJournal::unfinishedBatches() const
{
    QList<BatchRecord> found;
    static const QByteArray sql =
        QByteArray(kBatchColumns) + "WHERE state IN ('planned', 'applying', 'rolling_back') ORDER BY id";
    Status status = m_database.read([&](Connection &c) -> Status {
        return batchesIn(c, sql.constData(), [](Statement &) {}, found);
    });
    if (!status)
        return status.error();
    return found;
}

Result<QList<BatchRecord>> RenameJournal::history(int limit, int offset) const
{
    QList<BatchRecord> found;
    static const QByteArray sql = QByteArray(kBatchColumns) + "ORDER BY id DESC LIMIT ?1 OFFSET ?2";
    Status status = m_database.read([&](Connection &c) -> Status {
        return batchesIn(
            c, sql.constData(),
            [&](Statement &st) {
                st.bindInt(1, limit < 0 ? -1 : limit);
                st.bindInt(2, std::max(0, offset));
            },
            found);
    });
    if (!status)
        return status.error();
    return found;
}

Result<QList<OpRecord>> RenameJournal::ops(qint64 batchId) const
{
    return opsWhere("SELECT id, seq, file_id, old_path, temp_path, new_path, holding_path, state, error, "
                    "updated_at, batch_id FROM rename_ops WHERE batch_id = ?1 ORDER BY seq",
                    batchId);
}

Result<QList<OpRecord>> RenameJournal::opsAfter(qint64 batchId) const
{
    return opsWhere("SELECT id, seq, file_id, old_path, temp_path, new_path, holding_path, state, error, "
                    "updated_at, batch_id FROM rename_ops WHERE batch_id > ?1 ORDER BY batch_id, seq",
                    batchId);
}

Result<QList<OpRecord>> RenameJournal::opsWhere(const char *sql, qint64 batchId) const
{
    QList<OpRecord> found;
    Status status = m_database.read([&](Connection &c) -> Status {
        found.clear();
        auto st = c.prepare(sql);
        if (!st)
            return st.error();
        st->bindInt(1, batchId);
        for (;;) {
            auto row = st->step();
            if (!row)
                return row.error();
            if (!*row)
                break;
            OpRecord op;
            op.id = st->int64(0);
            op.batchId = st->int64(10);
            op.seq = static_cast<int>(st->int64(1));
            op.fileId = optionalInt(*st, 2);
            op.oldPath = st->blob(3);
            op.tempPath = optionalBlob(*st, 4);
            op.newPath = st->blob(5);
            op.holdingPath = optionalBlob(*st, 6);
            const auto state = opStateFromString(st->text(7));
            if (!state)
                return corruptRow("operation state");
            op.state = *state;
            op.error = st->text(8);
            op.updatedAtMs = st->int64(9);
            found.append(std::move(op));
        }
        return {};
    });
    if (!status)
        return status.error();
    return found;
}

Result<qint64> RenameJournal::batchCount() const
{
    return m_database.readValue<qint64>([](Connection &c) { return c.queryInt("SELECT count(*) FROM rename_batches"); });
}

Result<qint64> RenameJournal::opCount() const
{
    return m_database.readValue<qint64>([](Connection &c) { return c.queryInt("SELECT count(*) FROM rename_ops"); });
}

} // namespace oncutf::core::db
