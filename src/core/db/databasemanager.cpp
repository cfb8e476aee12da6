#include "core/db/databasemanager.h"

#include "core/db/backupmanager.h"
#include "core/db/migrations.h"
#include "core/logging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <unistd.h>

#include <algorithm>
#include <thread>
#include <unordered_map>

namespace oncutf::core::db {

namespace {

using Clock = std::chrono::steady_clock;

std::atomic<quint64> g_nextManagerId{1};

// Each thread's connections, keyed by manager id (not address: a later manager may reuse one).
// The destructor runs when the thread ends and closes them; the manager only keeps weak
// references, so a thread may outlive its manager and vice versa.
struct ThreadConnections {
    std::unordered_map<quint64, std::shared_ptr<Connection>> byManager;

    ThreadConnections() = default;
    ThreadConnections(const ThreadConnections &) = delete;
    ThreadConnections &operator=(const ThreadConnections &) = delete;
    ~ThreadConnections()
    {
        for (auto &entry : byManager) {
            std::lock_guard lock(entry.second->useMutex());
            entry.second->close();
        }
    }
};

thread_local ThreadConnections t_connections;

QString seconds(std::chrono::milliseconds ms)
{
    return QString::number(static_cast<double>(ms.count()) / 1000.0, 'g', 3);
}

} // namespace

DatabaseManager::DatabaseManager(QString path, Options options)
    // Absolute, so messages and `db info` say exactly which file is meant.
    : m_path(path.isEmpty() ? path : QFileInfo(path).absoluteFilePath()),
      m_options(options),
      m_id(g_nextManagerId.fetch_add(1))
{
}

DatabaseManager::DatabaseManager(QString path) : DatabaseManager(std::move(path), Options{}) {}

DatabaseManager::~DatabaseManager()
{
    const State state = m_state.load();
    Q_ASSERT_X(state != State::Open && state != State::ShuttingDown, "DatabaseManager",
               "shutdownNow() must run before the database manager is destroyed");
    if (state == State::Open)
        (void)shutdownNow(std::chrono::seconds(1), true);
}

QString DatabaseManager::defaultDatabasePath()
{
    const QString fromEnv = qEnvironmentVariable("ONCUTF_DB");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/oncutf/oncutf.db");
}

int DatabaseManager::latestSchemaVersion()
{
    return Migrations::latestVersion();
}

bool DatabaseManager::isOpen() const
{
    return m_state.load(std::memory_order_acquire) == State::Open;
}

bool DatabaseManager::isReadOnly() const
{
    return m_readOnly.load();
}

int DatabaseManager::schemaVersion() const
{
    return m_schemaVersion.load();
}

bool DatabaseManager::isStopping() const
{
    const State state = m_state.load(std::memory_order_acquire);
    return state == State::ShuttingDown || state == State::ShutDown;
}

std::optional<QString> DatabaseManager::takeRecoveryNotice()
{
    std::lock_guard lock(m_mutex);
    return std::exchange(m_recoveryNotice, std::nullopt);
}

Error DatabaseManager::closedError() const
{
    return makeError(ErrorCode::Cancelled, QStringLiteral("the database is closed (oncutf is shutting down)"), m_path);
}

Error DatabaseManager::lockedError() const
{
    return makeError(ErrorCode::Busy,
                     QStringLiteral("the database is locked by another process (waited %1 s); close other "
                                    "oncutf windows or commands using it and try again")
                         .arg(seconds(m_options.lockDeadline)),
                     m_path);
}

Error DatabaseManager::tooNewError(qint64 version) const
{
    return makeError(ErrorCode::TooNew,
                     QStringLiteral("this database was written by a newer oncutf (schema version %1); this oncutf "
                                    "understands schema versions up to %2. It was left untouched: update oncutf, "
                                    "or choose another database file with --db")
                         .arg(version)
                         .arg(Migrations::latestVersion()),
                     m_path);
}

std::optional<qint64> DatabaseManager::headerSchemaVersion() const
{
    // The 100-byte SQLite header: the magic string, and user_version big-endian at offset 60.
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray header = file.read(100);
    if (header.size() < 100 || !header.startsWith(QByteArrayView("SQLite format 3\0", 16)))
        return std::nullopt;
    const auto byte = [&header](int i) { return static_cast<quint32>(static_cast<unsigned char>(header[i])); };
    return static_cast<qint32>((byte(60) << 24) | (byte(61) << 16) | (byte(62) << 8) | byte(63));
}

Error DatabaseManager::readOnlyError() const
{
    return makeError(ErrorCode::PermissionDenied,
                     QStringLiteral("the database is read-only (the file or its folder cannot be written): "
                                    "changes cannot be saved"),
                     m_path);
}

// ---------------------------------------------------------------------------------------------
// Opening

Status DatabaseManager::open()
{
    if (m_state.load(std::memory_order_acquire) == State::Open)
        return {};
    std::lock_guard lock(m_openMutex);
    switch (m_state.load()) {
    case State::Open:
        return {};
    case State::ShuttingDown:
    case State::ShutDown:
        return closedError();
    case State::Closed:
        break;
    }
    Status status = openLocked();
    if (!status)
        qCWarning(lcDb).noquote() << "cannot open the database:" << status.error().toString();
    return status;
}

Status DatabaseManager::openLocked()
{
    if (m_path.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no database file given"));
    const QFileInfo info(m_path);
    if (info.isDir())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("this is a folder, not a database file; give a file name such as "
                                        "oncutf.db"),
                         m_path);
    const QString folder = info.absolutePath();
    if (!QFileInfo(folder).isDir()) {
        if (QFileInfo::exists(folder))
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("the database's parent is a file, not a folder"), folder);
        if (!QDir().mkpath(folder))
            return makeError(ErrorCode::PermissionDenied,
                             QStringLiteral("cannot create the folder for the database"), folder);
    }

