#include "core/metadata/metadataloader.h"

#include "core/concurrency/threadpoolmanager.h"
#include "core/db/filestamp.h"
#include "core/db/metadatacache.h"
#include "core/files/nativepath.h"
#include "core/logging.h"
#include "core/metadata/cachejson.h"
#include "core/metadata/exiftoolpool.h"
#include "core/metadata/exiv2reader.h"
#include "core/metadata/sidecarmerger.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QJsonDocument>
#include <QTimer>

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

namespace oncutf::core::metadata {

namespace {

using concurrency::CancellationToken;
using concurrency::TaskOutcome;
using concurrency::ThreadPoolManager;

db::MetadataMode toDb(MetadataMode mode)
{
    return mode == MetadataMode::Extended ? db::MetadataMode::Extended : db::MetadataMode::Fast;
}

MetadataMode fromDb(db::MetadataMode mode)
{
    return mode == db::MetadataMode::Extended ? MetadataMode::Extended : MetadataMode::Fast;
}

/// One file to load: a requested file (index < the number requested) or a sidecar.
struct Job {
    qsizetype index = 0;
    QByteArray path;     // as given (sidecars: absolute)
    QByteArray absolute; // the cache key
    MetadataMode mode = MetadataMode::Fast;
    std::optional<db::FileStamp> stamp;
};

/// Where a record came from.
enum class Route : char { None, Cache, Reader, ExifTool, Error };

/// What the pool tasks and the calling thread share; a task holds a reference while it runs.
struct Shared {
    std::atomic<bool> stop{false};
    std::atomic<qint64> filesDone{0};

    std::mutex mutex;
    std::vector<std::optional<MetadataRecord>> done; // by job index
    std::vector<Route> route;
    std::vector<char> emitted;                       // requested files handed out
    std::vector<std::vector<qsizetype>> sidecarsOf;  // requested index -> sidecar job indices
    std::vector<std::vector<qsizetype>> waitingOn;   // sidecar job index -> requested indices
    qsizetype requested = 0;
    // Records read (not cached) are queued for the calling thread's stores while reading.
    bool queueForCache = false;
    // Options::printForm: requested files without sidecars also get their fields in JsonWriter's
    // form (cache hits instead of being parsed).
    bool printForm = false;

    // A requested file that merges no sidecar and is no other file's sidecar: what is printed
    // for it is its own fields. (Merging needs the parsed fields on both sides.)
    [[nodiscard]] bool printable(qsizetype job) const
    {
        return printForm && job < requested && sidecarsOf[size_t(job)].empty() && waitingOn[size_t(job)].empty();
    }
    std::vector<qsizetype> storable; // jobs read and not yet taken for a store
    // By job: the cache document of a printable file the in-process reader wrote as text (its
    // record has printedFields, no fields); the store takes it as it is.
    std::vector<QByteArray> documents;
    QList<MetadataRecord> pending;   // merged records not yet handed to the caller
    std::vector<qsizetype> fallback; // jobs the in-process reader declined
    QByteArray lastPath;

    // Locked: hands out requested file `index` if it and its sidecars are in.
    void tryEmitLocked(qsizetype index, bool force)
    {
        if (emitted[size_t(index)] != 0 || !done[size_t(index)]) {
            return;
        }
        MetadataRecord record = *done[size_t(index)];
        for (qsizetype sidecar : sidecarsOf[size_t(index)]) {
            const auto &side = done[size_t(sidecar)];
            if (!side) {
                if (!force) {
                    return;
                }
                continue;
            }
            if (side->ok() && sidecar != index) {
                SidecarMerger::merge(record.fields, side->fields);
            }
        }
        emitted[size_t(index)] = 1;
        pending.append(std::move(record));
    }

    void publish(qsizetype job, MetadataRecord record, Route from, QByteArray document = {});
    // Records of one route under one lock (cache hits come thousands at a time).
    void publishMany(std::vector<std::pair<qsizetype, MetadataRecord>> &records, Route from);
    // The one place a finished record is stored and announced; false if the job had one already.
    bool storeLocked(qsizetype job, MetadataRecord &record, Route from);

