// ctest-timeout: 60
// The GUI's job queue: jobs run one at a time in the order asked, a job's worker is created only
// when its turn comes, Esc (cancel) stops the running job and drops the queue, and idle() tells
// the window when nothing is left.

#include "core/concurrency/worker.h"
#include "gui/jobcontroller.h"

#include <QSignalSpy>
#include <QTest>

#include <semaphore>

using namespace oncutf;

namespace {

// Blocks until released (or cancelled): lets the test hold a job "running" deterministically.
class GateWorker final : public core::concurrency::Worker {
public:
    GateWorker(std::binary_semaphore &gate, QStringList &log, QString name)
        : m_gate(gate), m_log(log), m_name(std::move(name))
    {
    }

protected:
    bool execute() override
    {
        while (!m_gate.try_acquire_for(std::chrono::milliseconds(5))) {
            if (isCancelled())
                return false;
        }
        m_log.append(m_name); // read by the test only after finished(): ordered by the signal
        return true;
    }

private:
    std::binary_semaphore &m_gate;
    QStringList &m_log;
    QString m_name;
};

} // namespace

class TestJobController : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void jobsRunInOrderAndFactoriesRunLate()
    {
        gui::JobController jobs;
        std::binary_semaphore gate(0);
        QStringList log;
        int created = 0;
        QSignalSpy finished(&jobs, &gui::JobController::jobFinished);
        QSignalSpy idle(&jobs, &gui::JobController::idle);
        const auto factory = [&](const QString &name) {
            return [&, name]() -> core::concurrency::Worker * {
                ++created;
                return new GateWorker(gate, log, name);
            };
        };
        jobs.enqueue(QStringLiteral("first"), factory(QStringLiteral("first")));
        jobs.enqueue(QStringLiteral("second"), factory(QStringLiteral("second")));
        jobs.enqueue(QStringLiteral("skipped"), [] { return static_cast<core::concurrency::Worker *>(nullptr); });
        QVERIFY(jobs.isBusy());
        QCOMPARE(created, 1); // the second worker does not exist while the first runs
        QCOMPARE(jobs.queuedCount(), 2);
        gate.release();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        QCOMPARE(created, 2);
        gate.release();
        QVERIFY(idle.wait(5000));
        QCOMPARE(log, (QStringList{QStringLiteral("first"), QStringLiteral("second")}));
        QCOMPARE(finished.count(), 2);
        QVERIFY(!jobs.isBusy());
        QVERIFY(jobs.stop(QDeadlineTimer(5000)));
    }

    void cancelStopsTheRunningJobAndDropsTheQueue()
    {
        gui::JobController jobs;
        std::binary_semaphore gate(0);
        QStringList log;
        QSignalSpy finished(&jobs, &gui::JobController::jobFinished);
        QSignalSpy idle(&jobs, &gui::JobController::idle);
        jobs.enqueue(QStringLiteral("long"), [&]() -> core::concurrency::Worker * { return new GateWorker(gate, log, QStringLiteral("long")); });
        jobs.enqueue(QStringLiteral("queued"), [&]() -> core::concurrency::Worker * { return new GateWorker(gate, log, QStringLiteral("queued")); });
        jobs.cancel();
        QVERIFY(idle.wait(5000));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().at(0).toString(), QStringLiteral("long"));
        QCOMPARE(finished.first().at(1).toBool(), false);
        QVERIFY(log.isEmpty());
        QVERIFY(jobs.stop(QDeadlineTimer(5000)));
        jobs.enqueue(QStringLiteral("after stop"), [&]() -> core::concurrency::Worker * { return new GateWorker(gate, log, QStringLiteral("x")); });
        QVERIFY(!jobs.isBusy()); // refused once stopped
    }
};

QTEST_MAIN(TestJobController)
#include "tst_jobcontroller.moc"
