// ctest-timeout: 60
#include "core/concurrency/shutdowncoordinator.h"
#include "core/concurrency/threadpoolmanager.h"
#include "core/concurrency/timermanager.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <array>
#include <atomic>
#include <csignal>
#include <memory>
#include <semaphore>
#include <stdexcept>
#include <thread>

using namespace oncutf::core;
using namespace oncutf::core::concurrency;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

constexpr int kWaitMs = 5000;

// A component that records what the coordinator asked of it, in a log shared by all fakes.
class FakeParticipant final : public ShutdownParticipant {
public:
    FakeParticipant(QString name, QStringList *log) : m_name(std::move(name)), m_log(log) {}

    QString participantName() const override { return m_name; }

    QVariantMap shutdownHealth() const override
    {
        ++healthReads;
        *m_log << QStringLiteral("health:") + m_name;
        return {{QStringLiteral("healthy"), healthy}, {QStringLiteral("queued"), 7}};
    }

    Status shutdownNow(milliseconds budget, bool emergency) override
    {
        ++calls;
        lastBudget = budget;
        lastEmergency = emergency;
        *m_log << m_name;
        if (onShutdown)
            onShutdown();
        return result;
    }

    mutable int healthReads = 0;
    int calls = 0;
    milliseconds lastBudget{-1};
    bool lastEmergency = false;
    bool healthy = true;
    Status result;
    std::function<void()> onShutdown;

private:
    QString m_name;
    QStringList *m_log;
};

// A steady clock the test moves by hand, so budget overruns need no real waiting.
struct FakeClock {
    std::chrono::steady_clock::time_point now{};
    ShutdownCoordinator::Clock function()
    {
        return [this] { return now; };
    }
};

} // namespace

Q_DECLARE_METATYPE(ShutdownPhase)

class TestShutdownCoordinator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void phaseNames_data();
    void phaseNames();
    void runsPhasesInOrderAndParticipantsInRegistrationOrder();
    void emptyPhasesAreSkippedAndReported();
    void overrunningABudgetWarnsButTheShutdownGoesOn();
    void laterParticipantsGetWhatIsLeftOfTheBudget();
    void emergencyHalvesBudgetsAndSkipsHealthReads();
    void healthIsReadBeforeEachPhase();
    void failingPhaseDoesNotStopLaterOnes();
    void secondRequestWhileRunningIsRefused();
    void completedShutdownIsANoOp();
    void asyncModeYieldsToTheEventLoopBetweenPhases();
    void asyncRefusesASecondRequestWhileRunning();
    void signalsComeInOrder();
    void realTimerManagerNeverFiresAfterShutdown();
    void realPoolAndTimersStopInOrder();
    void sigtermTriggersTheShutdown();
};

void TestShutdownCoordinator::phaseNames_data()
{
    QTest::addColumn<ShutdownPhase>("phase");
    QTest::addColumn<QString>("name");
    QTest::newRow("timers") << ShutdownPhase::Timers << "TIMERS";
    QTest::newRow("pool") << ShutdownPhase::ThreadPool << "THREAD_POOL";
    QTest::newRow("database") << ShutdownPhase::Database << "DATABASE";
    QTest::newRow("exiftool") << ShutdownPhase::ExifTool << "EXIFTOOL";
    QTest::newRow("finalize") << ShutdownPhase::Finalize << "FINALIZE";
}

void TestShutdownCoordinator::phaseNames()
{
    QFETCH(ShutdownPhase, phase);
    QFETCH(QString, name);
    QCOMPARE(shutdownPhaseName(phase), name);
}

