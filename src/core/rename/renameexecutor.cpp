#include "core/rename/renameexecutor.h"

#include "core/db/connection.h"
#include "core/db/databasemanager.h"
#include "core/db/filestore.h"
#include "core/rename/moveorder.h"
#include "core/rename/nativerename.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QSet>

#include <algorithm>

namespace oncutf::core::rename {

namespace {

Q_LOGGING_CATEGORY(lcExecutor, "oncutf.rename.executor", QtWarningMsg)

using db::BatchKind;
using db::BatchState;
using db::OpState;
using db::OpUpdate;

constexpr qint64 kProgressIntervalMs = 40; // ~25 per second
constexpr qint64 kMaxTempAttempts = 1000;

QString shown(const QByteArray &path)
{
    return QFile::decodeName(path);
}

/// One journaled operation, in journal order (= the order of the final renames).
struct StepOp {
    qint64 opId = 0;
    QByteArray oldPath;
    QByteArray newPath;
    std::optional<QByteArray> tempPath;
    std::optional<QByteArray> holdingPath;
};

enum class StepKind { Park, Hold, Final };

/// One rename on disk. The step list is a pure function of the journaled ops, so recovery can
/// rebuild it: every park (ops with a temporary name, in op order), then for each op its hold
/// (when it replaces a file) and its final rename.
struct Step {
    StepKind kind = StepKind::Final;
    qsizetype op = 0;
};

QList<Step> stepsFor(const QList<StepOp> &ops, bool withPhaseTwo)
{
    QList<Step> steps;
    steps.reserve(ops.size() + 8);
    for (qsizetype i = 0; i < ops.size(); ++i) {
        if (ops.at(i).tempPath)
            steps.append({StepKind::Park, i});
    }
    if (!withPhaseTwo)
        return steps;
    for (qsizetype i = 0; i < ops.size(); ++i) {
        if (ops.at(i).holdingPath)
            steps.append({StepKind::Hold, i});
        steps.append({StepKind::Final, i});
    }
    return steps;
}

const QByteArray &stepSource(const StepOp &op, StepKind kind)
{
    switch (kind) {
    case StepKind::Park: return op.oldPath;
    case StepKind::Hold: return op.newPath;
    case StepKind::Final: break;
    }
    return op.tempPath ? *op.tempPath : op.oldPath;
}

const QByteArray &stepTarget(const StepOp &op, StepKind kind)
{
    switch (kind) {
    case StepKind::Park: return *op.tempPath;
    case StepKind::Hold: return *op.holdingPath;
    case StepKind::Final: break;
    }
    return op.newPath;
}

/// A journal write waiting for the next flush: an op state, or a FileStore move for a file
/// that is not an op of its own (the replaced file going to and from the holding folder).
struct JournalAction {
    bool isMark = true;
    OpUpdate update;
    QByteArray from;
    QByteArray to;
};

JournalAction markAction(qint64 opId, OpState state, const QString &error = {})
{
    return JournalAction{true, OpUpdate{opId, state, error}, {}, {}};
}

JournalAction moveFileAction(const QByteArray &from, const QByteArray &to)
{
    return JournalAction{false, {}, from, to};
}

/// Writes actions in order, in the caller's transaction (or one of their own).
Status writeActionsIn(db::DatabaseManager &database, db::RenameJournal &journal, const QList<JournalAction> &actions)
{
    db::FileStore files(database);
    QList<OpUpdate> marks;
    auto flushMarks = [&]() -> Status {
        if (marks.isEmpty())
            return {};
        Status written = journal.markOps(marks);
        marks.clear();
        return written;
    };
    for (const JournalAction &action : actions) {
        if (action.isMark) {
            marks.append(action.update);
            continue;
        }
        if (Status written = flushMarks(); !written)
            return written;
        if (Status moved = files.renamePath(action.from, action.to); !moved)
            return moved;
    }
    return flushMarks();
}

void syncFolders(const QSet<QByteArray> &folders)
{
    for (const QByteArray &folder : folders) {
        // A holding folder that was never made (or already removed) has nothing to sync.
        if (!NativeRename::exists(folder))
            continue;
        if (Status synced = NativeRename::syncDirectory(folder); !synced)
            qCWarning(lcExecutor) << synced.error().toString();
    }
}

QSet<QByteArray> foldersOf(const QList<StepOp> &ops)
{
    QSet<QByteArray> folders;
    // Ops come grouped by folder: skip the set for a folder just added.
    QByteArray last;
    auto add = [&](const QByteArray &path) {
        const qsizetype slash = path.lastIndexOf('/');
        if (!last.isEmpty() && slash == last.size() && path.startsWith(last))
            return;
        last = NativeRename::parentOf(path);
        folders.insert(last);
    };
    for (const StepOp &op : ops) {
        add(op.oldPath);
        add(op.newPath);
        if (op.holdingPath)
            add(*op.holdingPath);
    }
    return folders;
}

/// Removes the holding folders of `ops` once they are empty (`.../.oncutf-holding/<batch>` and
/// `.../.oncutf-holding`).
void removeEmptyHoldingFolders(const QList<StepOp> &ops)
{
    QSet<QByteArray> batchFolders;
    for (const StepOp &op : ops) {
        if (op.holdingPath)
            batchFolders.insert(NativeRename::parentOf(*op.holdingPath));
    }
    for (const QByteArray &folder : std::as_const(batchFolders)) {
        NativeRename::removeEmptyDirectory(folder);
        NativeRename::removeEmptyDirectory(NativeRename::parentOf(folder));
    }
}

/// The outcome of undoing steps on disk.
struct RevertOutcome {
    qint64 moved = 0;
    QList<RenameExecutor::OpFailure> problems;
    QList<JournalAction> actions;
};

/// Undoes steps [begin, end) in reverse order by looking at the disk: a step is undone when its
/// target holds a file and its source is free; when the source is taken the step never happened
/// (its target holds another file, never ours to move). Every move is a no-clobber rename, so
/// the worst a wrong guess can do is fail. Appends the journal actions that mirror the reversal
/// step by step (so FileStore ids never collide on the way).
void revertRange(const QList<StepOp> &ops, const QList<Step> &steps, qsizetype begin, qsizetype end,
                 const QList<bool> &journalMoved, QList<bool> &touched, RevertOutcome &out, qint64 &index,
                 const std::function<void(qint64)> &stepDone)
{
    for (qsizetype k = end - 1; k >= begin; --k) {
        const Step step = steps.at(k);
        const StepOp &op = ops.at(step.op);
        touched[step.op] = true;
        const QByteArray &from = stepTarget(op, step.kind);
        const QByteArray &to = stepSource(op, step.kind);
        // An op the journal never moved still has its FileStore id at the old name: no write.
        const bool recorded = journalMoved.isEmpty() || journalMoved.at(step.op);
        switch (step.kind) {
        case StepKind::Park:
        case StepKind::Final:
            if (recorded)
                out.actions.append(markAction(op.opId, step.kind == StepKind::Final && op.tempPath ? OpState::AtTemp
                                                                                                   : OpState::Reverted));
            break;
        case StepKind::Hold:
            out.actions.append(moveFileAction(from, to));
            break;
        }
        if (!NativeRename::exists(from))
            continue;
        if (NativeRename::exists(to)) {
            // A crash between link() and unlink() in the fallback leaves one file under both names.
            if (NativeRename::isSameFile(from, to)) {
                if (Status removed = NativeRename::unlinkName(from); !removed)
                    out.problems.append({op.oldPath, op.newPath, removed.error()});
            }
            continue;
        }
        if (Status back = NativeRename::renameNoReplace(from, to); !back) {
            out.problems.append({op.oldPath, op.newPath, back.error()});
            continue;
        }
        ++out.moved;
        if (stepDone)
            stepDone(index++);
    }
}

/// After a rollback: where did each touched file end? Anything not back home is named, and its
/// FileStore id follows it to where it is.
void checkReverted(const QList<StepOp> &ops, const QList<bool> &touched, RevertOutcome &out)
{
    for (qsizetype i = 0; i < ops.size(); ++i) {
        if (!touched[i])
            continue;
        const StepOp &op = ops.at(i);
        std::optional<QByteArray> strandedAt;
        if (!NativeRename::exists(op.oldPath)) {
            if (op.tempPath && NativeRename::exists(*op.tempPath))
                strandedAt = *op.tempPath;
            else if (NativeRename::exists(op.newPath))
                strandedAt = op.newPath;
            if (strandedAt) {
                out.problems.append({op.oldPath, op.newPath,
                                     makeError(ErrorCode::Io,
                                               QStringLiteral("could not be moved back; it is now %1")
                                                   .arg(shown(*strandedAt)),
                                               shown(op.oldPath))});
                out.actions.append(markAction(op.opId, OpState::Failed,
                                              QStringLiteral("left at %1").arg(shown(*strandedAt))));
                out.actions.append(moveFileAction(op.oldPath, *strandedAt));
            } else {
                out.problems.append({op.oldPath, op.newPath,
                                     makeError(ErrorCode::NotFound,
                                               QStringLiteral("is under none of its names (removed or moved by "
                                                              "another program)"),
                                               shown(op.oldPath))});
                out.actions.append(markAction(op.opId, OpState::Failed, QStringLiteral("missing")));
            }
        } else if (op.tempPath && NativeRename::exists(*op.tempPath)) {
            // The old name is back (or was never left) but the temporary name holds a file: most
            // likely another program took the old name meanwhile. Keep both, name the problem.
            out.problems.append({op.oldPath, op.newPath,
                                 makeError(ErrorCode::AlreadyExists,
                                           QStringLiteral("could not be moved back from %1: the old name is taken")
                                               .arg(shown(*op.tempPath)),
                                           shown(op.oldPath))});
            out.actions.append(markAction(op.opId, OpState::Failed,
                                          QStringLiteral("left at %1").arg(shown(*op.tempPath))));
        }
        if (op.holdingPath && NativeRename::exists(*op.holdingPath)) {
            out.problems.append({op.oldPath, op.newPath,
                                 makeError(ErrorCode::AlreadyExists,
                                           QStringLiteral("the replaced file could not be put back; it is in %1")
                                               .arg(shown(*op.holdingPath)),
                                           shown(op.newPath))});
        }
    }
}

/// Rolls steps [0, count) back. Phase-two steps first; once they are all undone the batch goes
/// back to `planned` in the journal (with their marks) before any park is undone: with the parks
/// partly undone, a cycle's old and new layouts look alike on disk, and `planned` tells a later
/// recovery to undo parks only. The caller writes out.actions and the final state.
RevertOutcome rollBackSteps(db::DatabaseManager &database, db::RenameJournal &journal, qint64 batchId,
                            const QList<StepOp> &ops, const QList<Step> &steps, qsizetype count,
                            qsizetype phaseOneCount, const QList<bool> &journalMoved,
                            const std::function<void(qint64)> &stepDone)
{
    RevertOutcome out;
    QList<bool> touched(ops.size(), false);
    qint64 index = 0;
    const qsizetype parks = std::min(count, phaseOneCount);
    if (count > phaseOneCount) {
        revertRange(ops, steps, phaseOneCount, count, journalMoved, touched, out, index, stepDone);
        if (out.problems.isEmpty() && parks > 0) {
            syncFolders(foldersOf(ops));
            Status marked = database.transaction([&](db::Connection &) -> Status {
                if (Status written = writeActionsIn(database, journal, out.actions); !written)
                    return written;
                return journal.setBatchState(batchId, BatchState::Planned);
            });
            if (marked)
                out.actions.clear();
            else
                qCWarning(lcExecutor) << "could not record the first half of a rollback:" << marked.error().toString();
        }
    }
    revertRange(ops, steps, 0, parks, journalMoved, touched, out, index, stepDone);
    checkReverted(ops, touched, out);
    return out;
}

QList<StepOp> stepOpsFrom(const QList<db::OpRecord> &records)
{
    QList<StepOp> ops;
    ops.reserve(records.size());
    for (const db::OpRecord &r : records)
        ops.append({r.id, r.oldPath, r.newPath, r.tempPath, r.holdingPath});
    return ops;
}


/// For the done ops of `ops` whose file has no FileStore id (oncutf never cached it): where the
/// later batches of the journal took each file, replaying their steps in order, as recovery
/// rebuilds them. Keyed by the op's new path; only files no longer there are listed, with where
/// they went (nothing: a failed later op, so not known). Files with an id are left to FileStore.
Result<QHash<QByteArray, std::optional<QByteArray>>> laterLocationsIn(const db::RenameJournal &journal,
                                                                     const QList<db::OpRecord> &target)
{
    QHash<QByteArray, std::optional<QByteArray>> gone;
    QHash<QByteArray, QByteArray> at; // where a tracked file is now -> its new path in `target`
    for (const db::OpRecord &op : target) {
        if (op.state == OpState::Done && !op.fileId)
            at.insert(op.newPath, op.newPath);
    }
    if (at.isEmpty())
        return gone;
    auto later = journal.opsAfter(target.isEmpty() ? 0 : target.constFirst().batchId);
    if (!later)
        return later.error();
    auto move = [&](const QByteArray &from, const QByteArray &to) {
        if (const auto it = at.constFind(from); it != at.cend()) {
            const QByteArray tracked = it.value();
            at.erase(it);
            at.insert(to, tracked);
        }
    };
    auto lose = [&](const std::optional<QByteArray> &path) {
        if (!path)
            return;
        if (const auto it = at.constFind(*path); it != at.cend()) {
            gone.insert(it.value(), std::nullopt);
            at.erase(it);
        }
    };
    for (qsizetype begin = 0; begin < later->size();) {
        qsizetype end = begin;
        while (end < later->size() && later->at(end).batchId == later->at(begin).batchId)
            ++end;
        // A failed op of a batch that rolled back completely never left its old name; in a batch
        // that ended failed it may have left its file, or the one it replaced, anywhere.
        auto record = journal.batch(later->at(begin).batchId);
        if (!record)
            return record.error();
        const bool stranded = record->has_value() && (*record)->state == BatchState::Failed;
        // Parks first, then each op's hold and final rename, as stepsFor() orders them.
        for (qsizetype k = begin; k < end; ++k) {
            const db::OpRecord &op = later->at(k);
            if (op.state == OpState::Failed && stranded) {
                lose(op.oldPath);
                lose(op.tempPath);
                lose(op.newPath);
            } else if ((op.state == OpState::Done || op.state == OpState::AtTemp) && op.tempPath) {
                move(op.oldPath, *op.tempPath);
            }
        }
        for (qsizetype k = begin; k < end; ++k) {
            const db::OpRecord &op = later->at(k);
            if (op.state != OpState::Done)
                continue;
            if (op.holdingPath)
                move(op.newPath, *op.holdingPath);
            move(op.tempPath ? *op.tempPath : op.oldPath, op.newPath);
        }
        begin = end;
    }
    for (auto it = at.cbegin(); it != at.cend(); ++it) {
        if (it.key() != it.value())
            gone.insert(it.value(), it.key());
    }
    return gone;
}

} // namespace

struct RenameExecutor::Run {
    qint64 batchId = 0;
    QList<StepOp> ops;
    QList<Step> steps;
    qsizetype phaseOneCount = 0; ///< parks
    qsizetype executed = 0;      ///< steps done on disk, a prefix of `steps`
    bool phaseTwoStarted = false;
    std::optional<qsizetype> failedOp;
};

RenameExecutor::RenameExecutor(db::DatabaseManager &database) : m_database(database), m_journal(database) {}

void RenameExecutor::setJournalBatchingForTesting(int ops, int intervalMs)
{
    m_flushOps = std::max(1, ops);
    m_flushIntervalMs = std::max(0, intervalMs);
}

Result<QList<db::BatchRecord>> RenameExecutor::history(int limit, int offset) const
{
    return m_journal.history(limit, offset);
}

Result<RenameExecutor::ApplyReport> RenameExecutor::apply(const QList<Move> &moves, const QByteArray &recipeJson,
                                                          const std::optional<QByteArray> &rootFolder,
                                                          const Callbacks &callbacks)
{
    return run(BatchKind::Apply, std::nullopt, moves, recipeJson, rootFolder, callbacks, nullptr);
}

Result<RenameExecutor::ApplyReport> RenameExecutor::run(BatchKind kind, std::optional<qint64> parent,
                                                        const QList<Move> &moves, const QByteArray &recipeJson,
                                                        const std::optional<QByteArray> &rootFolder,
                                                        const Callbacks &callbacks,
                                                        QList<OpFailure> *lenientRejections)
{
    ApplyReport report;
    if (moves.isEmpty())
        return report;

    // 1. Check and order the whole set before anything changes.
    const MoveOrder order = MoveOrderer::order(moves);
    if (!order.rejected.isEmpty()) {
        if (!lenientRejections) {
            const RejectedMove &first = order.rejected.first();
            return makeError(first.error.code,
                             QStringLiteral("%1 of %2 renames cannot run, so nothing was renamed; first: %3")
                                 .arg(order.rejected.size())
                                 .arg(moves.size())
                                 .arg(first.error.message),
                             first.error.path);
        }
        for (const RejectedMove &r : order.rejected)
            lenientRejections->append({r.move.oldPath, r.move.newPath, r.error});
    }
    if (order.moves.isEmpty())
        return report;

    // 2. Journal the plan, temporary and holding names included, in one transaction.
    db::NewBatch batch;
    batch.kind = kind;
    batch.recipeJson = recipeJson;
    batch.rootFolder = rootFolder;
    batch.parentBatchId = parent;
    batch.ops.reserve(order.moves.size());
    for (const OrderedMove &m : order.moves)
        batch.ops.append({m.oldPath, m.newPath, std::nullopt, std::nullopt});

    Run r;
    Status planned = m_database.transaction([&](db::Connection &) -> Status {
        auto created = m_journal.createBatch(batch);
        if (!created)
            return created.error();
        r = Run{};
        r.batchId = created->batchId;
        r.ops.reserve(order.moves.size());
        qint64 tempCounter = 0;
        for (qsizetype i = 0; i < order.moves.size(); ++i) {
            const OrderedMove &m = order.moves.at(i);
            StepOp op{created->opIds.at(i), m.oldPath, m.newPath, std::nullopt, std::nullopt};
            if (m.needsTemp) {
                QByteArray temp;
                for (qint64 attempt = 0; attempt < kMaxTempAttempts; ++attempt) {
                    temp = MoveOrderer::tempPathFor(m.oldPath, r.batchId, tempCounter++);
                    if (!NativeRename::exists(temp))
                        break;
                }
                op.tempPath = temp;
            }
            if (m.needsHolding)
                op.holdingPath = MoveOrderer::holdingPathFor(m.newPath, r.batchId);
            if (op.tempPath || op.holdingPath) {
                if (Status named = m_journal.setOpPaths(op.opId, op.tempPath, op.holdingPath); !named)
                    return named;
            }
            r.ops.append(std::move(op));
        }
        return {};
    });
    if (!planned)
        return planned.error();
    r.steps = stepsFor(r.ops, true);
    r.phaseOneCount = std::count_if(r.steps.cbegin(), r.steps.cend(),
                                    [](const Step &s) { return s.kind == StepKind::Park; });
    report.batchId = r.batchId;

    const qint64 total = r.ops.size();
    qint64 done = 0;
    QElapsedTimer progressClock;
    progressClock.start();
    qint64 lastProgressMs = -kProgressIntervalMs;
    auto reportProgress = [&](bool force) {
        if (!callbacks.progress)
            return;
        const qint64 now = progressClock.elapsed();
        if (force || now - lastProgressMs >= kProgressIntervalMs) {
            lastProgressMs = now;
            callbacks.progress(done, total);
        }
    };
    auto cancelled = [&] { return callbacks.isCancelled && callbacks.isCancelled(); };

    std::optional<Error> stopError;
    bool stopCancelled = false;

    // 3. Phase one: park cycle heads and case-only renames under their temporary names. The
    //    batch stays `planned` meanwhile, which tells recovery that only parks can have happened.
    for (qsizetype k = 0; k < r.phaseOneCount; ++k) {
        if (cancelled()) {
            stopCancelled = true;
            break;
        }
        const Step step = r.steps.at(k);
        const StepOp &op = r.ops.at(step.op);
        if (Status moved = NativeRename::renameNoReplace(op.oldPath, *op.tempPath); !moved) {
            stopError = moved.error();
            r.failedOp = step.op;
            break;
        }
        r.executed = k + 1;
        if (callbacks.stepDone)
            callbacks.stepDone(Stage::Parking, k);
    }

    // The parks and the move to `applying` are one commit: `applying` means every park is done.
    if (!stopError && !stopCancelled) {
        QSet<QByteArray> parkFolders;
        QList<JournalAction> parked;
        for (qsizetype k = 0; k < r.phaseOneCount; ++k) {
            const StepOp &op = r.ops.at(r.steps.at(k).op);
            parked.append(markAction(op.opId, OpState::AtTemp));
            parkFolders.insert(NativeRename::parentOf(op.oldPath));
        }
        syncFolders(parkFolders);
        Status started = m_database.transaction([&](db::Connection &) -> Status {
            if (Status written = writeActionsIn(m_database, m_journal, parked); !written)
                return written;
            return m_journal.setBatchState(r.batchId, BatchState::Applying);
        });
        if (!started)
            stopError = started.error();
        else
            r.phaseTwoStarted = true;
    }

    // 4. Phase two: holds and final renames in plan order; the journal follows in batches.
    QList<JournalAction> pending;
    QElapsedTimer flushClock;
    flushClock.start();
    auto flush = [&]() -> Status {
        if (pending.isEmpty())
            return {};
        Status written = m_database.transaction(
            [&](db::Connection &) -> Status { return writeActionsIn(m_database, m_journal, pending); });
        pending.clear();
        flushClock.restart();
        return written;
    };
    if (r.phaseTwoStarted) {
        reportProgress(true);
        for (qsizetype k = r.phaseOneCount; k < r.steps.size(); ++k) {
            const Step step = r.steps.at(k);
            const StepOp &op = r.ops.at(step.op);
            // A hold and its final rename go together: cancel only before the pair.
            const bool startsOp = step.kind == StepKind::Hold || !op.holdingPath;
            if (startsOp && cancelled()) {
                stopCancelled = true;
                break;
            }
            if (step.kind == StepKind::Hold) {
                if (Status made = NativeRename::makeDirectories(NativeRename::parentOf(*op.holdingPath)); !made) {
                    stopError = made.error();
                    r.failedOp = step.op;
                    break;
                }
            }
            if (Status moved = NativeRename::renameNoReplace(stepSource(op, step.kind), stepTarget(op, step.kind));
                !moved) {
                stopError = moved.error();
                r.failedOp = step.op;
                break;
            }
            r.executed = k + 1;
            if (step.kind == StepKind::Hold) {
                pending.append(moveFileAction(op.newPath, *op.holdingPath));
            } else {
                pending.append(markAction(op.opId, OpState::Done));
                ++done;
                reportProgress(false);
            }
            if (callbacks.stepDone)
                callbacks.stepDone(Stage::Renaming, k - r.phaseOneCount);
            if (pending.size() >= m_flushOps || flushClock.elapsed() >= m_flushIntervalMs) {
                if (Status written = flush(); !written) {
                    stopError = written.error();
                    break;
                }
            }
        }
    }

    if (!stopError && !stopCancelled) {
        // 5. Done: make the renames durable, then record the rest and `applied` in one commit.
        syncFolders(foldersOf(r.ops));
        Status finished = m_database.transaction([&](db::Connection &) -> Status {
            if (Status written = writeActionsIn(m_database, m_journal, pending); !written)
                return written;
            return m_journal.setBatchState(r.batchId, BatchState::Applied);
        });
        pending.clear();
        if (finished) {
            report.renamed = done;
            reportProgress(true);
            return report;
        }
        stopError = finished.error();
    }

    // 6. Stopped: roll back what was done. The unwritten journal actions are dropped; the
    //    reversal below records every state anew, in reverse order.
    pending.clear();
    report.cancelled = stopCancelled;
    report.rolledBack = true;
    if (stopError) {
        report.error = stopError->toString();
        report.failed = 1;
        if (r.failedOp) {
            const StepOp &op = r.ops.at(*r.failedOp);
            report.failures.append({op.oldPath, op.newPath, *stopError});
        }
    } else {
        report.error = QStringLiteral("cancelled; every file keeps its old name");
    }
    if (r.phaseTwoStarted) {
        if (Status marked = m_journal.setBatchState(r.batchId, BatchState::RollingBack); !marked)
            qCWarning(lcExecutor) << marked.error().toString();
    }
    RevertOutcome reverted = rollBackSteps(m_database, m_journal, r.batchId, r.ops, r.steps, r.executed,
                                           r.phaseOneCount, {}, [&](qint64 step) {
                                               if (callbacks.stepDone)
                                                   callbacks.stepDone(Stage::RollingBack, step);
                                           });
    if (r.failedOp && stopError) {
        const StepOp &op = r.ops.at(*r.failedOp);
        const bool touched = std::any_of(r.steps.cbegin(), r.steps.cbegin() + r.executed,
                                         [&](const Step &s) { return s.op == *r.failedOp; });
        reverted.actions.append(
            markAction(op.opId, touched ? OpState::Reverted : OpState::Failed, stopError->message));
    }
    syncFolders(foldersOf(r.ops));
    removeEmptyHoldingFolders(r.ops);
    report.rollbackComplete = reverted.problems.isEmpty();
    report.failures.append(reverted.problems);
    const BatchState endState = reverted.problems.isEmpty() ? BatchState::RolledBack : BatchState::Failed;
    const QString batchError =
        reverted.problems.isEmpty()
            ? report.error
            : QStringLiteral("%1; %2 files could not be moved back").arg(report.error).arg(reverted.problems.size());
    Status recorded = m_database.transaction([&](db::Connection &) -> Status {
        if (Status written = writeActionsIn(m_database, m_journal, reverted.actions); !written)
            return written;
        return m_journal.setBatchState(r.batchId, endState, batchError);
    });
    if (!recorded) {
        // The disk is rolled back; the journal still says unfinished, so the next recover()
        // looks at the disk again and finishes the bookkeeping.
        qCWarning(lcExecutor) << "could not record the rollback:" << recorded.error().toString();
        report.error += QStringLiteral(" (the journal could not be updated: %1)").arg(recorded.error().message);
    }
    return report;
}

Result<bool> RenameExecutor::needsRecovery() const
{
    bool found = false;
    Status status = m_database.read([&](db::Connection &c) -> Status {
        auto n = c.queryInt("SELECT EXISTS (SELECT 1 FROM rename_batches "
                            "WHERE state IN ('planned', 'applying', 'rolling_back'))");
        if (!n)
            return n.error();
        found = *n != 0;
        return {};
    });
    if (!status)
        return status.error();
    return found;
}

Result<RenameExecutor::RecoveryReport> RenameExecutor::recover()
{
    RecoveryReport report;
    auto unfinished = m_journal.unfinishedBatches();
    if (!unfinished)
        return unfinished.error();
    for (const db::BatchRecord &batch : std::as_const(*unfinished)) {
        report.batchIds.append(batch.id);
        auto records = m_journal.ops(batch.id);
        if (!records)
            return records.error();
        const QList<StepOp> ops = stepOpsFrom(*records);
        // `planned`: only parks can have happened (the move to `applying` is committed with
        // them). `applying`/`rolling_back`: any prefix of all steps, possibly ahead of the
        // journal, so the disk decides.
        const bool phaseTwo = batch.state != BatchState::Planned;
        const QList<Step> steps = stepsFor(ops, phaseTwo);
        if (batch.state == BatchState::Applying) {
            if (Status marked = m_journal.setBatchState(batch.id, BatchState::RollingBack); !marked)
                return marked.error();
        }
        QElapsedTimer clock;
        clock.start();
        QList<bool> journalMoved;
        journalMoved.reserve(records->size());
        for (const db::OpRecord &op : std::as_const(*records))
            journalMoved.append(op.state != OpState::Pending);
        const qsizetype parks = std::count_if(steps.cbegin(), steps.cend(),
                                              [](const Step &s) { return s.kind == StepKind::Park; });
        RevertOutcome reverted =
            rollBackSteps(m_database, m_journal, batch.id, ops, steps, steps.size(), parks, journalMoved, {});
        report.restored += reverted.moved;
        const qint64 diskMs = clock.elapsed();
        syncFolders(foldersOf(ops));
        removeEmptyHoldingFolders(ops);
        const BatchState endState = reverted.problems.isEmpty() ? BatchState::RolledBack : BatchState::Failed;
        const QString note =
            reverted.problems.isEmpty()
                ? QStringLiteral("interrupted; recovered: every file is back under its old name")
                : QStringLiteral("interrupted; recovery could not move %1 files back").arg(reverted.problems.size());
        Status recorded = m_database.transaction([&](db::Connection &) -> Status {
            if (Status written = writeActionsIn(m_database, m_journal, reverted.actions); !written)
                return written;
            return m_journal.setBatchState(batch.id, endState, note);
        });
        if (!recorded)
            return recorded.error();
        qCDebug(lcExecutor) << "recovered batch" << batch.id << ":" << steps.size() << "steps," << reverted.moved
                            << "files moved back in" << diskMs << "ms, journal written in"
                            << clock.elapsed() - diskMs << "ms";
        report.problems.append(reverted.problems);
    }
    return report;
}

Result<RenameExecutor::UndoReport> RenameExecutor::undo(std::optional<qint64> batchId, const Callbacks &callbacks)
{
    return revert(BatchKind::Undo, batchId, callbacks);
}

Result<RenameExecutor::UndoReport> RenameExecutor::redo(std::optional<qint64> batchId, const Callbacks &callbacks)
{
    return revert(BatchKind::Redo, batchId, callbacks);
}

Result<RenameExecutor::UndoReport> RenameExecutor::revert(BatchKind kind, std::optional<qint64> batchId,
                                                          const Callbacks &callbacks)
{
    const bool isUndo = kind == BatchKind::Undo;
    const QString verb = isUndo ? QStringLiteral("undo") : QStringLiteral("redo");
    // Finds the default target, and for redo the undo batch that undid it.
    qint64 target = batchId.value_or(0);
    qint64 undoBatch = 0;
    Status found = m_database.read([&](db::Connection &c) -> Status {
        if (!batchId) {
            auto st = isUndo
                          ? c.prepare("SELECT id FROM rename_batches WHERE kind IN ('apply', 'redo') AND "
                                      "state = 'applied' ORDER BY id DESC LIMIT 1")
                          : c.prepare("SELECT b.id FROM rename_batches b WHERE b.kind IN ('apply', 'redo') AND "
                                      "b.state = 'undone' AND NOT EXISTS (SELECT 1 FROM rename_batches r WHERE "
                                      "r.parent_batch_id = b.id AND r.kind = 'redo' AND r.state IN ('applied', "
                                      "'undone')) ORDER BY (SELECT max(u.id) FROM rename_batches u WHERE "
                                      "u.parent_batch_id = b.id AND u.kind = 'undo') DESC LIMIT 1");
            if (!st)
                return st.error();
            auto row = st->step();
            if (!row)
                return row.error();
            if (!*row)
                return makeError(ErrorCode::NotFound, isUndo ? QStringLiteral("there is no applied batch to undo")
                                                             : QStringLiteral("there is no undone batch to redo"));
            target = st->int64(0);
        }
        if (!isUndo) {
            auto redone = c.prepare("SELECT id FROM rename_batches WHERE parent_batch_id = ?1 AND kind = 'redo' "
                                    "AND state IN ('applied', 'undone') LIMIT 1");
            if (!redone)
                return redone.error();
            redone->bindInt(1, target);
            auto row = redone->step();
            if (!row)
                return row.error();
            if (*row)
                return makeError(ErrorCode::InvalidArgument,
                                 QStringLiteral("batch %1 was already redone as batch %2").arg(target).arg(redone->int64(0)));
            auto st = c.prepare("SELECT id FROM rename_batches WHERE parent_batch_id = ?1 AND kind = 'undo' "
                                "AND state = 'applied' ORDER BY id DESC LIMIT 1");
            if (!st)
                return st.error();
            st->bindInt(1, target);
            auto undoRow = st->step();
            if (!undoRow)
                return undoRow.error();
            if (*undoRow)
                undoBatch = st->int64(0);
        }
        return {};
    });
    if (!found)
        return found.error();

    auto record = m_journal.batch(target);
    if (!record)
        return record.error();
    if (!record->has_value())
        return makeError(ErrorCode::NotFound, QStringLiteral("there is no batch %1").arg(target));
    const db::BatchRecord &batch = **record;
    if (batch.kind == BatchKind::Undo)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("batch %1 is itself an undo; redo batch %2 instead")
                             .arg(target)
                             .arg(batch.parentBatchId.value_or(0)));
    const BatchState wanted = isUndo ? BatchState::Applied : BatchState::Undone;
    if (batch.state != wanted)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("cannot %1 batch %2: it is %3, not %4")
                                                         .arg(verb)
                                                         .arg(target)
                                                         .arg(db::batchStateName(batch.state),
                                                              db::batchStateName(wanted)));
    if (!isUndo && undoBatch == 0)
        return makeError(ErrorCode::NotFound, QStringLiteral("batch %1 has no completed undo to redo").arg(target));

    auto targetOps = m_journal.ops(target);
    if (!targetOps)
        return targetOps.error();

    UndoReport report;
    report.targetBatchId = target;
    QList<Move> moves;
    db::FileStore files(m_database);
    auto skip = [&](const QByteArray &from, const QByteArray &to, ErrorCode code, const QString &why) {
        report.skipped.append({from, to, makeError(code, why, shown(from))});
    };

    if (isUndo) {
        auto whereNow = laterLocationsIn(m_journal, *targetOps);
        if (!whereNow)
            return whereNow.error();
        QList<Move> restores;
        for (const db::OpRecord &op : std::as_const(*targetOps)) {
            if (op.state != OpState::Done)
                continue;
            if (!NativeRename::exists(op.newPath)) {
                skip(op.newPath, op.oldPath, ErrorCode::NotFound,
                     QStringLiteral("is no longer there: renamed, moved or deleted since the batch"));
                continue;
            }
            if (const auto moved = whereNow->constFind(op.newPath); moved != whereNow->cend()) {
                skip(op.newPath, op.oldPath, ErrorCode::AlreadyExists,
                     moved.value() ? QStringLiteral("the file was renamed again since the batch (it is now %1); the "
                                                    "name holds another file")
                                         .arg(shown(*moved.value()))
                                   : QStringLiteral("a later batch failed while moving the file; it may no longer be "
                                                    "the file at this name"));
                continue;
            }
            if (op.fileId) {
                auto now = files.fileById(*op.fileId);
                if (!now)
                    return now.error();
                if (now->has_value() && (*now)->path != op.newPath) {
                    skip(op.newPath, op.oldPath, ErrorCode::AlreadyExists,
                         QStringLiteral("the file was renamed again since the batch (it is now %1); the name holds "
                                        "another file")
                             .arg(shown((*now)->path)));
                    continue;
                }
            }
            moves.append({op.newPath, op.oldPath, false});
            // The replaced file comes back once the renamed one has left its name.
            if (op.holdingPath && NativeRename::exists(*op.holdingPath))
                restores.append({*op.holdingPath, op.newPath, false});
        }
        moves.append(restores);
    } else {
        auto undoOps = m_journal.ops(undoBatch);
        if (!undoOps)
            return undoOps.error();
        QSet<QByteArray> holdingPaths;
        QSet<QByteArray> replacedTargets;
        for (const db::OpRecord &op : std::as_const(*targetOps)) {
            if (op.holdingPath) {
                holdingPaths.insert(*op.holdingPath);
                replacedTargets.insert(op.newPath);
            }
        }
        for (const db::OpRecord &op : std::as_const(*undoOps)) {
            // Ops that brought a replaced file back from the holding folder are redone by the
            // replaceExisting of the main move.
            if (op.state != OpState::Done || holdingPaths.contains(op.oldPath))
                continue;
            if (!NativeRename::exists(op.newPath)) {
                skip(op.newPath, op.oldPath, ErrorCode::NotFound,
                     QStringLiteral("is no longer there: renamed, moved or deleted since the undo"));
                continue;
            }
            moves.append({op.newPath, op.oldPath, replacedTargets.contains(op.oldPath)});
        }
    }

    if (moves.isEmpty()) {
        if (report.skipped.isEmpty())
            return makeError(ErrorCode::NotFound, QStringLiteral("batch %1 renamed nothing to %2").arg(target).arg(verb));
        return report;
    }
    auto ran = run(kind, target, moves, isUndo ? QByteArray() : batch.recipeJson, batch.rootFolder, callbacks,
                   &report.skipped);
    if (!ran)
        return ran.error();
    report.run = std::move(*ran);
    if (isUndo) {
        QList<StepOp> held;
        for (const db::OpRecord &op : std::as_const(*targetOps))
            held.append({op.id, op.oldPath, op.newPath, op.tempPath, op.holdingPath});
        removeEmptyHoldingFolders(held);
    }
    if (report.run.batchId != 0 && !report.run.rolledBack && isUndo) {
        if (Status marked = m_journal.setBatchState(target, BatchState::Undone); !marked)
            return marked.error();
    }
    return report;
}

} // namespace oncutf::core::rename
