#include "cli/renamecommand.h"

#include "cli/clicontext.h"
#include "cli/hashcommand.h"
#include "cli/progressprinter.h"
#include "cli/renameservices.h"
#include "core/appcontext.h"
#include "core/files/nativepath.h"
#include "core/jsonwriter.h"
#include "core/rename/nativerename.h"
#include "core/rename/recipe.h"
#include "core/rename/renameexecutor.h"
#include "core/rename/renameinputloader.h"
#include "core/rename/renameplanner.h"
#include "core/rename/templatecompiler.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <array>
#include <atomic>

namespace oncutf::cli {

namespace {

using core::JsonWriter;
using core::rename::ItemStatus;
using core::rename::PlanItem;
using core::rename::Recipe;
using core::rename::RenamePlan;

struct RenameOptions {
    QCommandLineOption recipe{QStringList{QStringLiteral("recipe")},
                              QStringLiteral("The rename recipe (JSON, see docs/recipes.md)."), QStringLiteral("FILE")};
    QCommandLineOption templ{QStringList{QStringLiteral("t"), QStringLiteral("template")},
                             QStringLiteral("A name template instead of a recipe file, e.g. '{date:%Y%m%d}_{counter:3}_{name}'."),
                             QStringLiteral("T")};
    QCommandLineOption recursive{QStringList{QStringLiteral("r"), QStringLiteral("recursive")},
                                 QStringLiteral("Include the files of sub-folders.")};
    QCommandLineOption hidden = CliContext::hiddenOption();
    QCommandLineOption sort{QStringList{QStringLiteral("sort")},
                            QStringLiteral("Order before numbering: name, natural, mtime, size, capture_date (overrides the recipe)."),
                            QStringLiteral("KEY")};
    QCommandLineOption reverse{QStringList{QStringLiteral("reverse")}, QStringLiteral("Reverse the sort order.")};
    QCommandLineOption onConflict{QStringList{QStringLiteral("on-conflict")},
                                  QStringLiteral("What to do with problem rows: fail (default: change nothing), skip, suffix, "
                                                 "overwrite (the replaced file is kept in a holding folder)."),
                                  QStringLiteral("POLICY")};
    QCommandLineOption jobs = CliContext::jobsOption(QStringLiteral("Read N files at once (default: the number of CPUs)."));
    QCommandLineOption json{QStringList{QStringLiteral("json")},
                            QStringLiteral("Print {\"items\": [...], \"summary\": {...}, \"batch\": ID|null}.")};
    QCommandLineOption all{QStringList{QStringLiteral("all")},
                           QStringLiteral("Also list unchanged files in the text table.")};

