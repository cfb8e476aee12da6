// ctest-labels: concurrency
// ctest-timeout: 120
#include "testutil_db.h"

#include "core/db/databasemanager.h"
#include "core/db/metadatacache.h"
#include "core/db/sessionstatestore.h"

#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::testDbOptions;
using Clock = std::chrono::steady_clock;

class TstDbConcurrency : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readersAndWritersShareTheDatabase();
};

void TstDbConcurrency::readersAndWritersShareTheDatabase()
{
    constexpr int kReaders = 4;
    constexpr int kWriters = 2;
    constexpr int kBatch = 20;
    // A duration bound on the workload (how long the threads keep going), not a wait.
    constexpr auto kRunFor = std::chrono::milliseconds(2500);

    QTemporaryDir dir;
    auto options = testDbOptions();
    options.lockDeadline = std::chrono::seconds(30);
    DatabaseManager db(dir.filePath(QStringLiteral("oncutf.db")), options);
    QVERIFY(db.open());
    const quint64 mainConnection = db.currentThreadConnectionId().value();

    struct ThreadReport {
        quint64 connectionId = 0;
        qint64 operations = 0;
        QStringList errors;
    };
    std::vector<ThreadReport> reports(kReaders + kWriters);
    std::latch start(kReaders + kWriters + 1);
    std::atomic<Clock::time_point> deadline{Clock::time_point::max()};

    auto connectionId = [&db]() -> quint64 {
        auto id = db.currentThreadConnectionId();
        return id ? *id : 0;
    };
    auto record = [](ThreadReport &report, const Status &status) {
        if (!status)
            report.errors << status.error().toString();
        else
            ++report.operations;
    };

    std::vector<std::thread> threads;
    // Writer 0 stores session values one per transaction; writer 1 stores metadata in batches.
    threads.emplace_back([&] {
        ThreadReport &report = reports[0];
        SessionStateStore store(db);
        report.connectionId = connectionId();
        start.arrive_and_wait();
        for (int n = 0; Clock::now() < deadline.load(); ++n)
            record(report, store.setInt(QStringLiteral("w0-%1").arg(n), n));
    });
    threads.emplace_back([&] {
        ThreadReport &report = reports[1];
        MetadataCache cache(db);
        report.connectionId = connectionId();
        start.arrive_and_wait();
        for (int n = 0; Clock::now() < deadline.load(); ++n) {
            QList<MetadataRecord> batch;
            for (int i = 0; i < kBatch; ++i) {
                const int k = n * kBatch + i;
                batch.append({"/w1/" + QByteArray::number(k), MetadataMode::Fast,
                              R"({"k":)" + QByteArray::number(k) + '}', {k, k}});
            }
            record(report, cache.putMany(batch));
        }
    });
    for (int r = 0; r < kReaders; ++r) {
        threads.emplace_back([&, r] {
            ThreadReport &report = reports[kWriters + r];
            SessionStateStore store(db);
            MetadataCache cache(db);
            report.connectionId = connectionId();
            start.arrive_and_wait();
            for (int n = 0; Clock::now() < deadline.load(); ++n) {
                if (r % 2 == 0) {
                    auto keys = store.keys();
                    record(report, keys ? Status() : Status(keys.error()));
                } else {
                    QList<MetadataQuery> queries;
                    for (int i = 0; i < 50; ++i)
                        queries.append({"/w1/" + QByteArray::number(n * 7 + i), {n * 7 + i, n * 7 + i}});
                    auto hits = cache.getMany(queries);
                    if (hits) {
                        // Whatever a reader sees must be complete rows, never half a batch.
                        for (auto it = hits->cbegin(); it != hits->cend(); ++it) {
                            const QByteArray expected = R"({"k":)" + it.key().mid(4) + '}';
                            if (it->json != expected)
                                report.errors << QStringLiteral("torn row ") + QString::fromUtf8(it.key());
                        }
                    }
                    record(report, hits ? Status() : Status(hits.error()));
                }
            }
        });
    }
    deadline.store(Clock::now() + kRunFor);
    start.arrive_and_wait();
    for (auto &t : threads)
        t.join();

    QSet<quint64> connections;
    for (int i = 0; i < kReaders + kWriters; ++i) {
        const ThreadReport &report = reports[i];
        QVERIFY2(report.errors.isEmpty(), qPrintable(QStringLiteral("thread %1: ").arg(i) + report.errors.join(u'\n')));
        QVERIFY2(report.operations > 0, qPrintable(QStringLiteral("thread %1 did nothing").arg(i)));
        QVERIFY(report.connectionId != 0);
        connections.insert(report.connectionId);
    }
    // Every thread used its own connection, none of them the main thread's.
    QCOMPARE(connections.size(), kReaders + kWriters);
    QVERIFY(!connections.contains(mainConnection));
    // ... and each was closed when its thread ended.
    QCOMPARE(db.openConnectionCount(), 1);

    // No lost write: every successful call is in the database.
    QCOMPARE(SessionStateStore(db).keys()->size(), reports[0].operations);
    QCOMPARE(MetadataCache(db).count().value(), reports[1].operations * kBatch);
    qInfo("writes: %lld session values, %lld metadata batches; reads: %lld %lld %lld %lld",
          reports[0].operations, reports[1].operations, reports[2].operations, reports[3].operations,
          reports[4].operations, reports[5].operations);
    QVERIFY(db.close());
}

QTEST_GUILESS_MAIN(TstDbConcurrency)
#include "tst_dbconcurrency.moc"
