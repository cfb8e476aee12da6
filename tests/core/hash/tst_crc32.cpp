// Known-answer tests of Crc32 against zlib's crc32 (loaded at run time, see testutil_zlib.h).
#include "core/hash/crc32.h"
#include "testutil_files.h"
#include "testutil_zlib.h"

#include <QTest>

using oncutf::core::hash::Crc32;
using oncutf::tests::randomBytes;
using oncutf::tests::ZlibReference;

class TestCrc32 final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY2(ZlibReference::load(), "zlib (libz.so.1) must be loadable as the reference"); }

    void knownAnswers_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("expected");
        // Values printed by python3 -c 'import zlib; print("%08x" % zlib.crc32(b"..."))'.
        QTest::newRow("empty") << QByteArray() << QByteArray("00000000");
        QTest::newRow("a") << QByteArray("a") << QByteArray("e8b7be43");
        QTest::newRow("check string") << QByteArray("123456789") << QByteArray("cbf43926");
        QTest::newRow("fox") << QByteArray("The quick brown fox jumps over the lazy dog") << QByteArray("414fa339");
    }

    void knownAnswers()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, expected);
        QCOMPARE(Crc32::toHex(Crc32::of(input)), expected);
        QCOMPARE(Crc32::toHex(ZlibReference::crc32(input)), expected);
    }

    void matchesZlib_data()
    {
        QTest::addColumn<qsizetype>("size");
        for (qsizetype size : {0, 1, 3, 15, 16, 63, 64, 255, 256, 4095, 4096, 65537, (1 << 20) + 7})
            QTest::addRow("%lld bytes", static_cast<long long>(size)) << size;
    }

    void matchesZlib()
    {
        QFETCH(qsizetype, size);
        const QByteArray bytes = randomBytes(size, static_cast<unsigned>(size));
        QCOMPARE(Crc32::toHex(Crc32::of(bytes)), ZlibReference::hex(ZlibReference::crc32(bytes)));
        // Unaligned start: the SIMD kernels have head/tail paths.
        if (size > 1) {
            const QByteArrayView tail = QByteArrayView(bytes).sliced(1);
            QCOMPARE(Crc32::of(tail), ZlibReference::crc32(tail));
        }
    }

    void chunkedEqualsWhole_data()
    {
        QTest::addColumn<qsizetype>("chunk");
        for (qsizetype chunk : {1, 7, 64, 4096, 65536})
            QTest::addRow("chunk %lld", static_cast<long long>(chunk)) << chunk;
    }

    void chunkedEqualsWhole()
    {
        QFETCH(qsizetype, chunk);
        const QByteArray bytes = randomBytes(200'003, 42);
        Crc32 crc;
        for (qsizetype offset = 0; offset < bytes.size(); offset += chunk)
            crc.update(QByteArrayView(bytes).sliced(offset, qMin(chunk, bytes.size() - offset)));
        QCOMPARE(crc.value(), ZlibReference::crc32(bytes));
        crc.reset();
        QCOMPARE(crc.value(), 0U);
    }

    void extendContinuesZlibValue()
    {
        const QByteArray a = randomBytes(1000, 1);
        const QByteArray b = randomBytes(3000, 2);
        QCOMPARE(Crc32::extend(ZlibReference::crc32(a), b.constData(), std::size_t(b.size())),
                 ZlibReference::crc32(QByteArray(a + b)));
        QCOMPARE(Crc32::extend(0x12345678U, nullptr, 0), 0x12345678U);
    }

    void hexFormat()
    {
        QCOMPARE(Crc32::toHex(0), QByteArray("00000000"));
        QCOMPARE(Crc32::toHex(0xABCU), QByteArray("00000abc"));
        QCOMPARE(Crc32::toHex(0xFFFFFFFFU), QByteArray("ffffffff"));
    }

    void hexParse_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<quint32>("value");
        QTest::newRow("lower") << QByteArray("cbf43926") << true << 0xCBF43926U;
        QTest::newRow("upper") << QByteArray("CBF43926") << true << 0xCBF43926U;
        QTest::newRow("zeros") << QByteArray("00000000") << true << 0U;
        QTest::newRow("short") << QByteArray("cbf4392") << false << 0U;
        QTest::newRow("long") << QByteArray("cbf439260") << false << 0U;
        QTest::newRow("non hex") << QByteArray("cbf4392g") << false << 0U;
        QTest::newRow("sign") << QByteArray("-bf43926") << false << 0U;
        QTest::newRow("empty") << QByteArray() << false << 0U;
    }

    void hexParse()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, valid);
        QFETCH(quint32, value);
        const auto parsed = Crc32::fromHex(text);
        QCOMPARE(parsed.has_value(), valid);
        if (valid)
            QCOMPARE(*parsed, value);
    }
};

QTEST_GUILESS_MAIN(TestCrc32)
#include "tst_crc32.moc"
