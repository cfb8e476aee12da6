#include "testutil_db.h"

#include "core/db/databasemanager.h"
#include "core/db/filestamp.h"
#include "core/db/hashcache.h"
#include "core/db/metadatacache.h"
#include "core/db/migrations.h"
#include "core/db/renamejournal.h"
#include "core/db/sessionstatestore.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::fileDigest;
using oncutf::tests::rawConnection;
using oncutf::tests::testDbOptions;

namespace {

// "/pics/ca\xff.jpg": a name that is not UTF-8, written by the SQL below as a BLOB literal.
const QByteArray kOddPath = QByteArray("/pics/ca\xff.jpg");
const FileStamp kStamp{1234, 1'700'000'000'123'456'789};

// Data an older oncutf could have written at schema version `version`, in raw SQL so the test
// does not depend on today's stores.
Status fillVersion(Connection &c, int version)
{
    if (version >= 1) {
        if (Status s = c.exec("INSERT INTO files (id, path, created_at, updated_at) VALUES "
                              "(7, X'2f706963732f6361ff2e6a7067', 1, 1), (8, X'2f706963732f622e6a7067', 1, 1);"
                              "INSERT INTO metadata_cache VALUES (7, 'extended', '{\"EXIF:Make\":\"Canon\"}', 1234, "
                              "1700000000123456789, 1);"
                              "INSERT INTO hash_cache VALUES (7, 'CRC32', 'deadbeef', 1234, 1700000000123456789, 1);");
            !s)
            return s;
    }
    if (version >= 2) {
        if (Status s = c.exec("INSERT INTO rename_batches (id, kind, state, recipe_json, root_folder, created_at, "
                              "finished_at) VALUES (3, 'apply', 'applied', '{\"modules\":[]}', X'2f70696373', 5, 6);"
                              "INSERT INTO rename_ops (batch_id, seq, file_id, old_path, new_path, state, updated_at) "
                              "VALUES (3, 0, 8, X'2f706963732f612e6a7067', X'2f706963732f622e6a7067', 'done', 6),"
                              "(3, 1, NULL, X'2f706963732f632e6a7067', X'2f706963732f642e6a7067', 'skipped', 6);");
            !s)
            return s;
    }
    return {};
}

} // namespace

class TstDbMigrations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void stepsAreNumberedAndDescribed();
    void freshDatabaseHasLatestSchema();
    void upgradesFromEveryOlderVersion_data();
    void upgradesFromEveryOlderVersion();
    void reopeningDoesNotMigrateAgain();
    void newerVersionIsRefusedAndLeftUntouched();
};

void TstDbMigrations::stepsAreNumberedAndDescribed()
{
    QVERIFY(Migrations::latestVersion() >= 3);
    for (int v = 1; v <= Migrations::latestVersion(); ++v)
        QVERIFY2(!Migrations::description(v).isEmpty(), qPrintable(QString::number(v)));
    QVERIFY(Migrations::description(0).isEmpty());
    QVERIFY(Migrations::description(Migrations::latestVersion() + 1).isEmpty());
}

void TstDbMigrations::freshDatabaseHasLatestSchema()
{
    QTemporaryDir dir;
    DatabaseManager db(dir.filePath(QStringLiteral("oncutf.db")), testDbOptions());
    QVERIFY2(db.open(), "open");
    QCOMPARE(db.schemaVersion(), Migrations::latestVersion());
    QCOMPARE(DatabaseManager::latestSchemaVersion(), Migrations::latestVersion());
    QVERIFY(db.close());
}

void TstDbMigrations::upgradesFromEveryOlderVersion_data()
{
    QTest::addColumn<int>("fromVersion");
    for (int v = 0; v < Migrations::latestVersion(); ++v)
        QTest::addRow("from v%d", v) << v;
}

