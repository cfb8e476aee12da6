#include "gui/mainwindow.h"

#include "core/appcontext.h"
#include "core/appservices.h"
#include "core/concurrency/worker.h"
#include "core/db/hashcache.h"
#include "core/db/metadatacache.h"
#include "core/files/nativepath.h"
#include "core/files/scanworker.h"
#include "core/hash/compareworker.h"
#include "core/hash/duplicatesworker.h"
#include "core/hash/hashworker.h"
#include "core/metadata/exiftoolpool.h"
#include "core/metadata/fieldregistry.h"
#include "core/metadata/metadataworker.h"
#include "gui/conflictdialog.h"
#include "gui/filetablemodel.h"
#include "gui/hashresultsdialog.h"
#include "gui/historydialog.h"
#include "gui/jobcontroller.h"
#include "gui/metadatapanel.h"
#include "gui/presetstore.h"
#include "gui/previewcontroller.h"
#include "gui/previewmodel.h"
#include "gui/progresspanel.h"
#include "gui/recipeeditor.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemModel>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>

#include <memory>

namespace oncutf::gui {

using core::files::FileEntry;
using core::metadata::MetadataMode;
using core::rename::ConflictPolicy;
using core::rename::ItemStatus;

namespace {

constexpr int kShutdownGraceMs = 10000;

QByteArray nativeFolder(const QString &folder)
{
    return core::files::absolutePath(core::files::fsEncode(QDir::cleanPath(folder)));
}

bool isProblem(ItemStatus status)
{
    return status != ItemStatus::Ok && status != ItemStatus::Unchanged;
}

} // namespace

MainWindow::MainWindow(core::AppContext &context, core::AppServices &services, QSettings &settings, QWidget *parent)
    : QMainWindow(parent)
    , m_context(context)
    , m_services(services)
    , m_settings(settings)
    , m_presets(std::make_unique<PresetStore>(settings))
{
    setWindowTitle(QStringLiteral("oncutf"));
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);
    resize(1400, 900);

    m_jobs = new JobController(this);
    core::rename::RenameInputLoader::Options loaderOptions;
    loaderOptions.pool = &m_context.pool();
    loaderOptions.exiftool = &m_services.exiftool();
    loaderOptions.metadataCache = &m_services.metadataCache();
    loaderOptions.hashCache = &m_services.hashCache();
    loaderOptions.computeMissingHashes = false;
    m_previewController = new PreviewController(m_context, loaderOptions, this);
    m_previewController->setKnownMetadataSource([this](const QList<FileEntry> &files) { return knownMetadata(files); });

    buildUi();
    buildMenus();
    restoreSettings();

    connect(m_previewController, &PreviewController::planReady, this, &MainWindow::onPlanReady);
    connect(m_previewController, &PreviewController::busyChanged, this, [this] { updateRenameButton(); });
    connect(m_jobs, &JobController::status, this, &MainWindow::showMessage);
    connect(m_jobs, &JobController::failed, this, &MainWindow::showMessage);
    connect(m_jobs, &JobController::jobStarted, this, [this] { updateRenameButton(); });
    connect(m_jobs, &JobController::idle, this, [this] {
        updateRenameButton();
        if (m_shutdownStarted)
            continueShutdown();
    });
    connect(m_previewController, &PreviewController::computingStopped, this, [this] {
        if (m_shutdownStarted)
            continueShutdown();
    });
    connect(&m_context.coordinator(), &core::concurrency::ShutdownCoordinator::phaseStarted, this,
            [this](const QString &phase) { m_statusLabel->setText(tr("Shutting down: %1").arg(phase)); });
    connect(&m_context.coordinator(), &core::concurrency::ShutdownCoordinator::shutdownCompleted, this,
            &MainWindow::onShutdownCompleted);
    updateRenameButton();
}

MainWindow::~MainWindow()
{
    // The threads have ended by now when the window was closed; a test that destroys the window
    // without closing it still must not leave a thread running.
    m_previewController->stop(QDeadlineTimer(kShutdownGraceMs));
    m_jobs->stop(QDeadlineTimer(kShutdownGraceMs));
}

