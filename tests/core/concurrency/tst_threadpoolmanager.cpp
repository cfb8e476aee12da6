// ctest-timeout: 120
// Deterministic tests of ThreadPoolManager: workers are held on gates (never timed sleeps), the
// queue is filled while they are held, and one gate is opened to observe the order.

#include "core/concurrency/threadpoolmanager.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace oncutf::core;
using namespace oncutf::core::concurrency;
using namespace std::chrono_literals;

namespace {

/// Opened once, stays open. Copies share the state, so a task may outlive the test's handle.
class Gate {
public:
    Gate() : m_state(std::make_shared<State>()) {}

    void open() const
    {
        {
            std::lock_guard lock(m_state->mutex);
            m_state->open = true;
        }
        m_state->cv.notify_all();
    }

    void wait() const
    {
        std::unique_lock lock(m_state->mutex);
        m_state->cv.wait(lock, [state = m_state.get()] { return state->open; });
    }

private:
    struct State {
        std::mutex mutex;
        std::condition_variable cv;
        bool open = false;
    };
    std::shared_ptr<State> m_state;
};

/// Opens its gate when the test function returns, also through a failed QVERIFY, so no worker
/// stays blocked while the pool shuts down.
class ScopedGate {
public:
    ScopedGate() = default;
    Q_DISABLE_COPY_MOVE(ScopedGate)
    ~ScopedGate() { m_gate.open(); }

    [[nodiscard]] Gate gate() const { return m_gate; }
    void open() const { m_gate.open(); }

private:
    Gate m_gate;
};

/// Records ids in the order tasks ran, and lets the test wait (bounded) for a count.
class Recorder {
public:
    Recorder() : m_state(std::make_shared<State>()) {}

    void add(const QString &entry) const
    {
        {
            std::lock_guard lock(m_state->mutex);
            m_state->entries << entry;
        }
        m_state->cv.notify_all();
    }

    [[nodiscard]] bool waitFor(int wanted, std::chrono::milliseconds timeout = 20s) const
    {
        std::unique_lock lock(m_state->mutex);
        return m_state->cv.wait_for(lock, timeout, [state = m_state.get(), wanted] {
            return state->entries.size() >= wanted;
        });
    }

    [[nodiscard]] QStringList entries() const
    {
        std::lock_guard lock(m_state->mutex);
        return m_state->entries;
    }

    [[nodiscard]] int count() const { return static_cast<int>(entries().size()); }

private:
    struct State {
        std::mutex mutex;
        std::condition_variable cv;
        QStringList entries;
    };
    std::shared_ptr<State> m_state;
};

/// Shuts the pool down when the test function returns (the destructor asserts it ran).
class PoolHandle {
public:
    explicit PoolHandle(PoolConfig config) : m_pool(std::make_unique<ThreadPoolManager>(std::move(config))) {}
    Q_DISABLE_COPY_MOVE(PoolHandle)
    ~PoolHandle() { (void)m_pool->shutdownNow(10s, false); }

    ThreadPoolManager *operator->() const { return m_pool.get(); }
    [[nodiscard]] ThreadPoolManager *get() const { return m_pool.get(); }

private:
    std::unique_ptr<ThreadPoolManager> m_pool;
};

SystemResources::Snapshot plentyOfResources()
{
    SystemResources::Snapshot snap;
    snap.memoryAvailableBytes = qint64(8) * 1024 * 1024 * 1024;
    snap.loadAverage1 = 0.0;
    snap.logicalCores = 2;
    return snap;
}

/// min == max == workers (no resizing), aging off, resources never refuse.
PoolConfig fixedConfig(int workers)
{
    PoolConfig config;
    config.minWorkers = workers;
    config.maxWorkers = workers;
    config.agingInterval = std::chrono::milliseconds::max();
    config.resourceReader = plentyOfResources;
    return config;
}

TaskFunction recordTask(const Recorder &recorder, const QString &id)
{
    return [recorder, id](const CancellationToken &) -> QVariant {
        recorder.add(id);
        return id;
    };
}

TaskFunction gateTask(const Gate &gate, const Recorder &started, const QString &id)
{
    return [gate, started, id](const CancellationToken &) -> QVariant {
        started.add(id);
        gate.wait();
        return {};
    };
}

/// Occupies `count` workers, each with its own gate; returns once all of them are running.
std::vector<std::unique_ptr<ScopedGate>> holdWorkers(ThreadPoolManager &pool, int count)
{
    std::vector<std::unique_ptr<ScopedGate>> gates;
    Recorder started;
    for (int i = 0; i < count; ++i) {
        gates.push_back(std::make_unique<ScopedGate>());
        const QString id = QStringLiteral("hold-%1").arg(i);
        if (!pool.submit(id, gateTask(gates.back()->gate(), started, id), TaskPriority::Critical))
            qWarning("holdWorkers: submit refused");
    }
    if (!started.waitFor(count))
        qWarning("holdWorkers: workers did not all start");
    return gates;
}

/// A QThread running an event loop with one QObject living on it; quits and joins on scope exit.
class EventThread {
public:
    EventThread() : m_context(std::make_unique<QObject>())
    {
        m_context->moveToThread(&m_thread);
        m_thread.start();
    }
    Q_DISABLE_COPY_MOVE(EventThread)
    ~EventThread()
    {
        m_thread.quit();
        m_thread.wait();
    }

    [[nodiscard]] QObject *context() const { return m_context.get(); }
    [[nodiscard]] const QThread *thread() const { return &m_thread; }

private:
    QThread m_thread;
    std::unique_ptr<QObject> m_context; // destroyed after the thread has stopped
};

void addWorkerRows()
{
    QTest::addColumn<int>("workers");
    QTest::newRow("1 worker") << 1;
    QTest::newRow("2 workers") << 2;
    QTest::newRow("4 workers") << 4;
}

} // namespace

class TestThreadPoolManager : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void priorityOrder_data() { addWorkerRows(); }
    void priorityOrder();
    void fifoWithinPriority_data() { addWorkerRows(); }
    void fifoWithinPriority();
    void aging_data();
    void aging();
    void idleWorkerRunsHigherPriorityAtOnce_data() { addWorkerRows(); }
    void idleWorkerRunsHigherPriorityAtOnce();
    void priorityHoldsAcrossDeques_data() { addWorkerRows(); }
    void priorityHoldsAcrossDeques();
    void reservedTasksYieldAndCancel();
    void workStealing_data();
    void workStealing();
    void cancelQueued_data() { addWorkerRows(); }
    void cancelQueued();
    void cancelRunning_data() { addWorkerRows(); }
    void cancelRunning();
    void cancelAll_data() { addWorkerRows(); }
    void cancelAll();
    void exceptionsAreReported_data() { addWorkerRows(); }
    void exceptionsAreReported();
    void healthUsesRecentFailureRate_data() { addWorkerRows(); }
    void healthUsesRecentFailureRate();
    void idReuse_data() { addWorkerRows(); }
    void idReuse();
    void resizeUpAndDown_data();
    void resizeUpAndDown();
    void setWorkerLimits();
    void resourceAwareGrowth_data();
    void resourceAwareGrowth();
    void statsAndHealthFields_data() { addWorkerRows(); }
    void statsAndHealthFields();
    void callbackRunsOnContextThread_data() { addWorkerRows(); }
    void callbackRunsOnContextThread();
    void callbackDroppedWhenContextDies();
    void signalsOnOwnerThread_data() { addWorkerRows(); }
    void signalsOnOwnerThread();
    void nothingPostedWithoutReceivers();
    void waitForDoneHonoursDeadline_data() { addWorkerRows(); }
    void waitForDoneHonoursDeadline();
    void shutdownCancelsAndJoins_data() { addWorkerRows(); }
    void shutdownCancelsAndJoins();
    void shutdownReturnsWithinBudget();
    void rejectsInvalidSubmissions();
    void idlessTasksKeepPriorityOrder_data() { addWorkerRows(); }
    void idlessTasksKeepPriorityOrder();
    void idlessTasksAreCountedCancelledAndReported_data() { addWorkerRows(); }
    void idlessTasksAreCountedCancelledAndReported();
    void manyTinyTasksReuseRecords();
    void idlessBurstKeepsOrderPastInboxCapacity();
    void idlessSubmitsFromManyThreadsNeverStall_data() { addWorkerRows(); }
    void idlessSubmitsFromManyThreadsNeverStall();
    void idlessSubmitsRacingShutdownAreAllAccounted();
    void burstMemoryReturnedWhenIdle();
    void tokenOutlivesPool();
};

