#include "gui/previewcontroller.h"

#include "core/appcontext.h"
#include "core/concurrency/workerthread.h"
#include "gui/jobcontroller.h"

namespace oncutf::gui {

using core::concurrency::TimerPriority;
using core::concurrency::TimerType;

PreviewController::PreviewController(core::AppContext &context,
                                     core::rename::RenameInputLoader::Options loaderOptions, QObject *parent)
    : QObject(parent), m_context(context), m_loaderOptions(loaderOptions)
{
    m_thread = new core::concurrency::WorkerThread(QStringLiteral("oncutf-preview"), this);
    m_thread->setNice(JobController::kBackgroundNice);
    connect(m_thread, &core::concurrency::WorkerThread::workerFinished, this, &PreviewController::onWorkerFinished);
}

PreviewController::~PreviewController()
{
    Q_ASSERT_X(m_stopped || !m_thread->isRunning(), "PreviewController", "stop() must run before destruction");
}

void PreviewController::setFiles(QList<core::files::FileEntry> files)
{
    m_files = std::move(files);
}

void PreviewController::setRecipe(core::rename::Recipe recipe)
{
    m_recipe = std::move(recipe);
}

void PreviewController::requestUpdate(bool immediate)
{
    if (m_stopped)
        return;
    ++m_generation;
    setBusy(true);
    // One id: a new request restarts the pending timer (debounce) instead of adding one.
    m_context.timers().schedule([this] { startPlan(); }, immediate ? 0 : kDebounceMs, TimerPriority::Normal,
                                TimerType::PreviewUpdate, QString::fromLatin1(kTimerId));
}

bool PreviewController::isBusy() const
{
    return m_busy;
}

void PreviewController::startPlan()
{
    if (m_stopped)
        return;
    if (m_running != 0) {
        // Stale already: stop it and plan again once it has ended.
        m_thread->cancel();
        m_rerun = true;
        return;
    }
    if (m_files.isEmpty()) {
        core::rename::RenamePlan empty;
        empty.policy = m_recipe.onConflict;
        setBusy(false);
        Q_EMIT planReady(empty, {});
        return;
    }
    m_running = m_generation;
    QHash<QByteArray, core::metadata::MetadataRecord> known;
    if (m_knownSource && m_recipe.needsMetadata())
        known = m_knownSource(m_files);
    auto *worker = new core::rename::PreviewWorker(m_generation, m_files, m_recipe, m_loaderOptions, std::move(known));
    connect(worker, &core::rename::PreviewWorker::planReady, this, &PreviewController::onPlanReady);
    m_thread->start(worker);
}

void PreviewController::onPlanReady(const core::rename::PreviewResult &result)
{
    if (result.generation != m_generation || result.cancelled)
        return; // stale: a newer request is pending or running
    setBusy(false);
    Q_EMIT planReady(result.plan, result.problems);
}

void PreviewController::onWorkerFinished()
{
    m_running = 0;
    Q_EMIT computingStopped();
    if (m_stopped)
        return;
    if (m_rerun) {
        m_rerun = false;
        startPlan();
    }
}

void PreviewController::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void PreviewController::halt()
{
    m_stopped = true;
    m_rerun = false;
    m_context.timers().cancel(QString::fromLatin1(kTimerId));
    m_thread->cancel();
    setBusy(false);
}

bool PreviewController::stop(QDeadlineTimer deadline)
{
    halt();
    return m_thread->stop(deadline);
}

} // namespace oncutf::gui
