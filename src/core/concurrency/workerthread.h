#pragma once

#include <QDeadlineTimer>
#include <QObject>
#include <QString>
#include <QThread>

#include <mutex>

namespace oncutf::core::concurrency {

class Worker;

/// Runs one Worker at a time on a named QThread with the whole lifecycle: move the worker to the
/// thread, started -> run, finished -> quit, thread finished -> deleteLater of the worker; cancel,
/// wait with a deadline, and an idempotent stop().
///
/// Owner: whoever starts the work (a GUI controller, a CLI command); the WorkerThread lives on the
/// owner's thread and owns the worker from start() until the thread ends. Connect the worker's
/// signals (with a context object on the owner's side) before start(). The owner must stop() (or
/// wait() for) the thread before destroying this object; the destructor asserts it.
///
/// Threading: every method except cancel() and isRunning() belongs to the owner's thread.
/// cancel() is safe from any thread (a signal handler's coordinator, a watchdog). workerFinished
/// is emitted on the owner's thread, after every signal the worker emitted before finished().
class WorkerThread final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkerThread)

public:
    explicit WorkerThread(const QString &threadName, QObject *parent = nullptr);
    ~WorkerThread() override;

    /// Takes ownership of `worker` (which must have no parent) and runs it on the thread.
    /// The previous worker, if any, must have ended.
    void start(Worker *worker);

    /// Lowers the scheduling priority of the thread by `nice` (Linux nice, 0..19) from the next
    /// start(): a GUI's background jobs then never take the CPU from its event loop.
    void setNice(int nice) { m_nice = nice; }

    /// Sets the cancel flag of the current worker; no effect when none runs.
    void cancel();

    /// True if the thread has ended (or never started) by `deadline`.
    bool wait(QDeadlineTimer deadline);

    /// cancel() + quit + wait. Idempotent; true if the thread has ended by `deadline`.
    bool stop(QDeadlineTimer deadline);

    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] QThread *thread() const;

Q_SIGNALS:
    /// The worker's finished(ok), re-emitted on the owner's thread.
    void workerFinished(bool ok);

private:
    QThread *m_thread;

    // The worker lives on m_thread and is deleted there; cancel() may come from any thread, so the
    // pointer is cleared under this mutex (on the worker thread, just before deleteLater) and
    // only dereferenced under it.
    mutable std::mutex m_workerMutex;
    Worker *m_worker = nullptr;
    int m_nice = 0;
};

} // namespace oncutf::core::concurrency
