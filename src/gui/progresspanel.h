#pragma once

#include <QElapsedTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace oncutf::gui {

class JobController;

/// The status bar's view of the running job: its title, a bar by file count (or bytes when the
/// job reports them), "n / N", megabytes, the estimated time left, and a Cancel button (Esc).
/// Hidden while nothing runs.
/// Owner: the MainWindow's status bar. Threading: GUI thread only.
class ProgressPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProgressPanel)

public:
    ProgressPanel(JobController &jobs, QWidget *parent = nullptr);
    ~ProgressPanel() override;

    /// "3 / 10 files · 12.0 / 40.0 MB · about 5 s left"
    [[nodiscard]] QString progressText() const;

private:
    void onStarted(const QString &title);
    void onProgress(qint64 current, qint64 total, const QString &item);
    void onSizeProgress(qint64 done, qint64 total);
    void refresh();

    QLabel *m_title;
    QProgressBar *m_bar;
    QLabel *m_detail;
    QToolButton *m_cancel;
    QElapsedTimer m_clock;
    qint64 m_current = 0;
    qint64 m_total = 0;
    qint64 m_bytesDone = 0;
    qint64 m_bytesTotal = 0;
    QString m_item;
};

} // namespace oncutf::gui
