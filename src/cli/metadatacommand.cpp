#include "cli/metadatacommand.h"

#include "cli/clicontext.h"
#include "cli/hashcommand.h"
#include "cli/progressprinter.h"
#include "core/appcontext.h"
#include "core/db/databasemanager.h"
#include "core/db/metadatacache.h"
#include "core/files/filescanner.h"
#include "core/files/nativepath.h"
#include "core/jsonwriter.h"
#include "core/metadata/exiftoolpool.h"
#include "core/metadata/metadataworker.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QThread>

#include <sys/stat.h>

#include <cmath>
#include <memory>
#include <optional>
#include <vector>

namespace oncutf::cli {

namespace {

using core::JsonWriter;
using core::metadata::ExifToolPool;
using core::metadata::MetadataMode;
using core::metadata::MetadataRecord;

/// The services of one metadata run, stopped in the coordinator's order by shutdown().
class MetadataServices final {
public:
    MetadataServices(const CliContext &ctx, int jobs, bool useCache)
    {
        core::AppContext::Options options;
        options.pool.minWorkers = jobs;
        options.pool.maxWorkers = jobs;
        m_app = std::make_unique<core::AppContext>(options);
        if (useCache) {
            core::db::DatabaseManager::Options databaseOptions;
            // A re-open reads a row per file from all over the file: through a map, SQLite uses
            // the pages in place (no pread copy, no page-cache buffer per page).
            databaseOptions.mmapSizeBytes = qint64(256) * 1024 * 1024;
            // A first read stores thousands of documents: copying them into the file as they
            // come (every 200 pages) beats copying them all at exit, when one core is left idle.
            databaseOptions.walAutocheckpointPages = 200;
            m_database = std::make_unique<core::db::DatabaseManager>(ctx.databasePath(), databaseOptions);
            m_cache = std::make_unique<core::db::MetadataCache>(*m_database);
            m_app->coordinator().registerParticipant(core::concurrency::ShutdownPhase::Database, m_database.get());
            // Opening (creating, migrating) the database takes a few ms: done by a pool worker
            // while the loader lists and stats the files, instead of after. A failure here is
            // met again, and reported, by the loader's own open.
            m_app->pool().submit([database = m_database.get()](const core::concurrency::CancellationToken &) {
                (void)database->open();
                return QVariant();
            }, core::concurrency::TaskPriority::High);
        }
        m_exiftool = std::make_unique<ExifToolPool>(core::metadata::ExifToolOptions{}, jobs);
        m_app->coordinator().registerParticipant(core::concurrency::ShutdownPhase::ExifTool, m_exiftool.get());
    }

    ~MetadataServices() { shutdown(); }
    MetadataServices(const MetadataServices &) = delete;
    MetadataServices &operator=(const MetadataServices &) = delete;

    [[nodiscard]] core::metadata::MetadataLoader::Options loaderOptions() const
    {
        core::metadata::MetadataLoader::Options options;
        options.pool = &m_app->pool();
        options.exiftool = m_exiftool.get();
        options.cache = m_cache.get();
        return options;
    }

    void shutdown()
    {
        if (m_app && !m_app->isShutDown()) {
            m_app->shutdownSync();
        }
    }

private:
    std::unique_ptr<core::AppContext> m_app;
    std::unique_ptr<core::db::DatabaseManager> m_database;
    std::unique_ptr<core::db::MetadataCache> m_cache;
    std::unique_ptr<ExifToolPool> m_exiftool;
};

/// One file to report: what to read and how to show its path.
struct Input {
    QByteArray path;  // what the loader reads
    QByteArray shown; // the argument, or the argument followed by the path below it
};

/// Expands the PATH arguments: folders into their files, anything else as given.
bool collectInputs(CliContext &ctx, const QList<QByteArray> &arguments, const core::files::ScanOptions &options,
                   QList<Input> &inputs)
{
    bool complete = true;
    const core::files::FileScanner scanner(options);
    for (const QByteArray &argument : arguments) {
        struct stat st {};
        if (::stat(argument.constData(), &st) != 0 || !S_ISDIR(st.st_mode)) {
            inputs.append({argument, argument});
            continue;
        }
        const QByteArray root = core::files::absolutePath(argument);
        const qsizetype prefix = root == "/" ? 1 : root.size() + 1;
        core::files::FileScanner::Callbacks callbacks;
        callbacks.entryFound = [&](core::files::FileEntry &&entry) {
            QByteArray shown = argument;
            if (!shown.endsWith('/')) {
                shown.append('/');
            }
            shown.append(QByteArrayView(entry.path).sliced(qMin(prefix, entry.path.size())));
            inputs.append({entry.path, shown});
        };
        callbacks.problemFound = [&](core::files::ScanProblem &&problem) {
            using Kind = core::files::ScanProblem::Kind;
            if (problem.kind != Kind::SymlinkLoop && problem.kind != Kind::AlreadyScanned) {
                complete = false;
            }
            ctx.warn(CliContext::printablePath(problem.path) + QStringLiteral(": ") + problem.message);
        };
        const qsizetype before = inputs.size();
        scanner.scan({argument}, callbacks);
        if (inputs.size() == before) {
            // Not an error, but never silent either: the folder contributed no file.
            ctx.warn(CliContext::printablePath(argument) + QStringLiteral(": folder has no files to read"));
        }
    }
    return complete;
}

/// --fields: "Group:Tag" matches that key, a bare "Tag" the tag in every group.
class FieldFilter final {
public:
    explicit FieldFilter(const QString &spec)
    {
        for (const QString &part : spec.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            m_keys.append(part.trimmed());
        }
    }

