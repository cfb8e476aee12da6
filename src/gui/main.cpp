// oncutf: the desktop front end. Sets up Qt, the AppContext and the main window; every exit path
// (window close, SIGINT, SIGTERM) goes through the shutdown coordinator.

#include "core/appcontext.h"
#include "gui/mainwindow.h"

#include <QApplication>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QString());
    QApplication::setApplicationName(QStringLiteral("oncutf"));
    QApplication::setApplicationVersion(QStringLiteral(ONCUTF_VERSION));
    QApplication::setQuitOnLastWindowClosed(false);

    oncutf::core::AppContext context;
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