void TestShutdownCoordinator::runsPhasesInOrderAndParticipantsInRegistrationOrder()
{
    QStringList log;
    FakeParticipant timers(QStringLiteral("timers"), &log);
    FakeParticipant pool(QStringLiteral("pool"), &log);
    FakeParticipant db1(QStringLiteral("db-first"), &log);
    FakeParticipant db2(QStringLiteral("db-second"), &log);
    FakeParticipant exif(QStringLiteral("exiftool"), &log);
    ShutdownCoordinator coordinator;
    // Registered out of phase order on purpose.
    coordinator.registerCallback(ShutdownPhase::Finalize, QStringLiteral("finalize"), [&log](milliseconds, bool) {
        log << QStringLiteral("finalize");
        return Status{};
    });
    coordinator.registerParticipant(ShutdownPhase::Database, &db1);
    coordinator.registerParticipant(ShutdownPhase::ExifTool, &exif);
    coordinator.registerParticipant(ShutdownPhase::Timers, &timers);
    coordinator.registerParticipant(ShutdownPhase::Database, &db2);
    coordinator.registerParticipant(ShutdownPhase::ThreadPool, &pool);

    QVERIFY(!coordinator.isRunning());
    QVERIFY(coordinator.shutdownSync(true)); // emergency: no health reads in the log
    QCOMPARE(log, (QStringList{"timers", "pool", "db-first", "db-second", "exiftool", "finalize"}));
    QVERIFY(coordinator.isCompleted());
    QVERIFY(!coordinator.isRunning());

    const QList<PhaseResult> results = coordinator.results();
    QCOMPARE(results.size(), kShutdownPhaseCount);
    for (int i = 0; i < kShutdownPhaseCount; ++i) {
        QCOMPARE(results.at(i).phase, static_cast<ShutdownPhase>(i));
        QVERIFY(results.at(i).ok);
        QVERIFY(!results.at(i).skipped);
        QVERIFY(results.at(i).error.isEmpty());
    }
}

void TestShutdownCoordinator::emptyPhasesAreSkippedAndReported()
{
    QStringList log;
    FakeParticipant db(QStringLiteral("db"), &log);
    ShutdownCoordinator coordinator;
    coordinator.registerParticipant(ShutdownPhase::Database, &db);
    QSignalSpy started(&coordinator, &ShutdownCoordinator::phaseStarted);
    QSignalSpy completed(&coordinator, &ShutdownCoordinator::shutdownCompleted);

    QVERIFY(coordinator.shutdownSync());
    QCOMPARE(db.calls, 1);
    QCOMPARE(started.count(), kShutdownPhaseCount); // skipped phases are announced too
    QCOMPARE(completed.count(), 1);
    QVERIFY(completed.at(0).at(0).toBool());

    const QList<PhaseResult> results = coordinator.results();
    QCOMPARE(results.size(), kShutdownPhaseCount);
    for (const PhaseResult &result : results) {
        QVERIFY(result.ok);
        QCOMPARE(result.skipped, result.phase != ShutdownPhase::Database);
    }

    const QVariantMap summary = coordinator.summary();
    QVERIFY(summary.value(QStringLiteral("executed")).toBool());
    QCOMPARE(summary.value(QStringLiteral("total_phases")).toInt(), 5);
    QCOMPARE(summary.value(QStringLiteral("successful_phases")).toInt(), 1);
    QCOMPARE(summary.value(QStringLiteral("failed_phases")).toInt(), 0);
    QCOMPARE(summary.value(QStringLiteral("skipped_phases")).toInt(), 4);
    QVERIFY(!summary.value(QStringLiteral("emergency_mode")).toBool());
    QVERIFY(summary.value(QStringLiteral("total_duration")).toDouble() >= 0.0);
    const QVariantList phases = summary.value(QStringLiteral("phases")).toList();
    QCOMPARE(phases.size(), 5);
    const QVariantMap first = phases.at(0).toMap();
    QCOMPARE(first.value(QStringLiteral("phase")).toString(), QStringLiteral("TIMERS"));
    QVERIFY(first.value(QStringLiteral("skipped")).toBool());
    QVERIFY(first.value(QStringLiteral("ok")).toBool());
    const QVariantMap database = phases.at(2).toMap();
    QCOMPARE(database.value(QStringLiteral("phase")).toString(), QStringLiteral("DATABASE"));
    QVERIFY(!database.value(QStringLiteral("skipped")).toBool());
    for (const QString &key : QStringList{"duration", "error", "warning", "health_before"})
        QVERIFY2(database.contains(key), qPrintable(key));
}

