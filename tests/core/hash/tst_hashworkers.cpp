// ctest-labels: concurrency
// HashWorker, DuplicatesWorker and CompareWorker on a WorkerThread: what their signals deliver,
// 64-bit byte progress for one big file, and cancel.
#include "core/concurrency/threadpoolmanager.h"
#include "core/concurrency/workerthread.h"
#include "core/hash/compareworker.h"
#include "core/hash/duplicatesworker.h"
#include "core/hash/hashworker.h"
#include "testutil_files.h"
#include "testutil_zlib.h"

#include <QSignalSpy>
#include <QTest>

#include <sys/stat.h>

#include <condition_variable>
#include <latch>
#include <memory>
#include <mutex>

using namespace std::chrono_literals;
using namespace oncutf::core;
using namespace oncutf::core::hash;
using namespace oncutf::tests;
using concurrency::PoolConfig;
using concurrency::ThreadPoolManager;
using concurrency::WorkerThread;
using files::FileEntry;

namespace {

/// Holds pool tasks until opened. Not std::counting_semaphore: libstdc++ 12's release(2) can leave
/// the second of two waiters asleep for good (GCC PR 104928), which stalled this test in Release.
class Gate {
public:
    void wait()
    {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [this] { return m_open; });
    }
    void open()
    {
        {
            std::lock_guard lock(m_mutex);
            m_open = true;
        }
        m_cv.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_open = false;
};

} // namespace

