#include "testutil_db.h"

#include "core/db/databasemanager.h"
#include "core/db/filestore.h"
#include "core/db/hashcache.h"
#include "core/db/metadatacache.h"

#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::testDbOptions;

namespace {
const FileStamp kStamp{100, 1'700'000'000'000'000'001};
}

class TstFileStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void idIsStableAcrossRenameAndCachesFollow();
    void ensureIdsKeepsOrderAndReusesIds();
    void renameOntoStaleRowDropsIt();
    void renameOfUnknownPathOnlyDropsStaleTarget();
    void removeDropsCachedData();
    void pathsAreComparedByteForByte();
    void lookupReturnsOnlyKnownFiles();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DatabaseManager> m_db;
};

void TstFileStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<DatabaseManager>(m_dir->filePath(QStringLiteral("oncutf.db")), testDbOptions());
    QVERIFY(m_db->open());
}

void TstFileStore::cleanup()
{
    QVERIFY(m_db->close());
    m_db.reset();
    m_dir.reset();
}

void TstFileStore::idIsStableAcrossRenameAndCachesFollow()
{
    FileStore files(*m_db);
    MetadataCache metadata(*m_db);
    HashCache hashes(*m_db);
    const QByteArray a("/photos/IMG_0001.JPG");
    const QByteArray b("/photos/2024-05-01_001.jpg");

    auto id = files.ensureId(a);
    QVERIFY(id.ok());
    QVERIFY(metadata.put({a, MetadataMode::Fast, R"({"EXIF:Model":"X100"})", kStamp}));
    QVERIFY(hashes.put({a, QStringLiteral("CRC32"), QStringLiteral("0badf00d"), kStamp}));

    QVERIFY(files.renamePath(a, b));
    QCOMPARE(files.idForPath(b)->value_or(-1), *id);
    QVERIFY(!files.idForPath(a)->has_value());
    QCOMPARE(files.count().value(), 1);

    auto entry = metadata.get(b, kStamp);
    QVERIFY(entry.ok() && entry->has_value());
    QCOMPARE((*entry)->json, QByteArray(R"({"EXIF:Model":"X100"})"));
    QCOMPARE(hashes.get(b, QStringLiteral("CRC32"), kStamp)->value_or(QString()), QStringLiteral("0badf00d"));
    QVERIFY(!metadata.get(a, kStamp)->has_value());

    auto record = files.fileById(*id);
    QVERIFY(record.ok() && record->has_value());
    QCOMPARE((*record)->path, b);
}

void TstFileStore::ensureIdsKeepsOrderAndReusesIds()
{
    FileStore files(*m_db);
    auto first = files.ensureId("/a");
    QVERIFY(first.ok());
    auto ids = files.ensureIds({"/b", "/a", "/c", "/b"});
    QVERIFY(ids.ok());
    QCOMPARE(ids->size(), 4);
    QCOMPARE(ids->at(1), *first);
    QCOMPARE(ids->at(0), ids->at(3));
    QVERIFY(ids->at(0) != ids->at(2));
    QVERIFY(ids->at(0) != *first);
    QCOMPARE(files.count().value(), 3);
}

void TstFileStore::renameOntoStaleRowDropsIt()
{
    FileStore files(*m_db);
    MetadataCache metadata(*m_db);
    // "/b" is known from an earlier scan, but that file is gone: the rename just put /a there.
    auto ids = files.ensureIds({"/a", "/b"});
    QVERIFY(ids.ok());
    QVERIFY(metadata.put({"/b", MetadataMode::Extended, R"({"stale":true})", kStamp}));
    QVERIFY(files.renamePath("/a", "/b"));
    QCOMPARE(files.idForPath("/b")->value_or(-1), ids->at(0));
    QVERIFY(!files.fileById(ids->at(1))->has_value());
    QCOMPARE(metadata.count().value(), 0);
}

void TstFileStore::renameOfUnknownPathOnlyDropsStaleTarget()
{
    FileStore files(*m_db);
    QVERIFY(files.ensureId("/target").ok());
    QVERIFY(files.renamePath("/never-seen", "/target"));
    QVERIFY(!files.idForPath("/target")->has_value());
    QVERIFY(!files.idForPath("/never-seen")->has_value());
    QVERIFY(files.renamePath("/x", "/x"));
}

void TstFileStore::removeDropsCachedData()
{
    FileStore files(*m_db);
    MetadataCache metadata(*m_db);
    HashCache hashes(*m_db);
    QVERIFY(metadata.put({"/gone.jpg", MetadataMode::Fast, "{}", kStamp}));
    QVERIFY(hashes.put({"/gone.jpg", QStringLiteral("CRC32"), QStringLiteral("00000000"), kStamp}));
    QVERIFY(metadata.put({"/kept.jpg", MetadataMode::Fast, "{}", kStamp}));
    QVERIFY(files.remove("/gone.jpg"));
    QCOMPARE(metadata.count().value(), 1);
    QCOMPARE(hashes.count().value(), 0);
    QVERIFY(metadata.get("/kept.jpg", kStamp)->has_value());
}

void TstFileStore::pathsAreComparedByteForByte()
{
    FileStore files(*m_db);
    const QByteArray latin1("/m\xfasica/caf\xe9.mp3");         // not UTF-8
    const QByteArray nfc("/caf\xc3\xa9.jpg");                    // é precomposed
    const QByteArray nfd("/cafe\xcc\x81.jpg");                   // e + combining acute
    const QByteArray withNul(QByteArray("/nul\0byte", 9));      // a BLOB may even hold NUL
    const QByteArray upper("/CAFE.JPG");
    const QByteArray lower("/cafe.jpg");
    auto ids = files.ensureIds({latin1, nfc, nfd, withNul, upper, lower});
    QVERIFY(ids.ok());
    QCOMPARE(QSet<qint64>(ids->begin(), ids->end()).size(), 6);
    auto found = files.lookup({latin1, nfd, withNul});
    QVERIFY(found.ok());
    QCOMPARE(found->size(), 3);
    QCOMPARE(found->value(latin1).path, latin1);
    QCOMPARE(found->value(withNul).path, withNul);
    QCOMPARE(found->value(nfd).id, ids->at(2));
    QCOMPARE(files.idForPath(QByteArray("/m\xfasica/caf\xe9.mp3"))->value_or(-1), ids->at(0));
}

void TstFileStore::lookupReturnsOnlyKnownFiles()
{
    FileStore files(*m_db);
    QVERIFY(files.ensureIds({"/1", "/2"}).ok());
    auto found = files.lookup({"/1", "/3", "/2", "/4"});
    QVERIFY(found.ok());
    QCOMPARE(found->size(), 2);
    QVERIFY(found->contains("/1"));
    QVERIFY(found->contains("/2"));
    QVERIFY(found->value("/1").createdAtMs > 0);
}

QTEST_GUILESS_MAIN(TstFileStore)
#include "tst_filestore.moc"
