// ctest-labels: concurrency
// BatchHasher: the same CRCs as zlib inline and over pools of 1, 2 and 4 workers; byte progress
// that ends at the total; the cache (hits, a changed file rehashed, racy and changing files never
// stored); cancel of queued tasks and partial results.
#include "core/concurrency/threadpoolmanager.h"
#include "core/db/databasemanager.h"
#include "core/db/hashcache.h"
#include "core/hash/batchhasher.h"
#include "core/hash/crc32.h"
#include "testutil_files.h"
#include "testutil_zlib.h"

#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <latch>
#include <memory>
#include <semaphore>

using namespace std::chrono_literals;
using namespace oncutf::core;
using namespace oncutf::core::hash;
using namespace oncutf::tests;
using concurrency::CancellationToken;
using concurrency::PoolConfig;
using concurrency::TaskPriority;
using concurrency::ThreadPoolManager;

namespace {

/// A pool with exactly `workers` threads, shut down when the test function returns.
class Pool {
public:
    explicit Pool(int workers)
    {
        PoolConfig config;
        config.minWorkers = workers;
        config.maxWorkers = workers;
        config.agingInterval = std::chrono::milliseconds::max();
        m_pool = std::make_unique<ThreadPoolManager>(std::move(config));
    }
    ~Pool() { (void)m_pool->shutdownNow(10s, false); }
    Q_DISABLE_COPY_MOVE(Pool)

    ThreadPoolManager *get() const { return m_pool.get(); }

private:
    std::unique_ptr<ThreadPoolManager> m_pool;
};

/// A database with its hash cache, closed when the test function returns.
class Cache {
public:
    explicit Cache(const QByteArray &folder)
        : m_db(QString::fromUtf8(folder + "/cache.db")), m_cache(m_db)
    {
    }
    ~Cache() { (void)m_db.close(); }
    Q_DISABLE_COPY_MOVE(Cache)

    db::HashCache *get() { return &m_cache; }
    qint64 count() const { return m_cache.count().ok() ? *m_cache.count() : -1; }

private:
    db::DatabaseManager m_db;
    db::HashCache m_cache;
};

/// An mtime well outside the racy window, different for each `seconds`.
void setOldMtime(const QByteArray &path, qint64 seconds = 946684800)
{
    const struct timespec times[2] = {{seconds, 0}, {seconds, 0}};
    QCOMPARE(::utimensat(AT_FDCWD, path.constData(), times, 0), 0);
}

} // namespace

