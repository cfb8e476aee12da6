#include "cli/hashcommand.h"

#include "cli/clicontext.h"
#include "cli/progressprinter.h"
#include "core/appcontext.h"
#include "core/concurrency/workerthread.h"
#include "core/db/databasemanager.h"
#include "core/db/hashcache.h"
#include "core/files/nativepath.h"
#include "core/files/scanworker.h"
#include "core/hash/checksumlist.h"
#include "core/hash/crc32.h"
#include "core/hash/hashworker.h"
#include "core/jsonwriter.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QMap>
#include <QThread>
#include <QTimer>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <optional>
#include <unistd.h>

namespace oncutf::cli {

namespace {

using core::JsonWriter;
using core::files::FileEntry;
using core::files::ScanProblem;
using core::hash::ChecksumCheck;
using core::hash::ChecksumList;
using core::hash::Crc32;
using core::hash::HashResult;
using core::hash::HashWorker;

/// Hands results to `sink` in input order, although the pool finishes them in any order.
class InOrder final {
public:
    explicit InOrder(std::function<void(const HashResult &)> sink) : m_sink(std::move(sink)) {}

    void add(const QList<HashResult> &batch)
    {
        for (const HashResult &result : batch)
            m_waiting.insert(result.index, result);
        while (!m_waiting.isEmpty() && m_waiting.firstKey() == m_next) {
            m_sink(m_waiting.first());
            m_waiting.erase(m_waiting.begin());
            ++m_next;
        }
    }

    /// After a cancel: what finished beyond a gap, still in order.
    void flushAll()
    {
        for (const HashResult &result : std::as_const(m_waiting))
            m_sink(result);
        m_waiting.clear();
    }

private:
    std::function<void(const HashResult &)> m_sink;
    QMap<int, HashResult> m_waiting;
    int m_next = 0;
};

/// Hash progress on the terminal: MiB done, with the total and the file count as detail.
class HashProgress final {
public:
    HashProgress(CliContext &ctx, bool enabled)
        : m_printer(ctx.err(), enabled, QStringLiteral("hashing"), QStringLiteral("MiB"))
    {
    }

    void connectTo(HashWorker *worker, QObject *receiver)
    {
        QObject::connect(worker, &HashWorker::progress, receiver, [this](qint64 current, qint64 total, const QString &) {
            m_files = current;
            m_filesTotal = total;
        });
        QObject::connect(worker, &HashWorker::sizeProgress, receiver, [this](qint64 done, qint64 total) {
            m_printer.update(done >> 20, QStringLiteral("of %1, %2/%3 files")
                                             .arg(formatBytes(total))
                                             .arg(m_files)
                                             .arg(m_filesTotal));
        });
    }

    ProgressPrinter &printer() { return m_printer; }

private:
    ProgressPrinter m_printer;
    qint64 m_files = 0;
    qint64 m_filesTotal = 0;
};

bool countsAsFailure(ScanProblem::Kind kind)
{
    // A loop or a folder reached twice loses no file: it is reported, not failed.
    return kind != ScanProblem::Kind::SymlinkLoop && kind != ScanProblem::Kind::AlreadyScanned;
}

std::optional<QByteArray> readWholeFile(const QByteArray &path, QString &error)
{
    int fd = 0;
    if (path != "-") {
        do {
            fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            error = QString::fromLocal8Bit(std::strerror(errno));
            return std::nullopt;
        }
    }
    QByteArray contents;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            error = QString::fromLocal8Bit(std::strerror(errno));
            if (fd != 0)
                ::close(fd);
            return std::nullopt;
        }
        if (n == 0)
            break;
        contents.append(buffer, n);
    }
    if (fd != 0)
        ::close(fd);
    return contents;
}

bool writeOut(const CliContext &ctx, const QByteArray &bytes)
{
    return std::fwrite(bytes.constData(), 1, size_t(bytes.size()), ctx.out()) == size_t(bytes.size());
}