void TestShutdownCoordinator::overrunningABudgetWarnsButTheShutdownGoesOn()
{
    QStringList log;
    FakeClock clock;
    FakeParticipant timers(QStringLiteral("timers"), &log);
    FakeParticipant pool(QStringLiteral("pool"), &log);
    FakeParticipant db(QStringLiteral("db"), &log);
    timers.onShutdown = [&clock] { clock.now += 600ms; }; // budget 500 ms
    pool.onShutdown = [&clock] { clock.now += 100ms; };   // budget 2000 ms
    db.onShutdown = [&clock] { clock.now += 100ms; };     // budget lowered to 50 ms below
    ShutdownCoordinator coordinator;
    coordinator.setClock(clock.function());
    coordinator.setPhaseBudget(ShutdownPhase::Database, 50ms);
    QCOMPARE(coordinator.phaseBudget(ShutdownPhase::Database), 50ms);
    QCOMPARE(coordinator.phaseBudget(ShutdownPhase::ThreadPool), 2000ms);
    coordinator.registerParticipant(ShutdownPhase::Timers, &timers);
    coordinator.registerParticipant(ShutdownPhase::ThreadPool, &pool);
    coordinator.registerParticipant(ShutdownPhase::Database, &db);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("TIMERS.*exceeded budget")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("DATABASE.*exceeded budget")));
    QVERIFY(coordinator.shutdownSync());
    const QList<PhaseResult> results = coordinator.results();
    QCOMPARE(results.at(0).warning, QStringLiteral("Phase exceeded budget (0.600 s > 0.500 s)"));
    QVERIFY(results.at(0).ok); // soft budget: a warning, not a failure
    QCOMPARE(results.at(0).durationSeconds, 0.6);
    QVERIFY(results.at(1).warning.isEmpty());
    QCOMPARE(results.at(1).durationSeconds, 0.1);
    QCOMPARE(results.at(2).warning, QStringLiteral("Phase exceeded budget (0.100 s > 0.050 s)"));
    QCOMPARE(db.calls, 1);
    QCOMPARE(coordinator.summary().value(QStringLiteral("total_duration")).toDouble(), 0.8);
    QCOMPARE(coordinator.summary().value(QStringLiteral("successful_phases")).toInt(), 3);
}

void TestShutdownCoordinator::laterParticipantsGetWhatIsLeftOfTheBudget()
{
    QStringList log;
    FakeClock clock;
    FakeParticipant slow(QStringLiteral("slow"), &log);
    FakeParticipant next(QStringLiteral("next"), &log);
    FakeParticipant last(QStringLiteral("last"), &log);
    slow.onShutdown = [&clock] { clock.now += 300ms; };
    next.onShutdown = [&clock] { clock.now += 400ms; };
    ShutdownCoordinator coordinator;
    coordinator.setClock(clock.function());
    coordinator.registerParticipant(ShutdownPhase::Timers, &slow);
    coordinator.registerParticipant(ShutdownPhase::Timers, &next);
    coordinator.registerParticipant(ShutdownPhase::Timers, &last);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("exceeded budget")));
    QVERIFY(coordinator.shutdownSync());
    QCOMPARE(slow.lastBudget, 500ms);
    QCOMPARE(next.lastBudget, 200ms);
    QCOMPARE(last.lastBudget, 0ms); // overdrawn: never negative, and it still runs
    QCOMPARE(last.calls, 1);
}

void TestShutdownCoordinator::emergencyHalvesBudgetsAndSkipsHealthReads()
{
    QStringList log;
    FakeClock clock;
    std::array<std::unique_ptr<FakeParticipant>, kShutdownPhaseCount> fakes;
    ShutdownCoordinator coordinator;
    coordinator.setClock(clock.function());
    for (int i = 0; i < kShutdownPhaseCount; ++i) {
        const auto slot = static_cast<std::size_t>(i);
        fakes[slot] = std::make_unique<FakeParticipant>(QStringLiteral("p%1").arg(i), &log);
        coordinator.registerParticipant(static_cast<ShutdownPhase>(i), fakes[slot].get());
    }
    // 300 ms fits TIMERS' normal 500 ms, not its emergency 250 ms.
    fakes[0]->onShutdown = [&clock] { clock.now += 300ms; };

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("TIMERS.*0.300 s > 0.250 s")));
    QVERIFY(coordinator.shutdownSync(true));
    const std::array<milliseconds, kShutdownPhaseCount> expected{250ms, 1000ms, 500ms, 250ms, 250ms};
    for (std::size_t i = 0; i < fakes.size(); ++i) {
        QCOMPARE(fakes[i]->lastBudget, expected[i]);
        QVERIFY(fakes[i]->lastEmergency);
        QCOMPARE(fakes[i]->healthReads, 0);
    }
    const QList<PhaseResult> results = coordinator.results();
    for (const PhaseResult &result : results)
        QVERIFY(result.healthBefore.isEmpty());
    QCOMPARE(results.at(0).warning, QStringLiteral("Phase exceeded budget (0.300 s > 0.250 s)"));
    QVERIFY(coordinator.summary().value(QStringLiteral("emergency_mode")).toBool());
}

