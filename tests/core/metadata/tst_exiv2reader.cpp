// ctest-labels: exiftool
// ctest-timeout: 180
// The parity test: for every generated fixture the in-process reader returns, for each of its
// keys, exactly what `exiftool -json -G` prints (same value, same JSON type), in two time zones.

#include "core/metadata/cachejson.h"
#include "core/metadata/exiv2reader.h"
#include "testutil_fixtures.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <cstdlib>
#include <ctime>

using oncutf::core::metadata::Exiv2Reader;
namespace cachejson = oncutf::core::metadata::cachejson;
using oncutf::tests::MetadataFixtures;

namespace {

QByteArray show(const QJsonValue &value)
{
    if (value.isUndefined()) {
        return "<absent>";
    }
    return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
}

void setTimeZone(const char *tz)
{
    qputenv("TZ", tz);
    ::tzset();
}

} // namespace

class TestExiv2Reader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        Exiv2Reader::initialize();
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_fixtures.generate(m_dir.path(), &error), qPrintable(error));
    }

    void cleanupTestCase()
    {
        setTimeZone("UTC");
        m_fixtures.removeFiles();
    }

    void parity_data()
    {
        QTest::addColumn<QByteArray>("timeZone");
        QTest::newRow("UTC") << QByteArray("UTC0");
        // A negative half-hour offset exercises FileModifyDate's zone formatting.
        QTest::newRow("UTC-03:30") << QByteArray("NST3:30");
        QTest::newRow("UTC+05:45") << QByteArray("NPT-5:45");
    }

    void parity()
    {
        QFETCH(QByteArray, timeZone);
        setTimeZone(timeZone.constData());
        const QList<QByteArray> files = m_fixtures.paths({QStringLiteral("tagged"), QStringLiteral("plain"),
                                                          QStringLiteral("odd")});
        QString error;
        const auto reference = MetadataFixtures::referenceJson(files, {QStringLiteral("-G")}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(reference.size(), files.size());

        int handled = 0;
        int compared = 0;
        for (const QByteArray &path : files) {
            const std::optional<QJsonObject> fast = Exiv2Reader::read(path);
            if (!fast) {
                continue;
            }
            ++handled;
            const QJsonObject &expected = reference.value(path);
            for (const QString &key : Exiv2Reader::keys()) {
                const QJsonValue ours = fast->value(key);
                const QJsonValue theirs = expected.value(key);
                compared += theirs.isUndefined() ? 0 : 1;
                if (ours != theirs) {
                    QFAIL(qPrintable(QStringLiteral("%1 %2: exiv2 %3, exiftool %4")
                                         .arg(QString::fromUtf8(path), key, QString::fromUtf8(show(ours)),
                                              QString::fromUtf8(show(theirs)))));
                }
            }
            for (auto it = fast->begin(); it != fast->end(); ++it) {
                QVERIFY2(Exiv2Reader::keys().contains(it.key()), qPrintable(it.key()));
            }
        }
        // Every still image of the set (tagged, plain and the odd names) went the fast way.
        QVERIFY2(handled >= 25, qPrintable(QString::number(handled)));
        QVERIFY2(compared >= 400, qPrintable(QString::number(compared)));
    }

    // readDocument() is the text form of read(): the cache's document of the same fields, byte
    // for byte (the CLI prints and stores it without ever building the object), for every file;
    // both decline the same files.
    void documentIsTheCacheFormOfTheFields()
    {
        const QList<QByteArray> files = m_fixtures.paths({QStringLiteral("tagged"), QStringLiteral("plain"),
                                                          QStringLiteral("odd")})
            + QList<QByteArray>{m_fixtures.path("empty.jpg"), m_fixtures.path("corrupt.jpg"),
                                m_fixtures.path("C0001.MP4"), m_fixtures.path("folder.jpg")};
        int documents = 0;
        for (const QByteArray &path : files) {
            const std::optional<QJsonObject> fields = Exiv2Reader::read(path);
            const std::optional<QByteArray> document = Exiv2Reader::readDocument(path);
            QCOMPARE(document.has_value(), fields.has_value());
            if (!fields) {
                continue;
            }
            ++documents;
            QCOMPARE(*document, cachejson::serialize(*fields));
            QCOMPARE(QJsonDocument::fromJson(*document).object(), *fields);
        }
        QVERIFY2(documents >= 25, qPrintable(QString::number(documents)));
    }

    void routesByContent_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<bool>("handled");
        QTest::newRow("jpeg") << QByteArray("canon_r5.jpg") << true;
        QTest::newRow("png") << QByteArray("exif.png") << true;
        QTest::newRow("webp") << QByteArray("exif.webp") << true;
        QTest::newRow("simple webp") << QByteArray("plain.webp") << true;
        QTest::newRow("tiff") << QByteArray("exif.tif") << true;
        QTest::newRow("dng") << QByteArray("exif.dng") << true;
        QTest::newRow("nef") << QByteArray("exif.nef") << true;
        QTest::newRow("png named .jpg") << QByteArray("png_named.jpg") << true;
        QTest::newRow("no extension") << QByteArray("noextension") << true;
        QTest::newRow("trailing dot") << QByteArray("trailing.") << true;
        QTest::newRow("newline") << QByteArray("new\nline.jpg") << true;
        QTest::newRow("not utf-8") << QByteArray("caf\xe9.jpg") << true;
        QTest::newRow("leading dash") << QByteArray("-leading-dash.jpg") << true;
        QTest::newRow("empty") << QByteArray("empty.jpg") << false;
        QTest::newRow("truncated") << QByteArray("truncated.jpg") << false;
        QTest::newRow("corrupt exif") << QByteArray("corrupt.jpg") << false;
        QTest::newRow("garbage") << QByteArray("garbage.jpg") << false;
        QTest::newRow("text") << QByteArray("notes.txt") << false;
        QTest::newRow("video") << QByteArray("C0001.MP4") << false;
        QTest::newRow("directory") << QByteArray("folder.jpg") << false;
        QTest::newRow("missing") << QByteArray("does-not-exist.jpg") << false;
    }

    void routesByContent()
    {
        QFETCH(QByteArray, name);
        QFETCH(bool, handled);
        const QByteArray path = QFile::encodeName(m_dir.path()) + '/' + name;
        const std::optional<QJsonObject> fields = Exiv2Reader::read(path);
        QCOMPARE(fields.has_value(), handled);
        if (handled) {
            QVERIFY(fields->contains(QStringLiteral("File:FileType")));
        }
    }

    void valuesPeopleRenameBy()
    {
        setTimeZone("UTC0");
        const std::optional<QJsonObject> canon = Exiv2Reader::read(m_fixtures.path("canon_r5.jpg"));
        QVERIFY(canon.has_value());
        QCOMPARE(canon->value(QStringLiteral("EXIF:Make")), QJsonValue(QStringLiteral("Canon")));
        QCOMPARE(canon->value(QStringLiteral("EXIF:FNumber")), QJsonValue(2.8));
        QCOMPARE(canon->value(QStringLiteral("EXIF:ExposureTime")), QJsonValue(QStringLiteral("1/200")));
        QCOMPARE(canon->value(QStringLiteral("EXIF:FocalLength")), QJsonValue(QStringLiteral("50.0 mm")));
        QCOMPARE(canon->value(QStringLiteral("EXIF:SubSecTimeOriginal")), QJsonValue(123));
        QCOMPARE(canon->value(QStringLiteral("EXIF:Artist")), QJsonValue(QStringLiteral("Ζωή Χατζή")));
        QCOMPARE(canon->value(QStringLiteral("EXIF:GPSLatitude")),
                 QJsonValue(QStringLiteral("40 deg 38' 24.00\"")));
        QCOMPARE(canon->value(QStringLiteral("File:FileSize")), QJsonValue(QStringLiteral("12 kB")));
        QCOMPARE(canon->value(QStringLiteral("File:ImageWidth")), QJsonValue(64));
        const std::optional<QJsonObject> nikon = Exiv2Reader::read(m_fixtures.path("nikon_z6.jpg"));
        QVERIFY(nikon.has_value());
        QCOMPARE(nikon->value(QStringLiteral("EXIF:Make")), QJsonValue(QStringLiteral("NIKON CORPORATION")));
        QCOMPARE(nikon->value(QStringLiteral("EXIF:SubSecTimeOriginal")), QJsonValue(QStringLiteral("050")));
        QCOMPARE(nikon->value(QStringLiteral("EXIF:Copyright")), QJsonValue(QStringLiteral("Jane Doe\nEditor Inc.")));
        QCOMPARE(nikon->value(QStringLiteral("EXIF:GPSLatitudeRef")), QJsonValue(QStringLiteral("South")));
    }

    // Truncations and byte flips of a tagged JPEG: the reader may decline, it must never crash.
    void survivesDamagedInput()
    {
        QFile source(QString::fromUtf8(m_fixtures.path("canon_r5.jpg")));
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QByteArray original = source.readAll();
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QByteArray target = QFile::encodeName(scratch.path()) + "/damaged.jpg";
        auto writeAndRead = [&](const QByteArray &bytes) {
            QFile out(QString::fromUtf8(target));
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QCOMPARE(out.write(bytes), bytes.size());
            out.close();
            const std::optional<QJsonObject> fields = Exiv2Reader::read(target);
            if (fields) {
                QVERIFY(fields->contains(QStringLiteral("File:FileType")));
            }
        };
        for (qsizetype length = 0; length < 1200; length += 7) {
            writeAndRead(original.left(length));
        }
        QRandomGenerator random(20261127);
        for (int round = 0; round < 300; ++round) {
            QByteArray damaged = original;
            for (int flips = 0; flips < 4; ++flips) {
                const auto at = static_cast<qsizetype>(random.bounded(1200));
                damaged[at] = static_cast<char>(random.bounded(256));
            }
            writeAndRead(damaged);
        }
    }

private:
    QTemporaryDir m_dir;
    MetadataFixtures m_fixtures;
};

QTEST_GUILESS_MAIN(TestExiv2Reader)
#include "tst_exiv2reader.moc"
