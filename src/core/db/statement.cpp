#include "core/db/statement.h"

#include "core/db/connection.h"

#include <sqlite3.h>

#include <utility>

namespace oncutf::core::db {

Statement::Statement(Connection *connection, sqlite3_stmt *stmt, bool *cacheInUse)
    : m_connection(connection), m_stmt(stmt), m_cacheInUse(cacheInUse)
{
}

Statement::Statement(Statement &&other) noexcept
    : m_connection(std::exchange(other.m_connection, nullptr)),
      m_stmt(std::exchange(other.m_stmt, nullptr)),
      m_cacheInUse(std::exchange(other.m_cacheInUse, nullptr)),
      m_stepped(other.m_stepped)
{
}

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        release();
        m_connection = std::exchange(other.m_connection, nullptr);
        m_stmt = std::exchange(other.m_stmt, nullptr);
        m_cacheInUse = std::exchange(other.m_cacheInUse, nullptr);
        m_stepped = other.m_stepped;
    }
    return *this;
}

Statement::~Statement()
{
    release();
}

void Statement::release()
{
    if (m_stmt != nullptr && m_connection != nullptr)
        m_connection->releaseStatement(m_stmt, m_cacheInUse);
    m_stmt = nullptr;
    m_connection = nullptr;
    m_cacheInUse = nullptr;
}

void Statement::prepareBind()
{
    if (m_stepped) {
        sqlite3_reset(m_stmt);
        m_stepped = false;
    }
}

// Bind failures are programming errors (wrong index, statement misuse): SQLite copies the values
// (SQLITE_TRANSIENT), so a caller may bind a temporary.
void Statement::bindInt(int index, qint64 value)
{
    prepareBind();
    [[maybe_unused]] const int rc = sqlite3_bind_int64(m_stmt, index, value);
    Q_ASSERT(rc == SQLITE_OK);
}

void Statement::bindDouble(int index, double value)
{
    prepareBind();
    [[maybe_unused]] const int rc = sqlite3_bind_double(m_stmt, index, value);
    Q_ASSERT(rc == SQLITE_OK);
}

void Statement::bindBlob(int index, const QByteArray &bytes)
{
    prepareBind();
    // A null data pointer would bind SQL NULL; an empty path must stay an empty BLOB.
    static const char kEmpty = 0;
    const char *data = bytes.isEmpty() ? &kEmpty : bytes.constData();
    [[maybe_unused]] const int rc =
        sqlite3_bind_blob64(m_stmt, index, data, static_cast<sqlite3_uint64>(bytes.size()), SQLITE_TRANSIENT);
    Q_ASSERT(rc == SQLITE_OK);
}

void Statement::bindText(int index, const QString &text)
{
    bindUtf8(index, text.toUtf8());
}

void Statement::bindUtf8(int index, const QByteArray &utf8)
{
    prepareBind();
    static const char kEmpty = 0;
    const char *data = utf8.isEmpty() ? &kEmpty : utf8.constData();
    [[maybe_unused]] const int rc = sqlite3_bind_text64(m_stmt, index, data, static_cast<sqlite3_uint64>(utf8.size()),
                                                        SQLITE_TRANSIENT, SQLITE_UTF8);
    Q_ASSERT(rc == SQLITE_OK);
}

void Statement::bindNull(int index)
{
    prepareBind();
    [[maybe_unused]] const int rc = sqlite3_bind_null(m_stmt, index);
    Q_ASSERT(rc == SQLITE_OK);
}

Result<bool> Statement::step()
{
    m_stepped = true;
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    // Reset so the statement is reusable and the error is attributed to this step.
    sqlite3_reset(m_stmt);
    m_stepped = false;
    return m_connection->error(rc, QString());
}

Status Statement::run()
{
    for (;;) {
        auto row = step();
        if (!row)
            return row.error();
        if (!*row)
            break;
    }
    reset();
    return {};
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    m_stepped = false;
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

qint64 Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

QByteArray Statement::blob(int column) const
{
    const void *data = sqlite3_column_blob(m_stmt, column);
    const int size = sqlite3_column_bytes(m_stmt, column);
    return data == nullptr ? QByteArray() : QByteArray(static_cast<const char *>(data), size);
}

QByteArray Statement::utf8(int column) const
{
    const unsigned char *data = sqlite3_column_text(m_stmt, column);
    const int size = sqlite3_column_bytes(m_stmt, column);
    return data == nullptr ? QByteArray() : QByteArray(reinterpret_cast<const char *>(data), size);
}

QString Statement::text(int column) const
{
    const unsigned char *data = sqlite3_column_text(m_stmt, column);
    const int size = sqlite3_column_bytes(m_stmt, column);
    return data == nullptr ? QString() : QString::fromUtf8(reinterpret_cast<const char *>(data), size);
}

} // namespace oncutf::core::db

namespace oncutf::core::db {

QByteArrayView Statement::view(int column) const
{
    const void *data = sqlite3_column_blob(m_stmt, column);
    const int size = sqlite3_column_bytes(m_stmt, column);
    return data == nullptr ? QByteArrayView() : QByteArrayView(static_cast<const char *>(data), size);
}

} // namespace oncutf::core::db
