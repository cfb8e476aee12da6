// ctest-labels: slow
// ctest-timeout: 180
// A sparse file just over 4 GiB: the read loop, the CRC and the progress must all be 64-bit.
// The expected value is zlib's crc32 of the same logical bytes (zero runs via crc32_combine64).
#include "core/hash/filehasher.h"
#include "testutil_files.h"
#include "testutil_zlib.h"

#include <QElapsedTimer>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

using namespace oncutf::core;
using namespace oncutf::core::hash;
using namespace oncutf::tests;

class TestLargeFile final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(ZlibReference::load()); }

    void sparseFileOver4GiB()
    {
        ByteTempDir dir;
        QVERIFY(dir.isValid());
        const QByteArray path = dir.file("sparse.bin");
        const qint64 fourGiB = qint64(1) << 32;
        const qint64 size = fourGiB + 5;
        const QByteArray head = randomBytes(16, 1);
        const QByteArray tail = randomBytes(8, 2); // straddles the 4 GiB boundary, ends the file
        const qint64 tailOffset = size - tail.size();

        const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        QVERIFY(fd >= 0);
        QCOMPARE(::ftruncate(fd, size), 0);
        QCOMPARE(::pwrite(fd, head.constData(), std::size_t(head.size()), 0), ssize_t(head.size()));
        QCOMPARE(::pwrite(fd, tail.constData(), std::size_t(tail.size()), tailOffset), ssize_t(tail.size()));
        QCOMPARE(::close(fd), 0);

        quint32 expected = ZlibReference::crc32(head);
        expected = ZlibReference::combine(expected, ZlibReference::zeros(tailOffset - head.size()),
                                          tailOffset - head.size());
        expected = ZlibReference::crc32(expected, tail.constData(), std::size_t(tail.size()));

        qint64 lastDone = 0;
        qint64 lastTotal = 0;
        int calls = 0;
        HashOptions options;
        options.progress = [&](qint64 done, qint64 total) {
            QVERIFY(done > lastDone);
            lastDone = done;
            lastTotal = total;
            ++calls;
        };
        QElapsedTimer timer;
        timer.start();
        const auto result = FileHasher::hashFile(path, options);
        qInfo("hashed %lld bytes in %lld ms", static_cast<long long>(size), static_cast<long long>(timer.elapsed()));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
        QCOMPARE(ZlibReference::hex(result->crc), ZlibReference::hex(expected));
        QCOMPARE(result->state.size, size);
        QCOMPARE(lastDone, size);
        QCOMPARE(lastTotal, size);
        QCOMPARE(calls, int((size + (1 << 20) - 1) >> 20));
    }
};

QTEST_GUILESS_MAIN(TestLargeFile)
#include "tst_largefile.moc"
