// Companion files: which sidecars belong to which main file (same stem, per §6.3 of the original),
// and the merge that only fills keys the main file lacks.

#include "core/metadata/sidecarmerger.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using oncutf::core::metadata::SidecarMerger;

class TestSidecarMerger final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void findsSidecarsByStem()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QByteArray base = QFile::encodeName(dir.path());
        for (const char *name : {"IMG_1.CR2", "IMG_1.xmp", "IMG_1.JPG", "IMG_2.jpg", "IMG_2.XMP", "IMG_3.jpg",
                                 "IMG_3.jpg.xmp", "C0001.MP4", "C0001M01.XML", "C0002.mp4", "C0002m02.xml",
                                 "C0002M01.XML.bak", "notes.txt", "notes.xmp", "IMG_10.jpg", "caf\xe9.jpg",
                                 "caf\xe9.xmp"}) {
            QFile file(QString::fromUtf8(base + '/' + name));
            if (QByteArray(name).contains('\xe9')) {
                FILE *raw = std::fopen(QByteArray(base + '/' + name).constData(), "w");
                QVERIFY(raw != nullptr);
                std::fclose(raw);
                continue;
            }
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        const QList<QByteArray> mains{base + "/IMG_1.CR2", base + "/IMG_1.JPG", base + "/IMG_2.jpg",
                                      base + "/IMG_3.jpg", base + "/C0001.MP4", base + "/C0002.mp4",
                                      base + "/notes.txt", base + "/IMG_10.jpg", base + "/caf\xe9.jpg"};
        const auto found = SidecarMerger::findSidecars(mains);
        QCOMPARE(found.value(base + "/IMG_1.CR2"), QList<QByteArray>{base + "/IMG_1.xmp"});
        QCOMPARE(found.value(base + "/IMG_1.JPG"), QList<QByteArray>{base + "/IMG_1.xmp"});
        QCOMPARE(found.value(base + "/IMG_2.jpg"), QList<QByteArray>{base + "/IMG_2.XMP"});
        QVERIFY(!found.contains(base + "/IMG_3.jpg"));   // "IMG_3.jpg.xmp" is not its stem's
        QCOMPARE(found.value(base + "/C0001.MP4"), QList<QByteArray>{base + "/C0001M01.XML"});
        QCOMPARE(found.value(base + "/C0002.mp4"), QList<QByteArray>{base + "/C0002m02.xml"});
        QVERIFY(!found.contains(base + "/notes.txt"));   // text files have no sidecars
        QVERIFY(!found.contains(base + "/IMG_10.jpg"));  // IMG_1.xmp is not IMG_10's
        QCOMPARE(found.value(base + "/caf\xe9.jpg"), QList<QByteArray>{base + "/caf\xe9.xmp"});
        ::unlink(QByteArray(base + "/caf\xe9.jpg").constData());
        ::unlink(QByteArray(base + "/caf\xe9.xmp").constData());
    }

    void mergeFillsOnlyMissingKeys()
    {
        QJsonObject main{{QStringLiteral("EXIF:Make"), QStringLiteral("Canon")},
                         {QStringLiteral("XMP:Creator"), QStringLiteral("In the file")},
                         {QStringLiteral("File:FileSize"), QStringLiteral("12 kB")}};
        const QJsonObject sidecar{{QStringLiteral("XMP:Creator"), QStringLiteral("In the sidecar")},
                                  {QStringLiteral("XMP:Title"), QStringLiteral("From the sidecar")},
                                  {QStringLiteral("XMP:Subject"), QJsonArray{QStringLiteral("a"), QStringLiteral("b")}},
                                  {QStringLiteral("File:FileSize"), QStringLiteral("1 kB")},
                                  {QStringLiteral("File:MIMEType"), QStringLiteral("application/rdf+xml")},
                                  {QStringLiteral("ExifTool:ExifToolVersion"), 12.57},
                                  {QStringLiteral("SourceFile"), QStringLiteral("x.xmp")}};
        QCOMPARE(SidecarMerger::merge(main, sidecar), 2);
        QCOMPARE(main.value(QStringLiteral("XMP:Creator")).toString(), QStringLiteral("In the file"));
        QCOMPARE(main.value(QStringLiteral("XMP:Title")).toString(), QStringLiteral("From the sidecar"));
        QCOMPARE(main.value(QStringLiteral("XMP:Subject")).toArray().size(), 2);
        QCOMPARE(main.value(QStringLiteral("File:FileSize")).toString(), QStringLiteral("12 kB"));
        QVERIFY(!main.contains(QStringLiteral("File:MIMEType")));
        QVERIFY(!main.contains(QStringLiteral("ExifTool:ExifToolVersion")));
        QVERIFY(!main.contains(QStringLiteral("SourceFile")));
    }
};

QTEST_GUILESS_MAIN(TestSidecarMerger)
#include "tst_sidecarmerger.moc"