    void addFallback(qsizetype job)
    {
        std::lock_guard lock(mutex);
        fallback.push_back(job);
    }
};

bool Shared::storeLocked(qsizetype job, MetadataRecord &record, Route from)
{
    if (done[size_t(job)]) {
        return false;
    }
    lastPath = record.path;
    done[size_t(job)] = std::move(record);
    route[size_t(job)] = from;
    filesDone.fetch_add(1, std::memory_order_relaxed);
    if (job < requested) {
        tryEmitLocked(job, false);
    }
    for (qsizetype main : waitingOn[size_t(job)]) {
        tryEmitLocked(main, false);
    }
    return true;
}

void Shared::publishMany(std::vector<std::pair<qsizetype, MetadataRecord>> &records, Route from)
{
    Q_ASSERT(from == Route::Cache || from == Route::Error); // nothing to serialise for the cache
    std::lock_guard lock(mutex);
    for (auto &[job, record] : records) {
        storeLocked(job, record, from);
    }
}

void Shared::publish(qsizetype job, MetadataRecord record, Route from, QByteArray document)
{
    const bool forCache = queueForCache && (from == Route::Reader || from == Route::ExifTool) && record.ok();
    std::lock_guard lock(mutex);
    if (storeLocked(job, record, from)) {
        if (!document.isEmpty()) {
            documents[size_t(job)] = std::move(document);
        }
        if (forCache) {
            storable.push_back(job);
        }
    }
}

MetadataRecord errorRecord(const Job &job, ErrorCode code, const QString &message)
{
    MetadataRecord record;
    record.index = job.index;
    record.path = job.path;
    record.mode = job.mode;
    record.error = makeError(code, message, files::toDisplay(job.path));
    return record;
}

// The in-process reader over a group of jobs; declined files go to the ExifTool queue.
void readGroup(Shared &shared, const std::vector<Job> &jobs, const std::vector<qsizetype> &group,
               const CancellationToken *token)
{
    for (qsizetype j : group) {
        if (shared.stop.load(std::memory_order_acquire) || (token != nullptr && token->isCancelled())) {
            return;
        }
        const Job &job = jobs[size_t(j)];
        MetadataRecord record;
        record.index = job.index;
        record.path = job.path;
        record.mode = MetadataMode::Fast;
        if (shared.printable(j)) {
            // A file only printed: the reader writes the cache's document straight away (no
            // QJsonObject, which cost more than reading the file), and the print form is made
            // from it here, by the readers side by side, instead of by the caller once every
            // file is in. The store takes the document as it is.
            std::optional<QByteArray> document = Exiv2Reader::readDocument(job.absolute);
            if (!document) {
                shared.addFallback(j);
                continue;
            }
            QByteArray printed;
            printed.reserve(document->size() + 32);
            if (cachejson::appendPrintForm(printed, *document)) {
                // Almost always the same bytes: then one buffer serves both.
                record.printedFields = printed == *document ? *document : std::move(printed);
            } else {
                std::optional<QJsonObject> fields = MetadataLoader::fromCacheJson(*document);
                if (!fields) {
                    shared.addFallback(j);
                    continue;
                }
                record.fields = std::move(*fields);
            }
            shared.publish(j, std::move(record), Route::Reader, std::move(*document));
            continue;
        }
        std::optional<QJsonObject> fields = Exiv2Reader::read(job.absolute);
        if (!fields) {
            shared.addFallback(j);
            continue;
        }
        record.fields = std::move(*fields);
        shared.publish(j, std::move(record), Route::Reader);
    }
}

/// ExifTool's share: chunks of one mode, pulled by as many tasks as there are processes.
struct ExifToolQueue {
    std::vector<std::pair<MetadataMode, std::vector<qsizetype>>> chunks;
    int filesPerCommand = 1;
    std::atomic<size_t> next{0};
    std::atomic<int> restarts{0};
};

void drainExifToolQueue(Shared &shared, ExifToolQueue &queue, const std::vector<Job> &jobs, ExifToolPool &pool,
                        const CancellationToken *token)
{
    const auto stopped = [&] {
        return shared.stop.load(std::memory_order_acquire) || (token != nullptr && token->isCancelled());
    };
    for (;;) {
        if (stopped()) {
            return;
        }
        const size_t c = queue.next.fetch_add(1);
        if (c >= queue.chunks.size()) {
            return;
        }
        const auto &[mode, chunk] = queue.chunks[c];
        QList<QByteArray> paths;
        paths.reserve(qsizetype(chunk.size()));
        for (qsizetype j : chunk) {
            paths.append(jobs[size_t(j)].absolute);
        }
        const ExifToolReadSummary summary = pool.read(
            paths, mode,
            [&](qsizetype i, MetadataRecord &&record) {
                const Job &job = jobs[size_t(chunk[size_t(i)])];
                record.index = job.index;
                record.path = job.path;
                record.mode = job.mode;
                shared.publish(chunk[size_t(i)], std::move(record), Route::ExifTool);
            },
            stopped, queue.filesPerCommand);
        queue.restarts.fetch_add(summary.restarts);
    }
}

/// Cache lookups of one share of the jobs (a pool task, or the calling thread): one batched
/// getMany per mode, each hit parsed and published; the rest stay for the readers.
struct LookupTotals {
    std::atomic<qint64> hits{0};
    std::mutex mutex;
    std::optional<Error> error;
};

// One batched lookup of `batch` (jobs of one mode), each hit parsed straight from SQLite's row
// (no copy of the document, no result map) and published.
void lookupBatch(Shared &shared, const std::vector<Job> &jobs, const std::vector<qsizetype> &batch,
                 MetadataMode wanted, db::MetadataCache &cache, LookupTotals &totals)
{
    QList<db::MetadataQuery> queries;
    queries.reserve(qsizetype(batch.size()));
    std::vector<qsizetype> jobOfQuery;
    jobOfQuery.reserve(batch.size());
    QHash<QByteArray, qsizetype> seenPath; // a path given twice is looked up once
    seenPath.reserve(qsizetype(batch.size()));
    for (qsizetype j : batch) {
        const Job &job = jobs[size_t(j)];
        if (!seenPath.contains(job.absolute)) {
            seenPath.insert(job.absolute, j);
            queries.append(db::MetadataQuery{job.absolute, *job.stamp});
            jobOfQuery.push_back(j);
        }
    }
    std::vector<char> reported(jobOfQuery.size(), 0); // a retried read reports rows again
    std::vector<std::pair<qsizetype, MetadataRecord>> hits;
    hits.reserve(jobOfQuery.size());
    const Status status = cache.forEachHit(queries, toDb(wanted), [&](qsizetype q, db::MetadataMode mode, QByteArrayView json) {
        if (reported[size_t(q)] != 0) {
            return;
        }
        const qsizetype j = jobOfQuery[size_t(q)];
        MetadataRecord record;
        if (shared.printable(j)) {
            // No parse, no QJsonObject: the document is checked and brought into the form the
            // caller prints (a document this cannot vouch for takes the parse below).
            QByteArray printed;
            printed.reserve(json.size() + 32);
            if (cachejson::appendPrintForm(printed, json)) {
                record.printedFields = std::move(printed);
            }
        }
        if (record.printedFields.isEmpty()) {
            std::optional<QJsonObject> fields =
                MetadataLoader::fromCacheJson(QByteArray::fromRawData(json.data(), json.size()));
            if (!fields) {
                return; // an unreadable entry: the file is read again
            }
            record.fields = std::move(*fields);
        }
        reported[size_t(q)] = 1;
        const Job &job = jobs[size_t(j)];
        record.index = job.index;
        record.path = job.path;
        record.mode = fromDb(mode);
        hits.emplace_back(j, std::move(record));
    });
    totals.hits.fetch_add(qint64(hits.size()), std::memory_order_relaxed);
    shared.publishMany(hits, Route::Cache);
    if (!status) {
        qCWarning(lcMetadata) << "metadata cache lookup failed:" << status.error().toString();
        std::lock_guard lock(totals.mutex);
        totals.error = status.error();
    }
}

void lookupShare(Shared &shared, const std::vector<Job> &jobs, const std::vector<qsizetype> &share,
                 db::MetadataCache &cache, LookupTotals &totals)
{
    // Batches of a few hundred: a batch's documents are parsed and freed before the next one is
    // read, so memory is reused instead of growing with the folder.
    constexpr size_t kBatch = 512;
    for (const MetadataMode wanted : {MetadataMode::Fast, MetadataMode::Extended}) {
        std::vector<qsizetype> batch;
        batch.reserve(kBatch);
        for (qsizetype j : share) {
            if (jobs[size_t(j)].mode != wanted) {
                continue;
            }
            batch.push_back(j);
            if (batch.size() == kBatch) {
                lookupBatch(shared, jobs, batch, wanted, cache, totals);
                batch.clear();
            }
        }
        if (!batch.empty()) {
            lookupBatch(shared, jobs, batch, wanted, cache, totals);
        }
    }
}

std::atomic<quint64> g_nextRunId{1};

} // namespace

MetadataLoader::MetadataLoader(Options options) : m_options(std::move(options))
{
    Exiv2Reader::initialize();
    m_options.readerFilesPerTask = std::max(1, m_options.readerFilesPerTask);
    m_options.exiftoolFilesPerChunk = std::max(1, m_options.exiftoolFilesPerChunk);
    m_options.exiftoolFilesPerCommand = std::max(1, m_options.exiftoolFilesPerCommand);
}

QByteArray MetadataLoader::toCacheJson(const QJsonObject &fields)
{
    return cachejson::serialize(fields);
}

std::optional<QJsonObject> MetadataLoader::fromCacheJson(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return std::nullopt;
    }
    return document.object();
}

