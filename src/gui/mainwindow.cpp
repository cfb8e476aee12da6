#include "gui/mainwindow.h"

#include "core/appcontext.h"

#include <QCloseEvent>
#include <QLabel>
#include <QStatusBar>
#include <QVBoxLayout>

namespace oncutf::gui {

MainWindow::MainWindow(core::AppContext &context, QWidget *parent)
    : QMainWindow(parent), m_context(context)
{
    setWindowTitle(QStringLiteral("oncutf"));
    setObjectName(QStringLiteral("MainWindow"));
    resize(1200, 800);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    auto *hint = new QLabel(tr("Open a folder to start (File > Open, Ctrl+O)."), central);
    hint->setAlignment(Qt::AlignCenter);
    layout->addWidget(hint);
    setCentralWidget(central);

    m_statusLabel = new QLabel(tr("Ready"), this);
    statusBar()->addWidget(m_statusLabel, 1);

    connect(&m_context.coordinator(), &core::concurrency::ShutdownCoordinator::phaseStarted, this,
            [this](const QString &phase) { m_statusLabel->setText(tr("Shutting down: %1").arg(phase)); });
    connect(&m_context.coordinator(), &core::concurrency::ShutdownCoordinator::shutdownCompleted, this,
            &MainWindow::onShutdownCompleted);
}

MainWindow::~MainWindow() = default;

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_shutdownComplete) {
        event->accept();
        return;
    }
    // Keep the window alive (and painting) while the coordinator stops the services one phase
    // per tick; a second close request while it runs is simply ignored.
    event->ignore();
    if (m_shutdownStarted)
        return;
    m_shutdownStarted = true;
    setEnabled(false);
    if (!m_context.shutdownAsync() || m_context.isShutDown())
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