    [[nodiscard]] bool isActive() const { return !m_keys.isEmpty(); }
    [[nodiscard]] const QStringList &keys() const { return m_keys; }

    [[nodiscard]] bool matches(const QString &key, const QString &wanted) const
    {
        if (wanted.contains(QLatin1Char(':'))) {
            return key == wanted;
        }
        return key.mid(key.lastIndexOf(QLatin1Char(':')) + 1) == wanted;
    }

    [[nodiscard]] QJsonObject apply(const QJsonObject &fields) const
    {
        if (!isActive()) {
            return fields;
        }
        QJsonObject kept;
        for (auto it = fields.begin(); it != fields.end(); ++it) {
            for (const QString &wanted : m_keys) {
                if (matches(it.key(), wanted)) {
                    kept.insert(it.key(), it.value());
                    break;
                }
            }
        }
        return kept;
    }

    /// The first value for `wanted` (for the table's column).
    [[nodiscard]] QJsonValue lookup(const QJsonObject &fields, const QString &wanted) const
    {
        if (wanted.contains(QLatin1Char(':'))) {
            return fields.value(wanted);
        }
        for (auto it = fields.begin(); it != fields.end(); ++it) {
            if (matches(it.key(), wanted)) {
                return it.value();
            }
        }
        return QJsonValue(QJsonValue::Undefined);
    }

private:
    QStringList m_keys;
};

/// A value as the table shows it: text as is, numbers and lists in JSON form, newlines escaped.
QString displayValue(const QJsonValue &value)
{
    QString text;
    if (value.isString()) {
        text = value.toString();
    } else if (value.isUndefined() || value.isNull()) {
        return QStringLiteral("-");
    } else {
        text = QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact));
        text = text.mid(1, text.size() - 2);
    }
    text.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    text.replace(QLatin1Char('\n'), QLatin1String("\\n"));
    text.replace(QLatin1Char('\r'), QLatin1String("\\r"));
    text.replace(QLatin1Char('\t'), QLatin1String("\\t"));
    return text;
}

QString blocksText(const QList<Input> &inputs, const std::vector<std::optional<MetadataRecord>> &records,
                   const FieldFilter &filter)
{
    QString text;
    for (qsizetype i = 0; i < inputs.size(); ++i) {
        if (i > 0) {
            text += QLatin1Char('\n');
        }
        text += CliContext::printablePath(inputs.at(i).shown) + QLatin1Char('\n');
        const auto &record = records[size_t(i)];
        if (!record) {
            text += QStringLiteral("  error: cancelled\n");
            continue;
        }
        if (!record->ok()) {
            text += QStringLiteral("  error: ") + record->error->message + QLatin1Char('\n');
            continue;
        }
        const QJsonObject fields = filter.apply(record->fields);
        if (fields.isEmpty()) {
            text += QStringLiteral("  (no metadata)\n");
            continue;
        }
        qsizetype width = 0;
        for (auto it = fields.begin(); it != fields.end(); ++it) {
            width = qMax(width, it.key().size());
        }
        for (auto it = fields.begin(); it != fields.end(); ++it) {
            text += QStringLiteral("  ") + it.key().leftJustified(width + 2) + displayValue(it.value()) + QLatin1Char('\n');
        }
    }
    return text;
}

