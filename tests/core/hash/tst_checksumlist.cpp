// ChecksumList: sha256sum's layout and escaping (cross-checked against the real sha256sum),
// parsing what coreutils parses, and verification.
#include "core/hash/checksumlist.h"
#include "core/hash/crc32.h"
#include "core/hash/filehasher.h"
#include "testutil_files.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace oncutf::core;
using namespace oncutf::core::hash;
using namespace oncutf::tests;

class TestChecksumList final : public QObject {
    Q_OBJECT

private:
    static void addNames()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::newRow("plain") << QByteArray("photo.jpg");
        QTest::newRow("spaces") << QByteArray("  two  spaces ");
        QTest::newRow("newline") << QByteArray("new\nline");
        QTest::newRow("backslash") << QByteArray("back\\slash");
        QTest::newRow("carriage return") << QByteArray("cr\rx");
        QTest::newRow("all three") << QByteArray("a\\b\nc\rd\\n");
        QTest::newRow("starts with backslash") << QByteArray("\\lead");
        QTest::newRow("star first") << QByteArray("*star");
        QTest::newRow("not utf-8") << QByteArray("caf\xe9\xff");
        QTest::newRow("unicode") << QByteArray("\xce\xb1\xce\xb2\xce\xb3 \xe2\x82\xac.txt");
    }