MetadataLoader::Outcome MetadataLoader::run(const QList<QByteArray> &paths, MetadataMode mode,
                                            const Callbacks &callbacks) const
{
    Outcome outcome;
    const auto cancelled = [&callbacks] { return callbacks.isCancelled && callbacks.isCancelled(); };
    const qsizetype requested = paths.size();
    QElapsedTimer phaseClock;
    phaseClock.start();
    // Where the time goes, for QT_LOGGING_RULES="oncutf.metadata.debug=true".
    const auto logPhase = [&](const char *name) {
        qCDebug(lcMetadata) << "loader:" << name << "done after" << phaseClock.elapsed() << "ms";
    };

    // 0. Extended reads without a cache all go to ExifTool: its processes start now, so Perl
    //    loads ExifTool while the files are listed and stat'ed (the pool starts them in a task;
    //    spawning takes a few ms each).
    if (mode == MetadataMode::Extended && m_options.cache == nullptr && m_options.exiftool != nullptr && requested > 0) {
        ExifToolPool *exiftool = m_options.exiftool;
        ThreadPoolManager *threads = m_options.pool;
        if (threads == nullptr || threads->isShutDown()
            || !threads->submit([exiftool](const CancellationToken &) { return QVariant(exiftool->launch()); },
                                concurrency::TaskPriority::High)) {
            exiftool->launch();
        }
    }

    // 1. The jobs: the requested files, then their sidecars (once each).
    std::vector<Job> jobs;
    jobs.reserve(size_t(requested));
    QHash<QByteArray, qsizetype> jobOfPath;
    for (qsizetype i = 0; i < requested; ++i) {
        Job job;
        job.index = i;
        job.path = paths.at(i);
        job.absolute = files::absolutePath(job.path);
        job.mode = mode;
        jobOfPath.insert(job.absolute, i);
        jobs.push_back(std::move(job));
    }
    auto shared = std::make_shared<Shared>();
    shared->requested = requested;
    shared->sidecarsOf.resize(size_t(requested));
    if (m_options.mergeSidecars) {
        QList<QByteArray> absolutes;
        absolutes.reserve(requested);
        for (const Job &job : jobs) {
            absolutes.append(job.absolute);
        }
        const auto sidecars = SidecarMerger::findSidecars(absolutes);
        for (qsizetype i = 0; i < requested; ++i) {
            const auto it = sidecars.constFind(jobs[size_t(i)].absolute);
            if (it == sidecars.constEnd()) {
                continue;
            }
            for (const QByteArray &sidecar : it.value()) {
                auto known = jobOfPath.constFind(sidecar);
                qsizetype j = 0;
                if (known != jobOfPath.constEnd()) {
                    j = known.value();
                } else {
                    Job job;
                    job.index = qsizetype(jobs.size());
                    job.path = sidecar;
                    job.absolute = sidecar;
                    job.mode = MetadataMode::Fast;
                    j = job.index;
                    jobOfPath.insert(sidecar, j);
                    jobs.push_back(std::move(job));
                    ++outcome.sidecars;
                }
                shared->sidecarsOf[size_t(i)].push_back(j);
            }
        }
    }
    const qsizetype total = qsizetype(jobs.size());
    shared->done.resize(size_t(total));
    shared->route.resize(size_t(total), Route::None);
    shared->documents.resize(size_t(total));
    shared->queueForCache = m_options.cache != nullptr;
    shared->printForm = m_options.printForm;
    shared->emitted.resize(size_t(requested), 0);
    shared->waitingOn.resize(size_t(total));
    for (qsizetype i = 0; i < requested; ++i) {
        for (qsizetype s : shared->sidecarsOf[size_t(i)]) {
            shared->waitingOn[size_t(s)].push_back(i);
        }
    }

    const auto drain = [&] {
        QList<MetadataRecord> batch;
        QByteArray last;
        {
            std::lock_guard lock(shared->mutex);
            batch.swap(shared->pending);
            last = shared->lastPath;
        }
        if (callbacks.resultsReady && !batch.isEmpty()) {
            callbacks.resultsReady(batch);
        }
        if (callbacks.progress) {
            callbacks.progress(shared->filesDone.load(std::memory_order_relaxed), total, last);
        }
    };

    logPhase("jobs and sidecars");
    // 2. stat: what ExifTool must never see is answered now.
    std::vector<qsizetype> toLoad;
    toLoad.reserve(size_t(total));
    for (Job &job : jobs) {
        struct stat st {};
        if (::stat(job.absolute.constData(), &st) != 0) {
            const int error = errno;
            shared->publish(job.index, errorRecord(job, error == ENOENT ? ErrorCode::NotFound
                                                        : error == EACCES ? ErrorCode::PermissionDenied
                                                                          : ErrorCode::Io,
                                                   QString::fromLocal8Bit(std::strerror(error))),
                            Route::Error);
        } else if (S_ISDIR(st.st_mode)) {
            shared->publish(job.index, errorRecord(job, ErrorCode::InvalidArgument, QStringLiteral("is a directory")), Route::Error);
        } else if (!S_ISREG(st.st_mode)) {
            shared->publish(job.index, errorRecord(job, ErrorCode::Unsupported, QStringLiteral("not a regular file")), Route::Error);
        } else {
            job.stamp = db::FileStamp{qint64(st.st_size), qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
            toLoad.push_back(job.index);
        }
    }

    logPhase("stat");
    // 3. The cache: batched lookups and JSON parsing, spread over the pool for big folders
    //    (each pool thread reads the database on its own connection).
    ThreadPoolManager *pool = m_options.pool;
    const bool usePool = pool != nullptr && !pool->isShutDown();
    std::vector<qsizetype> misses;
    if (m_options.cache != nullptr && !toLoad.empty()) {
        auto totals = std::make_shared<LookupTotals>();
        const int shares = usePool ? std::clamp(int(toLoad.size() / 1024), 1, std::clamp(pool->stats().maxWorkers, 1, 8)) : 1;
        if (shares <= 1) {
            lookupShare(*shared, jobs, toLoad, *m_options.cache, *totals);
        } else {
            auto sharedJobs = std::make_shared<const std::vector<Job>>(jobs);
            db::MetadataCache *cache = m_options.cache;
            const quint64 runId = g_nextRunId.fetch_add(1);
            std::vector<ThreadPoolManager::BatchItem> items;
            const size_t per = (toLoad.size() + size_t(shares) - 1) / size_t(shares);
            for (size_t start = 0; start < toLoad.size(); start += per) {
                std::vector<qsizetype> share(toLoad.begin() + qsizetype(start),
                                             toLoad.begin() + qsizetype(std::min(toLoad.size(), start + per)));
                items.push_back({QStringLiteral("oncutf-metadata-%1-cache-%2").arg(runId).arg(start),
                                 [shared, sharedJobs, cache, totals, share = std::move(share)](const CancellationToken &) {
                                     lookupShare(*shared, *sharedJobs, share, *cache, *totals);
                                     return QVariant();
                                 }});
            }
            // Shares the pool refuses (it is shutting down) simply stay misses.
            QObject context;
            QEventLoop loop;
            int outstanding = 0;
            outstanding = pool->submitBatch(std::move(items), m_options.priority, &context, [&](const TaskOutcome &) {
                if (--outstanding == 0) {
                    loop.quit();
                }
            });
            if (outstanding > 0) {
                loop.exec();
            }
        }
        outcome.cacheHits = totals->hits.load();
        {
            std::lock_guard lock(totals->mutex);
            outcome.cacheError = totals->error;
        }
        std::lock_guard lock(shared->mutex);
        for (qsizetype j : toLoad) {
            if (!shared->done[size_t(j)]) {
                misses.push_back(j);
            }
        }
    } else {
        misses = toLoad;
    }
    drain();

    logPhase("cache");
    // New records go to the cache while the rest is still being read, a transaction per batch of
    // `cacheStoreBatch` records, on this thread (it only waits while the pool reads): the store no
    // longer waits for the last file. Documents are written here too, each batch's freed before
    // the next, so their memory is reused instead of every document of the run staying allocated
    // in the readers' heaps until the end.
    std::vector<char> stored(size_t(total), 0);
    bool storeFailed = false;
    QByteArray documentBuffer;
    const auto storeReady = [&](size_t minimum) {
        if (m_options.cache == nullptr || storeFailed) {
            return;
        }
        struct Taken {
            qsizetype job;
            MetadataRecord record;
            QByteArray document; // written by the reader, or empty
        };
        std::vector<Taken> taken;
        {
            std::lock_guard lock(shared->mutex);
            if (shared->storable.empty() || shared->storable.size() < minimum) {
                return;
            }
            taken.reserve(shared->storable.size());
            for (qsizetype j : shared->storable) {
                // Shares the fields; the document moves: the store is its last user.
                taken.push_back({j, *shared->done[size_t(j)], std::move(shared->documents[size_t(j)])});
            }
            shared->storable.clear();
        }
        const qint64 nowNs = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
        const qint64 racyNs = qint64(m_options.racyWindow.count()) * 1'000'000;
        // The batch's documents are written one after another into one buffer, and the records
        // point into it: no allocation per document (each was a large one, which made glibc
        // consolidate its free lists every time).
        documentBuffer.resize(0); // keeps its capacity (clear() would free it)
        struct Span {
            qsizetype taken;
            qsizetype end; // of its document in documentBuffer, or -1: the reader's document
        };
        std::vector<Span> spans;
        spans.reserve(taken.size());
        for (qsizetype t = 0; t < qsizetype(taken.size()); ++t) {
            const Taken &item = taken[size_t(t)];
            const Job &job = jobs[size_t(item.job)];
            stored[size_t(item.job)] = 1;
            if (job.stamp && job.stamp->mtimeNs < nowNs - racyNs) {
                if (!item.document.isEmpty()) {
                    spans.push_back({t, -1});
                } else {
                    cachejson::appendDocument(documentBuffer, item.record.fields);
                    spans.push_back({t, documentBuffer.size()});
                }
            }
        }
        QList<db::MetadataRecord> batch;
        batch.reserve(qsizetype(spans.size()));
        qsizetype begin = 0;
        for (const Span &span : spans) {
            const Taken &item = taken[size_t(span.taken)];
            const Job &job = jobs[size_t(item.job)];
            QByteArray document = item.document;
            if (span.end >= 0) {
                document = QByteArray::fromRawData(documentBuffer.constData() + begin, span.end - begin);
                begin = span.end;
            }
            batch.append(db::MetadataRecord{job.absolute, toDb(item.record.mode), std::move(document), *job.stamp});
        }
        taken.clear();
        if (batch.isEmpty()) {
            return;
        }
        const Status done = m_options.cache->putMany(batch);
        if (done) {
            outcome.cached += batch.size();
        } else {
            storeFailed = true; // reported once; the records themselves stay valid
            outcome.cacheError = done.error();
            qCWarning(lcMetadata) << "metadata cache store failed:" << done.error().toString();
        }
    };
    const size_t storeBatch = size_t(std::max(1, m_options.cacheStoreBatch));

    // 4. and 5. Read what the cache did not have: in-process first (fast), then ExifTool.
    std::vector<qsizetype> inProcess;
    std::vector<qsizetype> viaExifTool;
    for (qsizetype j : misses) {
        const bool fast = jobs[size_t(j)].mode == MetadataMode::Fast;
        (fast && m_options.useInProcessReader ? inProcess : viaExifTool).push_back(j);
    }
    auto queue = std::make_shared<ExifToolQueue>();
    const auto buildExifToolQueue = [&] {
        std::vector<qsizetype> all = viaExifTool;
        {
            std::lock_guard lock(shared->mutex);
            all.insert(all.end(), shared->fallback.begin(), shared->fallback.end());
            shared->fallback.clear();
        }
        std::sort(all.begin(), all.end());
        queue->filesPerCommand = m_options.exiftoolFilesPerCommand;
        const size_t processes = m_options.exiftool != nullptr ? size_t(std::max(1, m_options.exiftool->maxProcesses())) : 1;
        for (const MetadataMode chunkMode : {MetadataMode::Fast, MetadataMode::Extended}) {
            std::vector<qsizetype> ofMode;
            for (qsizetype j : all) {
                if (jobs[size_t(j)].mode == chunkMode) {
                    ofMode.push_back(j);
                }
            }
            // Big chunks keep each process busy with few round trips; they shrink with what is
            // left (a share of it per process), so the processes run out of work together.
            size_t start = 0;
            while (start < ofMode.size()) {
                const size_t left = ofMode.size() - start;
                const size_t size = std::min(left, std::clamp(left / (2 * processes), size_t(8),
                                                              size_t(m_options.exiftoolFilesPerChunk)));
                queue->chunks.emplace_back(chunkMode, std::vector<qsizetype>(ofMode.begin() + qsizetype(start),
                                                                             ofMode.begin() + qsizetype(start + size)));
                start += size;
            }
        }
        if (m_options.exiftool == nullptr) {
            for (const auto &[chunkMode, chunk] : queue->chunks) {
                for (qsizetype j : chunk) {
                    shared->publish(j, errorRecord(jobs[size_t(j)], ErrorCode::Unsupported,
                                                   QStringLiteral("needs ExifTool, which is not available")),
                                    Route::Error);
                }
            }
            queue->chunks.clear();
        }
    };

    if (usePool && (inProcess.size() > 8 || !viaExifTool.empty() || outcome.sidecars > 0)) {
        const quint64 runId = g_nextRunId.fetch_add(1);
        QObject context; // lives on this thread: the pool delivers completions here
        QEventLoop loop;
        QHash<QString, int> phaseOf; // task id -> 1 (reader) or 2 (ExifTool)
        int outstanding = 0;
        bool exiftoolPhaseStarted = false;
        auto sharedJobs = std::make_shared<const std::vector<Job>>(jobs);
        ExifToolPool *exiftool = m_options.exiftool;

        std::function<void()> startExifToolPhase;
        const auto onEnded = [&](const TaskOutcome &ended) {
            storeReady(storeBatch);
            const int phase = phaseOf.take(ended.id);
            if (phase == 0) {
                return;
            }
            if (ended.state == TaskOutcome::State::Failed) {
                qCWarning(lcMetadata) << "metadata task failed:" << ended.error;
            }
            if (--outstanding == 0) {
                if (phase == 1 && !exiftoolPhaseStarted) {
                    startExifToolPhase();
                }
                if (outstanding == 0) {
                    loop.quit();
                }
            }
        };
        startExifToolPhase = [&] {
            exiftoolPhaseStarted = true;
            if (shared->stop.load()) {
                return;
            }
            buildExifToolQueue();
            if (queue->chunks.empty()) {
                return;
            }
            const int tasks = std::min<int>(exiftool->maxProcesses(), int(queue->chunks.size()));
            std::vector<ThreadPoolManager::BatchItem> items;
            for (int t = 0; t < tasks; ++t) {
                const QString id = QStringLiteral("oncutf-metadata-%1-exiftool-%2").arg(runId).arg(t);
                phaseOf.insert(id, 2);
                items.push_back({id, [shared, queue, sharedJobs, exiftool](const CancellationToken &token) {
                                     drainExifToolQueue(*shared, *queue, *sharedJobs, *exiftool, &token);
                                     return QVariant();
                                 }});
            }
            const int accepted = pool->submitBatch(std::move(items), m_options.priority, &context, onEnded);
            outstanding += accepted;
            if (accepted < tasks) {
                outcome.cancelled = true; // the pool shut down under us
            }
        };

        // Phase 1: the in-process reader in groups.
        std::vector<ThreadPoolManager::BatchItem> items;
        for (size_t start = 0; start < inProcess.size(); start += size_t(m_options.readerFilesPerTask)) {
            const size_t end = std::min(inProcess.size(), start + size_t(m_options.readerFilesPerTask));
            std::vector<qsizetype> group(inProcess.begin() + qsizetype(start), inProcess.begin() + qsizetype(end));
            const QString id = QStringLiteral("oncutf-metadata-%1-read-%2").arg(runId).arg(start);
            phaseOf.insert(id, 1);
            items.push_back({id, [shared, sharedJobs, group = std::move(group)](const CancellationToken &token) {
                                 readGroup(*shared, *sharedJobs, group, &token);
                                 return QVariant();
                             }});
        }
        const int groups = int(items.size());
        if (groups > 0) {
            outstanding = pool->submitBatch(std::move(items), m_options.priority, &context, onEnded);
            if (outstanding < groups) {
                outcome.cancelled = true;
            }
        }
        if (outstanding == 0) {
            startExifToolPhase();
        }
        if (outstanding > 0) {
            bool stopping = false;
            QTimer ticker;
            ticker.setInterval(m_options.tick);
            QObject::connect(&ticker, &QTimer::timeout, &context, [&] {
                if (!stopping && cancelled()) {
                    stopping = true;
                    shared->stop.store(true, std::memory_order_release);
                    for (auto it = phaseOf.cbegin(); it != phaseOf.cend(); ++it) {
                        pool->cancel(it.key());
                    }
                }
                drain();
                storeReady(storeBatch);
            });
            ticker.start();
            loop.exec();
            ticker.stop();
            if (stopping) {
                outcome.cancelled = true;
            }
        }
        outcome.exiftoolRestarts = queue->restarts.load();
    } else {
        // Everything on this thread (no pool, or too little work to spread).
        std::vector<qsizetype> single;
        for (qsizetype j : inProcess) {
            if (cancelled()) {
                outcome.cancelled = true;
                break;
            }
            single.assign(1, j);
            readGroup(*shared, jobs, single, nullptr);
            drain();
        }
        if (!outcome.cancelled) {
            buildExifToolQueue();
            if (!queue->chunks.empty()) {
                const auto check = [&] {
                    if (cancelled()) {
                        shared->stop.store(true, std::memory_order_release);
                    }
                    drain();
                    return shared->stop.load(std::memory_order_acquire);
                };
                for (const auto &[chunkMode, chunk] : queue->chunks) {
                    if (check()) {
                        break;
                    }
                    QList<QByteArray> chunkPaths;
                    for (qsizetype j : chunk) {
                        chunkPaths.append(jobs[size_t(j)].absolute);
                    }
                    const ExifToolReadSummary summary = m_options.exiftool->read(
                        chunkPaths, chunkMode,
                        [&](qsizetype i, MetadataRecord &&record) {
                            const Job &job = jobs[size_t(chunk[size_t(i)])];
                            record.index = job.index;
                            record.path = job.path;
                            record.mode = job.mode;
                            shared->publish(chunk[size_t(i)], std::move(record), Route::ExifTool);
                            drain();
                        },
                        check, m_options.exiftoolFilesPerCommand);
                    outcome.exiftoolRestarts += summary.restarts;
                }
                if (shared->stop.load()) {
                    outcome.cancelled = true;
                }
            }
        }
    }

    logPhase("read");
    // Requested files whose sidecars did not all finish (a cancel) still go out.
    {
        std::lock_guard lock(shared->mutex);
        for (qsizetype i = 0; i < requested; ++i) {
            shared->tryEmitLocked(i, true);
        }
    }
    drain();

    // 6. Collect, count, and store what was read.
    QList<db::MetadataRecord> toStore;
    const qint64 nowNs = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
    const qint64 racyNs = qint64(m_options.racyWindow.count()) * 1'000'000;
    {
        std::lock_guard lock(shared->mutex);
        for (qsizetype j = 0; j < total; ++j) {
            const auto &record = shared->done[size_t(j)];
            const Route from = shared->route[size_t(j)];
            if (!record || (from != Route::Reader && from != Route::ExifTool)) {
                continue;
            }
            ++(from == Route::Reader ? outcome.readInProcess : outcome.readByExifTool);
            const Job &job = jobs[size_t(j)];
            if (stored[size_t(j)] != 0) {
                continue; // taken by a store while reading
            }
            if (record->ok() && job.stamp) {
                if (m_options.cache != nullptr && job.stamp->mtimeNs < nowNs - racyNs) {
                    const QByteArray &written = shared->documents[size_t(j)];
                    toStore.append(db::MetadataRecord{job.absolute, toDb(record->mode),
                                                      written.isEmpty() ? toCacheJson(record->fields) : written,
                                                      *job.stamp});
                }
            }
        }
        for (qsizetype i = 0; i < requested; ++i) {
            if (shared->emitted[size_t(i)] == 0) {
                continue;
            }
            // The handed-out (merged) record: rebuild it the same way for the outcome.
            MetadataRecord record = *shared->done[size_t(i)];
            for (qsizetype s : shared->sidecarsOf[size_t(i)]) {
                const auto &side = shared->done[size_t(s)];
                if (side && side->ok() && s != i) {
                    SidecarMerger::merge(record.fields, side->fields);
                }
            }
            outcome.records.append(std::move(record));
        }
    }
    logPhase("collect");
    if (!toStore.isEmpty() && !storeFailed) {
        const Status storedRest = m_options.cache->putMany(toStore);
        if (storedRest) {
            outcome.cached += toStore.size();
        } else {
            outcome.cacheError = storedRest.error();
            qCWarning(lcMetadata) << "metadata cache store failed:" << storedRest.error().toString();
        }
    }
    logPhase("store");
    if (cancelled()) {
        outcome.cancelled = true;
    }
    return outcome;
}

} // namespace oncutf::core::metadata
