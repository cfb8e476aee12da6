// Worker and WorkerThread: progress throttling (final value always delivered, last value flushed
// before finished), exceptions turned into failed + finished(false), cooperative cancel with
// partial results, and the thread lifecycle (named thread, deleteLater, stop with a deadline).

#include "core/concurrency/worker.h"
#include "core/concurrency/workerthread.h"

#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <semaphore>
#include <stdexcept>

#include <sys/resource.h>
#include <unistd.h>

using namespace oncutf::core::concurrency;
using namespace std::chrono_literals;

namespace {

/// Reports `count` progress and size values in a tight loop.
class CountingWorker final : public Worker {
public:
    CountingWorker(qint64 count, qint64 total) : m_count(count), m_total(total) {}

    std::chrono::steady_clock::duration elapsed{};

protected:
    bool execute() override
    {
        const auto start = std::chrono::steady_clock::now();
        for (qint64 i = 1; i <= m_count; ++i) {
            reportProgress(i, m_total, QStringLiteral("item"));
            reportSizeProgress(i * 1000000LL, m_total * 1000000LL);
        }
        elapsed = std::chrono::steady_clock::now() - start;
        return true;
    }

private:
    qint64 m_count;
    qint64 m_total;
};

/// Throws what it was told to.
class ThrowingWorker final : public Worker {
public:
    explicit ThrowingWorker(int what) : m_what(what) { setProgressInterval(std::chrono::hours(1)); }

protected:
    bool execute() override
    {
        reportProgress(1, 10, QStringLiteral("first"));
        reportProgress(2, 10, QStringLiteral("second")); // held back by the throttle
        if (m_what == 0)
            throw std::runtime_error("disk on fire");
        throw 42;
    }

private:
    int m_what;
};

class ResultWorker final : public Worker {
public:
    explicit ResultWorker(bool result) : m_result(result) {}
    std::atomic<int> executed{0};

protected:
    bool execute() override
    {
        executed.fetch_add(1);
        return m_result;
    }

private:
    bool m_result;
};

/// Records the nice value of the thread it runs on.
class NiceProbeWorker final : public Worker {
public:
    std::atomic<int> nice{-100};

protected:
    bool execute() override
    {
        errno = 0;
        nice.store(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())));
        return errno == 0;
    }
};

/// Emits one item per step; after `pauseAfter` items it signals `reached` and blocks on `gate`.
/// When cancelled it emits its partial results and returns.
class GatedWorker final : public Worker {
    Q_OBJECT

public:
    GatedWorker(int pauseAfter, bool honourCancel) : m_pauseAfter(pauseAfter), m_honourCancel(honourCancel) {}

    std::binary_semaphore reached{0};
    std::binary_semaphore gate{0};

    QString threadName() const
    {
        std::lock_guard lock(m_mutex);
        return m_threadName;
    }

Q_SIGNALS:
    void item(int index);
    void partialResults(int count);

protected:
    bool execute() override
    {
        {
            std::lock_guard lock(m_mutex);
            m_threadName = QThread::currentThread()->objectName();
        }
        int done = 0;
        for (int i = 0; i < 1000; ++i) {
            if (m_honourCancel && isCancelled())
                break;
            Q_EMIT item(i);
            ++done;
            if (i == m_pauseAfter) {
                reached.release();
                gate.acquire();
            }
        }
        Q_EMIT partialResults(done);
        return !isCancelled();
    }

private:
    int m_pauseAfter;
    bool m_honourCancel;
    mutable std::mutex m_mutex;
    QString m_threadName;
};

/// Spins until cancelled (a cooperative long job).
class SpinningWorker final : public Worker {
public:
    std::binary_semaphore started{0};

protected:
    bool execute() override
    {
        started.release();
        while (!isCancelled())
            QThread::yieldCurrentThread();
        return true;
    }
};

} // namespace

