// ctest-timeout: 60
#include "core/concurrency/timermanager.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <memory>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace oncutf::core::concurrency;
using namespace std::chrono_literals;

namespace {

using Helper = QString (TimerManager::*)(std::function<void()>, const QString &);

// Generous waits: the suite also runs under ThreadSanitizer on two shared cores.
constexpr int kWaitMs = 5000;

} // namespace

Q_DECLARE_METATYPE(TimerPriority)
Q_DECLARE_METATYPE(Helper)

class TestTimerManager : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void debounceRunsOnlyTheLastCallbackOnce();
    void defaultDelayFollowsPriority_data();
    void defaultDelayFollowsPriority();
    void helpersUseTheOriginalDelaysAndTypes_data();
    void helpersUseTheOriginalDelaysAndTypes();
    void generatedIdsAreTypedAndUnique();
    void cancelDropsOnlyThatTimer();
    void cancelByTypeDropsOnlyThatType();
    void cleanupAllRunsNothing();
    void scheduleMergedRunsEveryCallbackAtTheFirstDeadline();
    void differentIdsOfOneTypeAreNeverDropped();
    void callbackMayRescheduleItsOwnId();
    void crossThreadScheduleRunsOnTheOwnerThread();
    void crossThreadLaterCallWins();
    void crossThreadStressEndsConsistent();
    void throwingCallbackIsCountedAndReported();
    void healthRecoversAfterFailuresStop();
    void delayOverrideForcesEveryDelay();
    void shutdownRefusesFurtherSchedules();
    void thousandsOfIdsAllFire();

private:
    std::unique_ptr<TimerManager> m_timers;
};

void TestTimerManager::init()
{
    m_timers = std::make_unique<TimerManager>();
}

void TestTimerManager::cleanup()
{
    // The destructor asserts that nothing is pending.
    m_timers->cleanupAll();
    m_timers.reset();
}

void TestTimerManager::debounceRunsOnlyTheLastCallbackOnce()
{
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    QSignalSpy started(m_timers.get(), &TimerManager::timerStarted);
    std::vector<int> runs(3, 0);
    for (int i = 0; i < 3; ++i) {
        const QString id = m_timers->schedule([&runs, i] { ++runs[static_cast<std::size_t>(i)]; }, 20,
                                              TimerPriority::Normal, TimerType::PreviewUpdate,
                                              QStringLiteral("preview"));
        QCOMPARE(id, QStringLiteral("preview"));
    }
    QCOMPARE(m_timers->activeCount(), 1);
    QCOMPARE(started.count(), 3);

    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).toString(), QStringLiteral("preview"));
    QCOMPARE(runs, (std::vector<int>{0, 0, 1}));
    // Nothing else is pending that could still fire.
    QCOMPARE(m_timers->activeCount(), 0);
    QVERIFY(!m_timers->isActive(QStringLiteral("preview")));
    const QVariantMap stats = m_timers->stats();
    QCOMPARE(stats.value(QStringLiteral("total_scheduled")).toInt(), 3);
    QCOMPARE(stats.value(QStringLiteral("restarted")).toInt(), 2);
    QCOMPARE(stats.value(QStringLiteral("completed")).toInt(), 1);
}

void TestTimerManager::defaultDelayFollowsPriority_data()
{
    QTest::addColumn<TimerPriority>("priority");
    QTest::addColumn<int>("expectedDelay");
    QTest::newRow("immediate") << TimerPriority::Immediate << 0;
    QTest::newRow("high") << TimerPriority::High << 5;
    QTest::newRow("normal") << TimerPriority::Normal << 15;
    QTest::newRow("low") << TimerPriority::Low << 50;
    QTest::newRow("background") << TimerPriority::Background << 100;
    QTest::newRow("cleanup") << TimerPriority::Cleanup << 200;
    QTest::newRow("delayed") << TimerPriority::Delayed << 500;
}

