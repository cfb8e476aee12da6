// ctest-labels: exiftool
// ctest-timeout: 120
// The ExifTool pool: concurrent readers get their own process, a reader waits for a free one,
// shutdown leaves no process (even with a busy, hung reader), and exiftool dies with oncutf
// (PR_SET_PDEATHSIG) when oncutf is killed.

#include "core/metadata/exiftoolpool.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>

using namespace oncutf::core::metadata;
using oncutf::core::ErrorCode;
using std::chrono::milliseconds;

namespace {

QByteArray writeFile(const QTemporaryDir &dir, const QByteArray &name)
{
    const QByteArray path = QFile::encodeName(dir.path()) + '/' + name;
    QFile file(QString::fromUtf8(path));
    if (!file.open(QIODevice::WriteOnly)) {
        return {};
    }
    // A minimal JPEG: SOI + EOI is enough for ExifTool to name the type.
    file.write(QByteArray::fromHex("ffd8ffd9"));
    return path;
}

// True once `pid` no longer runs (gone, or a zombie its new parent has not reaped yet).
bool waitUntilDead(pid_t pid, int timeoutMs)
{
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
        pollfd pfd{pidfd, POLLIN, 0};
        ::poll(&pfd, 1, timeoutMs);
        ::close(pidfd);
    }
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) {
        return true;
    }
    const QByteArray line = stat.readAll();
    const qsizetype paren = line.lastIndexOf(')');
    return paren > 0 && line.mid(paren + 2, 1) == "Z";
}

bool processGone(pid_t pid)
{
    return !QFile::exists(QStringLiteral("/proc/%1").arg(pid));
}

// Child mode: start a pool process, tell the parent its pid, then die the hard way.
int runPdeathsigChild(const char *file)
{
    ExifToolPool pool;
    pool.read({QByteArray(file)}, MetadataMode::Fast, [](qsizetype, MetadataRecord &&) {});
    const QList<pid_t> pids = pool.processIds();
    std::printf("%d\n", pids.isEmpty() ? -1 : pids.first());
    std::fflush(stdout);
    ::raise(SIGKILL);
    return 1;
}

} // namespace

