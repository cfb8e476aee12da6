#include "core/hash/batchhasher.h"

#include "core/concurrency/threadpoolmanager.h"
#include "core/db/filestamp.h"
#include "core/db/hashcache.h"
#include "core/files/nativepath.h"
#include "core/hash/crc32.h"
#include "core/hash/filehasher.h"
#include "core/logging.h"

#include <QDateTime>
#include <QEventLoop>
#include <QHash>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace oncutf::core::hash {

namespace {

using concurrency::CancellationToken;
using concurrency::TaskOutcome;
using concurrency::ThreadPoolManager;
using Clock = std::chrono::steady_clock;

/// One file to hash, with what stat() said before hashing.
struct Job {
    int index = -1;
    QByteArray path;
    qint64 size = -1; ///< -1: stat() failed, the hash will report why
    qint64 mtimeNs = 0;
};

/// What the pool tasks and the calling thread share. Held by shared_ptr: a task owns a reference
/// for as long as it runs, whatever happens to run().
struct Shared {
    explicit Shared(qsizetype files) : finished(std::size_t(files), 0) {}

    std::atomic<bool> stop{false};
    std::atomic<qint64> bytesDone{0};
    std::atomic<qint64> filesDone{0};

    std::mutex mutex;
    QList<HashResult> pending;  // finished, not yet handed to the caller
    std::vector<char> finished; // by input index
    QByteArray lastPath;

    void publish(HashResult result)
    {
        std::lock_guard lock(mutex);
        finished[std::size_t(result.index)] = 1;
        lastPath = result.path;
        pending.append(std::move(result));
        filesDone.fetch_add(1, std::memory_order_relaxed);
    }

    bool isFinished(int index)
    {
        std::lock_guard lock(mutex);
        return finished[std::size_t(index)] != 0;
    }
};

/// Hashes one job; nullopt when cancelled (the file then counts as not finished).
std::optional<HashResult> hashOne(const Job &job, Shared &shared, std::size_t chunkSize,
                                  const std::function<bool()> &stopped, const std::function<void()> &onChunk)
{
    qint64 counted = 0;
    HashOptions options;
    options.chunkSize = chunkSize;
    options.isCancelled = stopped;
    options.progress = [&](qint64 done, qint64) {
        shared.bytesDone.fetch_add(done - counted, std::memory_order_relaxed);
        counted = done;
        if (onChunk)
            onChunk();
    };
    auto hashed = FileHasher::hashFile(job.path, options);

    HashResult result;
    result.index = job.index;
    result.path = job.path;
    if (!hashed) {
        if (hashed.error().code == ErrorCode::Cancelled) {
            shared.bytesDone.fetch_sub(counted, std::memory_order_relaxed);
            return std::nullopt;
        }
        result.error = hashed.error();
        result.size = job.size;
        result.mtimeNs = job.mtimeNs;
    } else {
        result.crc = hashed->crc;
        result.size = hashed->state.size;
        result.mtimeNs = hashed->state.mtimeNs;
    }
    // The aggregate counts every finished file as the size listed before hashing, so the progress
    // ends exactly at the announced total even when a file changed in between.
    shared.bytesDone.fetch_add(qMax<qint64>(job.size, 0) - counted, std::memory_order_relaxed);
    return result;
}

void hashGroup(Shared &shared, const std::vector<Job> &group, std::size_t chunkSize, const CancellationToken &token)
{
    const std::function<bool()> stopped = [&] {
        return token.isCancelled() || shared.stop.load(std::memory_order_acquire);
    };
    for (const Job &job : group) {
        if (stopped())
            return;
        auto result = hashOne(job, shared, chunkSize, stopped, {});
        if (!result)
            return;
        shared.publish(std::move(*result));
    }
}

std::vector<std::vector<Job>> makeGroups(const std::vector<Job> &jobs, int maxFiles, qint64 maxBytes)
{
    std::vector<std::vector<Job>> groups;
    std::vector<Job> current;
    qint64 bytes = 0;
    for (const Job &job : jobs) {
        const qint64 size = qMax<qint64>(job.size, 0);
        if (!current.empty() && (int(current.size()) >= maxFiles || bytes + size > maxBytes)) {
            groups.push_back(std::move(current));
            current.clear();
            bytes = 0;
        }
        current.push_back(job);
        bytes += size;
    }
    if (!current.empty())
        groups.push_back(std::move(current));
    return groups;
}

std::atomic<quint64> g_nextRunId{1};

} // namespace

