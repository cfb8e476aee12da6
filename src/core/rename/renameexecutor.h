#pragma once

#include "core/db/renamejournal.h"
#include "core/error.h"
#include "core/rename/renameplan.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace oncutf::core::db {
class DatabaseManager;
}

namespace oncutf::core::rename {

/// Applies a set of moves to the disk through the rename journal, so that no file is ever lost
/// or overwritten: every rename is a no-clobber rename, swaps/cycles/case-only renames go
/// through temporary names in the same folder, replaced files are parked in a holding folder,
/// the plan is journaled before the first rename, a failure or a cancel rolls the batch back,
/// recover() repairs a batch a crash interrupted, and undo()/redo() work from the journal alone
/// (also after a restart). See docs/rename-safety.md.
/// Owner: whoever runs a rename (the CLI command, the GUI's apply worker); short-lived, one per
/// operation is fine, it holds no state between calls besides the database reference.
/// Threading: not thread-safe; use one instance on one thread at a time. Callbacks run on the
/// calling thread. Two executors in two processes must not apply to the same files at once.
class RenameExecutor final {
public:
    /// Where a disk step happens; for progress displays and the crash test.
    enum class Stage { Parking, Renaming, RollingBack };

    struct Callbacks {
        /// Polled before every rename; true stops at that point and rolls the batch back.
        std::function<bool()> isCancelled;
        /// Renames done so far; called at most ~25 times a second, and once at the end.
        std::function<void(qint64 done, qint64 total)> progress;
        /// Called after every disk step with the stage and the step's index in it. Test and
        /// diagnostics hook: it must be cheap.
        std::function<void(Stage stage, qint64 step)> stepDone;
    };

    /// A move that did not run (or could not be undone), and why.
    struct OpFailure {
        QByteArray oldPath;
        QByteArray newPath;
        Error error;
    };

    struct ApplyReport {
        qint64 batchId = 0;   ///< 0 when nothing was journaled (an empty set)
        qint64 renamed = 0;   ///< files now under their new name
        qint64 failed = 0;    ///< moves that failed (the batch was then rolled back)
        bool cancelled = false;
        bool rolledBack = false;
        /// False only when a rollback could not bring every file back (see failures); the
        /// batch is then in state failed and each stuck file is named.
        bool rollbackComplete = true;
        QString error;        ///< the failure that stopped the batch, in plain words
        QList<OpFailure> failures;
    };

    struct RecoveryReport {
        QList<qint64> batchIds;    ///< the batches found unfinished, oldest first
        qint64 restored = 0;       ///< files moved back to their old name
        /// Files recovery could not put back (each named in problems); their batch ends failed.
        QList<OpFailure> problems;
    };

    struct UndoReport {
        qint64 targetBatchId = 0;   ///< the batch undone or redone
        ApplyReport run;            ///< the Undo/Redo batch itself
        /// Files left alone because they are no longer where the batch left them, or their old
        /// name is taken, with the reason.
        QList<OpFailure> skipped;
    };

    explicit RenameExecutor(db::DatabaseManager &database);

    /// Checks the whole move set (unique sources and targets, each target free, vacated by
    /// another move or replaceExisting, sources present, same file system) and refuses it,
    /// changing nothing, when any move cannot run. Otherwise journals the plan and applies it.
    /// Result errors mean nothing was changed; a failure once renaming has started is reported
    /// in ApplyReport (rolledBack, error, failures).
    Result<ApplyReport> apply(const QList<Move> &moves, const QByteArray &recipeJson,
                              const std::optional<QByteArray> &rootFolder, const Callbacks &callbacks = {});

    /// True when a batch is unfinished (a crash interrupted it): one indexed query.
    Result<bool> needsRecovery() const;
    /// Rolls every unfinished batch back, so each ends wholly under its old names, by looking at
    /// the disk; never overwrites anything. Idempotent.
    Result<RecoveryReport> recover();

    /// Undoes `batchId` (default: the newest applied Apply/Redo batch) through a new Undo batch.
    Result<UndoReport> undo(std::optional<qint64> batchId = std::nullopt, const Callbacks &callbacks = {});
    /// Re-applies an undone batch (default: the most recently undone one not redone yet) through
    /// a new Redo batch.
    Result<UndoReport> redo(std::optional<qint64> batchId = std::nullopt, const Callbacks &callbacks = {});

    /// The journal's history, newest first.
    Result<QList<db::BatchRecord>> history(int limit = 50, int offset = 0) const;

    /// Test hook: journal progress is written every `ops` renames or `intervalMs`, whichever
    /// comes first (defaults 512 and 50).
    void setJournalBatchingForTesting(int ops, int intervalMs);

private:
    struct Run;
    Result<ApplyReport> run(db::BatchKind kind, std::optional<qint64> parent, const QList<Move> &moves,
                            const QByteArray &recipeJson, const std::optional<QByteArray> &rootFolder,
                            const Callbacks &callbacks, QList<OpFailure> *lenientRejections);
    Result<UndoReport> revert(db::BatchKind kind, std::optional<qint64> batchId, const Callbacks &callbacks);

    db::DatabaseManager &m_database;
    db::RenameJournal m_journal;
    int m_flushOps = 512;
    int m_flushIntervalMs = 50;
};

} // namespace oncutf::core::rename
