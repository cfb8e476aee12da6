#include "testutil_db.h"

#include "core/db/databasemaintenance.h"
#include "core/db/databasemanager.h"
#include "core/db/filestore.h"
#include "core/db/hashcache.h"
#include "core/db/metadatacache.h"
#include "core/db/renamejournal.h"
#include "core/db/sessionstatestore.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::rawConnection;
using oncutf::tests::testDbOptions;

namespace {
qint64 countOf(const DatabaseInfo &info, const QString &name)
{
    for (const auto &[table, rows] : info.counts) {
        if (table == name)
            return rows;
    }
    return -1;
}
} // namespace

class TstDatabaseMaintenance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void infoReportsCountsVersionAndSize();
    void checkPassesOnSoundDatabase();
    void checkReportsBrokenReferences();
    void vacuumReclaimsFreePages();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DatabaseManager> m_db;
};

void TstDatabaseMaintenance::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<DatabaseManager>(m_dir->filePath(QStringLiteral("oncutf.db")), testDbOptions());
    QVERIFY(m_db->open());
}

void TstDatabaseMaintenance::cleanup()
{
    QVERIFY(m_db->close());
    m_db.reset();
    m_dir.reset();
}

void TstDatabaseMaintenance::infoReportsCountsVersionAndSize()
{
    QVERIFY(FileStore(*m_db).ensureIds({"/1", "/2", "/3"}).ok());
    QVERIFY(MetadataCache(*m_db).putMany({{"/1", MetadataMode::Fast, "{}", {1, 1}}, {"/2", MetadataMode::Fast, "{}", {1, 1}}}));
    QVERIFY(HashCache(*m_db).put({"/1", QStringLiteral("CRC32"), QStringLiteral("00000001"), {1, 1}}));
    QVERIFY(RenameJournal(*m_db).createBatch({BatchKind::Apply, {}, {}, {}, {{"/2", "/4", {}, {}}, {"/5", "/6", {}, {}}}}).ok());
    QVERIFY(SessionStateStore(*m_db).setBool(QStringLiteral("x"), true));

    auto info = DatabaseMaintenance(*m_db).info();
    QVERIFY(info.ok());
    QCOMPARE(info->path, m_dir->filePath(QStringLiteral("oncutf.db")));
    QCOMPARE(info->schemaVersion, DatabaseManager::latestSchemaVersion());
    QCOMPARE(info->latestSchemaVersion, DatabaseManager::latestSchemaVersion());
    QCOMPARE(info->journalMode, QStringLiteral("wal"));
    QVERIFY(!info->readOnly);
    // /5 is in the journal but was never cached: the journal gives it no files row.
    QCOMPARE(countOf(*info, QStringLiteral("files")), 3);
    QCOMPARE(countOf(*info, QStringLiteral("metadata")), 2);
    QCOMPARE(countOf(*info, QStringLiteral("hashes")), 1);
    QCOMPARE(countOf(*info, QStringLiteral("batches")), 1);
    QCOMPARE(countOf(*info, QStringLiteral("operations")), 2);
    QCOMPARE(countOf(*info, QStringLiteral("session_state")), 1);
    QCOMPARE(info->counts.size(), 6);
    QVERIFY(info->pageSize >= 512);
    QVERIFY(info->pageCount > 0);
    QCOMPARE(info->fileBytes, QFileInfo(info->path).size());
    QVERIFY(info->walBytes > 0);
    QCOMPARE(info->sizeBytes, info->fileBytes + info->walBytes);
}

void TstDatabaseMaintenance::checkPassesOnSoundDatabase()
{
    QVERIFY(MetadataCache(*m_db).put({"/a", MetadataMode::Fast, "{}", {1, 1}}));
    auto problems = DatabaseMaintenance(*m_db).check();
    QVERIFY(problems.ok());
    QVERIFY2(problems->isEmpty(), qPrintable(problems->join(u'\n')));
}

void TstDatabaseMaintenance::checkReportsBrokenReferences()
{
    // Another tool, with foreign keys off, left a cache row whose file does not exist.
    auto other = rawConnection(m_dir->filePath(QStringLiteral("oncutf.db")));
    QVERIFY(other);
    QVERIFY(other->exec("INSERT INTO metadata_cache VALUES (999, 'fast', '{}', 1, 1, 1)"));
    other->close();
    auto problems = DatabaseMaintenance(*m_db).check();
    QVERIFY(problems.ok());
    QCOMPARE(problems->size(), 1);
    QVERIFY2(problems->first().contains(QStringLiteral("metadata_cache")), qPrintable(problems->first()));
}

void TstDatabaseMaintenance::vacuumReclaimsFreePages()
{
    QList<MetadataRecord> records;
    for (int i = 0; i < 2000; ++i)
        records.append({"/v/" + QByteArray::number(i), MetadataMode::Extended, QByteArray(2000, 'v'), {i, i}});
    QVERIFY(MetadataCache(*m_db).putMany(records));
    QVERIFY(m_db->transaction([](Connection &c) { return c.exec("DELETE FROM files"); }));
    DatabaseMaintenance maintenance(*m_db);
    auto before = maintenance.info();
    QVERIFY(before.ok());
    QVERIFY(before->freePages > 500);
    QVERIFY(maintenance.vacuum());
    auto after = maintenance.info();
    QVERIFY(after.ok());
    QCOMPARE(after->freePages, 0);
    QVERIFY(after->pageCount < before->pageCount);
    QCOMPARE(after->walBytes, 0);
    QVERIFY(after->sizeBytes < before->sizeBytes);
}

QTEST_GUILESS_MAIN(TstDatabaseMaintenance)
#include "tst_databasemaintenance.moc"