class TestWorker : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void throttlingLimitsRateAndDeliversFinal();
    void intervalZeroDeliversEveryValue();
    void lastThrottledValueFlushedBeforeFinished();
    void exceptionBecomesFailedThenFinishedFalse_data();
    void exceptionBecomesFailedThenFinishedFalse();
    void executeResultIsFinishedOk_data();
    void executeResultIsFinishedOk();
    void cancelledBeforeRunSkipsExecute();
    void secondRunIsRefused();
    void runsOnNamedThreadAndIsDeleted();
    void cancelGivesPartialResultsThenFinishedFalse();
    void stopHonoursDeadline();
    void stopOfCooperativeWorkerIsQuickAndIdempotent();
    void threadCanBeReused();
    void niceLowersOnlyTheWorkerThread();
};

void TestWorker::niceLowersOnlyTheWorkerThread()
{
    errno = 0;
    const int mine = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
    QCOMPARE(errno, 0);
    if (mine > 16)
        QSKIP("this test process already runs at the lowest priorities");
    auto *worker = new NiceProbeWorker;
    std::atomic<int> *seen = &worker->nice;
    std::atomic<int> observed{-100}; // written on the worker thread, read here after finished
    connect(worker, &Worker::finished, this, [&observed, seen] { observed.store(seen->load()); }, Qt::DirectConnection);
    WorkerThread thread(QStringLiteral("oncutf-test-nice"));
    thread.setNice(3);
    QSignalSpy finished(&thread, &WorkerThread::workerFinished);
    thread.start(worker);
    QVERIFY(finished.wait(10000));
    QVERIFY(thread.stop(QDeadlineTimer(10000)));
    QCOMPARE(finished.first().first().toBool(), true);
    QCOMPARE(observed.load(), mine + 3);
    QCOMPARE(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())), mine); // the owner is untouched
}

void TestWorker::throttlingLimitsRateAndDeliversFinal()
{
    constexpr qint64 kCount = 200000;
    CountingWorker worker(kCount, kCount);
    QSignalSpy progress(&worker, &Worker::progress);
    QSignalSpy size(&worker, &Worker::sizeProgress);
    worker.run();

    const auto elapsedMs = std::chrono::duration_cast<std::chrono::milliseconds>(worker.elapsed).count();
    // At most one per 40 ms window, plus the first and the final value.
    const qsizetype allowed = qsizetype(elapsedMs / 40 + 2);
    QVERIFY2(progress.size() <= allowed, qPrintable(QStringLiteral("%1 signals in %2 ms").arg(progress.size()).arg(elapsedMs)));
    QVERIFY(size.size() <= allowed);
    QVERIFY(progress.size() < kCount / 100);
    QCOMPARE(progress.last().at(0).toLongLong(), kCount);
    QCOMPARE(progress.last().at(1).toLongLong(), kCount);
    // 64-bit sizes: the total is far above 2^32.
    QCOMPARE(size.last().at(0).toLongLong(), kCount * 1000000LL);
    QCOMPARE(size.last().at(1).toLongLong(), kCount * 1000000LL);
}

void TestWorker::intervalZeroDeliversEveryValue()
{
    CountingWorker worker(100, 100);
    worker.setProgressInterval(0ms);
    QSignalSpy progress(&worker, &Worker::progress);
    worker.run();
    QCOMPARE(progress.size(), 100);
    for (int i = 0; i < 100; ++i)
        QCOMPARE(progress.at(i).at(0).toLongLong(), qint64(i + 1));
}