int runCheck(CliContext &ctx, const QByteArray &listPath, int jobs)
{
    QString readError;
    const auto contents = readWholeFile(listPath, readError);
    if (!contents) {
        ctx.warn(CliContext::printablePath(listPath) + QStringLiteral(": ") + readError);
        return kExitFailure;
    }
    const core::hash::ParsedChecksumList parsed = ChecksumList::parse(*contents);
    if (parsed.entries.isEmpty()) {
        ctx.warn(CliContext::printablePath(listPath) + QStringLiteral(": no properly formatted checksum lines found"));
        return kExitFailure;
    }
    for (const int line : parsed.malformedLines)
        ctx.warn(CliContext::printablePath(listPath) + QStringLiteral(": line %1: improperly formatted checksum line").arg(line));

    QList<QByteArray> paths;
    paths.reserve(parsed.entries.size());
    for (const core::hash::ChecksumEntry &entry : parsed.entries)
        paths.append(entry.path);

    // A check reads every file: the cache would hide a file corrupted in place behind its old mtime.
    HashServices services(ctx, jobs, false);
    auto *worker = new HashWorker(paths, services.hasherOptions());

    qint64 mismatched = 0;
    qint64 unreadable = 0;
    bool written = true;
    const bool showProgress = !ctx.isQuiet() && ctx.isStderrTerminal();
    const bool sharedTerminal = showProgress && ctx.isStdoutTerminal();
    HashProgress progress(ctx, showProgress);
    InOrder inOrder([&](const HashResult &result) {
        const core::hash::ChecksumEntry &entry = parsed.entries[result.index];
        const core::Result<quint32> actual = result.crc ? core::Result<quint32>(*result.crc) : core::Result<quint32>(*result.error);
        const ChecksumCheck check = ChecksumList::check(entry, actual);
        if (check.status == ChecksumCheck::Status::Unreadable) {
            ++unreadable;
            ctx.warn(CliContext::printablePath(entry.path) + QStringLiteral(": ") + check.error->message);
        } else if (check.status == ChecksumCheck::Status::Failed) {
            ++mismatched;
        }
        written = writeOut(ctx, ChecksumList::formatCheckLine(entry.path, check.status)) && written;
    });
    QObject receiver;
    QObject::connect(worker, &HashWorker::resultsReady, &receiver, [&](const QList<HashResult> &batch) {
        if (sharedTerminal)
            progress.printer().clear();
        inOrder.add(batch);
    });
    progress.connectTo(worker, &receiver);
    const bool ok = runWorkerToEnd(ctx, worker, QStringLiteral("oncutf-hash"), &progress.printer());
    progress.printer().finish();
    inOrder.flushAll();
    services.shutdown();
    written = std::fflush(ctx.out()) == 0 && written;

    if (!parsed.malformedLines.isEmpty())
        ctx.warn(QStringLiteral("WARNING: %1 line%2 improperly formatted")
                     .arg(parsed.malformedLines.size())
                     .arg(parsed.malformedLines.size() == 1 ? QStringLiteral(" is") : QStringLiteral("s are")));
    if (unreadable > 0)
        ctx.warn(QStringLiteral("WARNING: %1 listed file%2 could not be read").arg(unreadable).arg(unreadable == 1 ? QString() : QStringLiteral("s")));
    if (mismatched > 0)
        ctx.warn(QStringLiteral("WARNING: %1 computed checksum%2 did NOT match").arg(mismatched).arg(mismatched == 1 ? QString() : QStringLiteral("s")));
    if (!ok)
        ctx.warn(QStringLiteral("cancelled"));
    if (!written) {
        ctx.warn(QStringLiteral("cannot write to standard output"));
        return kExitFailure;
    }
    const bool failed = !ok || unreadable > 0 || mismatched > 0 || !parsed.malformedLines.isEmpty();
    return failed ? kExitFailure : kExitSuccess;
}

} // namespace

int parseJobs(const QString &text)
{
    if (text.isEmpty())
        return qBound(1, QThread::idealThreadCount(), 64);
    bool ok = false;
    const int jobs = text.toInt(&ok);
    return ok && jobs >= 1 && jobs <= 64 ? jobs : -1;
}

QString formatBytes(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes);
    int unit = -1;
    while (value >= 1024.0 && unit < 3) {
        value /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QLatin1StringView(units[unit]));
}

HashServices::HashServices(const CliContext &ctx, int jobs, bool useCache)
{
    core::AppContext::Options options;
    options.pool.minWorkers = jobs;
    options.pool.maxWorkers = jobs;
    m_app = std::make_unique<core::AppContext>(options);
    if (useCache) {
        m_database = std::make_unique<core::db::DatabaseManager>(ctx.databasePath());
        m_cache = std::make_unique<core::db::HashCache>(*m_database);
        m_app->coordinator().registerParticipant(core::concurrency::ShutdownPhase::Database, m_database.get());
    }
}

HashServices::~HashServices()
{
    shutdown();
}

core::hash::BatchHasher::Options HashServices::hasherOptions() const
{
    core::hash::BatchHasher::Options options;
    options.pool = &m_app->pool();
    options.cache = m_cache.get();
    return options;
}

void HashServices::shutdown()
{
    if (m_app && !m_app->isShutDown())
        m_app->shutdownSync();
}