    [[nodiscard]] QList<QCommandLineOption> list() const
    {
        return {recipe, templ, recursive, hidden, sort, reverse, onConflict, jobs, json, all};
    }
};

/// The recipe from --recipe or --template, with the command-line overrides applied; the JSON
/// form is what the journal records.
struct LoadedRecipe {
    std::optional<Recipe> recipe;
    QByteArray json;
};

std::optional<LoadedRecipe> loadRecipe(CliContext &ctx, const QCommandLineParser &parser, const RenameOptions &o)
{
    const bool hasRecipe = parser.isSet(o.recipe);
    const bool hasTemplate = parser.isSet(o.templ);
    if (hasRecipe == hasTemplate) {
        ctx.usageError(QStringLiteral("give exactly one of --recipe FILE or --template T"));
        return std::nullopt;
    }
    QByteArray bytes;
    QString origin;
    if (hasRecipe) {
        origin = parser.value(o.recipe);
        QFile file(QFile::decodeName(core::files::fsEncode(origin)));
        if (!file.open(QIODevice::ReadOnly)) {
            ctx.warn(QStringLiteral("cannot read the recipe %1: %2").arg(origin, file.errorString()));
            return std::nullopt;
        }
        bytes = file.readAll();
    } else {
        origin = QStringLiteral("template");
        auto compiled = core::rename::TemplateCompiler::compile(parser.value(o.templ));
        if (!compiled) {
            ctx.warn(QStringLiteral("template: ") + compiled.error().message);
            return std::nullopt;
        }
        bytes = compiled->toJson();
    }

    // Overrides go through the JSON so the recorded recipe says what really ran.
    QJsonParseError parseError{};
    QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (document.isNull() || !document.isObject()) {
        ctx.warn(QStringLiteral("%1: not a JSON object (%2 at offset %3)")
                     .arg(origin, parseError.errorString())
                     .arg(parseError.offset));
        return std::nullopt;
    }
    QJsonObject object = document.object();
    if (parser.isSet(o.sort))
        object.insert(QStringLiteral("sort"), parser.value(o.sort));
    if (parser.isSet(o.reverse))
        object.insert(QStringLiteral("sort_reverse"), true);
    if (parser.isSet(o.onConflict))
        object.insert(QStringLiteral("on_conflict"), parser.value(o.onConflict));
    LoadedRecipe loaded;
    loaded.json = QJsonDocument(object).toJson(QJsonDocument::Compact);
    auto recipe = Recipe::fromJson(loaded.json);
    if (!recipe) {
        ctx.warn(origin + QStringLiteral(": ") + recipe.error().message);
        return std::nullopt;
    }
    loaded.recipe = std::move(*recipe);
    loaded.json = loaded.recipe->toJson();
    return loaded;
}

QString summaryLine(const core::rename::PlanSummary &s)
{
    QString text = QStringLiteral("%1 files: %2 to rename, %3 unchanged").arg(s.total).arg(s.toRename).arg(s.unchanged);
    const auto add = [&text](qsizetype count, const char *what) {
        if (count > 0)
            text += QStringLiteral(", %1 %2").arg(count).arg(QLatin1StringView(what));
    };
    add(s.invalid, "invalid");
    add(s.duplicate, "duplicate");
    add(s.conflict, "conflict");
    add(s.missingData, "missing data");
    add(s.skipped, "skipped");
    return text;
}

void writeSummaryFields(JsonWriter &writer, const RenamePlan &plan)
{
    const core::rename::PlanSummary &s = plan.summary;
    writer.field(QLatin1StringView("total"), qint64(s.total));
    writer.field(QLatin1StringView("ok"), qint64(s.ok));
    writer.field(QLatin1StringView("unchanged"), qint64(s.unchanged));
    writer.field(QLatin1StringView("invalid"), qint64(s.invalid));
    writer.field(QLatin1StringView("duplicate"), qint64(s.duplicate));
    writer.field(QLatin1StringView("conflict"), qint64(s.conflict));
    writer.field(QLatin1StringView("missing_data"), qint64(s.missingData));
    writer.field(QLatin1StringView("to_rename"), qint64(s.toRename));
    writer.field(QLatin1StringView("skipped"), qint64(s.skipped));
    writer.field(QLatin1StringView("on_conflict"), core::rename::conflictPolicyName(plan.policy));
    writer.key(QLatin1StringView("runnable")).boolean(plan.runnable);
    writer.key(QLatin1StringView("refusal"));
    if (plan.runnable)
        writer.null();
    else
        writer.string(plan.refusal);
}

void writeItems(JsonWriter &writer, const RenamePlan &plan)
{
    writer.key(QLatin1StringView("items")).beginArray();
    for (const PlanItem &item : plan.items) {
        writer.beginObject();
        writer.key(QLatin1StringView("old")).rawPathString(item.oldPath);
        writer.key(QLatin1StringView("new")).rawPathString(item.newPath);
        writer.field(QLatin1StringView("status"), core::rename::itemStatusName(item.status));
        writer.field(QLatin1StringView("reason"), item.reason);
        writer.field(QLatin1StringView("action"), core::rename::itemActionName(item.action));
        writer.key(QLatin1StringView("companion_of"));
        if (item.companionOf)
            writer.rawPathString(plan.items.at(*item.companionOf).oldPath);
        else
            writer.null();
        writer.endObject();
    }
    writer.endArray();
}

// Whether the plan reads a file's size or modification time: a sort by them (capture_date falls
// back to mtime), or a module that reads metadata or hashes (their caches are keyed by both).
bool needsFileDetails(const Recipe &recipe)
{
    if (recipe.sort != core::rename::SortKey::Name && recipe.sort != core::rename::SortKey::Natural)
        return true;
    return std::any_of(recipe.modules.cbegin(), recipe.modules.cend(), [](const core::rename::RecipeModule &m) {
        return m.enabled
               && (m.type == core::rename::ModuleType::Metadata || m.type == core::rename::ModuleType::Hash
                   || !m.groupBy.isEmpty());
    });
}

// Printable ASCII other than the backslash is printed as it is (CliContext::printablePath), so
// most paths skip the trip through QString.
void appendPrintable(QByteArray &out, QByteArrayView path)
{
    const bool plain = std::all_of(path.begin(), path.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20U && u < 0x7FU && c != '\\';
    });
    if (plain)
        out.append(path);
    else
        out.append(CliContext::printablePath(path.toByteArray()).toUtf8());
}

// The table as UTF-8 bytes, built straight into one buffer: for 100,000 rows, a QString per
// cell and a conversion of the whole text cost as much as the renames' journal.
QByteArray tableText(const RenamePlan &plan, const DisplayMapper &mapper, bool all)
{
    constexpr qsizetype kStatusWidth = 14;
    // One status cell per (status, action) pair, padded once.
    static_assert(int(ItemStatus::MissingData) == 5 && int(core::rename::ItemAction::Skip) == 3,
                  "one cell per status and action");
    std::array<QByteArray, 6 * 4> cells;
    const auto cell = [&cells](const PlanItem &item) -> const QByteArray & {
        QByteArray &text = cells[std::size_t(int(item.status) * 4 + int(item.action))];
        if (text.isNull()) {
            QString status = core::rename::itemStatusName(item.status);
            if (item.action == core::rename::ItemAction::Skip)
                status += QStringLiteral(" (skipped)");
            else if (item.action == core::rename::ItemAction::Overwrite)
                status += QStringLiteral(" (overwrite)");
            text = status.leftJustified(kStatusWidth).toUtf8() + ' ';
        }
        return text;
    };
    QByteArray text;
    text.reserve(plan.items.size() * 96);
    for (const PlanItem &item : plan.items) {
        if (item.status == ItemStatus::Unchanged && !all)
            continue;
        text.append(cell(item));
        // A companion found on disk only was never listed from an argument: its full path.
        if (item.input >= 0)
            appendPrintable(text, mapper.display(item.oldPath));
        else
            appendPrintable(text, item.oldPath);
        if (item.newPath != item.oldPath) {
            text.append(" -> ");
            appendPrintable(text, core::rename::NativeRename::nameViewOf(item.newPath));
        }
        if (item.companionOf)
            text.append("  [companion]");
        if (!item.reason.isEmpty())
            text.append("  (" + item.reason.toUtf8() + ')');
        text.append('\n');
    }
    return text;
}

bool writeBytes(CliContext &ctx, const QByteArray &bytes)
{
    return std::fwrite(bytes.constData(), 1, size_t(bytes.size()), ctx.out()) == size_t(bytes.size());
}

bool writeBytes(CliContext &ctx, const QString &text)
{
    return writeBytes(ctx, text.toUtf8());
}

int runRename(CliContext &ctx, const QStringList &args, bool apply)
{
    const RenameOptions o;
    QCommandLineParser parser;
    if (const auto exitCode = ctx.parseCommandArguments(parser, o.list(), args))
        return *exitCode;
    const int jobs = parseJobs(parser.value(o.jobs));
    if (jobs < 0)
        return ctx.usageError(QStringLiteral("--jobs expects a number from 1 to 64"));
    if (parser.isSet(o.onConflict)
        && !core::rename::conflictPolicyFromString(parser.value(o.onConflict)).has_value())
        return ctx.usageError(QStringLiteral("--on-conflict expects fail, skip, suffix or overwrite"));
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return ctx.usageError(QStringLiteral("missing PATH"));
    const std::optional<LoadedRecipe> loaded = loadRecipe(ctx, parser, o);
    if (!loaded)
        return kExitUsage;
    const Recipe &recipe = *loaded->recipe;
    const bool json = parser.isSet(o.json);

    QList<QByteArray> paths;
    for (const QString &path : positional)
        paths.append(core::files::fsEncode(path));
    core::files::ScanOptions scanOptions;
    scanOptions.recursive = parser.isSet(o.recursive);
    scanOptions.includeHidden = parser.isSet(o.hidden);
    scanOptions.readDetails = needsFileDetails(recipe);
    const HashScan scan = scanForHashing(ctx, paths, scanOptions, /*mapEveryPath=*/false);
    if (scan.cancelled) {
        ctx.warn(QStringLiteral("cancelled"));
        return kExitFailure;
    }
    if (scan.problems && apply) {
        // A folder we could not read may hold files the plan cannot see (and so cannot check).
        ctx.warn(QStringLiteral("some paths could not be listed (see above); nothing was renamed"));
        return kExitFailure;
    }

    RenameServices services(ctx, jobs);
    if (!services.open())
        return kExitFailure;

    std::atomic<bool> cancelled{false};
    ctx.setCancelHandler([&cancelled] { cancelled.store(true); });
    const bool showProgress = !ctx.isQuiet() && ctx.isStderrTerminal();

    core::rename::RenameInputLoader::Options loaderOptions;
    loaderOptions.pool = &services.app().pool();
    loaderOptions.exiftool = &services.exiftool();
    loaderOptions.metadataCache = &services.metadataCache();
    loaderOptions.hashCache = &services.hashCache();
    const core::rename::RenameInputLoader loader(loaderOptions);
    core::rename::RenameInputLoader::Callbacks loaderCallbacks;
    loaderCallbacks.isCancelled = [&cancelled] { return cancelled.load(); };
    ProgressPrinter metadataProgress(ctx.err(), showProgress, QStringLiteral("reading metadata"));
    ProgressPrinter hashProgress(ctx.err(), showProgress, QStringLiteral("hashing"));
    loaderCallbacks.progress = [&](const QString &phase, qint64 done, qint64 total) {
        ProgressPrinter &printer = phase == QLatin1String("hashes") ? hashProgress : metadataProgress;
        printer.update(done, QStringLiteral("of %1").arg(total));
    };
    const core::rename::RenameInputLoader::Outcome inputs = loader.load(scan.files, recipe, loaderCallbacks);
    metadataProgress.finish();
    hashProgress.finish();
    if (inputs.cancelled || cancelled.load()) {
        ctx.setCancelHandler({});
        ctx.warn(QStringLiteral("cancelled; nothing was renamed"));
        return kExitFailure;
    }
    for (const QString &problem : inputs.problems)
        ctx.warn(problem);

    const core::rename::RenamePlanner planner(recipe);
    const RenamePlan plan = planner.plan(inputs.inputs, [&cancelled] { return cancelled.load(); });
    if (cancelled.load()) {
        ctx.setCancelHandler({});
        ctx.warn(QStringLiteral("cancelled; nothing was renamed"));
        return kExitFailure;
    }

    std::optional<core::rename::RenameExecutor::ApplyReport> report;
    QString applyError;
    if (apply && plan.runnable && !plan.moves.isEmpty()) {
        ProgressPrinter progress(ctx.err(), showProgress, QStringLiteral("renaming"));
        core::rename::RenameExecutor::Callbacks callbacks;
        callbacks.isCancelled = [&cancelled] { return cancelled.load(); };
        callbacks.progress = [&progress](qint64 done, qint64 total) {
            progress.update(done, QStringLiteral("of %1").arg(total));
        };
        const QByteArray root = core::files::absolutePath(paths.first());
        auto applied = services.executor().apply(plan.moves, loaded->json, root, callbacks);
        progress.finish();
        if (applied)
            report = *applied;
        else
            applyError = applied.error().toString();
    }
    ctx.setCancelHandler({});
    services.shutdown();

    bool written = true;
    if (json) {
        JsonWriter writer(ctx.out(), JsonWriter::Style::Pretty);
        writer.beginObject();
        writeItems(writer, plan);
        writer.key(QLatin1StringView("summary")).beginObject();
        writeSummaryFields(writer, plan);
        if (apply) {
            writer.field(QLatin1StringView("renamed"), report ? report->renamed : qint64(0));
            writer.field(QLatin1StringView("failed"), report ? report->failed : qint64(0));
            writer.key(QLatin1StringView("cancelled")).boolean(report && report->cancelled);
            writer.key(QLatin1StringView("rolled_back")).boolean(report && report->rolledBack);
            writer.key(QLatin1StringView("error"));
            if (!applyError.isEmpty())
                writer.string(applyError);
            else if (report && !report->error.isEmpty())
                writer.string(report->error);
            else
                writer.null();
        }
        writer.endObject();
        writer.key(QLatin1StringView("batch"));
        if (report && report->batchId > 0)
            writer.integer(report->batchId);
        else
            writer.null();
        writer.endObject();
        written = writer.flush();
        written = std::fputc('\n', ctx.out()) != EOF && written;
    } else {
        written = writeBytes(ctx, tableText(plan, *scan.mapper, parser.isSet(o.all)));
        QString footer = summaryLine(plan.summary) + QLatin1Char('\n');
        if (!plan.runnable)
            footer += QStringLiteral("Plan refused: %1\n").arg(plan.refusal);
        else if (!apply)
            footer += QStringLiteral("Nothing was changed (preview). Run 'oncutf-cli apply' with the same arguments to rename.\n");
        if (report) {
            if (report->rolledBack)
                footer += QStringLiteral("Batch %1 was rolled back: every file is under its old name.\n").arg(report->batchId);
            else
                footer += QStringLiteral("Renamed %1 files (batch %2; 'oncutf-cli undo %2' reverts it).\n")
                              .arg(report->renamed)
                              .arg(report->batchId);
        }
        written = writeBytes(ctx, footer) && written;
    }
    written = std::fflush(ctx.out()) == 0 && !std::ferror(ctx.out()) && written;

    if (!written) {
        ctx.warn(QStringLiteral("cannot write to standard output"));
        return kExitFailure;
    }
    if (!plan.runnable)
        return kExitPlanRefused;
    if (!applyError.isEmpty()) {
        ctx.warn(applyError);
        return kExitFailure;
    }
    if (report) {
        if (report->cancelled) {
            ctx.warn(QStringLiteral("cancelled: the batch was rolled back, every file is under its old name"));
            return kExitFailure;
        }
        if (report->rolledBack || report->failed > 0) {
            ctx.warn(report->error.isEmpty() ? QStringLiteral("the rename failed and was rolled back") : report->error);
            return kExitFailure;
        }
    }
    return kExitSuccess;
}

} // namespace

int runPreviewCommand(CliContext &ctx, const QStringList &args)
{
    return runRename(ctx, args, false);
}

int runApplyCommand(CliContext &ctx, const QStringList &args)
{
    return runRename(ctx, args, true);
}

} // namespace oncutf::cli
