#pragma once

#include "core/concurrency/cancellationtoken.h"
#include "core/concurrency/shutdownparticipant.h"
#include "core/concurrency/systemresources.h"
#include "core/concurrency/taskpriority.h"

#include <QDeadlineTimer>
#include <QObject>
#include <QString>
#include <QThread>
#include <QVariant>
#include <QVariantMap>

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace oncutf::core::concurrency {

/// The work a pool task does. It runs on a pool worker, polls the token between steps when it
/// can be long, and returns its result. Whatever it throws is caught at the worker's edge.
using TaskFunction = std::function<QVariant(const CancellationToken &)>;

/// How one task ended; handed to the submit() callback.
struct TaskOutcome {
    QString id;
    enum class State { Completed, Failed, Cancelled } state = State::Completed;
    QVariant result; ///< the task's return value (Completed only)
    QString error;   ///< the exception's message (Failed only)
};

/// Tuning of a ThreadPoolManager. The defaults suit the application; tests shrink the
/// timeouts and inject the resource reader and the clock.
struct PoolConfig {
    int minWorkers = 2;
    int maxWorkers = std::min(8, 2 * QThread::idealThreadCount());
    /// A worker idle this long exits while the pool has more than minWorkers.
    std::chrono::milliseconds idleTimeout{30000};
    /// The pool does not grow while the 1-minute load per core is above this...
    double maxLoadPerCore = 0.9;
    /// ...or while MemAvailable is below this.
    qint64 minAvailableMemoryBytes = qint64(256) * 1024 * 1024;
    /// A queued BACKGROUND task is promoted one level per interval it has waited (up to HIGH,
    /// never CRITICAL). Zero promotes at once; milliseconds::max() disables aging.
    std::chrono::milliseconds agingInterval{1000};
    /// How long a /proc reading is reused.
    std::chrono::milliseconds resourceCacheTime{500};
    /// Replaces the /proc reader (tests simulate memory pressure or a loaded CPU with it).
    SystemResources::Reader resourceReader;
    /// Replaces std::chrono::steady_clock::now for aging (tests advance a fake clock).
    std::function<std::chrono::steady_clock::time_point()> clock;
    /// healthCheck() is unhealthy when more than half of the last `healthWindow` finished
    /// tasks failed.
    int healthWindow = 20;
};

/// A snapshot of the pool's counters and of the system readings it sizes itself by.
struct PoolStats {
    int workers = 0;
    int busyWorkers = 0;
    int maxWorkers = 0;
    int minWorkers = 0;
    std::array<int, kTaskPriorityCount> queuedPerPriority{}; ///< by submitted priority, CRITICAL first
    qint64 completed = 0;
    qint64 failed = 0;
    qint64 cancelled = 0;  ///< removed from the queue, or ended after their token was cancelled
    qint64 stolen = 0;     ///< tasks a worker took from another worker's local deque
    qint64 growthRefusals = 0; ///< times the pool wanted a worker but memory or load said no
    /// Memory holding task records, shared by every pool of the process: what queued tasks use
    /// plus what a past burst left for reuse (given back after workers idle for idleTimeout).
    qint64 taskMemoryBytes = 0;
    double totalRunSeconds = 0.0;
    double averageRunSeconds = 0.0;
    qint64 memoryAvailableBytes = -1;
    double cpuLoad = -1.0; ///< 1-minute load average per logical core

    [[nodiscard]] int queued() const;
    [[nodiscard]] QVariantMap toVariantMap() const;
};

/// The pool's answer to "is it working?".
struct PoolHealth {
    bool healthy = false;
    int workers = 0;
    int queued = 0;
    qint64 processed = 0; ///< tasks that ran to an end (completed, failed or cancelled while running)
    qint64 failed = 0;
    QString lastError;

    [[nodiscard]] QVariantMap toVariantMap() const;
};

namespace detail {
class PoolCore;
}

/// The application's thread pool: five priorities, dynamic sizing bounded by memory and CPU
/// load, per-worker deques with work stealing, cancellation, and results delivered as signals
/// or callbacks on the caller's thread. Created and owned by the application (GUI or CLI main),
/// registered with the ShutdownCoordinator in the THREAD_POOL phase, which must run
/// shutdownNow() before the pool is destroyed.
/// Threading: the object lives on its owner thread, where every signal is delivered (queued,
/// never from inside submit()/cancel()). submit, submitBatch, cancel, cancelAll, waitForDone,
/// stats, healthCheck, lastError, setWorkerLimits and isShutDown are safe from any thread.
/// The ShutdownParticipant methods run on the coordinator's (owner) thread.
class ThreadPoolManager final : public QObject, public ShutdownParticipant {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ThreadPoolManager)

public:
    explicit ThreadPoolManager(PoolConfig config = {}, QObject *parent = nullptr);
    ~ThreadPoolManager() override;

    /// Queues `fn` under `id`. Returns false (and queues nothing) if `id` is empty or still
    /// pending or running, if `fn` is empty, or if the pool is shut down. `callback`, if given,
    /// runs on `context`'s thread (the owner thread when context is null) after the task ends,
    /// whatever the outcome; it is dropped if `context` is destroyed first.
    bool submit(const QString &id, TaskFunction fn, TaskPriority priority = TaskPriority::Normal,
                QObject *context = nullptr, std::function<void(const TaskOutcome &)> callback = {});

    /// Queues `fn` without an id, for fire-and-forget work that nobody cancels or tracks one
    /// by one (the QThreadPool::start() of this pool). It skips what an id costs (building,
    /// hashing, the duplicate check), so a stream of tiny tasks runs at full speed. Priorities,
    /// aging, cancelAll(), shutdown, waitForDone(), stats and health apply as for any task; its
    /// signals carry an empty id; cancel(id) cannot reach it. False if `fn` is empty or the pool
    /// is shut down.
    bool submit(TaskFunction fn, TaskPriority priority = TaskPriority::Normal);

    struct BatchItem {
        QString id;
        TaskFunction fn;
    };
    /// Id-less tasks spread like submitBatch(items); see submit(fn, priority). Returns how many
    /// were accepted (every non-empty function, unless the pool is shut down).
    int submitBatch(std::vector<TaskFunction> fns, TaskPriority priority = TaskPriority::Normal);

    /// Queues every acceptable item (same rules as submit) round-robin over the workers' local
    /// deques; idle workers steal from busy ones. Returns how many were accepted.
    int submitBatch(std::vector<BatchItem> items, TaskPriority priority = TaskPriority::Normal,
                    QObject *context = nullptr,
                    std::function<void(const TaskOutcome &)> callback = {});

    /// A queued task is removed (it never runs; taskCancelled follows). A running task gets its
    /// token cancelled and ends Cancelled when it returns. False if `id` is unknown.
    bool cancel(const QString &id);
    /// Cancels every queued and running task; returns how many it reached.
    int cancelAll();

    /// Blocks until nothing is pending or running and every outcome has been handed to its
    /// thread (true), or the deadline passes (false). Not from a pool task: it counts itself.
    bool waitForDone(QDeadlineTimer deadline = QDeadlineTimer(QDeadlineTimer::Forever));

    [[nodiscard]] PoolStats stats() const;
    [[nodiscard]] PoolHealth healthCheck() const;
    /// "Task <id>: <message>" of the latest failure ("Task (no id): ..." for an id-less task),
    /// empty if none.
    [[nodiscard]] QString lastError() const;

    /// Clamps to 1 <= min <= max. Starts workers up to the new minimum at once; workers above
    /// the new maximum exit when idle or after their current task.
    void setWorkerLimits(int minWorkers, int maxWorkers);
    [[nodiscard]] bool isShutDown() const;

    // ShutdownParticipant: drops queued work (reported as cancelled), cancels the tokens of
    // running tasks and joins the workers within the budget. A worker still running a task
    // that ignores its token is detached and reported in the returned error.
    [[nodiscard]] QString participantName() const override;
    [[nodiscard]] QVariantMap shutdownHealth() const override;
    Status shutdownNow(std::chrono::milliseconds budget, bool emergency) override;

Q_SIGNALS:
    void taskSubmitted(const QString &id, oncutf::core::concurrency::TaskPriority priority);
    void taskCompleted(const QString &id, const QVariant &result);
    void taskFailed(const QString &id, const QString &error);
    void taskCancelled(const QString &id);
    void poolResized(int workers);

protected:
    void connectNotify(const QMetaMethod &signal) override;
    void disconnectNotify(const QMetaMethod &signal) override;

private:
    friend class detail::PoolCore; // reads isSignalConnected() to skip posting unheard results
    std::shared_ptr<detail::PoolCore> m_core;
};

} // namespace oncutf::core::concurrency