bool runWorkerToEnd(CliContext &ctx, core::concurrency::Worker *worker, const QString &threadName,
                    ProgressPrinter *progress)
{
    core::concurrency::WorkerThread thread(threadName);
    QEventLoop loop;
    QObject receiver;
    bool ok = false;
    QObject::connect(&thread, &core::concurrency::WorkerThread::workerFinished, &receiver, [&](bool finishedOk) {
        ok = finishedOk;
        loop.quit();
    });
    // Keeps the progress line alive while one huge file is read and no other signal arrives.
    QTimer ticker;
    ticker.setInterval(250);
    if (progress != nullptr) {
        QObject::connect(&ticker, &QTimer::timeout, &receiver, [progress] { progress->tick(); });
        ticker.start();
    }
    ctx.setCancelHandler([&thread] { thread.cancel(); });
    thread.start(worker);
    loop.exec();
    thread.stop(QDeadlineTimer(QDeadlineTimer::Forever));
    ctx.setCancelHandler({});
    ticker.stop();
    return ok;
}

DisplayMapper::DisplayMapper(const QList<QByteArray> &arguments)
{
    for (const QByteArray &argument : arguments)
        m_roots.append({core::files::absolutePath(argument), argument});
}

QByteArray DisplayMapper::display(const QByteArray &absolute) const
{
    // Entries arrive in argument order: try the current root first, then the others.
    if (m_current < m_roots.size()) {
        if (auto shown = under(m_roots[m_current], absolute))
            return *shown;
    }
    for (qsizetype i = 0; i < m_roots.size(); ++i) {
        if (auto shown = under(m_roots[i], absolute)) {
            m_current = i;
            return *shown;
        }
    }
    return absolute;
}

std::optional<QByteArray> DisplayMapper::under(const Root &root, const QByteArray &path)
{
    if (path == root.absolute)
        return root.argument;
    const qsizetype prefix = root.absolute == "/" ? 1 : root.absolute.size() + 1;
    if (path.size() <= prefix || !path.startsWith(root.absolute) || path[prefix - 1] != '/')
        return std::nullopt;
    QByteArray shown = root.argument;
    if (!shown.endsWith('/'))
        shown.append('/');
    shown.append(QByteArrayView(path).sliced(prefix));
    return shown;
}

HashScan scanForHashing(CliContext &ctx, const QList<QByteArray> &paths, const core::files::ScanOptions &options,
                        bool mapEveryPath)
{
    HashScan scan;
    scan.mapper = std::make_shared<DisplayMapper>(paths);
    const DisplayMapper &mapper = *scan.mapper;
    const bool showProgress = !ctx.isQuiet() && ctx.isStderrTerminal();
    ProgressPrinter progress(ctx.err(), showProgress);

    auto *worker = new core::files::ScanWorker(paths, options);
    QObject receiver;
    QObject::connect(worker, &core::files::ScanWorker::batchReady, &receiver, [&](const QList<FileEntry> &batch) {
        if (mapEveryPath) {
            for (const FileEntry &entry : batch)
                scan.display.insert(entry.path, mapper.display(entry.path));
        }
        scan.files.append(batch);
        progress.update(scan.files.size());
    });
    QObject::connect(worker, &core::files::ScanWorker::problem, &receiver, [&](const ScanProblem &problem) {
        progress.clear();
        if (countsAsFailure(problem.kind))
            scan.problems = true;
        ctx.warn(CliContext::printablePath(mapper.display(problem.path)) + QStringLiteral(": ") + problem.message);
    });
    QObject::connect(worker, &core::concurrency::Worker::failed, &receiver, [&](const QString &error) {
        progress.clear();
        scan.problems = true;
        ctx.warn(error);
    });
    scan.cancelled = !runWorkerToEnd(ctx, worker, QStringLiteral("oncutf-scan"), &progress);
    progress.finish();
    return scan;
}

