// The field registry: every key the fast reader returns is known, categories and types of known
// keys, and inferred descriptions for keys it has never seen.

#include "core/metadata/exiv2reader.h"
#include "core/metadata/fieldregistry.h"

#include <QSet>
#include <QTest>

using namespace oncutf::core::metadata;

class TestFieldRegistry final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyFastKeyIsKnown()
    {
        for (const QString &key : Exiv2Reader::keys()) {
            QVERIFY2(FieldRegistry::find(key).has_value(), qPrintable(key));
        }
    }

    void keysAreUnique()
    {
        QSet<QString> seen;
        for (const FieldInfo &info : FieldRegistry::knownFields()) {
            QVERIFY2(!seen.contains(info.key), qPrintable(info.key));
            seen.insert(info.key);
            QVERIFY(!info.displayName.isEmpty());
        }
        QVERIFY(seen.size() > 60);
    }

    void known_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("category");
        QTest::addColumn<QString>("type");
        QTest::newRow("date taken") << "EXIF:DateTimeOriginal" << "camera" << "datetime";
        QTest::newRow("make") << "EXIF:Make" << "camera" << "text";
        QTest::newRow("iso") << "EXIF:ISO" << "technical" << "number";
        QTest::newRow("latitude") << "EXIF:GPSLatitude" << "location" << "coordinate";
        QTest::newRow("duration") << "QuickTime:Duration" << "video" << "duration";
        QTest::newRow("file size") << "File:FileSize" << "file" << "text";
        QTest::newRow("width") << "File:ImageWidth" << "image" << "number";
        QTest::newRow("sample rate") << "QuickTime:AudioSampleRate" << "audio" << "number";
    }

    void known()
    {
        QFETCH(QString, key);
        QFETCH(QString, category);
        QFETCH(QString, type);
        const FieldInfo info = FieldRegistry::describe(key);
        QCOMPARE(FieldRegistry::categoryName(info.category), category);
        QCOMPARE(FieldRegistry::typeName(info.type), type);
    }

    void inferred_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("category");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("displayName");
        QTest::newRow("file date") << "File:FileAccessDate" << "file" << "datetime" << "File Access Date";
        QTest::newRow("track date") << "QuickTime:TrackModifyDate" << "video" << "datetime" << "Track Modify Date";
        QTest::newRow("embedded gps") << "QuickTime:Doc1:GPSLatitude" << "location" << "coordinate" << "GPS Latitude";
        QTest::newRow("audio format") << "QuickTime:AudioFormat" << "audio" << "text" << "Audio Format";
        QTest::newRow("maker note") << "MakerNotes:ShutterCount" << "camera" << "text" << "Shutter Count";
        QTest::newRow("id3") << "ID3:Composer" << "audio" << "text" << "Composer";
        QTest::newRow("other") << "EXIF:ExposureMode" << "technical" << "text" << "Exposure Mode";
    }

    void inferred()
    {
        QFETCH(QString, key);
        QFETCH(QString, category);
        QFETCH(QString, type);
        QFETCH(QString, displayName);
        const FieldInfo info = FieldRegistry::describe(key);
        QCOMPARE(info.key, key);
        QCOMPARE(FieldRegistry::categoryName(info.category), category);
        QCOMPARE(FieldRegistry::typeName(info.type), type);
        QCOMPARE(info.displayName, displayName);
    }
};

QTEST_GUILESS_MAIN(TestFieldRegistry)
#include "tst_fieldregistry.moc"