void TestTimerManager::defaultDelayFollowsPriority()
{
    QFETCH(TimerPriority, priority);
    QFETCH(int, expectedDelay);
    QSignalSpy started(m_timers.get(), &TimerManager::timerStarted);
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    bool ran = false;
    QElapsedTimer clock;
    clock.start();
    const QString id = m_timers->schedule([&ran] { ran = true; }, -1, priority);
    QCOMPARE(started.count(), 1);
    QCOMPARE(started.at(0).at(0).toString(), id);
    QCOMPARE(started.at(0).at(1).toInt(), expectedDelay);
    QVERIFY(finished.wait(kWaitMs));
    QVERIFY(ran);
    // Never early (QElapsedTimer truncates to whole milliseconds).
    QVERIFY2(clock.elapsed() >= expectedDelay - 1,
             qPrintable(QStringLiteral("fired after %1 ms").arg(clock.elapsed())));
}

void TestTimerManager::helpersUseTheOriginalDelaysAndTypes_data()
{
    QTest::addColumn<Helper>("helper");
    QTest::addColumn<int>("expectedDelay");
    QTest::addColumn<QString>("typeName");
    QTest::newRow("ui update") << &TimerManager::scheduleUiUpdate << 15 << "ui_update";
    QTest::newRow("drag cleanup") << &TimerManager::scheduleDragCleanup << 50 << "drag_cleanup";
    QTest::newRow("selection update") << &TimerManager::scheduleSelectionUpdate << 15 << "selection_update";
    QTest::newRow("metadata load") << &TimerManager::scheduleMetadataLoad << 100 << "metadata_load";
    QTest::newRow("scroll adjust") << &TimerManager::scheduleScrollAdjust << 10 << "scroll_adjust";
    QTest::newRow("preview update") << &TimerManager::schedulePreviewUpdate << 300 << "preview_update";
    QTest::newRow("resize adjust") << &TimerManager::scheduleResizeAdjust << 10 << "resize_adjust";
    QTest::newRow("dialog close") << &TimerManager::scheduleDialogClose << 500 << "generic";
}

void TestTimerManager::helpersUseTheOriginalDelaysAndTypes()
{
    QFETCH(Helper, helper);
    QFETCH(int, expectedDelay);
    QFETCH(QString, typeName);
    QSignalSpy started(m_timers.get(), &TimerManager::timerStarted);
    const QString id = (m_timers.get()->*helper)([] {}, {});
    QVERIFY2(id.startsWith(typeName + QLatin1Char('_')), qPrintable(id));
    QCOMPARE(started.count(), 1);
    QCOMPARE(started.at(0).at(1).toInt(), expectedDelay);
    const QVariantMap pending = m_timers->stats().value(QStringLiteral("pending_by_type")).toMap();
    QCOMPARE(pending.value(typeName).toInt(), 1);

    // An explicit id is kept.
    const QString named = (m_timers.get()->*helper)([] {}, QStringLiteral("named"));
    QCOMPARE(named, QStringLiteral("named"));
    QVERIFY(m_timers->isActive(named));
}

void TestTimerManager::generatedIdsAreTypedAndUnique()
{
    const QString a = m_timers->schedule([] {}, 1000, TimerPriority::Normal, TimerType::StatusUpdate);
    const QString b = m_timers->schedule([] {}, 1000, TimerPriority::Normal, TimerType::StatusUpdate);
    QVERIFY(a.startsWith(QStringLiteral("status_update_")));
    QVERIFY(b.startsWith(QStringLiteral("status_update_")));
    QVERIFY(a != b);
    QCOMPARE(m_timers->activeCount(), 2);
    // A user id that looks generated is never overwritten by a later generated one.
    // The counter is shared by all types, so the next generated id would be "generic_3".
    const QString taken = QStringLiteral("generic_%1").arg(3);
    m_timers->schedule([] {}, 1000, TimerPriority::Normal, TimerType::Generic, taken);
    const QString c = m_timers->schedule([] {}, 1000);
    QVERIFY(c != taken);
    QCOMPARE(m_timers->activeCount(), 4);
}

