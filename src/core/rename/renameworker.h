#pragma once

#include "core/concurrency/worker.h"
#include "core/files/fileentry.h"
#include "core/rename/recipe.h"
#include "core/rename/renameinputloader.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace oncutf::core::db {
class DatabaseManager;
}

namespace oncutf::core::rename {

/// How an apply, undo or redo ended, in the words the GUI shows.
struct RenameOutcome {
    enum class Operation { Apply, Undo, Redo } operation = Operation::Apply;
    bool ok = false;          ///< everything asked for was done
    bool cancelled = false;   ///< stopped by the user; the batch was rolled back
    qint64 batchId = 0;       ///< the new journal batch (0: nothing journaled)
    qint64 targetBatchId = 0; ///< undo/redo: the batch undone or redone
    qint64 renamed = 0;       ///< files now under their new name
    QString message;          ///< one sentence for the status bar or a message box
    QStringList problems;     ///< per-file details ("old -> new: reason")
};

/// Runs one journaled rename operation off the GUI thread with its own RenameExecutor (and so
/// its own database connection): apply re-reads what the recipe needs, re-plans against the
/// disk as it is now (a preview can be stale) and applies only a runnable plan; undo and redo
/// revert or re-apply a batch from the journal. Cancel stops at the next file and rolls back.
/// Emits done() exactly once.
/// Owner: the GUI's main window, through a WorkerThread. Threading: runs on that thread.
class RenameWorker final : public concurrency::Worker {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RenameWorker)

public:
    /// Apply `recipe` to `files`; `rootFolder` is recorded in the history.
    /// `known`: metadata the front end already holds, by path (as the preview used it).
    static RenameWorker *apply(db::DatabaseManager &database, QList<files::FileEntry> files, Recipe recipe,
                               RenameInputLoader::Options loaderOptions, std::optional<QByteArray> rootFolder,
                               QHash<QByteArray, metadata::MetadataRecord> known = {});
    /// Undo (or redo) `batchId`, or the newest batch that can be undone (redone).
    static RenameWorker *undo(db::DatabaseManager &database, std::optional<qint64> batchId);
    static RenameWorker *redo(db::DatabaseManager &database, std::optional<qint64> batchId);

    ~RenameWorker() override;

Q_SIGNALS:
    void done(const oncutf::core::rename::RenameOutcome &outcome);

protected:
    bool execute() override;

private:
    RenameWorker(db::DatabaseManager &database, RenameOutcome::Operation operation);
    RenameOutcome runApply();
    RenameOutcome runRevert();

    db::DatabaseManager &m_database;
    RenameOutcome::Operation m_operation;
    QList<files::FileEntry> m_files;
    Recipe m_recipe;
    RenameInputLoader::Options m_loaderOptions;
    std::optional<QByteArray> m_rootFolder;
    QHash<QByteArray, metadata::MetadataRecord> m_known;
    std::optional<qint64> m_batchId;
};

} // namespace oncutf::core::rename

Q_DECLARE_METATYPE(oncutf::core::rename::RenameOutcome)
