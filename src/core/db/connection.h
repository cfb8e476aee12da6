#pragma once

#include "core/db/statement.h"
#include "core/error.h"

#include <QByteArray>
#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace oncutf::core::db {

/// One SQLite connection (a `sqlite3*`) with its cache of persistent prepared statements.
/// DatabaseManager opens one per thread and owns it through a shared pointer; tests and
/// maintenance code may also open a standalone one on any file.
/// Threading: used by one thread at a time. DatabaseManager serialises the owning thread and a
/// shutdown on another thread through useMutex(); interrupt() is safe from any thread.
class Connection final {
public:
    enum class Mode {
        ReadWrite,       ///< the file must exist
        ReadWriteCreate, ///< created when missing
        ReadOnly,        ///< never written; SQLite may still use an existing -wal/-shm
        Immutable,       ///< read-only on a medium nobody can write (no locks, no -shm needed)
    };

    /// Opens `path` (native file name; names that are not UTF-8 work). Sets no pragmas.
    static Result<std::shared_ptr<Connection>> open(const QString &path, Mode mode);

    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;
    Connection(Connection &&) = delete;
    Connection &operator=(Connection &&) = delete;

    /// A process-wide unique number, for tests that prove each thread got its own connection.
    [[nodiscard]] quint64 id() const { return m_id; }
    [[nodiscard]] const QString &path() const { return m_path; }
    [[nodiscard]] Mode mode() const { return m_mode; }
    [[nodiscard]] bool isOpen() const { return m_open.load(std::memory_order_acquire); }
    [[nodiscard]] bool isReadOnly() const { return m_mode == Mode::ReadOnly || m_mode == Mode::Immutable; }

    /// Runs one or more SQL statements that take no parameters and return no rows of interest.
    Status exec(const char *sql);

    /// A prepared statement from this connection's cache (prepared once, reused).
    /// A statement still in use (a nested call) gets a fresh, uncached copy instead.
    Result<Statement> prepare(const char *sql);

    /// First column of the first row (a pragma or an aggregate), as integer or text.
    Result<qint64> queryInt(const char *sql);
    Result<QString> queryText(const char *sql);

    [[nodiscard]] qint64 lastInsertRowId() const;
    [[nodiscard]] int changes() const;
    /// True while an explicit transaction is open on this connection.
    [[nodiscard]] bool isInTransaction() const;

    void setBusyTimeout(std::chrono::milliseconds timeout);
    /// Makes the statement running now (on another thread) fail with ErrorCode::Cancelled.
    void interrupt();
    /// Finalizes every cached statement and closes the handle. Idempotent. The caller holds
    /// useMutex() when another thread might be using the connection.
    void close();

    /// Turns a SQLite result code into an Error with a message a user can act on.
    [[nodiscard]] Error error(int rc, const QString &context) const;
    [[nodiscard]] sqlite3 *handle() const { return m_db; }

    /// A timed mutex (Lockable and TimedLockable, for std::unique_lock) built on std::mutex and a
    /// condition variable: GCC 12's ThreadSanitizer does not see std::timed_mutex's
    /// pthread_mutex_clocklock and reports false errors.
    class UseMutex {
    public:
        void lock()
        {
            std::unique_lock guard(m_mutex);
            m_released.wait(guard, [this] { return !m_locked; });
            m_locked = true;
        }
        bool try_lock() // NOLINT(readability-identifier-naming): std::unique_lock needs this name
        {
            std::lock_guard guard(m_mutex);
            if (m_locked)
                return false;
            m_locked = true;
            return true;
        }
        template <typename Clock, typename Duration>
        bool try_lock_until(const std::chrono::time_point<Clock, Duration> &deadline) // NOLINT
        {
            std::unique_lock guard(m_mutex);
            if (!m_released.wait_until(guard, deadline, [this] { return !m_locked; }))
                return false;
            m_locked = true;
            return true;
        }
        void unlock()
        {
            {
                std::lock_guard guard(m_mutex);
                m_locked = false;
            }
            m_released.notify_one();
        }

    private:
        std::mutex m_mutex;
        std::condition_variable m_released;
        bool m_locked = false;
    };

    /// Held by whoever uses the connection; lets a shutdown wait for (or interrupt) a user.
    UseMutex &useMutex() { return m_useMutex; }

private:
    friend class Statement;
    friend class DatabaseManager;

    Connection(sqlite3 *db, QString path, Mode mode);

    struct CachedStatement {
        sqlite3_stmt *stmt = nullptr;
        bool inUse = false;
    };

    void releaseStatement(sqlite3_stmt *stmt, bool *inUse);

    // Guards m_db between close() and interrupt(), which a shutdown calls from another thread.
    mutable std::mutex m_handleMutex;
    sqlite3 *m_db = nullptr;
    const QString m_path;
    const Mode m_mode;
    const quint64 m_id;
    std::atomic<bool> m_open{true};
    UseMutex m_useMutex;
    // Looked up by string_view, so finding a cached statement allocates nothing.
    struct SqlHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view sql) const noexcept { return std::hash<std::string_view>{}(sql); }
    };
    std::unordered_map<std::string, CachedStatement, SqlHash, std::equal_to<>> m_statements;
    // Owned by the thread using the connection (DatabaseManager): nesting of transaction()/read().
    int m_txDepth = 0;
    bool m_txIsWrite = false;
    bool m_leased = false; // inside DatabaseManager::withConnection()
};

} // namespace oncutf::core::db
