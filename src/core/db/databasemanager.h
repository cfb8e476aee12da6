#pragma once

#include "core/concurrency/shutdownparticipant.h"
#include "core/db/connection.h"
#include "core/error.h"

#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace oncutf::core::db {

/// The oncutf database: opens it (integrity check, moving a damaged file aside, migrations),
/// hands every thread its own SQLite connection and runs reads and batched write transactions on
/// it. Stores (FileStore, MetadataCache, HashCache, RenameJournal, SessionStateStore) and the
/// BackupManager work through it. One per process, owned by the application context; stopped
/// in the shutdown coordinator's DATABASE phase.
/// Threading: every public method is thread-safe. Each thread lazily gets its own connection,
/// closed when the thread ends or at shutdown. Writers in this process are serialised by a mutex;
/// a lock held by another process is waited for (busy timeout plus retries) up to lockDeadline,
/// then reported as ErrorCode::Busy.
class DatabaseManager final : public concurrency::ShutdownParticipant {
public:
    struct Options {
        /// SQLite's own wait on a lock per attempt.
        std::chrono::milliseconds busyTimeout{5000};
        /// Overall wait for a lock held elsewhere before "locked by another process" is reported.
        std::chrono::milliseconds lockDeadline{30000};
        /// Page cache per connection, in KiB.
        int cacheSizeKiB = 16384;
        /// Bytes of the file each connection reads through a memory map (PRAGMA mmap_size; 0 =
        /// SQLite's default, none): pages are used in place instead of copied by pread into
        /// page-cache buffers. For short-lived read-heavy processes (the CLI's metadata command).
        qint64 mmapSizeBytes = 0;
        /// Checkpoint the write-ahead log whenever a commit leaves it over this many pages
        /// (PRAGMA wal_autocheckpoint; 0 = SQLite's default, 1000).
        int walAutocheckpointPages = 0;
        /// Take a backup in shutdownNow() (not in emergency mode), keeping backupKeep of them.
        bool backupOnShutdown = false;
        int backupKeep = 2;
        /// Test hook: migrate only up to this version (0 = the latest).
        int schemaVersionLimit = 0;
    };

    /// Which lock withConnection() holds besides the connection itself.
    enum class Access { Read, Write };

    explicit DatabaseManager(QString path, Options options);
    explicit DatabaseManager(QString path);
    ~DatabaseManager() override;
    DatabaseManager(const DatabaseManager &) = delete;
    DatabaseManager &operator=(const DatabaseManager &) = delete;
    DatabaseManager(DatabaseManager &&) = delete;
    DatabaseManager &operator=(DatabaseManager &&) = delete;

    /// $ONCUTF_DB when set, else `<GenericDataLocation>/oncutf/oncutf.db` (honours XDG_DATA_HOME;
    /// the same file for the GUI and the CLI whatever their application names).
    static QString defaultDatabasePath();
    /// The schema version this build writes.
    static int latestSchemaVersion();

    /// Opens the database: creates missing parent folders; refuses a folder, a database from a
    /// newer oncutf (ErrorCode::TooNew, file untouched) and a locked one after lockDeadline; moves a
    /// damaged database aside and starts a fresh one (see takeRecoveryNotice()); opens read-only
    /// when the file or folder cannot be written; migrates an older schema. Idempotent; called
    /// implicitly by the first read or write.
    Status open();
    [[nodiscard]] bool isOpen() const;
    /// True when the database could only be opened read-only: every write returns an error.
    [[nodiscard]] bool isReadOnly() const;
    [[nodiscard]] QString path() const { return m_path; }
    [[nodiscard]] const Options &options() const { return m_options; }
    /// The schema version found after open() (and migration).
    [[nodiscard]] int schemaVersion() const;

    /// A plain-words notice, returned once, when open() had to replace a damaged database.
    std::optional<QString> takeRecoveryNotice();

