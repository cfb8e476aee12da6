#include "cli/scancommand.h"

#include "cli/clicontext.h"
#include "cli/progressprinter.h"
#include "core/concurrency/workerthread.h"
#include "core/files/fileentry.h"
#include "core/files/nativepath.h"
#include "core/files/scanworker.h"
#include "core/jsonwriter.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QTimer>

#include <cstdio>
#include <ctime>
#include <memory>

namespace oncutf::cli {

namespace {

using core::JsonWriter;
using core::files::FileEntry;
using core::files::ScanProblem;

struct SplitTime {
    std::time_t seconds;
    long nanoseconds;
};

SplitTime splitNanoseconds(qint64 ns)
{
    // Floor division, so times before 1970 still get a nanosecond part in [0, 1e9).
    qint64 seconds = ns / 1000000000LL;
    qint64 rest = ns % 1000000000LL;
    if (rest < 0) {
        rest += 1000000000LL;
        --seconds;
    }
    return {static_cast<std::time_t>(seconds), static_cast<long>(rest)};
}

/// Where the listing goes: the text table or the JSON array.
class Listing {
public:
    virtual ~Listing() = default;
    virtual void begin() = 0;
    virtual void write(const QList<FileEntry> &entries) = 0;
    /// Ends the output; false if writing failed.
    virtual bool end() = 0;
};

class TextListing final : public Listing {
public:
    explicit TextListing(const CliContext &ctx) : m_ctx(ctx) {}

    void begin() override
    {
        if (m_ctx.isStdoutTerminal())
            m_ctx.print(QStringLiteral("%1  %2  %3  PATH\n")
                            .arg(QStringLiteral("SIZE"), 12)
                            .arg(QStringLiteral("MODIFIED"), -19)
                            .arg(QStringLiteral("TYPE"), -5));
    }

    void write(const QList<FileEntry> &entries) override
    {
        QByteArray out;
        out.reserve(entries.size() * 100);
        char prefix[64];
        for (const FileEntry &entry : entries) {
            const int n = std::snprintf(prefix, sizeof prefix, "%12lld  %s  ", static_cast<long long>(entry.size),
                                        isoLocalFromNanoseconds(entry.mtimeNs).constData());
            out.append(prefix, n);
            // The type comes from the name, so it may hold anything a name can.
            const QString type = CliContext::printablePath(entry.type.toUtf8());
            out.append(type.leftJustified(5).toUtf8());
            out.append("  ", 2);
            out.append(CliContext::printablePath(entry.path).toUtf8());
            out.append('\n');
        }
        if (std::fwrite(out.constData(), 1, size_t(out.size()), m_ctx.out()) != size_t(out.size()))
            m_failed = true;
        std::fflush(m_ctx.out());
    }

    bool end() override { return std::fflush(m_ctx.out()) == 0 && !m_failed && !std::ferror(m_ctx.out()); }

private:
    const CliContext &m_ctx;
    bool m_failed = false;
};

class JsonListing final : public Listing {
public:
    explicit JsonListing(const CliContext &ctx) : m_ctx(ctx), m_writer(ctx.out(), JsonWriter::Style::Lines) {}

    void begin() override { m_writer.beginArray(); }

    void write(const QList<FileEntry> &entries) override
    {
        for (const FileEntry &entry : entries) {
            m_writer.beginObject();
            m_writer.key(QLatin1StringView("path")).rawPathString(entry.path);
            m_writer.key(QLatin1StringView("size")).integer(entry.size);
            const QByteArray mtime = isoUtcFromNanoseconds(entry.mtimeNs);
            m_writer.key(QLatin1StringView("mtime")).string(QLatin1StringView(mtime));
            m_writer.key(QLatin1StringView("mtime_ns")).integer(entry.mtimeNs);
            m_writer.key(QLatin1StringView("type")).string(entry.type);
            m_writer.key(QLatin1StringView("kind")).string(entry.kind);
            m_writer.endObject();
        }
        // One flush per batch: the listing streams, without a write per entry.
        m_writer.flush();
    }

    bool end() override
    {
        m_writer.endArray();
        return m_writer.flush() && !std::ferror(m_ctx.out());
    }

private:
    const CliContext &m_ctx;
    JsonWriter m_writer;
};

} // namespace

QByteArray isoUtcFromNanoseconds(qint64 nanoseconds)
{
    const SplitTime t = splitNanoseconds(nanoseconds);
    std::tm tm{};
    if (::gmtime_r(&t.seconds, &tm) == nullptr)
        return QByteArrayLiteral("1970-01-01T00:00:00.000000000Z");
    char text[64];
    const int n = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t.nanoseconds);
    return QByteArray(text, n);
}

QByteArray isoLocalFromNanoseconds(qint64 nanoseconds)
{
    const SplitTime t = splitNanoseconds(nanoseconds);
    std::tm tm{};
    if (::localtime_r(&t.seconds, &tm) == nullptr)
        return QByteArrayLiteral("0000-00-00T00:00:00");
    char text[64];
    const int n = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return QByteArray(text, n);
}

