#include "core/appservices.h"

#include "core/appcontext.h"
#include "core/db/databasemanager.h"
#include "core/db/hashcache.h"
#include "core/db/metadatacache.h"
#include "core/files/nativepath.h"
#include "core/metadata/exiftoolpool.h"

#include <QStringList>

#include <algorithm>

namespace oncutf::core {

AppServices::AppServices(AppContext &app, QString databasePath, int exiftoolProcesses) : m_app(app)
{
    m_database = std::make_unique<db::DatabaseManager>(std::move(databasePath));
    m_metadataCache = std::make_unique<db::MetadataCache>(*m_database);
    m_hashCache = std::make_unique<db::HashCache>(*m_database);
    m_exiftool = std::make_unique<metadata::ExifToolPool>(metadata::ExifToolOptions{},
                                                          std::max(1, exiftoolProcesses));
    m_executor = std::make_unique<rename::RenameExecutor>(*m_database);
    m_app.coordinator().registerParticipant(concurrency::ShutdownPhase::Database, m_database.get());
    m_app.coordinator().registerParticipant(concurrency::ShutdownPhase::ExifTool, m_exiftool.get());
}

AppServices::~AppServices()
{
    // The coordinator holds pointers to the database and the ExifTool pool until it has run.
    Q_ASSERT_X(m_app.isShutDown(), "AppServices", "the AppContext must be shut down first");
}

Result<AppServices::OpenReport> AppServices::open(bool recoverInterrupted,
                                                  const std::function<void()> &beforeRecovery)
{
    OpenReport report;
    if (const Status opened = m_database->open(); !opened)
        return opened.error();
    report.databaseNotice = m_database->takeRecoveryNotice();
    if (!recoverInterrupted)
        return report;
    auto needed = m_executor->needsRecovery();
    if (!needed)
        return needed.error();
    if (!*needed)
        return report;
    if (beforeRecovery)
        beforeRecovery();
    auto recovered = m_executor->recover();
    if (!recovered)
        return recovered.error();
    report.recovery = std::move(*recovered);
    return report;
}

QString recoverySummary(const rename::RenameExecutor::RecoveryReport &report,
                        const std::function<QString(const QByteArray &)> &showPath)
{
    if (report.batchIds.isEmpty())
        return QStringLiteral("Nothing to recover: no rename was interrupted.");
    QStringList ids;
    for (const qint64 id : report.batchIds)
        ids.append(QString::number(id));
    QString text = QStringLiteral("Recovered batch %1: %2 files put back under their old names.")
                       .arg(ids.join(QStringLiteral(", ")))
                       .arg(report.restored);
    for (const auto &problem : report.problems)
        text += QStringLiteral("\ncould not put back %1: %2")
                    .arg(showPath ? showPath(problem.oldPath) : files::toDisplay(problem.oldPath),
                         problem.error.message);
    return text;
}

} // namespace oncutf::core
