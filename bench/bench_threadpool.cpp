// ThreadPoolManager against QThreadPool at the same worker count, in one run:
//  (a) throughput: N tiny tasks (an atomic increment) through QThreadPool::start(lambda), through
//      ThreadPoolManager::submit(fn) and submitBatch(fns) without ids (what QThreadPool offers),
//      and through submit(id, fn) / submitBatch(items) with one id per task, built inside the
//      timed loop (batches of 1000). Every run ends with the pool's waitForDone(). The runs are
//      interleaved (one of each per round), so a change in the machine's load hits them alike;
//  (b) latency from submit to the start of a CRITICAL task while at least 100k BACKGROUND tasks
//      stay queued (1M are queued at the start: the samples take seconds, because the measuring
//      thread shares the cores with busy workers, and 100k ran out before the last sample; "bg
//      left" must stay >= 100k for the run to count). The BACKGROUND tasks are
//      queued on a pool whose workers are all busy (p50/p99/max over many samples). Each
//      BACKGROUND task burns 50 us of CPU, so a CRITICAL task waits at most for one of them to
//      end; "bg left" shows the pool was still loaded after the last sample. With more workers
//      than cores the OS time slices show up in p99; --blocking-background makes the background
//      tasks sleep instead (a worker is occupied, a core is not).
// A plain timed program rather than Google Benchmark: both pools must be compared on the same
// workload in the same process, and the figures go into docs/performance.md as a table.

#include "core/concurrency/threadpoolmanager.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QThreadPool>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <semaphore>
#include <thread>
#include <vector>

using namespace oncutf::core::concurrency;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    int tasks = 1'000'000;
    int repeats = 3;
    int background = 1'000'000;
    int samples = 1000;
    std::chrono::microseconds backgroundWork{50};
    bool spinBackground = true;
    bool latency = true; ///< --throughput-only skips the latency table (for profiling)
    QStringList impls{QStringLiteral("qt"), QStringLiteral("anon"), QStringLiteral("anonbatch"),
                      QStringLiteral("submit"), QStringLiteral("batch")};
    QList<int> workerCounts{2, 4};
};

PoolConfig fixedPool(int workers)
{
    PoolConfig config;
    config.minWorkers = workers;
    config.maxWorkers = workers;
    return config;
}

TaskFunction increment(std::atomic<qint64> &counter)
{
    return [&counter](const CancellationToken &) -> QVariant {
        counter.fetch_add(1, std::memory_order_relaxed);
        return {};
    };
}

// ---- throughput ------------------------------------------------------------------------------

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double runQThreadPool(int workers, int tasks)
{
    QThreadPool pool;
    pool.setMaxThreadCount(workers);
    pool.setExpiryTimeout(-1); // threads never expire during the run
    std::atomic<qint64> counter{0};
    const auto start = Clock::now();
    for (int i = 0; i < tasks; ++i)
        pool.start([&counter] { counter.fetch_add(1, std::memory_order_relaxed); });
    pool.waitForDone();
    const double seconds = secondsSince(start);
    if (counter.load() != tasks)
        std::fprintf(stderr, "QThreadPool ran %lld of %d tasks\n", static_cast<long long>(counter.load()), tasks);
    return seconds;
}

double runSubmit(int workers, int tasks)
{
    ThreadPoolManager pool(fixedPool(workers));
    std::atomic<qint64> counter{0};
    const auto start = Clock::now();
    for (int i = 0; i < tasks; ++i)
        pool.submit(QString::number(i), increment(counter));
    pool.waitForDone();
    const double seconds = secondsSince(start);
    (void)pool.shutdownNow(std::chrono::seconds(5), false);
    if (counter.load() != tasks)
        std::fprintf(stderr, "submit ran %lld of %d tasks\n", static_cast<long long>(counter.load()), tasks);
    return seconds;
}

double runSubmitAnonymous(int workers, int tasks)
{
    ThreadPoolManager pool(fixedPool(workers));
    std::atomic<qint64> counter{0};
    const auto start = Clock::now();
    for (int i = 0; i < tasks; ++i)
        pool.submit(increment(counter));
    pool.waitForDone();
    const double seconds = secondsSince(start);
    (void)pool.shutdownNow(std::chrono::seconds(5), false);
    if (counter.load() != tasks)
        std::fprintf(stderr, "submit(fn) ran %lld of %d tasks\n", static_cast<long long>(counter.load()), tasks);
    return seconds;
}

double runSubmitBatchAnonymous(int workers, int tasks)
{
    constexpr int kBatch = 1000;
    ThreadPoolManager pool(fixedPool(workers));
    std::atomic<qint64> counter{0};
    const auto start = Clock::now();
    for (int i = 0; i < tasks; i += kBatch) {
        std::vector<TaskFunction> batch;
        batch.reserve(kBatch);
        for (int j = i; j < std::min(tasks, i + kBatch); ++j)
            batch.push_back(increment(counter));
        pool.submitBatch(std::move(batch));
    }
    pool.waitForDone();
    const double seconds = secondsSince(start);
    (void)pool.shutdownNow(std::chrono::seconds(5), false);
    if (counter.load() != tasks)
        std::fprintf(stderr, "submitBatch(fns) ran %lld of %d tasks\n", static_cast<long long>(counter.load()), tasks);
    return seconds;
}