QString tableText(const QList<Input> &inputs, const std::vector<std::optional<MetadataRecord>> &records,
                  const FieldFilter &filter)
{
    QList<QStringList> rows;
    QStringList header{QStringLiteral("PATH")};
    header.append(filter.keys());
    rows.append(header);
    for (qsizetype i = 0; i < inputs.size(); ++i) {
        QStringList row{CliContext::printablePath(inputs.at(i).shown)};
        const auto &record = records[size_t(i)];
        for (const QString &key : filter.keys()) {
            if (!record) {
                row.append(QStringLiteral("(cancelled)"));
            } else if (!record->ok()) {
                row.append(QStringLiteral("(error: ") + record->error->message + QLatin1Char(')'));
            } else {
                row.append(displayValue(filter.lookup(record->fields, key)));
            }
        }
        rows.append(row);
    }
    QList<qsizetype> widths(header.size(), 0);
    for (const QStringList &row : rows) {
        for (qsizetype c = 0; c < row.size(); ++c) {
            widths[c] = qMax(widths[c], row.at(c).size());
        }
    }
    QString text;
    for (const QStringList &row : rows) {
        for (qsizetype c = 0; c < row.size(); ++c) {
            text += c + 1 < row.size() ? row.at(c).leftJustified(widths[c] + 2) : row.at(c);
        }
        text += QLatin1Char('\n');
    }
    return text;
}

} // namespace