void TestShutdownCoordinator::healthIsReadBeforeEachPhase()
{
    QStringList log;
    FakeParticipant timers(QStringLiteral("timers"), &log);
    FakeParticipant pool(QStringLiteral("pool"), &log);
    pool.healthy = false;
    ShutdownCoordinator coordinator;
    coordinator.registerParticipant(ShutdownPhase::Timers, &timers);
    coordinator.registerParticipant(ShutdownPhase::ThreadPool, &pool);
    coordinator.registerCallback(ShutdownPhase::Finalize, QStringLiteral("flush"),
                                 [](milliseconds, bool) { return Status{}; });
    // An unhealthy component is reported, never a reason to stop.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("\"pool\" unhealthy before \"THREAD_POOL\"")));
    QVERIFY(coordinator.shutdownSync());

    QCOMPARE(log, (QStringList{"health:timers", "timers", "health:pool", "pool"}));
    QCOMPARE(timers.lastBudget, 500ms);
    QVERIFY(!timers.lastEmergency);
    const QList<PhaseResult> results = coordinator.results();
    const QVariantMap timersHealth = results.at(0).healthBefore.value(QStringLiteral("timers")).toMap();
    QVERIFY(timersHealth.value(QStringLiteral("healthy")).toBool());
    QCOMPARE(timersHealth.value(QStringLiteral("queued")).toInt(), 7);
    QVERIFY(!results.at(1).healthBefore.value(QStringLiteral("pool")).toMap().value(QStringLiteral("healthy")).toBool());
    QVERIFY(results.at(1).ok);
    QVERIFY(results.at(4).healthBefore.isEmpty()); // callbacks have no health
}

void TestShutdownCoordinator::failingPhaseDoesNotStopLaterOnes()
{
    QStringList log;
    FakeParticipant pool(QStringLiteral("pool"), &log);
    FakeParticipant poolHelper(QStringLiteral("pool-helper"), &log);
    FakeParticipant db(QStringLiteral("db"), &log);
    FakeParticipant exif(QStringLiteral("exiftool"), &log);
    pool.result = makeError(ErrorCode::Timeout, QStringLiteral("2 workers still busy"));
    db.onShutdown = [] { throw std::runtime_error("database is locked"); };
    exif.onShutdown = [] { throw 7; };
    bool finalized = false;
    ShutdownCoordinator coordinator;
    coordinator.registerParticipant(ShutdownPhase::ThreadPool, &pool);
    coordinator.registerParticipant(ShutdownPhase::ThreadPool, &poolHelper);
    coordinator.registerParticipant(ShutdownPhase::Database, &db);
    coordinator.registerParticipant(ShutdownPhase::ExifTool, &exif);
    coordinator.registerCallback(ShutdownPhase::Finalize, QStringLiteral("finalize"), [&finalized](milliseconds, bool) {
        finalized = true;
        return Status{};
    });
    QSignalSpy phaseDone(&coordinator, &ShutdownCoordinator::phaseCompleted);
    QSignalSpy done(&coordinator, &ShutdownCoordinator::shutdownCompleted);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("THREAD_POOL.*failed")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("DATABASE.*failed")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("EXIFTOOL.*failed")));
    QVERIFY(coordinator.shutdownSync());
    QCOMPARE(poolHelper.calls, 1); // the step after a failing one in the same phase still runs
    QVERIFY(finalized);

    const QList<PhaseResult> results = coordinator.results();
    QVERIFY(!results.at(1).ok);
    QCOMPARE(results.at(1).error, QStringLiteral("pool: 2 workers still busy"));
    QVERIFY(!results.at(2).ok);
    QCOMPARE(results.at(2).error, QStringLiteral("db: database is locked"));
    QVERIFY(!results.at(3).ok);
    QCOMPARE(results.at(3).error, QStringLiteral("exiftool: unknown exception"));
    QVERIFY(results.at(4).ok);

    QCOMPARE(phaseDone.count(), kShutdownPhaseCount);
    QCOMPARE(phaseDone.at(1).at(1).toBool(), false);
    QCOMPARE(phaseDone.at(4).at(1).toBool(), true);
    QCOMPARE(done.count(), 1);
    QCOMPARE(done.at(0).at(0).toBool(), false);
    const QVariantMap summary = coordinator.summary();
    QCOMPARE(summary.value(QStringLiteral("failed_phases")).toInt(), 3);
    QCOMPARE(summary.value(QStringLiteral("successful_phases")).toInt(), 1);
    QCOMPARE(summary.value(QStringLiteral("skipped_phases")).toInt(), 1);
}