    bool exists = QFileInfo::exists(m_path);
    const bool folderWritable = ::access(QFile::encodeName(folder).constData(), W_OK) == 0;
    const bool fileWritable = !exists || ::access(QFile::encodeName(m_path).constData(), W_OK) == 0;
    if (exists) {
        bool corrupt = false;
        QString reason;
        if (Status probed = probeExistingLocked(corrupt, reason); !probed)
            return probed;
        if (corrupt) {
            if (Status moved = moveAsideLocked(reason); !moved)
                return moved;
            exists = false;
        }
    }

    if (!exists && !folderWritable)
        return makeError(ErrorCode::PermissionDenied,
                         QStringLiteral("cannot create the database: its folder is read-only"), folder);

    Connection::Mode mode = Connection::Mode::ReadWriteCreate;
    if (exists)
        mode = folderWritable && fileWritable ? Connection::Mode::ReadWrite : Connection::Mode::ReadOnly;
    auto opened = mode == Connection::Mode::ReadOnly ? openReadable() : Connection::open(m_path, mode);
    if (!opened)
        return opened.error();
    mode = (*opened)->mode();
    const std::shared_ptr<Connection> connection = *opened;
    if (Status configured = configure(*connection); !configured)
        return configured;

    if (!connection->isReadOnly()) {
        const auto deadline = Clock::now() + m_options.lockDeadline;
        Status walSet = beginWithRetry(*connection, "PRAGMA journal_mode=WAL", deadline);
        if (!walSet)
            return walSet;
        auto journal = connection->queryText("PRAGMA journal_mode");
        if (journal && journal->compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            qCWarning(lcDb).noquote() << "WAL is not available for" << m_path << "- journal mode" << *journal;
        if (Status migrated = migrateLocked(*connection); !migrated)
            return migrated;
    }

    auto version = connection->queryInt("PRAGMA user_version");
    if (!version)
        return version.error();
    const int target = m_options.schemaVersionLimit > 0
        ? std::min(m_options.schemaVersionLimit, Migrations::latestVersion())
        : Migrations::latestVersion();
    if (connection->isReadOnly() && *version < target)
        return makeError(ErrorCode::PermissionDenied,
                         QStringLiteral("the database uses schema version %1 and needs an upgrade to version %2, "
                                        "but it is read-only (the file or its folder cannot be written)")
                             .arg(*version)
                             .arg(target),
                         m_path);

    m_schemaVersion.store(static_cast<int>(*version));
    m_readOnly.store(connection->isReadOnly());
    // Later threads open the existing file; they must never silently create a new one.
    m_connectionMode = mode == Connection::Mode::ReadWriteCreate ? Connection::Mode::ReadWrite : mode;
    {
        std::lock_guard lock(m_mutex);
        m_connections.push_back(connection);
    }
    t_connections.byManager[m_id] = connection;
    m_connectionsOpened.fetch_add(1);
    m_state.store(State::Open, std::memory_order_release);
    if (m_readOnly.load())
        qCWarning(lcDb).noquote() << "database opened read-only:" << m_path;
    return {};
}

Result<std::shared_ptr<Connection>> DatabaseManager::openReadable() const
{
    auto opened = Connection::open(m_path, Connection::Mode::ReadOnly);
    if (!opened)
        return opened.error();
    // SQLite opens lazily: only a first read shows whether a WAL database can be read here.
    auto probe = (*opened)->queryInt("SELECT count(*) FROM sqlite_master");
    if (probe || probe.error().code == ErrorCode::Corrupt || probe.error().code == ErrorCode::Busy)
        return opened;
    // A WAL database in a folder we cannot write, without its -shm, can only be read as
    // immutable (nobody can write there, so nothing changes under us).
    auto immutable = Connection::open(m_path, Connection::Mode::Immutable);
    if (!immutable)
        return opened;
    if (auto retry = (*immutable)->queryInt("SELECT count(*) FROM sqlite_master"); !retry)
        return opened;
    return immutable;
}

Status DatabaseManager::probeExistingLocked(bool &corrupt, QString &reason)
{
    // A database from a newer oncutf is refused before SQLite opens it: even a read-only
    // connection would leave -wal/-shm files next to it.
    if (const std::optional<qint64> stamped = headerSchemaVersion(); stamped && *stamped > Migrations::latestVersion())
        return tooNewError(*stamped);

    // Read-only, so the probe never changes what it looks at: a read-write connection would
    // replay or discard a -wal file before we know whether the database is sound.
    auto opened = openReadable();
    if (!opened) {
        if (opened.error().code == ErrorCode::Corrupt) {
            corrupt = true;
            reason = opened.error().message;
            return {};
        }
        return opened.error();
    }
    Connection &probe = **opened;
    probe.setBusyTimeout(m_options.busyTimeout);
    const auto deadline = Clock::now() + m_options.lockDeadline;

    Result<qint64> version = probe.queryInt("PRAGMA user_version");
    while (!version && version.error().code == ErrorCode::Busy && Clock::now() < deadline && !isStopping())
        version = probe.queryInt("PRAGMA user_version");
    if (!version) {
        if (version.error().code == ErrorCode::Corrupt) {
            corrupt = true;
            reason = version.error().message;
            return {};
        }
        return version.error().code == ErrorCode::Busy ? Status(lockedError()) : Status(version.error());
    }
    if (*version > Migrations::latestVersion())
        return tooNewError(*version);

    auto check = probe.prepare("PRAGMA quick_check");
    if (!check)
        return check.error();
    QStringList problems;
    for (;;) {
        auto row = check->step();
        if (!row) {
            if (row.error().code == ErrorCode::Corrupt) {
                corrupt = true;
                reason = row.error().message;
                return {};
            }
            return row.error().code == ErrorCode::Busy ? Status(lockedError()) : Status(row.error());
        }
        if (!*row)
            break;
        problems << check->text(0);
    }
    if (problems != QStringList{QStringLiteral("ok")}) {
        corrupt = true;
        reason = QStringLiteral("integrity check failed: ") + problems.mid(0, 3).join(QStringLiteral("; "));
    }
    return {};
}

Status DatabaseManager::moveAsideLocked(const QString &reason)
{
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString target = m_path + QStringLiteral(".corrupt-") + stamp;
    for (int n = 2; QFileInfo::exists(target) || QFileInfo::exists(target + QStringLiteral("-wal")); ++n)
        target = m_path + QStringLiteral(".corrupt-") + stamp + QLatin1Char('-') + QString::number(n);

    // The -wal goes first: left next to a fresh database it would be replayed into it.
    const QString wal = m_path + QStringLiteral("-wal");
    if (QFileInfo::exists(wal) && !QFile::rename(wal, target + QStringLiteral("-wal")))
        return makeError(ErrorCode::Corrupt,
                         QStringLiteral("the database is damaged (%1) and its -wal file could not be moved aside; "
                                        "it was left as it is")
                             .arg(reason),
                         m_path);
    if (!QFile::rename(m_path, target))
        return makeError(ErrorCode::Corrupt,
                         QStringLiteral("the database is damaged (%1) and could not be moved aside to %2; it was "
                                        "left as it is")
                             .arg(reason, target),
                         m_path);
    for (const char *suffix : {"-shm", "-journal"}) {
        const QString extra = m_path + QLatin1String(suffix);
        if (QFileInfo::exists(extra) && !QFile::rename(extra, target + QLatin1String(suffix)))
            qCWarning(lcDb).noquote() << "could not move" << extra << "aside";
    }
    qCWarning(lcDb).noquote() << "damaged database moved aside to" << target << "-" << reason;
    std::lock_guard lock(m_mutex);
    m_recoveryNotice = QStringLiteral(
                           "oncutf's database could not be read (%1), so it was moved aside to \"%2\" and a new, "
                           "empty database was started. Nothing was deleted: the old file is still there. "
                           "Cached metadata and hashes will be read again; rename history from before is only "
                           "in the old file.")
                           .arg(reason, target);
    return {};
}

Status DatabaseManager::configure(Connection &connection) const
{
    connection.setBusyTimeout(m_options.busyTimeout);
    QByteArray pragmas = QByteArrayLiteral("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
                                           "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -")
        + QByteArray::number(m_options.cacheSizeKiB) + ';';
    if (m_options.walAutocheckpointPages > 0)
        pragmas += QByteArrayLiteral(" PRAGMA wal_autocheckpoint = ") + QByteArray::number(m_options.walAutocheckpointPages) + ';';
    if (m_options.mmapSizeBytes > 0)
        pragmas += QByteArrayLiteral(" PRAGMA mmap_size = ") + QByteArray::number(m_options.mmapSizeBytes) + ';';
    return connection.exec(pragmas.constData());
}

Status DatabaseManager::migrateLocked(Connection &connection)
{
    const int target = m_options.schemaVersionLimit > 0
        ? std::min(m_options.schemaVersionLimit, Migrations::latestVersion())
        : Migrations::latestVersion();
    for (;;) {
        auto current = connection.queryInt("PRAGMA user_version");
        if (!current)
            return current.error();
        if (*current > Migrations::latestVersion())
            return tooNewError(*current);
        if (*current >= target)
            return {};
        const int next = static_cast<int>(*current) + 1;
        Status step = runTransaction(connection, true, [&](Connection &c) -> Status {
            // Another process may have run this step since we looked: then there is nothing to do.
            auto inside = c.queryInt("PRAGMA user_version");
            if (!inside)
                return inside.error();
            if (*inside != *current)
                return {};
            if (Status applied = Migrations::applyStep(c, next); !applied)
                return applied;
            const QByteArray stamp = QByteArrayLiteral("PRAGMA user_version = ") + QByteArray::number(next);
            return c.exec(stamp.constData());
        });
        if (!step)
            return makeError(step.error().code,
                             QStringLiteral("upgrading the database to schema version %1 (%2) failed: %3")
                                 .arg(next)
                                 .arg(Migrations::description(next), step.error().message),
                             m_path);
        qCInfo(lcDb).noquote() << "database upgraded to schema version" << next << "-" << Migrations::description(next);
    }
}

// ---------------------------------------------------------------------------------------------
// Connections and transactions

Result<std::shared_ptr<Connection>> DatabaseManager::threadConnection()
{
    if (isStopping())
        return closedError();
    auto &mine = t_connections.byManager;
    if (auto it = mine.find(m_id); it != mine.end()) {
        if (it->second->isOpen())
            return it->second;
        // Only a shutdown closes a live thread's connection.
        mine.erase(it);
        return closedError();
    }
    if (m_state.load(std::memory_order_acquire) != State::Open) {
        if (Status opened = open(); !opened)
            return opened.error();
        if (auto it = mine.find(m_id); it != mine.end())
            return it->second;
    }
    auto opened = Connection::open(m_path, m_connectionMode);
    if (!opened)
        return opened.error();
    if (Status configured = configure(**opened); !configured)
        return configured.error();
    {
        std::lock_guard lock(m_mutex);
        if (m_state.load() != State::Open) {
            (*opened)->close();
            return closedError();
        }
        std::erase_if(m_connections, [](const std::weak_ptr<Connection> &c) { return c.expired(); });
        m_connections.push_back(*opened);
    }
    m_connectionsOpened.fetch_add(1);
    mine[m_id] = *opened;
    return *opened;
}

Status DatabaseManager::acquireWriter(Clock::time_point deadline)
{
    std::unique_lock lock(m_gateMutex);
    const bool free = m_gateCv.wait_until(lock, deadline, [this] { return !m_writerActive || isStopping(); });
    if (isStopping())
        return closedError();
    if (!free)
        return makeError(ErrorCode::Busy,
                         QStringLiteral("the database stayed busy with another oncutf task for %1 s")
                             .arg(seconds(m_options.lockDeadline)),
                         m_path);
    m_writerActive = true;
    return {};
}

void DatabaseManager::releaseWriter()
{
    {
        std::lock_guard lock(m_gateMutex);
        m_writerActive = false;
    }
    m_gateCv.notify_one();
}

Status DatabaseManager::beginWithRetry(Connection &connection, const char *sql, Clock::time_point deadline)
{
    for (;;) {
        const auto started = Clock::now();
        const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - started);
        connection.setBusyTimeout(std::max(std::chrono::milliseconds(1), std::min(remaining, m_options.busyTimeout)));
        Status status = connection.exec(sql);
        if (status || status.error().code != ErrorCode::Busy)
            return status;
        if (isStopping())
            return closedError();
        if (Clock::now() >= deadline)
            return lockedError();
        // SQLite reports some lock conflicts without waiting; back off briefly instead of spinning.
        if (Clock::now() - started < std::chrono::milliseconds(1))
            std::this_thread::yield();
    }
}

