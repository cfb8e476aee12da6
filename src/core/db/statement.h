#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QString>

struct sqlite3_stmt;

namespace oncutf::core::db {

class Connection;

/// A prepared statement borrowed from a Connection: bind parameters (1-based), step through the
/// rows, read columns (0-based). Paths are bound as BLOBs so any byte sequence round-trips.
/// Binding after a step resets the statement first, so one Statement serves a whole loop.
/// Returned to the connection's cache (reset) when destroyed.
/// Threading: the thread that owns the Connection, like the connection itself.
class Statement final {
public:
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    ~Statement();

    void bindInt(int index, qint64 value);
    void bindDouble(int index, double value);
    void bindBlob(int index, const QByteArray &bytes);
    void bindText(int index, const QString &text);
    /// Binds bytes that are already UTF-8 (JSON) as TEXT without a round trip through QString.
    void bindUtf8(int index, const QByteArray &utf8);
    void bindNull(int index);

    /// Advances to the next row: true when a row is ready, false when done.
    Result<bool> step();
    /// Steps until done (an INSERT/UPDATE/DELETE).
    Status run();
    void reset();

    [[nodiscard]] bool isNull(int column) const;
    [[nodiscard]] qint64 int64(int column) const;
    [[nodiscard]] double real(int column) const;
    [[nodiscard]] QByteArray blob(int column) const;
    [[nodiscard]] QByteArray utf8(int column) const;
    [[nodiscard]] QString text(int column) const;
    /// The column's bytes without a copy; valid until the next step, reset or bind.
    [[nodiscard]] QByteArrayView view(int column) const;

private:
    friend class Connection;
    Statement(Connection *connection, sqlite3_stmt *stmt, bool *cacheInUse);
    void prepareBind();
    void release();

    Connection *m_connection = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    bool *m_cacheInUse = nullptr; // the cache slot's flag, or null for an uncached statement
    bool m_stepped = false;
};

} // namespace oncutf::core::db
