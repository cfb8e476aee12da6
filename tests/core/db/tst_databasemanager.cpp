#include "testutil_db.h"

#include "core/db/backupmanager.h"
#include "core/db/databasemanager.h"
#include "core/db/sessionstatestore.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <thread>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::rawConnection;
using oncutf::tests::testDbOptions;
using Clock = std::chrono::steady_clock;

namespace {

// Restores an environment variable when the test ends.
class EnvGuard {
public:
    explicit EnvGuard(const char *name) : m_name(name), m_had(qEnvironmentVariableIsSet(name)), m_old(qgetenv(name)) {}
    ~EnvGuard()
    {
        if (m_had)
            qputenv(m_name, m_old);
        else
            qunsetenv(m_name);
    }
    EnvGuard(const EnvGuard &) = delete;
    EnvGuard &operator=(const EnvGuard &) = delete;

private:
    const char *m_name;
    bool m_had;
    QByteArray m_old;
};

Result<QString> pragmaText(DatabaseManager &db, const char *sql)
{
    QString value;
    Status status = db.read([&](Connection &c) -> Status {
        auto text = c.queryText(sql);
        if (!text)
            return text.error();
        value = *text;
        return {};
    });
    if (!status)
        return status.error();
    return value;
}

} // namespace

class TstDatabaseManager : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void defaultPathHonoursEnvironment();
    void openCreatesFoldersAndConfiguresEveryConnection();
    void eachThreadGetsItsOwnConnectionClosedWhenItEnds();
    void failedBodyRollsBack();
    void nestedTransactionsAreSavepoints();
    void writeInsideReadIsRefused();
    void lockHeldElsewhereIsReportedAfterDeadline();
    void lockReleasedWhileWaitingIsNotAnError();
    void shutdownIsIdempotentAndFinal();
    void shutdownCheckpointsTheWal();
    void shutdownClosesConnectionsOfLiveThreads();
    void shutdownInterruptsALongQuery();
    void shutdownTakesBackupWhenAsked();