int runHashCommand(CliContext &ctx, const QStringList &args)
{
    const QCommandLineOption recursiveOption(QStringList{QStringLiteral("r"), QStringLiteral("recursive")},
                                             QStringLiteral("Hash the files of sub-folders too."));
    const QCommandLineOption hiddenOption = CliContext::hiddenOption();
    const QCommandLineOption jobsOption = CliContext::jobsOption(QStringLiteral("Hash N files at once (default: the number of CPUs)."));
    const QCommandLineOption noCacheOption = CliContext::noCacheOption(QStringLiteral("hash"));
    const QCommandLineOption jsonOption(
        QStringList{QStringLiteral("json")},
        QStringLiteral("Print a JSON array of {path, crc32, size, error}; paths that are not UTF-8 use Python's "
                       "surrogateescape (\\udcXX)."));
    const QCommandLineOption checkOption(
        QStringList{QStringLiteral("c"), QStringLiteral("check")},
        QStringLiteral("Read CRC32 checksums from LIST ('-' for standard input) and check them, like sha256sum -c."),
        QStringLiteral("LIST"));
    const QList<QCommandLineOption> options{recursiveOption, hiddenOption, jobsOption, noCacheOption, jsonOption,
                                            checkOption};

    QCommandLineParser parser;
    if (const auto exitCode = ctx.parseCommandArguments(parser, options, args))
        return *exitCode;
    const int jobs = parseJobs(parser.value(jobsOption));
    if (jobs < 0)
        return ctx.usageError(QStringLiteral("--jobs expects a number from 1 to 64"));
    const QStringList positional = parser.positionalArguments();

    if (parser.isSet(checkOption)) {
        if (!positional.isEmpty())
            return ctx.usageError(QStringLiteral("--check takes a LIST and no PATH"));
        if (parser.isSet(jsonOption))
            return ctx.usageError(QStringLiteral("--check and --json cannot be combined"));
        return runCheck(ctx, core::files::fsEncode(parser.value(checkOption)), jobs);
    }
    if (positional.isEmpty())
        return ctx.usageError(QStringLiteral("missing PATH"));

    QList<QByteArray> paths;
    paths.reserve(positional.size());
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
    QList<QByteArray> files;
    files.reserve(scan.files.size());
    for (const FileEntry &entry : scan.files)
        files.append(entry.path);
    auto *worker = new HashWorker(files, services.hasherOptions());

    const bool json = parser.isSet(jsonOption);
    std::unique_ptr<JsonWriter> writer;
    if (json) {
        writer = std::make_unique<JsonWriter>(ctx.out(), JsonWriter::Style::Lines);
        writer->beginArray();
    }
    bool failures = false;
    bool written = true;
    bool cacheWarned = false;
    QByteArray text;
    InOrder inOrder([&](const HashResult &result) {
        const QByteArray shown = scan.display.value(result.path, result.path);
        if (!result.ok()) {
            failures = true;
            ctx.warn(CliContext::printablePath(shown) + QStringLiteral(": ") + result.error->message);
        }
        if (json) {
            writer->beginObject();
            writer->key(QLatin1StringView("path")).rawPathString(shown);
            if (result.ok())
                writer->key(QLatin1StringView("crc32")).string(QLatin1StringView(Crc32::toHex(*result.crc)));
            else
                writer->key(QLatin1StringView("crc32")).null();
            if (result.size >= 0)
                writer->key(QLatin1StringView("size")).integer(result.size);
            else
                writer->key(QLatin1StringView("size")).null();
            if (result.ok())
                writer->key(QLatin1StringView("error")).null();
            else
                writer->key(QLatin1StringView("error")).string(result.error->message);
            writer->endObject();
        } else if (result.ok()) {
            text.append(ChecksumList::formatLine(*result.crc, shown));
        }
    });

    const bool showProgress = !ctx.isQuiet() && ctx.isStderrTerminal();
    const bool sharedTerminal = showProgress && ctx.isStdoutTerminal();
    HashProgress progress(ctx, showProgress);
    QObject receiver;
    QObject::connect(worker, &HashWorker::resultsReady, &receiver, [&](const QList<HashResult> &batch) {
        if (sharedTerminal)
            progress.printer().clear();
        inOrder.add(batch);
        if (!text.isEmpty()) {
            written = writeOut(ctx, text) && written;
            text.clear();
        }
        if (json)
            writer->flush();
        std::fflush(ctx.out());
    });
    QObject::connect(worker, &HashWorker::status, &receiver, [&](const QString &summary) {
        if (!cacheWarned && summary.contains(QLatin1String("hash cache:"))) {
            cacheWarned = true;
            ctx.warn(summary.mid(summary.indexOf(QLatin1String("hash cache:"))));
        }
    });
    progress.connectTo(worker, &receiver);

    const bool ok = runWorkerToEnd(ctx, worker, QStringLiteral("oncutf-hash"), &progress.printer());
    progress.printer().finish();
    inOrder.flushAll();
    if (!text.isEmpty())
        written = writeOut(ctx, text) && written;
    if (json) {
        writer->endArray();
        written = writer->flush() && written;
    }
    written = std::fflush(ctx.out()) == 0 && !std::ferror(ctx.out()) && written;
    services.shutdown();

    if (!ok)
        ctx.warn(QStringLiteral("cancelled"));
    if (!written) {
        ctx.warn(QStringLiteral("cannot write to standard output"));
        return kExitFailure;
    }
    return !ok || failures || scan.problems ? kExitFailure : kExitSuccess;
}

} // namespace oncutf::cli
