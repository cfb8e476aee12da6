#pragma once

#include "core/error.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <chrono>
#include <mutex>

namespace oncutf::core::db {

class DatabaseManager;

/// Online backups of the live database with SQLite's backup API (never a file copy, which can
/// miss pages still in the -wal file): `<dbdir>/backups/oncutf-<yyyyMMdd-HHmmss-zzz>.db`, a
/// self-contained file in rollback-journal mode, keeping the newest keepCount() of them. The GUI
/// schedules backupNow() every kDefaultBackupInterval through the TimerManager; the
/// DatabaseManager takes one at shutdown when asked to; `oncutf-cli db backup` takes one on
/// demand. Owned by whoever schedules it; holds a reference to the DatabaseManager.
/// Threading: thread-safe; concurrent backupNow() calls run one after the other.
class BackupManager final {
public:
    static constexpr auto kDefaultBackupInterval = std::chrono::minutes(15);
    static constexpr int kDefaultKeep = 2;

    explicit BackupManager(DatabaseManager &database, int keep = kDefaultKeep);
    BackupManager(const BackupManager &) = delete;
    BackupManager &operator=(const BackupManager &) = delete;
    BackupManager(BackupManager &&) = delete;
    BackupManager &operator=(BackupManager &&) = delete;

    /// How many backups rotation keeps (at least 1).
    void setKeepCount(int keep);
    [[nodiscard]] int keepCount() const { return m_keep.load(); }
    [[nodiscard]] QString backupDirectory() const;

    /// Copies the database into a new backup file, then deletes the oldest backups beyond
    /// keepCount(). Returns the new file's path.
    Result<QString> backupNow();
    /// Existing backups, newest first.
    [[nodiscard]] QStringList backups() const;

private:
    void rotateLocked();

    DatabaseManager &m_database;
    std::atomic<int> m_keep;
    std::mutex m_mutex;
};

} // namespace oncutf::core::db