void TestTimerManager::cancelDropsOnlyThatTimer()
{
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    bool cancelledRan = false;
    bool keptRan = false;
    m_timers->schedule([&cancelledRan] { cancelledRan = true; }, 5, TimerPriority::Normal,
                       TimerType::Generic, QStringLiteral("cancelled"));
    m_timers->schedule([&keptRan] { keptRan = true; }, 40, TimerPriority::Normal, TimerType::Generic,
                       QStringLiteral("kept"));
    QVERIFY(m_timers->cancel(QStringLiteral("cancelled")));
    QVERIFY(!m_timers->cancel(QStringLiteral("cancelled")));
    QVERIFY(!m_timers->cancel(QStringLiteral("never-scheduled")));
    QVERIFY(!m_timers->isActive(QStringLiteral("cancelled")));

    // "kept" was due well after "cancelled": once it ran, "cancelled" would have run too.
    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).toString(), QStringLiteral("kept"));
    QVERIFY(keptRan);
    QVERIFY(!cancelledRan);
    QCOMPARE(m_timers->stats().value(QStringLiteral("cancelled")).toInt(), 1);
}

void TestTimerManager::cancelByTypeDropsOnlyThatType()
{
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    int uiRuns = 0;
    int previewRuns = 0;
    bool sentinel = false;
    m_timers->schedule([&uiRuns] { ++uiRuns; }, 5, TimerPriority::Normal, TimerType::UiUpdate);
    m_timers->schedule([&uiRuns] { ++uiRuns; }, 5, TimerPriority::Normal, TimerType::UiUpdate);
    m_timers->schedule([&previewRuns] { ++previewRuns; }, 5, TimerPriority::Normal, TimerType::PreviewUpdate);
    m_timers->schedule([&sentinel] { sentinel = true; }, 40, TimerPriority::Normal, TimerType::Generic,
                       QStringLiteral("sentinel"));
    const QVariantMap pending = m_timers->stats().value(QStringLiteral("pending_by_type")).toMap();
    QCOMPARE(pending.value(QStringLiteral("ui_update")).toInt(), 2);
    QCOMPARE(pending.value(QStringLiteral("preview_update")).toInt(), 1);

    QCOMPARE(m_timers->cancelByType(TimerType::UiUpdate), 2);
    QCOMPARE(m_timers->cancelByType(TimerType::UiUpdate), 0);
    QCOMPARE(m_timers->activeCount(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(sentinel, kWaitMs);
    QCOMPARE(uiRuns, 0);
    QCOMPARE(previewRuns, 1);
    QCOMPARE(finished.count(), 2);

    // Enough entries that erasing while iterating moves others around inside the hash.
    for (int i = 0; i < 300; ++i) {
        m_timers->schedule([] {}, 60000, TimerPriority::Normal, i % 2 ? TimerType::UiUpdate : TimerType::Generic);
        m_timers->schedule([] {}, 60000, TimerPriority::Normal, TimerType::UiUpdate, QStringLiteral("u%1").arg(i));
    }
    QCOMPARE(m_timers->cancelByType(TimerType::UiUpdate), 450);
    QCOMPARE(m_timers->activeCount(), 150);
    const QVariantMap left = m_timers->stats().value(QStringLiteral("pending_by_type")).toMap();
    QCOMPARE(left, (QVariantMap{{QStringLiteral("generic"), 150}}));
    QCOMPARE(m_timers->cleanupAll(), 150);
}

void TestTimerManager::cleanupAllRunsNothing()
{
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    int runs = 0;
    m_timers->schedule([&runs] { ++runs; }, 0);
    m_timers->schedule([&runs] { ++runs; }, 5, TimerPriority::High, TimerType::ScrollAdjust);
    m_timers->scheduleMerged(QStringLiteral("k"), [&runs] { ++runs; }, 5);
    QCOMPARE(m_timers->cleanupAll(), 3);
    QCOMPARE(m_timers->activeCount(), 0);
    QCOMPARE(m_timers->cleanupAll(), 0);

    // The manager still works after a cleanup; its later timer runs after the dropped ones
    // would have.
    bool sentinel = false;
    m_timers->schedule([&sentinel] { sentinel = true; }, 30);
    QTRY_VERIFY_WITH_TIMEOUT(sentinel, kWaitMs);
    QCOMPARE(runs, 0);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(m_timers->stats().value(QStringLiteral("cancelled")).toInt(), 3);
}

void TestTimerManager::scheduleMergedRunsEveryCallbackAtTheFirstDeadline()
{
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    QStringList order;
    QElapsedTimer clock;
    clock.start();
    const QString first = m_timers->scheduleMerged(QStringLiteral("refresh"), [&order] { order << "a"; }, 20,
                                                   TimerPriority::Normal, TimerType::UiUpdate);
    // A much longer delay: the merged callback must not push the deadline back.
    const QString second = m_timers->scheduleMerged(QStringLiteral("refresh"), [&order] { order << "b"; },
                                                    2000, TimerPriority::Normal, TimerType::UiUpdate);
    // Same key, other type: a timer of its own.
    const QString other = m_timers->scheduleMerged(QStringLiteral("refresh"), [&order] { order << "c"; }, 20,
                                                   TimerPriority::Normal, TimerType::StatusUpdate);
    QCOMPARE(second, first);
    QVERIFY(other != first);
    QCOMPARE(m_timers->activeCount(), 2);

    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kWaitMs);
    QVERIFY2(clock.elapsed() < 1500, qPrintable(QStringLiteral("%1 ms").arg(clock.elapsed())));
    QCOMPARE(order.size(), 3);
    QVERIFY(order.indexOf(QStringLiteral("a")) < order.indexOf(QStringLiteral("b")));
    QVERIFY(order.contains(QStringLiteral("c")));
    QCOMPARE(m_timers->stats().value(QStringLiteral("merged")).toInt(), 1);
    QCOMPARE(m_timers->stats().value(QStringLiteral("completed")).toInt(), 3);

    // Once fired, the key starts a fresh timer.
    const QString again = m_timers->scheduleMerged(QStringLiteral("refresh"), [] {}, 1000,
                                                   TimerPriority::Normal, TimerType::UiUpdate);
    QVERIFY(m_timers->isActive(again));
}

void TestTimerManager::differentIdsOfOneTypeAreNeverDropped()
{
    // The original returned an existing timer's id (dropping the new callback) whenever a timer
    // of the same type was due within 10 ms. Here every id keeps its callback.
    constexpr int kCount = 50;
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    std::vector<int> runs(kCount, 0);
    QSet<QString> ids;
    for (int i = 0; i < kCount; ++i) {
        ids.insert(m_timers->schedule([&runs, i] { ++runs[static_cast<std::size_t>(i)]; }, 10,
                                      TimerPriority::Normal, TimerType::UiUpdate));
    }
    QCOMPARE(ids.size(), kCount);
    QCOMPARE(m_timers->activeCount(), kCount);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), kCount, kWaitMs);
    QCOMPARE(runs, std::vector<int>(kCount, 1));
}

