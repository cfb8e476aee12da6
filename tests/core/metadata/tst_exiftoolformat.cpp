// ExifTool 12.57's print conversions, re-implemented: the tables hold what ExifTool prints (and the
// JSON type it gives) for boundary values; the parity test (tst_exiv2reader) checks real files.

#include "core/metadata/exiftoolformat.h"

#include <QJsonValue>
#include <QTest>

using oncutf::core::metadata::ExifToolFormat;

class TestExifToolFormat final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void jsonValue_data()
    {
        QTest::addColumn<QString>("printed");
        QTest::addColumn<QJsonValue>("expected");
        QTest::newRow("integer") << "400" << QJsonValue(400);
        QTest::newRow("decimal") << "2.8" << QJsonValue(2.8);
        QTest::newRow("negative") << "-3.5" << QJsonValue(-3.5);
        QTest::newRow("exponent") << "1e-05" << QJsonValue(1e-05);
        QTest::newRow("leading zero stays text") << "050" << QJsonValue(QStringLiteral("050"));
        QTest::newRow("zero") << "0" << QJsonValue(0);
        QTest::newRow("16 digits is text") << "1234567890123456" << QJsonValue(QStringLiteral("1234567890123456"));
        QTest::newRow("15 digits is a number") << "123456789012345" << QJsonValue(123456789012345.0);
        QTest::newRow("fraction") << "1/200" << QJsonValue(QStringLiteral("1/200"));
        QTest::newRow("unit") << "50.0 mm" << QJsonValue(QStringLiteral("50.0 mm"));
        QTest::newRow("true") << "True" << QJsonValue(true);
        QTest::newRow("false") << "false" << QJsonValue(false);
        QTest::newRow("plus sign is text") << "+02:00" << QJsonValue(QStringLiteral("+02:00"));
        QTest::newRow("trailing dot is text") << "5." << QJsonValue(QStringLiteral("5."));
    }

    void jsonValue()
    {
        QFETCH(QString, printed);
        QFETCH(QJsonValue, expected);
        const QJsonValue actual = ExifToolFormat::jsonValue(printed);
        QCOMPARE(actual.type(), expected.type());
        QCOMPARE(actual, expected);
    }

    void fixUtf8_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("ascii") << QByteArray("abc") << QStringLiteral("abc");
        QTest::newRow("greek") << QByteArray("\xce\x96\xcf\x89\xce\xae") << QStringLiteral("Ζωή");
        QTest::newRow("latin-1 byte") << QByteArray("caf\xe9.jpg") << QStringLiteral("caf?.jpg");
        QTest::newRow("lone continuation") << QByteArray("a\x80z") << QStringLiteral("a?z");
        QTest::newRow("truncated sequence") << QByteArray("\xe2\x82") << QStringLiteral("??");
        QTest::newRow("overlong") << QByteArray("\xc0\xaf") << QStringLiteral("??");
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << QStringLiteral("???");
        QTest::newRow("U+FFFE") << QByteArray("\xef\xbf\xbe") << QStringLiteral("???");
        QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << QStringLiteral("????");
        QTest::newRow("emoji") << QByteArray("\xf0\x9f\x93\xb7") << QStringLiteral("📷");
    }

    void fixUtf8()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        QCOMPARE(ExifToolFormat::fixUtf8(bytes), expected);
    }

    void fileSize_data()
    {
        QTest::addColumn<qint64>("bytes");
        QTest::addColumn<QString>("expected");
        QTest::newRow("0") << qint64(0) << "0 bytes";
        QTest::newRow("1999") << qint64(1999) << "1999 bytes";
        QTest::newRow("2000") << qint64(2000) << "2.0 kB";
        QTest::newRow("9949") << qint64(9949) << "9.9 kB";
        QTest::newRow("9999") << qint64(9999) << "10.0 kB";
        QTest::newRow("10000") << qint64(10000) << "10 kB";
        QTest::newRow("12022") << qint64(12022) << "12 kB";
        QTest::newRow("1999999") << qint64(1999999) << "2000 kB";
        QTest::newRow("2000000") << qint64(2000000) << "2.0 MB";
        QTest::newRow("2100523") << qint64(2100523) << "2.1 MB";
        QTest::newRow("10000000") << qint64(10000000) << "10 MB";
        QTest::newRow("1999999999") << qint64(1999999999) << "2000 MB";
        QTest::newRow("2000000000") << qint64(2000000000) << "2.0 GB";
        QTest::newRow("10000000000") << qint64(10000000000) << "10 GB";
    }

    void fileSize()
    {
        QFETCH(qint64, bytes);
        QFETCH(QString, expected);
        QCOMPARE(ExifToolFormat::fileSize(bytes), expected);
    }

    void exposureTime_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("1/200") << "0.005" << "1/200";
        QTest::newRow("1/8000") << "0.000125" << "1/8000";
        QTest::newRow("quarter") << "0.25" << "1/4";
        QTest::newRow("just under the cut") << "0.250005" << "1/4";
        QTest::newRow("just over the cut") << "0.2501" << "0.3";
        QTest::newRow("a third") << "0.3333333333" << "0.3";
        QTest::newRow("whole") << "30" << "30";
        QTest::newRow("2.5") << "2.5" << "2.5";
        QTest::newRow("1.3") << "1.3" << "1.3";
        QTest::newRow("zero") << "0" << "0";
        QTest::newRow("not a number") << "undef" << "undef";
    }

    void exposureTime()
    {
        QFETCH(QString, value);
        QFETCH(QString, expected);
        QCOMPARE(ExifToolFormat::exposureTime(value), expected);
    }

    void fNumberAndFocalLength()
    {
        QCOMPARE(ExifToolFormat::fNumber(QStringLiteral("2.8")), QStringLiteral("2.8"));
        QCOMPARE(ExifToolFormat::fNumber(QStringLiteral("0.95")), QStringLiteral("0.95"));
        QCOMPARE(ExifToolFormat::fNumber(QStringLiteral("22")), QStringLiteral("22.0"));
        QCOMPARE(ExifToolFormat::fNumber(QStringLiteral("5.65")), QStringLiteral("5.7"));
        QCOMPARE(ExifToolFormat::fNumber(QStringLiteral("0")), QStringLiteral("0"));
        QCOMPARE(ExifToolFormat::focalLength(QStringLiteral("50")), QStringLiteral("50.0 mm"));
        QCOMPARE(ExifToolFormat::focalLength(QStringLiteral("105.25")), QStringLiteral("105.2 mm"));
        QCOMPARE(ExifToolFormat::focalLength(QStringLiteral("undef")), QStringLiteral("0.0 mm"));
    }

    void rational()
    {
        QCOMPARE(ExifToolFormat::rational(28, 10), QStringLiteral("2.8"));
        QCOMPARE(ExifToolFormat::rational(1, 3), QStringLiteral("0.3333333333"));
        QCOMPARE(ExifToolFormat::rational(1, 0), QStringLiteral("inf"));
        QCOMPARE(ExifToolFormat::rational(0, 0), QStringLiteral("undef"));
        QCOMPARE(ExifToolFormat::rational(1, 100000), QStringLiteral("1e-05"));
    }

    void gpsCoordinate_data()
    {
        QTest::addColumn<QString>("triple");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << "40 38 24" << "40 deg 38' 24.00\"";
        QTest::newRow("fractional seconds") << "33 52 7.68" << "33 deg 52' 7.68\"";
        QTest::newRow("carry into degrees") << "59 59 59.999999" << "60 deg 0' 0.00\"";
        QTest::newRow("decimal degrees") << "40.64 0 0" << "40 deg 38' 24.00\"";
        QTest::newRow("zero") << "0 0 0" << "0 deg 0' 0.00\"";
        QTest::newRow("invalid") << "40 undef 0" << "";
    }

    void gpsCoordinate()
    {
        QFETCH(QString, triple);
        QFETCH(QString, expected);
        QCOMPARE(ExifToolFormat::gpsCoordinate(triple), expected);
    }

    void lookups()
    {
        QCOMPARE(ExifToolFormat::orientation(QStringLiteral("1")), QStringLiteral("Horizontal (normal)"));
        QCOMPARE(ExifToolFormat::orientation(QStringLiteral("6")), QStringLiteral("Rotate 90 CW"));
        QCOMPARE(ExifToolFormat::orientation(QStringLiteral("9")), QStringLiteral("Unknown (9)"));
        QCOMPARE(ExifToolFormat::gpsRef(QStringLiteral("S")), QStringLiteral("South"));
        QCOMPARE(ExifToolFormat::gpsRef(QStringLiteral("X")), QStringLiteral("Unknown (X)"));
        QCOMPARE(ExifToolFormat::gpsAltitudeRef(QStringLiteral("1")), QStringLiteral("Below Sea Level"));
        QCOMPARE(ExifToolFormat::gpsAltitude(QStringLiteral("12.5")), QStringLiteral("12.5 m"));
        QCOMPARE(ExifToolFormat::isoList(QStringLiteral("100 200")), QStringLiteral("100, 200"));
        QCOMPARE(ExifToolFormat::trimTrailingWhitespace(QStringLiteral("NIKON \t\n")), QStringLiteral("NIKON"));
    }

    void unixTimeLocal()
    {
        qputenv("TZ", "NST3:30");
        ::tzset();
        QCOMPARE(ExifToolFormat::unixTimeLocal(1764259387), QStringLiteral("2025:11:27 12:33:07-03:30"));
        qputenv("TZ", "UTC0");
        ::tzset();
        QCOMPARE(ExifToolFormat::unixTimeLocal(1764259387), QStringLiteral("2025:11:27 16:03:07+00:00"));
        QCOMPARE(ExifToolFormat::unixTimeLocal(0), QStringLiteral("0000:00:00 00:00:00"));
    }
};

QTEST_GUILESS_MAIN(TestExifToolFormat)
#include "tst_exiftoolformat.moc"