private Q_SLOTS:
    void formatLine_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("plain") << QByteArray("dir/a b.jpg") << QByteArray("0000abcd  dir/a b.jpg\n");
        QTest::newRow("newline") << QByteArray("a\nb") << QByteArray("\\0000abcd  a\\nb\n");
        QTest::newRow("backslash") << QByteArray("a\\b") << QByteArray("\\0000abcd  a\\\\b\n");
        QTest::newRow("carriage return") << QByteArray("a\rb") << QByteArray("\\0000abcd  a\\rb\n");
        QTest::newRow("not utf-8 is raw") << QByteArray("\xff") << QByteArray("0000abcd  \xff\n");
    }

    void formatLine()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, line);
        QCOMPARE(ChecksumList::formatLine(0xABCDU, path), line);
    }

    void sameLayoutAsSha256sum_data() { addNames(); }

    void sameLayoutAsSha256sum()
    {
        QFETCH(QByteArray, name);
        const QString sha256sum = QStandardPaths::findExecutable(QStringLiteral("sha256sum"));
        if (sha256sum.isEmpty())
            QSKIP("sha256sum (GNU coreutils) is not installed");
        ByteTempDir dir;
        writeFile(dir.file(name), "x");

        QProcess process;
        process.setWorkingDirectory(QFile::decodeName(dir.path()));
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        // The folder holds only this file: the shell's glob hands its exact bytes to sha256sum
        // (QProcess arguments go through QString, which cannot carry bytes that are not UTF-8).
        process.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("exec \"$0\" -- *"), sha256sum});
        QVERIFY(process.waitForFinished(10'000));
        QCOMPARE(process.exitCode(), 0);
        QByteArray theirs = process.readAllStandardOutput();
        // Same line with the 64 hex digits of SHA-256 in place of our 8.
        const qsizetype hashAt = theirs.startsWith('\\') ? 1 : 0;
        theirs.replace(hashAt, 64, Crc32::toHex(0x1234abcdU));
        QCOMPARE(ChecksumList::formatLine(0x1234abcdU, name), theirs);
    }

    void roundTrip_data() { addNames(); }

    void roundTrip()
    {
        QFETCH(QByteArray, name);
        const QByteArray list = ChecksumList::formatLine(0xDEADBEEFU, name) + ChecksumList::formatLine(7, "second");
        const ParsedChecksumList parsed = ChecksumList::parse(list);
        QVERIFY(parsed.malformedLines.isEmpty());
        QCOMPARE(parsed.entries.size(), 2);
        QCOMPARE(parsed.entries[0], (ChecksumEntry{0xDEADBEEFU, name, 1}));
        QCOMPARE(parsed.entries[1], (ChecksumEntry{7, "second", 2}));
    }

    void parseLine_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<quint32>("crc");
        QTest::addColumn<QByteArray>("path");
        QTest::newRow("text mode") << QByteArray("cbf43926  a b") << true << 0xCBF43926U << QByteArray("a b");
        QTest::newRow("binary mode") << QByteArray("cbf43926 *a b") << true << 0xCBF43926U << QByteArray("a b");
        QTest::newRow("upper case") << QByteArray("CBF43926  x") << true << 0xCBF43926U << QByteArray("x");
        QTest::newRow("one space") << QByteArray("cbf43926 x") << true << 0xCBF43926U << QByteArray("x");
        QTest::newRow("tab") << QByteArray("cbf43926\tx") << true << 0xCBF43926U << QByteArray("x");
        QTest::newRow("leading blanks") << QByteArray(" \tcbf43926  x") << true << 0xCBF43926U << QByteArray("x");
        QTest::newRow("crlf") << QByteArray("cbf43926  x\r") << true << 0xCBF43926U << QByteArray("x");
        QTest::newRow("third space is the name's") << QByteArray("cbf43926   x") << true << 0xCBF43926U << QByteArray(" x");
        QTest::newRow("escaped") << QByteArray("\\cbf43926  a\\\\b\\nc\\rd") << true << 0xCBF43926U
                                 << QByteArray("a\\b\nc\rd");
        QTest::newRow("unescaped backslash kept") << QByteArray("cbf43926  a\\nb") << true << 0xCBF43926U
                                                  << QByteArray("a\\nb");
        QTest::newRow("unknown escape") << QByteArray("\\cbf43926  a\\qb") << false << 0U << QByteArray();
        QTest::newRow("dangling escape") << QByteArray("\\cbf43926  ab\\") << false << 0U << QByteArray();
        QTest::newRow("short hash") << QByteArray("cbf4392  x") << false << 0U << QByteArray();
        QTest::newRow("sha256 length") << QByteArray("cbf4392612  x") << false << 0U << QByteArray();
        QTest::newRow("no name") << QByteArray("cbf43926 ") << false << 0U << QByteArray();
        QTest::newRow("no separator") << QByteArray("cbf43926") << false << 0U << QByteArray();
        QTest::newRow("garbage") << QByteArray("hello world") << false << 0U << QByteArray();
    }

    void parseLine()
    {
        QFETCH(QByteArray, line);
        QFETCH(bool, valid);
        QFETCH(quint32, crc);
        QFETCH(QByteArray, path);
        const auto entry = ChecksumList::parseLine(line);
        QCOMPARE(entry.has_value(), valid);
        if (valid) {
            QCOMPARE(entry->crc, crc);
            QCOMPARE(entry->path, path);
        }
    }

    void parseCountsMalformedLinesOnly()
    {
        const QByteArray list = "# a comment\n"
                                "\n"
                                "00000001  one\n"
                                "not a checksum line\n"
                                "  \r\n"
                                "00000002  two\r\n"
                                "0000003  short\n"
                                "00000004  last without newline";
        const ParsedChecksumList parsed = ChecksumList::parse(list);
        QCOMPARE(parsed.malformedLines, (QList<int>{4, 7}));
        QCOMPARE(parsed.entries.size(), 3);
        QCOMPARE(parsed.entries[0], (ChecksumEntry{1, "one", 3}));
        QCOMPARE(parsed.entries[1], (ChecksumEntry{2, "two", 6}));
        QCOMPARE(parsed.entries[2], (ChecksumEntry{4, "last without newline", 8}));
    }

    void checkLines_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("ok") << QByteArray("a b") << int(ChecksumCheck::Status::Ok) << QByteArray("a b: OK\n");
        QTest::newRow("failed") << QByteArray("a") << int(ChecksumCheck::Status::Failed) << QByteArray("a: FAILED\n");
        QTest::newRow("unreadable") << QByteArray("a") << int(ChecksumCheck::Status::Unreadable)
                                    << QByteArray("a: FAILED open or read\n");
        // As `sha256sum -c` prints them: a backslash alone is not escaped, a newline escapes all.
        QTest::newRow("backslash raw") << QByteArray("a\\b") << int(ChecksumCheck::Status::Ok)
                                       << QByteArray("a\\b: OK\n");
        QTest::newRow("newline escaped") << QByteArray("a\\b\nc") << int(ChecksumCheck::Status::Ok)
                                         << QByteArray("\\a\\\\b\\nc: OK\n");
    }

    void checkLines()
    {
        QFETCH(QByteArray, path);
        QFETCH(int, status);
        QFETCH(QByteArray, line);
        QCOMPARE(ChecksumList::formatCheckLine(path, ChecksumCheck::Status(status)), line);
    }

    void verifyAgainstFiles()
    {
        ByteTempDir dir;
        const QByteArray good = dir.file("good\nname");
        const QByteArray changed = dir.file("changed");
        const QByteArray missing = dir.file("missing");
        writeFile(good, "good contents");
        writeFile(changed, "before");

        const QByteArray list = ChecksumList::formatLine(Crc32::of(QByteArray("good contents")), good)
                                + ChecksumList::formatLine(Crc32::of(QByteArray("before")), changed)
                                + ChecksumList::formatLine(Crc32::of(QByteArray("gone")), missing);
        writeFile(changed, "after!");

        const ParsedChecksumList parsed = ChecksumList::parse(list);
        QCOMPARE(parsed.entries.size(), 3);
        const auto results = ChecksumList::verify(parsed.entries, [](const QByteArray &path) -> Result<quint32> {
            auto hashed = FileHasher::hashFile(path);
            if (!hashed)
                return hashed.error();
            return hashed->crc;
        });
        QCOMPARE(results.size(), 3);
        QCOMPARE(results[0].entry.path, good);
        QCOMPARE(results[0].status, ChecksumCheck::Status::Ok);
        QCOMPARE(results[1].status, ChecksumCheck::Status::Failed);
        QCOMPARE(results[1].actual, std::optional<quint32>(Crc32::of(QByteArray("after!"))));
        QCOMPARE(results[2].status, ChecksumCheck::Status::Unreadable);
        QVERIFY(results[2].error.has_value());
        QCOMPARE(results[2].error->code, ErrorCode::NotFound);
    }
};

QTEST_GUILESS_MAIN(TestChecksumList)
#include "tst_checksumlist.moc"
