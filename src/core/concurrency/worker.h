#pragma once

#include <QObject>
#include <QString>

#include <atomic>
#include <chrono>

namespace oncutf::core::concurrency {

/// Base of every long-running job that runs on its own QThread (scan, hash, metadata, rename).
/// A subclass implements execute(); run() wraps it so that, whatever happens, the owner sees
/// exactly one finished(ok) after the last progress values, and no exception ever escapes the
/// worker thread (it becomes failed(message) + finished(false)).
///
/// Progress is throttled here, once for all workers: at most one progress and one sizeProgress
/// signal per interval (40 ms, about 25 per second), the final value (current == total) is always
/// delivered, and the latest value held back by the throttle is flushed before finished().
///
/// Cancellation is cooperative: cancel() sets an atomic flag; execute() polls isCancelled(), emits
/// its partial results and returns; run() then reports finished(false).
///
/// Owner: normally a WorkerThread, which moves the worker to its thread, calls run() there and
/// deletes it when the thread ends. A worker may also be run synchronously by calling run().
/// Threading: cancel() and isCancelled() are safe from any thread; setProgressInterval() from any
/// thread before run(); everything else runs on the worker's thread; signals are emitted there
/// (connect with a context object on the receiving thread to get queued delivery).
class Worker : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Worker)

public:
    explicit Worker(QObject *parent = nullptr);
    ~Worker() override;

    /// Requests cancellation; safe from any thread, idempotent.
    void cancel();
    [[nodiscard]] bool isCancelled() const;

    /// Minimum time between two progress (or two sizeProgress) signals; 0 delivers every value.
    void setProgressInterval(std::chrono::milliseconds interval);

public Q_SLOTS:
    /// Runs execute() once; the second call of a worker's life only logs a warning.
    void run();

Q_SIGNALS:
    void progress(qint64 current, qint64 total, const QString &item);
    void sizeProgress(qint64 done, qint64 total);
    void status(const QString &text);
    void failed(const QString &error);
    void finished(bool ok);

protected:
    /// The work. Return false on failure (after emitting failed() with a readable reason).
    /// Poll isCancelled() often; when cancelled, emit partial results and return.
    virtual bool execute() = 0;

    void reportProgress(qint64 current, qint64 total, const QString &item);
    void reportSizeProgress(qint64 done, qint64 total);
    void reportStatus(const QString &text);

private:
    using Clock = std::chrono::steady_clock;

    [[nodiscard]] bool isDue(Clock::time_point now, Clock::time_point last) const;
    void flushPendingProgress();

    std::atomic<bool> m_cancelled{false};
    std::atomic<bool> m_started{false};
    std::atomic<std::chrono::milliseconds::rep> m_intervalMs{40};

    // Throttle state: touched only on the thread that runs run().
    bool m_progressEmitted = false; // the first value always goes out at once
    Clock::time_point m_lastProgress{};
    bool m_progressPending = false;
    qint64 m_pendingCurrent = 0;
    qint64 m_pendingTotal = 0;
    QString m_pendingItem;

    bool m_sizeEmitted = false;
    Clock::time_point m_lastSizeProgress{};
    bool m_sizePending = false;
    qint64 m_pendingDone = 0;
    qint64 m_pendingSizeTotal = 0;
};

} // namespace oncutf::core::concurrency
