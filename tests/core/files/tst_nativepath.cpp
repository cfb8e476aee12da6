// Byte-exact path helpers: strict UTF-8 validation, the PEP-383 surrogateescape mapping used for
// JSON and argv, and lexical absolute paths.

#include "core/files/nativepath.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace oncutf::core::files;

class TestNativePath : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void validUtf8_data();
    void validUtf8();
    void fsDecodeMatchesPython_data();
    void fsDecodeMatchesPython();
    void fsRoundTripOfEveryByte();
    void fsEncodeOfOtherLoneSurrogates();
    void toDisplayIsLossy();
    void absolutePath_data();
    void absolutePath();
    void absolutePathOfRelativeUsesCwdBytes();
    void fileNameIsLastComponent();
};

void TestNativePath::validUtf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");

    QTest::newRow("empty") << QByteArray() << true;
    QTest::newRow("ascii") << QByteArray("IMG_0001.JPG") << true;
    QTest::newRow("greek") << QByteArray("\xce\xb5\xce\xb9\xce\xba\xcf\x8c\xce\xbd\xce\xb1") << true;
    QTest::newRow("emoji 4 bytes") << QByteArray("\xf0\x9f\x93\xb7.jpg") << true;
    QTest::newRow("latin1 e-acute") << QByteArray("caf\xe9.jpg") << false;
    QTest::newRow("lone continuation") << QByteArray("a\x80") << false;
    QTest::newRow("truncated 3-byte") << QByteArray("\xe2\x82") << false;
    QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << false;
    QTest::newRow("overlong 3-byte") << QByteArray("\xe0\x80\xaf") << false;
    QTest::newRow("encoded surrogate") << QByteArray("\xed\xa0\x80") << false;
    QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << false;
    QTest::newRow("max code point") << QByteArray("\xf4\x8f\xbf\xbf") << true;
    QTest::newRow("byte FF") << QByteArray("\xff") << false;
}

void TestNativePath::validUtf8()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    QCOMPARE(isValidUtf8(bytes), valid);
}

void TestNativePath::fsDecodeMatchesPython_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");

    // Expected values are what Python 3 gives for bytes.decode("utf-8", "surrogateescape").
    QTest::newRow("latin1") << QByteArray("caf\xe9.jpg") << (QStringLiteral("caf") + QChar(0xDCE9) + QStringLiteral(".jpg"));
    QTest::newRow("truncated then ascii")
        << QByteArray("\xe2\x82" "A") << (QString(QChar(0xDCE2)) + QChar(0xDC82) + QLatin1Char('A'));
    QTest::newRow("encoded surrogate")
        << QByteArray("\xed\xa0\x80") << (QString(QChar(0xDCED)) + QChar(0xDCA0) + QChar(0xDC80));
    QTest::newRow("valid around invalid") << QByteArray("\xce\xb1\xff\xce\xb2")
                                          << (QString(QChar(0x3B1)) + QChar(0xDCFF) + QChar(0x3B2));
    QTest::newRow("emoji") << QByteArray("\xf0\x9f\x93\xb7") << QString::fromUtf8("\xf0\x9f\x93\xb7");
}

void TestNativePath::fsDecodeMatchesPython()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QCOMPARE(fsDecode(bytes), expected);
    QCOMPARE(fsEncode(fsDecode(bytes)), bytes);
}

void TestNativePath::fsRoundTripOfEveryByte()
{
    // Every single byte and every pair of bytes survives decode + encode unchanged.
    for (int a = 1; a < 256; ++a) {
        const QByteArray one(1, char(a));
        QCOMPARE(fsEncode(fsDecode(one)), one);
        for (int b = 1; b < 256; b += 7) {
            QByteArray two;
            two.append(char(a));
            two.append(char(b));
            QCOMPARE(fsEncode(fsDecode(two)), two);
        }
    }
}

void TestNativePath::fsEncodeOfOtherLoneSurrogates()
{
    // Only U+DC80..U+DCFF carry bytes; another lone surrogate cannot come from fsDecode and is
    // encoded as U+FFFD instead of producing invalid UTF-8.
    const QString text = QString(QChar(0xD800)) + QLatin1Char('x');
    QCOMPARE(fsEncode(text), QByteArray("\xef\xbf\xbdx"));
}

void TestNativePath::toDisplayIsLossy()
{
    const QString shown = toDisplay(QByteArray("caf\xe9"));
    QCOMPARE(shown, QStringLiteral("caf") + QChar(QChar::ReplacementCharacter));
    QCOMPARE(toDisplay(QByteArray("\xce\xb1.jpg")), QString::fromUtf8("\xce\xb1.jpg"));
}

void TestNativePath::absolutePath_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("root") << QByteArray("/") << QByteArray("/");
    QTest::newRow("plain") << QByteArray("/a/b") << QByteArray("/a/b");
    QTest::newRow("trailing slash") << QByteArray("/a/b/") << QByteArray("/a/b");
    QTest::newRow("double slashes") << QByteArray("//a///b") << QByteArray("/a/b");
    QTest::newRow("dot") << QByteArray("/a/./b/.") << QByteArray("/a/b");
    QTest::newRow("dotdot") << QByteArray("/a/b/../c") << QByteArray("/a/c");
    QTest::newRow("dotdot above root") << QByteArray("/../../a") << QByteArray("/a");
    QTest::newRow("all gone") << QByteArray("/a/..") << QByteArray("/");
    QTest::newRow("non-utf8 kept") << QByteArray("/x/caf\xe9/./y") << QByteArray("/x/caf\xe9/y");
    QTest::newRow("dots in names") << QByteArray("/a/...b/..c.") << QByteArray("/a/...b/..c.");
}

void TestNativePath::absolutePath()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QCOMPARE(oncutf::core::files::absolutePath(input), expected);
}

void TestNativePath::absolutePathOfRelativeUsesCwdBytes()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray base = QFile::encodeName(dir.path());
    const QByteArray odd = base + "/d\xe9j\xe0";
    QCOMPARE(::mkdir(odd.constData(), 0755), 0);

    char previous[4096];
    QVERIFY(::getcwd(previous, sizeof previous) != nullptr);
    QCOMPARE(::chdir(odd.constData()), 0);
    const QByteArray rel = oncutf::core::files::absolutePath("sub/../file.jpg");
    const QByteArray empty = oncutf::core::files::absolutePath(QByteArray());
    QCOMPARE(::chdir(previous), 0);
    QCOMPARE(::rmdir(odd.constData()), 0); // QTemporaryDir cannot remove a name that is not UTF-8

    QCOMPARE(rel, odd + "/file.jpg");
    QCOMPARE(empty, odd);
}

void TestNativePath::fileNameIsLastComponent()
{
    QCOMPARE(fileName("/a/b/c.jpg"), QByteArray("c.jpg"));
    QCOMPARE(fileName("c.jpg"), QByteArray("c.jpg"));
    QCOMPARE(fileName("/a/caf\xe9"), QByteArray("caf\xe9"));
}

QTEST_GUILESS_MAIN(TestNativePath)
#include "tst_nativepath.moc"