double runSubmitBatch(int workers, int tasks)
{
    constexpr int kBatch = 1000;
    ThreadPoolManager pool(fixedPool(workers));
    std::atomic<qint64> counter{0};
    const auto start = Clock::now();
    for (int i = 0; i < tasks; i += kBatch) {
        std::vector<ThreadPoolManager::BatchItem> batch;
        batch.reserve(kBatch);
        for (int j = i; j < std::min(tasks, i + kBatch); ++j)
            batch.push_back({QString::number(j), increment(counter)});
        pool.submitBatch(std::move(batch));
    }
    pool.waitForDone();
    const double seconds = secondsSince(start);
    (void)pool.shutdownNow(std::chrono::seconds(5), false);
    if (counter.load() != tasks)
        std::fprintf(stderr, "submitBatch ran %lld of %d tasks\n", static_cast<long long>(counter.load()), tasks);
    return seconds;
}

/// Median of the runs (the machine is shared; the median resists one unlucky run).
double median(std::vector<double> seconds)
{
    if (seconds.empty())
        return 0.0;
    std::sort(seconds.begin(), seconds.end());
    return seconds[seconds.size() / 2];
}

// ---- latency ---------------------------------------------------------------------------------

void occupyFor(std::chrono::microseconds work, bool spin)
{
    if (!spin) {
        std::this_thread::sleep_for(work);
        return;
    }
    const auto until = Clock::now() + work;
    while (Clock::now() < until) {
    }
}

struct Latency {
    double p50 = 0;
    double p99 = 0;
    double max = 0;
    int backgroundLeft = 0; ///< still queued after the last sample: the pool stayed loaded
};

Latency summarise(std::vector<double> micros, int backgroundLeft)
{
    std::sort(micros.begin(), micros.end());
    const auto at = [&](double q) {
        return micros[std::min(micros.size() - 1, static_cast<std::size_t>(q * static_cast<double>(micros.size())))];
    };
    return {at(0.50), at(0.99), micros.back(), backgroundLeft};
}

Latency latencyThreadPoolManager(int workers, const Options &options)
{
    ThreadPoolManager pool(fixedPool(workers));
    std::vector<ThreadPoolManager::BatchItem> load;
    load.reserve(static_cast<std::size_t>(options.background));
    const auto work = options.backgroundWork;
    const bool spin = options.spinBackground;
    for (int i = 0; i < options.background; ++i)
        load.push_back({QStringLiteral("bg%1").arg(i), [work, spin](const CancellationToken &) -> QVariant {
                            occupyFor(work, spin);
                            return {};
                        }});
    pool.submitBatch(std::move(load), TaskPriority::Background);

    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(options.samples));
    std::binary_semaphore started(0);
    Clock::time_point startedAt;
    for (int i = 0; i < options.samples; ++i) {
        const auto submitted = Clock::now();
        pool.submit(QStringLiteral("critical%1").arg(i),
                    [&started, &startedAt](const CancellationToken &) -> QVariant {
                        startedAt = Clock::now();
                        started.release();
                        return {};
                    },
                    TaskPriority::Critical);
        started.acquire();
        micros.push_back(std::chrono::duration<double, std::micro>(startedAt - submitted).count());
    }
    const int left = pool.stats().queued();
    pool.cancelAll();
    pool.waitForDone();
    (void)pool.shutdownNow(std::chrono::seconds(5), false);
    return summarise(std::move(micros), left);
}

Latency latencyQThreadPool(int workers, const Options &options)
{
    QThreadPool pool;
    pool.setMaxThreadCount(workers);
    const auto work = options.backgroundWork;
    const bool spin = options.spinBackground;
    std::atomic<int> backgroundDone{0};
    for (int i = 0; i < options.background; ++i)
        pool.start([work, spin, &backgroundDone] {
            occupyFor(work, spin);
            backgroundDone.fetch_add(1, std::memory_order_relaxed);
        }, 0);

    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(options.samples));
    std::binary_semaphore started(0);
    Clock::time_point startedAt;
    for (int i = 0; i < options.samples; ++i) {
        const auto submitted = Clock::now();
        pool.start([&started, &startedAt] {
            startedAt = Clock::now();
            started.release();
        }, 100);
        started.acquire();
        micros.push_back(std::chrono::duration<double, std::micro>(startedAt - submitted).count());
    }
    const int left = options.background - backgroundDone.load();
    pool.clear();
    pool.waitForDone();
    return summarise(std::move(micros), left);
}

