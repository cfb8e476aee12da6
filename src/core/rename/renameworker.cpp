#include "core/rename/renameworker.h"

#include "core/files/nativepath.h"
#include "core/rename/renameexecutor.h"
#include "core/rename/renameplanner.h"

namespace oncutf::core::rename {

namespace {

QString describe(const RenameExecutor::OpFailure &failure)
{
    return QStringLiteral("%1 -> %2: %3")
        .arg(files::toDisplay(failure.oldPath), files::toDisplay(failure.newPath), failure.error.message);
}

RenameExecutor::Callbacks callbacksFor(concurrency::Worker *worker,
                                       const std::function<void(qint64, qint64)> &progress)
{
    RenameExecutor::Callbacks callbacks;
    callbacks.isCancelled = [worker] { return worker->isCancelled(); };
    callbacks.progress = progress;
    return callbacks;
}

} // namespace

RenameWorker::RenameWorker(db::DatabaseManager &database, RenameOutcome::Operation operation)
    : m_database(database), m_operation(operation)
{
    qRegisterMetaType<RenameOutcome>("oncutf::core::rename::RenameOutcome");
}

RenameWorker::~RenameWorker() = default;

RenameWorker *RenameWorker::apply(db::DatabaseManager &database, QList<files::FileEntry> files, Recipe recipe,
                                  RenameInputLoader::Options loaderOptions, std::optional<QByteArray> rootFolder,
                                  QHash<QByteArray, metadata::MetadataRecord> known)
{
    auto *worker = new RenameWorker(database, RenameOutcome::Operation::Apply);
    worker->m_files = std::move(files);
    worker->m_recipe = std::move(recipe);
    worker->m_loaderOptions = loaderOptions;
    worker->m_loaderOptions.computeMissingHashes = false;
    worker->m_rootFolder = std::move(rootFolder);
    worker->m_known = std::move(known);
    return worker;
}

RenameWorker *RenameWorker::undo(db::DatabaseManager &database, std::optional<qint64> batchId)
{
    auto *worker = new RenameWorker(database, RenameOutcome::Operation::Undo);
    worker->m_batchId = batchId;
    return worker;
}

RenameWorker *RenameWorker::redo(db::DatabaseManager &database, std::optional<qint64> batchId)
{
    auto *worker = new RenameWorker(database, RenameOutcome::Operation::Redo);
    worker->m_batchId = batchId;
    return worker;
}

bool RenameWorker::execute()
{
    const RenameOutcome outcome =
        m_operation == RenameOutcome::Operation::Apply ? runApply() : runRevert();
    reportStatus(outcome.message);
    Q_EMIT done(outcome);
    return outcome.ok;
}

RenameOutcome RenameWorker::runApply()
{
    RenameOutcome outcome;
    outcome.operation = RenameOutcome::Operation::Apply;
    RenameInputLoader::Callbacks loadCallbacks;
    loadCallbacks.isCancelled = [this] { return isCancelled(); };
    loadCallbacks.progress = [this](const QString &phase, qint64 done, qint64 total) {
        reportProgress(done, total, phase);
    };
    RenameInputLoader::Outcome loaded = RenameInputLoader(m_loaderOptions).load(m_files, m_recipe, loadCallbacks, m_known);
    if (loaded.cancelled || isCancelled()) {
        outcome.cancelled = true;
        outcome.message = QStringLiteral("Rename cancelled before anything changed.");
        return outcome;
    }
    // The disk may have changed since the preview: plan again, and refuse what the policy refuses.
    const RenamePlan plan = RenamePlanner(m_recipe).plan(loaded.inputs, [this] { return isCancelled(); });
    if (isCancelled()) {
        outcome.cancelled = true;
        outcome.message = QStringLiteral("Rename cancelled before anything changed.");
        return outcome;
    }
    if (!plan.runnable) {
        outcome.message = QStringLiteral("Nothing was renamed: %1").arg(plan.refusal);
        return outcome;
    }
    if (plan.moves.isEmpty()) {
        outcome.ok = true;
        outcome.message = QStringLiteral("Nothing to rename: every name is already what the recipe gives.");
        return outcome;
    }
    RenameExecutor executor(m_database);
    const auto report = executor.apply(plan.moves, m_recipe.toJson(), m_rootFolder,
                                       callbacksFor(this, [this](qint64 done, qint64 total) {
                                           reportProgress(done, total, QStringLiteral("renaming"));
                                       }));
    if (!report) {
        outcome.message = QStringLiteral("Nothing was renamed: %1").arg(report.error().toString());
        return outcome;
    }
    outcome.batchId = report->batchId;
    outcome.renamed = report->renamed;
    outcome.cancelled = report->cancelled;
    for (const auto &failure : report->failures)
        outcome.problems.append(describe(failure));
    if (report->cancelled) {
        outcome.message = QStringLiteral("Rename cancelled: batch %1 was rolled back, every file is under its old name.")
                              .arg(report->batchId);
    } else if (!report->rollbackComplete) {
        outcome.message = QStringLiteral("The rename failed (%1) and %2 files could not be put back; see the details.")
                              .arg(report->error)
                              .arg(report->failures.size());
    } else if (report->rolledBack || report->failed > 0) {
        outcome.message = QStringLiteral("The rename failed and was rolled back, every file is under its old name: %1")
                              .arg(report->error);
    } else {
        outcome.ok = true;
        outcome.message = QStringLiteral("Renamed %1 files (batch %2). Ctrl+Z undoes it.")
                              .arg(report->renamed)
                              .arg(report->batchId);
    }
    return outcome;
}

RenameOutcome RenameWorker::runRevert()
{
    RenameOutcome outcome;
    outcome.operation = m_operation;
    const bool undo = m_operation == RenameOutcome::Operation::Undo;
    RenameExecutor executor(m_database);
    const auto callbacks = callbacksFor(this, [this](qint64 done, qint64 total) {
        reportProgress(done, total, QStringLiteral("renaming"));
    });
    const auto report = undo ? executor.undo(m_batchId, callbacks) : executor.redo(m_batchId, callbacks);
    const QString verb = undo ? QStringLiteral("Undo") : QStringLiteral("Redo");
    if (!report) {
        outcome.message = QStringLiteral("%1: %2").arg(verb, report.error().toString());
        return outcome;
    }
    const auto &run = report->run;
    outcome.batchId = run.batchId;
    outcome.targetBatchId = report->targetBatchId;
    outcome.renamed = run.renamed;
    outcome.cancelled = run.cancelled;
    for (const auto &skipped : report->skipped)
        outcome.problems.append(describe(skipped));
    for (const auto &failure : run.failures)
        outcome.problems.append(describe(failure));
    if (run.cancelled) {
        outcome.message = QStringLiteral("%1 of batch %2 cancelled and rolled back.").arg(verb).arg(report->targetBatchId);
    } else if (run.rolledBack || run.failed > 0) {
        outcome.message = QStringLiteral("%1 of batch %2 failed and was rolled back: %3")
                              .arg(verb)
                              .arg(report->targetBatchId)
                              .arg(run.error);
    } else {
        outcome.ok = report->skipped.isEmpty();
        outcome.message = QStringLiteral("%1 of batch %2: %3 files renamed%4.")
                              .arg(verb)
                              .arg(report->targetBatchId)
                              .arg(run.renamed)
                              .arg(report->skipped.isEmpty()
                                       ? QString()
                                       : QStringLiteral(", %1 left as they are (see the details)").arg(report->skipped.size()));
    }
    return outcome;
}

} // namespace oncutf::core::rename