private:
    QString dbPath() const { return m_dir->filePath(QStringLiteral("oncutf.db")); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TstDatabaseManager::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TstDatabaseManager::cleanup()
{
    m_dir.reset();
}

void TstDatabaseManager::defaultPathHonoursEnvironment()
{
    EnvGuard db("ONCUTF_DB");
    EnvGuard xdg("XDG_DATA_HOME");
    qputenv("ONCUTF_DB", dbPath().toLocal8Bit());
    QCOMPARE(DatabaseManager::defaultDatabasePath(), dbPath());
    qunsetenv("ONCUTF_DB");
    qputenv("XDG_DATA_HOME", m_dir->path().toLocal8Bit());
    QCOMPARE(DatabaseManager::defaultDatabasePath(), m_dir->path() + QStringLiteral("/oncutf/oncutf.db"));

    // The folder is created when the database is opened, not when the path is asked for.
    QVERIFY(!QFileInfo::exists(m_dir->path() + QStringLiteral("/oncutf")));
    DatabaseManager manager(DatabaseManager::defaultDatabasePath(), testDbOptions());
    QVERIFY(manager.open());
    QVERIFY(QFileInfo(m_dir->path() + QStringLiteral("/oncutf/oncutf.db")).isFile());
    QVERIFY(manager.close());
}

void TstDatabaseManager::openCreatesFoldersAndConfiguresEveryConnection()
{
    const QString nested = m_dir->filePath(QStringLiteral("a/b/c/oncutf.db"));
    DatabaseManager db(nested, testDbOptions());
    QVERIFY(!db.isOpen());
    QVERIFY(db.open());
    QVERIFY(db.isOpen());
    QVERIFY(db.open()); // idempotent
    QVERIFY(!db.isReadOnly());
    QCOMPARE(db.connectionsOpened(), 1u);

    // Each thread's connection gets the same settings; QTest checks run on the main thread.
    auto settings = [&db]() {
        QStringList values;
        for (const char *pragma : {"PRAGMA journal_mode", "PRAGMA foreign_keys", "PRAGMA synchronous",
                                   "PRAGMA temp_store", "PRAGMA busy_timeout"})
        {
            auto value = pragmaText(db, pragma);
            values << (value ? *value : value.error().message);
        }
        return values;
    };
    // wal, foreign keys on, synchronous NORMAL, temp_store MEMORY, the configured busy timeout.
    const QStringList expected{QStringLiteral("wal"), QStringLiteral("1"), QStringLiteral("1"), QStringLiteral("2"),
                               QStringLiteral("50")};
    QCOMPARE(settings(), expected);
    QStringList fromOtherThread;
    std::thread other([&] { fromOtherThread = settings(); });
    other.join();
    QCOMPARE(fromOtherThread, expected);
    QCOMPARE(db.connectionsOpened(), 2u);
    QVERIFY(db.close());
}

void TstDatabaseManager::eachThreadGetsItsOwnConnectionClosedWhenItEnds()
{
    DatabaseManager db(dbPath(), testDbOptions());
    const quint64 mainId = db.currentThreadConnectionId().value();
    QCOMPARE(db.currentThreadConnectionId().value(), mainId);
    quint64 ids[3] = {};
    std::latch allOpen(3);
    std::latch mayEnd(1);
    std::vector<std::thread> threads;
    for (int i = 0; i < 3; ++i) {
        threads.emplace_back([&, i] {
            auto id = db.currentThreadConnectionId();
            ids[i] = id ? *id : 0;
            allOpen.count_down();
            mayEnd.wait();
        });
    }
    allOpen.wait();
    const int whileAlive = db.openConnectionCount();
    mayEnd.count_down();
    for (auto &t : threads)
        t.join();
    QCOMPARE(whileAlive, 4);
    // Each thread had its own connection, and it was closed when the thread ended.
    QCOMPARE(QSet<quint64>({mainId, ids[0], ids[1], ids[2]}).size(), 4);
    QVERIFY(ids[0] != 0 && ids[1] != 0 && ids[2] != 0);
    QCOMPARE(db.openConnectionCount(), 1);
    QVERIFY(db.close());
    QCOMPARE(db.openConnectionCount(), 0);
}

void TstDatabaseManager::failedBodyRollsBack()
{
    DatabaseManager db(dbPath(), testDbOptions());
    SessionStateStore store(db);
    const Status status = db.transaction([&](Connection &) -> Status {
        if (Status s = store.setInt(QStringLiteral("a"), 1); !s)
            return s;
        return makeError(ErrorCode::Cancelled, QStringLiteral("user cancelled"));
    });
    QVERIFY(!status);
    QCOMPARE(status.error().message, QStringLiteral("user cancelled"));
    QVERIFY(!store.integer(QStringLiteral("a"))->has_value());
    QVERIFY(db.close());
}

void TstDatabaseManager::nestedTransactionsAreSavepoints()
{
    DatabaseManager db(dbPath(), testDbOptions());
    SessionStateStore store(db);
    const Status outer = db.transaction([&](Connection &) -> Status {
        if (Status s = store.setInt(QStringLiteral("kept"), 1); !s)
            return s;
        const Status inner = db.transaction([&](Connection &) -> Status {
            if (Status s = store.setInt(QStringLiteral("dropped"), 2); !s)
                return s;
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("inner step failed"));
        });
        if (inner)
            return makeError(ErrorCode::Internal, QStringLiteral("inner failure was lost"));
        return store.setInt(QStringLiteral("after"), 3);
    });
    QVERIFY2(outer, outer ? "" : qPrintable(outer.error().toString()));
    QCOMPARE(store.keys().value(), (QStringList{QStringLiteral("after"), QStringLiteral("kept")}));
    QVERIFY(db.close());
}