void TestShutdownCoordinator::secondRequestWhileRunningIsRefused()
{
    QStringList log;
    FakeParticipant timers(QStringLiteral("timers"), &log);
    ShutdownCoordinator coordinator;
    bool nestedSync = true;
    bool nestedAsync = true;
    bool runningInside = false;
    timers.onShutdown = [&] {
        runningInside = coordinator.isRunning();
        nestedSync = coordinator.shutdownSync();
        nestedAsync = coordinator.shutdownAsync(true);
    };
    coordinator.registerParticipant(ShutdownPhase::Timers, &timers);
    QVERIFY(coordinator.shutdownSync());
    QVERIFY(runningInside);
    QVERIFY(!nestedSync);
    QVERIFY(!nestedAsync);
    QCOMPARE(timers.calls, 1);
    QCOMPARE(coordinator.results().size(), kShutdownPhaseCount);
    QVERIFY(!coordinator.summary().value(QStringLiteral("emergency_mode")).toBool());
}

void TestShutdownCoordinator::completedShutdownIsANoOp()
{
    QStringList log;
    FakeParticipant timers(QStringLiteral("timers"), &log);
    FakeParticipant late(QStringLiteral("late"), &log);
    ShutdownCoordinator coordinator;
    coordinator.registerParticipant(ShutdownPhase::Timers, &timers);
    QSignalSpy done(&coordinator, &ShutdownCoordinator::shutdownCompleted);
    QSignalSpy started(&coordinator, &ShutdownCoordinator::phaseStarted);
    QVERIFY(coordinator.shutdownSync());
    const QList<PhaseResult> first = coordinator.results();

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("not registering \"late\"")));
    coordinator.registerParticipant(ShutdownPhase::Database, &late);
    QVERIFY(coordinator.shutdownSync());
    QVERIFY(coordinator.shutdownSync(true));
    QVERIFY(coordinator.shutdownAsync());
    // Give a wrongly queued async run every chance to show up.
    bool ticked = false;
    QTimer::singleShot(0, this, [&ticked] { ticked = true; });
    QTRY_VERIFY_WITH_TIMEOUT(ticked, kWaitMs);

    QCOMPARE(timers.calls, 1);
    QCOMPARE(late.calls, 0);
    QCOMPARE(done.count(), 1);
    QCOMPARE(started.count(), kShutdownPhaseCount);
    QCOMPARE(coordinator.results().size(), first.size());
    QVERIFY(!coordinator.summary().value(QStringLiteral("emergency_mode")).toBool());
}

void TestShutdownCoordinator::asyncModeYieldsToTheEventLoopBetweenPhases()
{
    QStringList log;
    FakeParticipant timers(QStringLiteral("timers"), &log);
    FakeParticipant pool(QStringLiteral("pool"), &log);
    FakeParticipant db(QStringLiteral("db"), &log);
    QObject context;
    // Work the "GUI" posts while phase 1 runs (a repaint, an input event) must not wait for
    // the whole shutdown.
    timers.onShutdown = [&] {
        QMetaObject::invokeMethod(&context, [&log] { log << QStringLiteral("event-after-timers"); },
                                  Qt::QueuedConnection);
    };
    pool.onShutdown = [&] {
        QMetaObject::invokeMethod(&context, [&log] { log << QStringLiteral("event-after-pool"); },
                                  Qt::QueuedConnection);
    };
    ShutdownCoordinator coordinator;
    coordinator.registerParticipant(ShutdownPhase::Timers, &timers);
    coordinator.registerParticipant(ShutdownPhase::ThreadPool, &pool);
    coordinator.registerParticipant(ShutdownPhase::Database, &db);
    QSignalSpy done(&coordinator, &ShutdownCoordinator::shutdownCompleted);

    QVERIFY(coordinator.shutdownAsync(true));
    // Nothing runs inside the request itself.
    QVERIFY(coordinator.isRunning());
    QVERIFY(log.isEmpty());
    QVERIFY(done.wait(kWaitMs));
    QCOMPARE(log, (QStringList{"timers", "event-after-timers", "pool", "event-after-pool", "db"}));
    QVERIFY(coordinator.isCompleted());
    QVERIFY(done.at(0).at(0).toBool());
}

