// FileHasher: results equal zlib's crc32 of the file, 64-bit progress, cancel per chunk, files that
// change while hashed, and everything that is not a readable regular file.
#include "core/hash/filehasher.h"
#include "testutil_files.h"
#include "testutil_zlib.h"

#include <QFile>
#include <QTest>

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>
#include <thread>

using namespace oncutf::core;
using namespace oncutf::core::hash;
using oncutf::tests::ByteTempDir;
using oncutf::tests::randomBytes;
using oncutf::tests::writeFile;
using oncutf::tests::ZlibReference;

class TestFileHasher final : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<ByteTempDir> m_dir;

    QByteArray pathOf(const char *name) const { return m_dir->file(name); }

    /// An mtime far in the past, so that a write during the hash is sure to change it even on file
    /// systems with coarse timestamps.
    static void ageFile(const QByteArray &path)
    {
        const struct timespec old[2] = {{946684800, 0}, {946684800, 0}};
        QCOMPARE(::utimensat(AT_FDCWD, path.constData(), old, 0), 0);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(ZlibReference::load()); }

    void init()
    {
        m_dir = std::make_unique<ByteTempDir>();
        QVERIFY(m_dir->isValid());
    }

    void equalsZlib_data()
    {
        QTest::addColumn<qsizetype>("size");
        QTest::addColumn<qsizetype>("chunk");
        for (qsizetype size : {0, 1, 3, 4095, 4096, 65537, (1 << 20) + 7}) {
            QTest::addRow("%lld bytes, default chunk", static_cast<long long>(size)) << size << qsizetype(0);
            QTest::addRow("%lld bytes, 4 KiB chunk", static_cast<long long>(size)) << size << qsizetype(4096);
        }
    }

    void equalsZlib()
    {
        QFETCH(qsizetype, size);
        QFETCH(qsizetype, chunk);
        const QByteArray path = pathOf("data.bin");
        const QByteArray contents = randomBytes(size, static_cast<unsigned>(size) + 1U);
        writeFile(path, contents);

        HashOptions options;
        if (chunk > 0)
            options.chunkSize = std::size_t(chunk);
        const auto result = FileHasher::hashFile(path, options);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        QCOMPARE(ZlibReference::hex(result->crc), ZlibReference::hex(ZlibReference::crc32(contents)));
        QCOMPARE(result->state.size, qint64(size));
        struct stat st {};
        QCOMPARE(::stat(path.constData(), &st), 0);
        QCOMPARE(result->state.mtimeNs, qint64(st.st_mtim.tv_sec) * 1'000'000'000LL + st.st_mtim.tv_nsec);
    }

    void nonUtf8AndSymlinkedNames()
    {
        const QByteArray contents = randomBytes(10'000, 7);
        const QByteArray path = pathOf("caf\xe9 \n name");
        writeFile(path, contents);
        const QByteArray link = pathOf("link");
        QCOMPARE(::symlink(path.constData(), link.constData()), 0);
        for (const QByteArray &p : {path, link}) {
            const auto result = FileHasher::hashFile(p);
            QVERIFY(result.ok());
            QCOMPARE(result->crc, ZlibReference::crc32(contents));
        }
    }

    void progressIsPerChunkAndReachesSize()
    {
        const QByteArray path = pathOf("progress.bin");
        writeFile(path, randomBytes(4096 * 3 + 100, 3));
        QList<QPair<qint64, qint64>> calls;
        HashOptions options;
        options.chunkSize = 4096;
        options.progress = [&calls](qint64 done, qint64 total) { calls.append({done, total}); };
        QVERIFY(FileHasher::hashFile(path, options).ok());
        const QList<QPair<qint64, qint64>> expected{{4096, 12388}, {8192, 12388}, {12288, 12388}, {12388, 12388}};
        QCOMPARE(calls, expected);
    }

    void cancelIsCheckedEveryChunk()
    {
        const QByteArray path = pathOf("cancel.bin");
        writeFile(path, randomBytes(4096 * 10, 4));
        int chunks = 0;
        HashOptions options;
        options.chunkSize = 4096;
        options.progress = [&chunks](qint64, qint64) { ++chunks; };
        options.isCancelled = [&chunks] { return chunks >= 2; };
        const auto result = FileHasher::hashFile(path, options);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, ErrorCode::Cancelled);
        QCOMPARE(chunks, 2);
    }

    void fileThatChangesIsReported_data()
    {
        QTest::addColumn<QString>("change");
        QTest::newRow("grows") << QStringLiteral("append");
        QTest::newRow("shrinks") << QStringLiteral("truncate");
        QTest::newRow("rewritten in place, same size") << QStringLiteral("rewrite");
        QTest::newRow("grows by less than a chunk after the last read") << QStringLiteral("append-late");
    }

    void fileThatChangesIsReported()
    {
        QFETCH(QString, change);
        const QByteArray path = pathOf("changing.bin");
        const qint64 size = 4096 * 4;
        writeFile(path, randomBytes(size, 5));
        ageFile(path);

        const int writer = ::open(path.constData(), O_WRONLY | O_CLOEXEC);
        QVERIFY(writer >= 0);
        bool changed = false;
        HashOptions options;
        options.chunkSize = 4096;
        // The change happens on the hashing thread between two chunks: deterministic, no timing.
        options.progress = [&](qint64 done, qint64) {
            const qint64 when = change == QLatin1String("append-late") ? size : 4096;
            if (changed || done != when)
                return;
            changed = true;
            if (change == QLatin1String("append") || change == QLatin1String("append-late")) {
                const char extra[10] = {};
                QCOMPARE(::pwrite(writer, extra, sizeof extra, size), ssize_t(sizeof extra));
            } else if (change == QLatin1String("truncate")) {
                QCOMPARE(::ftruncate(writer, 6000), 0);
            } else {
                const char patch[3] = {'x', 'y', 'z'};
                QCOMPARE(::pwrite(writer, patch, sizeof patch, 100), ssize_t(sizeof patch));
            }
        };
        const auto result = FileHasher::hashFile(path, options);
        ::close(writer);
        QVERIFY(changed);
        QVERIFY2(!result.ok(), "a file changed while hashed must not yield a hash");
        QCOMPARE(result.error().code, ErrorCode::Busy);
        QVERIFY2(result.error().message.contains(QLatin1String("changed while being hashed")),
                 qPrintable(result.error().message));

        // Once it stops changing, the file hashes normally again.
        QFile file(QFile::decodeName(path));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray now = file.readAll();
        const auto again = FileHasher::hashFile(path);
        QVERIFY(again.ok());
        QCOMPARE(again->crc, ZlibReference::crc32(now));
    }

    void fifoIsRejectedWithoutBlocking()
    {
        // No writer ever opens this FIFO: a blocking open or read would hang until the ctest timeout.
        const QByteArray path = pathOf("pipe");
        QCOMPARE(::mkfifo(path.constData(), 0600), 0);
        const auto result = FileHasher::hashFile(path);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, ErrorCode::Unsupported);
        QVERIFY(result.error().message.contains(QLatin1String("FIFO")));
    }

    void specialFilesAreRejected_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("code");
        QTest::newRow("character device") << QByteArray("/dev/null") << int(ErrorCode::Unsupported);
        QTest::newRow("folder") << QByteArray("/") << int(ErrorCode::Unsupported);
        QTest::newRow("missing") << QByteArray("/nonexistent/oncutf-missing") << int(ErrorCode::NotFound);
        QTest::newRow("empty path") << QByteArray() << int(ErrorCode::InvalidArgument);
    }

    void specialFilesAreRejected()
    {
        QFETCH(QByteArray, path);
        QFETCH(int, code);
        const auto result = FileHasher::hashFile(path);
        QVERIFY(!result.ok());
        QCOMPARE(int(result.error().code), code);
    }

    void unreadableFileIsAnError()
    {
        const QByteArray path = pathOf("secret.bin");
        writeFile(path, "secret");
        QCOMPARE(::chmod(path.constData(), 0), 0);

        // Root reads anything through CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH. Capabilities belong to
        // a thread on Linux (the raw capset syscall changes only the caller), so a helper thread
        // drops them and sees what an ordinary user sees; the test process keeps its own.
        Error error;
        bool ok = true;
        std::thread reader([&] {
            __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
            __user_cap_data_struct data[2]{};
            if (::syscall(SYS_capget, &header, data) == 0) {
                for (int cap : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH})
                    data[cap / 32].effective &= ~(1U << (cap % 32));
                (void)::syscall(SYS_capset, &header, data);
            }
            const auto result = FileHasher::hashFile(path);
            ok = result.ok();
            if (!ok)
                error = result.error();
        });
        reader.join();
        QVERIFY2(!ok, "a file without read permission must not hash");
        QCOMPARE(error.code, ErrorCode::PermissionDenied);
        QVERIFY(error.path.endsWith(QLatin1String("secret.bin")));
    }
};

QTEST_GUILESS_MAIN(TestFileHasher)
#include "tst_filehasher.moc"
