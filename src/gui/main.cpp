// oncutf: the desktop front end. Sets up Qt, the AppContext, the AppServices (database, caches,
// journal, ExifTool) and the main window; every exit path (window close, SIGINT, SIGTERM) goes
// through the shutdown coordinator.
//
//   oncutf [--recipe FILE] [--recursive] [--screenshot PNG] [FOLDER...]
//
// --screenshot opens the folders, waits for the preview, saves a picture of the window and quits
// (how docs/screenshot.png is made: `make screenshot`).

#include "core/appcontext.h"
#include "core/appservices.h"
#include "core/db/databasemanager.h"
#include "gui/filetablemodel.h"
#include "gui/jobcontroller.h"
#include "gui/mainwindow.h"
#include "gui/previewcontroller.h"
#include "gui/recipeeditor.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("oncutf"));
    QApplication::setApplicationName(QStringLiteral("oncutf"));
    QApplication::setApplicationVersion(QStringLiteral(ONCUTF_VERSION));
    QApplication::setQuitOnLastWindowClosed(false);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("oncutf: batch file renamer with live preview, safe apply and undo."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption recipeOption(QStringLiteral("recipe"), QStringLiteral("Start with this recipe (JSON)."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption recursiveOption(QStringLiteral("recursive"), QStringLiteral("Open the folders with their sub-folders."));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                              QStringLiteral("Save a picture of the window once the preview is shown, then quit."),
                                              QStringLiteral("PNG"));
    parser.addOption(recipeOption);
    parser.addOption(recursiveOption);
    parser.addOption(screenshotOption);
    parser.addPositionalArgument(QStringLiteral("folder"), QStringLiteral("Folders to open."), QStringLiteral("[FOLDER...]"));
    parser.process(app);

    const bool screenshot = parser.isSet(screenshotOption);
    oncutf::core::AppContext context;
    const QString databasePath = qEnvironmentVariableIsSet("ONCUTF_DB")
                                     ? qEnvironmentVariable("ONCUTF_DB")
                                     : oncutf::core::db::DatabaseManager::defaultDatabasePath();
    oncutf::core::AppServices services(context, databasePath, std::max(1, QThread::idealThreadCount()));
    // The rename journal's promise holds for the GUI too: a batch a crash interrupted is rolled
    // back (every file under its old name) before anything else, and the window tells the user.
    const auto opened = services.open(true);

    // A screenshot run must not disturb (or depend on) the user's saved layout: its settings live
    // in a throw-away folder. (Never point QSettings at /dev/null: sync() replaces the file it
    // writes by renaming a temporary over it, which as root replaces the device node itself.)
    QTemporaryDir screenshotHome;
    QSettings userSettings;
    QSettings screenshotSettings(screenshotHome.filePath(QStringLiteral("oncutf.conf")), QSettings::IniFormat);
    QSettings &settings = screenshot ? screenshotSettings : userSettings;
    oncutf::gui::MainWindow window(context, services, settings);
    if (parser.isSet(recipeOption)) {
        QFile file(parser.value(recipeOption));
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "oncutf: cannot read %s: %s\n", qPrintable(file.fileName()), qPrintable(file.errorString()));
            return 1;
        }
        auto recipe = oncutf::core::rename::Recipe::fromJson(file.readAll());
        if (!recipe) {
            std::fprintf(stderr, "oncutf: %s: %s\n", qPrintable(file.fileName()), qPrintable(recipe.error().toString()));
            return 1;
        }
        window.recipeEditor().setRecipe(*recipe);
    }

    QObject::connect(&window, &oncutf::gui::MainWindow::closedAfterShutdown, &app,
                     [](bool ok) { QCoreApplication::exit(ok ? 0 : 1); });
    oncutf::core::concurrency::ShutdownCoordinator::installSignalHandlers([&window](int) { window.close(); });

    if (screenshot) {
        const QString target = parser.value(screenshotOption);
        window.resize(1500, 900);
        // Load the metadata too, and show the first file's, so the picture has every panel filled.
        QObject::connect(&window, &oncutf::gui::MainWindow::filesLoaded, &window, [&window] {
            if (window.fileModel().rowCount() == 0) {
                std::fprintf(stderr, "oncutf: no files to show in the screenshot\n");
                QCoreApplication::exit(1);
                return;
            }
            window.loadMetadata(oncutf::core::metadata::MetadataMode::Fast, false);
            window.fileView().setCurrentIndex(window.fileView().model()->index(0, 1));
            window.fileView().selectAll();
        });
        const auto shoot = [&window, target] {
            const bool empty = window.fileModel().rowCount() == 0;
            if (window.previewController().isBusy() || window.jobs().isBusy()
                || (!empty && window.fileModel().metadataLoadedCount() == 0))
                return; // a later update follows
            if (!window.grab().save(target)) {
                std::fprintf(stderr, "oncutf: cannot write %s\n", qPrintable(target));
                QCoreApplication::exit(1);
                return;
            }
            std::fprintf(stdout, "screenshot saved to %s\n", qPrintable(target));
            window.close();
        };
        QObject::connect(&window, &oncutf::gui::MainWindow::previewUpdated, &window, shoot);
    }
    window.show();
    window.reportStartup(opened);
    if (!parser.positionalArguments().isEmpty())
        window.openFolders(parser.positionalArguments(), parser.isSet(recursiveOption));
    const int rc = QApplication::exec();
    context.shutdownSync(); // no-op when the window already ran it
    return rc;
}
