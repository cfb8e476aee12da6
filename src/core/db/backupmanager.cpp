#include "core/db/backupmanager.h"

#include "core/db/connection.h"
#include "core/db/databasemanager.h"
#include "core/logging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

#include <algorithm>

namespace oncutf::core::db {

namespace {
const QString kPrefix = QStringLiteral("oncutf-");
const QString kSuffix = QStringLiteral(".db");
} // namespace

BackupManager::BackupManager(DatabaseManager &database, int keep) : m_database(database), m_keep(std::max(1, keep))
{
}

void BackupManager::setKeepCount(int keep)
{
    m_keep.store(std::max(1, keep));
}

QString BackupManager::backupDirectory() const
{
    return QFileInfo(m_database.path()).absolutePath() + QStringLiteral("/backups");
}

QStringList BackupManager::backups() const
{
    const QDir dir(backupDirectory());
    // The timestamp in the name sorts chronologically.
    const QStringList names =
        dir.entryList({kPrefix + QLatin1Char('*') + kSuffix}, QDir::Files, QDir::Name | QDir::Reversed);
    QStringList paths;
    paths.reserve(names.size());
    for (const QString &name : names)
        paths << dir.filePath(name);
    return paths;
}

Result<QString> BackupManager::backupNow()
{
    std::lock_guard lock(m_mutex);
    const QString folder = backupDirectory();
    if (!QDir().mkpath(folder))
        return makeError(ErrorCode::PermissionDenied, QStringLiteral("cannot create the backup folder"), folder);

    // Two backups in one millisecond take the next free millisecond, so names keep sorting by time.
    QDateTime when = QDateTime::currentDateTime();
    QString target;
    for (;; when = when.addMSecs(1)) {
        target = folder + QLatin1Char('/') + kPrefix + when.toString(QStringLiteral("yyyyMMdd-HHmmss-zzz")) + kSuffix;
        if (!QFileInfo::exists(target) && !QFileInfo::exists(target + QStringLiteral(".partial")))
            break;
    }
    // Written under a name rotation ignores, then renamed, so a half-written backup never counts.
    const QString partial = target + QStringLiteral(".partial");

    const auto deadline = std::chrono::steady_clock::now() + m_database.options().lockDeadline;
    Status copied = m_database.withConnection(DatabaseManager::Access::Read, [&](Connection &source) -> Status {
        auto opened = Connection::open(partial, Connection::Mode::ReadWriteCreate);
        if (!opened)
            return opened.error();
        Connection &destination = **opened;
        sqlite3_backup *backup = sqlite3_backup_init(destination.handle(), "main", source.handle(), "main");
        if (backup == nullptr)
            return destination.error(sqlite3_errcode(destination.handle()), QStringLiteral("starting the backup"));
        int rc = SQLITE_OK;
        do {
            rc = sqlite3_backup_step(backup, -1);
        } while ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && std::chrono::steady_clock::now() < deadline);
        const int finished = sqlite3_backup_finish(backup);
        if (rc != SQLITE_DONE)
            return destination.error(rc, QStringLiteral("copying the database into the backup"));
        if (finished != SQLITE_OK)
            return destination.error(finished, QStringLiteral("finishing the backup"));
        // The copied header says WAL; a backup should be one self-contained file.
        if (Status journal = destination.exec("PRAGMA journal_mode = DELETE"); !journal)
            return journal;
        destination.close();
        return {};
    });
    if (!copied) {
        QFile::remove(partial);
        return makeError(copied.error().code, QStringLiteral("backup failed: ") + copied.error().message, target);
    }
    if (!QFile::rename(partial, target)) {
        QFile::remove(partial);
        return makeError(ErrorCode::Io, QStringLiteral("backup failed: the finished copy could not be renamed"),
                         target);
    }
    rotateLocked();
    qCInfo(lcDb).noquote() << "database backed up to" << target;
    return target;
}

void BackupManager::rotateLocked()
{
    const QStringList existing = backups();
    for (qsizetype i = m_keep.load(); i < existing.size(); ++i) {
        if (!QFile::remove(existing.at(i)))
            qCWarning(lcDb).noquote() << "could not remove old backup" << existing.at(i);
    }
}

} // namespace oncutf::core::db
