// ContentComparer: equal only when every byte is equal, whatever the chunk boundaries.
#include "core/hash/contentcomparer.h"
#include "testutil_files.h"

#include <QTest>

#include <unistd.h>

using namespace oncutf::core;
using namespace oncutf::core::hash;
using namespace oncutf::tests;

class TestContentComparer final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void compare_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<bool>("identical");
        const qsizetype chunk = qsizetype(ContentComparer::kChunkSize);
        const QByteArray big = randomBytes(chunk * 2 + 17, 1);
        QByteArray lastByte = big;
        lastByte[lastByte.size() - 1] = char(lastByte.back() ^ 1);
        QByteArray secondChunk = big;
        secondChunk[chunk + 3] = char(secondChunk[chunk + 3] ^ 0x80);
        QTest::newRow("empty") << QByteArray() << QByteArray() << true;
        QTest::newRow("equal small") << QByteArray("abc") << QByteArray("abc") << true;
        QTest::newRow("equal over chunks") << big << big << true;
        QTest::newRow("last byte differs") << big << lastByte << false;
        QTest::newRow("differs in second chunk") << big << secondChunk << false;
        QTest::newRow("prefix") << big << big.left(chunk) << false;
        QTest::newRow("different sizes") << QByteArray("abc") << QByteArray("abcd") << false;
    }

    void compare()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(bool, identical);
        ByteTempDir dir;
        writeFile(dir.file("a"), a);
        writeFile(dir.file("b"), b);
        const auto result = ContentComparer::identical(dir.file("a"), dir.file("b"));
        QVERIFY(result.ok());
        QCOMPARE(*result, identical);
    }

    void hardLinksAreTheSameFile()
    {
        ByteTempDir dir;
        writeFile(dir.file("a"), "content");
        QCOMPARE(::link(dir.file("a").constData(), dir.file("b").constData()), 0);
        const auto result = ContentComparer::identical(dir.file("a"), dir.file("b"));
        QVERIFY(result.ok());
        QVERIFY(*result);
    }

    void errorsAndCancel()
    {
        ByteTempDir dir;
        writeFile(dir.file("a"), randomBytes(qsizetype(ContentComparer::kChunkSize) * 3, 2));
        writeFile(dir.file("b"), randomBytes(qsizetype(ContentComparer::kChunkSize) * 3, 2));
        const auto missing = ContentComparer::identical(dir.file("a"), dir.file("missing"));
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        const auto device = ContentComparer::identical(dir.file("a"), "/dev/zero");
        QVERIFY(!device.ok());
        QCOMPARE(device.error().code, ErrorCode::Unsupported);
        int polls = 0;
        const auto cancelled = ContentComparer::identical(dir.file("a"), dir.file("b"), [&polls] { return ++polls > 1; });
        QVERIFY(!cancelled.ok());
        QCOMPARE(cancelled.error().code, ErrorCode::Cancelled);
        QCOMPARE(polls, 2);
    }
};

QTEST_GUILESS_MAIN(TestContentComparer)
#include "tst_contentcomparer.moc"