void TestThreadPoolManager::priorityOrder()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    auto gates = holdWorkers(*pool.get(), workers);

    Recorder ran;
    const std::vector<std::pair<QString, TaskPriority>> submissions{
        {QStringLiteral("bg1"), TaskPriority::Background}, {QStringLiteral("low1"), TaskPriority::Low},
        {QStringLiteral("n1"), TaskPriority::Normal},      {QStringLiteral("c1"), TaskPriority::Critical},
        {QStringLiteral("h1"), TaskPriority::High},        {QStringLiteral("n2"), TaskPriority::Normal},
        {QStringLiteral("bg2"), TaskPriority::Background}, {QStringLiteral("c2"), TaskPriority::Critical},
        {QStringLiteral("low2"), TaskPriority::Low},       {QStringLiteral("h2"), TaskPriority::High},
    };
    for (const auto &[id, priority] : submissions)
        QVERIFY(pool->submit(id, recordTask(ran, id), priority));

    gates.front()->open(); // exactly one worker drains the queue
    QVERIFY(ran.waitFor(10));
    QCOMPARE(ran.entries(),
             (QStringList{"c1", "c2", "h1", "h2", "n1", "n2", "low1", "low2", "bg1", "bg2"}));
}

void TestThreadPoolManager::fifoWithinPriority()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    auto gates = holdWorkers(*pool.get(), workers);

    Recorder ran;
    QStringList expected;
    for (int i = 0; i < 50; ++i) {
        const QString id = QStringLiteral("task-%1").arg(i);
        expected << id;
        QVERIFY(pool->submit(id, recordTask(ran, id), TaskPriority::Normal));
    }
    gates.front()->open();
    QVERIFY(ran.waitFor(50));
    QCOMPARE(ran.entries(), expected);
}

void TestThreadPoolManager::aging_data()
{
    QTest::addColumn<int>("workers");
    QTest::addColumn<int>("intervalsWaited");
    QTest::addColumn<QStringList>("expected");
    const QStringList lows{"low1", "low2", "low3", "low4", "low5", "low6"};
    QTest::newRow("1 worker, fresh: BACKGROUND runs last")
        << 1 << 0 << (QStringList{"crit"} << lows << "bg");
    QTest::newRow("1 worker, one interval: LOW, after older LOW tasks")
        << 1 << 1
        << QStringList{"crit", "low1", "low2", "low3", "bg", "low4", "low5", "low6"};
    QTest::newRow("1 worker, two intervals: NORMAL, overtakes every LOW")
        << 1 << 2 << (QStringList{"crit", "bg"} << lows);
    QTest::newRow("1 worker, ten intervals: capped at HIGH, never beats CRITICAL")
        << 1 << 10 << (QStringList{"crit", "bg"} << lows);
    QTest::newRow("2 workers, two intervals") << 2 << 2 << (QStringList{"crit", "bg"} << lows);
    QTest::newRow("4 workers, two intervals") << 4 << 2 << (QStringList{"crit", "bg"} << lows);
}

void TestThreadPoolManager::aging()
{
    QFETCH(int, workers);
    QFETCH(int, intervalsWaited);
    QFETCH(QStringList, expected);

    // A fake clock: the test decides how long the BACKGROUND task has waited.
    auto offset = std::make_shared<std::atomic<qint64>>(0);
    const auto base = std::chrono::steady_clock::now();
    PoolConfig config = fixedConfig(workers);
    config.agingInterval = 100ms;
    config.clock = [offset, base] { return base + std::chrono::milliseconds(offset->load()); };
    PoolHandle pool(config);
    auto gates = holdWorkers(*pool.get(), workers);

    Recorder ran;
    for (const char *id : {"low1", "low2", "low3"})
        QVERIFY(pool->submit(QString::fromLatin1(id), recordTask(ran, QString::fromLatin1(id)), TaskPriority::Low));
    QVERIFY(pool->submit(QStringLiteral("bg"), recordTask(ran, QStringLiteral("bg")), TaskPriority::Background));
    for (const char *id : {"low4", "low5", "low6"})
        QVERIFY(pool->submit(QString::fromLatin1(id), recordTask(ran, QString::fromLatin1(id)), TaskPriority::Low));
    QVERIFY(pool->submit(QStringLiteral("crit"), recordTask(ran, QStringLiteral("crit")), TaskPriority::Critical));

    offset->store(intervalsWaited * 100 + 50);
    gates.front()->open();
    QVERIFY(ran.waitFor(static_cast<int>(expected.size())));
    QCOMPARE(ran.entries(), expected);
}

void TestThreadPoolManager::idleWorkerRunsHigherPriorityAtOnce()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    // All but one worker are busy; the last one is idle, so an urgent task must start now,
    // while the held workers are still held.
    auto gates = holdWorkers(*pool.get(), workers - 1);
    QCOMPARE(pool->stats().busyWorkers, workers - 1);
    Recorder ran;
    QVERIFY(pool->submit(QStringLiteral("urgent"), recordTask(ran, QStringLiteral("urgent")),
                         TaskPriority::Critical));
    QVERIFY(ran.waitFor(1)); // bounded wait: it ran although every other worker is still held
}

void TestThreadPoolManager::priorityHoldsAcrossDeques()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    auto gates = holdWorkers(*pool.get(), workers);

    Recorder ran;
    std::vector<ThreadPoolManager::BatchItem> lows;
    std::vector<ThreadPoolManager::BatchItem> highs;
    QSet<QString> lowIds;
    QSet<QString> highIds;
    for (int i = 0; i < 3 * workers; ++i) {
        const QString id = QStringLiteral("low-%1").arg(i);
        lowIds << id;
        lows.push_back({id, recordTask(ran, id)});
    }
    for (int i = 0; i <= workers; ++i) {
        const QString id = QStringLiteral("high-%1").arg(i);
        highIds << id;
        highs.push_back({id, recordTask(ran, id)});
    }
    // Both batches are spread over every worker's local deque; the CRITICAL one sits in the
    // global queue. One worker must still take CRITICAL, then every HIGH, then the LOWs.
    QCOMPARE(pool->submitBatch(std::move(lows), TaskPriority::Low), 3 * workers);
    QCOMPARE(pool->submitBatch(std::move(highs), TaskPriority::High), workers + 1);
    QVERIFY(pool->submit(QStringLiteral("crit"), recordTask(ran, QStringLiteral("crit")),
                         TaskPriority::Critical));

    gates.front()->open();
    const int total = 3 * workers + workers + 2;
    QVERIFY(ran.waitFor(total));
    const QStringList order = ran.entries();
    QCOMPARE(order.first(), QStringLiteral("crit"));
    QCOMPARE(QSet<QString>(order.begin() + 1, order.begin() + 2 + workers), highIds);
    QCOMPARE(QSet<QString>(order.begin() + 2 + workers, order.end()), lowIds);
}