Status DatabaseManager::runTransaction(Connection &connection, bool write,
                                       const std::function<Status(Connection &)> &body)
{
    const auto deadline = Clock::now() + m_options.lockDeadline;
    if (write) {
        if (Status gate = acquireWriter(deadline); !gate)
            return gate;
    }
    struct WriterRelease {
        DatabaseManager *manager;
        bool active;
        ~WriterRelease()
        {
            if (active)
                manager->releaseWriter();
        }
    } writerRelease{this, write};

    for (;;) {
        if (Status begun = beginWithRetry(connection, write ? "BEGIN IMMEDIATE" : "BEGIN", deadline); !begun)
            return begun;
        connection.m_txDepth = 1;
        connection.m_txIsWrite = write;
        Status result = body(connection);
        connection.m_txDepth = 0;
        if (result) {
            for (;;) {
                Status committed = connection.exec("COMMIT");
                if (committed)
                    return {};
                // A COMMIT that met a lock leaves the transaction open and may simply be retried.
                if (committed.error().code != ErrorCode::Busy || Clock::now() >= deadline || isStopping()) {
                    result = committed;
                    break;
                }
            }
        }
        // A failed statement (SQLITE_FULL, an interrupt) may already have rolled back.
        if (connection.isInTransaction())
            (void)connection.exec("ROLLBACK");
        if (result.error().code == ErrorCode::Busy) {
            if (isStopping())
                return closedError();
            if (Clock::now() >= deadline)
                return lockedError();
            continue;
        }
        if (result.error().code == ErrorCode::Cancelled && isStopping())
            return closedError();
        return result;
    }
}

