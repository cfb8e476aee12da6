#include "gui/jobcontroller.h"

#include "core/concurrency/worker.h"
#include "core/concurrency/workerthread.h"

namespace oncutf::gui {

using core::concurrency::Worker;

JobController::JobController(QObject *parent) : QObject(parent)
{
    m_thread = new core::concurrency::WorkerThread(QStringLiteral("oncutf-job"), this);
    m_thread->setNice(kBackgroundNice);
    connect(m_thread, &core::concurrency::WorkerThread::workerFinished, this, &JobController::onWorkerFinished);
}

JobController::~JobController()
{
    Q_ASSERT_X(m_stopped || !m_thread->isRunning(), "JobController", "stop() must run before destruction");
}

void JobController::enqueue(const QString &title, Factory factory)
{
    if (m_stopped)
        return;
    m_queue.append(Job{title, std::move(factory)});
    if (!m_running)
        startNext();
}

void JobController::startNext()
{
    while (!m_queue.isEmpty() && !m_stopped) {
        Job job = m_queue.takeFirst();
        Worker *worker = job.factory();
        if (!worker)
            continue;
        m_title = job.title;
        m_running = true;
        connect(worker, &Worker::progress, this, &JobController::progress);
        connect(worker, &Worker::sizeProgress, this, &JobController::sizeProgress);
        connect(worker, &Worker::status, this, &JobController::status);
        connect(worker, &Worker::failed, this, &JobController::failed);
        Q_EMIT jobStarted(m_title);
        m_thread->start(worker);
        return;
    }
    m_title.clear();
    Q_EMIT idle();
}

void JobController::onWorkerFinished(bool ok)
{
    m_running = false;
    const QString title = m_title;
    Q_EMIT jobFinished(title, ok);
    startNext();
}

void JobController::cancel()
{
    m_queue.clear();
    m_thread->cancel();
}

bool JobController::stop(QDeadlineTimer deadline)
{
    m_stopped = true;
    m_queue.clear();
    return m_thread->stop(deadline);
}

} // namespace oncutf::gui
