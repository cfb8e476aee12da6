#include "cli/comparecommand.h"

#include "cli/clicontext.h"
#include "cli/hashcommand.h"
#include "cli/progressprinter.h"
#include "core/files/nativepath.h"
#include "core/hash/compareworker.h"
#include "core/jsonwriter.h"

#include <QCommandLineParser>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>

namespace oncutf::cli {

using core::hash::CompareWorker;
using core::hash::FolderComparer;
using core::hash::FolderComparison;

namespace {

bool checkFolder(const CliContext &ctx, const QByteArray &path)
{
    struct stat info {};
    if (::stat(path.constData(), &info) != 0) {
        ctx.warn(CliContext::printablePath(path) + QStringLiteral(": ") + QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    if (!S_ISDIR(info.st_mode)) {
        ctx.warn(CliContext::printablePath(path) + QStringLiteral(": not a folder"));
        return false;
    }
    return true;
}

void writeList(core::JsonWriter &writer, QLatin1StringView name, const QList<QByteArray> &paths)
{
    writer.key(name).beginArray();
    for (const QByteArray &path : paths)
        writer.rawPathString(path);
    writer.endArray();
}

} // namespace

int runCompareCommand(CliContext &ctx, const QStringList &args)
{
    const QCommandLineOption recursiveOption(QStringList{QStringLiteral("r"), QStringLiteral("recursive")},
                                             QStringLiteral("Compare the files of sub-folders too."));
    const QCommandLineOption hiddenOption = CliContext::hiddenOption();
    const QCommandLineOption jobsOption = CliContext::jobsOption(QStringLiteral("Hash N files at once (default: the number of CPUs)."));
    const QCommandLineOption noCacheOption = CliContext::noCacheOption(QStringLiteral("hash"));
    const QCommandLineOption jsonOption(
        QStringList{QStringLiteral("json")},
        QStringLiteral("Print {\"same\", \"different\", \"only_in_a\", \"only_in_b\"}: lists of relative paths; paths "
                       "that are not UTF-8 use Python's surrogateescape (\\udcXX)."));
    const QList<QCommandLineOption> options{recursiveOption, hiddenOption, jobsOption, noCacheOption, jsonOption};

    QCommandLineParser parser;
    if (const auto exitCode = ctx.parseCommandArguments(parser, options, args))
        return *exitCode;
    const int jobs = parseJobs(parser.value(jobsOption));
    if (jobs < 0)
        return ctx.usageError(QStringLiteral("--jobs expects a number from 1 to 64"));
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return ctx.usageError(QStringLiteral("expected two folders, DIR_A and DIR_B"));

    const QByteArray dirA = core::files::fsEncode(positional[0]);
    const QByteArray dirB = core::files::fsEncode(positional[1]);
    const bool foldersOk = checkFolder(ctx, dirA);
    if (!checkFolder(ctx, dirB) || !foldersOk)
        return kExitFailure;

    core::files::ScanOptions scanOptions;
    scanOptions.recursive = parser.isSet(recursiveOption);
    scanOptions.includeHidden = parser.isSet(hiddenOption);
    const HashScan scanA = scanForHashing(ctx, {dirA}, scanOptions);
    if (scanA.cancelled) {
        ctx.warn(QStringLiteral("cancelled"));
        return kExitFailure;
    }
    const HashScan scanB = scanForHashing(ctx, {dirB}, scanOptions);
    if (scanB.cancelled) {
        ctx.warn(QStringLiteral("cancelled"));
        return kExitFailure;
    }

    HashServices services(ctx, jobs, !parser.isSet(noCacheOption));
    auto *worker = new CompareWorker(FolderComparer::relativeIndex(dirA, scanA.files),
                                     FolderComparer::relativeIndex(dirB, scanB.files), services.hasherOptions());
    const bool showProgress = !ctx.isQuiet() && ctx.isStderrTerminal();
    ProgressPrinter progress(ctx.err(), showProgress, QStringLiteral("hashing"), QStringLiteral("MiB"));
    FolderComparison result;
    QObject receiver;
    QObject::connect(worker, &CompareWorker::comparisonReady, &receiver,
                     [&result](const FolderComparison &ready) { result = ready; });
    QObject::connect(worker, &CompareWorker::sizeProgress, &receiver, [&progress](qint64 done, qint64 total) {
        progress.update(done >> 20, QStringLiteral("of %1").arg(formatBytes(total)));
    });
    const bool ok = runWorkerToEnd(ctx, worker, QStringLiteral("oncutf-compare"), &progress);
    progress.finish();
    services.shutdown();

    for (const core::Error &error : std::as_const(result.errors))
        ctx.warn(error.toString());

    bool written = true;
    if (parser.isSet(jsonOption)) {
        core::JsonWriter writer(ctx.out(), core::JsonWriter::Style::Pretty);
        writer.beginObject();
        writeList(writer, QLatin1StringView("same"), result.same);
        writeList(writer, QLatin1StringView("different"), result.different);
        writeList(writer, QLatin1StringView("only_in_a"), result.onlyInA);
        writeList(writer, QLatin1StringView("only_in_b"), result.onlyInB);
        writer.endObject();
        written = writer.flush();
        written = std::fputc('\n', ctx.out()) != EOF && written;
    } else {
        // One listing in byte order of the paths: merge the four sorted lists.
        struct Line {
            const QByteArray *path;
            const char *status;
        };
        QList<Line> lines;
        for (const QByteArray &path : std::as_const(result.same))
            lines.append({&path, "same"});
        for (const QByteArray &path : std::as_const(result.different))
            lines.append({&path, "different"});
        for (const QByteArray &path : std::as_const(result.onlyInA))
            lines.append({&path, "only-in-a"});
        for (const QByteArray &path : std::as_const(result.onlyInB))
            lines.append({&path, "only-in-b"});
        std::stable_sort(lines.begin(), lines.end(), [](const Line &a, const Line &b) { return *a.path < *b.path; });
        QByteArray text;
        for (const Line &line : std::as_const(lines)) {
            text.append(QByteArray(line.status).leftJustified(10));
            text.append("  ");
            text.append(CliContext::printablePath(*line.path).toUtf8());
            text.append('\n');
        }
        written = std::fwrite(text.constData(), 1, size_t(text.size()), ctx.out()) == size_t(text.size());
    }
    written = std::fflush(ctx.out()) == 0 && !std::ferror(ctx.out()) && written;

    if (!ok)
        ctx.warn(QStringLiteral("cancelled: the comparison is incomplete"));
    if (!written) {
        ctx.warn(QStringLiteral("cannot write to standard output"));
        return kExitFailure;
    }
    const bool failed = !ok || scanA.problems || scanB.problems || !result.errors.isEmpty();
    return failed ? kExitFailure : kExitSuccess;
}

} // namespace oncutf::cli
