#include "testutil_db.h"

#include "core/db/databasemanager.h"
#include "core/db/hashcache.h"
#include "core/db/metadatacache.h"
#include "core/db/renamejournal.h"
#include "core/db/sessionstatestore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::fileDigest;
using oncutf::tests::rawConnection;
using oncutf::tests::testDbOptions;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCli(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(ONCUTF_CLI_PATH), args);
    Run run;
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit)
        return run;
    run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

} // namespace

class TstDbCommand : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void infoJsonReportsVersionAndCounts();
    void infoTextAndEnvironmentPath();
    void backupPrintsItsPath();
    void checkSaysOkOrListsProblems();
    void vacuumCompacts();
    void faultsAreClearErrors();
    void usageErrors();

private:
    QString dbPath() const { return m_dir->filePath(QStringLiteral("oncutf.db")); }
    void populate();
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TstDbCommand::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TstDbCommand::cleanup()
{
    m_dir.reset();
}

void TstDbCommand::populate()
{
    DatabaseManager db(dbPath(), testDbOptions());
    QVERIFY(MetadataCache(db).putMany({{"/p/a.jpg", MetadataMode::Fast, "{}", {1, 1}},
                                       {"/p/b.jpg", MetadataMode::Extended, "{}", {1, 1}},
                                       {"/p/c.jpg", MetadataMode::Fast, "{}", {1, 1}}}));
    QVERIFY(HashCache(db).put({"/p/a.jpg", QStringLiteral("CRC32"), QStringLiteral("01234567"), {1, 1}}));
    auto batch = RenameJournal(db).createBatch({BatchKind::Apply, {}, {}, {}, {{"/p/a.jpg", "/p/x.jpg", {}, {}},
                                                                               {"/p/b.jpg", "/p/y.jpg", {}, {}}}});
    QVERIFY(batch.ok());
    QVERIFY(SessionStateStore(db).setString(QStringLiteral("lastFolder"), QStringLiteral("/p")));
    QVERIFY(SessionStateStore(db).setBool(QStringLiteral("recursive"), true));
    QVERIFY(db.close());
}

void TstDbCommand::infoJsonReportsVersionAndCounts()
{
    populate();
    const Run run = runCli({QStringLiteral("--db"), dbPath(), QStringLiteral("db"), QStringLiteral("info"),
                            QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QJsonParseError parseError{};
    const QJsonObject info = QJsonDocument::fromJson(run.out, &parseError).object();
    QVERIFY2(parseError.error == QJsonParseError::NoError, run.out.constData());
    QCOMPARE(info.value(QStringLiteral("path")).toString(), dbPath());
    QCOMPARE(info.value(QStringLiteral("schema_version")).toInt(), DatabaseManager::latestSchemaVersion());
    QCOMPARE(info.value(QStringLiteral("journal_mode")).toString(), QStringLiteral("wal"));
    QVERIFY(info.value(QStringLiteral("size_bytes")).toInteger() >= QFileInfo(dbPath()).size());
    QVERIFY(info.value(QStringLiteral("size_bytes")).toInteger() > 0);
    const QJsonObject counts = info.value(QStringLiteral("counts")).toObject();
    QCOMPARE(counts.value(QStringLiteral("files")).toInt(), 3);
    QCOMPARE(counts.value(QStringLiteral("metadata")).toInt(), 3);
    QCOMPARE(counts.value(QStringLiteral("hashes")).toInt(), 1);
    QCOMPARE(counts.value(QStringLiteral("batches")).toInt(), 1);
    QCOMPARE(counts.value(QStringLiteral("operations")).toInt(), 2);
    QCOMPARE(counts.value(QStringLiteral("session_state")).toInt(), 2);
    // The command does not leave the database changed or a WAL behind.
    QVERIFY(!QFileInfo::exists(dbPath() + QStringLiteral("-wal")) || QFileInfo(dbPath() + QStringLiteral("-wal")).size() == 0);
}

void TstDbCommand::infoTextAndEnvironmentPath()
{
    populate();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("ONCUTF_DB"), dbPath());
    const Run run = runCli({QStringLiteral("db"), QStringLiteral("info")}, env);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString text = QString::fromUtf8(run.out);
    QVERIFY2(text.contains(QStringLiteral("schema version  %1").arg(DatabaseManager::latestSchemaVersion())), qPrintable(text));
    QVERIFY2(text.contains(dbPath()), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("operations")), qPrintable(text));
}