Status DatabaseManager::runNested(Connection &connection, bool write, const std::function<Status(Connection &)> &body)
{
    if (write && !connection.m_txIsWrite) {
        return makeError(ErrorCode::Internal, QStringLiteral("a database write was started inside a read"), m_path);
    }
    if (!write)
        return body(connection);
    const QByteArray name = QByteArrayLiteral("nested_") + QByteArray::number(connection.m_txDepth);
    if (Status begun = connection.exec(QByteArray(QByteArrayLiteral("SAVEPOINT ") + name).constData()); !begun)
        return begun;
    ++connection.m_txDepth;
    Status result = body(connection);
    --connection.m_txDepth;
    if (result)
        result = connection.exec(QByteArray(QByteArrayLiteral("RELEASE ") + name).constData());
    if (!result && connection.isInTransaction()) {
        (void)connection.exec(QByteArray(QByteArrayLiteral("ROLLBACK TO ") + name).constData());
        (void)connection.exec(QByteArray(QByteArrayLiteral("RELEASE ") + name).constData());
    }
    return result;
}

Status DatabaseManager::transaction(const std::function<Status(Connection &)> &body)
{
    auto connection = threadConnection();
    if (!connection)
        return connection.error();
    Connection &c = **connection;
    if (c.m_leased) {
        return makeError(ErrorCode::Internal, QStringLiteral("a database transaction was started inside a "
                                                             "maintenance task"), m_path);
    }
    if (c.m_txDepth > 0)
        return runNested(c, true, body);
    if (m_readOnly.load())
        return readOnlyError();
    std::unique_lock use(c.useMutex());
    if (!c.isOpen())
        return closedError();
    return runTransaction(c, true, body);
}