void TstDatabaseManager::writeInsideReadIsRefused()
{
    DatabaseManager db(dbPath(), testDbOptions());
    SessionStateStore store(db);
    Status inner;
    const Status outer = db.read([&](Connection &) -> Status {
        inner = store.setInt(QStringLiteral("x"), 1);
        return {};
    });
    QVERIFY(outer);
    QVERIFY(!inner);
    QCOMPARE(inner.error().code, ErrorCode::Internal);
    QVERIFY(!store.integer(QStringLiteral("x"))->has_value());
    QVERIFY(db.close());
}

void TstDatabaseManager::lockHeldElsewhereIsReportedAfterDeadline()
{
    auto options = testDbOptions();
    options.lockDeadline = std::chrono::milliseconds(400);
    DatabaseManager db(dbPath(), options);
    SessionStateStore store(db);
    QVERIFY(store.setInt(QStringLiteral("before"), 1));

    // Another program (a second SQLite handle, not ours) holds the write lock.
    auto other = rawConnection(dbPath());
    QVERIFY(other);
    QVERIFY(other->exec("BEGIN EXCLUSIVE"));
    const auto started = Clock::now();
    const Status blocked = store.setInt(QStringLiteral("during"), 2);
    const auto waited = Clock::now() - started;
    QVERIFY(!blocked);
    QCOMPARE(blocked.error().code, ErrorCode::Busy);
    QVERIFY2(blocked.error().message.contains(QStringLiteral("locked by another process")),
             qPrintable(blocked.error().message));
    QVERIFY(waited >= std::chrono::milliseconds(400));
    QVERIFY2(waited < std::chrono::seconds(10), "the wait must be bounded by the deadline");
    // Readers are not blocked in WAL mode.
    QCOMPARE(store.integer(QStringLiteral("before"))->value_or(0), 1);

    QVERIFY(other->exec("ROLLBACK"));
    QVERIFY(store.setInt(QStringLiteral("after"), 3));
    QVERIFY(!store.integer(QStringLiteral("during"))->has_value());
    other->close();
    QVERIFY(db.close());
}

void TstDatabaseManager::lockReleasedWhileWaitingIsNotAnError()
{
    auto options = testDbOptions();
    options.lockDeadline = std::chrono::seconds(20);
    DatabaseManager db(dbPath(), options);
    SessionStateStore store(db);
    QVERIFY(db.open());
    auto other = rawConnection(dbPath());
    QVERIFY(other);
    QVERIFY(other->exec("BEGIN EXCLUSIVE; CREATE TABLE elsewhere (x);"));

    std::latch writing(1);
    Status written = makeError(ErrorCode::Internal, QStringLiteral("not run"));
    std::thread writer([&] {
        writing.count_down();
        written = store.setInt(QStringLiteral("k"), 7);
    });
    writing.wait();
    // Whether the writer already waits or not, releasing the lock must let it through.
    QVERIFY(other->exec("COMMIT"));
    writer.join();
    QVERIFY2(written, written ? "" : qPrintable(written.error().toString()));
    QCOMPARE(store.integer(QStringLiteral("k"))->value_or(0), 7);
    other->close();
    QVERIFY(db.close());
}

void TstDatabaseManager::shutdownIsIdempotentAndFinal()
{
    DatabaseManager db(dbPath(), testDbOptions());
    SessionStateStore store(db);
    QVERIFY(store.setInt(QStringLiteral("a"), 1));
    QCOMPARE(db.participantName(), QStringLiteral("DatabaseManager"));
    QCOMPARE(db.shutdownHealth().value(QStringLiteral("connections")).toInt(), 1);
    QVERIFY(db.shutdownNow(std::chrono::seconds(2), false));
    QVERIFY(db.shutdownNow(std::chrono::seconds(2), false));
    QVERIFY(db.close());
    QVERIFY(!db.isOpen());
    const Status after = store.setInt(QStringLiteral("b"), 2);
    QVERIFY(!after);
    QCOMPARE(after.error().code, ErrorCode::Cancelled);
    QVERIFY(!db.open());
    QVERIFY(!store.integer(QStringLiteral("a")).ok());
}