int runScanCommand(CliContext &ctx, const QStringList &args)
{
    const QCommandLineOption recursiveOption(QStringList{QStringLiteral("r"), QStringLiteral("recursive")},
                                             QStringLiteral("Descend into sub-folders."));
    const QCommandLineOption hiddenOption = CliContext::hiddenOption();
    const QCommandLineOption followOption(
        QStringList{QStringLiteral("L"), QStringLiteral("follow-symlinks")},
        QStringLiteral("With --recursive, descend into symlinked folders (loops are detected and reported)."));
    const QCommandLineOption jsonOption(
        QStringList{QStringLiteral("json")},
        QStringLiteral("Print a JSON array of {path, size, mtime, mtime_ns, type, kind}; paths that are not UTF-8 "
                       "use Python's surrogateescape (\\udcXX)."));
    const QList<QCommandLineOption> options{recursiveOption, hiddenOption, followOption, jsonOption};

    QCommandLineParser parser;
    if (const auto exitCode = ctx.parseCommandArguments(parser, options, args))
        return *exitCode;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return ctx.usageError(QStringLiteral("missing PATH"));

    QList<QByteArray> paths;
    paths.reserve(positional.size());
    for (const QString &path : positional)
        paths.append(core::files::fsEncode(path));

    core::files::ScanOptions scanOptions;
    scanOptions.recursive = parser.isSet(recursiveOption);
    scanOptions.includeHidden = parser.isSet(hiddenOption);
    scanOptions.followSymlinks = parser.isSet(followOption);

    std::unique_ptr<Listing> listing;
    if (parser.isSet(jsonOption))
        listing = std::make_unique<JsonListing>(ctx);
    else
        listing = std::make_unique<TextListing>(ctx);

    const bool showProgress = !ctx.isQuiet() && ctx.isStderrTerminal();
    const bool sharedTerminal = showProgress && ctx.isStdoutTerminal();
    ProgressPrinter progress(ctx.err(), showProgress);

    qint64 filesListed = 0;
    bool missingPath = false;
    bool workerOk = false;
    QString summary;

    auto *worker = new core::files::ScanWorker(paths, scanOptions);
    core::concurrency::WorkerThread thread(QStringLiteral("oncutf-scan"));
    QEventLoop loop;
    QObject receiver; // context of every connection: the lambdas run on this (the main) thread

    QObject::connect(worker, &core::files::ScanWorker::batchReady, &receiver,
                     [&](const QList<FileEntry> &batch) {
                         if (sharedTerminal)
                             progress.clear();
                         listing->write(batch);
                         filesListed += batch.size();
                         progress.update(filesListed);
                     });
    QObject::connect(worker, &core::files::ScanWorker::problem, &receiver, [&](const ScanProblem &problem) {
        progress.clear();
        if (problem.kind == ScanProblem::Kind::MissingArgument)
            missingPath = true;
        ctx.warn(CliContext::printablePath(problem.path) + QStringLiteral(": ") + problem.message);
    });
    QObject::connect(worker, &core::concurrency::Worker::progress, &receiver,
                     [&](qint64, qint64, const QString &folder) { progress.update(filesListed, folder); });
    QObject::connect(worker, &core::concurrency::Worker::status, &receiver,
                     [&](const QString &text) { summary = text; });
    QObject::connect(worker, &core::concurrency::Worker::failed, &receiver, [&](const QString &error) {
        progress.clear();
        ctx.warn(error);
    });
    QObject::connect(&thread, &core::concurrency::WorkerThread::workerFinished, &receiver, [&](bool ok) {
        workerOk = ok;
        loop.quit();
    });

    // Keeps the progress line alive while one huge folder is being read and nothing else arrives.
    QTimer ticker;
    ticker.setInterval(250);
    QObject::connect(&ticker, &QTimer::timeout, &receiver, [&progress] { progress.tick(); });
    if (showProgress)
        ticker.start();

    ctx.setCancelHandler([&thread] { thread.cancel(); });
    listing->begin();
    thread.start(worker);
    loop.exec();
    // The worker has finished; this only joins the thread (and lets it delete the worker).
    thread.stop(QDeadlineTimer(QDeadlineTimer::Forever));
    ctx.setCancelHandler({});
    ticker.stop();
    progress.finish();

    const bool written = listing->end();
    if (!ctx.isQuiet() && ctx.isStderrTerminal() && !summary.isEmpty())
        ctx.warn(summary);
    if (!written) {
        ctx.warn(QStringLiteral("cannot write the listing to standard output"));
        return kExitFailure;
    }
    if (!workerOk) {
        ctx.warn(QStringLiteral("scan cancelled or failed"));
        return kExitFailure;
    }
    return missingPath ? kExitFailure : kExitSuccess;
}

} // namespace oncutf::cli