class TestBatchHasher final : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<ByteTempDir> m_dir;
    QList<QByteArray> m_paths;
    QList<QByteArray> m_contents;

    /// `count` files of `size` bytes (different contents) plus one of `bigSize`.
    void makeFiles(int count, qsizetype size, qsizetype bigSize = 0)
    {
        m_paths.clear();
        m_contents.clear();
        QVERIFY(::mkdir(m_dir->file("files").constData(), 0755) == 0 || errno == EEXIST);
        for (int i = 0; i < count + (bigSize > 0 ? 1 : 0); ++i) {
            const QByteArray path = m_dir->file("files/f" + QByteArray::number(i));
            const QByteArray contents = randomBytes(i == count ? bigSize : size + i % 7, unsigned(i) + 100U);
            writeFile(path, contents);
            setOldMtime(path);
            m_paths.append(path);
            m_contents.append(contents);
        }
    }

    void verifyResults(const BatchHasher::Outcome &outcome, qsizetype expected)
    {
        QCOMPARE(outcome.results.size(), expected);
        for (qsizetype i = 0; i < outcome.results.size(); ++i) {
            const HashResult &result = outcome.results[i];
            QVERIFY(i == 0 || outcome.results[i - 1].index < result.index);
            QCOMPARE(result.path, m_paths[result.index]);
            QVERIFY2(result.ok(), qPrintable(result.error ? result.error->toString() : QString()));
            QCOMPARE(result.size, qint64(m_contents[result.index].size()));
            QCOMPARE(*result.crc, ZlibReference::crc32(m_contents[result.index]));
        }
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(ZlibReference::load()); }

    void init()
    {
        m_dir = std::make_unique<ByteTempDir>();
        QVERIFY(m_dir->isValid());
    }

    void inlineHashesEveryFile()
    {
        makeFiles(20, 3000);
        m_paths.append(m_dir->file("missing"));
        QCOMPARE(::mkfifo(m_dir->file("fifo").constData(), 0600), 0);
        m_paths.append(m_dir->file("fifo"));

        const BatchHasher hasher(BatchHasher::Options{});
        const auto outcome = hasher.run(m_paths, {});
        QVERIFY(!outcome.cancelled);
        QCOMPARE(outcome.results.size(), 22);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(*outcome.results[i].crc, ZlibReference::crc32(m_contents[i]));
        QCOMPARE(outcome.results[20].error->code, ErrorCode::NotFound);
        QCOMPARE(outcome.results[21].error->code, ErrorCode::Unsupported);
        QCOMPARE(outcome.filesRead, 22);
    }

    void poolHashesEveryFile_data()
    {
        QTest::addColumn<int>("workers");
        QTest::newRow("1 worker") << 1;
        QTest::newRow("2 workers") << 2;
        QTest::newRow("4 workers") << 4;
    }

    void poolHashesEveryFile()
    {
        QFETCH(int, workers);
        makeFiles(120, 8000, 2 << 20);
        Pool pool(workers);
        BatchHasher::Options options;
        options.pool = pool.get();
        options.maxFilesPerTask = 8;
        options.tick = 1ms;

        qint64 lastBytes = -1;
        qint64 lastFiles = -1;
        qint64 announcedTotal = -1;
        qsizetype delivered = 0;
        BatchHasher::Callbacks callbacks;
        callbacks.progress = [&](qint64 bytes, qint64 total, qint64 files, qint64 filesTotal, const QByteArray &) {
            QVERIFY(bytes >= lastBytes);
            QVERIFY(files >= lastFiles);
            QCOMPARE(filesTotal, qint64(m_paths.size()));
            lastBytes = bytes;
            lastFiles = files;
            announcedTotal = total;
        };
        callbacks.resultsReady = [&](const QList<HashResult> &batch) { delivered += batch.size(); };

        const auto outcome = BatchHasher(options).run(m_paths, callbacks);
        QVERIFY(!outcome.cancelled);
        verifyResults(outcome, m_paths.size());
        qint64 total = 0;
        for (const QByteArray &contents : std::as_const(m_contents))
            total += contents.size();
        QCOMPARE(announcedTotal, total);
        QCOMPARE(lastBytes, total);
        QCOMPARE(lastFiles, qint64(m_paths.size()));
        QCOMPARE(delivered, m_paths.size());
        QCOMPARE(outcome.bytesRead, total);
    }

    void cacheHitsAndInvalidation()
    {
        makeFiles(10, 5000);
        Cache cache(m_dir->path());
        Pool pool(2);
        BatchHasher::Options options;
        options.pool = pool.get();
        options.cache = cache.get();
        const BatchHasher hasher(options);

        const auto first = hasher.run(m_paths, {});
        verifyResults(first, 10);
        QCOMPARE(first.cacheHits, 0);
        QCOMPARE(first.filesRead, 10);
        QCOMPARE(first.cached, 10);
        QCOMPARE(cache.count(), 10);

        const auto second = hasher.run(m_paths, {});
        verifyResults(second, 10);
        QCOMPARE(second.cacheHits, 10);
        QCOMPARE(second.filesRead, 0);
        for (const HashResult &result : second.results)
            QVERIFY(result.fromCache);

        // Same size, new bytes, new (old) mtime: the cached value no longer applies.
        m_contents[3] = randomBytes(m_contents[3].size(), 999);
        writeFile(m_paths[3], m_contents[3]);
        setOldMtime(m_paths[3], 978307200);
        // New size, mtime put back to the cached one: the size alone invalidates.
        m_contents[5] += "more";
        writeFile(m_paths[5], m_contents[5]);
        setOldMtime(m_paths[5]);

        const auto third = hasher.run(m_paths, {});
        verifyResults(third, 10);
        QCOMPARE(third.cacheHits, 8);
        QCOMPARE(third.filesRead, 2);
        QVERIFY(!third.results[3].fromCache);
        QVERIFY(!third.results[5].fromCache);
    }

    void racyFilesAreNotCached()
    {
        makeFiles(2, 100);
        // Just written: a same-size rewrite could keep this very mtime.
        writeFile(m_paths[1], m_contents[1]);
        Cache cache(m_dir->path());
        BatchHasher::Options options;
        options.cache = cache.get();
        const auto outcome = BatchHasher(options).run(m_paths, {});
        verifyResults(outcome, 2);
        QCOMPARE(outcome.cached, 1);
        QCOMPARE(cache.count(), 1);
    }

    void fileChangingWhileHashedIsNeitherReturnedNorCached()
    {
        makeFiles(1, 4096 * 4);
        Cache cache(m_dir->path());
        BatchHasher::Options options;
        options.cache = cache.get();
        options.chunkSize = 4096;
        options.tick = 0ms; // progress after every chunk: the change lands between two reads
        bool changed = false;
        BatchHasher::Callbacks callbacks;
        callbacks.progress = [&](qint64 bytes, qint64, qint64, qint64, const QByteArray &) {
            if (changed || bytes != 4096)
                return;
            changed = true;
            const int fd = ::open(m_paths[0].constData(), O_WRONLY | O_CLOEXEC);
            QVERIFY(fd >= 0);
            QCOMPARE(::pwrite(fd, "xyz", 3, 10), ssize_t(3));
            ::close(fd);
        };
        const auto outcome = BatchHasher(options).run(m_paths, callbacks);
        QVERIFY(changed);
        QCOMPARE(outcome.results.size(), 1);
        QVERIFY(!outcome.results[0].ok());
        QCOMPARE(outcome.results[0].error->code, ErrorCode::Busy);
        QCOMPARE(outcome.cached, 0);
        QCOMPARE(cache.count(), 0);
    }

    void cancelRemovesQueuedTasks()
    {
        makeFiles(40, 1000);
        Pool pool(1);
        // The only worker is held by a task of another client: all of ours stay queued.
        std::binary_semaphore release(0);
        std::latch started(1);
        QVERIFY(pool.get()->submit(QStringLiteral("gate"), [&](const CancellationToken &) {
            started.count_down();
            release.acquire();
            return QVariant();
        }, TaskPriority::Critical));
        started.wait();

        BatchHasher::Options options;
        options.pool = pool.get();
        options.maxFilesPerTask = 1;
        options.tick = 1ms;
        int polls = 0;
        BatchHasher::Callbacks callbacks;
        callbacks.isCancelled = [&polls] { return ++polls > 1; }; // the stat pass, then cancel
        const auto outcome = BatchHasher(options).run(m_paths, callbacks);
        release.release();
        QVERIFY(outcome.cancelled);
        QCOMPARE(outcome.results.size(), 0);
        QVERIFY(pool.get()->waitForDone(QDeadlineTimer(10s)));
        QCOMPARE(pool.get()->stats().cancelled, 40);
    }

    void cancelKeepsAndCachesFinishedFiles()
    {
        makeFiles(10, 5000);
        Cache cache(m_dir->path());
        BatchHasher::Options options;
        options.cache = cache.get();
        options.tick = 0ms;
        qsizetype delivered = 0;
        BatchHasher::Callbacks callbacks;
        callbacks.resultsReady = [&](const QList<HashResult> &batch) { delivered += batch.size(); };
        callbacks.isCancelled = [&] { return delivered >= 3; };
        const auto outcome = BatchHasher(options).run(m_paths, callbacks);
        QVERIFY(outcome.cancelled);
        verifyResults(outcome, 3);
        QCOMPARE(outcome.cached, 3);
        QCOMPARE(cache.count(), 3);
    }

    void cancelUnderLoadIsConsistent()
    {
        makeFiles(100, 16 << 10);
        Cache cache(m_dir->path());
        Pool pool(2);
        BatchHasher::Options options;
        options.pool = pool.get();
        options.cache = cache.get();
        options.maxFilesPerTask = 2;
        options.tick = 1ms;
        qsizetype delivered = 0;
        BatchHasher::Callbacks callbacks;
        callbacks.resultsReady = [&](const QList<HashResult> &batch) { delivered += batch.size(); };
        callbacks.isCancelled = [&] { return delivered > 0; };
        const auto outcome = BatchHasher(options).run(m_paths, callbacks);
        // Whatever the timing: every result returned is complete and right, and it is cached.
        QVERIFY(outcome.cancelled || outcome.results.size() == m_paths.size());
        verifyResults(outcome, outcome.results.size());
        QCOMPARE(cache.count(), outcome.results.size());
        QVERIFY(pool.get()->waitForDone(QDeadlineTimer(10s)));
    }
};

QTEST_GUILESS_MAIN(TestBatchHasher)
#include "tst_batchhasher.moc"