void TestTimerManager::callbackMayRescheduleItsOwnId()
{
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    int runs = 0;
    std::function<void()> tick;
    tick = [this, &runs, &tick] {
        ++runs;
        QVERIFY(!m_timers->isActive(QStringLiteral("poll")));
        if (runs < 3)
            m_timers->schedule(tick, 0, TimerPriority::Immediate, TimerType::Generic, QStringLiteral("poll"));
    };
    m_timers->schedule(tick, 0, TimerPriority::Immediate, TimerType::Generic, QStringLiteral("poll"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, kWaitMs);
    QCOMPARE(runs, 3);
    QCOMPARE(m_timers->activeCount(), 0);
}

void TestTimerManager::crossThreadScheduleRunsOnTheOwnerThread()
{
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    QSignalSpy started(m_timers.get(), &TimerManager::timerStarted);
    QThread *const owner = QThread::currentThread();
    QThread *ranOn = nullptr;
    QString id;
    bool activeRightAfter = false;
    std::thread producer([&] {
        id = m_timers->schedule([&ranOn] { ranOn = QThread::currentThread(); }, 5, TimerPriority::Normal,
                                TimerType::MetadataLoad);
        activeRightAfter = m_timers->isActive(id);
    });
    producer.join();
    // The id and the bookkeeping are there synchronously, before the owner thread ran anything.
    QVERIFY(id.startsWith(QStringLiteral("metadata_load_")));
    QVERIFY(activeRightAfter);
    QCOMPARE(started.count(), 0);

    QVERIFY(finished.wait(kWaitMs));
    QCOMPARE(ranOn, owner);
    QCOMPARE(started.count(), 1);
    QCOMPARE(started.at(0).at(0).toString(), id);
    QCOMPARE(finished.at(0).at(0).toString(), id);
}

void TestTimerManager::crossThreadLaterCallWins()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral("QObject::(killTimer|startTimer)")));
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    QStringList ran;
    // "armed" is already running a Qt timer on the owner thread when the other thread replaces
    // and cancels it: the old Qt timer must be reaped there, not killed off-thread.
    m_timers->schedule([&ran] { ran << "armed-old"; }, 10, TimerPriority::Normal, TimerType::Generic,
                       QStringLiteral("armed"));
    // QTest macros are not thread-safe: the other thread only records what it saw.
    bool cancelledX = false;
    bool cancelledY = true;
    int cleanedUp = -1;
    std::thread other([&] {
        m_timers->schedule([&ran] { ran << "x"; }, 0, TimerPriority::Normal, TimerType::Generic, QStringLiteral("x"));
        cancelledX = m_timers->cancel(QStringLiteral("x")); // the later call: wins
        cancelledY = m_timers->cancel(QStringLiteral("y"));
        m_timers->schedule([&ran] { ran << "y"; }, 0, TimerPriority::Normal, TimerType::Generic, QStringLiteral("y"));
        m_timers->schedule([&ran] { ran << "z1"; }, 0, TimerPriority::Normal, TimerType::Generic, QStringLiteral("z"));
        m_timers->schedule([&ran] { ran << "z2"; }, 0, TimerPriority::Normal, TimerType::Generic, QStringLiteral("z"));
        m_timers->schedule([&ran] { ran << "armed-new"; }, 20, TimerPriority::Normal, TimerType::Generic,
                           QStringLiteral("armed"));
        m_timers->schedule([&ran] { ran << "gone"; }, 0, TimerPriority::Normal, TimerType::Generic,
                           QStringLiteral("gone"));
        cleanedUp = m_timers->cleanupAll();
        m_timers->schedule([&ran] { ran << "y"; }, 0, TimerPriority::Normal, TimerType::Generic, QStringLiteral("y"));
        m_timers->schedule([&ran] { ran << "z2"; }, 0, TimerPriority::Normal, TimerType::Generic, QStringLiteral("z"));
        m_timers->schedule([&ran] { ran << "armed-new"; }, 20, TimerPriority::Normal, TimerType::Generic,
                           QStringLiteral("armed"));
    });
    other.join();
    QVERIFY(cancelledX);
    QVERIFY(!cancelledY);
    QCOMPARE(cleanedUp, 4); // armed, y, z, gone
    QCOMPARE(m_timers->activeCount(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, kWaitMs);
    ran.sort();
    QCOMPARE(ran, (QStringList{QStringLiteral("armed-new"), QStringLiteral("y"), QStringLiteral("z2")}));
    QCOMPARE(m_timers->activeCount(), 0);
}