void TestThreadPoolManager::reservedTasksYieldAndCancel()
{
    // A worker running tiny tasks takes several of one priority at a time. Those reserved
    // tasks must still give way to a more urgent task and still be cancellable.
    PoolHandle pool(fixedConfig(1));
    QSignalSpy cancelled(pool.get(), &ThreadPoolManager::taskCancelled);
    Recorder warmUp;
    std::vector<ThreadPoolManager::BatchItem> tiny;
    for (int i = 0; i < 200; ++i)
        tiny.push_back({QStringLiteral("warm%1").arg(i), recordTask(warmUp, QStringLiteral("w"))});
    QCOMPARE(pool->submitBatch(std::move(tiny)), 200);
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));

    ScopedGate gate;
    Recorder started;
    Recorder ran;
    std::vector<ThreadPoolManager::BatchItem> lows;
    lows.push_back({QStringLiteral("gate"), [g = gate.gate(), started, ran](const CancellationToken &) -> QVariant {
                        started.add(QStringLiteral("gate"));
                        g.wait();
                        ran.add(QStringLiteral("gate"));
                        return {};
                    }});
    QStringList expected{QStringLiteral("gate"), QStringLiteral("crit")};
    for (int i = 0; i < 10; ++i) {
        const QString id = QStringLiteral("low%1").arg(i);
        lows.push_back({id, recordTask(ran, id)});
        if (i != 5)
            expected << id;
    }
    QCOMPARE(pool->submitBatch(std::move(lows), TaskPriority::Low), 11);
    QVERIFY(started.waitFor(1));
    QVERIFY(pool->submit(QStringLiteral("crit"), recordTask(ran, QStringLiteral("crit")), TaskPriority::Critical));
    QVERIFY(pool->cancel(QStringLiteral("low5")));
    gate.open();
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    QCOMPARE(ran.entries(), expected);
    QTRY_COMPARE(cancelled.count(), 1);
    QCOMPARE(cancelled.at(0).at(0).toString(), QStringLiteral("low5"));
    QCOMPARE(pool->stats().cancelled, qint64(1));
}

void TestThreadPoolManager::workStealing_data()
{
    QTest::addColumn<int>("workers");
    QTest::newRow("2 workers") << 2;
    QTest::newRow("4 workers") << 4;
}

void TestThreadPoolManager::workStealing()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    auto gates = holdWorkers(*pool.get(), 1);

    // The batch is spread round-robin over every worker's deque, the held one included: its
    // share can only run if the others steal it.
    const int perWorker = 8;
    Recorder ran;
    std::vector<ThreadPoolManager::BatchItem> batch;
    for (int i = 0; i < perWorker * workers; ++i) {
        const QString id = QStringLiteral("item-%1").arg(i);
        batch.push_back({id, recordTask(ran, id)});
    }
    QCOMPARE(pool->submitBatch(std::move(batch)), perWorker * workers);
    QVERIFY(ran.waitFor(perWorker * workers));

    const QStringList order = ran.entries();
    QCOMPARE(QSet<QString>(order.begin(), order.end()).size(), perWorker * workers);
    QVERIFY2(pool->stats().stolen >= perWorker,
             qPrintable(QStringLiteral("stolen %1").arg(pool->stats().stolen)));
    // Every item completed while the held worker never left its task.
    QTRY_COMPARE(pool->stats().completed, qint64(perWorker * workers));
    QCOMPARE(pool->stats().busyWorkers, 1);
}

void TestThreadPoolManager::cancelQueued()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    auto gates = holdWorkers(*pool.get(), workers);
    QSignalSpy cancelledSpy(pool.get(), &ThreadPoolManager::taskCancelled);
    QSignalSpy completedSpy(pool.get(), &ThreadPoolManager::taskCompleted);

    Recorder ran;
    std::vector<TaskOutcome> outcomes;
    QVERIFY(pool->submit(QStringLiteral("victim"), recordTask(ran, QStringLiteral("victim")),
                         TaskPriority::Normal, this,
                         [&outcomes](const TaskOutcome &o) { outcomes.push_back(o); }));
    QVERIFY(pool->submit(QStringLiteral("survivor"), recordTask(ran, QStringLiteral("survivor"))));

    QVERIFY(pool->cancel(QStringLiteral("victim")));
    QVERIFY(!pool->cancel(QStringLiteral("victim")));  // forgotten once cancelled
    QVERIFY(!pool->cancel(QStringLiteral("unknown")));
    QCOMPARE(pool->stats().queued(), 1);

    for (auto &gate : gates)
        gate->open();
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    QCOMPARE(ran.entries(), QStringList{QStringLiteral("survivor")});
    QTRY_COMPARE(cancelledSpy.count(), 1);
    QCOMPARE(cancelledSpy.at(0).at(0).toString(), QStringLiteral("victim"));
    QTRY_COMPARE(outcomes.size(), std::size_t(1));
    QCOMPARE(outcomes.front().id, QStringLiteral("victim"));
    QVERIFY(outcomes.front().state == TaskOutcome::State::Cancelled);
    QTRY_COMPARE(completedSpy.count(), workers + 1);
    QCOMPARE(pool->stats().cancelled, qint64(1));
}

void TestThreadPoolManager::cancelRunning()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    QSignalSpy cancelledSpy(pool.get(), &ThreadPoolManager::taskCancelled);
    QSignalSpy completedSpy(pool.get(), &ThreadPoolManager::taskCompleted);

    ScopedGate proceed;
    Recorder started;
    auto sawCancel = std::make_shared<std::atomic<bool>>(false);
    std::vector<TaskOutcome> outcomes;
    const Gate gate = proceed.gate();
    QVERIFY(pool->submit(
        QStringLiteral("long"),
        [gate, started, sawCancel](const CancellationToken &token) -> QVariant {
            started.add(QStringLiteral("long"));
            gate.wait(); // stands for "between two steps of real work"
            sawCancel->store(token.isCancelled());
            return 42;
        },
        TaskPriority::Normal, this, [&outcomes](const TaskOutcome &o) { outcomes.push_back(o); }));
    QVERIFY(started.waitFor(1));

    QVERIFY(pool->cancel(QStringLiteral("long")));
    proceed.open();
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));

    QVERIFY(sawCancel->load());
    QTRY_COMPARE(outcomes.size(), std::size_t(1));
    QVERIFY(outcomes.front().state == TaskOutcome::State::Cancelled);
    QVERIFY(!outcomes.front().result.isValid()); // a cancelled result is not handed out
    QTRY_COMPARE(cancelledSpy.count(), 1);
    QCOMPARE(completedSpy.count(), 0);
    QCOMPARE(pool->stats().cancelled, qint64(1));
    QCOMPARE(pool->stats().completed, qint64(0));
}

void TestThreadPoolManager::cancelAll()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    auto gates = holdWorkers(*pool.get(), workers);
    Recorder ran;
    for (int i = 0; i < 5; ++i)
        QVERIFY(pool->submit(QStringLiteral("q%1").arg(i), recordTask(ran, QStringLiteral("q%1").arg(i))));

    QCOMPARE(pool->cancelAll(), 5 + workers); // five queued removed, every running token cancelled
    QCOMPARE(pool->stats().queued(), 0);
    for (auto &gate : gates)
        gate->open();
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    QCOMPARE(ran.count(), 0);
    QCOMPARE(pool->stats().cancelled, qint64(5 + workers));
}

