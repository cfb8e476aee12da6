#pragma once

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace oncutf::core::concurrency {
class Worker;
class WorkerThread;
} // namespace oncutf::core::concurrency

namespace oncutf::gui {

/// Runs the GUI's long work (scan, metadata, hashes, duplicates, compare, rename, undo) one job
/// at a time on one WorkerThread, and relays its progress, status and end to the status bar.
/// A job asked for while another runs waits in a queue; its worker is created only when it
/// starts (so it sees the file list as it is then). cancel() stops the running job at its next
/// safe point and drops the queue.
/// Owner: the MainWindow. Threading: GUI thread; workers run on the job thread.
class JobController final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JobController)

public:
    /// Creates the worker (and connects its result signals to the caller) when the job starts;
    /// returning null skips the job (nothing left to do by then).
    using Factory = std::function<core::concurrency::Worker *()>;
    /// Background threads of the GUI run this much "nicer" than the GUI thread, so drawing and
    /// input never wait for them on a busy machine.
    static constexpr int kBackgroundNice = 5;

    explicit JobController(QObject *parent = nullptr);
    ~JobController() override; // asserts stop() ran or nothing ever ran

    /// Queues a job; it starts at once when nothing runs. `title` names it in the status bar.
    void enqueue(const QString &title, Factory factory);
    [[nodiscard]] bool isBusy() const { return m_running; }
    [[nodiscard]] QString currentTitle() const { return m_title; }
    [[nodiscard]] int queuedCount() const { return int(m_queue.size()); }
    /// Stops the running job at its next safe point and drops the queued ones.
    void cancel();
    /// cancel() and end the thread (shutdown); later enqueues are ignored. Idempotent.
    bool stop(QDeadlineTimer deadline);

Q_SIGNALS:
    void jobStarted(const QString &title);
    void progress(qint64 current, qint64 total, const QString &item);
    void sizeProgress(qint64 done, qint64 total);
    void status(const QString &text);
    void failed(const QString &error);
    void jobFinished(const QString &title, bool ok);
    /// Nothing runs and nothing is queued.
    void idle();

private:
    void startNext();
    void onWorkerFinished(bool ok);

    struct Job {
        QString title;
        Factory factory;
    };
    core::concurrency::WorkerThread *m_thread = nullptr;
    QList<Job> m_queue;
    QString m_title;
    bool m_running = false;
    bool m_stopped = false;
};

} // namespace oncutf::gui