void TestWorker::lastThrottledValueFlushedBeforeFinished()
{
    // 999 of 1000: never the final value, so only the flush can deliver the last one.
    CountingWorker worker(999, 1000);
    worker.setProgressInterval(std::chrono::hours(1));
    QStringList events;
    connect(&worker, &Worker::progress, this, [&](qint64 current, qint64 total, const QString &) {
        events.append(QStringLiteral("progress %1/%2").arg(current).arg(total));
    });
    connect(&worker, &Worker::sizeProgress, this, [&](qint64 done, qint64) {
        events.append(QStringLiteral("size %1").arg(done));
    });
    connect(&worker, &Worker::finished, this, [&](bool ok) { events.append(QStringLiteral("finished %1").arg(ok)); });
    worker.run();

    const QStringList expected{QStringLiteral("progress 1/1000"), QStringLiteral("size 1000000"),
                               QStringLiteral("progress 999/1000"), QStringLiteral("size 999000000"),
                               QStringLiteral("finished 1")};
    QCOMPARE(events, expected);
}

void TestWorker::exceptionBecomesFailedThenFinishedFalse_data()
{
    QTest::addColumn<int>("what");
    QTest::addColumn<QString>("message");
    QTest::newRow("std::exception") << 0 << QStringLiteral("disk on fire");
    QTest::newRow("non-standard throw") << 1 << QStringLiteral("unexpected error (unknown exception)");
}

void TestWorker::exceptionBecomesFailedThenFinishedFalse()
{
    QFETCH(int, what);
    QFETCH(QString, message);
    ThrowingWorker worker(what);
    QStringList events;
    connect(&worker, &Worker::progress, this,
            [&](qint64 current, qint64, const QString &) { events.append(QStringLiteral("progress %1").arg(current)); });
    connect(&worker, &Worker::failed, this, [&](const QString &error) { events.append(QStringLiteral("failed ") + error); });
    connect(&worker, &Worker::finished, this, [&](bool ok) { events.append(QStringLiteral("finished %1").arg(ok)); });
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("failed with an exception")));
    worker.run();
    QCOMPARE(events, (QStringList{QStringLiteral("progress 1"), QStringLiteral("failed ") + message,
                                  QStringLiteral("progress 2"), QStringLiteral("finished 0")}));
}

void TestWorker::executeResultIsFinishedOk_data()
{
    QTest::addColumn<bool>("result");
    QTest::newRow("success") << true;
    QTest::newRow("failure") << false;
}

void TestWorker::executeResultIsFinishedOk()
{
    QFETCH(bool, result);
    ResultWorker worker(result);
    QSignalSpy finished(&worker, &Worker::finished);
    QSignalSpy failed(&worker, &Worker::failed);
    worker.run();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().toBool(), result);
    QCOMPARE(failed.size(), 0);
}

void TestWorker::cancelledBeforeRunSkipsExecute()
{
    ResultWorker worker(true);
    QSignalSpy finished(&worker, &Worker::finished);
    worker.cancel();
    QVERIFY(worker.isCancelled());
    worker.run();
    QCOMPARE(worker.executed.load(), 0);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().toBool(), false);
}

void TestWorker::secondRunIsRefused()
{
    ResultWorker worker(true);
    QSignalSpy finished(&worker, &Worker::finished);
    worker.run();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("a worker runs once")));
    worker.run();
    QCOMPARE(worker.executed.load(), 1);
    QCOMPARE(finished.size(), 1);
}

void TestWorker::runsOnNamedThreadAndIsDeleted()
{
    auto *worker = new GatedWorker(-1, true);
    QPointer<GatedWorker> guard(worker);
    int itemsSeen = 0;
    QThread *deliveryThread = nullptr;
    connect(worker, &GatedWorker::item, this, [&](int) {
        ++itemsSeen;
        deliveryThread = QThread::currentThread();
    });
    WorkerThread thread(QStringLiteral("oncutf-test-worker"));
    QSignalSpy finished(&thread, &WorkerThread::workerFinished);
    thread.start(worker);
    QVERIFY(finished.wait(10000));
    QVERIFY(thread.wait(QDeadlineTimer(10000)));

    QCOMPARE(finished.first().first().toBool(), true);
    // Every item was queued to this (the owner's) thread and arrived before workerFinished.
    QCOMPARE(itemsSeen, 1000);
    QCOMPARE(deliveryThread, QThread::currentThread());
    QVERIFY(guard.isNull()); // deleted on its own thread when the thread finished
    QVERIFY(!thread.isRunning());
    QVERIFY(thread.stop(QDeadlineTimer(0)));
}