int runMetadataCommand(CliContext &ctx, const QStringList &args)
{
    const QCommandLineOption extendedOption(
        QStringList{QStringLiteral("e"), QStringLiteral("extended")},
        QStringLiteral("Read everything ExifTool knows (embedded and duplicate tags too); slower."));
    const QCommandLineOption fieldsOption(
        QStringList{QStringLiteral("f"), QStringLiteral("fields")},
        QStringLiteral("Keep only these keys, comma-separated: \"EXIF:Make\", or a tag name such as \"Make\" for any group."),
        QStringLiteral("K1,K2"));
    const QCommandLineOption recursiveOption(QStringList{QStringLiteral("r"), QStringLiteral("recursive")},
                                             QStringLiteral("Read the files of sub-folders too."));
    const QCommandLineOption hiddenOption = CliContext::hiddenOption();
    const QCommandLineOption jobsOption = CliContext::jobsOption(
        QStringLiteral("Read with N threads and up to N ExifTool processes (default: the number of CPUs, at most 4)."));
    const QCommandLineOption noCacheOption = CliContext::noCacheOption(QStringLiteral("metadata"));
    const QCommandLineOption jsonOption(
        QStringList{QStringLiteral("json")},
        QStringLiteral("Print a JSON array of {path, mode, fields, error} in input order; paths that are not UTF-8 "
                       "use Python's surrogateescape (\\udcXX)."));
    const QCommandLineOption statsOption(
        QStringList{QStringLiteral("stats")},
        QStringLiteral("Print how the files were read (cache, in-process, ExifTool) and how long it took, on stderr."));
    const QList<QCommandLineOption> options{extendedOption, fieldsOption, recursiveOption, hiddenOption,
                                            jobsOption,     noCacheOption, jsonOption,      statsOption};

    QCommandLineParser parser;
    if (const auto exitCode = ctx.parseCommandArguments(parser, options, args)) {
        return *exitCode;
    }
    int jobs = qBound(1, QThread::idealThreadCount(), 4);
    if (parser.isSet(jobsOption)) {
        jobs = parseJobs(parser.value(jobsOption));
        if (jobs < 0) {
            return ctx.usageError(QStringLiteral("--jobs expects a number from 1 to 64"));
        }
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        return ctx.usageError(QStringLiteral("missing PATH"));
    }
    const FieldFilter filter(parser.value(fieldsOption));
    if (parser.isSet(fieldsOption) && !filter.isActive()) {
        return ctx.usageError(QStringLiteral("--fields expects at least one key"));
    }
    const MetadataMode mode = parser.isSet(extendedOption) ? MetadataMode::Extended : MetadataMode::Fast;

    QList<QByteArray> arguments;
    for (const QString &path : positional) {
        arguments.append(core::files::fsEncode(path));
    }
    core::files::ScanOptions scanOptions;
    scanOptions.recursive = parser.isSet(recursiveOption);
    scanOptions.includeHidden = parser.isSet(hiddenOption);
    // Only names are needed here: the loader stats each file itself (its stamp is the one the
    // cache checks), so the scan's own stat per file would be a second one.
    scanOptions.readDetails = false;
    QList<Input> inputs;
    const bool listed = collectInputs(ctx, arguments, scanOptions, inputs);

    MetadataServices services(ctx, jobs, !parser.isSet(noCacheOption));
    QList<QByteArray> paths;
    paths.reserve(inputs.size());
    for (const Input &input : std::as_const(inputs)) {
        paths.append(input.path);
    }
    std::vector<std::optional<MetadataRecord>> records(size_t(inputs.size()));
    core::metadata::MetadataLoader::Options loaderOptions = services.loaderOptions();
    // --json without --fields prints the fields as they are: cached documents go straight to the
    // output in JsonWriter's form, never parsed into objects, and files read now come printed by
    // the reading threads.
    const bool printCachedAsIs = parser.isSet(jsonOption) && !filter.isActive();
    loaderOptions.printForm = printCachedAsIs;
    auto *worker = new core::metadata::MetadataWorker(paths, mode, std::move(loaderOptions));

    const bool showProgress = !ctx.isQuiet() && ctx.isStderrTerminal();
    ProgressPrinter progress(ctx.err(), showProgress, QStringLiteral("reading metadata"));
    QObject receiver;
    QObject::connect(worker, &core::metadata::MetadataWorker::resultsReady, &receiver,
                     [&](const QList<MetadataRecord> &batch) {
                         for (const MetadataRecord &record : batch) {
                             if (record.index >= 0 && record.index < qsizetype(records.size())) {
                                 records[size_t(record.index)] = record;
                             }
                         }
                     });
    QObject::connect(worker, &core::concurrency::Worker::progress, &receiver,
                     [&](qint64 done, qint64 total, const QString &) {
                         progress.update(done, QStringLiteral("of %1").arg(total));
                     });
    bool cacheWarned = false;
    QString statusLine;
    QObject::connect(worker, &core::concurrency::Worker::status, &receiver, [&](const QString &summary) {
        statusLine = summary;
        const qsizetype at = summary.indexOf(QLatin1String("metadata cache:"));
        if (!cacheWarned && at >= 0) {
            cacheWarned = true;
            progress.clear();
            ctx.warn(summary.mid(at));
        }
    });
    const bool ok = runWorkerToEnd(ctx, worker, QStringLiteral("oncutf-metadata"), &progress);
    progress.finish();
    services.shutdown();

    bool written = true;
    if (parser.isSet(jsonOption)) {
        JsonWriter writer(ctx.out(), JsonWriter::Style::Lines);
        writer.beginArray();
        for (qsizetype i = 0; i < inputs.size(); ++i) {
            const auto &record = records[size_t(i)];
            writer.beginObject();
            writer.key(QLatin1StringView("path")).rawPathString(inputs.at(i).shown);
            writer.key(QLatin1StringView("mode")).string(core::metadata::metadataModeName(record ? record->mode : mode));
            writer.key(QLatin1StringView("fields"));
            if (printCachedAsIs && record && record->ok() && !record->printedFields.isEmpty()) {
                writer.rawValue(record->printedFields);
            } else {
                writer.value(record && record->ok() ? filter.apply(record->fields) : QJsonObject());
            }
            writer.key(QLatin1StringView("error"));
            if (!record) {
                writer.string(QLatin1StringView("cancelled"));
            } else if (!record->ok()) {
                writer.string(record->error->message);
            } else {
                writer.null();
            }
            writer.endObject();
        }
        writer.endArray();
        written = writer.flush();
        written = std::fputc('\n', ctx.out()) != EOF && written;
    } else {
        const QString text = filter.isActive() ? tableText(inputs, records, filter) : blocksText(inputs, records, filter);
        const QByteArray bytes = text.toUtf8();
        written = std::fwrite(bytes.constData(), 1, size_t(bytes.size()), ctx.out()) == size_t(bytes.size());
    }
    written = std::fflush(ctx.out()) == 0 && !std::ferror(ctx.out()) && written;

    if (parser.isSet(statsOption) && !statusLine.isEmpty()) {
        ctx.printError(statusLine + QLatin1Char('\n'));
    }
    if (!ok) {
        ctx.warn(QStringLiteral("cancelled"));
    }
    if (!written) {
        ctx.warn(QStringLiteral("cannot write to standard output"));
        return kExitFailure;
    }
    return ok && listed ? kExitSuccess : kExitFailure;
}

} // namespace oncutf::cli