void TestThreadPoolManager::exceptionsAreReported()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    QSignalSpy failedSpy(pool.get(), &ThreadPoolManager::taskFailed);
    std::vector<TaskOutcome> outcomes;
    auto collect = [&outcomes](const TaskOutcome &o) { outcomes.push_back(o); };

    QVERIFY(pool->submit(
        QStringLiteral("std"),
        [](const CancellationToken &) -> QVariant { throw std::runtime_error("disk on fire"); },
        TaskPriority::Normal, this, collect));
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    QVERIFY(pool->submit(
        QStringLiteral("other"), [](const CancellationToken &) -> QVariant { throw 7; },
        TaskPriority::Normal, this, collect));
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    Recorder ran;
    QVERIFY(pool->submit(QStringLiteral("fine"), recordTask(ran, QStringLiteral("fine")),
                         TaskPriority::Normal, this, collect));
    QVERIFY(ran.waitFor(1)); // the pool kept working

    QTRY_COMPARE(failedSpy.count(), 2);
    QCOMPARE(failedSpy.at(0).at(0).toString(), QStringLiteral("std"));
    QCOMPARE(failedSpy.at(0).at(1).toString(), QStringLiteral("disk on fire"));
    QCOMPARE(failedSpy.at(1).at(1).toString(), QStringLiteral("unknown exception"));
    QTRY_COMPARE(outcomes.size(), std::size_t(3));
    QVERIFY(outcomes[0].state == TaskOutcome::State::Failed);
    QCOMPARE(outcomes[0].error, QStringLiteral("disk on fire"));
    QVERIFY(outcomes[2].state == TaskOutcome::State::Completed);
    QCOMPARE(outcomes[2].result.toString(), QStringLiteral("fine"));
    QCOMPARE(pool->lastError(), QStringLiteral("Task other: unknown exception"));
    QCOMPARE(pool->stats().failed, qint64(2));
    QCOMPARE(pool->stats().completed, qint64(1));
    QVERIFY(pool->healthCheck().healthy); // 2 of 3 failed, but far from half of the window
}

void TestThreadPoolManager::healthUsesRecentFailureRate()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers)); // window of 20
    auto run = [&pool](const QString &prefix, int count, bool fail) {
        for (int i = 0; i < count; ++i) {
            pool->submit(QStringLiteral("%1-%2").arg(prefix).arg(i),
                         [fail](const CancellationToken &) -> QVariant {
                             if (fail)
                                 throw std::runtime_error("broken");
                             return true;
                         });
        }
        return pool->waitForDone(QDeadlineTimer(20s));
    };

    QVERIFY(run(QStringLiteral("bad"), 11, true));
    PoolHealth health = pool->healthCheck();
    QVERIFY(!health.healthy); // 11 of the last 20 failed
    QCOMPARE(health.failed, qint64(11));
    QCOMPARE(health.processed, qint64(11));
    QVERIFY(health.lastError.startsWith(QStringLiteral("Task bad-")));
    QVERIFY(health.lastError.endsWith(QStringLiteral(": broken")));

    QVERIFY(run(QStringLiteral("good"), 9, false));
    QVERIFY(!pool->healthCheck().healthy); // still 11 failures among the last 20

    QVERIFY(run(QStringLiteral("more"), 1, false));
    health = pool->healthCheck();
    QVERIFY(health.healthy); // the oldest failure left the window: 10 of 20 is not "more than half"
    QCOMPARE(health.failed, qint64(11)); // the counter itself never resets
    QCOMPARE(health.processed, qint64(21));
}

void TestThreadPoolManager::idReuse()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    ScopedGate gate;
    Recorder started;
    QVERIFY(pool->submit(QStringLiteral("same"), gateTask(gate.gate(), started, QStringLiteral("same"))));
    QVERIFY(!pool->submit(QStringLiteral("same"), recordTask(Recorder(), QStringLiteral("x")))); // pending or running

    Recorder ran;
    std::vector<ThreadPoolManager::BatchItem> batch;
    batch.push_back({QStringLiteral("same"), recordTask(ran, QStringLiteral("dup"))});
    batch.push_back({QStringLiteral("other"), recordTask(ran, QStringLiteral("other"))});
    batch.push_back({QStringLiteral("other"), recordTask(ran, QStringLiteral("other-dup"))});
    QCOMPARE(pool->submitBatch(std::move(batch)), 1);

    gate.open();
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    QCOMPARE(ran.entries(), QStringList{QStringLiteral("other")});

    // Finished ids are forgotten: accepted again, also from the task's own callback.
    std::optional<bool> resubmitted;
    QVERIFY(pool->submit(QStringLiteral("same"), recordTask(ran, QStringLiteral("same-again")),
                         TaskPriority::Normal, this, [&](const TaskOutcome &o) {
                             resubmitted = pool->submit(o.id, recordTask(ran, QStringLiteral("chained")));
                         }));
    QTRY_VERIFY(resubmitted.has_value());
    QVERIFY(*resubmitted);
    QVERIFY(ran.waitFor(3));
    QCOMPARE(ran.entries(), (QStringList{"other", "same-again", "chained"}));
}

void TestThreadPoolManager::resizeUpAndDown_data()
{
    QTest::addColumn<int>("maxWorkers");
    QTest::newRow("up to 2") << 2;
    QTest::newRow("up to 4") << 4;
}

