#include "testutil_db.h"

#include "core/db/backupmanager.h"
#include "core/db/databasemanager.h"
#include "core/db/metadatacache.h"
#include "core/db/sessionstatestore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::rawConnection;
using oncutf::tests::testDbOptions;

static_assert(BackupManager::kDefaultBackupInterval == std::chrono::minutes(15));
static_assert(BackupManager::kDefaultKeep == 2);

class TstBackupManager : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void backupHoldsCommittedDataStillInTheWal();
    void rotationKeepsTheNewest();
    void keepCountIsConfigurable();
    void unwritableBackupFolderIsReported();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DatabaseManager> m_db;
};

void TstBackupManager::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<DatabaseManager>(m_dir->filePath(QStringLiteral("oncutf.db")), testDbOptions());
    QVERIFY(m_db->open());
}

void TstBackupManager::cleanup()
{
    QVERIFY(m_db->close());
    m_db.reset();
    m_dir.reset();
}

void TstBackupManager::backupHoldsCommittedDataStillInTheWal()
{
    QList<MetadataRecord> records;
    for (int i = 0; i < 500; ++i)
        records.append({"/b/" + QByteArray::number(i), MetadataMode::Fast, R"({"i":1})", {i, i}});
    QVERIFY(MetadataCache(*m_db).putMany(records));
    QVERIFY(SessionStateStore(*m_db).setString(QStringLiteral("last"), QStringLiteral("in the wal")));
    // A copy of the main file alone would miss these pages.
    QVERIFY(QFileInfo(m_dir->filePath(QStringLiteral("oncutf.db-wal"))).size() > 0);

    BackupManager backups(*m_db);
    QCOMPARE(backups.backupDirectory(), m_dir->filePath(QStringLiteral("backups")));
    auto path = backups.backupNow();
    QVERIFY2(path.ok(), path.ok() ? "" : qPrintable(path.error().toString()));
    QVERIFY2(QRegularExpression(QStringLiteral(R"(/backups/oncutf-\d{8}-\d{6}-\d{3}\.db$)")).match(*path).hasMatch(),
             qPrintable(*path));
    QVERIFY(QFileInfo(*path).isFile());
    QVERIFY(!QFileInfo::exists(*path + QStringLiteral("-wal")));
    QVERIFY(QDir(backups.backupDirectory()).entryList({QStringLiteral("*.partial")}, QDir::Files).isEmpty());

    auto copy = rawConnection(*path, Connection::Mode::ReadOnly);
    QVERIFY(copy);
    QCOMPARE(copy->queryText("PRAGMA quick_check").value(), QStringLiteral("ok"));
    QCOMPARE(copy->queryText("PRAGMA journal_mode").value(), QStringLiteral("delete"));
    QCOMPARE(copy->queryInt("SELECT count(*) FROM metadata_cache").value(), 500);
    QCOMPARE(copy->queryText("SELECT value FROM session_state WHERE key = 'last'").value(), QStringLiteral("in the wal"));
    QCOMPARE(copy->queryInt("PRAGMA user_version").value(), DatabaseManager::latestSchemaVersion());
    QCOMPARE(backups.backups(), QStringList{*path});
}

void TstBackupManager::rotationKeepsTheNewest()
{
    BackupManager backups(*m_db);
    QStringList made;
    for (int i = 0; i < 4; ++i) {
        QVERIFY(SessionStateStore(*m_db).setInt(QStringLiteral("n"), i));
        auto path = backups.backupNow();
        QVERIFY(path.ok());
        made << *path;
    }
    QCOMPARE(QSet<QString>(made.begin(), made.end()).size(), 4);
    QCOMPARE(backups.backups(), (QStringList{made[3], made[2]}));
    auto newest = rawConnection(made[3], Connection::Mode::ReadOnly);
    QCOMPARE(newest->queryText("SELECT value FROM session_state WHERE key = 'n'").value(), QStringLiteral("3"));
    // Rotation touches only our backups.
    QFile other(backups.backupDirectory() + QStringLiteral("/notes.txt"));
    QVERIFY(other.open(QIODevice::WriteOnly));
    other.close();
    QVERIFY(backups.backupNow().ok());
    QVERIFY(QFileInfo::exists(other.fileName()));
    QCOMPARE(backups.backups().size(), 2);
}

void TstBackupManager::keepCountIsConfigurable()
{
    BackupManager backups(*m_db, 3);
    QCOMPARE(backups.keepCount(), 3);
    for (int i = 0; i < 5; ++i)
        QVERIFY(backups.backupNow().ok());
    QCOMPARE(backups.backups().size(), 3);
    backups.setKeepCount(1);
    QVERIFY(backups.backupNow().ok());
    QCOMPARE(backups.backups().size(), 1);
    backups.setKeepCount(0); // at least the newest is always kept
    QCOMPARE(backups.keepCount(), 1);
}

void TstBackupManager::unwritableBackupFolderIsReported()
{
    QFile blocker(m_dir->filePath(QStringLiteral("backups")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    BackupManager backups(*m_db);
    auto path = backups.backupNow();
    QVERIFY(!path.ok());
    QCOMPARE(path.error().code, ErrorCode::PermissionDenied);
    QVERIFY(path.error().message.contains(QStringLiteral("backup folder")));
}

QTEST_GUILESS_MAIN(TstBackupManager)
#include "tst_backupmanager.moc"
