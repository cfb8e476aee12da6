// ctest-timeout: 240
// The main window over the real core: a real database file, real folders, the real ExifTool
// for metadata, the offscreen platform. Open a folder, build a recipe through the widgets, read
// the preview, rename, undo, redo, and close while work runs; closing goes through the shutdown
// coordinator (phases in order, the window painting meanwhile).

#include "core/appcontext.h"
#include "core/appservices.h"
#include "core/db/databasemanager.h"
#include "core/db/renamejournal.h"
#include "core/files/nativepath.h"
#include "core/rename/renameworker.h"
#include "gui/filetablemodel.h"
#include "gui/historydialog.h"
#include "gui/jobcontroller.h"
#include "gui/mainwindow.h"
#include "gui/previewcontroller.h"
#include "gui/previewmodel.h"
#include "gui/recipeeditor.h"

#include <QAbstractButton>
#include <QAbstractProxyModel>
#include <QApplication>
#include <QDialog>
#include <QMessageBox>
#include <QTimer>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>
#include <thread>

#include <cstdio>

using namespace oncutf;
using core::rename::ItemStatus;
using core::rename::ModuleType;
using core::rename::Recipe;
using core::rename::RecipeModule;

namespace {

void touch(const QString &path, const QByteArray &content = {})
{
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
    file.write(content);
}

QStringList namesIn(const QString &folder)
{
    QStringList names = QDir(folder).entryList(QDir::Files | QDir::Hidden, QDir::Name);
    return names;
}

Recipe prefixRecipe(const QString &prefix)
{
    Recipe recipe;
    RecipeModule text = RecipeModule::make(ModuleType::Text);
    text.text = prefix;
    recipe.modules = {text, RecipeModule::make(ModuleType::OriginalName)};
    return recipe;
}

// One window with everything it needs, torn down through the coordinator.
struct Harness {
    QTemporaryDir home;
    std::unique_ptr<QSettings> settings;
    std::unique_ptr<core::AppContext> context;
    std::unique_ptr<core::AppServices> services;
    std::unique_ptr<gui::MainWindow> window;

    explicit Harness(const QString &settingsFile = {})
    {
        settings = std::make_unique<QSettings>(settingsFile.isEmpty() ? home.filePath(QStringLiteral("settings.ini")) : settingsFile,
                                               QSettings::IniFormat);
        context = std::make_unique<core::AppContext>();
        services = std::make_unique<core::AppServices>(*context, home.filePath(QStringLiteral("oncutf.db")), 2);
        const auto opened = services->open(true);
        if (!opened)
            qFatal("cannot open the test database: %s", qPrintable(opened.error().toString()));
        window = std::make_unique<gui::MainWindow>(*context, *services, *settings);
        window->show();
    }

    bool close()
    {
        if (context->isShutDown())
            return true;
        QSignalSpy closed(window.get(), &gui::MainWindow::closedAfterShutdown);
        window->close();
        return closed.count() > 0 || closed.wait(20000);
    }

    ~Harness()
    {
        // A failed check may leave work or a dialog behind: the services still need their
        // shutdown before they are destroyed.
        if (!close())
            context->shutdownSync(true);
        window.reset();
        services.reset();
        context.reset();
    }

    bool open(const QString &folder, bool recursive = false)
    {
        QSignalSpy loaded(window.get(), &gui::MainWindow::filesLoaded);
        window->openFolders({folder}, recursive);
        return loaded.wait(20000);
    }

    // Waits until the preview shows the plan of everything asked so far.
    bool settle()
    {
        return QTest::qWaitFor([this] { return !window->previewController().isBusy() && !window->jobs().isBusy(); },
                               30000);
    }

    QList<ItemStatus> statuses()
    {
        QList<ItemStatus> out;
        for (const auto &item : window->previewModel().plan().items)
            out.append(item.status);
        return out;
    }