void TestThreadPoolManager::resizeUpAndDown()
{
    QFETCH(int, maxWorkers);
    PoolConfig config;
    config.minWorkers = 1;
    config.maxWorkers = maxWorkers;
    config.idleTimeout = 50ms;
    config.resourceReader = plentyOfResources;
    config.resourceCacheTime = 0ms;
    PoolHandle pool(config);
    QSignalSpy resized(pool.get(), &ThreadPoolManager::poolResized);
    QCOMPARE(pool->stats().workers, 1);

    // Each held task leaves queued work and no idle worker, so every submit grows by one.
    std::vector<std::unique_ptr<ScopedGate>> gates;
    Recorder started;
    for (int i = 0; i < maxWorkers; ++i) {
        gates.push_back(std::make_unique<ScopedGate>());
        QVERIFY(pool->submit(QStringLiteral("g%1").arg(i), gateTask(gates.back()->gate(), started, QStringLiteral("g%1").arg(i))));
    }
    QVERIFY(started.waitFor(maxWorkers)); // all held at once: there are maxWorkers workers
    QCOMPARE(pool->stats().workers, maxWorkers);
    // Never beyond the maximum, however much is queued.
    Recorder ran;
    for (int i = 0; i < 4; ++i)
        QVERIFY(pool->submit(QStringLiteral("extra%1").arg(i), recordTask(ran, QStringLiteral("extra%1").arg(i))));
    QCOMPARE(pool->stats().workers, maxWorkers);

    for (auto &gate : gates)
        gate->open();
    // Idle workers exit after idleTimeout (a timed wait on their condition variable) down to min.
    QTRY_COMPARE_WITH_TIMEOUT(pool->stats().workers, 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(resized.count(), 2 * (maxWorkers - 1), 10000);
    QList<int> grown;
    QList<int> shrunk;
    for (int i = 0; i < resized.count(); ++i)
        (i < maxWorkers - 1 ? grown : shrunk) << resized.at(i).at(0).toInt();
    QList<int> expectedGrown;
    QList<int> expectedShrunk;
    for (int n = 2; n <= maxWorkers; ++n)
        expectedGrown << n;
    for (int n = maxWorkers - 1; n >= 1; --n)
        expectedShrunk << n;
    QCOMPARE(grown, expectedGrown);
    std::sort(shrunk.begin(), shrunk.end(), std::greater<>()); // two exits may post in either order
    QCOMPARE(shrunk, expectedShrunk);
    QCOMPARE(ran.count(), 4);
}

void TestThreadPoolManager::setWorkerLimits()
{
    PoolConfig config = fixedConfig(1);
    PoolHandle pool(config);
    QSignalSpy resized(pool.get(), &ThreadPoolManager::poolResized);
    pool->setWorkerLimits(3, 5);
    QCOMPARE(pool->stats().workers, 3);
    QCOMPARE(pool->stats().minWorkers, 3);
    QCOMPARE(pool->stats().maxWorkers, 5);
    QTRY_COMPARE(resized.count(), 1);
    QCOMPARE(resized.at(0).at(0).toInt(), 3);

    pool->setWorkerLimits(1, 1); // the idle extra workers leave at once
    QTRY_COMPARE(pool->stats().workers, 1);
    pool->setWorkerLimits(0, -4); // clamped to 1..1
    QCOMPARE(pool->stats().minWorkers, 1);
    QCOMPARE(pool->stats().maxWorkers, 1);
    Recorder ran;
    QVERIFY(pool->submit(QStringLiteral("still-works"), recordTask(ran, QStringLiteral("still-works"))));
    QVERIFY(ran.waitFor(1));
}

void TestThreadPoolManager::resourceAwareGrowth_data()
{
    QTest::addColumn<qint64>("memory");
    QTest::addColumn<double>("load");
    QTest::addColumn<bool>("grows");
    const qint64 mib = 1024 * 1024;
    QTest::newRow("plenty") << 4096 * mib << 0.5 << true;
    QTest::newRow("memory below the floor") << 100 * mib << 0.5 << false;
    QTest::newRow("load above the ceiling") << 4096 * mib << 3.8 << false; // 1.9 per core
    QTest::newRow("unknown readings do not block") << qint64(-1) << -1.0 << true;
}

void TestThreadPoolManager::resourceAwareGrowth()
{
    QFETCH(qint64, memory);
    QFETCH(double, load);
    QFETCH(bool, grows);

    struct Readings {
        std::atomic<qint64> memory;
        std::atomic<double> load;
    };
    auto readings = std::make_shared<Readings>();
    readings->memory = memory;
    readings->load = load;
    PoolConfig config;
    config.minWorkers = 1;
    config.maxWorkers = 3;
    config.minAvailableMemoryBytes = qint64(256) * 1024 * 1024;
    config.maxLoadPerCore = 0.9;
    config.resourceCacheTime = 0ms;
    config.resourceReader = [readings] {
        SystemResources::Snapshot snap;
        snap.memoryAvailableBytes = readings->memory.load();
        snap.loadAverage1 = readings->load.load();
        snap.logicalCores = 2;
        return snap;
    };
    PoolHandle pool(config);

    ScopedGate gate;
    Recorder started;
    QVERIFY(pool->submit(QStringLiteral("busy"), gateTask(gate.gate(), started, QStringLiteral("busy"))));
    QVERIFY(started.waitFor(1));
    QVERIFY(pool->submit(QStringLiteral("waiting"), gateTask(gate.gate(), started, QStringLiteral("waiting"))));

    // Growth is decided inside submit(), so the answer is visible as soon as it returns.
    const PoolStats stats = pool->stats();
    QCOMPARE(stats.workers, grows ? 2 : 1);
    QCOMPARE(stats.growthRefusals, grows ? qint64(0) : qint64(1));
    QCOMPARE(stats.memoryAvailableBytes, memory);
    QCOMPARE(stats.cpuLoad, load < 0 ? -1.0 : load / 2);
    if (grows) {
        QVERIFY(started.waitFor(2));
        return;
    }
    QCOMPARE(started.count(), 1);

    // Pressure gone: the next submit grows the pool and the waiting task starts.
    readings->memory = qint64(4096) * 1024 * 1024;
    readings->load = 0.2;
    QVERIFY(pool->submit(QStringLiteral("third"), gateTask(gate.gate(), started, QStringLiteral("third"))));
    QCOMPARE(pool->stats().workers, 2);
    QVERIFY(started.waitFor(2));
}

void TestThreadPoolManager::statsAndHealthFields()
{
    QFETCH(int, workers);
    PoolConfig config = fixedConfig(workers);
    config.resourceReader = [] {
        SystemResources::Snapshot snap;
        snap.memoryAvailableBytes = qint64(3) * 1024 * 1024 * 1024;
        snap.loadAverage1 = 1.5;
        snap.logicalCores = 2;
        return snap;
    };
    PoolHandle pool(config);
    auto gates = holdWorkers(*pool.get(), workers);
    Recorder ran;
    int n = 0;
    for (const TaskPriority p : {TaskPriority::Critical, TaskPriority::High, TaskPriority::Normal,
                                 TaskPriority::Low, TaskPriority::Background, TaskPriority::Low}) {
        const QString id = QStringLiteral("t%1").arg(n++);
        QVERIFY(pool->submit(id, recordTask(ran, id), p));
    }

    PoolStats stats = pool->stats();
    QCOMPARE(stats.workers, workers);
    QCOMPARE(stats.busyWorkers, workers);
    QCOMPARE(stats.minWorkers, workers);
    QCOMPARE(stats.maxWorkers, workers);
    QCOMPARE(stats.queuedPerPriority, (std::array<int, 5>{1, 1, 1, 2, 1}));
    QCOMPARE(stats.queued(), 6);
    QCOMPARE(stats.memoryAvailableBytes, qint64(3) * 1024 * 1024 * 1024);
    QCOMPARE(stats.cpuLoad, 0.75);
    PoolHealth health = pool->healthCheck();
    QVERIFY(health.healthy);
    QCOMPARE(health.workers, workers);
    QCOMPARE(health.queued, 6);
    QVERIFY(health.lastError.isEmpty());

    const QVariantMap map = stats.toVariantMap();
    QCOMPARE(map.value(QStringLiteral("queued")).toInt(), 6);
    QCOMPARE(map.value(QStringLiteral("queuedPerPriority")).toMap().value(QStringLiteral("LOW")).toInt(), 2);
    QCOMPARE(map.value(QStringLiteral("busyWorkers")).toInt(), workers);
    QCOMPARE(map.value(QStringLiteral("cpuLoad")).toDouble(), 0.75);

    for (auto &gate : gates)
        gate->open();
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    stats = pool->stats();
    QCOMPARE(stats.completed, qint64(workers + 6));
    QCOMPARE(stats.failed, qint64(0));
    QCOMPARE(stats.busyWorkers, 0);
    QCOMPARE(stats.queued(), 0);
    QVERIFY(stats.totalRunSeconds > 0.0);
    QVERIFY(qFuzzyCompare(stats.averageRunSeconds, stats.totalRunSeconds / (workers + 6)));
    health = pool->healthCheck();
    QCOMPARE(health.processed, qint64(workers + 6));
    QCOMPARE(health.toVariantMap().value(QStringLiteral("healthy")).toBool(), true);
    QCOMPARE(pool->shutdownHealth().value(QStringLiteral("processed")).toLongLong(), qint64(workers + 6));
    QCOMPARE(pool->participantName(), QStringLiteral("ThreadPoolManager"));
}

void TestThreadPoolManager::callbackRunsOnContextThread()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    EventThread contextThread;

    Recorder where;
    const QThread *expected = contextThread.thread();
    for (int i = 0; i < 3; ++i) {
        QVERIFY(pool->submit(QStringLiteral("ctx%1").arg(i),
                             [](const CancellationToken &) -> QVariant { return 1; },
                             TaskPriority::Normal, contextThread.context(),
                             [where, expected](const TaskOutcome &o) {
                                 where.add(o.id + (QThread::currentThread() == expected
                                                       ? QStringLiteral("@context")
                                                       : QStringLiteral("@elsewhere")));
                             }));
    }
    QVERIFY(where.waitFor(3));
    QStringList seen = where.entries();
    seen.sort();
    QCOMPARE(seen, (QStringList{"ctx0@context", "ctx1@context", "ctx2@context"}));

    // Without a context the callback runs on the pool's own (here: the test's) thread.
    QThread *callbackThread = nullptr;
    QVERIFY(pool->submit(QStringLiteral("owner"), [](const CancellationToken &) -> QVariant { return 1; },
                         TaskPriority::Normal, nullptr,
                         [&callbackThread](const TaskOutcome &) { callbackThread = QThread::currentThread(); }));
    QTRY_VERIFY(callbackThread != nullptr);
    QCOMPARE(callbackThread, QThread::currentThread());
}