void MainWindow::buildUi()
{
    // Folders
    m_folderModel = new QFileSystemModel(this);
    m_folderModel->setFilter(QDir::AllDirs | QDir::NoDotAndDotDot);
    m_folderModel->setRootPath(QDir::rootPath());
    m_folderTree = new QTreeView(this);
    m_folderTree->setObjectName(QStringLiteral("folderTree"));
    m_folderTree->setModel(m_folderModel);
    for (int c = 1; c < m_folderModel->columnCount(); ++c)
        m_folderTree->hideColumn(c);
    m_folderTree->setHeaderHidden(true);
    m_folderTree->setToolTip(tr("Double click: open the folder. Ctrl: with sub-folders. Shift: add to the list."));
    connect(m_folderTree, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const auto modifiers = QApplication::keyboardModifiers();
        openFolders({m_folderModel->filePath(index)}, modifiers.testFlag(Qt::ControlModifier),
                    modifiers.testFlag(Qt::ShiftModifier));
    });
    auto *folderPane = new QWidget(this);
    auto *folderLayout = new QVBoxLayout(folderPane);
    folderLayout->setContentsMargins(0, 0, 0, 0);
    folderLayout->addWidget(new QLabel(tr("Folders"), folderPane));
    folderLayout->addWidget(m_folderTree, 1);
    auto *browse = new QPushButton(tr("Browse..."), folderPane);
    browse->setToolTip(tr("Open a folder (Ctrl+O)"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Open folder"),
                                                                 m_folderList.value(0, QDir::homePath()));
        if (!folder.isEmpty())
            openFolders({folder}, QApplication::keyboardModifiers().testFlag(Qt::ControlModifier),
                        QApplication::keyboardModifiers().testFlag(Qt::ShiftModifier));
    });
    folderLayout->addWidget(browse);

    // Files
    m_files = new FileTableModel(this);
    m_fileProxy = new QSortFilterProxyModel(this);
    m_fileProxy->setSourceModel(m_files);
    m_fileProxy->setSortRole(FileTableModel::SortRole);
    m_fileProxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    // Sort when the user clicks a header, not again on every metadata batch: re-sorting 100k
    // rows per batch would stall the GUI thread.
    m_fileProxy->setDynamicSortFilter(false);
    m_fileView = new QTableView(this);
    m_fileView->setObjectName(QStringLiteral("fileTable"));
    m_fileView->setModel(m_fileProxy);
    m_fileView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_fileView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_fileView->setSortingEnabled(true);
    m_fileView->sortByColumn(-1, Qt::AscendingOrder); // scan order until the user sorts
    m_fileView->setWordWrap(false);
    m_fileView->setDragEnabled(true);
    m_fileView->verticalHeader()->hide();
    m_fileView->verticalHeader()->setDefaultSectionSize(m_fileView->fontMetrics().height() + 6);
    m_fileView->horizontalHeader()->setSectionsMovable(true);
    m_fileView->horizontalHeader()->setMinimumSectionSize(24);
    m_fileView->horizontalHeader()->resizeSection(FileTableModel::StatusColumn, 28);
    m_fileView->horizontalHeader()->resizeSection(FileTableModel::NameColumn, 250);
    m_fileView->horizontalHeader()->resizeSection(FileTableModel::SizeColumn, 85);
    m_fileView->horizontalHeader()->resizeSection(FileTableModel::TypeColumn, 60);
    m_fileView->horizontalHeader()->resizeSection(FileTableModel::ModifiedColumn, 154);
    m_fileView->horizontalHeader()->setStretchLastSection(true);
    connect(m_fileView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::onSelectionChanged);
    connect(m_fileView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onCurrentFileChanged);
    // Results arrive in many small batches: the table repaints and the preview is asked again
    // at most every 100 ms (a UI_UPDATE timer that is not restarted while pending: a throttle).
    connect(m_files, &FileTableModel::changesPending, this, [this] {
        m_context.timers().schedule([this] { m_files->flushChanges(); }, 100, core::concurrency::TimerPriority::Normal,
                                    core::concurrency::TimerType::UiUpdate, QStringLiteral("file_table_refresh"));
    });
    connect(m_files, &FileTableModel::fileDataChanged, this, [this] {
        onCurrentFileChanged();
        // New metadata or hashes can resolve names the preview flagged as missing data.
        m_previewController->requestUpdate();
    });

    // Information
    m_metadataPanel = new MetadataPanel(this);

    m_topSplitter = new QSplitter(Qt::Horizontal, this);
    m_topSplitter->setObjectName(QStringLiteral("topSplitter"));
    m_topSplitter->addWidget(folderPane);
    m_topSplitter->addWidget(m_fileView);
    m_topSplitter->addWidget(m_metadataPanel);
    m_topSplitter->setStretchFactor(1, 1);
    m_topSplitter->setSizes({240, 800, 340});

    // Recipe and preview
    m_recipeEditor = new RecipeEditor(this);
    m_recipeEditor->setObjectName(QStringLiteral("recipeEditor"));
    QStringList fieldKeys;
    for (const auto &field : core::metadata::FieldRegistry::knownFields())
        fieldKeys.append(field.key);
    m_recipeEditor->setMetadataFieldSuggestions(fieldKeys);
    connect(m_recipeEditor, &RecipeEditor::recipeChanged, this, &MainWindow::onRecipeEdited);

    m_preview = new PreviewModel(this);
    m_previewView = new QTableView(this);
    m_previewView->setObjectName(QStringLiteral("previewTable"));
    m_previewView->setModel(m_preview);
    m_previewView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_previewView->setWordWrap(false);
    m_previewView->verticalHeader()->hide();
    m_previewView->verticalHeader()->setDefaultSectionSize(m_previewView->fontMetrics().height() + 6);
    m_previewView->horizontalHeader()->resizeSection(PreviewModel::StatusColumn, 130);
    m_previewView->horizontalHeader()->resizeSection(PreviewModel::OldNameColumn, 300);
    m_previewView->horizontalHeader()->setStretchLastSection(true);
    m_previewSummary = new QLabel(tr("No preview"), this);
    m_previewSummary->setObjectName(QStringLiteral("previewSummary"));
    m_previewSummary->setWordWrap(true);
    auto *previewPane = new QWidget(this);
    auto *previewLayout = new QVBoxLayout(previewPane);
    previewLayout->setContentsMargins(0, 0, 0, 0);
    previewLayout->addWidget(m_previewView, 1);
    previewLayout->addWidget(m_previewSummary);

    m_bottomSplitter = new QSplitter(Qt::Horizontal, this);
    m_bottomSplitter->setObjectName(QStringLiteral("bottomSplitter"));
    m_bottomSplitter->addWidget(m_recipeEditor);
    m_bottomSplitter->addWidget(previewPane);
    m_bottomSplitter->setSizes({520, 860});

    m_verticalSplitter = new QSplitter(Qt::Vertical, this);
    m_verticalSplitter->setObjectName(QStringLiteral("verticalSplitter"));
    m_verticalSplitter->addWidget(m_topSplitter);
    m_verticalSplitter->addWidget(m_bottomSplitter);
    m_verticalSplitter->setSizes({480, 420});

    // Controls row
    m_statusLabel = new QLabel(tr("Open a folder to start (Ctrl+O, or drop it here)."), this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_renameButton = new QPushButton(tr("Rename Files"), this);
    m_renameButton->setObjectName(QStringLiteral("renameButton"));
    m_renameButton->setDefault(true);
    connect(m_renameButton, &QPushButton::clicked, this, &MainWindow::applyRename);
    auto *controls = new QHBoxLayout;
    controls->addWidget(m_statusLabel, 1);
    controls->addWidget(m_renameButton);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_verticalSplitter, 1);
    layout->addLayout(controls);
    setCentralWidget(central);

    m_progress = new ProgressPanel(*m_jobs, this);
    statusBar()->addPermanentWidget(m_progress);
}

