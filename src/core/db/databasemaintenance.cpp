#include "core/db/databasemaintenance.h"

#include "core/db/connection.h"
#include "core/db/databasemanager.h"

#include <QFileInfo>

#include <array>

namespace oncutf::core::db {

DatabaseMaintenance::DatabaseMaintenance(DatabaseManager &database) : m_database(database) {}

Result<QStringList> DatabaseMaintenance::check() const
{
    QStringList problems;
    Status status = m_database.read([&](Connection &c) -> Status {
        problems.clear();
        auto integrity = c.prepare("PRAGMA integrity_check");
        if (!integrity)
            return integrity.error();
        for (;;) {
            auto row = integrity->step();
            if (!row)
                return row.error();
            if (!*row)
                break;
            const QString line = integrity->text(0);
            if (line != QLatin1String("ok"))
                problems << line;
        }
        auto foreignKeys = c.prepare("PRAGMA foreign_key_check");
        if (!foreignKeys)
            return foreignKeys.error();
        for (;;) {
            auto row = foreignKeys->step();
            if (!row)
                return row.error();
            if (!*row)
                break;
            problems << QStringLiteral("row %1 of table %2 refers to a missing row of table %3")
                            .arg(foreignKeys->text(1), foreignKeys->text(0), foreignKeys->text(2));
        }
        return {};
    });
    if (!status) {
        // A damaged file often fails the check itself rather than reporting rows.
        if (status.error().code == ErrorCode::Corrupt)
            return QStringList{status.error().message};
        return status.error();
    }
    return problems;
}

Status DatabaseMaintenance::vacuum()
{
    return m_database.withConnection(DatabaseManager::Access::Write, [](Connection &c) -> Status {
        if (Status vacuumed = c.exec("VACUUM"); !vacuumed)
            return vacuumed;
        return c.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    });
}

Result<DatabaseInfo> DatabaseMaintenance::info() const
{
    DatabaseInfo info;
    info.path = m_database.path();
    info.latestSchemaVersion = DatabaseManager::latestSchemaVersion();
    info.readOnly = m_database.isReadOnly();
    static constexpr std::array<std::pair<const char *, const char *>, 6> kTables{{
        {"files", "SELECT count(*) FROM files"},
        {"metadata", "SELECT count(*) FROM metadata_cache"},
        {"hashes", "SELECT count(*) FROM hash_cache"},
        {"batches", "SELECT count(*) FROM rename_batches"},
        {"operations", "SELECT count(*) FROM rename_ops"},
        {"session_state", "SELECT count(*) FROM session_state"},
    }};
    Status status = m_database.read([&](Connection &c) -> Status {
        auto version = c.queryInt("PRAGMA user_version");
        auto pageSize = c.queryInt("PRAGMA page_size");
        auto pageCount = c.queryInt("PRAGMA page_count");
        auto freePages = c.queryInt("PRAGMA freelist_count");
        auto journal = c.queryText("PRAGMA journal_mode");
        for (const auto *result : {&version, &pageSize, &pageCount, &freePages}) {
            if (!*result)
                return result->error();
        }
        if (!journal)
            return journal.error();
        info.schemaVersion = static_cast<int>(*version);
        info.pageSize = *pageSize;
        info.pageCount = *pageCount;
        info.freePages = *freePages;
        info.journalMode = *journal;
        info.counts.clear();
        for (const auto &[name, sql] : kTables) {
            auto rows = c.queryInt(sql);
            if (!rows)
                return rows.error();
            info.counts.append({QLatin1String(name), *rows});
        }
        return {};
    });
    if (!status)
        return status.error();
    info.fileBytes = QFileInfo(info.path).size();
    const QFileInfo wal(info.path + QStringLiteral("-wal"));
    info.walBytes = wal.exists() ? wal.size() : 0;
    info.sizeBytes = info.fileBytes + info.walBytes;
    return info;
}

} // namespace oncutf::core::db