void TestThreadPoolManager::callbackDroppedWhenContextDies()
{
    PoolHandle pool(fixedConfig(1));
    ScopedGate gate;
    Recorder started;
    auto *doomed = new QObject;
    QObject survivor;
    bool doomedCalled = false;
    bool survivorCalled = false;
    QVERIFY(pool->submit(QStringLiteral("doomed"), gateTask(gate.gate(), started, QStringLiteral("doomed")),
                         TaskPriority::Normal, doomed, [&](const TaskOutcome &) { doomedCalled = true; }));
    QVERIFY(pool->submit(QStringLiteral("survivor"), [](const CancellationToken &) -> QVariant { return 1; },
                         TaskPriority::Normal, &survivor, [&](const TaskOutcome &) { survivorCalled = true; }));
    QVERIFY(started.waitFor(1));
    delete doomed;
    gate.open();
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    // Both outcomes were handed over before waitForDone returned, in task order, to this thread.
    QTRY_VERIFY(survivorCalled);
    QVERIFY(!doomedCalled);
}

void TestThreadPoolManager::signalsOnOwnerThread()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    QSignalSpy submitted(pool.get(), &ThreadPoolManager::taskSubmitted);
    QThread *const owner = QThread::currentThread();
    std::vector<QThread *> completedOn;
    connect(pool.get(), &ThreadPoolManager::taskCompleted, this,
            [&completedOn](const QString &, const QVariant &) { completedOn.push_back(QThread::currentThread()); },
            Qt::DirectConnection);

    // Submitted from a foreign thread: the signals still arrive on the owner thread.
    std::thread producer([&pool] {
        for (int i = 0; i < 10; ++i)
            pool->submit(QStringLiteral("s%1").arg(i), [i](const CancellationToken &) -> QVariant { return i; },
                         i % 2 ? TaskPriority::High : TaskPriority::Background);
    });
    producer.join();
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    QTRY_COMPARE(completedOn.size(), std::size_t(10));
    for (QThread *thread : completedOn)
        QCOMPARE(thread, owner);
    QTRY_COMPARE(submitted.count(), 10);
    QCOMPARE(submitted.at(1).at(0).toString(), QStringLiteral("s1"));
    QCOMPARE(qvariant_cast<TaskPriority>(submitted.at(1).at(1)), TaskPriority::High);
    QCOMPARE(qvariant_cast<TaskPriority>(submitted.at(2).at(1)), TaskPriority::Background);
    QCOMPARE(priorityName(TaskPriority::Background), QStringLiteral("BACKGROUND"));
}

namespace {
class MetaCallCounter final : public QObject {
public:
    int count = 0;
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::MetaCall)
            ++count;
        return false;
    }
};
} // namespace

void TestThreadPoolManager::nothingPostedWithoutReceivers()
{
    PoolHandle pool(fixedConfig(2));
    MetaCallCounter counter;
    pool->installEventFilter(&counter);

    for (int i = 0; i < 500; ++i)
        QVERIFY(pool->submit(QStringLiteral("quiet%1").arg(i), [](const CancellationToken &) -> QVariant { return 1; }));
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    QCoreApplication::processEvents();
    QCOMPARE(counter.count, 0); // nobody listens: nothing was posted to the owner thread

    QSignalSpy completed(pool.get(), &ThreadPoolManager::taskCompleted);
    for (int i = 0; i < 500; ++i)
        QVERIFY(pool->submit(QStringLiteral("heard%1").arg(i), [](const CancellationToken &) -> QVariant { return 1; }));
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    QTRY_COMPARE(completed.count(), 500);
    QVERIFY(counter.count >= 1);
    QVERIFY2(counter.count <= 500, "results are coalesced, never more than one event each");
    pool->removeEventFilter(&counter);
}

void TestThreadPoolManager::waitForDoneHonoursDeadline()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    QVERIFY(pool->waitForDone(QDeadlineTimer(0))); // nothing pending
    auto gates = holdWorkers(*pool.get(), 1);
    QVERIFY(!pool->waitForDone(QDeadlineTimer(30ms))); // held: the deadline wins
    gates.front()->open();
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    QCOMPARE(pool->stats().completed, qint64(1));
}

void TestThreadPoolManager::shutdownCancelsAndJoins()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    EventThread observer;

    // Every worker runs a task parked on one gate. The gate is opened by the callback of a
    // queued task that shutdown drops, delivered on another thread: the tasks can only see a
    // cancelled token because shutdownNow() cancelled it, and the join needs no timing.
    ScopedGate gate;
    const Gate g = gate.gate();
    Recorder started;
    Recorder sawCancel;
    for (int i = 0; i < workers; ++i) {
        const QString id = QStringLiteral("running%1").arg(i);
        QVERIFY(pool->submit(id, [g, started, sawCancel, id](const CancellationToken &token) -> QVariant {
            started.add(id);
            g.wait();
            if (token.isCancelled())
                sawCancel.add(id);
            return {};
        }));
    }
    QVERIFY(started.waitFor(workers));
    Recorder dropped;
    for (int i = 0; i < 3; ++i) {
        QVERIFY(pool->submit(QStringLiteral("queued%1").arg(i),
                             [dropped](const CancellationToken &) -> QVariant {
                                 dropped.add(QStringLiteral("ran"));
                                 return {};
                             },
                             TaskPriority::Background, observer.context(), [g, dropped](const TaskOutcome &o) {
                                 dropped.add(o.state == TaskOutcome::State::Cancelled ? o.id : QStringLiteral("ran?"));
                                 g.open();
                             }));
    }

    QElapsedTimer timer;
    timer.start();
    const Status status = pool->shutdownNow(10s, false);
    QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().message));
    QVERIFY(timer.elapsed() < 10000);
    QCOMPARE(sawCancel.count(), workers); // joined: every running task has returned
    QVERIFY(pool->isShutDown());
    QVERIFY(dropped.waitFor(3));
    QStringList droppedIds = dropped.entries();
    droppedIds.sort();
    QCOMPARE(droppedIds, (QStringList{"queued0", "queued1", "queued2"}));

    // Idempotent; the pool refuses new work and has nothing pending.
    QVERIFY(pool->shutdownNow(10s, false).ok());
    QVERIFY(!pool->submit(QStringLiteral("late"), [](const CancellationToken &) -> QVariant { return {}; }));
    std::vector<ThreadPoolManager::BatchItem> late;
    late.push_back({QStringLiteral("late2"), [](const CancellationToken &) -> QVariant { return {}; }});
    QCOMPARE(pool->submitBatch(std::move(late)), 0);
    QVERIFY(pool->waitForDone(QDeadlineTimer(0)));
    QVERIFY(!pool->healthCheck().healthy);
    QCOMPARE(pool->stats().workers, 0);
    QCOMPARE(pool->stats().cancelled, qint64(3 + workers));
}

