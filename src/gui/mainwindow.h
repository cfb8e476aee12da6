#pragma once

#include <QMainWindow>

class QCloseEvent;
class QLabel;

namespace oncutf::core {
class AppContext;
}

namespace oncutf::gui {

/// oncutf's main window. Closing it never tears anything down directly: the first close request
/// hides nothing, disables the window and starts the AppContext's asynchronous shutdown (one
/// phase per event-loop tick, so the window keeps painting); when the coordinator reports
/// completion the window really closes and the application quits.
/// Owner: main() (or a test), which also owns the AppContext that must outlive the window.
/// Threading: GUI thread only.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(core::AppContext &context, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// True once the shutdown the window started has completed.
    [[nodiscard]] bool isShutdownComplete() const { return m_shutdownComplete; }

Q_SIGNALS:
    /// Emitted after the coordinator finished and the window accepted its close.
    void closedAfterShutdown(bool ok);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void onShutdownCompleted(bool ok);

    core::AppContext &m_context;
    QLabel *m_statusLabel = nullptr;
    bool m_shutdownStarted = false;
    bool m_shutdownComplete = false;
};

} // namespace oncutf::gui