void TestShutdownCoordinator::asyncRefusesASecondRequestWhileRunning()
{
    QStringList log;
    FakeParticipant timers(QStringLiteral("timers"), &log);
    ShutdownCoordinator coordinator;
    coordinator.registerParticipant(ShutdownPhase::Timers, &timers);
    QSignalSpy done(&coordinator, &ShutdownCoordinator::shutdownCompleted);
    QVERIFY(coordinator.shutdownAsync());
    QVERIFY(!coordinator.shutdownAsync());
    QVERIFY(!coordinator.shutdownSync());
    QVERIFY(!coordinator.isCompleted());
    QVERIFY(done.wait(kWaitMs));
    QCOMPARE(done.count(), 1);
    QCOMPARE(timers.calls, 1);
    QVERIFY(coordinator.shutdownAsync()); // completed: a no-op
}

void TestShutdownCoordinator::signalsComeInOrder()
{
    QStringList log;
    FakeParticipant pool(QStringLiteral("pool"), &log);
    pool.result = makeError(ErrorCode::Busy, QStringLiteral("busy"));
    ShutdownCoordinator coordinator;
    coordinator.registerParticipant(ShutdownPhase::ThreadPool, &pool);
    QStringList events;
    connect(&coordinator, &ShutdownCoordinator::phaseStarted, this,
            [&events](const QString &phase) { events << QStringLiteral("started:") + phase; });
    connect(&coordinator, &ShutdownCoordinator::phaseCompleted, this, [&events](const QString &phase, bool ok) {
        events << QStringLiteral("completed:%1:%2").arg(phase, ok ? QStringLiteral("ok") : QStringLiteral("failed"));
    });
    connect(&coordinator, &ShutdownCoordinator::shutdownCompleted, this,
            [&events](bool ok) { events << (ok ? QStringLiteral("done:ok") : QStringLiteral("done:failed")); });

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("THREAD_POOL.*failed")));
    QSignalSpy done(&coordinator, &ShutdownCoordinator::shutdownCompleted);
    QVERIFY(coordinator.shutdownAsync());
    QVERIFY(done.wait(kWaitMs));
    QCOMPARE(events, (QStringList{
                         "started:TIMERS", "completed:TIMERS:ok",
                         "started:THREAD_POOL", "completed:THREAD_POOL:failed",
                         "started:DATABASE", "completed:DATABASE:ok",
                         "started:EXIFTOOL", "completed:EXIFTOOL:ok",
                         "started:FINALIZE", "completed:FINALIZE:ok",
                         "done:failed",
                     }));
}

void TestShutdownCoordinator::realTimerManagerNeverFiresAfterShutdown()
{
    TimerManager timers;
    int runs = 0;
    timers.schedule([&runs] { ++runs; }, 20);
    timers.schedulePreviewUpdate([&runs] { ++runs; }, QStringLiteral("preview"));
    // A pending cross-thread schedule too: its arming request is still queued.
    std::thread other([&] { timers.scheduleUiUpdate([&runs] { ++runs; }); });
    other.join();
    QCOMPARE(timers.activeCount(), 3);

    ShutdownCoordinator coordinator;
    coordinator.registerParticipant(ShutdownPhase::Timers, &timers);
    QVERIFY(coordinator.shutdownSync());
    const PhaseResult result = coordinator.results().at(0);
    QVERIFY(result.ok);
    const QVariantMap health = result.healthBefore.value(QStringLiteral("TimerManager")).toMap();
    QCOMPARE(health.value(QStringLiteral("active_timers")).toInt(), 3);
    QVERIFY(health.value(QStringLiteral("healthy")).toBool());
    QCOMPARE(timers.activeCount(), 0);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("shut down; not scheduling")));
    QVERIFY(timers.schedule([&runs] { ++runs; }, 0).isEmpty());
    // Let every dropped deadline (the latest is 20 ms) pass on a timer the manager does not own.
    bool sentinel = false;
    QTimer::singleShot(80, this, [&sentinel] { sentinel = true; });
    QTRY_VERIFY_WITH_TIMEOUT(sentinel, kWaitMs);
    QCOMPARE(runs, 0);
}