void TestThreadPoolManager::shutdownReturnsWithinBudget()
{
    PoolHandle pool(fixedConfig(2));
    ScopedGate gate;
    Recorder progress;
    const Gate g = gate.gate();
    QVERIFY(pool->submit(QStringLiteral("stubborn"), [g, progress](const CancellationToken &) -> QVariant {
        progress.add(QStringLiteral("started"));
        g.wait(); // ignores its token; released only after shutdownNow() has returned
        progress.add(QStringLiteral("finished"));
        return {};
    }));
    QVERIFY(progress.waitFor(1));

    QElapsedTimer timer;
    timer.start();
    const Status status = pool->shutdownNow(100ms, true);
    const qint64 elapsed = timer.elapsed();
    QVERIFY(!status.ok());
    QCOMPARE(status.error().code, ErrorCode::Timeout);
    QVERIFY(status.error().message.contains(QStringLiteral("stubborn")));
    QVERIFY2(elapsed < 2000, qPrintable(QStringLiteral("took %1 ms").arg(elapsed)));
    // A second call is a no-op that repeats the result at once.
    QVERIFY(!pool->shutdownNow(100ms, true).ok());

    gate.open(); // the detached worker finishes on its own
    QVERIFY(progress.waitFor(2));
}

void TestThreadPoolManager::rejectsInvalidSubmissions()
{
    PoolHandle pool(fixedConfig(1));
    QVERIFY(!pool->submit(QString(), [](const CancellationToken &) -> QVariant { return {}; }));
    QVERIFY(!pool->submit(QStringLiteral("no-fn"), TaskFunction()));
    std::vector<ThreadPoolManager::BatchItem> batch;
    batch.push_back({QString(), [](const CancellationToken &) -> QVariant { return {}; }});
    batch.push_back({QStringLiteral("ok"), [](const CancellationToken &) -> QVariant { return {}; }});
    QCOMPARE(pool->submitBatch(std::move(batch)), 1);
    QCOMPARE(pool->submitBatch(std::vector<ThreadPoolManager::BatchItem>{}), 0);
    std::vector<TaskFunction> fns;
    fns.emplace_back();
    fns.emplace_back([](const CancellationToken &) -> QVariant { return {}; });
    QCOMPARE(pool->submitBatch(std::move(fns)), 1); // the empty function is skipped
    QVERIFY(!pool->submit(TaskFunction()));
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    QCOMPARE(pool->stats().completed, qint64(2));
    (void)pool->shutdownNow(10s, false);
    QVERIFY(!pool->submit([](const CancellationToken &) -> QVariant { return {}; }));
    std::vector<TaskFunction> late;
    late.emplace_back([](const CancellationToken &) -> QVariant { return {}; });
    QCOMPARE(pool->submitBatch(std::move(late)), 0);
}

void TestThreadPoolManager::idlessTasksKeepPriorityOrder()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    auto gates = holdWorkers(*pool.get(), workers);

    // Id-less and named tasks share the lanes: one order, priority first, FIFO within one.
    Recorder ran;
    QVERIFY(pool->submit(recordTask(ran, QStringLiteral("bg-anon")), TaskPriority::Background));
    QVERIFY(pool->submit(QStringLiteral("n1"), recordTask(ran, QStringLiteral("n1"))));
    QVERIFY(pool->submit(recordTask(ran, QStringLiteral("n-anon")), TaskPriority::Normal));
    QVERIFY(pool->submit(recordTask(ran, QStringLiteral("c-anon")), TaskPriority::Critical));
    std::vector<TaskFunction> highs;
    for (int i = 0; i < 3; ++i)
        highs.push_back(recordTask(ran, QStringLiteral("h%1").arg(i)));
    QCOMPARE(pool->submitBatch(std::move(highs), TaskPriority::High), 3); // spread over the deques
    QVERIFY(pool->submit(QStringLiteral("c1"), recordTask(ran, QStringLiteral("c1")), TaskPriority::Critical));
    QCOMPARE(pool->stats().queuedPerPriority, (std::array<int, kTaskPriorityCount>{2, 3, 2, 0, 1}));

    gates.front()->open(); // exactly one worker drains the queue (stealing the other deques)
    QVERIFY(ran.waitFor(8));
    const QStringList order = ran.entries();
    QCOMPARE(order.mid(0, 2), (QStringList{"c-anon", "c1"}));
    const QStringList highsRan = order.mid(2, 3); // across deques: priority holds, not FIFO
    QCOMPARE(QSet<QString>(highsRan.begin(), highsRan.end()), (QSet<QString>{"h0", "h1", "h2"}));
    QCOMPARE(order.mid(5), (QStringList{"n1", "n-anon", "bg-anon"}));
}

void TestThreadPoolManager::idlessTasksAreCountedCancelledAndReported()
{
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    QSignalSpy completed(pool.get(), &ThreadPoolManager::taskCompleted);
    QSignalSpy failed(pool.get(), &ThreadPoolManager::taskFailed);
    QSignalSpy cancelled(pool.get(), &ThreadPoolManager::taskCancelled);
    auto gates = holdWorkers(*pool.get(), workers);

    Recorder ran;
    for (int i = 0; i < 4; ++i)
        QVERIFY(pool->submit(recordTask(ran, QStringLiteral("a%1").arg(i))));
    QVERIFY(!pool->cancel(QString())); // an id-less task cannot be named
    QCOMPARE(pool->cancelAll(), 4 + workers);
    for (auto &gate : gates)
        gate->open();
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    QCOMPARE(ran.count(), 0);
    QTRY_COMPARE(cancelled.count(), 4 + workers);
    QCOMPARE(cancelled.at(0).at(0).toString(), QString()); // the queued ones come first, id-less

    QVERIFY(pool->submit([](const CancellationToken &) -> QVariant { throw std::runtime_error("boom"); }));
    QVERIFY(pool->submit([](const CancellationToken &) -> QVariant { return 42; }));
    QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), QString());
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("boom"));
    QCOMPARE(pool->lastError(), QStringLiteral("Task (no id): boom"));
    QTRY_COMPARE(completed.count(), 1);
    QCOMPARE(completed.at(0).at(1).toInt(), 42);
    const PoolStats stats = pool->stats();
    QCOMPARE(stats.completed, qint64(1));
    QCOMPARE(stats.failed, qint64(1));
    QCOMPARE(stats.cancelled, qint64(4 + workers));
    QCOMPARE(pool->healthCheck().processed, qint64(2 + workers)); // the held ones ran, cancelled
}

void TestThreadPoolManager::manyTinyTasksReuseRecords()
{
    // Far more tasks than the spare list and one record slab hold, named and id-less, in
    // batches and one by one, from two threads: every one runs exactly once. Under ASan this
    // also checks the record slabs' lifetime.
    PoolHandle pool(fixedConfig(2));
    std::atomic<int> count{0};
    const auto tiny = [&count](const CancellationToken &) -> QVariant {
        count.fetch_add(1, std::memory_order_relaxed);
        return {};
    };
    constexpr int kEach = 20000;
    std::atomic<int> acceptedByOther{0};
    std::thread other([&] {
        for (int i = 0; i < kEach; ++i)
            if (pool->submit(QStringLiteral("t%1").arg(i), tiny))
                acceptedByOther.fetch_add(1, std::memory_order_relaxed);
    });
    int accepted = 0;
    for (int i = 0; i < kEach; i += 1000)
        accepted += pool->submitBatch(std::vector<TaskFunction>(1000, tiny), TaskPriority::Low);
    for (int i = 0; i < kEach; ++i)
        accepted += pool->submit(tiny, TaskPriority::High) ? 1 : 0;
    other.join();
    QCOMPARE(accepted, 2 * kEach);
    QCOMPARE(acceptedByOther.load(), kEach);
    QVERIFY(pool->waitForDone(QDeadlineTimer(60s)));
    QCOMPARE(count.load(), 3 * kEach);
    QCOMPARE(pool->stats().completed, qint64(3 * kEach));
    QCOMPARE(pool->stats().queued(), 0);
}

