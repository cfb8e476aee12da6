#include "testutil_db.h"

#include "core/db/databasemanager.h"
#include "core/db/metadatacache.h"
#include "core/db/renamejournal.h"
#include "core/db/sessionstatestore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::fileDigest;
using oncutf::tests::testDbOptions;

namespace {

constexpr const char *kChildEnv = "ONCUTF_DB_FAULTS_CHILD";
constexpr uid_t kNobody = 65534;
const FileStamp kStamp{1, 2};

void say(const QString &line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

// Runs in a child process that cannot write the database (as `nobody` when the tests run as
// root, since root may write any file): prints one line per observation for the parent to check.
int runReadOnlyChild(const QString &folder)
{
    {
        DatabaseManager db(folder + QStringLiteral("/current.db"), testDbOptions());
        const Status opened = db.open();
        say(QStringLiteral("open %1").arg(opened ? QStringLiteral("ok") : opened.error().toString()));
        say(QStringLiteral("readonly %1").arg(db.isReadOnly() ? 1 : 0));
        auto hit = MetadataCache(db).get("/a.jpg", kStamp);
        say(QStringLiteral("read %1").arg(hit.ok() && hit->has_value() ? QString::fromUtf8(hit->value().json)
                                                                        : QStringLiteral("miss")));
        auto history = RenameJournal(db).history();
        say(QStringLiteral("history %1").arg(history.ok() ? history->size() : -1));
        const Status write = SessionStateStore(db).setInt(QStringLiteral("k"), 1);
        say(QStringLiteral("write %1 %2").arg(write ? 0 : int(write.error().code)).arg(write ? QString() : write.error().message));
        (void)db.close();
    }
    {
        DatabaseManager db(folder + QStringLiteral("/old.db"), testDbOptions());
        const Status opened = db.open();
        say(QStringLiteral("old %1 %2").arg(opened ? 0 : int(opened.error().code)).arg(opened ? QString() : opened.error().message));
        (void)db.close();
    }
    {
        DatabaseManager db(folder + QStringLiteral("/missing.db"), testDbOptions());
        const Status opened = db.open();
        say(QStringLiteral("create %1 %2").arg(opened ? 0 : int(opened.error().code)).arg(opened ? QString() : opened.error().message));
        (void)db.close();
    }
    return 0;
}

} // namespace

class TstDbFaults : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pathThatIsAFolderIsRefused();
    void parentThatIsAFileIsRefused();
    void diskFullRollsBackAndKeepsHistory();
    void readOnlyDatabaseCanBeReadButNotWritten();
};

void TstDbFaults::pathThatIsAFolderIsRefused()
{
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("oncutf.db"));
    QVERIFY(QDir().mkpath(folder));
    DatabaseManager db(folder, testDbOptions());
    const Status opened = db.open();
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, ErrorCode::InvalidArgument);
    QVERIFY2(opened.error().message.contains(QStringLiteral("folder")), qPrintable(opened.error().message));
    QCOMPARE(opened.error().path, folder);
    QVERIFY(!MetadataCache(db).put({"/a", MetadataMode::Fast, "{}", kStamp}));
    QVERIFY(db.close());
    QVERIFY(QDir(folder).entryList(QDir::AllEntries | QDir::NoDotAndDotDot).isEmpty());
}

void TstDbFaults::parentThatIsAFileIsRefused()
{
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("notafolder")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("x");
    file.close();
    DatabaseManager db(dir.filePath(QStringLiteral("notafolder/oncutf.db")), testDbOptions());
    const Status opened = db.open();
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(QFileInfo(file.fileName()).size(), 1);
    QVERIFY(db.close());
}

void TstDbFaults::diskFullRollsBackAndKeepsHistory()
{
    QTemporaryDir dir;
    DatabaseManager db(dir.filePath(QStringLiteral("oncutf.db")), testDbOptions());
    RenameJournal journal(db);
    MetadataCache metadata(db);
    auto applied = journal.createBatch({BatchKind::Apply, R"({"modules":[]})", QByteArray("/h"), {},
                                        {{"/h/a", "/h/b", {}, {}}, {"/h/c", "/h/d", {}, {}}}});
    QVERIFY(applied.ok());
    QVERIFY(journal.markOps({{applied->opIds[0], OpState::Done, {}}, {applied->opIds[1], OpState::Done, {}}}));
    QVERIFY(journal.setBatchState(applied->batchId, BatchState::Applied));

    // The file may not grow past a few pages more: SQLite then reports SQLITE_FULL exactly as on
    // a full disk.
    QVERIFY(db.withConnection(DatabaseManager::Access::Write, [](Connection &c) -> Status {
        auto pages = c.queryInt("PRAGMA page_count");
        if (!pages)
            return pages.error();
        return c.exec(QByteArray("PRAGMA max_page_count = " + QByteArray::number(*pages + 3)).constData());
    }));
    QList<MetadataRecord> big;
    for (int i = 0; i < 200; ++i)
        big.append({"/full/" + QByteArray::number(i), MetadataMode::Extended, QByteArray(8000, 'x'), kStamp});
    const Status full = metadata.putMany(big);
    QVERIFY(!full);
    QCOMPARE(full.error().code, ErrorCode::NoSpace);
    QVERIFY2(full.error().message.contains(QStringLiteral("disk space")), qPrintable(full.error().message));

    auto bigBatch = journal.createBatch({BatchKind::Apply, QByteArray(60000, '{'), {}, {}, {{"/x", "/y", {}, {}}}});
    QVERIFY(!bigBatch.ok());
    QCOMPARE(bigBatch.error().code, ErrorCode::NoSpace);

    // Nothing half-written, nothing lost.
    QCOMPARE(metadata.count().value(), 0);
    auto history = journal.history();
    QVERIFY(history.ok());
    QCOMPARE(history->size(), 1);
    QCOMPARE(history->first().state, BatchState::Applied);
    QCOMPARE(history->first().counts.done, 2);
    QCOMPARE(journal.ops(applied->batchId)->size(), 2);

    // Space again: the same connection works on.
    QVERIFY(db.withConnection(DatabaseManager::Access::Write,
                              [](Connection &c) { return c.exec("PRAGMA max_page_count = 1073741823"); }));
    QVERIFY(metadata.putMany(big));
    QCOMPARE(metadata.count().value(), 200);
    QVERIFY(db.close());
}