BatchHasher::BatchHasher(Options options) : m_options(std::move(options))
{
    m_options.chunkSize = qMax<std::size_t>(m_options.chunkSize, 4096);
    m_options.maxFilesPerTask = qMax(m_options.maxFilesPerTask, 1);
}

BatchHasher::Outcome BatchHasher::run(const QList<QByteArray> &paths, const Callbacks &callbacks) const
{
    Outcome outcome;
    const auto cancelled = [&callbacks] { return callbacks.isCancelled && callbacks.isCancelled(); };

    // 1. stat
    std::vector<Job> jobs;
    jobs.reserve(std::size_t(paths.size()));
    qint64 totalBytes = 0;
    for (qsizetype i = 0; i < paths.size(); ++i) {
        if ((i & 1023) == 0 && cancelled()) {
            outcome.cancelled = true;
            return outcome;
        }
        Job job;
        job.index = int(i);
        job.path = paths[i];
        if (const auto stamp = db::FileStamp::of(job.path)) {
            job.size = stamp->size;
            job.mtimeNs = stamp->mtimeNs;
            totalBytes += stamp->size;
        }
        jobs.push_back(std::move(job));
    }
    const qint64 totalFiles = paths.size();
    auto shared = std::make_shared<Shared>(paths.size());

    const auto drain = [&] {
        QList<HashResult> batch;
        QByteArray last;
        {
            std::lock_guard lock(shared->mutex);
            batch.swap(shared->pending);
            last = shared->lastPath;
        }
        outcome.results.append(batch);
        if (callbacks.resultsReady && !batch.isEmpty())
            callbacks.resultsReady(batch);
        if (callbacks.progress)
            callbacks.progress(shared->bytesDone.load(std::memory_order_relaxed), totalBytes,
                               shared->filesDone.load(std::memory_order_relaxed), totalFiles, last);
    };

    // 2. cache lookups
    std::vector<Job> toHash;
    QList<QByteArray> cacheKeys; // absolute paths, by input index
    if (m_options.cache != nullptr) {
        cacheKeys.reserve(paths.size());
        QList<db::HashQuery> queries;
        queries.reserve(paths.size());
        for (const Job &job : jobs) {
            cacheKeys.append(files::absolutePath(job.path));
            if (job.size >= 0)
                queries.append(db::HashQuery{cacheKeys.back(), db::FileStamp{job.size, job.mtimeNs}});
        }
        auto hits = m_options.cache->getMany(queries, QString(kAlgorithm));
        if (!hits) {
            outcome.cacheError = hits.error();
            qCWarning(lcHash) << "hash cache lookup failed:" << hits.error().toString();
        }
        for (const Job &job : jobs) {
            std::optional<quint32> crc;
            if (hits) {
                const auto hit = hits->constFind(cacheKeys[job.index]);
                if (hit != hits->constEnd())
                    crc = Crc32::fromHex(hit->value.toLatin1());
            }
            if (!crc) {
                toHash.push_back(job);
                continue;
            }
            HashResult result;
            result.index = job.index;
            result.path = job.path;
            result.size = job.size;
            result.mtimeNs = job.mtimeNs;
            result.crc = crc;
            result.fromCache = true;
            shared->bytesDone.fetch_add(job.size, std::memory_order_relaxed);
            shared->publish(std::move(result));
            ++outcome.cacheHits;
        }
    } else {
        toHash = jobs;
    }
    drain();

    // 3. hash what the cache did not have
    ThreadPoolManager *pool = m_options.pool;
    if (pool != nullptr && toHash.size() > 1 && !pool->isShutDown()) {
        const auto groups = makeGroups(toHash, m_options.maxFilesPerTask, m_options.maxBytesPerTask);
        const quint64 runId = g_nextRunId.fetch_add(1);
        std::vector<ThreadPoolManager::BatchItem> items;
        items.reserve(groups.size());
        QHash<QString, int> groupOfTask;
        for (std::size_t g = 0; g < groups.size(); ++g) {
            const QString id = QStringLiteral("oncutf-hash-%1-%2").arg(runId).arg(g);
            groupOfTask.insert(id, int(g));
            items.push_back({id, [shared, group = groups[g], chunk = m_options.chunkSize](const CancellationToken &token) {
                                 hashGroup(*shared, group, chunk, token);
                                 return QVariant();
                             }});
        }

        QObject context; // lives on this thread: the pool delivers the completions here
        QEventLoop loop;
        std::vector<char> taskEnded(groups.size(), 0);
        int outstanding = 0;
        const auto onEnded = [&](const TaskOutcome &ended) {
            const int g = groupOfTask.value(ended.id, -1);
            if (g < 0 || taskEnded[std::size_t(g)])
                return;
            taskEnded[std::size_t(g)] = 1;
            if (ended.state == TaskOutcome::State::Failed) {
                // The task died on something unexpected (bad_alloc): its unfinished files fail.
                for (const Job &job : groups[std::size_t(g)]) {
                    if (shared->isFinished(job.index))
                        continue;
                    HashResult result;
                    result.index = job.index;
                    result.path = job.path;
                    result.size = job.size;
                    result.error = makeError(ErrorCode::Internal, QStringLiteral("hash task failed: ") + ended.error,
                                             files::toDisplay(job.path));
                    shared->publish(std::move(result));
                }
            }
            if (--outstanding == 0)
                loop.quit();
        };
        outstanding = pool->submitBatch(std::move(items), m_options.priority, &context, onEnded);
        if (outstanding < int(groups.size()))
            outcome.cancelled = true; // the pool shut down under us: what was refused stays unhashed

        if (outstanding > 0) {
            bool stopping = false;
            QTimer ticker;
            ticker.setInterval(m_options.tick);
            QObject::connect(&ticker, &QTimer::timeout, &context, [&] {
                if (!stopping && cancelled()) {
                    stopping = true;
                    shared->stop.store(true, std::memory_order_release);
                    for (auto it = groupOfTask.cbegin(); it != groupOfTask.cend(); ++it) {
                        if (!taskEnded[std::size_t(it.value())])
                            pool->cancel(it.key());
                    }
                }
                drain();
            });
            ticker.start();
            loop.exec();
            ticker.stop();
            if (outstanding > 0) {
                // QThread::quit() (WorkerThread::stop) ends every event loop of the thread, this one
                // too: stop what still runs. The tasks hold their own reference to `shared`, and their
                // completions, addressed to `context`, are dropped once it is gone.
                stopping = true;
                shared->stop.store(true, std::memory_order_release);
                for (auto it = groupOfTask.cbegin(); it != groupOfTask.cend(); ++it) {
                    if (!taskEnded[std::size_t(it.value())])
                        pool->cancel(it.key());
                }
            }
            if (stopping)
                outcome.cancelled = true;
        }
    } else {
        auto last = Clock::now();
        const auto onChunk = [&] {
            const auto now = Clock::now();
            if (now - last >= m_options.tick) {
                last = now;
                drain();
            }
        };
        const std::function<bool()> stopped = cancelled;
        for (const Job &job : toHash) {
            if (cancelled()) {
                outcome.cancelled = true;
                break;
            }
            auto result = hashOne(job, *shared, m_options.chunkSize, stopped, onChunk);
            if (!result) {
                outcome.cancelled = true;
                break;
            }
            shared->publish(std::move(*result));
            onChunk();
        }
    }
    drain();

    std::sort(outcome.results.begin(), outcome.results.end(),
              [](const HashResult &a, const HashResult &b) { return a.index < b.index; });

    // 4. store the new hashes, also after a cancel: each one is complete and verified.
    QList<db::HashRecord> records;
    const qint64 nowNs = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
    const qint64 racyNs = qint64(m_options.racyWindow.count()) * 1'000'000;
    for (const HashResult &result : std::as_const(outcome.results)) {
        if (result.fromCache)
            continue;
        ++outcome.filesRead;
        if (!result.ok())
            continue;
        outcome.bytesRead += result.size;
        if (m_options.cache != nullptr && result.mtimeNs < nowNs - racyNs)
            records.append(db::HashRecord{cacheKeys[result.index], QString(kAlgorithm),
                                          QString::fromLatin1(Crc32::toHex(*result.crc)),
                                          db::FileStamp{result.size, result.mtimeNs}});
    }
    if (!records.isEmpty()) {
        const Status stored = m_options.cache->putMany(records);
        if (stored) {
            outcome.cached = records.size();
        } else {
            outcome.cacheError = stored.error();
            qCWarning(lcHash) << "hash cache store failed:" << stored.error().toString();
        }
    }
    return outcome;
}

} // namespace oncutf::core::hash
