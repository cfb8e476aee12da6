#include "cli/renameservices.h"

#include "cli/clicontext.h"
#include "core/appcontext.h"

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
    m_services = std::make_unique<core::AppServices>(*m_app, ctx.databasePath(), workers);
}

RenameServices::~RenameServices()
{
    shutdown();
}

core::Status RenameServices::open(bool recoverInterrupted)
{
    auto report = m_services->open(recoverInterrupted, [this] {
        m_ctx.warn(QStringLiteral("an earlier rename was interrupted; putting its files back under their old names"));
    });
    if (!report) {
        m_ctx.warn(QStringLiteral("cannot open the database or repair an interrupted rename: ")
                   + report.error().toString());
        return report.error();
    }
    if (report->databaseNotice)
        m_ctx.warn(*report->databaseNotice);
    if (report->recovery)
        m_ctx.warn(recoverySummary(*report->recovery));
    return {};
}

QString recoverySummary(const core::rename::RenameExecutor::RecoveryReport &report)
{
    return core::recoverySummary(report, &CliContext::printablePath);
}

void RenameServices::shutdown()
{
    if (m_app && !m_app->isShutDown())
        m_app->shutdownSync();
}

} // namespace oncutf::cli
