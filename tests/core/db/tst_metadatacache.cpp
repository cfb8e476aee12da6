#include "testutil_db.h"

#include "core/db/databasemanager.h"
#include "core/db/metadatacache.h"

#include <QMap>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::testDbOptions;

namespace {
const QByteArray kPath("/shoot/DSC_0042.NEF");
const FileStamp kStamp{25'000'000, 1'714'550'400'123'456'789};
const QByteArray kFastJson(R"({"EXIF:Make":"NIKON"})");
const QByteArray kExtendedJson(R"({"EXIF:Make":"NIKON","MakerNotes:ShutterCount":12345})");
} // namespace

class TstMetadataCache : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void hitOnlyWhenSizeAndMtimeMatch_data();
    void hitOnlyWhenSizeAndMtimeMatch();
    void extendedIsNeverDowngradedForUnchangedFile();
    void fastReplacesExtendedWhenFileChanged();
    void fastIsUpgradedToExtended();
    void extendedRequestMissesFastEntry();
    void jsonKeepsUnicode();
    void putManyAndGetManyInOneCall();
    void putManyMixesKnownNewAndRepeatedPaths();
    void forEachHitReportsValidEntriesByPosition();
    void removeForgetsEntry();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DatabaseManager> m_db;
};

void TstMetadataCache::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<DatabaseManager>(m_dir->filePath(QStringLiteral("oncutf.db")), testDbOptions());
    QVERIFY(m_db->open());
}

void TstMetadataCache::cleanup()
{
    QVERIFY(m_db->close());
    m_db.reset();
    m_dir.reset();
}

void TstMetadataCache::hitOnlyWhenSizeAndMtimeMatch_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<qint64>("mtimeNs");
    QTest::addColumn<bool>("hit");
    QTest::newRow("unchanged") << kStamp.size << kStamp.mtimeNs << true;
    QTest::newRow("size changed") << kStamp.size + 1 << kStamp.mtimeNs << false;
    QTest::newRow("rewritten within the same second") << kStamp.size << kStamp.mtimeNs + 1 << false;
    QTest::newRow("touched a second later") << kStamp.size << kStamp.mtimeNs + 1'000'000'000 << false;
    QTest::newRow("mtime went back") << kStamp.size << kStamp.mtimeNs - 1 << false;
}

void TstMetadataCache::hitOnlyWhenSizeAndMtimeMatch()
{
    QFETCH(qint64, size);
    QFETCH(qint64, mtimeNs);
    QFETCH(bool, hit);
    MetadataCache cache(*m_db);
    QVERIFY(cache.put({kPath, MetadataMode::Fast, kFastJson, kStamp}));
    auto entry = cache.get(kPath, FileStamp{size, mtimeNs});
    QVERIFY(entry.ok());
    QCOMPARE(entry->has_value(), hit);
    auto many = cache.getMany({{kPath, FileStamp{size, mtimeNs}}});
    QVERIFY(many.ok());
    QCOMPARE(many->contains(kPath), hit);
}

void TstMetadataCache::extendedIsNeverDowngradedForUnchangedFile()
{
    MetadataCache cache(*m_db);
    QVERIFY(cache.put({kPath, MetadataMode::Extended, kExtendedJson, kStamp}));
    QVERIFY(cache.put({kPath, MetadataMode::Fast, kFastJson, kStamp}));
    QVERIFY(cache.putMany({{kPath, MetadataMode::Fast, kFastJson, kStamp}}));
    auto entry = cache.get(kPath, kStamp);
    QVERIFY(entry.ok() && entry->has_value());
    QCOMPARE((*entry)->mode, MetadataMode::Extended);
    QCOMPARE((*entry)->json, kExtendedJson);
    QVERIFY(cache.get(kPath, kStamp, MetadataMode::Extended)->has_value());
}

void TstMetadataCache::fastReplacesExtendedWhenFileChanged()
{
    MetadataCache cache(*m_db);
    QVERIFY(cache.put({kPath, MetadataMode::Extended, kExtendedJson, kStamp}));
    const FileStamp edited{kStamp.size, kStamp.mtimeNs + 5};
    QVERIFY(cache.put({kPath, MetadataMode::Fast, kFastJson, edited}));
    auto entry = cache.get(kPath, edited);
    QVERIFY(entry.ok() && entry->has_value());
    QCOMPARE((*entry)->mode, MetadataMode::Fast);
    QCOMPARE((*entry)->json, kFastJson);
    QCOMPARE((*entry)->stamp, edited);
    QVERIFY(!cache.get(kPath, kStamp)->has_value());
    QCOMPARE(cache.count().value(), 1);
}

void TstMetadataCache::fastIsUpgradedToExtended()
{
    MetadataCache cache(*m_db);
    QVERIFY(cache.put({kPath, MetadataMode::Fast, kFastJson, kStamp}));
    QVERIFY(cache.put({kPath, MetadataMode::Extended, kExtendedJson, kStamp}));
    auto entry = cache.get(kPath, kStamp, MetadataMode::Extended);
    QVERIFY(entry.ok() && entry->has_value());
    QCOMPARE((*entry)->json, kExtendedJson);
}