void TstDbFaults::readOnlyDatabaseCanBeReadButNotWritten()
{
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("ro"));
    QVERIFY(QDir().mkpath(folder));
    {
        DatabaseManager db(folder + QStringLiteral("/current.db"), testDbOptions());
        QVERIFY(MetadataCache(db).put({"/a.jpg", MetadataMode::Fast, R"({"ok":1})", kStamp}));
        QVERIFY(RenameJournal(db).createBatch({BatchKind::Apply, {}, {}, {}, {{"/a", "/b", {}, {}}}}).ok());
        QVERIFY(db.close());
        auto options = testDbOptions();
        options.schemaVersionLimit = 1;
        DatabaseManager old(folder + QStringLiteral("/old.db"), options);
        QVERIFY(old.open());
        QVERIFY(old.close());
    }
    const QByteArray before = fileDigest(folder + QStringLiteral("/current.db"));
    QVERIFY(::chmod(QFile::encodeName(folder + QStringLiteral("/current.db")).constData(), 0444) == 0);
    QVERIFY(::chmod(QFile::encodeName(folder + QStringLiteral("/old.db")).constData(), 0444) == 0);
    QVERIFY(::chmod(QFile::encodeName(folder).constData(), 0555) == 0);
    QVERIFY(::chmod(QFile::encodeName(dir.path()).constData(), 0755) == 0);

    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QString::fromLatin1(kChildEnv), folder);
    child.setProcessEnvironment(env);
    if (::geteuid() == 0) {
        // Root ignores file permissions; the child drops to nobody so they apply.
        child.setChildProcessModifier([] {
            const gid_t gid = kNobody;
            if (::setgroups(1, &gid) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)
                ::_exit(97);
        });
    }
    child.start(QCoreApplication::applicationFilePath(), {});
    QVERIFY(child.waitForFinished(60000));
    const QStringList lines = QString::fromUtf8(child.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0,
             qPrintable(QString::fromUtf8(child.readAllStandardError())));
    QCOMPARE(lines.size(), 7);
    QCOMPARE(lines[0], QStringLiteral("open ok"));
    QCOMPARE(lines[1], QStringLiteral("readonly 1"));
    QCOMPARE(lines[2], QStringLiteral(R"(read {"ok":1})"));
    QCOMPARE(lines[3], QStringLiteral("history 1"));
    QVERIFY2(lines[4].startsWith(QStringLiteral("write %1 ").arg(int(ErrorCode::PermissionDenied))), qPrintable(lines[4]));
    QVERIFY2(lines[4].contains(QStringLiteral("read-only")), qPrintable(lines[4]));
    // An older schema cannot be upgraded in place: said so, rather than half-working.
    QVERIFY2(lines[5].startsWith(QStringLiteral("old %1 ").arg(int(ErrorCode::PermissionDenied))), qPrintable(lines[5]));
    QVERIFY2(lines[5].contains(QStringLiteral("upgrade")), qPrintable(lines[5]));
    QVERIFY2(lines[6].startsWith(QStringLiteral("create %1 ").arg(int(ErrorCode::PermissionDenied))), qPrintable(lines[6]));

    QVERIFY(::chmod(QFile::encodeName(folder).constData(), 0755) == 0);
    QCOMPARE(fileDigest(folder + QStringLiteral("/current.db")), before);
    QVERIFY(!QFileInfo::exists(folder + QStringLiteral("/missing.db")));
}

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsSet(kChildEnv)) {
        QCoreApplication app(argc, argv);
        return runReadOnlyChild(qEnvironmentVariable(kChildEnv));
    }
    QCoreApplication app(argc, argv);
    TstDbFaults test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_dbfaults.moc"
