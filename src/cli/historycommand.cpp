#include "cli/historycommand.h"

#include "cli/clicontext.h"
#include "cli/progressprinter.h"
#include "cli/renameservices.h"
#include "core/db/renamejournal.h"
#include "core/jsonwriter.h"
#include "core/rename/renameexecutor.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <atomic>

namespace oncutf::cli {

namespace {

using core::JsonWriter;
using core::db::BatchRecord;

QString timeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

void writeBatch(JsonWriter &writer, const BatchRecord &batch)
{
    writer.beginObject();
    writer.field(QLatin1StringView("id"), batch.id);
    writer.field(QLatin1StringView("kind"), core::db::batchKindName(batch.kind));
    writer.field(QLatin1StringView("state"), core::db::batchStateName(batch.state));
    writer.field(QLatin1StringView("created_at"), QDateTime::fromMSecsSinceEpoch(batch.createdAtMs).toString(Qt::ISODateWithMs));
    writer.key(QLatin1StringView("finished_at"));
    if (batch.finishedAtMs)
        writer.string(QDateTime::fromMSecsSinceEpoch(*batch.finishedAtMs).toString(Qt::ISODateWithMs));
    else
        writer.null();
    writer.key(QLatin1StringView("folder"));
    if (batch.rootFolder)
        writer.rawPathString(*batch.rootFolder);
    else
        writer.null();
    writer.key(QLatin1StringView("parent"));
    if (batch.parentBatchId)
        writer.integer(*batch.parentBatchId);
    else
        writer.null();
    writer.key(QLatin1StringView("counts")).beginObject();
    writer.field(QLatin1StringView("total"), batch.counts.total);
    writer.field(QLatin1StringView("done"), batch.counts.done);
    writer.field(QLatin1StringView("reverted"), batch.counts.reverted);
    writer.field(QLatin1StringView("skipped"), batch.counts.skipped);
    writer.field(QLatin1StringView("failed"), batch.counts.failed);
    writer.endObject();
    writer.field(QLatin1StringView("error"), batch.error);
    writer.key(QLatin1StringView("recipe"));
    const QJsonDocument recipe = QJsonDocument::fromJson(batch.recipeJson);
    if (recipe.isObject())
        writer.value(recipe.object());
    else
        writer.null();
    writer.endObject();
}

bool finish(CliContext &ctx, JsonWriter *writer)
{
    bool written = writer == nullptr || writer->flush();
    if (writer != nullptr)
        written = std::fputc('\n', ctx.out()) != EOF && written;
    written = std::fflush(ctx.out()) == 0 && !std::ferror(ctx.out()) && written;
    if (!written)
        ctx.warn(QStringLiteral("cannot write to standard output"));
    return written;
}

/// undo and redo share everything but the executor call.
int runRevert(CliContext &ctx, const QStringList &args, bool redo)
{
    const QCommandLineOption jsonOption(QStringList{QStringLiteral("json")},
                                        QStringLiteral("Print {\"batch\", \"reverted\", \"problems\": [{\"path\", \"reason\"}]}."));
    QCommandLineParser parser;
    if (const auto exitCode = ctx.parseCommandArguments(parser, {jsonOption}, args))
        return *exitCode;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        return ctx.usageError(QStringLiteral("expected at most one BATCH"));
    std::optional<qint64> batchId;
    if (!positional.isEmpty()) {
        bool ok = false;
        batchId = positional.first().toLongLong(&ok);
        if (!ok || *batchId <= 0)
            return ctx.usageError(QStringLiteral("BATCH must be a batch number as 'oncutf-cli history' lists it"));
    }

    RenameServices services(ctx, 1);
    if (!services.open())
        return kExitFailure;
    std::atomic<bool> cancelled{false};
    ctx.setCancelHandler([&cancelled] { cancelled.store(true); });
    const bool showProgress = !ctx.isQuiet() && ctx.isStderrTerminal();
    ProgressPrinter progress(ctx.err(), showProgress, redo ? QStringLiteral("redoing") : QStringLiteral("undoing"));
    core::rename::RenameExecutor::Callbacks callbacks;
    callbacks.isCancelled = [&cancelled] { return cancelled.load(); };
    callbacks.progress = [&progress](qint64 done, qint64 total) { progress.update(done, QStringLiteral("of %1").arg(total)); };
    auto result = redo ? services.executor().redo(batchId, callbacks) : services.executor().undo(batchId, callbacks);
    progress.finish();
    ctx.setCancelHandler({});
    services.shutdown();
    if (!result) {
        ctx.warn(result.error().toString());
        return kExitFailure;
    }
    const core::rename::RenameExecutor::UndoReport &report = *result;
    const core::rename::RenameExecutor::ApplyReport &run = report.run;
    const bool json = parser.isSet(jsonOption);
    if (json) {
        JsonWriter writer(ctx.out(), JsonWriter::Style::Pretty);
        writer.beginObject();
        writer.field(QLatin1StringView("batch"), report.targetBatchId);
        writer.key(QLatin1StringView("new_batch"));
        if (run.batchId > 0)
            writer.integer(run.batchId);
        else
            writer.null();
        writer.field(QLatin1StringView("reverted"), run.renamed);
        writer.key(QLatin1StringView("cancelled")).boolean(run.cancelled);
        writer.key(QLatin1StringView("rolled_back")).boolean(run.rolledBack);
        writer.key(QLatin1StringView("problems")).beginArray();
        for (const auto &problem : report.skipped) {
            writer.beginObject();
            writer.key(QLatin1StringView("path")).rawPathString(redo ? problem.oldPath : problem.newPath);
            writer.field(QLatin1StringView("reason"), problem.error.message);
            writer.endObject();
        }
        for (const auto &problem : run.failures) {
            writer.beginObject();
            writer.key(QLatin1StringView("path")).rawPathString(problem.oldPath);
            writer.field(QLatin1StringView("reason"), problem.error.message);
            writer.endObject();
        }
        writer.endArray();
        writer.endObject();
        if (!finish(ctx, &writer))
            return kExitFailure;
    } else {
        QString text;
        const QString verb = redo ? QStringLiteral("redone") : QStringLiteral("undone");
        for (const auto &problem : report.skipped)
            text += QStringLiteral("not %1: %2: %3\n")
                        .arg(verb, CliContext::printablePath(redo ? problem.oldPath : problem.newPath),
                             problem.error.message);
        for (const auto &problem : run.failures)
            text += QStringLiteral("failed: %1: %2\n").arg(CliContext::printablePath(problem.oldPath), problem.error.message);
        if (run.rolledBack) {
            text += QStringLiteral("The %1 of batch %2 stopped and was rolled back: nothing changed.%3\n")
                        .arg(redo ? QStringLiteral("redo") : QStringLiteral("undo"))
                        .arg(report.targetBatchId)
                        .arg(run.error.isEmpty() ? QString() : QStringLiteral(" (") + run.error + QLatin1Char(')'));
        } else {
            text += QStringLiteral("%1 batch %2: %3 files %4%5.\n")
                        .arg(redo ? QStringLiteral("Redid") : QStringLiteral("Undid"))
                        .arg(report.targetBatchId)
                        .arg(run.renamed)
                        .arg(redo ? QStringLiteral("renamed again") : QStringLiteral("back under their old names"))
                        .arg(report.skipped.isEmpty() ? QString()
                                                      : QStringLiteral(", %1 left as they are").arg(report.skipped.size()));
        }
        ctx.print(text);
        if (!finish(ctx, nullptr))
            return kExitFailure;
    }
    if (run.cancelled) {
        ctx.warn(QStringLiteral("cancelled: the files already done were put back"));
        return kExitFailure;
    }
    return report.skipped.isEmpty() && !run.rolledBack && run.failed == 0 ? kExitSuccess : kExitFailure;
}

} // namespace

int runHistoryCommand(CliContext &ctx, const QStringList &args)
{
    const QCommandLineOption jsonOption(QStringList{QStringLiteral("json")},
                                        QStringLiteral("Print {\"batches\": [...]} with each batch's recipe."));
    const QCommandLineOption limitOption(QStringList{QStringLiteral("n"), QStringLiteral("limit")},
                                         QStringLiteral("Show the newest N batches (default 50)."), QStringLiteral("N"),
                                         QStringLiteral("50"));
    QCommandLineParser parser;
    if (const auto exitCode = ctx.parseCommandArguments(parser, {jsonOption, limitOption}, args))
        return *exitCode;
    if (!parser.positionalArguments().isEmpty())
        return ctx.usageError(QStringLiteral("history takes no PATH"));
    bool ok = false;
    const int limit = parser.value(limitOption).toInt(&ok);
    if (!ok || limit < 1)
        return ctx.usageError(QStringLiteral("--limit expects a positive number"));

    RenameServices services(ctx, 1);
    if (!services.open())
        return kExitFailure;
    core::db::RenameJournal journal(services.database());
    auto batches = journal.history(limit);
    services.shutdown();
    if (!batches) {
        ctx.warn(QStringLiteral("cannot read the history: ") + batches.error().toString());
        return kExitFailure;
    }
    if (parser.isSet(jsonOption)) {
        JsonWriter writer(ctx.out(), JsonWriter::Style::Pretty);
        writer.beginObject().key(QLatin1StringView("batches")).beginArray();
        for (const BatchRecord &batch : *batches)
            writeBatch(writer, batch);
        writer.endArray().endObject();
        return finish(ctx, &writer) ? kExitSuccess : kExitFailure;
    }
    QString text;
    if (batches->isEmpty()) {
        text = QStringLiteral("No rename batches yet.\n");
    } else {
        text = QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                   .arg(QStringLiteral("BATCH").rightJustified(6), QStringLiteral("KIND").leftJustified(10),
                        QStringLiteral("STATE").leftJustified(11), QStringLiteral("WHEN").leftJustified(19),
                        QStringLiteral("FILES").rightJustified(6), QStringLiteral("FOLDER"));
        for (const BatchRecord &batch : *batches) {
            QString kind = core::db::batchKindName(batch.kind);
            if (batch.parentBatchId)
                kind += QStringLiteral(" of %1").arg(*batch.parentBatchId);
            text += QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                        .arg(QString::number(batch.id).rightJustified(6), kind.leftJustified(10),
                             core::db::batchStateName(batch.state).leftJustified(11),
                             timeText(batch.createdAtMs).leftJustified(19),
                             QString::number(batch.counts.total).rightJustified(6),
                             batch.rootFolder ? CliContext::printablePath(*batch.rootFolder) : QString());
        }
    }
    ctx.print(text);
    return finish(ctx, nullptr) ? kExitSuccess : kExitFailure;
}

int runUndoCommand(CliContext &ctx, const QStringList &args)
{
    return runRevert(ctx, args, false);
}

int runRedoCommand(CliContext &ctx, const QStringList &args)
{
    return runRevert(ctx, args, true);
}

int runRecoverCommand(CliContext &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    if (const auto exitCode = ctx.parseCommandArguments(parser, {}, args))
        return *exitCode;
    if (!parser.positionalArguments().isEmpty())
        return ctx.usageError(QStringLiteral("recover takes no argument"));
    RenameServices services(ctx, 1);
    if (!services.open(false))
        return kExitFailure;
    auto report = services.executor().recover();
    services.shutdown();
    if (!report) {
        ctx.warn(QStringLiteral("recovery failed: ") + report.error().toString());
        return kExitFailure;
    }
    ctx.print(recoverySummary(*report) + QLatin1Char('\n'));
    return finish(ctx, nullptr) && report->problems.isEmpty() ? kExitSuccess : kExitFailure;
}

} // namespace oncutf::cli