Options parseOptions(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("ThreadPoolManager vs QThreadPool"));
    parser.addHelpOption();
    const QCommandLineOption tasks(QStringLiteral("tasks"), QStringLiteral("Tiny tasks per throughput run."), QStringLiteral("n"), QStringLiteral("1000000"));
    const QCommandLineOption repeats(QStringLiteral("repeats"), QStringLiteral("Runs per figure (median)."), QStringLiteral("n"), QStringLiteral("3"));
    const QCommandLineOption samples(QStringLiteral("samples"), QStringLiteral("Latency samples."), QStringLiteral("n"), QStringLiteral("1000"));
    const QCommandLineOption background(QStringLiteral("background"), QStringLiteral("BACKGROUND tasks queued during the latency run."), QStringLiteral("n"), QStringLiteral("1000000"));
    const QCommandLineOption work(QStringLiteral("background-us"), QStringLiteral("Run time of each BACKGROUND task."), QStringLiteral("us"), QStringLiteral("50"));
    const QCommandLineOption blocking(QStringLiteral("blocking-background"), QStringLiteral("BACKGROUND tasks sleep instead of burning CPU."));
    const QCommandLineOption workers(QStringLiteral("workers"), QStringLiteral("Comma-separated worker counts."), QStringLiteral("list"), QStringLiteral("2,4"));
    const QCommandLineOption throughputOnly(QStringLiteral("throughput-only"), QStringLiteral("Skip the latency table."));
    const QCommandLineOption impls(QStringLiteral("impl"), QStringLiteral("Throughput rows to run (profiling one at a time): qt,anon,anonbatch,submit,batch."), QStringLiteral("list"), QStringLiteral("qt,anon,anonbatch,submit,batch"));
    parser.addOptions({tasks, repeats, samples, background, work, blocking, workers, throughputOnly, impls});
    parser.process(app);

    Options options;
    options.tasks = std::max(1, parser.value(tasks).toInt());
    options.repeats = std::max(1, parser.value(repeats).toInt());
    options.samples = std::max(1, parser.value(samples).toInt());
    options.background = std::max(1, parser.value(background).toInt());
    options.backgroundWork = std::chrono::microseconds(std::max(1, parser.value(work).toInt()));
    options.spinBackground = !parser.isSet(blocking);
    options.latency = !parser.isSet(throughputOnly);
    options.impls = parser.value(impls).split(QLatin1Char(','));
    options.workerCounts.clear();
    for (const QString &w : parser.value(workers).split(QLatin1Char(',')))
        if (w.toInt() > 0)
            options.workerCounts << w.toInt();
    return options;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const Options options = parseOptions(app);

    std::printf("Throughput: %d tiny tasks (atomic increment), median of %d runs, Qt %s, %d logical cores\n",
                options.tasks, options.repeats, qVersion(), QThread::idealThreadCount());
    std::printf("%-8s %-40s %12s %10s %16s\n", "workers", "implementation", "tasks/s", "ns/task", "vs QThreadPool");
    for (const int workers : options.workerCounts) {
        struct Impl {
            const char *key;
            const char *name;
            double (*run)(int, int);
            std::vector<double> seconds;
        };
        std::vector<Impl> impls{
            {"qt", "QThreadPool::start", runQThreadPool, {}},
            {"anon", "ThreadPoolManager::submit(fn)", runSubmitAnonymous, {}},
            {"anonbatch", "ThreadPoolManager::submitBatch(fns)", runSubmitBatchAnonymous, {}},
            {"submit", "ThreadPoolManager::submit(id, fn)", runSubmit, {}},
            {"batch", "ThreadPoolManager::submitBatch(items)", runSubmitBatch, {}},
        };
        // Round-robin rather than all runs of one kind in a row, so drifting load is shared.
        for (int r = 0; r < options.repeats; ++r)
            for (Impl &impl : impls)
                if (options.impls.contains(QLatin1String(impl.key)))
                    impl.seconds.push_back(impl.run(workers, options.tasks));
        const double qt = median(impls.front().seconds);
        for (const Impl &impl : impls) {
            const double seconds = median(impl.seconds);
            if (seconds <= 0) // left out with --impl (profiling one at a time)
                continue;
            std::printf("%-8d %-40s %12.0f %10.0f %15.2fx\n", workers, impl.name, options.tasks / seconds,
                        seconds * 1e9 / options.tasks, qt > 0 ? qt / seconds : 0.0);
        }
    }
    if (!options.latency)
        return 0;

    std::printf("\nLatency submit -> start of a CRITICAL task, %d BACKGROUND tasks (%lld us each, %s) queued, "
                "all workers busy, %d samples (goal: p99 < 1000 us)\n",
                options.background, static_cast<long long>(options.backgroundWork.count()),
                options.spinBackground ? "spinning" : "blocking", options.samples);
    std::printf("%-8s %-20s %10s %10s %10s %16s\n", "workers", "implementation", "p50 us", "p99 us", "max us", "bg left at end");
    for (const int workers : options.workerCounts) {
        const Latency qt = latencyQThreadPool(workers, options);
        const Latency ours = latencyThreadPoolManager(workers, options);
        const auto row = [&](const char *name, const Latency &l) {
            std::printf("%-8d %-20s %10.1f %10.1f %10.1f %16d\n", workers, name, l.p50, l.p99, l.max, l.backgroundLeft);
        };
        row("QThreadPool", qt);
        row("ThreadPoolManager", ours);
    }
    return 0;
}