void TstDatabaseManager::shutdownCheckpointsTheWal()
{
    DatabaseManager db(dbPath(), testDbOptions());
    SessionStateStore store(db);
    for (int i = 0; i < 50; ++i)
        QVERIFY(store.setInt(QStringLiteral("k%1").arg(i), i));
    const QFileInfo wal(dbPath() + QStringLiteral("-wal"));
    QVERIFY(wal.exists());
    QVERIFY(wal.size() > 0);
    QVERIFY(db.close());
    QFileInfo after(dbPath() + QStringLiteral("-wal"));
    QVERIFY(!after.exists() || after.size() == 0);

    DatabaseManager again(dbPath(), testDbOptions());
    QCOMPARE(SessionStateStore(again).keys()->size(), 50);
    QVERIFY(again.close());
}

void TstDatabaseManager::shutdownClosesConnectionsOfLiveThreads()
{
    DatabaseManager db(dbPath(), testDbOptions());
    QVERIFY(db.open());
    SessionStateStore store(db);
    std::latch opened(1);
    std::latch shutDown(1);
    Status laterWrite;
    std::thread worker([&] {
        (void)store.setInt(QStringLiteral("worker"), 1);
        opened.count_down();
        shutDown.wait();
        laterWrite = store.setInt(QStringLiteral("worker"), 2);
    });
    opened.wait();
    const int before = db.openConnectionCount();
    const Status closed = db.close();
    const int after = db.openConnectionCount();
    shutDown.count_down();
    worker.join();
    QCOMPARE(before, 2);
    QVERIFY(closed);
    QCOMPARE(after, 0);
    QVERIFY(!laterWrite);
    QCOMPARE(laterWrite.error().code, ErrorCode::Cancelled);
}

void TstDatabaseManager::shutdownInterruptsALongQuery()
{
    DatabaseManager db(dbPath(), testDbOptions());
    QVERIFY(db.open());
    std::latch running(1);
    std::atomic<bool> giveUp{false};
    Status queryStatus;
    std::thread reader([&] {
        queryStatus = db.read([&](Connection &c) -> Status {
            running.count_down();
            // Each query takes a while; the loop ends when one is interrupted. giveUp only keeps
            // the test from hanging if an interrupt ever lands between two queries.
            while (!giveUp.load()) {
                auto sum = c.queryInt("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                      "WHERE i < 3000000) SELECT sum(i) FROM n");
                if (!sum)
                    return sum.error();
            }
            return {};
        });
    });
    running.wait();
    const auto started = Clock::now();
    const Status closed = db.shutdownNow(std::chrono::milliseconds(200), false);
    const auto took = Clock::now() - started;
    giveUp.store(true);
    reader.join();
    QVERIFY(closed);
    QVERIFY2(took < std::chrono::seconds(20), "shutdown must not wait for the query to end by itself");
    QCOMPARE(db.openConnectionCount(), 0);
    QVERIFY(!queryStatus);
    QCOMPARE(queryStatus.error().code, ErrorCode::Cancelled);
}

void TstDatabaseManager::shutdownTakesBackupWhenAsked()
{
    auto options = testDbOptions();
    options.backupOnShutdown = true;
    DatabaseManager db(dbPath(), options);
    QVERIFY(SessionStateStore(db).setString(QStringLiteral("k"), QStringLiteral("v")));
    QVERIFY(db.close());
    const QStringList backups = QDir(m_dir->filePath(QStringLiteral("backups"))).entryList(QDir::Files);
    QCOMPARE(backups.size(), 1);

    // Not in emergency mode: a fast exit matters more than a backup.
    DatabaseManager again(dbPath(), options);
    QVERIFY(again.open());
    QVERIFY(again.shutdownNow(std::chrono::seconds(1), true));
    QCOMPARE(QDir(m_dir->filePath(QStringLiteral("backups"))).entryList(QDir::Files).size(), 1);
}

QTEST_GUILESS_MAIN(TstDatabaseManager)
#include "tst_databasemanager.moc"