void TestTimerManager::crossThreadStressEndsConsistent()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral("QObject::(killTimer|startTimer)")));
    constexpr int kIds = 64;
    constexpr int kOpsPerThread = 2000;
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    auto idOf = [](int i) { return QStringLiteral("id%1").arg(i); };
    // Armed on the owner thread first, so the threads below orphan real Qt timers.
    for (int i = 0; i < kIds; ++i)
        m_timers->schedule([] {}, 60000, TimerPriority::Normal, TimerType::Generic, idOf(i));

    auto hammer = [&](unsigned seed) {
        std::mt19937 random(seed);
        for (int op = 0; op < kOpsPerThread; ++op) {
            const int i = static_cast<int>(random() % kIds);
            switch (random() % 4) {
            case 0:
                m_timers->cancel(idOf(i));
                break;
            case 1: {
                // Readers race with the writers too.
                const QVariantMap stats = m_timers->stats();
                Q_ASSERT(stats.contains(QStringLiteral("active_timers")));
                break;
            }
            default:
                m_timers->schedule([] {}, 60000, TimerPriority::Normal, TimerType::Generic, idOf(i));
                break;
            }
        }
    };
    std::thread first(hammer, 1u);
    std::thread second(hammer, 2u);
    first.join();
    second.join();

    // A final, known word on every id: even ids run, odd ids are cancelled.
    std::vector<int> runs(kIds, 0);
    std::thread last([&] {
        for (int i = 0; i < kIds; ++i) {
            if (i % 2 == 0)
                m_timers->schedule([&runs, i] { ++runs[static_cast<std::size_t>(i)]; }, 5,
                                   TimerPriority::Normal, TimerType::Generic, idOf(i));
            else
                m_timers->cancel(idOf(i));
        }
    });
    last.join();
    QCOMPARE(m_timers->activeCount(), kIds / 2);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), kIds / 2, kWaitMs);
    for (int i = 0; i < kIds; ++i)
        QCOMPARE(runs[static_cast<std::size_t>(i)], i % 2 == 0 ? 1 : 0);
    QCOMPARE(m_timers->activeCount(), 0);
}