void TstMetadataCache::extendedRequestMissesFastEntry()
{
    MetadataCache cache(*m_db);
    QVERIFY(cache.put({kPath, MetadataMode::Fast, kFastJson, kStamp}));
    QVERIFY(!cache.get(kPath, kStamp, MetadataMode::Extended)->has_value());
    QVERIFY(cache.get(kPath, kStamp, MetadataMode::Fast)->has_value());
}

void TstMetadataCache::jsonKeepsUnicode()
{
    MetadataCache cache(*m_db);
    const QByteArray json = QStringLiteral(R"({"XMP:Title":"Ακρόπολη · 東京 · 🎞"})").toUtf8();
    QVERIFY(cache.put({"/a.jpg", MetadataMode::Extended, json, kStamp}));
    QCOMPARE(cache.get("/a.jpg", kStamp)->value().json, json);
}

void TstMetadataCache::putManyAndGetManyInOneCall()
{
    MetadataCache cache(*m_db);
    QList<MetadataRecord> records;
    QList<MetadataQuery> queries;
    for (int i = 0; i < 5000; ++i) {
        const QByteArray path = "/big/IMG_" + QByteArray::number(i) + ".JPG";
        const FileStamp stamp{i, qint64(i) * 1000};
        records.append({path, i % 2 ? MetadataMode::Extended : MetadataMode::Fast,
                        R"({"n":)" + QByteArray::number(i) + '}', stamp});
        // Every tenth file changed since it was cached: a miss.
        queries.append({path, i % 10 == 0 ? FileStamp{i, qint64(i) * 1000 + 1} : stamp});
    }
    QVERIFY(cache.putMany(records));
    QCOMPARE(cache.count().value(), 5000);
    auto hits = cache.getMany(queries);
    QVERIFY(hits.ok());
    QCOMPARE(hits->size(), 4500);
    QCOMPARE(hits->value("/big/IMG_4999.JPG").json, QByteArray(R"({"n":4999})"));
    QCOMPARE(hits->value("/big/IMG_4999.JPG").mode, MetadataMode::Extended);
    QVERIFY(!hits->contains("/big/IMG_10.JPG"));
    auto extendedOnly = cache.getMany(queries, MetadataMode::Extended);
    QVERIFY(extendedOnly.ok());
    QCOMPARE(extendedOnly->size(), 2500);
}

void TstMetadataCache::putManyMixesKnownNewAndRepeatedPaths()
{
    MetadataCache cache(*m_db);
    QVERIFY(cache.put({kPath, MetadataMode::Fast, kFastJson, kStamp}));
    const QByteArray other("/shoot/DSC_0043.NEF");
    const FileStamp newer{kStamp.size, kStamp.mtimeNs + 1};
    // A known path, a new one, and the new one again (the later record wins).
    QVERIFY(cache.putMany({{kPath, MetadataMode::Extended, kExtendedJson, kStamp},
                           {other, MetadataMode::Fast, kFastJson, kStamp},
                           {other, MetadataMode::Fast, R"({"EXIF:Make":"SONY"})", newer}}));
    QCOMPARE(cache.count().value(), 2);
    QCOMPARE(cache.get(kPath, kStamp)->value().json, kExtendedJson);
    QVERIFY(!cache.get(other, kStamp)->has_value());
    QCOMPARE(cache.get(other, newer)->value().json, QByteArray(R"({"EXIF:Make":"SONY"})"));
}

void TstMetadataCache::forEachHitReportsValidEntriesByPosition()
{
    MetadataCache cache(*m_db);
    const QByteArray other("/shoot/DSC_0043.NEF");
    QVERIFY(cache.putMany({{kPath, MetadataMode::Extended, kExtendedJson, kStamp},
                           {other, MetadataMode::Fast, kFastJson, kStamp}}));
    const QList<MetadataQuery> queries{{"/not/cached", kStamp},
                                       {other, kStamp},
                                       {kPath, FileStamp{kStamp.size + 1, kStamp.mtimeNs}},
                                       {kPath, kStamp}};
    QMap<qsizetype, QByteArray> seen;
    QVERIFY(cache.forEachHit(queries, MetadataMode::Fast, [&](qsizetype i, MetadataMode mode, QByteArrayView json) {
        seen.insert(i, metadataModeName(mode).toUtf8() + ' ' + json.toByteArray());
    }));
    QCOMPARE(seen.keys(), (QList<qsizetype>{1, 3}));
    QCOMPARE(seen.value(1), "fast " + kFastJson);
    QCOMPARE(seen.value(3), "extended " + kExtendedJson);
    seen.clear();
    QVERIFY(cache.forEachHit(queries, MetadataMode::Extended, [&](qsizetype i, MetadataMode, QByteArrayView) {
        seen.insert(i, {});
    }));
    QCOMPARE(seen.keys(), (QList<qsizetype>{3}));
}

void TstMetadataCache::removeForgetsEntry()
{
    MetadataCache cache(*m_db);
    QVERIFY(cache.put({kPath, MetadataMode::Fast, kFastJson, kStamp}));
    QVERIFY(cache.remove(kPath));
    QVERIFY(!cache.get(kPath, kStamp)->has_value());
    QVERIFY(cache.remove("/not/cached"));
}

QTEST_GUILESS_MAIN(TstMetadataCache)
#include "tst_metadatacache.moc"