void TestWorker::cancelGivesPartialResultsThenFinishedFalse()
{
    auto *worker = new GatedWorker(5, true);
    QList<int> items;
    int partial = -1;
    QStringList order;
    connect(worker, &GatedWorker::item, this, [&](int index) { items.append(index); });
    connect(worker, &GatedWorker::partialResults, this, [&](int count) {
        partial = count;
        order.append(QStringLiteral("partial"));
    });
    WorkerThread thread(QStringLiteral("oncutf-test-cancel"));
    connect(&thread, &WorkerThread::workerFinished, this, [&](bool) { order.append(QStringLiteral("finished")); });
    QSignalSpy finished(&thread, &WorkerThread::workerFinished);
    thread.start(worker);

    QVERIFY(worker->reached.try_acquire_for(10s));
    QCOMPARE(worker->threadName(), QStringLiteral("oncutf-test-cancel"));
    thread.cancel();
    worker->gate.release();

    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().first().toBool(), false);
    QCOMPARE(partial, 6);
    QCOMPARE(items, (QList<int>{0, 1, 2, 3, 4, 5}));
    QCOMPARE(order, (QStringList{QStringLiteral("partial"), QStringLiteral("finished")}));
    QVERIFY(thread.stop(QDeadlineTimer(10000)));
}

void TestWorker::stopHonoursDeadline()
{
    // This worker ignores cancel while blocked: stop() must give up at its deadline.
    auto *worker = new GatedWorker(0, false);
    WorkerThread thread(QStringLiteral("oncutf-test-stuck"));
    QSignalSpy finished(&thread, &WorkerThread::workerFinished);
    thread.start(worker);
    QVERIFY(worker->reached.try_acquire_for(10s));

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("did not stop before its deadline")));
    const auto before = std::chrono::steady_clock::now();
    QVERIFY(!thread.stop(QDeadlineTimer(50)));
    QVERIFY(std::chrono::steady_clock::now() - before >= 45ms);
    QVERIFY(thread.isRunning());

    worker->gate.release();
    QVERIFY(thread.stop(QDeadlineTimer(10000)));
    QVERIFY(!thread.isRunning());
    QVERIFY(finished.wait(10000));
    // The cancel flag was set by the first stop(): the result is a failure.
    QCOMPARE(finished.first().first().toBool(), false);
}

void TestWorker::stopOfCooperativeWorkerIsQuickAndIdempotent()
{
    auto *worker = new SpinningWorker;
    WorkerThread thread(QStringLiteral("oncutf-test-spin"));
    QSignalSpy finished(&thread, &WorkerThread::workerFinished);
    thread.start(worker);
    QVERIFY(worker->started.try_acquire_for(10s));

    QVERIFY(thread.stop(QDeadlineTimer(10000)));
    QVERIFY(thread.stop(QDeadlineTimer(0)));
    QVERIFY(thread.wait(QDeadlineTimer(0)));
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().toBool(), false);
}

void TestWorker::threadCanBeReused()
{
    WorkerThread thread(QStringLiteral("oncutf-test-reuse"));
    QSignalSpy finished(&thread, &WorkerThread::workerFinished);
    for (int round = 0; round < 3; ++round) {
        auto *worker = new ResultWorker(true);
        QPointer<ResultWorker> guard(worker);
        thread.start(worker);
        QVERIFY(finished.wait(10000));
        QVERIFY(thread.wait(QDeadlineTimer(10000)));
        QVERIFY(guard.isNull());
    }
    QCOMPARE(finished.size(), 3);
    QVERIFY(thread.stop(QDeadlineTimer(1000)));
}

QTEST_GUILESS_MAIN(TestWorker)
#include "tst_worker.moc"
