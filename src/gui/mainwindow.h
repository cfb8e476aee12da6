#pragma once

#include "core/appservices.h"
#include "core/metadata/metadatarecord.h"
#include "core/rename/renameplan.h"
#include "core/rename/renameworker.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMainWindow>
#include <QStringList>

#include <memory>

class QAction;
class QCloseEvent;
class QDragEnterEvent;
class QDropEvent;
class QFileSystemModel;
class QLabel;
class QMenu;
class QPushButton;
class QSettings;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QTreeView;

namespace oncutf::core {
class AppContext;
} // namespace oncutf::core
namespace oncutf::core::metadata {
class MetadataWorker;
}

namespace oncutf::gui {

class FileTableModel;
class HashResultsDialog;
class HistoryDialog;
class JobController;
class MetadataPanel;
class PresetStore;
class PreviewController;
class PreviewModel;
class ProgressPanel;
class RecipeEditor;

/// oncutf's main window: folders | files | information on top, the rename recipe and the live
/// preview below, the Rename button and the job progress at the bottom. The GUI thread only
/// draws and reacts: scans, metadata, hashes, duplicates, compare and renames run as jobs on the
/// JobController's thread, the preview on the PreviewController's, and every deferred update goes
/// through the TimerManager. The preview and the Rename button act on the selected files
/// (all files are selected after a folder is opened, as in the original).
///
/// Closing never tears anything down directly: the first close request disables the window,
/// cancels the running work, waits for it without blocking the event loop, saves the settings
/// and starts the AppContext's asynchronous shutdown (one phase per tick, so the window keeps
/// painting); when the coordinator reports completion the window really closes.
/// Owner: main() (or a test), which also owns the AppContext, AppServices and QSettings that
/// must outlive the window. Threading: GUI thread only.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    MainWindow(core::AppContext &context, core::AppServices &services, QSettings &settings,
               QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Lists `folders` (replacing the list unless `merge`), descending into sub-folders with
    /// `recursive`; the scan runs as a job and rows appear as they are found.
    void openFolders(const QStringList &folders, bool recursive = false, bool merge = false);
    void reload();
    void clearFiles();
    void loadMetadata(core::metadata::MetadataMode mode, bool selectedOnly);
    void hashFiles(bool selectedOnly);
    void findDuplicates();
    void compareWithFolder(const QString &otherFolder);
    /// Renames the selected files by the recipe (asking per conflict under the Ask policy).
    void applyRename();
    void undo();
    void redo();
    void showHistory();
    void showHashResults();
    void cancelJobs();
    void setMetadataColumns(const QStringList &keys);
    /// Tells the user what opening the services found: an unusable database, a damaged one set
    /// aside, or an interrupted rename that was rolled back (a non-modal message, "startupNotice").
    void reportStartup(const core::Result<core::AppServices::OpenReport> &opened);

    [[nodiscard]] FileTableModel &fileModel() { return *m_files; }
    [[nodiscard]] PreviewModel &previewModel() { return *m_preview; }
    [[nodiscard]] RecipeEditor &recipeEditor() { return *m_recipeEditor; }
    [[nodiscard]] JobController &jobs() { return *m_jobs; }
    [[nodiscard]] PreviewController &previewController() { return *m_previewController; }
    [[nodiscard]] QTableView &fileView() { return *m_fileView; }
    [[nodiscard]] QPushButton &renameButton() { return *m_renameButton; }
    [[nodiscard]] HistoryDialog *historyDialog() const { return m_historyDialog; }
    [[nodiscard]] HashResultsDialog *hashResultsDialog() const { return m_hashResults; }
    [[nodiscard]] QStringList openFolderList() const { return m_folderList; }
    /// The files the preview and Rename act on (the selection), in table order.
    [[nodiscard]] QList<core::files::FileEntry> selectedEntries() const;
    /// True once the shutdown the window started has completed.
    [[nodiscard]] bool isShutdownComplete() const { return m_shutdownComplete; }

Q_SIGNALS:
    /// A scan started by openFolders()/reload() has ended (rows are all in the table).
    void filesLoaded();
    /// The preview table shows the plan of the newest recipe and selection.
    void previewUpdated();
    void renameFinished(const oncutf::core::rename::RenameOutcome &outcome);
    /// Emitted after the coordinator finished and the window accepted its close.
    void closedAfterShutdown(bool ok);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildUi();
    void buildMenus();
    void restoreSettings();
    void saveSettings();
    void onSelectionChanged();
    void onCurrentFileChanged();
    void onRecipeEdited();
    void onPlanReady(const core::rename::RenamePlan &plan, const QStringList &problems);
    void onRenameDone(const core::rename::RenameOutcome &outcome);
    void updateRenameButton();
    void updateStatus();
    void runRename(QList<core::files::FileEntry> files, core::rename::Recipe recipe);
    void enqueueRevert(bool undo, std::optional<qint64> batchId);
    [[nodiscard]] QHash<QByteArray, core::metadata::MetadataRecord> knownMetadata(
        const QList<core::files::FileEntry> &files) const;
    void watchMetadataWorker(core::metadata::MetadataWorker *worker);
    void selectAll();
    void selectNone();
    void invertSelection();
    void revealPath(const QByteArray &path);
    void refreshRecentPresets();
    void loadPreset(const QString &path);
    void savePresetAs();
    void beginShutdown();
    void continueShutdown();
    void onShutdownCompleted(bool ok);
    void showMessage(const QString &text);

    core::AppContext &m_context;
    core::AppServices &m_services;
    QSettings &m_settings;
    std::unique_ptr<PresetStore> m_presets;

    FileTableModel *m_files = nullptr;
    QSortFilterProxyModel *m_fileProxy = nullptr;
    QTableView *m_fileView = nullptr;
    QFileSystemModel *m_folderModel = nullptr;
    QTreeView *m_folderTree = nullptr;
    MetadataPanel *m_metadataPanel = nullptr;
    RecipeEditor *m_recipeEditor = nullptr;
    PreviewModel *m_preview = nullptr;
    QTableView *m_previewView = nullptr;
    QLabel *m_previewSummary = nullptr;
    QLabel *m_statusLabel = nullptr;
    QPushButton *m_renameButton = nullptr;
    QSplitter *m_verticalSplitter = nullptr;
    QSplitter *m_topSplitter = nullptr;
    QSplitter *m_bottomSplitter = nullptr;
    JobController *m_jobs = nullptr;
    ProgressPanel *m_progress = nullptr;
    PreviewController *m_previewController = nullptr;
    HistoryDialog *m_historyDialog = nullptr;
    HashResultsDialog *m_hashResults = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_columnsMenu = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;

    QStringList m_folderList;
    bool m_recursive = false;
    bool m_selectAllAfterScan = false;
    qsizetype m_selectedCount = 0;
    bool m_renameRunning = false; // an apply/undo/redo job has started and not reported yet
    QString m_lastMessage;
    bool m_shutdownStarted = false;
    bool m_shutdownContinued = false;
    bool m_shutdownComplete = false;
};

} // namespace oncutf::gui