    /// Runs `body` in a write transaction (BEGIN IMMEDIATE) on this thread's connection and
    /// commits when it returns success, rolls back otherwise. Nested calls become savepoints.
    /// `body` may run again when another process held the lock (it must only touch the
    /// database and its own outputs).
    Status transaction(const std::function<Status(Connection &)> &body);
    /// Runs `body` in a read transaction (one consistent snapshot). Inside a transaction() it
    /// simply joins it.
    Status read(const std::function<Status(Connection &)> &body);
    /// read() for a body that yields one value (a count, a row): its Result is passed through.
    template <typename T, typename Body>
    Result<T> readValue(Body &&body)
    {
        std::optional<T> value;
        const Status status = read([&](Connection &connection) -> Status {
            Result<T> produced = body(connection);
            if (!produced)
                return produced.error();
            value = std::move(*produced);
            return {};
        });
        if (!status)
            return status.error();
        return std::move(*value);
    }
    /// Lends this thread's connection without a transaction (backup, VACUUM, checkpoint).
    /// Access::Write also holds the in-process writer lock and is refused when read-only.
    Status withConnection(Access access, const std::function<Status(Connection &)> &body);

    /// shutdownNow() with a generous budget.
    Status close();

    // ShutdownParticipant
    [[nodiscard]] QString participantName() const override;
    [[nodiscard]] QVariantMap shutdownHealth() const override;
    /// Waits for running queries (interrupting them past `budget`), optionally takes the shutdown
    /// backup, checkpoints the WAL (TRUNCATE) and closes every thread's connection. Idempotent;
    /// afterwards every call returns an error.
    Status shutdownNow(std::chrono::milliseconds budget, bool emergency) override;

    // Test hooks.
    /// The id of the calling thread's connection (opening it if needed).
    Result<quint64> currentThreadConnectionId();
    /// Connections open right now, over all threads.
    [[nodiscard]] int openConnectionCount() const;
    /// Connections ever opened by this manager.
    [[nodiscard]] quint64 connectionsOpened() const { return m_connectionsOpened.load(); }

private:
    enum class State { Closed, Open, ShuttingDown, ShutDown };

    Status openLocked();
    Result<std::shared_ptr<Connection>> openReadable() const;
    Status probeExistingLocked(bool &corrupt, QString &reason);
    Status moveAsideLocked(const QString &reason);
    Status configure(Connection &connection) const;
    Status migrateLocked(Connection &connection);
    Result<std::shared_ptr<Connection>> threadConnection();
    void registerConnection(const std::shared_ptr<Connection> &connection);
    Status runTransaction(Connection &connection, bool write, const std::function<Status(Connection &)> &body);
    Status beginWithRetry(Connection &connection, const char *sql,
                          std::chrono::steady_clock::time_point deadline);
    Status runNested(Connection &connection, bool write, const std::function<Status(Connection &)> &body);
    Status acquireWriter(std::chrono::steady_clock::time_point deadline);
    void releaseWriter();
    [[nodiscard]] bool isStopping() const;
    [[nodiscard]] Error closedError() const;
    [[nodiscard]] Error lockedError() const;
    [[nodiscard]] Error readOnlyError() const;
    [[nodiscard]] Error tooNewError(qint64 version) const;
    [[nodiscard]] std::optional<qint64> headerSchemaVersion() const;

    const QString m_path;
    const Options m_options;
    const quint64 m_id;

    std::atomic<State> m_state{State::Closed};
    std::atomic<bool> m_readOnly{false};
    std::atomic<int> m_schemaVersion{0};
    std::atomic<quint64> m_connectionsOpened{0};
    Connection::Mode m_connectionMode = Connection::Mode::ReadWrite; // set under m_openMutex before Open

    // Serialises open() and shutdownNow().
    std::mutex m_openMutex;
    // Registry of every thread's connection, so shutdown can close them all.
    mutable std::mutex m_mutex;
    std::vector<std::weak_ptr<Connection>> m_connections;
    std::optional<QString> m_recoveryNotice;
    // In-process writers queue at this gate instead of spinning on SQLITE_BUSY; a shutdown
    // wakes every waiter.
    std::mutex m_gateMutex;
    std::condition_variable m_gateCv;
    bool m_writerActive = false;
};

} // namespace oncutf::core::db