void TestTimerManager::throwingCallbackIsCountedAndReported()
{
    QSignalSpy failed(m_timers.get(), &TimerManager::callbackFailed);
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    // Each failure is also logged (the test fails if a log line is missing).
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("\"thrower\" failed: \"disk vanished\"")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("\"odd-thrower\" failed: \"unknown exception\"")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("failed: \"first\"")));
    bool afterRan = false;
    m_timers->schedule([] { throw std::runtime_error("disk vanished"); }, 0, TimerPriority::Immediate,
                       TimerType::Generic, QStringLiteral("thrower"));
    m_timers->schedule([] { throw 42; }, 3, TimerPriority::Immediate, TimerType::Generic,
                       QStringLiteral("odd-thrower"));
    m_timers->schedule([&afterRan] { afterRan = true; }, 5, TimerPriority::High, TimerType::Generic,
                       QStringLiteral("after"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, kWaitMs);
    QCOMPARE(failed.count(), 2);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("thrower"));
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("disk vanished"));
    QCOMPARE(failed.at(1).at(1).toString(), QStringLiteral("unknown exception"));
    QVERIFY(afterRan);

    const QVariantMap health = m_timers->healthCheck();
    QCOMPARE(health.value(QStringLiteral("failed_callbacks")).toInt(), 2);
    QCOMPARE(health.value(QStringLiteral("completed")).toInt(), 1);
    QCOMPARE(health.value(QStringLiteral("last_error")).toString(),
             QStringLiteral("odd-thrower: unknown exception"));
    QVERIFY(health.value(QStringLiteral("healthy")).toBool());

    // A merged timer whose first callback throws still runs the second.
    bool secondRan = false;
    m_timers->scheduleMerged(QStringLiteral("m"), [] { throw std::logic_error("first"); }, 0);
    m_timers->scheduleMerged(QStringLiteral("m"), [&secondRan] { secondRan = true; }, 0);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 4, kWaitMs);
    QVERIFY(secondRan);
    QCOMPARE(m_timers->stats().value(QStringLiteral("failed_callbacks")).toInt(), 3);
}

void TestTimerManager::healthRecoversAfterFailuresStop()
{
    m_timers->setDelayOverride(0);
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    for (int i = 0; i < TimerManager::kUnhealthyFailures; ++i) {
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("failed: \"broken\"")));
        m_timers->schedule([] { throw std::runtime_error("broken"); });
    }
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), TimerManager::kUnhealthyFailures, kWaitMs);
    QVariantMap health = m_timers->healthCheck();
    QVERIFY(!health.value(QStringLiteral("healthy")).toBool());
    QCOMPARE(health.value(QStringLiteral("recent_failures")).toInt(), TimerManager::kUnhealthyFailures);
    QCOMPARE(m_timers->shutdownHealth(), health);

    // Enough successes push the failures out of the window: healthy again, totals kept.
    for (int i = 0; i < TimerManager::kHealthWindow; ++i)
        m_timers->schedule([] {});
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), TimerManager::kUnhealthyFailures + TimerManager::kHealthWindow,
                              kWaitMs);
    health = m_timers->healthCheck();
    QVERIFY(health.value(QStringLiteral("healthy")).toBool());
    QCOMPARE(health.value(QStringLiteral("recent_failures")).toInt(), 0);
    QCOMPARE(health.value(QStringLiteral("failed_callbacks")).toInt(), TimerManager::kUnhealthyFailures);
}