void MainWindow::buildMenus()
{
    const auto add = [this](QMenu *menu, const QString &text, const QKeySequence &shortcut, auto slot) {
        QAction *action = menu->addAction(text);
        if (!shortcut.isEmpty())
            action->setShortcut(shortcut);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };

    QMenu *file = menuBar()->addMenu(tr("&File"));
    add(file, tr("&Open folder..."), QKeySequence(QStringLiteral("Ctrl+O")), [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Open folder"), m_folderList.value(0, QDir::homePath()));
        if (!folder.isEmpty())
            openFolders({folder});
    });
    add(file, tr("Open folder with sub-folders..."), {}, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Open folder recursively"),
                                                                 m_folderList.value(0, QDir::homePath()));
        if (!folder.isEmpty())
            openFolders({folder}, true);
    });
    add(file, tr("Add folder to the list..."), {}, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Add folder"), m_folderList.value(0, QDir::homePath()));
        if (!folder.isEmpty())
            openFolders({folder}, false, true);
    });
    add(file, tr("&Reload"), QKeySequence(Qt::Key_F5), [this] { reload(); });
    add(file, tr("Clear the list"), QKeySequence(QStringLiteral("Shift+Esc")), [this] { clearFiles(); });
    file->addSeparator();
    add(file, tr("Load preset..."), {}, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load preset"), PresetStore::defaultFolder(),
                                                          tr("oncutf recipes (*.json);;All files (*)"));
        if (!path.isEmpty())
            loadPreset(path);
    });
    add(file, tr("Save preset as..."), {}, [this] { savePresetAs(); });
    m_recentMenu = file->addMenu(tr("Recent presets"));
    refreshRecentPresets();
    file->addSeparator();
    add(file, tr("&Quit"), QKeySequence::Quit, [this] { close(); });

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    m_undoAction = add(edit, tr("&Undo last rename"), QKeySequence(QStringLiteral("Ctrl+Z")), [this] { undo(); });
    m_redoAction = add(edit, tr("&Redo"), QKeySequence(QStringLiteral("Ctrl+Shift+Z")), [this] { redo(); });
    add(edit, tr("Rename &history..."), QKeySequence(QStringLiteral("Ctrl+Y")), [this] { showHistory(); });
    edit->addSeparator();
    add(edit, tr("Select &all"), QKeySequence(QStringLiteral("Ctrl+A")), [this] { selectAll(); });
    add(edit, tr("Select &none"), QKeySequence(QStringLiteral("Ctrl+Shift+A")), [this] { selectNone(); });
    add(edit, tr("&Invert selection"), QKeySequence(QStringLiteral("Ctrl+I")), [this] { invertSelection(); });
    edit->addSeparator();
    add(edit, tr("Cancel running work"), QKeySequence(Qt::Key_Escape), [this] { cancelJobs(); });

    QMenu *metadata = menuBar()->addMenu(tr("&Metadata"));
    add(metadata, tr("Load metadata (selected)"), QKeySequence(QStringLiteral("Ctrl+M")),
        [this] { loadMetadata(MetadataMode::Fast, true); });
    add(metadata, tr("Load extended metadata (selected)"), QKeySequence(QStringLiteral("Ctrl+Shift+M")),
        [this] { loadMetadata(MetadataMode::Extended, true); });
    add(metadata, tr("Load metadata (all files)"), {}, [this] { loadMetadata(MetadataMode::Fast, false); });
    m_columnsMenu = metadata->addMenu(tr("Columns"));
    QMenu *category = nullptr;
    core::metadata::FieldCategory lastCategory{};
    for (const auto &field : core::metadata::FieldRegistry::knownFields()) {
        if (!category || field.category != lastCategory) {
            category = m_columnsMenu->addMenu(core::metadata::FieldRegistry::categoryName(field.category));
            lastCategory = field.category;
        }
        QAction *action = category->addAction(field.displayName);
        action->setCheckable(true);
        action->setData(field.key);
        action->setToolTip(field.key);
        connect(action, &QAction::toggled, this, [this, key = field.key](bool on) {
            QStringList keys = m_files->metadataColumns();
            keys.removeAll(key);
            if (on)
                keys.append(key);
            setMetadataColumns(keys);
        });
    }

    QMenu *hash = menuBar()->addMenu(tr("&Hash"));
    add(hash, tr("Hash selected files (CRC32)"), QKeySequence(QStringLiteral("Ctrl+H")), [this] { hashFiles(true); });
    add(hash, tr("Hash all files"), QKeySequence(QStringLiteral("Ctrl+Shift+H")), [this] { hashFiles(false); });
    add(hash, tr("Find duplicates"), {}, [this] { findDuplicates(); });
    add(hash, tr("Compare with folder..."), {}, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Compare with folder"), m_folderList.value(0));
        if (!folder.isEmpty())
            compareWithFolder(folder);
    });
    add(hash, tr("Results..."), QKeySequence(QStringLiteral("Ctrl+L")), [this] { showHashResults(); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    add(help, tr("About oncutf"), {}, [this] {
        QMessageBox::about(this, tr("About oncutf"),
                           tr("oncutf %1\nBatch file renamer for photographers, videographers and archivists.")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::restoreSettings()
{
    restoreGeometry(m_settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(m_settings.value(QStringLiteral("window/state")).toByteArray());
    m_verticalSplitter->restoreState(m_settings.value(QStringLiteral("window/splitVertical")).toByteArray());
    m_topSplitter->restoreState(m_settings.value(QStringLiteral("window/splitTop")).toByteArray());
    m_bottomSplitter->restoreState(m_settings.value(QStringLiteral("window/splitBottom")).toByteArray());
    const QStringList columns = m_settings.value(QStringLiteral("files/metadataColumns")).toStringList();
    if (!columns.isEmpty()) {
        for (QAction *categoryAction : m_columnsMenu->actions()) {
            if (!categoryAction->menu())
                continue;
            for (QAction *action : categoryAction->menu()->actions()) {
                QSignalBlocker block(action);
                action->setChecked(columns.contains(action->data().toString()));
            }
        }
        setMetadataColumns(columns);
    }
    m_fileView->horizontalHeader()->restoreState(m_settings.value(QStringLiteral("files/header")).toByteArray());
    const QByteArray recipeJson = m_settings.value(QStringLiteral("recipe/last")).toByteArray();
    if (!recipeJson.isEmpty()) {
        if (auto recipe = core::rename::Recipe::fromJson(recipeJson))
            m_recipeEditor->setRecipe(*recipe);
    }
    m_recipeEditor->setAskOnConflict(m_settings.value(QStringLiteral("recipe/ask"), false).toBool());
    const QString lastFolder = m_settings.value(QStringLiteral("files/lastFolder")).toString();
    if (!lastFolder.isEmpty() && QFileInfo(lastFolder).isDir()) {
        const QModelIndex index = m_folderModel->index(lastFolder);
        m_folderTree->setCurrentIndex(index);
        m_folderTree->scrollTo(index);
    }
    m_previewController->setRecipe(m_recipeEditor->recipe());
}

void MainWindow::saveSettings()
{
    m_settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    m_settings.setValue(QStringLiteral("window/state"), saveState());
    m_settings.setValue(QStringLiteral("window/splitVertical"), m_verticalSplitter->saveState());
    m_settings.setValue(QStringLiteral("window/splitTop"), m_topSplitter->saveState());
    m_settings.setValue(QStringLiteral("window/splitBottom"), m_bottomSplitter->saveState());
    m_settings.setValue(QStringLiteral("files/metadataColumns"), m_files->metadataColumns());
    m_settings.setValue(QStringLiteral("files/header"), m_fileView->horizontalHeader()->saveState());
    if (!m_folderList.isEmpty())
        m_settings.setValue(QStringLiteral("files/lastFolder"), m_folderList.constFirst());
    if (m_recipeEditor->validationError().isEmpty())
        m_settings.setValue(QStringLiteral("recipe/last"), m_recipeEditor->recipe().toJson());
    m_settings.setValue(QStringLiteral("recipe/ask"), m_recipeEditor->askOnConflict());
    m_settings.sync();
}

// ---- files

void MainWindow::openFolders(const QStringList &folders, bool recursive, bool merge)
{
    QStringList clean;
    for (const QString &folder : folders) {
        const QFileInfo info(folder);
        if (!info.isDir()) {
            showMessage(tr("Not a folder: %1").arg(folder));
            continue;
        }
        clean.append(info.absoluteFilePath());
    }
    if (clean.isEmpty())
        return;
    if (m_renameRunning) {
        // Replacing the list would cancel the rename (and roll it back): let it finish first.
        showMessage(tr("A rename is running: open the folder once it has finished (Esc cancels it)."));
        return;
    }
    if (!merge) {
        m_jobs->cancel(); // whatever ran belonged to the old list
        m_files->clear();
        m_selectedCount = 0;
        m_folderList.clear();
        m_preview->clear();
    }
    for (const QString &folder : clean)
        if (!m_folderList.contains(folder))
            m_folderList.append(folder);
    m_recursive = recursive;
    m_settings.setValue(QStringLiteral("files/lastFolder"), clean.constFirst());
    const QModelIndex treeIndex = m_folderModel->index(clean.constFirst());
    m_folderTree->setCurrentIndex(treeIndex);
    m_folderTree->scrollTo(treeIndex);
    m_selectAllAfterScan = true;
    QList<QByteArray> paths;
    for (const QString &folder : clean)
        paths.append(nativeFolder(folder));
    const QString title = tr("Listing %1").arg(clean.size() == 1 ? QDir::toNativeSeparators(clean.constFirst())
                                                                 : tr("%1 folders").arg(clean.size()));
    m_jobs->enqueue(title, [this, paths, recursive]() -> core::concurrency::Worker * {
        core::files::ScanOptions options;
        options.recursive = recursive;
        auto *worker = new core::files::ScanWorker(paths, options);
        connect(worker, &core::files::ScanWorker::batchReady, this,
                [this](const QList<FileEntry> &entries) { m_files->appendFiles(entries); });
        connect(worker, &core::files::ScanWorker::problem, this, [this](const core::files::ScanProblem &problem) {
            showMessage(tr("%1: %2").arg(core::files::toDisplay(problem.path), problem.message));
        });
        connect(worker, &core::concurrency::Worker::finished, this, [this](bool) {
            if (m_selectAllAfterScan) {
                m_selectAllAfterScan = false;
                selectAll();
            }
            updateStatus();
            Q_EMIT filesLoaded();
        });
        return worker;
    });
    setWindowTitle(QStringLiteral("oncutf - %1").arg(m_folderList.join(QStringLiteral(", "))));
}

void MainWindow::reload()
{
    if (m_folderList.isEmpty())
        return;
    const bool hadMetadata = m_files->metadataLoadedCount() > 0;
    const QStringList folders = m_folderList;
    openFolders(folders, m_recursive, false);
    if (hadMetadata) {
        // Cached after the first load (the journal moved the cache rows with the files), so
        // this is quick; it keeps metadata columns and metadata-based previews filled.
        m_jobs->enqueue(tr("Metadata"), [this]() -> core::concurrency::Worker * {
            QList<QByteArray> paths;
            for (const auto &row : m_files->rows())
                paths.append(row.entry.path);
            if (paths.isEmpty())
                return nullptr;
            core::metadata::MetadataLoader::Options options;
            options.pool = &m_context.pool();
            options.exiftool = &m_services.exiftool();
            options.cache = &m_services.metadataCache();
            auto *worker = new core::metadata::MetadataWorker(paths, MetadataMode::Fast, options);
            watchMetadataWorker(worker);
            return worker;
        });
    }
}

void MainWindow::clearFiles()
{
    if (m_renameRunning) {
        showMessage(tr("A rename is running: the list can be cleared once it has finished."));
        return;
    }
    m_jobs->cancel();
    m_files->clear();
    m_selectedCount = 0;
    m_folderList.clear();
    m_preview->clear();
    m_metadataPanel->clear();
    m_previewController->setFiles({});
    m_previewSummary->setText(tr("No preview"));
    setWindowTitle(QStringLiteral("oncutf"));
    updateStatus();
    updateRenameButton();
}

QList<FileEntry> MainWindow::selectedEntries() const
{
    // Row by row over the selection ranges: mapSelectionToSource() would map every cell of a
    // 100k-row selection one by one and stall the GUI thread.
    const QItemSelection selection = m_fileView->selectionModel()->selection();
    QList<int> rows;
    for (const QItemSelectionRange &range : selection)
        for (int r = range.top(); r <= range.bottom(); ++r)
            rows.append(m_fileProxy->mapToSource(m_fileProxy->index(r, 0)).row());
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    QList<FileEntry> out;
    out.reserve(rows.size());
    for (const int r : rows)
        if (r >= 0)
            out.append(m_files->row(r).entry);
    return out;
}

QHash<QByteArray, core::metadata::MetadataRecord> MainWindow::knownMetadata(const QList<FileEntry> &files) const
{
    QHash<QByteArray, core::metadata::MetadataRecord> known;
    known.reserve(files.size());
    for (const FileEntry &entry : files) {
        const int row = m_files->rowOfPath(entry.path);
        if (row < 0)
            continue;
        const auto &r = m_files->row(row);
        if (r.metadata != FileTableModel::MetadataState::Fast && r.metadata != FileTableModel::MetadataState::Extended)
            continue;
        core::metadata::MetadataRecord record;
        record.path = entry.path;
        record.mode = r.metadata == FileTableModel::MetadataState::Extended ? MetadataMode::Extended : MetadataMode::Fast;
        record.fields = r.fields;
        known.insert(entry.path, std::move(record));
    }
    return known;
}

void MainWindow::selectAll()
{
    m_fileView->selectAll();
}

void MainWindow::selectNone()
{
    m_fileView->clearSelection();
}

void MainWindow::invertSelection()
{
    const int rows = m_fileProxy->rowCount();
    if (rows == 0)
        return;
    const QItemSelection all(m_fileProxy->index(0, 0), m_fileProxy->index(rows - 1, m_fileProxy->columnCount() - 1));
    m_fileView->selectionModel()->select(all, QItemSelectionModel::Toggle | QItemSelectionModel::Rows);
}

void MainWindow::revealPath(const QByteArray &path)
{
    const int row = m_files->rowOfPath(path);
    if (row < 0) {
        showMessage(tr("%1 is not in the file list.").arg(core::files::toDisplay(path)));
        return;
    }
    const QModelIndex index = m_fileProxy->mapFromSource(m_files->index(row, FileTableModel::NameColumn));
    m_fileView->scrollTo(index);
    m_fileView->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    raise();
    activateWindow();
}

void MainWindow::reportStartup(const core::Result<core::AppServices::OpenReport> &opened)
{
    QString title;
    QString text;
    QMessageBox::Icon icon = QMessageBox::Information;
    if (!opened) {
        icon = QMessageBox::Warning;
        title = tr("Database unavailable");
        text = tr("The database could not be opened: %1\nRenaming works; caches, history and undo do not.")
                   .arg(opened.error().toString());
    } else if (opened->recovery) {
        title = tr("Interrupted rename recovered");
        text = tr("A rename was interrupted (oncutf or the machine stopped in the middle of it). "
                  "It has been rolled back, so every file is under its old name.\n\n%1")
                   .arg(core::recoverySummary(*opened->recovery));
        if (!opened->recovery->problems.isEmpty())
            icon = QMessageBox::Warning;
    } else if (opened->databaseNotice) {
        title = tr("Database repaired");
        text = *opened->databaseNotice;
    } else {
        return;
    }
    showMessage(title);
    auto *box = new QMessageBox(icon, tr("oncutf: %1").arg(title), text, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("startupNotice"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::setMetadataColumns(const QStringList &keys)
{
    m_files->setMetadataColumns(keys);
}

void MainWindow::onSelectionChanged()
{
    QList<FileEntry> selected = selectedEntries();
    m_selectedCount = selected.size();
    m_previewController->setFiles(std::move(selected));
    m_previewController->requestUpdate(true); // selection changes show at once
    updateStatus();
}

void MainWindow::onCurrentFileChanged()
{
    const QModelIndex current = m_fileView->selectionModel()->currentIndex();
    if (!current.isValid()) {
        m_metadataPanel->clear();
        return;
    }
    const auto &row = m_files->row(m_fileProxy->mapToSource(current).row());
    QString note;
    switch (row.metadata) {
    case FileTableModel::MetadataState::None: note = tr("Metadata not loaded: Ctrl+M (fast) or Ctrl+Shift+M (extended)."); break;
    case FileTableModel::MetadataState::Error: note = tr("Metadata could not be read: %1").arg(row.metadataError); break;
    default: break;
    }
    m_metadataPanel->showFile(row.name, row.fields, note);
}

// ---- recipe and preview

void MainWindow::onRecipeEdited()
{
    const QString error = m_recipeEditor->validationError();
    if (!error.isEmpty()) {
        m_previewSummary->setText(tr("The recipe is not valid: %1").arg(error));
        m_renameButton->setEnabled(false);
        return;
    }
    m_previewController->setRecipe(m_recipeEditor->recipe());
    m_previewController->requestUpdate(); // debounced: typing does not plan per key
    updateRenameButton();
}

void MainWindow::onPlanReady(const core::rename::RenamePlan &plan, const QStringList &problems)
{
    m_preview->setPlan(plan);
    QString text = m_preview->summaryText();
    if (!plan.runnable && !plan.refusal.isEmpty() && !plan.items.isEmpty())
        text += QStringLiteral("\n") + plan.refusal;
    if (!problems.isEmpty())
        text += QStringLiteral("\n") + tr("%1 files could not be read (hover the rows).").arg(problems.size());
    m_previewSummary->setText(text);
    updateRenameButton();
    Q_EMIT previewUpdated();
}

void MainWindow::updateRenameButton()
{
    const core::rename::RenamePlan &plan = m_preview->plan();
    bool enabled = m_preview->hasPlan() && !m_previewController->isBusy() && !m_jobs->isBusy()
                   && m_recipeEditor->validationError().isEmpty() && !m_shutdownStarted;
    QString why;
    if (enabled) {
        if (m_recipeEditor->askOnConflict()) {
            // Ask resolves problem rows one by one; it needs something to rename or to ask about.
            bool anything = false;
            for (const auto &item : plan.items)
                anything = anything || (item.status != ItemStatus::Unchanged && !item.companionOf);
            enabled = anything;
            why = tr("Nothing to rename.");
        } else {
            enabled = plan.runnable && plan.summary.toRename > 0;
            why = plan.runnable ? tr("Nothing to rename.") : plan.refusal;
        }
    } else if (m_jobs->isBusy()) {
        why = tr("Wait for %1 to end (or press Esc).").arg(m_jobs->currentTitle());
    } else if (m_previewController->isBusy()) {
        why = tr("The preview is being computed.");
    }
    m_renameButton->setEnabled(enabled);
    m_renameButton->setToolTip(enabled ? tr("Rename %1 files; Ctrl+Z undoes it.").arg(plan.summary.toRename) : why);
}

void MainWindow::updateStatus()
{
    const QLocale locale;
    QString text = tr("%1 files (%2), %3 selected")
                       .arg(locale.toString(m_files->rowCount()))
                       .arg(locale.formattedDataSize(m_files->totalBytes(), 1, QLocale::DataSizeTraditionalFormat))
                       .arg(locale.toString(qlonglong(m_selectedCount)));
    if (m_files->metadataLoadedCount() > 0)
        text += tr(", metadata %1").arg(locale.toString(m_files->metadataLoadedCount()));
    if (m_files->hashedCount() > 0)
        text += tr(", hashed %1").arg(locale.toString(m_files->hashedCount()));
    if (!m_lastMessage.isEmpty())
        text += QStringLiteral(" | ") + m_lastMessage;
    m_statusLabel->setText(text);
}

void MainWindow::showMessage(const QString &text)
{
    m_lastMessage = text;
    updateStatus();
}

// ---- long work

void MainWindow::loadMetadata(MetadataMode mode, bool selectedOnly)
{
    const QList<FileEntry> files = selectedOnly ? selectedEntries() : m_files->entries();
    if (files.isEmpty()) {
        showMessage(tr("Select the files to load metadata for (Ctrl+A selects all)."));
        return;
    }
    QList<QByteArray> paths;
    paths.reserve(files.size());
    for (const auto &entry : files)
        paths.append(entry.path);
    m_jobs->enqueue(mode == MetadataMode::Extended ? tr("Extended metadata") : tr("Metadata"),
                    [this, paths, mode]() -> core::concurrency::Worker * {
                        core::metadata::MetadataLoader::Options options;
                        options.pool = &m_context.pool();
                        options.exiftool = &m_services.exiftool();
                        options.cache = &m_services.metadataCache();
                        auto *worker = new core::metadata::MetadataWorker(paths, mode, options);
                        watchMetadataWorker(worker);
                        return worker;
                    });
}

void MainWindow::watchMetadataWorker(core::metadata::MetadataWorker *worker)
{
    connect(worker, &core::metadata::MetadataWorker::resultsReady, m_files, &FileTableModel::applyMetadata);
    // While this job reads, the preview takes what arrived and waits for the rest instead of
    // reading the same files a second time.
    m_previewController->setReadMissingMetadata(false);
    connect(worker, &core::concurrency::Worker::finished, this, [this](bool) {
        m_files->flushChanges(); // the last results, before the preview asks for them
        m_previewController->setReadMissingMetadata(true);
        m_previewController->requestUpdate();
    });
}

void MainWindow::hashFiles(bool selectedOnly)
{
    const QList<FileEntry> files = selectedOnly ? selectedEntries() : m_files->entries();
    if (files.isEmpty()) {
        showMessage(tr("Select the files to hash (Ctrl+A selects all)."));
        return;
    }
    QList<QByteArray> paths;
    for (const auto &entry : files)
        paths.append(entry.path);
    m_jobs->enqueue(tr("CRC32"), [this, paths]() -> core::concurrency::Worker * {
        core::hash::BatchHasher::Options options;
        options.pool = &m_context.pool();
        options.cache = &m_services.hashCache();
        auto *worker = new core::hash::HashWorker(paths, options);
        connect(worker, &core::hash::HashWorker::resultsReady, m_files, &FileTableModel::applyHashes);
        return worker;
    });
}

void MainWindow::findDuplicates()
{
    const QList<FileEntry> files = m_files->entries();
    if (files.size() < 2) {
        showMessage(tr("Open a folder with files first."));
        return;
    }
    m_jobs->enqueue(tr("Finding duplicates"), [this, files]() -> core::concurrency::Worker * {
        core::hash::BatchHasher::Options options;
        options.pool = &m_context.pool();
        options.cache = &m_services.hashCache();
        auto *worker = new core::hash::DuplicatesWorker(files, options);
        connect(worker, &core::hash::DuplicatesWorker::reportReady, this,
                [this](const core::hash::DuplicateReport &report) {
                    showHashResults();
                    m_hashResults->showDuplicates(report);
                });
        return worker;
    });
}

void MainWindow::compareWithFolder(const QString &otherFolder)
{
    if (m_folderList.isEmpty()) {
        showMessage(tr("Open the folder to compare first."));
        return;
    }
    const QString folderA = m_folderList.constFirst();
    const QByteArray rootA = nativeFolder(folderA);
    const QByteArray rootB = nativeFolder(otherFolder);
    const bool recursive = m_recursive;
    // Folder B is listed by a scan job first; the compare job then starts from both listings.
    auto other = std::make_shared<QList<FileEntry>>();
    m_jobs->enqueue(tr("Listing %1").arg(QDir::toNativeSeparators(otherFolder)),
                    [this, rootB, recursive, other]() -> core::concurrency::Worker * {
                        core::files::ScanOptions options;
                        options.recursive = recursive;
                        auto *worker = new core::files::ScanWorker({rootB}, options);
                        connect(worker, &core::files::ScanWorker::batchReady, this,
                                [other](const QList<FileEntry> &entries) { other->append(entries); });
                        return worker;
                    });
    m_jobs->enqueue(tr("Comparing folders"), [this, rootA, rootB, other, folderA, otherFolder]() -> core::concurrency::Worker * {
        QList<FileEntry> mine;
        for (const auto &row : m_files->rows())
            if (row.entry.path.startsWith(QByteArray(rootA + '/')))
                mine.append(row.entry);
        core::hash::BatchHasher::Options options;
        options.pool = &m_context.pool();
        options.cache = &m_services.hashCache();
        auto *worker = new core::hash::CompareWorker(core::hash::FolderComparer::relativeIndex(rootA, mine),
                                                     core::hash::FolderComparer::relativeIndex(rootB, *other), options);
        connect(worker, &core::hash::CompareWorker::comparisonReady, this,
                [this, folderA, otherFolder](const core::hash::FolderComparison &result) {
                    showHashResults();
                    m_hashResults->showComparison(result, folderA, otherFolder);
                });
        return worker;
    });
}

void MainWindow::showHashResults()
{
    if (!m_hashResults) {
        m_hashResults = new HashResultsDialog(this);
        connect(m_hashResults, &HashResultsDialog::revealRequested, this, &MainWindow::revealPath);
    }
    m_hashResults->show();
    m_hashResults->raise();
}

void MainWindow::cancelJobs()
{
    if (!m_jobs->isBusy() && m_jobs->queuedCount() == 0)
        return;
    m_jobs->cancel();
    showMessage(tr("Cancelling %1...").arg(m_jobs->currentTitle()));
}

// ---- rename, undo, redo, history

void MainWindow::applyRename()
{
    if (!m_renameButton->isEnabled())
        return;
    QList<FileEntry> files = selectedEntries();
    core::rename::Recipe recipe = m_recipeEditor->recipe();
    const core::rename::RenamePlan &plan = m_preview->plan();
    if (m_recipeEditor->askOnConflict()) {
        QList<qsizetype> problems;
        for (qsizetype i = 0; i < plan.items.size(); ++i)
            if (isProblem(plan.items.at(i).status) && !plan.items.at(i).companionOf)
                problems.append(i);
        // Ask row by row. Skip leaves a file (and its companions) out of the batch; the first
        // Overwrite or Suffix answer becomes the batch's policy for every conflict not skipped
        // (one batch has one policy), so later rows are asked Skip-or-that.
        QSet<QByteArray> skipped;
        std::optional<ConflictPolicy> chosen;
        bool skipRest = false;
        for (qsizetype n = 0; n < problems.size() && !skipRest; ++n) {
            const auto &item = plan.items.at(problems.at(n));
            // Overwrite and suffix mend a taken name, never an invalid name or missing data.
            const bool mendable = item.status == ItemStatus::Conflict || item.status == ItemStatus::Duplicate;
            ConflictDialog dialog(this);
            dialog.setConflict(core::files::toDisplay(core::files::fileName(item.oldPath)),
                               core::files::toDisplay(core::files::fileName(item.newPath)), item.reason, int(n + 1),
                               int(problems.size()));
            if (auto *b = dialog.findChild<QWidget *>(QStringLiteral("overwriteButton")))
                b->setEnabled(mendable && (!chosen || *chosen == ConflictPolicy::Overwrite));
            if (auto *b = dialog.findChild<QWidget *>(QStringLiteral("suffixButton")))
                b->setEnabled(mendable && (!chosen || *chosen == ConflictPolicy::Suffix));
            dialog.exec();
            switch (dialog.choice()) {
            case ConflictDialog::Choice::Cancel:
                showMessage(tr("Rename cancelled: nothing changed."));
                return;
            case ConflictDialog::Choice::SkipAll:
                for (qsizetype m = n; m < problems.size(); ++m)
                    skipped.insert(plan.items.at(problems.at(m)).oldPath);
                skipRest = true;
                break;
            case ConflictDialog::Choice::Skip:
                skipped.insert(item.oldPath);
                if (dialog.applyToAll()) {
                    for (qsizetype m = n + 1; m < problems.size(); ++m)
                        skipped.insert(plan.items.at(problems.at(m)).oldPath);
                    skipRest = true;
                }
                break;
            case ConflictDialog::Choice::Overwrite:
            case ConflictDialog::Choice::Suffix:
                chosen = dialog.choice() == ConflictDialog::Choice::Overwrite ? ConflictPolicy::Overwrite
                                                                               : ConflictPolicy::Suffix;
                if (dialog.applyToAll())
                    skipRest = true;
                break;
            }
        }
        // Companions follow their main in and out of the batch.
        for (const auto &item : plan.items)
            if (item.companionOf && skipped.contains(plan.items.at(*item.companionOf).oldPath))
                skipped.insert(item.oldPath);
        files.removeIf([&skipped](const FileEntry &entry) { return skipped.contains(entry.path); });
        recipe.onConflict = chosen.value_or(ConflictPolicy::Skip);
        if (files.isEmpty()) {
            showMessage(tr("Every file was skipped: nothing changed."));
            return;
        }
    }
    runRename(std::move(files), std::move(recipe));
}

void MainWindow::runRename(QList<FileEntry> files, core::rename::Recipe recipe)
{
    std::optional<QByteArray> root;
    if (!m_folderList.isEmpty())
        root = nativeFolder(m_folderList.constFirst());
    m_jobs->enqueue(tr("Renaming"), [this, files, recipe, root]() -> core::concurrency::Worker * {
        core::rename::RenameInputLoader::Options options;
        options.pool = &m_context.pool();
        options.exiftool = &m_services.exiftool();
        options.metadataCache = &m_services.metadataCache();
        options.hashCache = &m_services.hashCache();
        auto *worker = core::rename::RenameWorker::apply(m_services.database(), files, recipe, options, root,
                                                         knownMetadata(files));
        m_renameRunning = true;
        // Also when the worker failed without a report (done() is the normal path).
        connect(worker, &core::concurrency::Worker::finished, this, [this] { m_renameRunning = false; });
        connect(worker, &core::rename::RenameWorker::done, this, &MainWindow::onRenameDone);
        return worker;
    });
    updateRenameButton();
}

void MainWindow::undo()
{
    enqueueRevert(true, std::nullopt);
}

void MainWindow::redo()
{
    enqueueRevert(false, std::nullopt);
}

void MainWindow::enqueueRevert(bool undo, std::optional<qint64> batchId)
{
    m_jobs->enqueue(undo ? tr("Undo") : tr("Redo"), [this, undo, batchId]() -> core::concurrency::Worker * {
        auto *worker = undo ? core::rename::RenameWorker::undo(m_services.database(), batchId)
                            : core::rename::RenameWorker::redo(m_services.database(), batchId);
        m_renameRunning = true;
        // Also when the worker failed without a report (done() is the normal path).
        connect(worker, &core::concurrency::Worker::finished, this, [this] { m_renameRunning = false; });
        connect(worker, &core::rename::RenameWorker::done, this, &MainWindow::onRenameDone);
        return worker;
    });
}

void MainWindow::onRenameDone(const core::rename::RenameOutcome &outcome)
{
    m_renameRunning = false;
    showMessage(outcome.message);
    if (!outcome.problems.isEmpty() || (!outcome.ok && !outcome.cancelled)) {
        // Not exec(): the job thread finishes and the list reloads while the report is shown.
        auto *shown = new QMessageBox(outcome.ok ? QMessageBox::Information : QMessageBox::Warning, tr("oncutf"),
                                      outcome.message, QMessageBox::Ok, this);
        if (!outcome.problems.isEmpty())
            shown->setDetailedText(outcome.problems.join(QLatin1Char('\n')));
        shown->setAttribute(Qt::WA_DeleteOnClose);
        shown->setObjectName(QStringLiteral("renameReport"));
        shown->open();
    }
    if (m_historyDialog && m_historyDialog->isVisible()) {
        if (auto history = m_services.executor().history(200))
            m_historyDialog->setBatches(*history);
    }
    Q_EMIT renameFinished(outcome);
    if (outcome.batchId > 0)
        reload(); // names changed on disk: list them again
}

void MainWindow::showHistory()
{
    if (!m_historyDialog) {
        m_historyDialog = new HistoryDialog(this);
        connect(m_historyDialog, &HistoryDialog::undoRequested, this, [this](qint64 id) { enqueueRevert(true, id); });
        connect(m_historyDialog, &HistoryDialog::redoRequested, this, [this](qint64 id) { enqueueRevert(false, id); });
    }
    auto history = m_services.executor().history(200);
    if (!history) {
        showMessage(tr("Cannot read the rename history: %1").arg(history.error().toString()));
        return;
    }
    m_historyDialog->setBatches(*history);
    m_historyDialog->show();
    m_historyDialog->raise();
}

// ---- presets

void MainWindow::refreshRecentPresets()
{
    m_recentMenu->clear();
    const QStringList recent = m_presets->recentPresets();
    for (const QString &path : recent) {
        QAction *action = m_recentMenu->addAction(QFileInfo(path).completeBaseName());
        action->setToolTip(path);
        connect(action, &QAction::triggered, this, [this, path] { loadPreset(path); });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::loadPreset(const QString &path)
{
    auto recipe = m_presets->load(path);
    if (!recipe) {
        QMessageBox::warning(this, tr("Load preset"), recipe.error().toString());
        return;
    }
    m_presets->addRecent(path);
    m_recipeEditor->setRecipe(*recipe);
    refreshRecentPresets();
    showMessage(tr("Preset %1 loaded.").arg(QFileInfo(path).completeBaseName()));
}

void MainWindow::savePresetAs()
{
    if (const QString error = m_recipeEditor->validationError(); !error.isEmpty()) {
        QMessageBox::warning(this, tr("Save preset"), tr("The recipe is not valid: %1").arg(error));
        return;
    }
    QDir().mkpath(PresetStore::defaultFolder());
    QString path = QFileDialog::getSaveFileName(this, tr("Save preset"), PresetStore::defaultFolder(),
                                                tr("oncutf recipes (*.json)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".json")))
        path += QStringLiteral(".json");
    if (const core::Status saved = m_presets->save(m_recipeEditor->recipe(), path); !saved) {
        QMessageBox::warning(this, tr("Save preset"), saved.error().toString());
        return;
    }
    m_presets->addRecent(path);
    refreshRecentPresets();
    showMessage(tr("Preset saved to %1.").arg(path));
}

// ---- drag and drop

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList folders;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (!url.isLocalFile())
            continue;
        const QFileInfo info(url.toLocalFile());
        // A dropped file opens its folder, as the folder tree would.
        const QString folder = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
        if (!folders.contains(folder))
            folders.append(folder);
    }
    if (folders.isEmpty())
        return;
    // As the original: Ctrl = with sub-folders, Shift = add to the current list.
    const Qt::KeyboardModifiers modifiers = event->modifiers();
    openFolders(folders, modifiers.testFlag(Qt::ControlModifier), modifiers.testFlag(Qt::ShiftModifier));
    event->acceptProposedAction();
}

// ---- shutdown

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_shutdownComplete) {
        event->accept();
        return;
    }
    // Keep the window alive (and painting) while the work stops and the coordinator stops the
    // services one phase per tick; a second close request meanwhile is ignored.
    event->ignore();
    if (m_shutdownStarted)
        return;
    beginShutdown();
}

void MainWindow::beginShutdown()
{
    m_shutdownStarted = true;
    saveSettings();
    setEnabled(false);
    m_statusLabel->setText(tr("Stopping the running work..."));
    m_jobs->cancel();
    m_previewController->halt();
    // Work that does not stop in time is abandoned to the coordinator's emergency path.
    m_context.timers().schedule([this] { continueShutdown(); }, kShutdownGraceMs,
                                core::concurrency::TimerPriority::Normal, core::concurrency::TimerType::Generic,
                                QStringLiteral("shutdown_grace"));
    continueShutdown();
}

void MainWindow::continueShutdown()
{
    if (m_shutdownContinued)
        return;
    const bool graceOver = !m_context.timers().isActive(QStringLiteral("shutdown_grace"));
    if (!graceOver && (m_jobs->isBusy() || m_previewController->isComputing()))
        return; // the idle / computingStopped signals call again
    m_shutdownContinued = true;
    m_context.timers().cancel(QStringLiteral("shutdown_grace"));
    // Both threads have ended their work (or the grace is over): joining them is immediate.
    m_previewController->stop(QDeadlineTimer(2000));
    m_jobs->stop(QDeadlineTimer(2000));
    if (!m_context.shutdownAsync(graceOver && (m_jobs->isBusy() || m_previewController->isComputing()))
        || m_context.isShutDown())
        onShutdownCompleted(true);
}

void MainWindow::onShutdownCompleted(bool ok)
{
    if (m_shutdownComplete)
        return;
    m_shutdownComplete = true;
    close();
    Q_EMIT closedAfterShutdown(ok);
}

} // namespace oncutf::gui
