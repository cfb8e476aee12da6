#pragma once

#include "core/error.h"

#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace oncutf::core::db {

class DatabaseManager;

/// What `oncutf-cli db info` reports.
struct DatabaseInfo {
    QString path;
    qint64 fileBytes = 0;
    qint64 walBytes = 0;
    /// fileBytes + walBytes: what the database takes on disk now.
    qint64 sizeBytes = 0;
    int schemaVersion = 0;
    int latestSchemaVersion = 0;
    /// Rows per table under stable names: files, metadata, hashes, batches, operations,
    /// session_state.
    QList<QPair<QString, qint64>> counts;
    qint64 pageSize = 0;
    qint64 pageCount = 0;
    qint64 freePages = 0;
    QString journalMode;
    bool readOnly = false;
};

/// Checks, compacts and describes the database (`oncutf-cli db check|vacuum|info`).
/// Threading: thread-safe; runs on the calling thread's connection.
class DatabaseMaintenance final {
public:
    explicit DatabaseMaintenance(DatabaseManager &database);

    /// Full `PRAGMA integrity_check` plus `foreign_key_check`: the problems found, empty when
    /// the database is sound.
    Result<QStringList> check() const;
    /// Rebuilds the file to reclaim free pages, then truncates the WAL.
    Status vacuum();
    Result<DatabaseInfo> info() const;

private:
    DatabaseManager &m_database;
};

} // namespace oncutf::core::db