void TestThreadPoolManager::idlessBurstKeepsOrderPastInboxCapacity()
{
    // Id-less submits to a busy pool queue without the pool lock, in a bounded inbox that a
    // worker moves to the lanes when it next takes the lock; a full inbox sends submits through
    // the lock. Across both routes and a named task in between, one order holds: priority
    // first, then submission order.
    PoolHandle pool(fixedConfig(1));
    auto gates = holdWorkers(*pool.get(), 1);
    Recorder ran;
    constexpr int kTasks = 10000; // more than the inbox holds
    QStringList expected;
    for (int i = 0; i < kTasks; ++i) {
        if (i == kTasks / 2) {
            QVERIFY(pool->submit(QStringLiteral("named"), recordTask(ran, QStringLiteral("named"))));
            expected << QStringLiteral("named");
        }
        const QString id = QString::number(i);
        QVERIFY(pool->submit(recordTask(ran, id)));
        expected << id;
    }
    QVERIFY(pool->submit(recordTask(ran, QStringLiteral("urgent")), TaskPriority::Critical));
    expected.prepend(QStringLiteral("urgent"));
    QCOMPARE(pool->stats().queuedPerPriority, (std::array<int, kTaskPriorityCount>{1, 0, kTasks + 1, 0, 0}));

    gates.front()->open();
    QVERIFY(pool->waitForDone(QDeadlineTimer(60s)));
    QCOMPARE(ran.entries(), expected);
}

void TestThreadPoolManager::idlessSubmitsFromManyThreadsNeverStall()
{
    // Workers keep going idle and being woken while four threads submit id-less tasks. A task
    // left in the inbox with every worker asleep would make waitForDone() time out.
    QFETCH(int, workers);
    PoolHandle pool(fixedConfig(workers));
    std::atomic<int> count{0};
    const auto tiny = [&count](const CancellationToken &) -> QVariant {
        count.fetch_add(1, std::memory_order_relaxed);
        return {};
    };
    constexpr int kThreads = 4;
    constexpr int kEach = 25000;
    std::atomic<int> accepted{0};
    std::atomic<int> stalls{0};
    std::vector<std::thread> submitters;
    for (int t = 0; t < kThreads; ++t) {
        submitters.emplace_back([&, t] {
            const TaskPriority priority = t % 2 == 0 ? TaskPriority::Normal : TaskPriority::High;
            for (int i = 0; i < kEach; ++i) {
                if (pool->submit(tiny, priority))
                    accepted.fetch_add(1, std::memory_order_relaxed);
                if (i % 997 == 0 && !pool->waitForDone(QDeadlineTimer(20s))) // workers fall asleep
                    stalls.fetch_add(1);
            }
        });
    }
    for (auto &thread : submitters)
        thread.join();
    QCOMPARE(stalls.load(), 0);
    QCOMPARE(accepted.load(), kThreads * kEach);
    QVERIFY(pool->waitForDone(QDeadlineTimer(60s)));
    QCOMPARE(count.load(), kThreads * kEach);
    const PoolStats stats = pool->stats();
    QCOMPARE(stats.completed, qint64(kThreads * kEach));
    QCOMPARE(stats.queued(), 0);
}

void TestThreadPoolManager::idlessSubmitsRacingShutdownAreAllAccounted()
{
    // A submit that returned true is a task that either ran or was reported cancelled, also
    // when the pool shut down while the task sat in the inbox; after shutdown, submits fail.
    PoolHandle pool(fixedConfig(2));
    QSignalSpy completed(pool.get(), &ThreadPoolManager::taskCompleted);
    QSignalSpy cancelled(pool.get(), &ThreadPoolManager::taskCancelled);
    std::atomic<int> ran{0};
    std::atomic<int> accepted{0};
    std::atomic<bool> refused{false};
    Gate started;
    std::thread submitter([&] {
        for (int i = 0; !refused.load(); ++i) {
            if (pool->submit([&ran](const CancellationToken &) -> QVariant {
                    ran.fetch_add(1, std::memory_order_relaxed);
                    return {};
                }))
                accepted.fetch_add(1, std::memory_order_relaxed);
            else
                refused.store(true);
            if (i == 20000)
                started.open();
        }
    });
    started.wait();
    QVERIFY(pool->shutdownNow(10s, false).ok());
    submitter.join();
    QVERIFY(refused.load());
    QVERIFY(!pool->submit([](const CancellationToken &) -> QVariant { return {}; }));
    QVERIFY(ran.load() > 0);
    // A task running when the shutdown began ran, but ends Cancelled (its token was cancelled).
    QTRY_COMPARE_WITH_TIMEOUT(completed.count() + cancelled.count(), accepted.load(), 20000);
    QVERIFY(completed.count() <= ran.load());
}

void TestThreadPoolManager::burstMemoryReturnedWhenIdle()
{
    // A burst of queued tasks needs tens of MiB of task records. They are kept for the next
    // burst while work goes on, but a pool that then sits idle must give them back: a GUI that
    // once queued 300k tasks should not hold that memory for the rest of the session.
    PoolConfig config = fixedConfig(1);
    config.idleTimeout = 100ms;
    PoolHandle pool(config);
    ScopedGate gate;
    Recorder started;
    QVERIFY(pool->submit(QStringLiteral("gate"), gateTask(gate.gate(), started, QStringLiteral("gate"))));
    QVERIFY(started.waitFor(1)); // the only worker is held: everything below stays queued
    constexpr int kBurst = 300000;
    std::atomic<int> ran{0};
    const TaskFunction tiny = [&ran](const CancellationToken &) -> QVariant {
        ran.fetch_add(1, std::memory_order_relaxed);
        return {};
    };
    for (int i = 0; i < kBurst; i += 10000)
        QCOMPARE(pool->submitBatch(std::vector<TaskFunction>(10000, tiny)), 10000);
    const qint64 peak = pool->stats().taskMemoryBytes;
    QVERIFY2(peak >= qint64(30) << 20, qPrintable(QString::number(peak)));

    gate.open();
    QVERIFY(pool->waitForDone(QDeadlineTimer(60s)));
    QCOMPARE(ran.load(), kBurst);
    // What stays: the slab being carved, those the spare records sit in, and two kept for reuse.
    QTRY_VERIFY_WITH_TIMEOUT(pool->stats().taskMemoryBytes <= qint64(12) << 20, 10000);
    QVERIFY(pool->stats().taskMemoryBytes < peak / 2);
}

void TestThreadPoolManager::tokenOutlivesPool()
{
    // A task may keep its token after it ends; the token's flag lives in the task record, so
    // the record (and its slab) must outlive the pool.
    std::optional<CancellationToken> kept;
    {
        PoolHandle pool(fixedConfig(1));
        QVERIFY(pool->submit([&kept](const CancellationToken &token) -> QVariant {
            kept = token; // read after waitForDone(), which orders it
            return {};
        }));
        QVERIFY(pool->waitForDone(QDeadlineTimer(20s)));
    } // pool shut down and destroyed
    QVERIFY(kept.has_value());
    QVERIFY(!kept->isCancelled());
    kept->cancel();
    QVERIFY(kept->isCancelled());
}

QTEST_GUILESS_MAIN(TestThreadPoolManager)
#include "tst_threadpoolmanager.moc"
