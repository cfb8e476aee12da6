// oncutf: the desktop front end. Sets up Qt, the AppContext and the main window; every exit path
// (window close, SIGINT, SIGTERM) goes through the shutdown coordinator.

#include "core/appcontext.h"
#include "core/db/databasemanager.h"
#include "core/rename/renameexecutor.h"
#include "gui/mainwindow.h"

#include <QApplication>
#include <QFile>
#include <QMessageBox>

namespace {

// The rename journal's promise holds for the GUI too: a batch a crash interrupted is rolled back
// (every file under its old name) before anything else, and the user is told.
void recoverInterruptedRename(oncutf::core::db::DatabaseManager &database)
{
    using oncutf::core::rename::RenameExecutor;
    if (!database.open())
        return; // the window works without history; the CLI reports the database problem
    RenameExecutor executor(database);
    const auto needed = executor.needsRecovery();
    if (!needed || !*needed)
        return;
    const auto report = executor.recover();
    QString text;
    if (!report) {
        text = QObject::tr("A rename was interrupted and could not be repaired: %1").arg(report.error().toString());
    } else {
        text = QObject::tr("A rename was interrupted (batch %1). %2 files were put back under their old names.")
                   .arg(report->batchIds.isEmpty() ? QString() : QString::number(report->batchIds.constLast()))
                   .arg(report->restored);
        for (const auto &problem : report->problems)
            text += QLatin1Char('\n') + QObject::tr("Could not put back %1: %2")
                                            .arg(QFile::decodeName(problem.oldPath), problem.error.message);
    }
    QMessageBox::information(nullptr, QObject::tr("oncutf: interrupted rename recovered"), text);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QString());
    QApplication::setApplicationName(QStringLiteral("oncutf"));
    QApplication::setApplicationVersion(QStringLiteral(ONCUTF_VERSION));
    QApplication::setQuitOnLastWindowClosed(false);

    oncutf::core::AppContext context;
    oncutf::core::db::DatabaseManager database(oncutf::core::db::DatabaseManager::defaultDatabasePath());
    context.coordinator().registerParticipant(oncutf::core::concurrency::ShutdownPhase::Database, &database);
    recoverInterruptedRename(database);
    oncutf::gui::MainWindow window(context);

    QObject::connect(&window, &oncutf::gui::MainWindow::closedAfterShutdown, &app,
                     [](bool ok) { QCoreApplication::exit(ok ? 0 : 1); });
    oncutf::core::concurrency::ShutdownCoordinator::installSignalHandlers(
        [&window](int) { window.close(); });

    window.show();
    const int rc = QApplication::exec();
    context.shutdownSync(); // no-op when the window already ran it
    return rc;
}