void TstDbCommand::backupPrintsItsPath()
{
    populate();
    const Run run = runCli({QStringLiteral("--db"), dbPath(), QStringLiteral("db"), QStringLiteral("backup")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString path = QString::fromUtf8(run.out).trimmed();
    QVERIFY2(path.startsWith(m_dir->filePath(QStringLiteral("backups/oncutf-"))), qPrintable(path));
    QVERIFY(QFileInfo(path).isFile());
    auto copy = rawConnection(path, Connection::Mode::ReadOnly);
    QVERIFY(copy);
    QCOMPARE(copy->queryInt("SELECT count(*) FROM rename_ops").value(), 2);
}

void TstDbCommand::checkSaysOkOrListsProblems()
{
    populate();
    Run run = runCli({QStringLiteral("--db"), dbPath(), QStringLiteral("db"), QStringLiteral("check")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out, QByteArray("ok\n"));

    auto other = rawConnection(dbPath());
    QVERIFY(other);
    QVERIFY(other->exec("INSERT INTO hash_cache VALUES (4242, 'CRC32', 'ffffffff', 1, 1, 1)"));
    other->close();
    run = runCli({QStringLiteral("db"), QStringLiteral("check"), QStringLiteral("--db"), dbPath()});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.out.contains("hash_cache"), run.out.constData());
}

void TstDbCommand::vacuumCompacts()
{
    {
        DatabaseManager db(dbPath(), testDbOptions());
        QList<MetadataRecord> records;
        for (int i = 0; i < 1000; ++i)
            records.append({"/v/" + QByteArray::number(i), MetadataMode::Fast, QByteArray(1000, 'j'), {i, i}});
        QVERIFY(MetadataCache(db).putMany(records));
        QVERIFY(db.transaction([](Connection &c) { return c.exec("DELETE FROM files"); }));
        QVERIFY(db.close());
    }
    const qint64 before = QFileInfo(dbPath()).size();
    const Run run = runCli({QStringLiteral("--db"), dbPath(), QStringLiteral("db"), QStringLiteral("vacuum")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(run.out.startsWith("vacuumed: "));
    QVERIFY(QFileInfo(dbPath()).size() < before);
}

void TstDbCommand::faultsAreClearErrors()
{
    // Not there: reported, and nothing is created by asking.
    Run run = runCli({QStringLiteral("--db"), dbPath(), QStringLiteral("db"), QStringLiteral("info")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("no database"), run.err.constData());
    QVERIFY(!QFileInfo::exists(dbPath()));

    // A folder.
    QVERIFY(QDir().mkpath(dbPath()));
    run = runCli({QStringLiteral("--db"), dbPath(), QStringLiteral("db"), QStringLiteral("check")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("folder"), run.err.constData());
    QVERIFY(QDir().rmdir(dbPath()));

    // From a newer oncutf: refused, untouched.
    populate();
    {
        auto raw = rawConnection(dbPath());
        QVERIFY(raw);
        QVERIFY(raw->exec("PRAGMA user_version = 99"));
    }
    const QByteArray digest = fileDigest(dbPath());
    run = runCli({QStringLiteral("--db"), dbPath(), QStringLiteral("db"), QStringLiteral("vacuum")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("newer oncutf") && run.err.contains("99"), run.err.constData());
    QCOMPARE(fileDigest(dbPath()), digest);

    // Damaged: moved aside, the user is told, a fresh database answers.
    QVERIFY(QFile::remove(dbPath()));
    QFile junk(dbPath());
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(4096, '\x5a'));
    junk.close();
    run = runCli({QStringLiteral("--db"), dbPath(), QStringLiteral("db"), QStringLiteral("info")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.err.contains("moved aside"), run.err.constData());
    QCOMPARE(QDir(m_dir->path()).entryList({QStringLiteral("oncutf.db.corrupt-*")}, QDir::Files).size(), 1);
}

void TstDbCommand::usageErrors()
{
    populate();
    QCOMPARE(runCli({QStringLiteral("--db"), dbPath(), QStringLiteral("db")}).exitCode, 2);
    QCOMPARE(runCli({QStringLiteral("--db"), dbPath(), QStringLiteral("db"), QStringLiteral("explode")}).exitCode, 2);
    QCOMPARE(runCli({QStringLiteral("--db"), dbPath(), QStringLiteral("db"), QStringLiteral("info"), QStringLiteral("check")})
                 .exitCode,
             2);
    const Run help = runCli({QStringLiteral("db"), QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("check|backup|vacuum|info"));
}

QTEST_GUILESS_MAIN(TstDbCommand)
#include "tst_dbcommand.moc"