void TestTimerManager::delayOverrideForcesEveryDelay()
{
    QSignalSpy started(m_timers.get(), &TimerManager::timerStarted);
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    m_timers->setDelayOverride(0);
    bool closed = false;
    QElapsedTimer clock;
    clock.start();
    m_timers->scheduleDialogClose([&closed] { closed = true; });
    QCOMPARE(started.at(0).at(1).toInt(), 0);
    QVERIFY(finished.wait(kWaitMs));
    QVERIFY(closed);
    QVERIFY2(clock.elapsed() < 450, qPrintable(QStringLiteral("%1 ms").arg(clock.elapsed())));

    m_timers->setDelayOverride(std::nullopt);
    m_timers->schedulePreviewUpdate([] {});
    QCOMPARE(started.at(1).at(1).toInt(), 300);
}

void TestTimerManager::shutdownRefusesFurtherSchedules()
{
    QSignalSpy finished(m_timers.get(), &TimerManager::timerFinished);
    int runs = 0;
    m_timers->schedule([&runs] { ++runs; }, 5);
    m_timers->schedulePreviewUpdate([&runs] { ++runs; });
    QCOMPARE(m_timers->participantName(), QStringLiteral("TimerManager"));
    QVERIFY(m_timers->shutdownNow(500ms, false).ok());
    QCOMPARE(m_timers->activeCount(), 0);
    QVERIFY(m_timers->shutdownNow(250ms, true).ok()); // idempotent

    const QRegularExpression refused(QStringLiteral("shut down; not scheduling"));
    QTest::ignoreMessage(QtWarningMsg, refused);
    QTest::ignoreMessage(QtWarningMsg, refused);
    QTest::ignoreMessage(QtWarningMsg, refused);
    QVERIFY(m_timers->schedule([&runs] { ++runs; }, 0).isEmpty());
    QVERIFY(m_timers->scheduleMerged(QStringLiteral("k"), [&runs] { ++runs; }, 0).isEmpty());
    QString fromThread = QStringLiteral("not called");
    std::thread other([&] { fromThread = m_timers->scheduleUiUpdate([&runs] { ++runs; }); });
    other.join();
    QVERIFY(fromThread.isEmpty());
    QCOMPARE(m_timers->activeCount(), 0);
    QVERIFY(!m_timers->stats().value(QStringLiteral("accepting")).toBool());

    // Let well past the dropped deadlines go by on a timer the manager does not own.
    bool sentinel = false;
    QTimer::singleShot(60, this, [&sentinel] { sentinel = true; });
    QTRY_VERIFY_WITH_TIMEOUT(sentinel, kWaitMs);
    QCOMPARE(runs, 0);
    QCOMPARE(finished.count(), 0);
}

void TestTimerManager::thousandsOfIdsAllFire()
{
    constexpr int kCount = 5000;
    m_timers->setDelayOverride(0);
    int runs = 0;
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < kCount; ++i)
        m_timers->schedule([&runs] { ++runs; }, -1, TimerPriority::Normal, TimerType::UiUpdate,
                           QStringLiteral("row%1").arg(i));
    const qint64 scheduleMs = clock.elapsed();
    QTRY_COMPARE_WITH_TIMEOUT(runs, kCount, kWaitMs * 2);
    qInfo("%d timers: scheduled in %lld ms, all fired after %lld ms", kCount, scheduleMs, clock.elapsed());
    QCOMPARE(m_timers->activeCount(), 0);
}

QTEST_GUILESS_MAIN(TestTimerManager)
#include "tst_timermanager.moc"