class TestExifToolPool final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_a = writeFile(m_dir, "a.jpg");
        m_b = writeFile(m_dir, "b.jpg");
        QVERIFY(!m_a.isEmpty() && !m_b.isEmpty());
    }

    void concurrentReadersGetTheirOwnProcess()
    {
        ExifToolPool pool({}, 2);
        QSemaphore insideA;
        QSemaphore releaseA;
        bool okA = false;
        std::thread readerA([&] {
            pool.read({m_a}, MetadataMode::Fast, [&](qsizetype, MetadataRecord &&record) {
                okA = record.ok();
                insideA.release();
                releaseA.acquire(); // keeps process 1 taken while B reads
            });
        });
        QVERIFY(insideA.tryAcquire(1, 60000));
        MetadataRecord gotB;
        pool.read({m_b}, MetadataMode::Fast, [&](qsizetype, MetadataRecord &&record) { gotB = std::move(record); });
        QVERIFY(gotB.ok());
        QCOMPARE(gotB.fields.value(QStringLiteral("File:FileName")).toString(), QStringLiteral("b.jpg"));
        const QList<pid_t> pids = pool.processIds();
        QCOMPARE(pids.size(), 2);
        QVERIFY(pids.at(0) != pids.at(1));
        releaseA.release();
        readerA.join();
        QVERIFY(okA);
        QVERIFY(pool.shutdownNow(milliseconds(3000), false));
        for (pid_t pid : pids) {
            QVERIFY(processGone(pid));
        }
    }

    void readersQueueForASingleProcess()
    {
        ExifToolPool pool({}, 1);
        std::atomic<int> sequence{0};
        int aDone = -1;
        int bResult = -1;
        QSemaphore insideA;
        QSemaphore releaseA;
        std::thread readerA([&] {
            pool.read({m_a}, MetadataMode::Fast, [&](qsizetype, MetadataRecord &&) {
                insideA.release();
                releaseA.acquire();
            });
            aDone = sequence.fetch_add(1);
        });
        QVERIFY(insideA.tryAcquire(1, 60000));
        std::thread readerB([&] {
            pool.read({m_b}, MetadataMode::Fast, [&](qsizetype, MetadataRecord &&record) {
                bResult = record.ok() ? sequence.fetch_add(1) : -2;
            });
        });
        releaseA.release();
        readerA.join();
        readerB.join();
        // B could only read once A had given the one process back.
        QCOMPARE(pool.processIds().size(), 1);
        QCOMPARE(aDone, 0);
        QCOMPARE(bResult, 1);
        QVERIFY(pool.shutdownNow(milliseconds(3000), false));
    }

    // launch() starts the idle processes ahead of work; read() then uses them, starting none.
    void launchStartsIdleProcessesAheadOfWork()
    {
        ExifToolPool pool({}, 2);
        QVERIFY(pool.processIds().isEmpty());
        QCOMPARE(pool.launch(), 2);
        const QList<pid_t> launched = pool.processIds();
        QCOMPARE(launched.size(), 2);
        QCOMPARE(pool.launch(), 0); // already running
        MetadataRecord got;
        pool.read({m_a}, MetadataMode::Extended, [&](qsizetype, MetadataRecord &&record) { got = std::move(record); });
        QVERIFY(got.ok());
        QCOMPARE(got.fields.value(QStringLiteral("File:FileName")).toString(), QStringLiteral("a.jpg"));
        QCOMPARE(pool.processIds(), launched);
        QCOMPARE(pool.restarts(), 0);
        QVERIFY(pool.shutdownNow(milliseconds(3000), false));
        for (pid_t pid : launched) {
            QVERIFY(processGone(pid));
        }
        QCOMPARE(pool.launch(), 0); // nothing starts after shutdown
        QVERIFY(pool.processIds().isEmpty());
    }

    void shutdownLeavesNoProcessAndRefusesWork()
    {
        ExifToolPool pool({}, 2);
        pool.read({m_a, m_b}, MetadataMode::Fast, [](qsizetype, MetadataRecord &&) {});
        const QList<pid_t> pids = pool.processIds();
        QCOMPARE(pids.size(), 1);
        QVERIFY(pool.shutdownNow(milliseconds(3000), false));
        QVERIFY(pool.isShutDown());
        QVERIFY(pool.processIds().isEmpty());
        QVERIFY(processGone(pids.first()));
        QVERIFY(pool.shutdownNow(milliseconds(3000), false)); // idempotent
        MetadataRecord after;
        pool.read({m_a}, MetadataMode::Fast, [&](qsizetype, MetadataRecord &&record) { after = std::move(record); });
        QVERIFY(!after.ok());
        QCOMPARE(after.error->code, ErrorCode::Cancelled);
    }

    void shutdownEndsABusyHungReader()
    {
        ExifToolOptions options;
        options.command = {QByteArrayLiteral(ONCUTF_SOURCE_DIR "/tests/core/metadata/fake_exiftool.sh")};
        options.baseTimeout = milliseconds(120000);
        ExifToolPool pool(options, 1);
        const QByteArray hang = writeFile(m_dir, "hang.jpg");
        MetadataRecord result;
        std::thread reader([&] {
            pool.read({hang}, MetadataMode::Fast, [&](qsizetype, MetadataRecord &&record) { result = std::move(record); });
        });
        QTRY_VERIFY_WITH_TIMEOUT(!pool.processIds().isEmpty(), 60000);
        const pid_t pid = pool.processIds().first();
        QElapsedTimer clock;
        clock.start();
        QVERIFY(pool.shutdownNow(milliseconds(400), false));
        reader.join();
        QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(!result.ok());
        QVERIFY(processGone(pid));
    }

    void exiftoolDiesWithOncutf()
    {
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--pdeathsig-child"), QString::fromUtf8(m_a)});
        QVERIFY(child.waitForFinished(60000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit); // it killed itself with SIGKILL
        bool ok = false;
        const pid_t pid = QByteArray(child.readAllStandardOutput()).trimmed().toInt(&ok);
        QVERIFY(ok && pid > 0);
        QVERIFY2(waitUntilDead(pid, 10000), "exiftool outlived its parent");
    }

private:
    QTemporaryDir m_dir;
    QByteArray m_a;
    QByteArray m_b;
};

int main(int argc, char **argv)
{
    if (argc == 3 && qstrcmp(argv[1], "--pdeathsig-child") == 0) {
        return runPdeathsigChild(argv[2]);
    }
    QCoreApplication app(argc, argv);
    TestExifToolPool test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_exiftoolpool.moc"
