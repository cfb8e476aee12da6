#include "core/db/connection.h"

#include "core/logging.h"

#include <QFile>

#include <sqlite3.h>

#include <cerrno>

namespace oncutf::core::db {

namespace {

std::atomic<quint64> g_nextConnectionId{1};

QString plainMessage(int rc, int systemErrno, ErrorCode &code)
{
    switch (rc & 0xff) {
    case SQLITE_FULL:
        code = ErrorCode::NoSpace;
        return QStringLiteral("not enough disk space to save to the database; nothing was changed");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = ErrorCode::Busy;
        return QStringLiteral("the database is locked by another process");
    case SQLITE_READONLY:
        code = ErrorCode::PermissionDenied;
        return QStringLiteral("the database is read-only: changes cannot be saved");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        code = ErrorCode::Corrupt;
        return QStringLiteral("the database file is damaged or is not an oncutf database");
    case SQLITE_PERM:
    case SQLITE_AUTH:
        code = ErrorCode::PermissionDenied;
        return QStringLiteral("permission denied");
    case SQLITE_INTERRUPT:
        code = ErrorCode::Cancelled;
        return QStringLiteral("the database operation was interrupted");
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
        code = ErrorCode::InvalidArgument;
        return QStringLiteral("the data was rejected by the database");
    case SQLITE_CANTOPEN:
        if (systemErrno == EACCES || systemErrno == EPERM || systemErrno == EROFS) {
            code = ErrorCode::PermissionDenied;
            return QStringLiteral("cannot open the database: permission denied");
        }
        if (systemErrno == EISDIR) {
            code = ErrorCode::InvalidArgument;
            return QStringLiteral("cannot open the database: it is a folder, not a file");
        }
        if (systemErrno == ENOENT) {
            code = ErrorCode::NotFound;
            return QStringLiteral("cannot open the database: the file or its folder does not exist");
        }
        code = ErrorCode::Io;
        return QStringLiteral("cannot open the database file");
    case SQLITE_IOERR:
        // A full disk often surfaces as a failed write rather than SQLITE_FULL.
        if (systemErrno == ENOSPC || systemErrno == EDQUOT) {
            code = ErrorCode::NoSpace;
            return QStringLiteral("not enough disk space to save to the database; nothing was changed");
        }
        if (systemErrno == EROFS || systemErrno == EACCES) {
            code = ErrorCode::PermissionDenied;
            return QStringLiteral("the database is on a read-only file system: changes cannot be saved");
        }
        code = ErrorCode::Io;
        return QStringLiteral("a disk input/output error occurred while using the database");
    case SQLITE_NOMEM:
        code = ErrorCode::Internal;
        return QStringLiteral("out of memory while using the database");
    default:
        code = ErrorCode::Internal;
        return QStringLiteral("database error");
    }
}

} // namespace

Connection::Connection(sqlite3 *db, QString path, Mode mode)
    : m_db(db), m_path(std::move(path)), m_mode(mode), m_id(g_nextConnectionId.fetch_add(1))
{
}

Connection::~Connection()
{
    close();
}

Result<std::shared_ptr<Connection>> Connection::open(const QString &path, Mode mode)
{
    int flags = SQLITE_OPEN_NOMUTEX;
    QByteArray name = QFile::encodeName(path);
    switch (mode) {
    case Mode::ReadWrite:
        flags |= SQLITE_OPEN_READWRITE;
        break;
    case Mode::ReadWriteCreate:
        flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        break;
    case Mode::ReadOnly:
        flags |= SQLITE_OPEN_READONLY;
        break;
    case Mode::Immutable:
        flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
        // Percent-encode the raw bytes (not a QString) so names that are not UTF-8 survive.
        name = QByteArrayLiteral("file:") + QFile::encodeName(path).toPercentEncoding("/")
            + QByteArrayLiteral("?immutable=1");
        break;
    }

    sqlite3 *db = nullptr;
    const int rc = sqlite3_open_v2(name.constData(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        ErrorCode code = ErrorCode::Internal;
        const int sysErr = db != nullptr ? sqlite3_system_errno(db) : 0;
        QString message = plainMessage(rc, sysErr, code);
        if (db != nullptr) {
            message += QStringLiteral(" (") + QString::fromUtf8(sqlite3_errmsg(db)) + QLatin1Char(')');
            sqlite3_close_v2(db);
        }
        return makeError(code, message, path);
    }
    sqlite3_extended_result_codes(db, 1);
    return std::shared_ptr<Connection>(new Connection(db, path, mode));
}

Status Connection::exec(const char *sql)
{
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        return error(rc, QString());
    return {};
}

Result<Statement> Connection::prepare(const char *sql)
{
    auto it = m_statements.find(std::string_view(sql));
    if (it != m_statements.end() && !it->second.inUse) {
        it->second.inUse = true;
        return Statement(this, it->second.stmt, &it->second.inUse);
    }
    const bool cache = it == m_statements.end();
    sqlite3_stmt *stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, sql, -1, cache ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
    if (rc != SQLITE_OK)
        return error(rc, QStringLiteral("preparing a query"));
    if (!cache)
        return Statement(this, stmt, nullptr);
    auto [slot, inserted] = m_statements.emplace(sql, CachedStatement{stmt, true});
    Q_ASSERT(inserted);
    return Statement(this, stmt, &slot->second.inUse);
}

void Connection::releaseStatement(sqlite3_stmt *stmt, bool *inUse)
{
    if (inUse != nullptr) {
        sqlite3_reset(stmt);
        *inUse = false;
    } else {
        sqlite3_finalize(stmt);
    }
}

Result<qint64> Connection::queryInt(const char *sql)
{
    auto st = prepare(sql);
    if (!st)
        return st.error();
    auto row = st->step();
    if (!row)
        return row.error();
    if (!*row)
        return makeError(ErrorCode::Internal, QStringLiteral("a database query returned no row"), m_path);
    return st->int64(0);
}

Result<QString> Connection::queryText(const char *sql)
{
    auto st = prepare(sql);
    if (!st)
        return st.error();
    auto row = st->step();
    if (!row)
        return row.error();
    if (!*row)
        return makeError(ErrorCode::Internal, QStringLiteral("a database query returned no row"), m_path);
    return st->text(0);
}

qint64 Connection::lastInsertRowId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Connection::changes() const
{
    return sqlite3_changes(m_db);
}

bool Connection::isInTransaction() const
{
    return m_db != nullptr && sqlite3_get_autocommit(m_db) == 0;
}

void Connection::setBusyTimeout(std::chrono::milliseconds timeout)
{
    sqlite3_busy_timeout(m_db, static_cast<int>(timeout.count()));
}

void Connection::interrupt()
{
    std::lock_guard lock(m_handleMutex);
    if (m_db != nullptr)
        sqlite3_interrupt(m_db);
}

void Connection::close()
{
    std::lock_guard lock(m_handleMutex);
    if (m_db == nullptr)
        return;
    for (auto &[sql, cached] : m_statements) {
        Q_ASSERT(!cached.inUse);
        sqlite3_finalize(cached.stmt);
    }
    m_statements.clear();
    // close_v2 defers the close if an uncached statement is still alive instead of failing.
    const int rc = sqlite3_close_v2(m_db);
    if (rc != SQLITE_OK)
        qCWarning(lcDb) << "closing the database connection failed:" << sqlite3_errstr(rc);
    m_db = nullptr;
    m_open.store(false, std::memory_order_release);
}

Error Connection::error(int rc, const QString &context) const
{
    ErrorCode code = ErrorCode::Internal;
    const int sysErr = m_db != nullptr ? sqlite3_system_errno(m_db) : 0;
    QString message = plainMessage(rc, sysErr, code);
    if (!context.isEmpty())
        message = context + QStringLiteral(": ") + message;
    const char *detail = m_db != nullptr ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
    message += QStringLiteral(" (") + QString::fromUtf8(detail) + QLatin1Char(')');
    return makeError(code, message, m_path);
}

} // namespace oncutf::core::db