Status DatabaseManager::read(const std::function<Status(Connection &)> &body)
{
    auto connection = threadConnection();
    if (!connection)
        return connection.error();
    Connection &c = **connection;
    if (c.m_leased)
        return body(c);
    if (c.m_txDepth > 0)
        return runNested(c, false, body);
    std::unique_lock use(c.useMutex());
    if (!c.isOpen())
        return closedError();
    return runTransaction(c, false, body);
}

Status DatabaseManager::withConnection(Access access, const std::function<Status(Connection &)> &body)
{
    auto connection = threadConnection();
    if (!connection)
        return connection.error();
    Connection &c = **connection;
    if (c.m_leased || c.m_txDepth > 0) {
        return makeError(ErrorCode::Internal, QStringLiteral("a maintenance task was started inside a database "
                                                             "transaction"), m_path);
    }
    if (access == Access::Write && m_readOnly.load())
        return readOnlyError();
    std::unique_lock use(c.useMutex());
    if (!c.isOpen())
        return closedError();
    const auto deadline = Clock::now() + m_options.lockDeadline;
    if (access == Access::Write) {
        if (Status gate = acquireWriter(deadline); !gate)
            return gate;
    }
    c.m_leased = true;
    Status result = body(c);
    c.m_leased = false;
    if (access == Access::Write)
        releaseWriter();
    return result;
}