class TestHashWorkers final : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<ByteTempDir> m_dir;
    std::unique_ptr<ThreadPoolManager> m_pool;

    FileEntry put(const QByteArray &relative, const QByteArray &contents)
    {
        const QByteArray path = m_dir->file(relative);
        const qsizetype slash = path.lastIndexOf('/');
        ::mkdir(path.left(slash).constData(), 0755);
        writeFile(path, contents);
        FileEntry entry;
        entry.path = path;
        entry.size = contents.size();
        return entry;
    }

    BatchHasher::Options poolOptions() const
    {
        BatchHasher::Options options;
        options.pool = m_pool.get();
        options.maxFilesPerTask = 2;
        return options;
    }

    /// Runs `worker` on a WorkerThread and waits for its end; returns finished(ok).
    static bool runToEnd(concurrency::Worker *worker, const std::function<void()> &afterStart = {})
    {
        WorkerThread thread(QStringLiteral("tst-hash"));
        QSignalSpy finished(&thread, &WorkerThread::workerFinished);
        thread.start(worker);
        if (afterStart)
            afterStart();
        if (!finished.wait(30'000))
            return false;
        thread.stop(QDeadlineTimer(10s));
        return finished.first().first().toBool();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(ZlibReference::load()); }

    void init()
    {
        m_dir = std::make_unique<ByteTempDir>();
        QVERIFY(m_dir->isValid());
        PoolConfig config;
        config.minWorkers = 2;
        config.maxWorkers = 2;
        m_pool = std::make_unique<ThreadPoolManager>(config);
    }

    void cleanup()
    {
        QVERIFY(m_pool->shutdownNow(10s, false).ok());
        m_pool.reset();
        m_dir.reset();
    }

    void hashWorkerDeliversEveryResult()
    {
        QList<QByteArray> paths;
        QList<QByteArray> contents;
        for (int i = 0; i < 50; ++i) {
            contents.append(randomBytes(1000 + i, unsigned(i)));
            paths.append(put("f" + QByteArray::number(i), contents.back()).path);
        }
        paths.append(m_dir->file("missing"));

        auto *worker = new HashWorker(paths, poolOptions());
        QList<HashResult> results;
        QObject receiver;
        connect(worker, &HashWorker::resultsReady, &receiver,
                [&results](const QList<HashResult> &batch) { results.append(batch); });
        QSignalSpy status(worker, &HashWorker::status);
        QVERIFY(runToEnd(worker));

        QCOMPARE(results.size(), 51);
        std::sort(results.begin(), results.end(), [](const auto &a, const auto &b) { return a.index < b.index; });
        for (int i = 0; i < 50; ++i) {
            QCOMPARE(results[i].path, paths[i]);
            QCOMPARE(*results[i].crc, ZlibReference::crc32(contents[i]));
        }
        QCOMPARE(results[50].error->code, ErrorCode::NotFound);
        QVERIFY(!status.isEmpty());
        QVERIFY2(status.last().first().toString().contains(QLatin1String("hashed 50 of 51 files")),
                 qPrintable(status.last().first().toString()));
    }

    void oneBigFileReportsBytesPerChunk()
    {
        const QByteArray contents = randomBytes(8 << 20, 3);
        const QByteArray path = put("big", contents).path;
        BatchHasher::Options options; // no pool: hashed on the worker's own thread
        options.tick = 0ms;
        auto *worker = new HashWorker({path}, options);
        worker->setProgressInterval(0ms);
        QList<qint64> done;
        QList<qint64> totals;
        QList<HashResult> results;
        QObject receiver;
        connect(worker, &HashWorker::sizeProgress, &receiver, [&](qint64 d, qint64 t) {
            done.append(d);
            totals.append(t);
        });
        connect(worker, &HashWorker::resultsReady, &receiver,
                [&results](const QList<HashResult> &batch) { results.append(batch); });
        QVERIFY(runToEnd(worker));
        QCOMPARE(results.size(), 1);
        QCOMPARE(*results[0].crc, ZlibReference::crc32(contents));
        QVERIFY2(done.size() >= 8, qPrintable(QString::number(done.size())));
        QVERIFY(std::is_sorted(done.begin(), done.end()));
        QCOMPARE(done.last(), qint64(contents.size()));
        for (qint64 total : std::as_const(totals))
            QCOMPARE(total, qint64(contents.size()));
    }

    void hashWorkerCancelledBeforeStartEndsFalse()
    {
        QList<QByteArray> paths;
        for (int i = 0; i < 20; ++i)
            paths.append(put("f" + QByteArray::number(i), randomBytes(100, unsigned(i))).path);
        auto *worker = new HashWorker(paths, poolOptions());
        worker->cancel();
        QList<HashResult> results;
        QObject receiver;
        connect(worker, &HashWorker::resultsReady, &receiver,
                [&results](const QList<HashResult> &batch) { results.append(batch); });
        QVERIFY(!runToEnd(worker));
        QVERIFY(results.isEmpty());
    }

    void stoppingTheThreadEndsAWorkerWaitingForThePool()
    {
        Gate release;
        std::latch started(2);
        for (const char *id : {"gate-1", "gate-2"}) {
            QVERIFY(m_pool->submit(QString::fromLatin1(id), [&](const concurrency::CancellationToken &) {
                started.count_down();
                release.wait();
                return QVariant();
            }, concurrency::TaskPriority::Critical));
        }
        started.wait();
        QList<QByteArray> paths;
        for (int i = 0; i < 8; ++i)
            paths.append(put("f" + QByteArray::number(i), "x").path);

        WorkerThread thread(QStringLiteral("tst-hash-stop"));
        QSignalSpy finished(&thread, &WorkerThread::workerFinished);
        thread.start(new HashWorker(paths, poolOptions()));
        QTRY_VERIFY_WITH_TIMEOUT(m_pool->stats().queued() > 0, 10'000);
        QVERIFY(thread.stop(QDeadlineTimer(10s)));
        release.open();
        QVERIFY(m_pool->waitForDone(QDeadlineTimer(10s)));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10'000);
        QCOMPARE(finished.first().first().toBool(), false);
    }

    void duplicatesWorkerReportsByteIdenticalGroups()
    {
        const QList<FileEntry> files{put("a/1", "same bytes"), put("b/2", "same bytes"), put("c/3", "diff bytes"),
                                     put("d/4", "unique size"), put("e/5", "same bytes")};
        auto *worker = new DuplicatesWorker(files, poolOptions());
        QList<DuplicateReport> reports;
        QObject receiver;
        connect(worker, &DuplicatesWorker::reportReady, &receiver,
                [&reports](const DuplicateReport &report) { reports.append(report); });
        QVERIFY(runToEnd(worker));
        QCOMPARE(reports.size(), 1);
        const QList<QList<QByteArray>> expected{{m_dir->file("a/1"), m_dir->file("b/2"), m_dir->file("e/5")}};
        QCOMPARE(reports[0].groups, expected);
        QVERIFY(reports[0].errors.isEmpty());
        QVERIFY(!reports[0].cancelled);
    }

    void duplicatesWorkerCancelledBeforeStart()
    {
        auto *worker = new DuplicatesWorker({put("1", "same"), put("2", "same")}, poolOptions());
        worker->cancel();
        QSignalSpy reports(worker, &DuplicatesWorker::reportReady);
        QVERIFY(!runToEnd(worker));
        QCOMPARE(reports.size(), 0); // execute() never ran
    }

    void duplicatesWorkerCancelledWhileHashing()
    {
        // Both pool workers are held by another client's tasks: the candidates' hash tasks queue.
        Gate release;
        std::latch started(2);
        for (const char *id : {"gate-1", "gate-2"}) {
            QVERIFY(m_pool->submit(QString::fromLatin1(id), [&](const concurrency::CancellationToken &) {
                started.count_down();
                release.wait();
                return QVariant();
            }, concurrency::TaskPriority::Critical));
        }
        started.wait();

        QList<FileEntry> files;
        for (int i = 0; i < 6; ++i)
            files.append(put("f" + QByteArray::number(i), "same"));
        auto *worker = new DuplicatesWorker(files, poolOptions());
        QList<DuplicateReport> reports;
        QObject receiver;
        connect(worker, &DuplicatesWorker::reportReady, &receiver,
                [&reports](const DuplicateReport &report) { reports.append(report); });
        const bool ok = runToEnd(worker, [&] {
            QTRY_VERIFY_WITH_TIMEOUT(m_pool->stats().queued() > 0, 10'000);
            worker->cancel();
        });
        release.open();
        // The held tasks use `release` and `started` (this frame) until they return.
        QVERIFY(m_pool->waitForDone(QDeadlineTimer(10s)));
        QVERIFY(!ok);
        QCOMPARE(reports.size(), 1);
        QVERIFY(reports[0].cancelled);
        QVERIFY(reports[0].groups.isEmpty());
        QVERIFY(reports[0].errors.isEmpty());
    }

    void compareWorkerCategories()
    {
        QList<FileEntry> a{put("A/same", "x"), put("A/diff", "1"), put("A/sub/only-a", "a")};
        QList<FileEntry> b{put("B/same", "x"), put("B/diff", "2"), put("B/only-b", "b")};
        auto *worker = new CompareWorker(FolderComparer::relativeIndex(m_dir->file("A"), a),
                                         FolderComparer::relativeIndex(m_dir->file("B"), b), poolOptions());
        QList<FolderComparison> results;
        QObject receiver;
        connect(worker, &CompareWorker::comparisonReady, &receiver,
                [&results](const FolderComparison &result) { results.append(result); });
        QVERIFY(runToEnd(worker));
        QCOMPARE(results.size(), 1);
        QCOMPARE(results[0].same, QList<QByteArray>{"same"});
        QCOMPARE(results[0].different, QList<QByteArray>{"diff"});
        QCOMPARE(results[0].onlyInA, QList<QByteArray>{"sub/only-a"});
        QCOMPARE(results[0].onlyInB, QList<QByteArray>{"only-b"});
    }
};

QTEST_GUILESS_MAIN(TestHashWorkers)
#include "tst_hashworkers.moc"
