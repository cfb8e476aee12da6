#include "core/concurrency/workerthread.h"

#include "core/concurrency/worker.h"
#include "core/logging.h"

#include <cerrno>
#include <cstring>

#include <sys/resource.h>
#include <unistd.h>

namespace oncutf::core::concurrency {

WorkerThread::WorkerThread(const QString &threadName, QObject *parent)
    : QObject(parent), m_thread(new QThread(this))
{
    // QThread names the OS thread after its objectName when it starts (visible in top/gdb).
    m_thread->setObjectName(threadName);
}

WorkerThread::~WorkerThread()
{
    Q_ASSERT_X(!m_thread->isRunning(), "WorkerThread", "stop() or wait() before destroying a WorkerThread");
    if (m_thread->isRunning()) {
        // Release builds: destroying a running QThread aborts the process; waiting is the lesser evil.
        qCCritical(lcWorker) << "WorkerThread" << m_thread->objectName() << "destroyed while running; stopping it";
        stop(QDeadlineTimer(QDeadlineTimer::Forever));
    }
}

void WorkerThread::start(Worker *worker)
{
    Q_ASSERT(worker != nullptr);
    Q_ASSERT_X(worker->parent() == nullptr, "WorkerThread::start", "a worker moved to a thread cannot have a parent");
    Q_ASSERT_X(!m_thread->isRunning(), "WorkerThread::start", "the previous worker is still running");
    if (worker == nullptr)
        return;
    if (m_thread->isRunning()) {
        qCCritical(lcWorker) << "WorkerThread" << m_thread->objectName()
                             << "is busy; the new worker is discarded without running";
        delete worker;
        return;
    }

    {
        std::lock_guard lock(m_workerMutex);
        m_worker = worker;
    }
    worker->moveToThread(m_thread);

    if (m_nice > 0) {
        // Connected before run(), so the worker runs at the lower priority from its first step.
        connect(
            m_thread, &QThread::started, worker,
            [nice = m_nice] {
                if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice) != 0)
                    qCWarning(lcWorker) << "could not lower the priority of a worker thread:" << std::strerror(errno);
            },
            Qt::DirectConnection);
    }
    // started is emitted on the new thread, where the worker now lives: run() is a direct call.
    connect(m_thread, &QThread::started, worker, &Worker::run);
    // quit() is thread-safe; a direct call works even while the owner thread is blocked in wait().
    connect(worker, &Worker::finished, m_thread, &QThread::quit, Qt::DirectConnection);
    // Queued to the owner's thread, behind every signal the worker emitted before finished().
    connect(worker, &Worker::finished, this, &WorkerThread::workerFinished);
    connect(
        m_thread, &QThread::finished, worker,
        [this, worker] {
            std::lock_guard lock(m_workerMutex);
            if (m_worker == worker)
                m_worker = nullptr;
        },
        Qt::DirectConnection);
    // Deferred deletes still run on a finishing thread, after finished() and before wait() returns.
    connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);

    m_thread->start();
}

void WorkerThread::cancel()
{
    std::lock_guard lock(m_workerMutex);
    if (m_worker != nullptr)
        m_worker->cancel();
}

bool WorkerThread::wait(QDeadlineTimer deadline)
{
    return m_thread->wait(deadline);
}

bool WorkerThread::stop(QDeadlineTimer deadline)
{
    cancel();
    m_thread->quit();
    const bool ended = m_thread->wait(deadline);
    if (!ended)
        qCWarning(lcWorker) << "WorkerThread" << m_thread->objectName() << "did not stop before its deadline";
    return ended;
}

bool WorkerThread::isRunning() const
{
    return m_thread->isRunning();
}

QThread *WorkerThread::thread() const
{
    return m_thread;
}

} // namespace oncutf::core::concurrency
