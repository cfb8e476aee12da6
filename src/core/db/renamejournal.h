#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace oncutf::core::db {

class Connection;
class DatabaseManager;

/// What a batch does: a rename applied from a recipe, or the undo/redo of an earlier batch.
enum class BatchKind { Apply, Undo, Redo };
/// planned -> applying -> applied | failed; applying -> rolling_back -> rolled_back; an applied
/// batch becomes undone when its undo batch completes.
enum class BatchState { Planned, Applying, Applied, RollingBack, RolledBack, Failed, Undone };
/// pending -> at_temp (parked under its temporary name) -> done; done/at_temp -> reverted on
/// rollback; skipped and failed are final.
enum class OpState { Pending, AtTemp, Done, Reverted, Skipped, Failed };

QString batchKindName(BatchKind kind);
QString batchStateName(BatchState state);
QString opStateName(OpState state);
std::optional<BatchKind> batchKindFromString(const QString &text);
std::optional<BatchState> batchStateFromString(const QString &text);
std::optional<OpState> opStateFromString(const QString &text);
/// True for the states a crash recovery must look at (planned, applying, rolling_back).
bool isUnfinished(BatchState state);

/// One planned rename, written before the disk is touched.
struct PlannedOp {
    QByteArray oldPath;
    QByteArray newPath;
    /// The temporary name in the same folder, for swaps, cycles, chains and case-only renames.
    std::optional<QByteArray> tempPath;
    /// With on_conflict=overwrite: where the file that stood at newPath is parked, so undo can
    /// bring it back.
    std::optional<QByteArray> holdingPath;
};

struct NewBatch {
    BatchKind kind = BatchKind::Apply;
    QByteArray recipeJson;
    std::optional<QByteArray> rootFolder;
    /// For undo/redo: the batch undone or redone.
    std::optional<qint64> parentBatchId;
    QList<PlannedOp> ops;
};

struct CreatedBatch {
    qint64 batchId = 0;
    /// Operation ids in plan order.
    QList<qint64> opIds;
};

struct OpRecord {
    qint64 id = 0;
    qint64 batchId = 0;
    int seq = 0;
    /// The file's stable id (FileStore): set when oncutf knew the file (cached metadata or a hash)
    /// when the batch was planned; null for a file it never cached, or once that row was dropped.
    std::optional<qint64> fileId;
    QByteArray oldPath;
    QByteArray newPath;
    std::optional<QByteArray> tempPath;
    std::optional<QByteArray> holdingPath;
    OpState state = OpState::Pending;
    QString error;
    qint64 updatedAtMs = 0;
};

struct BatchCounts {
    qint64 total = 0;
    qint64 pending = 0;
    qint64 atTemp = 0;
    qint64 done = 0;
    qint64 reverted = 0;
    qint64 skipped = 0;
    qint64 failed = 0;
};

struct BatchRecord {
    qint64 id = 0;
    BatchKind kind = BatchKind::Apply;
    BatchState state = BatchState::Planned;
    QByteArray recipeJson;
    std::optional<QByteArray> rootFolder;
    std::optional<qint64> parentBatchId;
    qint64 createdAtMs = 0;
    std::optional<qint64> finishedAtMs;
    QString error;
    BatchCounts counts;
};

struct OpUpdate {
    qint64 opId = 0;
    OpState state = OpState::Pending;
    QString error;
};

/// The rename journal, which is also the rename history: the executor writes the whole plan
/// (createBatch) before touching the disk and records every step as it happens (markOp/markOps,
/// setBatchState). After a crash, unfinishedBatches() and ops() tell recovery what was done;
/// later the same rows serve history() and undo/redo, also after a restart.
/// Marking an op also moves its file's stable id (FileStore), when it has one, to where the state
/// says the file now is - pending/reverted: oldPath, at_temp: tempPath, done: newPath - in the
/// same transaction, so cached metadata and hashes follow the file; a row that file displaces
/// is stale and dropped. Files oncutf never cached get no row: the journal alone says where
/// they went (opsAfter()).
/// Threading: thread-safe; calls inside DatabaseManager::transaction() join that transaction,
/// so an executor can record a step and its own bookkeeping atomically.
class RenameJournal final {
public:
    explicit RenameJournal(DatabaseManager &database);

    /// Writes a batch in state planned with every op pending, in one transaction.
    Result<CreatedBatch> createBatch(const NewBatch &batch);
    Status markOp(qint64 opId, OpState state, const QString &error = {});
    /// markOp() for many ops in one transaction (all or nothing).
    Status markOps(const QList<OpUpdate> &updates);
    /// Records a temporary or holding name chosen after the plan was written.
    Status setOpPaths(qint64 opId, const std::optional<QByteArray> &tempPath,
                      const std::optional<QByteArray> &holdingPath);
    /// Moves a batch to `state`; finished states stamp finished_at. A non-empty `error` is stored,
    /// an empty one keeps the previous error.
    Status setBatchState(qint64 batchId, BatchState state, const QString &error = {});

    Result<std::optional<BatchRecord>> batch(qint64 batchId) const;
    /// Batches a crash interrupted (planned, applying, rolling_back), oldest first.
    Result<QList<BatchRecord>> unfinishedBatches() const;
    /// All batches, newest first, with their op counts.
    Result<QList<BatchRecord>> history(int limit = 50, int offset = 0) const;
    /// The ops of a batch in plan order.
    Result<QList<OpRecord>> ops(qint64 batchId) const;
    /// The ops of every batch newer than `batchId`, batch by batch, each in plan order: what
    /// happened to the files after that batch.
    Result<QList<OpRecord>> opsAfter(qint64 batchId) const;
    Result<qint64> batchCount() const;
    Result<qint64> opCount() const;

private:
    Result<QList<OpRecord>> opsWhere(const char *sql, qint64 batchId) const;

    DatabaseManager &m_database;
};

} // namespace oncutf::core::db
