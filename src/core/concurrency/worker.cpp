#include "core/concurrency/worker.h"

#include "core/logging.h"

#include <exception>
#include <utility>

namespace oncutf::core::concurrency {

Worker::Worker(QObject *parent) : QObject(parent) {}

Worker::~Worker() = default;

void Worker::cancel()
{
    m_cancelled.store(true, std::memory_order_release);
}

bool Worker::isCancelled() const
{
    return m_cancelled.load(std::memory_order_acquire);
}

void Worker::setProgressInterval(std::chrono::milliseconds interval)
{
    m_intervalMs.store(interval.count() < 0 ? 0 : interval.count(), std::memory_order_relaxed);
}

void Worker::run()
{
    if (m_started.exchange(true)) {
        qCWarning(lcWorker) << "run() called again on" << this << "- a worker runs once";
        return;
    }

    bool ok = false;
    QString error;
    bool threw = false;
    if (!isCancelled()) {
        // The edge of the worker: nothing thrown by execute() may reach Qt's event loop.
        try {
            ok = execute();
        } catch (const std::exception &e) {
            threw = true;
            error = QString::fromLocal8Bit(e.what());
            if (error.isEmpty())
                error = QStringLiteral("unexpected error");
        } catch (...) {
            threw = true;
            error = QStringLiteral("unexpected error (unknown exception)");
        }
    }

    if (threw) {
        ok = false;
        qCWarning(lcWorker) << "worker" << this << "failed with an exception:" << error;
        Q_EMIT failed(error);
    }
    flushPendingProgress();
    if (isCancelled())
        ok = false;
    Q_EMIT finished(ok);
}

bool Worker::isDue(Clock::time_point now, Clock::time_point last) const
{
    const auto interval = std::chrono::milliseconds(m_intervalMs.load(std::memory_order_relaxed));
    return interval.count() == 0 || now - last >= interval;
}

void Worker::reportProgress(qint64 current, qint64 total, const QString &item)
{
    const Clock::time_point now = Clock::now();
    if (current == total || !m_progressEmitted || isDue(now, m_lastProgress)) {
        m_progressEmitted = true;
        m_lastProgress = now;
        m_progressPending = false;
        m_pendingItem.clear();
        Q_EMIT progress(current, total, item);
        return;
    }
    m_progressPending = true;
    m_pendingCurrent = current;
    m_pendingTotal = total;
    m_pendingItem = item;
}

void Worker::reportSizeProgress(qint64 done, qint64 total)
{
    const Clock::time_point now = Clock::now();
    if (done == total || !m_sizeEmitted || isDue(now, m_lastSizeProgress)) {
        m_sizeEmitted = true;
        m_lastSizeProgress = now;
        m_sizePending = false;
        Q_EMIT sizeProgress(done, total);
        return;
    }
    m_sizePending = true;
    m_pendingDone = done;
    m_pendingSizeTotal = total;
}

void Worker::reportStatus(const QString &text)
{
    Q_EMIT status(text);
}

void Worker::flushPendingProgress()
{
    if (m_progressPending) {
        m_progressPending = false;
        const QString item = std::exchange(m_pendingItem, QString());
        Q_EMIT progress(m_pendingCurrent, m_pendingTotal, item);
    }
    if (m_sizePending) {
        m_sizePending = false;
        Q_EMIT sizeProgress(m_pendingDone, m_pendingSizeTotal);
    }
}

} // namespace oncutf::core::concurrency
