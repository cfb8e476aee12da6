// Dates as metadata carries them: EXIF with sub-seconds and offsets, QuickTime (UTC), XMP/ISO
// forms, and the EXIF pieces joined; the wall-clock digits must never shift.

#include "core/metadata/dateparser.h"

#include <QTest>

using oncutf::core::metadata::DateParser;
using oncutf::core::metadata::ParsedDateTime;

class TestDateParser final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("wallClock"); // yyyy-MM-dd HH:mm:ss.zzz
        QTest::addColumn<bool>("hasTime");
        QTest::addColumn<QString>("offset");
        QTest::addColumn<QString>("subSeconds");

        QTest::newRow("exif") << "2024:06:15 14:30:05" << true << "2024-06-15 14:30:05.000" << true << "" << "";
        QTest::newRow("exif subsec offset") << "2024:06:15 14:30:05.123+02:00" << true << "2024-06-15 14:30:05.123"
                                            << true << "+02:00" << "123";
        QTest::newRow("exif negative half hour") << "2023:12:31 23:59:59-03:30" << true << "2023-12-31 23:59:59.000"
                                                 << true << "-03:30" << "";
        QTest::newRow("exif Z") << "2024:01:01 00:00:00Z" << true << "2024-01-01 00:00:00.000" << true << "+00:00" << "";
        QTest::newRow("two-digit subsec") << "2024:06:15 14:30:05.12" << true << "2024-06-15 14:30:05.120" << true
                                          << "" << "12";
        QTest::newRow("long subsec") << "2024:06:15 14:30:05.123456" << true << "2024-06-15 14:30:05.123" << true << ""
                                     << "123456";
        QTest::newRow("xmp iso") << "2026-11-27T16:03:07.12+02:00" << true << "2026-11-27 16:03:07.120" << true
                                 << "+02:00" << "12";
        QTest::newRow("xmp minutes only") << "2026-11-27T16:03+01:00" << true << "2026-11-27 16:03:00.000" << true
                                          << "+01:00" << "";
        QTest::newRow("xmp compact offset") << "2026-11-27T16:03:07+0545" << true << "2026-11-27 16:03:07.000" << true
                                            << "+05:45" << "";
        QTest::newRow("date only") << "2026-11-27" << true << "2026-11-27 00:00:00.000" << false << "" << "";
        QTest::newRow("exif date only") << "2026:11:27" << true << "2026-11-27 00:00:00.000" << false << "" << "";
        QTest::newRow("year month") << "2026-11" << true << "2026-11-01 00:00:00.000" << false << "" << "";
        QTest::newRow("year") << "2026" << true << "2026-01-01 00:00:00.000" << false << "" << "";
        QTest::newRow("spring-forward gap keeps its digits") << "2024:03:31 02:30:00" << true
                                                              << "2024-03-31 02:30:00.000" << true << "" << "";
        QTest::newRow("surrounding blanks") << "  2024:06:15 14:30:05 " << true << "2024-06-15 14:30:05.000" << true
                                            << "" << "";
        QTest::newRow("zero date") << "0000:00:00 00:00:00" << false << "" << false << "" << "";
        QTest::newRow("blank date") << "    :  :     :  :  " << false << "" << false << "" << "";
        QTest::newRow("month 13") << "2024:13:01 00:00:00" << false << "" << false << "" << "";
        QTest::newRow("feb 30") << "2024:02:30 00:00:00" << false << "" << false << "" << "";
        QTest::newRow("hour 24") << "2024:02:03 24:00:00" << false << "" << false << "" << "";
        QTest::newRow("garbage tail") << "2024:02:03 10:00:00 pm" << false << "" << false << "" << "";
        QTest::newRow("empty") << "" << false << "" << false << "" << "";
        QTest::newRow("text") << "Unknown" << false << "" << false << "" << "";
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(QString, wallClock);
        QFETCH(bool, hasTime);
        QFETCH(QString, offset);
        QFETCH(QString, subSeconds);
        const std::optional<ParsedDateTime> parsed = DateParser::parse(text);
        QCOMPARE(parsed.has_value(), valid);
        if (!valid) {
            return;
        }
        QCOMPARE(parsed->dateTime.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")), wallClock);
        QCOMPARE(parsed->hasTime, hasTime);
        QCOMPARE(parsed->hasOffset, !offset.isEmpty());
        QCOMPARE(parsed->offsetText(), offset);
        QCOMPARE(parsed->subSeconds, subSeconds);
    }

    void offsetIsTheRealInstant()
    {
        const auto parsed = DateParser::parse(u"2024:06:15 14:30:05+02:00");
        QVERIFY(parsed);
        QCOMPARE(parsed->dateTime.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                 QStringLiteral("2024-06-15 12:30:05"));
    }

    void quickTimeIsUtc()
    {
        const auto video = DateParser::parseField(u"QuickTime:CreateDate", u"2024:03:01 09:11:12");
        QVERIFY(video);
        QVERIFY(video->hasOffset);
        QCOMPARE(video->offsetText(), QStringLiteral("+00:00"));
        const auto withZone = DateParser::parseField(u"QuickTime:CreationDate", u"2024:03:01 10:11:12+01:00");
        QCOMPARE(withZone->offsetText(), QStringLiteral("+01:00"));
        const auto photo = DateParser::parseField(u"EXIF:DateTimeOriginal", u"2024:03:01 09:11:12");
        QVERIFY(!photo->hasOffset);
        QVERIFY(DateParser::isUtcByConvention(u"QuickTime:MediaCreateDate"));
        QVERIFY(!DateParser::isUtcByConvention(u"QuickTime:Duration"));
        QVERIFY(!DateParser::isUtcByConvention(u"XMP:CreateDate"));
    }

    void combinesExifPieces()
    {
        const auto joined = DateParser::combine(u"2024:06:15 14:30:05", u"050", u"-05:00");
        QVERIFY(joined);
        QCOMPARE(joined->subSeconds, QStringLiteral("050"));
        QCOMPARE(joined->milliseconds(), 50);
        QCOMPARE(joined->offsetText(), QStringLiteral("-05:00"));
        QCOMPARE(joined->dateTime.toString(QStringLiteral("HH:mm:ss.zzz")), QStringLiteral("14:30:05.050"));
        // Pieces already in the date win; junk pieces are ignored.
        const auto kept = DateParser::combine(u"2024:06:15 14:30:05.9+01:00", u"123", u"+09:00");
        QCOMPARE(kept->subSeconds, QStringLiteral("9"));
        QCOMPARE(kept->offsetText(), QStringLiteral("+01:00"));
        const auto junk = DateParser::combine(u"2024:06:15 14:30:05", u"ab", u"    ");
        QVERIFY(junk->subSeconds.isEmpty());
        QVERIFY(!junk->hasOffset);
        QVERIFY(!DateParser::combine(u"0000:00:00 00:00:00", u"1", u"+01:00"));
    }
};

QTEST_GUILESS_MAIN(TestDateParser)
#include "tst_dateparser.moc"
