#include "cli/duplicatescommand.h"

#include "cli/clicontext.h"
#include "cli/hashcommand.h"
#include "cli/progressprinter.h"
#include "core/files/nativepath.h"
#include "core/hash/duplicatesworker.h"
#include "core/jsonwriter.h"

#include <QCommandLineParser>

#include <cstdio>

namespace oncutf::cli {

using core::hash::DuplicateReport;
using core::hash::DuplicatesWorker;

int runDuplicatesCommand(CliContext &ctx, const QStringList &args)
{
    const QCommandLineOption recursiveOption(QStringList{QStringLiteral("r"), QStringLiteral("recursive")},
                                             QStringLiteral("Look in sub-folders too."));
    const QCommandLineOption hiddenOption = CliContext::hiddenOption();
    const QCommandLineOption jobsOption = CliContext::jobsOption(QStringLiteral("Hash N files at once (default: the number of CPUs)."));
    const QCommandLineOption noCacheOption = CliContext::noCacheOption(QStringLiteral("hash"));
    const QCommandLineOption jsonOption(QStringList{QStringLiteral("json")},
                                        QStringLiteral("Print {\"groups\": [[path, ...], ...]}; paths that are not UTF-8 "
                                                       "use Python's surrogateescape (\\udcXX)."));
    const QList<QCommandLineOption> options{recursiveOption, hiddenOption, jobsOption, noCacheOption, jsonOption};

    QCommandLineParser parser;
    if (const auto exitCode = ctx.parseCommandArguments(parser, options, args))
        return *exitCode;
    const int jobs = parseJobs(parser.value(jobsOption));
    if (jobs < 0)
        return ctx.usageError(QStringLiteral("--jobs expects a number from 1 to 64"));
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return ctx.usageError(QStringLiteral("missing PATH"));

    QList<QByteArray> paths;
    for (const QString &path : positional)
        paths.append(core::files::fsEncode(path));
    core::files::ScanOptions scanOptions;
    scanOptions.recursive = parser.isSet(recursiveOption);
    scanOptions.includeHidden = parser.isSet(hiddenOption);

    const HashScan scan = scanForHashing(ctx, paths, scanOptions);
    if (scan.cancelled) {
        ctx.warn(QStringLiteral("cancelled"));
        return kExitFailure;
    }

    HashServices services(ctx, jobs, !parser.isSet(noCacheOption));
    auto *worker = new DuplicatesWorker(scan.files, services.hasherOptions());
    const bool showProgress = !ctx.isQuiet() && ctx.isStderrTerminal();
    ProgressPrinter progress(ctx.err(), showProgress, QStringLiteral("hashing"), QStringLiteral("MiB"));
    DuplicateReport report;
    QObject receiver;
    QObject::connect(worker, &DuplicatesWorker::reportReady, &receiver,
                     [&report](const DuplicateReport &ready) { report = ready; });
    qint64 hashedMiB = 0;
    QObject::connect(worker, &DuplicatesWorker::sizeProgress, &receiver, [&](qint64 done, qint64 total) {
        hashedMiB = done >> 20;
        progress.update(hashedMiB, QStringLiteral("of %1").arg(formatBytes(total)));
    });
    QObject::connect(worker, &DuplicatesWorker::progress, &receiver,
                     [&](qint64 current, qint64 total, const QString &item) {
                         if (item == QLatin1String("comparing bytes"))
                             progress.update(hashedMiB, QStringLiteral("comparing bytes: %1/%2 files").arg(current).arg(total));
                     });
    const bool ok = runWorkerToEnd(ctx, worker, QStringLiteral("oncutf-dupes"), &progress);
    progress.finish();
    services.shutdown();

    for (const core::Error &error : std::as_const(report.errors))
        ctx.warn(error.toString());

    const auto shown = [&scan](const QByteArray &path) { return scan.display.value(path, path); };
    bool written = true;
    if (parser.isSet(jsonOption)) {
        core::JsonWriter writer(ctx.out(), core::JsonWriter::Style::Pretty);
        writer.beginObject();
        writer.key(QLatin1StringView("groups")).beginArray();
        for (const QList<QByteArray> &group : std::as_const(report.groups)) {
            writer.beginArray();
            for (const QByteArray &path : group)
                writer.rawPathString(shown(path));
            writer.endArray();
        }
        writer.endArray();
        writer.endObject();
        written = writer.flush();
        written = std::fputc('\n', ctx.out()) != EOF && written;
    } else {
        QByteArray text;
        for (qsizetype g = 0; g < report.groups.size(); ++g) {
            if (g > 0)
                text.append('\n');
            for (const QByteArray &path : report.groups[g]) {
                text.append(CliContext::printablePath(shown(path)).toUtf8());
                text.append('\n');
            }
        }
        written = std::fwrite(text.constData(), 1, size_t(text.size()), ctx.out()) == size_t(text.size());
    }
    written = std::fflush(ctx.out()) == 0 && !std::ferror(ctx.out()) && written;

    if (!ok)
        ctx.warn(QStringLiteral("cancelled: the groups shown are exact but may be incomplete"));
    if (!written) {
        ctx.warn(QStringLiteral("cannot write to standard output"));
        return kExitFailure;
    }
    return !ok || scan.problems || !report.errors.isEmpty() ? kExitFailure : kExitSuccess;
}

} // namespace oncutf::cli
