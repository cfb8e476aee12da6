#include "cli/renameservices.h"

#include "cli/clicontext.h"
#include "core/appcontext.h"
#include "core/db/databasemanager.h"
#include "core/db/hashcache.h"
#include "core/db/metadatacache.h"
#include "core/metadata/exiftoolpool.h"
#include "core/rename/renameexecutor.h"

#include <QThread>

#include <algorithm>

namespace oncutf::cli {

RenameServices::RenameServices(CliContext &ctx, int jobs) : m_ctx(ctx)
{
    const int workers = jobs > 0 ? jobs : std::clamp(QThread::idealThreadCount(), 1, 8);
    core::AppContext::Options options;
    options.pool.minWorkers = workers;
    options.pool.maxWorkers = workers;
    m_app = std::make_unique<core::AppContext>(options);
    m_database = std::make_unique<core::db::DatabaseManager>(ctx.databasePath());
    m_metadataCache = std::make_unique<core::db::MetadataCache>(*m_database);
    m_hashCache = std::make_unique<core::db::HashCache>(*m_database);
    m_exiftool = std::make_unique<core::metadata::ExifToolPool>(core::metadata::ExifToolOptions{}, workers);
    m_executor = std::make_unique<core::rename::RenameExecutor>(*m_database);
    m_app->coordinator().registerParticipant(core::concurrency::ShutdownPhase::Database, m_database.get());
    m_app->coordinator().registerParticipant(core::concurrency::ShutdownPhase::ExifTool, m_exiftool.get());
}

RenameServices::~RenameServices()
{
    shutdown();
}

core::Status RenameServices::open(bool recoverInterrupted)
{
    if (const core::Status opened = m_database->open(); !opened) {
        m_ctx.warn(QStringLiteral("cannot open the database: ") + opened.error().toString());
        return opened;
    }
    if (const auto notice = m_database->takeRecoveryNotice())
        m_ctx.warn(*notice);
    if (!recoverInterrupted)
        return {};
    auto needed = m_executor->needsRecovery();
    if (!needed) {
        m_ctx.warn(QStringLiteral("cannot read the rename journal: ") + needed.error().toString());
        return needed.error();
    }
    if (!*needed)
        return {};
    m_ctx.warn(QStringLiteral("an earlier rename was interrupted; putting its files back under their old names"));
    auto report = m_executor->recover();
    if (!report) {
        m_ctx.warn(QStringLiteral("recovery failed: ") + report.error().toString());
        return report.error();
    }
    m_ctx.warn(recoverySummary(*report));
    return {};
}

QString recoverySummary(const core::rename::RenameExecutor::RecoveryReport &report)
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
                    .arg(CliContext::printablePath(problem.oldPath), problem.error.message);
    return text;
}

void RenameServices::shutdown()
{
    if (m_app && !m_app->isShutDown())
        m_app->shutdownSync();
}

} // namespace oncutf::cli