// ---------------------------------------------------------------------------------------------
// Shutdown

Status DatabaseManager::close()
{
    return shutdownNow(std::chrono::seconds(10), false);
}

QString DatabaseManager::participantName() const
{
    return QStringLiteral("DatabaseManager");
}

QVariantMap DatabaseManager::shutdownHealth() const
{
    return {
        {QStringLiteral("path"), m_path},
        {QStringLiteral("open"), isOpen()},
        {QStringLiteral("readOnly"), isReadOnly()},
        {QStringLiteral("schemaVersion"), schemaVersion()},
        {QStringLiteral("connections"), openConnectionCount()},
    };
}

Status DatabaseManager::shutdownNow(std::chrono::milliseconds budget, bool emergency)
{
    const auto deadline = Clock::now() + budget;
    if (auto it = t_connections.byManager.find(m_id);
        it != t_connections.byManager.end() && (it->second->m_txDepth > 0 || it->second->m_leased)) {
        return makeError(ErrorCode::Internal, QStringLiteral("the database cannot be closed from inside one of its "
                                                             "own transactions"), m_path);
    }

    std::lock_guard openLock(m_openMutex);
    if (m_state.load() == State::ShutDown)
        return {};

    Status result;
    if (m_state.load() == State::Open && m_options.backupOnShutdown && !emergency) {
        BackupManager backups(*this, m_options.backupKeep);
        auto backup = backups.backupNow();
        if (!backup) {
            qCWarning(lcDb).noquote() << "shutdown backup failed:" << backup.error().toString();
            result = backup.error();
        }
    }

    std::vector<std::shared_ptr<Connection>> connections;
    {
        std::lock_guard lock(m_mutex);
        m_state.store(State::ShuttingDown, std::memory_order_release);
        for (const auto &weak : m_connections) {
            if (auto connection = weak.lock())
                connections.push_back(std::move(connection));
        }
        m_connections.clear();
    }
    {
        // Wake writers queued at the gate: they return "closed" at once.
        std::lock_guard lock(m_gateMutex);
    }
    m_gateCv.notify_all();

    // Let running queries finish within the budget, then interrupt the rest.
    std::vector<std::unique_lock<Connection::UseMutex>> held;
    std::vector<std::shared_ptr<Connection>> late;
    for (const auto &connection : connections) {
        std::unique_lock lock(connection->useMutex(), std::defer_lock);
        if (lock.try_lock_until(deadline))
            held.push_back(std::move(lock));
        else
            late.push_back(connection);
    }
    for (const auto &connection : late) {
        qCWarning(lcDb) << "interrupting a database query still running at shutdown";
        connection->interrupt();
    }
    for (const auto &connection : late)
        held.emplace_back(connection->useMutex());

    if (!emergency && !m_readOnly.load()) {
        for (const auto &connection : connections) {
            if (!connection->isOpen())
                continue;
            const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            connection->setBusyTimeout(std::max(remaining, std::chrono::milliseconds(1)));
            if (Status checkpoint = connection->exec("PRAGMA wal_checkpoint(TRUNCATE)"); !checkpoint)
                qCWarning(lcDb).noquote() << "WAL checkpoint at shutdown failed:" << checkpoint.error().toString();
            break;
        }
    }
    for (const auto &connection : connections)
        connection->close();
    held.clear();
    m_state.store(State::ShutDown, std::memory_order_release);
    qCDebug(lcDb) << "database closed," << connections.size() << "connection(s)";
    return result;
}

// ---------------------------------------------------------------------------------------------
// Test hooks

Result<quint64> DatabaseManager::currentThreadConnectionId()
{
    auto connection = threadConnection();
    if (!connection)
        return connection.error();
    return (*connection)->id();
}

int DatabaseManager::openConnectionCount() const
{
    std::lock_guard lock(m_mutex);
    int count = 0;
    for (const auto &weak : m_connections) {
        if (auto connection = weak.lock(); connection && connection->isOpen())
            ++count;
    }
    return count;
}

} // namespace oncutf::core::db