    core::rename::RenameOutcome runAndWait(const std::function<void()> &action)
    {
        QSignalSpy done(window.get(), &gui::MainWindow::renameFinished);
        action();
        if (!done.wait(30000))
            return {};
        return done.first().first().value<core::rename::RenameOutcome>();
    }
};

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qRegisterMetaType<core::rename::RenameOutcome>();
    }

    void closeRunsEveryPhaseInOrder()
    {
        Harness h;
        QVERIFY(QTest::qWaitForWindowExposed(h.window.get()));
        bool timerFired = false;
        h.context->timers().schedule([&timerFired] { timerFired = true; }, 60000);

        QSignalSpy phases(&h.context->coordinator(), &core::concurrency::ShutdownCoordinator::phaseStarted);
        QSignalSpy closed(h.window.get(), &gui::MainWindow::closedAfterShutdown);
        QVERIFY(!h.window->close()); // the first request only starts the shutdown
        QVERIFY(h.window->isVisible()); // ... and the window keeps painting meanwhile
        QVERIFY(!h.window->isEnabled());
        QVERIFY(closed.wait(10000));
        QCOMPARE(closed.first().first().toBool(), true);
        QVERIFY(!h.window->isVisible());
        QVERIFY(h.context->isShutDown());
        QStringList seen;
        for (const auto &args : phases)
            seen << args.first().toString();
        QCOMPARE(seen, (QStringList{QStringLiteral("TIMERS"), QStringLiteral("THREAD_POOL"), QStringLiteral("DATABASE"),
                                    QStringLiteral("EXIFTOOL"), QStringLiteral("FINALIZE")}));
        QVERIFY(!timerFired);
        QVERIFY(h.context->pool().isShutDown());
    }

    void secondCloseWhileShuttingDownIsIgnored()
    {
        Harness h;
        QSignalSpy closed(h.window.get(), &gui::MainWindow::closedAfterShutdown);
        QVERIFY(!h.window->close());
        QVERIFY(!h.window->close());
        QVERIFY(closed.wait(10000));
        QCOMPARE(closed.count(), 1);
    }

    void openBuildPreviewApplyUndoRedo()
    {
        Harness h;
        QTemporaryDir dir;
        const QStringList originals{QStringLiteral("a.txt"), QStringLiteral("b.txt"), QStringLiteral("c d.txt")};
        for (const QString &name : originals)
            touch(dir.filePath(name), name.toUtf8());
        QVERIFY(h.open(dir.path()));
        QCOMPARE(h.window->fileModel().rowCount(), 3);
        QCOMPARE(h.window->selectedEntries().size(), 3); // opened folders start fully selected
        QVERIFY(h.settle());
        QCOMPARE(h.window->previewModel().rowCount(), 3);

        // Build "<text>_<counter>" through the widgets: remove the default module, add two.
        gui::RecipeEditor &editor = h.window->recipeEditor();
        editor.setRecipe(Recipe{});
        auto *typeCombo = editor.findChild<QComboBox *>(QStringLiteral("addModuleType"));
        auto *addButton = editor.findChild<QPushButton *>(QStringLiteral("addModuleButton"));
        QVERIFY(typeCombo && addButton);
        typeCombo->setCurrentIndex(int(ModuleType::Text));
        QTest::mouseClick(addButton, Qt::LeftButton);
        auto *text = editor.moduleForm(editor.moduleCount() - 1)->findChild<QLineEdit *>(QStringLiteral("text"));
        QVERIFY(text);
        text->clear();
        QTest::keyClicks(text, QStringLiteral("trip_"));
        typeCombo->setCurrentIndex(int(ModuleType::Counter));
        QTest::mouseClick(addButton, Qt::LeftButton);
        auto *padding = editor.moduleForm(editor.moduleCount() - 1)->findChild<QSpinBox *>(QStringLiteral("padding"));
        QVERIFY(padding);
        padding->setValue(2);
        QVERIFY2(editor.validationError().isEmpty(), qPrintable(editor.validationError()));

        QVERIFY(h.settle());
        const auto &plan = h.window->previewModel().plan();
        QCOMPARE(plan.items.size(), 3);
        QStringList newNames;
        for (const auto &item : plan.items)
            newNames << QFile::decodeName(core::files::fileName(item.newPath));
        QCOMPARE(newNames, (QStringList{QStringLiteral("trip_01.txt"), QStringLiteral("trip_02.txt"), QStringLiteral("trip_03.txt")}));
        QCOMPARE(h.statuses(), (QList<ItemStatus>{ItemStatus::Ok, ItemStatus::Ok, ItemStatus::Ok}));
        QVERIFY(h.window->renameButton().isEnabled());

        auto outcome = h.runAndWait([&] { QTest::mouseClick(&h.window->renameButton(), Qt::LeftButton); });
        QVERIFY2(outcome.ok, qPrintable(outcome.message));
        QCOMPARE(outcome.renamed, 3);
        QCOMPARE(namesIn(dir.path()), (QStringList{QStringLiteral("trip_01.txt"), QStringLiteral("trip_02.txt"),
                                                   QStringLiteral("trip_03.txt")}));
        // The list follows the disk.
        QVERIFY(h.settle());
        QTRY_COMPARE_WITH_TIMEOUT(h.window->fileModel().rowCount(), 3, 10000);
        QVERIFY(h.window->fileModel().rowOfPath(core::files::fsEncode(dir.filePath(QStringLiteral("trip_01.txt")))) >= 0);

        // Ctrl+Z, then Ctrl+Shift+Z, as a user types them.
        outcome = h.runAndWait([&] { QTest::keyClick(h.window.get(), Qt::Key_Z, Qt::ControlModifier); });
        QVERIFY2(outcome.ok, qPrintable(outcome.message));
        QCOMPARE(namesIn(dir.path()), (QStringList{QStringLiteral("a.txt"), QStringLiteral("b.txt"), QStringLiteral("c d.txt")}));
        QFile back(dir.filePath(QStringLiteral("c d.txt")));
        QVERIFY(back.open(QIODevice::ReadOnly));
        QCOMPARE(back.readAll(), QByteArray("c d.txt")); // contents travel with the names
        outcome = h.runAndWait(
            [&] { QTest::keyClick(h.window.get(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier); });
        QVERIFY2(outcome.ok, qPrintable(outcome.message));
        QCOMPARE(namesIn(dir.path()), (QStringList{QStringLiteral("trip_01.txt"), QStringLiteral("trip_02.txt"),
                                                   QStringLiteral("trip_03.txt")}));
    }

    void conflictWithAFileOutsideTheBatchBlocksRename()
    {
        Harness h;
        QTemporaryDir dir;
        touch(dir.filePath(QStringLiteral("one.txt")));
        touch(dir.filePath(QStringLiteral("two.txt")));
        touch(dir.filePath(QStringLiteral("x_one.txt")));
        QVERIFY(h.open(dir.path()));
        // Only one.txt and two.txt in the batch; x_one.txt stays, holding one.txt's new name.
        h.window->fileView().clearSelection();
        const auto select = [&](const QString &name) {
            const int row = h.window->fileModel().rowOfPath(core::files::fsEncode(dir.filePath(name)));
            QVERIFY(row >= 0);
            auto *view = &h.window->fileView();
            const QModelIndex index = static_cast<QAbstractProxyModel *>(view->model())->mapFromSource(
                h.window->fileModel().index(row, 1));
            view->selectionModel()->select(index, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        };
        select(QStringLiteral("one.txt"));
        select(QStringLiteral("two.txt"));
        h.window->recipeEditor().setRecipe(prefixRecipe(QStringLiteral("x_")));
        QVERIFY(h.settle());
        const auto &plan = h.window->previewModel().plan();
        QCOMPARE(plan.items.size(), 2);
        QCOMPARE(h.statuses(), (QList<ItemStatus>{ItemStatus::Conflict, ItemStatus::Ok}));
        QVERIFY(!plan.runnable);
        QVERIFY(!h.window->renameButton().isEnabled());
        QVERIFY(!h.window->renameButton().toolTip().isEmpty()); // says why
        // Tooltip of the problem row names the reason.
        const QString tip = h.window->previewModel().data(h.window->previewModel().index(0, 2), Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("x_one.txt")), qPrintable(tip));

        // Skip policy: the conflicting row is left alone, the other renamed.
        Recipe skip = prefixRecipe(QStringLiteral("x_"));
        skip.onConflict = core::rename::ConflictPolicy::Skip;
        h.window->recipeEditor().setRecipe(skip);
        QVERIFY(h.settle());
        QTRY_VERIFY_WITH_TIMEOUT(h.window->renameButton().isEnabled(), 10000);
        const auto outcome = h.runAndWait([&] { h.window->applyRename(); });
        QVERIFY2(outcome.ok, qPrintable(outcome.message));
        QCOMPARE(namesIn(dir.path()), (QStringList{QStringLiteral("one.txt"), QStringLiteral("x_one.txt"), QStringLiteral("x_two.txt")}));
    }

    void askPolicyAsksPerConflict()
    {
        Harness h;
        QTemporaryDir dir;
        touch(dir.filePath(QStringLiteral("one.txt")), "one");
        touch(dir.filePath(QStringLiteral("two.txt")), "two");
        touch(dir.filePath(QStringLiteral("x_one.txt")), "keep me");
        touch(dir.filePath(QStringLiteral("x_two.txt")), "keep me too");
        QVERIFY(h.open(dir.path()));
        h.window->fileView().clearSelection();
        auto *view = &h.window->fileView();
        for (const QString &name : {QStringLiteral("one.txt"), QStringLiteral("two.txt")}) {
            const int row = h.window->fileModel().rowOfPath(core::files::fsEncode(dir.filePath(name)));
            const QModelIndex index = static_cast<QAbstractProxyModel *>(view->model())->mapFromSource(
                h.window->fileModel().index(row, 1));
            view->selectionModel()->select(index, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
        h.window->recipeEditor().setRecipe(prefixRecipe(QStringLiteral("x_")));
        h.window->recipeEditor().setAskOnConflict(true);
        QVERIFY(h.settle());
        QCOMPARE(h.statuses(), (QList<ItemStatus>{ItemStatus::Conflict, ItemStatus::Conflict}));
        QTRY_VERIFY_WITH_TIMEOUT(h.window->renameButton().isEnabled(), 10000); // Ask can resolve them

        // The first conflict: Suffix; the second is then asked Skip-or-Suffix: Skip.
        QStringList answered;
        QTimer answer;
        answer.setInterval(10);
        connect(&answer, &QTimer::timeout, this, [&] {
            auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
            if (!dialog || dialog->objectName() != QStringLiteral("ConflictDialog"))
                return;
            const bool first = answered.isEmpty();
            auto *overwrite = dialog->findChild<QAbstractButton *>(QStringLiteral("overwriteButton"));
            answered << (overwrite && overwrite->isEnabled() ? QStringLiteral("overwrite-enabled") : QStringLiteral("overwrite-disabled"));
            QTest::mouseClick(dialog->findChild<QAbstractButton *>(first ? QStringLiteral("suffixButton") : QStringLiteral("skipButton")),
                              Qt::LeftButton);
        });
        answer.start();
        const auto outcome = h.runAndWait([&] { QTest::mouseClick(&h.window->renameButton(), Qt::LeftButton); });
        answer.stop();
        QVERIFY2(outcome.ok, qPrintable(outcome.message));
        QCOMPARE(answered, (QStringList{QStringLiteral("overwrite-enabled"), QStringLiteral("overwrite-disabled")}));
        QCOMPARE(namesIn(dir.path()), (QStringList{QStringLiteral("two.txt"), QStringLiteral("x_one.txt"),
                                                   QStringLiteral("x_one_1.txt"), QStringLiteral("x_two.txt")}));
        QFile kept(dir.filePath(QStringLiteral("x_one.txt")));
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QCOMPARE(kept.readAll(), QByteArray("keep me")); // nothing overwritten
    }

    void historyDialogUndoesAChosenBatch()
    {
        Harness h;
        QTemporaryDir dir;
        touch(dir.filePath(QStringLiteral("a.txt")));
        QVERIFY(h.open(dir.path()));
        h.window->recipeEditor().setRecipe(prefixRecipe(QStringLiteral("first_")));
        QVERIFY(h.settle());
        QVERIFY(h.runAndWait([&] { h.window->applyRename(); }).ok);
        QVERIFY(h.settle());
        h.window->recipeEditor().setRecipe(prefixRecipe(QStringLiteral("second_")));
        QVERIFY(h.settle());
        QVERIFY(h.runAndWait([&] { h.window->applyRename(); }).ok);
        QCOMPARE(namesIn(dir.path()), QStringList{QStringLiteral("second_first_a.txt")});

        QTest::keyClick(h.window.get(), Qt::Key_Y, Qt::ControlModifier);
        gui::HistoryDialog *history = h.window->historyDialog();
        QVERIFY(history && history->isVisible());
        QCOMPARE(history->batches().size(), 2);
        const qint64 newest = history->batches().first().id;
        history->selectBatch(newest);
        auto *undoButton = history->findChild<QAbstractButton *>(QStringLiteral("undoButton"));
        QVERIFY(undoButton && undoButton->isEnabled());
        const auto outcome = h.runAndWait([&] { QTest::mouseClick(undoButton, Qt::LeftButton); });
        QVERIFY2(outcome.ok, qPrintable(outcome.message));
        QCOMPARE(outcome.targetBatchId, newest);
        QCOMPARE(namesIn(dir.path()), QStringList{QStringLiteral("first_a.txt")});
        QCOMPARE(history->batches().size(), 3); // refreshed: the undo batch is listed too
    }

    void staleResultsAreNeverShown()
    {
        Harness h;
        QTemporaryDir dir;
        for (int i = 0; i < 300; ++i)
            touch(dir.filePath(QStringLiteral("f%1.txt").arg(i, 3, 10, QLatin1Char('0'))));
        QVERIFY(h.open(dir.path()));
        QVERIFY(h.settle());
        QSignalSpy updates(h.window.get(), &gui::MainWindow::previewUpdated);
        // A burst of edits, faster than the debounce: only the last one may reach the table.
        for (int i = 0; i < 20; ++i)
            h.window->recipeEditor().setRecipe(prefixRecipe(QStringLiteral("v%1_").arg(i)));
        QVERIFY(h.settle());
        QVERIFY(updates.count() >= 1);
        QVERIFY(updates.count() <= 2); // debounced, not one plan per edit
        const auto &items = h.window->previewModel().plan().items;
        QCOMPARE(items.size(), 300);
        for (const auto &item : items)
            QVERIFY(core::files::fileName(item.newPath).startsWith("v19_"));
    }

    void metadataLoadsIntoTheTableAndTheRecipe()
    {
        QTemporaryDir dir;
        QProcess fixtures;
        fixtures.start(QStringLiteral("python3"),
                       {QStringLiteral(ONCUTF_SOURCE_DIR "/tests/data/make_fixtures.py"), QStringLiteral("--bench"),
                        QStringLiteral("5"), dir.path()});
        QVERIFY(fixtures.waitForFinished(60000));
        QCOMPARE(fixtures.exitCode(), 0);
        Harness h;
        QVERIFY(h.open(dir.path()));
        QCOMPARE(h.window->fileModel().rowCount(), 5);
        QTest::keyClick(h.window.get(), Qt::Key_M, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(h.window->fileModel().metadataLoadedCount(), 5, 30000);
        const auto &row = h.window->fileModel().row(0);
        QCOMPARE(row.metadata, gui::FileTableModel::MetadataState::Fast);
        QVERIFY(row.fields.contains(QStringLiteral("EXIF:Make")));
        h.window->setMetadataColumns({QStringLiteral("EXIF:Model")});
        QVERIFY(!h.window->fileModel().data(h.window->fileModel().index(0, gui::FileTableModel::FixedColumns)).toString().isEmpty());

        Recipe byDate;
        RecipeModule date = RecipeModule::make(ModuleType::Metadata);
        date.field = QStringLiteral("EXIF:DateTimeOriginal");
        date.format = QStringLiteral("%Y%m%d");
        RecipeModule sep = RecipeModule::make(ModuleType::Text);
        sep.text = QStringLiteral("_");
        byDate.modules = {date, sep, RecipeModule::make(ModuleType::Counter)};
        h.window->recipeEditor().setRecipe(byDate);
        QVERIFY(h.settle());
        const auto &items = h.window->previewModel().plan().items;
        QCOMPARE(items.size(), 5);
        for (const auto &item : items) {
            QCOMPARE(item.status, ItemStatus::Ok);
            QVERIFY2(QRegularExpression(QStringLiteral("^\\d{8}_\\d{3}\\.jpg$"))
                         .match(QFile::decodeName(core::files::fileName(item.newPath)))
                         .hasMatch(),
                     item.newPath.constData());
        }
    }

    void settingsAndRecipeSurviveARestart()
    {
        QTemporaryDir keep;
        const QString ini = keep.filePath(QStringLiteral("settings.ini"));
        {
            Harness h(ini);
            h.window->recipeEditor().setRecipe(prefixRecipe(QStringLiteral("kept_")));
            h.window->recipeEditor().setAskOnConflict(true);
            QVERIFY(h.close());
        }
        Harness again(ini);
        QCOMPARE(again.window->recipeEditor().recipe().modules.size(), 2);
        QCOMPARE(again.window->recipeEditor().recipe().modules.first().text, QStringLiteral("kept_"));
        QVERIFY(again.window->recipeEditor().askOnConflict());
    }

    void interruptedRenameIsRecoveredAndReportedAtStart()
    {
        // A batch that "crashed" after its one rename: the journal says applying, a.txt is at b.txt.
        QTemporaryDir home;
        QTemporaryDir dir;
        touch(dir.filePath(QStringLiteral("a.txt")), "precious");
        const QByteArray a = core::files::fsEncode(dir.filePath(QStringLiteral("a.txt")));
        const QByteArray b = core::files::fsEncode(dir.filePath(QStringLiteral("b.txt")));
        const QString dbPath = home.filePath(QStringLiteral("oncutf.db"));
        {
            core::db::DatabaseManager database(dbPath);
            QVERIFY(database.open());
            core::db::RenameJournal journal(database);
            core::db::NewBatch batch;
            batch.ops.append({a, b, std::nullopt, std::nullopt});
            auto created = journal.createBatch(batch);
            QVERIFY(created.ok());
            QVERIFY(journal.setBatchState(created->batchId, core::db::BatchState::Applying));
            QCOMPARE(::rename(a.constData(), b.constData()), 0);
            QVERIFY(journal.markOp(created->opIds.at(0), core::db::OpState::Done));
            QVERIFY(database.close());
        }
        QSettings settings(home.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        core::AppContext context;
        core::AppServices services(context, dbPath, 1);
        const auto opened = services.open(true);
        QVERIFY(opened.ok());
        QVERIFY(opened->recovery.has_value());
        QCOMPARE(namesIn(dir.path()), QStringList{QStringLiteral("a.txt")}); // back before any window
        {
            gui::MainWindow window(context, services, settings);
            window.show();
            window.reportStartup(opened);
            auto *notice = window.findChild<QMessageBox *>(QStringLiteral("startupNotice"));
            QVERIFY(notice);
            QVERIFY(notice->isVisible());
            QVERIFY2(notice->text().contains(QStringLiteral("Recovered batch")), qPrintable(notice->text()));
            QVERIFY(notice->text().contains(QStringLiteral("1 files put back")));
            QSignalSpy closed(&window, &gui::MainWindow::closedAfterShutdown);
            window.close();
            QVERIFY(closed.wait(10000));
        }
    }

    void closeWhileWorkRunsCancelsIt()
    {
        Harness h;
        QTemporaryDir dir;
        for (int i = 0; i < 2000; ++i)
            touch(dir.filePath(QStringLiteral("big%1.bin").arg(i)), QByteArray(4096, char(i)));
        QVERIFY(h.open(dir.path()));
        std::atomic<bool> sawCancel{false};
        std::atomic<bool> started{false};
        QVERIFY(h.context->pool().submit(QStringLiteral("long"),
                                         [&](const core::concurrency::CancellationToken &token) -> QVariant {
                                             started = true;
                                             while (!token.isCancelled())
                                                 std::this_thread::yield();
                                             sawCancel = true;
                                             return {};
                                         }));
        QTRY_VERIFY_WITH_TIMEOUT(started.load(), 5000);
        h.window->hashFiles(false); // a job on the job thread too
        QTRY_VERIFY_WITH_TIMEOUT(h.window->jobs().isBusy(), 5000);
        QSignalSpy closed(h.window.get(), &gui::MainWindow::closedAfterShutdown);
        h.window->close();
        QVERIFY(h.window->isVisible()); // no freeze: the window stays up while work stops
        QVERIFY(closed.wait(20000));
        QVERIFY(sawCancel.load());
        QVERIFY(!h.window->jobs().isBusy());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