void TstDbMigrations::upgradesFromEveryOlderVersion()
{
    QFETCH(int, fromVersion);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("oncutf.db"));

    if (fromVersion == 0) {
        // Version 0: an empty file, as a crashed first start or another tool could leave.
        QFile empty(path);
        QVERIFY(empty.open(QIODevice::WriteOnly));
    } else {
        auto options = testDbOptions();
        options.schemaVersionLimit = fromVersion;
        DatabaseManager old(path, options);
        QVERIFY2(old.open(), "open old");
        QCOMPARE(old.schemaVersion(), fromVersion);
        const Status filled = old.transaction([&](Connection &c) { return fillVersion(c, fromVersion); });
        QVERIFY2(filled, filled ? "" : qPrintable(filled.error().toString()));
        QVERIFY(old.close());
    }

    DatabaseManager db(path, testDbOptions());
    const Status opened = db.open();
    QVERIFY2(opened, opened ? "" : qPrintable(opened.error().toString()));
    QCOMPARE(db.schemaVersion(), Migrations::latestVersion());
    QVERIFY(!db.takeRecoveryNotice().has_value());

    MetadataCache metadata(db);
    HashCache hashes(db);
    RenameJournal journal(db);
    if (fromVersion >= 1) {
        auto entry = metadata.get(kOddPath, kStamp);
        QVERIFY(entry.ok());
        QVERIFY(entry->has_value());
        QCOMPARE((*entry)->mode, MetadataMode::Extended);
        QCOMPARE((*entry)->json, QByteArray(R"({"EXIF:Make":"Canon"})"));
        auto hash = hashes.get(kOddPath, QStringLiteral("crc32"), kStamp);
        QVERIFY(hash.ok());
        QCOMPARE(hash->value_or(QString()), QStringLiteral("deadbeef"));
    }
    if (fromVersion >= 2) {
        auto history = journal.history();
        QVERIFY(history.ok());
        QCOMPARE(history->size(), 1);
        const BatchRecord &batch = history->constFirst();
        QCOMPARE(batch.id, 3);
        QCOMPARE(batch.state, BatchState::Applied);
        QCOMPARE(batch.rootFolder.value_or(QByteArray()), QByteArray("/pics"));
        QCOMPARE(batch.counts.total, 2);
        QCOMPARE(batch.counts.done, 1);
        QCOMPARE(batch.counts.skipped, 1);
        auto ops = journal.ops(3);
        QVERIFY(ops.ok());
        QCOMPARE(ops->size(), 2);
        QCOMPARE(ops->at(0).fileId.value_or(0), 8);
        QCOMPARE(ops->at(1).newPath, QByteArray("/pics/d.jpg"));
    }

    // Every later step ran, not only the first one: the newest tables and indexes exist and work.
    SessionStateStore session(db);
    QVERIFY(session.setString(QStringLiteral("lastFolder"), QStringLiteral("/pics")));
    QCOMPARE(session.string(QStringLiteral("lastFolder"))->value_or(QString()), QStringLiteral("/pics"));
    QStringList indexes;
    QVERIFY(db.read([&](Connection &c) -> Status {
        auto st = c.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' "
                            "ORDER BY name");
        if (!st)
            return st.error();
        while (st->step().value())
            indexes << st->text(0);
        return {};
    }));
    QCOMPARE(indexes, (QStringList{QStringLiteral("hash_cache_value"), QStringLiteral("rename_batches_parent"),
                                   QStringLiteral("rename_batches_unfinished"), QStringLiteral("rename_ops_file")}));
    QVERIFY(journal.createBatch(NewBatch{BatchKind::Apply, {}, {}, {}, {PlannedOp{"/x/a", "/x/b", {}, {}}}}).ok());
    QVERIFY(db.close());

    auto raw = rawConnection(path);
    QVERIFY(raw);
    QCOMPARE(raw->queryInt("PRAGMA user_version").value(), Migrations::latestVersion());
}

void TstDbMigrations::reopeningDoesNotMigrateAgain()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("oncutf.db"));
    {
        DatabaseManager db(path, testDbOptions());
        QVERIFY(db.open());
        QVERIFY(SessionStateStore(db).setInt(QStringLiteral("n"), 42));
        QVERIFY(db.close());
    }
    DatabaseManager db(path, testDbOptions());
    QVERIFY(db.open());
    QCOMPARE(db.schemaVersion(), Migrations::latestVersion());
    QCOMPARE(SessionStateStore(db).integer(QStringLiteral("n"))->value_or(0), 42);
    QVERIFY(db.close());
}

void TstDbMigrations::newerVersionIsRefusedAndLeftUntouched()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("oncutf.db"));
    const int newer = Migrations::latestVersion() + 7;
    {
        DatabaseManager db(path, testDbOptions());
        QVERIFY(SessionStateStore(db).setString(QStringLiteral("k"), QStringLiteral("v")));
        QVERIFY(db.close());
        auto raw = rawConnection(path);
        QVERIFY(raw);
        QVERIFY(raw->exec(QByteArray("PRAGMA user_version = " + QByteArray::number(newer)).constData()));
    }
    const QByteArray before = fileDigest(path);
    const QStringList filesBefore = QDir(dir.path()).entryList(QDir::Files);

    DatabaseManager db(path, testDbOptions());
    const Status opened = db.open();
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, ErrorCode::TooNew);
    QVERIFY2(opened.error().message.contains(QString::number(newer)), qPrintable(opened.error().message));
    QVERIFY2(opened.error().message.contains(QString::number(Migrations::latestVersion())),
             qPrintable(opened.error().message));
    QVERIFY(!db.isOpen());

    // Stores report the same refusal instead of writing anything.
    const Status write = SessionStateStore(db).setString(QStringLiteral("k"), QStringLiteral("w"));
    QVERIFY(!write);
    QCOMPARE(write.error().code, ErrorCode::TooNew);
    QVERIFY(db.close());

    QCOMPARE(fileDigest(path), before);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), filesBefore);
    auto raw = rawConnection(path, Connection::Mode::ReadOnly);
    QVERIFY(raw);
    QCOMPARE(raw->queryInt("PRAGMA user_version").value(), newer);
}

QTEST_GUILESS_MAIN(TstDbMigrations)
#include "tst_dbmigrations.moc"