void TestShutdownCoordinator::realPoolAndTimersStopInOrder()
{
    TimerManager timers;
    PoolConfig config;
    config.minWorkers = 1;
    config.maxWorkers = 1; // one worker: the second task stays queued behind the first
    ThreadPoolManager pool(config);

    std::binary_semaphore started(0);
    std::atomic<bool> sawCancel{false};
    std::atomic<bool> queuedRan{false};
    QVERIFY(pool.submit(QStringLiteral("running"), [&](const CancellationToken &token) {
        started.release();
        // Cooperative: it ends only when the shutdown cancels its token.
        while (!token.isCancelled())
            std::this_thread::yield();
        sawCancel = true;
        return QVariant();
    }));
    QVERIFY(pool.submit(QStringLiteral("queued"), [&](const CancellationToken &) {
        queuedRan = true;
        return QVariant();
    }));
    started.acquire();
    // A timer that would feed the pool: TIMERS runs first, so it never gets the chance.
    bool timerRan = false;
    timers.schedule([&] {
        timerRan = true;
        pool.submit(QStringLiteral("late"), [](const CancellationToken &) { return QVariant(); });
    }, 10);

    ShutdownCoordinator coordinator;
    coordinator.registerParticipant(ShutdownPhase::ThreadPool, &pool);
    coordinator.registerParticipant(ShutdownPhase::Timers, &timers);
    QSignalSpy done(&coordinator, &ShutdownCoordinator::shutdownCompleted);
    QVERIFY(coordinator.shutdownAsync());
    QVERIFY(done.wait(kWaitMs));
    QVERIFY2(done.at(0).at(0).toBool(), qPrintable(coordinator.results().at(1).error));

    const QList<PhaseResult> results = coordinator.results();
    QVERIFY(results.at(0).ok && !results.at(0).skipped);
    QVERIFY(results.at(1).ok && !results.at(1).skipped);
    const QVariantMap poolHealth = results.at(1).healthBefore.value(QStringLiteral("ThreadPoolManager")).toMap();
    QCOMPARE(poolHealth.value(QStringLiteral("queued")).toInt(), 1);
    QVERIFY(pool.isShutDown());
    QVERIFY(sawCancel);
    QCOMPARE(timers.activeCount(), 0);
    QVERIFY(!pool.submit(QStringLiteral("after"), [](const CancellationToken &) { return QVariant(); }));

    bool sentinel = false;
    QTimer::singleShot(40, this, [&sentinel] { sentinel = true; });
    QTRY_VERIFY_WITH_TIMEOUT(sentinel, kWaitMs);
    QVERIFY(!timerRan);
    QVERIFY(!queuedRan);
}

void TestShutdownCoordinator::sigtermTriggersTheShutdown()
{
    QStringList log;
    FakeParticipant timers(QStringLiteral("timers"), &log);
    ShutdownCoordinator coordinator;
    coordinator.registerParticipant(ShutdownPhase::Timers, &timers);
    QList<int> received;
    QList<bool> accepted;
    QVERIFY(ShutdownCoordinator::installSignalHandlers([&](int signalNumber) {
        received << signalNumber;
        accepted << coordinator.shutdownAsync();
    }));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("already installed")));
    QVERIFY(!ShutdownCoordinator::installSignalHandlers([](int) {}));

    QSignalSpy done(&coordinator, &ShutdownCoordinator::shutdownCompleted);
    QCOMPARE(std::raise(SIGTERM), 0); // without the handler this would end the test run
    QVERIFY(done.wait(kWaitMs));
    QCOMPARE(received, QList<int>{SIGTERM});
    QCOMPARE(timers.calls, 1);

    // A second signal after the shutdown: delivered, and the shutdown is a no-op.
    QCOMPARE(std::raise(SIGINT), 0);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, kWaitMs);
    QCOMPARE(received.at(1), SIGINT);
    QCOMPARE(accepted, (QList<bool>{true, true}));
    QCOMPARE(timers.calls, 1);
    QCOMPARE(done.count(), 1);
}

QTEST_GUILESS_MAIN(TestShutdownCoordinator)
#include "tst_shutdowncoordinator.moc"
