#include "testutil_db.h"

#include "core/db/databasemanager.h"
#include "core/db/hashcache.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::testDbOptions;

namespace {
const QByteArray kPath("/music/track01.flac");
const FileStamp kStamp{31'337, 1'600'000'000'000'000'000};
} // namespace

class TstHashCache : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void algorithmCaseNeverMakesTwoRows();
    void changedFileIsAMiss_data();
    void changedFileIsAMiss();
    void rehashReplacesValue();
    void badAlgorithmNamesAreRejected_data();
    void badAlgorithmNamesAreRejected();
    void algorithmsAreKeptApart();
    void putManyAndGetMany();
    void pathsWithValueFindsCandidates();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DatabaseManager> m_db;
};

void TstHashCache::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<DatabaseManager>(m_dir->filePath(QStringLiteral("oncutf.db")), testDbOptions());
    QVERIFY(m_db->open());
}

void TstHashCache::cleanup()
{
    QVERIFY(m_db->close());
    m_db.reset();
    m_dir.reset();
}

void TstHashCache::algorithmCaseNeverMakesTwoRows()
{
    HashCache cache(*m_db);
    QVERIFY(cache.put({kPath, QStringLiteral("crc32"), QStringLiteral("11111111"), kStamp}));
    QVERIFY(cache.put({kPath, QStringLiteral("CRC32"), QStringLiteral("22222222"), kStamp}));
    QVERIFY(cache.put({kPath, QStringLiteral("Crc32"), QStringLiteral("33333333"), kStamp}));
    QCOMPARE(cache.count().value(), 1);
    QCOMPARE(cache.get(kPath, QStringLiteral("crc32"), kStamp)->value_or(QString()), QStringLiteral("33333333"));
    QString stored;
    QVERIFY(m_db->read([&](Connection &c) -> Status {
        auto name = c.queryText("SELECT algorithm FROM hash_cache");
        if (!name)
            return name.error();
        stored = *name;
        return {};
    }));
    QCOMPARE(stored, QStringLiteral("CRC32"));
    QCOMPARE(HashCache::normalizedAlgorithm(QStringLiteral("sha-256")), QStringLiteral("SHA-256"));
}

void TstHashCache::changedFileIsAMiss_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<qint64>("mtimeNs");
    QTest::addColumn<bool>("hit");
    QTest::newRow("unchanged") << kStamp.size << kStamp.mtimeNs << true;
    QTest::newRow("grew") << kStamp.size + 4096 << kStamp.mtimeNs << false;
    QTest::newRow("edited in place, same size") << kStamp.size << kStamp.mtimeNs + 1 << false;
}

void TstHashCache::changedFileIsAMiss()
{
    QFETCH(qint64, size);
    QFETCH(qint64, mtimeNs);
    QFETCH(bool, hit);
    HashCache cache(*m_db);
    QVERIFY(cache.put({kPath, QStringLiteral("CRC32"), QStringLiteral("cafebabe"), kStamp}));
    auto value = cache.get(kPath, QStringLiteral("CRC32"), FileStamp{size, mtimeNs});
    QVERIFY(value.ok());
    QCOMPARE(value->has_value(), hit);
}

void TstHashCache::rehashReplacesValue()
{
    HashCache cache(*m_db);
    QVERIFY(cache.put({kPath, QStringLiteral("CRC32"), QStringLiteral("cafebabe"), kStamp}));
    const FileStamp edited{kStamp.size + 1, kStamp.mtimeNs + 10};
    QVERIFY(cache.put({kPath, QStringLiteral("CRC32"), QStringLiteral("8badf00d"), edited}));
    QCOMPARE(cache.get(kPath, QStringLiteral("CRC32"), edited)->value_or(QString()), QStringLiteral("8badf00d"));
    QVERIFY(!cache.get(kPath, QStringLiteral("CRC32"), kStamp)->has_value());
    QCOMPARE(cache.count().value(), 1);
}

void TstHashCache::badAlgorithmNamesAreRejected_data()
{
    QTest::addColumn<QString>("algorithm");
    QTest::newRow("empty") << QString();
    QTest::newRow("space") << QStringLiteral("crc 32");
    QTest::newRow("quote") << QStringLiteral("crc32'");
    QTest::newRow("non-ascii") << QStringLiteral("κρκ32");
}

void TstHashCache::badAlgorithmNamesAreRejected()
{
    QFETCH(QString, algorithm);
    HashCache cache(*m_db);
    const Status put = cache.put({kPath, algorithm, QStringLiteral("00000000"), kStamp});
    QVERIFY(!put);
    QCOMPARE(put.error().code, ErrorCode::InvalidArgument);
    auto got = cache.get(kPath, algorithm, kStamp);
    QVERIFY(!got.ok());
    QCOMPARE(cache.count().value(), 0);
}

void TstHashCache::algorithmsAreKeptApart()
{
    HashCache cache(*m_db);
    QVERIFY(cache.put({kPath, QStringLiteral("CRC32"), QStringLiteral("cafebabe"), kStamp}));
    QVERIFY(cache.put({kPath, QStringLiteral("SHA256"), QStringLiteral("e3b0c442"), kStamp}));
    QCOMPARE(cache.count().value(), 2);
    QCOMPARE(cache.get(kPath, QStringLiteral("sha256"), kStamp)->value_or(QString()), QStringLiteral("e3b0c442"));
    QVERIFY(cache.remove(kPath, QStringLiteral("sha256")));
    QCOMPARE(cache.count().value(), 1);
    QVERIFY(cache.get(kPath, QStringLiteral("CRC32"), kStamp)->has_value());
    QVERIFY(cache.remove(kPath));
    QCOMPARE(cache.count().value(), 0);
}

void TstHashCache::putManyAndGetMany()
{
    HashCache cache(*m_db);
    QList<HashRecord> records;
    QList<HashQuery> queries;
    for (int i = 0; i < 5000; ++i) {
        const QByteArray path = "/many/f" + QByteArray::number(i);
        records.append({path, QStringLiteral("crc32"), QString::number(i, 16).rightJustified(8, u'0'), {i, i}});
        queries.append({path, i < 100 ? FileStamp{i + 1, i} : FileStamp{i, i}});
    }
    QVERIFY(cache.putMany(records));
    auto hits = cache.getMany(queries, QStringLiteral("CRC32"));
    QVERIFY(hits.ok());
    QCOMPARE(hits->size(), 4900);
    QCOMPARE(hits->value("/many/f4095").value, QStringLiteral("00000fff"));
    QCOMPARE(hits->value("/many/f4095").stamp, (FileStamp{4095, 4095}));
}

void TstHashCache::pathsWithValueFindsCandidates()
{
    HashCache cache(*m_db);
    QVERIFY(cache.putMany({{"/a", QStringLiteral("CRC32"), QStringLiteral("12345678"), kStamp},
                           {"/b", QStringLiteral("CRC32"), QStringLiteral("87654321"), kStamp},
                           {"/c", QStringLiteral("CRC32"), QStringLiteral("12345678"), kStamp}}));
    auto paths = cache.pathsWithValue(QStringLiteral("crc32"), QStringLiteral("12345678"));
    QVERIFY(paths.ok());
    QCOMPARE(*paths, (QList<QByteArray>{"/a", "/c"}));
}

QTEST_GUILESS_MAIN(TstHashCache)
#include "tst_hashcache.moc"
