#include "core/concurrency/threadpoolmanager.h"

#include "core/logging.h"

#include <QMetaMethod>
#include <QPointer>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <deque>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#ifdef __linux__
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#endif

// Design (one lock, many deques)
// ------------------------------
// All queue state lives in PoolCore behind ONE mutex: the five global FIFO lanes (one per
// priority, fed by submit()), each worker's five local lanes (fed round-robin by submitBatch()),
// the per-priority counts over all lanes and the counters (the id table has its own small lock
// and submits reach the lanes through the inbox; both below). With a single lock the
// priority rule is exact: a worker first finds the highest priority whose count is non-zero,
// then takes from its own lane, else the global lane, else steals the front of the longest lane
// of that priority among the other workers (counted in stats().stolen). Stealing from the front
// keeps each lane FIFO. Aging is computed, not moved: a BACKGROUND task's effective level is
// derived from how long it has waited, and only the oldest BACKGROUND front task can be the
// most aged one, so the check is O(workers) per pick with no rescans of the queue.
//
// Tiny tasks are taken a few at a time (Worker::prefetch grows while a worker's tasks run under
// kTinyTask, and falls back to one as soon as they do not), so a worker takes the lock once per
// run of tasks instead of once per task. Reserved tasks stay visible: the worker checks the
// "highest queued priority" hint (m_topLevel) before starting each of them and gives them back
// if something more urgent arrived; cancel() reaches them; they are never taken by stealing,
// nor while queued BACKGROUND work could age past them.
//
// Workers are std::threads (visible to ThreadSanitizer) that sleep on their own WakeSignal,
// pushed on an idle stack. A submit wakes exactly as many idle workers as it queued tasks (no
// thundering herd, no futex call when nobody sleeps), after releasing the lock; the most
// recently idled worker is woken first, so the others stay idle long enough to time out (a
// timed wait, never polling) and shrink the pool.
//
// A tiny task costs little more than its allocation, so allocations are avoided: finished task
// records are kept on a bounded spare list, new ones are carved from slabs (RecordArena), ids
// live in an intrusive hash table (no node per id), and the table shrinks again after a burst so
// a short queue works on cache-hot memory. Id-less tasks (submit(fn), submitBatch(fns)) skip the
// table altogether: an empty id marks them, and only named records are ever registered.
//
// Inbox. One lock shared by the submitter and every worker was the limit for a stream of
// one-by-one submits: on an idle 2-core machine the three threads queued for it in turn. So a
// non-BACKGROUND submit does not take the lock: it fills a record from a thread-local cache and
// publishes it in a bounded lock-free ring (Inbox). Every holder of the
// lock that queues or chooses work first moves the ring's published tasks to the global lanes, in
// order, so priority and FIFO hold over inbox and lanes alike, and the "highest queued priority"
// hint covers the ring too (m_inboxTop). A task never waits in the ring while a worker sleeps: a
// worker about to sleep publishes itself idle and then looks at the ring, a submitter publishes
// its task and then looks at the idle count (both seq_cst), and whichever sees the other settles
// it (the submitter moves the ring to the lanes and wakes workers under the lock). A full ring, a
// pool that may still grow (growth is decided by the submit) or a stopping pool also send the
// submit through the lock. A named task is registered in the id table before it is published;
// the table has its own lock (m_idMutex, taken inside m_mutex or alone by a submit), so the
// duplicate check does not wait for the pool lock, and a worker forgets the ids of a whole run of
// tasks under one acquisition.
//
// Workers are SCHED_BATCH on Linux, so waking one never preempts the submitting thread (see
// prepareWorkerThread()); a stream of submits no longer pays a context switch per wake-up.
//
// Results reach Qt threads through a Mailbox: a mutex-guarded vector plus at most one queued
// invokeMethod() in flight, so a flood of results costs one event per burst, and data crosses
// threads through our own mutex rather than through Qt's internals. Nothing is posted unless a
// signal has receivers (tracked through connectNotify) or the task has a callback.
//
// The state is shared with the worker threads through a shared_ptr, so a worker still stuck in a
// task that ignores its token after shutdownNow()'s budget can be detached safely: it keeps the
// state alive until it ends, and the ThreadPoolManager object can already be gone by then.

namespace oncutf::core::concurrency {
namespace detail {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kLevels = kTaskPriorityCount;
constexpr int kBackgroundLevel = priorityIndex(TaskPriority::Background);
// Aged BACKGROUND work may reach HIGH but never CRITICAL: CRITICAL stays the latency class.
constexpr int kAgingCap = priorityIndex(TaskPriority::High);

enum class SignalKind { Submitted = 0, Completed, Failed, Cancelled };
constexpr int kSignalKinds = 4;

struct Delivery {
    enum class Kind { Submitted, Completed, Failed, Cancelled, Resized, Callback };
    Kind kind = Kind::Completed;
    TaskOutcome outcome;
    int value = 0; ///< priority index (Submitted) or worker count (Resized)
    std::function<void(const TaskOutcome &)> callback;
};

QString describeException(const std::exception_ptr &error)
{
    try {
        std::rethrow_exception(error);
    } catch (const std::exception &e) {
        return QString::fromLocal8Bit(e.what());
    } catch (...) {
        return QStringLiteral("unknown exception");
    }
}

void dispatch(QObject *target, Delivery &delivery)
{
    // No exception may cross back into Qt's event loop.
    try {
        const TaskOutcome &o = delivery.outcome;
        if (delivery.kind == Delivery::Kind::Callback) {
            delivery.callback(o);
            return;
        }
        // Signal deliveries only ever go to the pool's own mailbox.
        auto *pool = static_cast<ThreadPoolManager *>(target);
        switch (delivery.kind) {
        case Delivery::Kind::Callback:
            break;
        case Delivery::Kind::Submitted:
            Q_EMIT pool->taskSubmitted(o.id, priorityFromIndex(delivery.value));
            break;
        case Delivery::Kind::Completed:
            Q_EMIT pool->taskCompleted(o.id, o.result);
            break;
        case Delivery::Kind::Failed:
            Q_EMIT pool->taskFailed(o.id, o.error);
            break;
        case Delivery::Kind::Cancelled:
            Q_EMIT pool->taskCancelled(o.id);
            break;
        case Delivery::Kind::Resized:
            Q_EMIT pool->poolResized(delivery.value);
            break;
        }
    } catch (...) {
        qCWarning(lcPool).noquote() << "a handler for task" << delivery.outcome.id
                                    << "threw:" << describeException(std::current_exception());
    }
}

} // namespace

/// Hands deliveries to the thread of one QObject (the pool itself, or a callback context),
/// coalescing bursts into one queued call, and drops them once that object is destroyed.
/// Only the pool's own mailbox ever carries signal deliveries.
/// Threading: post() and withTarget() from any thread; drain() runs on the target's thread;
/// close() is called on the target's thread while it is being destroyed.
class Mailbox final : public std::enable_shared_from_this<Mailbox> {
public:
    explicit Mailbox(QObject *target) : m_target(target) {}

    void post(Delivery delivery)
    {
        std::lock_guard lock(m_mutex);
        if (!m_target)
            return;
        m_pending.push_back(std::move(delivery));
        if (m_posted)
            return;
        m_posted = true;
        // Posting under the mutex: close() takes it first, so the target cannot finish being
        // destroyed while we post; events already queued are then discarded by ~QObject.
        QMetaObject::invokeMethod(
            m_target, [self = shared_from_this()] { self->drain(); }, Qt::QueuedConnection);
    }

    void close()
    {
        std::vector<Delivery> dropped;
        {
            std::lock_guard lock(m_mutex);
            m_target = nullptr;
            dropped.swap(m_pending);
        }
        // `dropped` dies here, outside the lock: callbacks' captures may do anything.
    }

    /// Runs `fn(target)` under the mutex if the target is still alive.
    template <typename Fn>
    void withTarget(Fn &&fn)
    {
        std::lock_guard lock(m_mutex);
        if (m_target)
            fn(m_target);
    }

private:
    void drain()
    {
        std::vector<Delivery> batch;
        QPointer<QObject> alive;
        {
            std::lock_guard lock(m_mutex);
            batch.swap(m_pending);
            m_posted = false;
            alive = m_target; // we are on the target's thread, so QPointer is safe here
        }
        for (Delivery &delivery : batch) {
            if (!alive) // a handler destroyed the target
                break;
            dispatch(alive.data(), delivery);
        }
    }

    std::mutex m_mutex;
    QObject *m_target;
    std::vector<Delivery> m_pending;
    bool m_posted = false;
};

namespace {

struct Worker;

/// Where and how a task's outcome is reported; shared by all items of one submitBatch().
struct Reply {
    std::function<void(const TaskOutcome &)> callback;
    std::shared_ptr<Mailbox> mailbox; ///< the context's mailbox; null means the pool's own
};

/// One submitted task. Kept small: with a million tiny tasks queued, its size is what the
/// queue costs in memory and page faults.
struct Task {
    QString id;
    TaskFunction fn;
    std::shared_ptr<const Reply> reply; ///< null when there is no callback
    Task *nextWithHash = nullptr;       ///< IdTable's intrusive chain...
    Task **linkToThis = nullptr;        ///< ...and the pointer that points at this record
    Worker *lane = nullptr;             ///< local deque holding it while queued; null = global
    quint64 seq = 0;
    Clock::time_point enqueuedAt{};     ///< read by aging, so only set for BACKGROUND tasks
    std::uint32_t idHash = 0;           ///< idHash(id), computed before taking the pool lock
    std::atomic<bool> cancelled{false};
    std::int8_t level = 0;              ///< submitted priority index
    bool taken = false; ///< out of the lanes: in a worker's hands (reserved or running)

    /// Back to a blank record for reuse (see PoolCore::m_spareTasks). The id is left for the
    /// next submit() to overwrite: the submitting thread allocated its text, so freeing it
    /// there hits that thread's malloc cache instead of a cross-thread free on the worker.
    void clear()
    {
        fn = nullptr;
        reply.reset();
        nextWithHash = nullptr;
        linkToThis = nullptr;
        lane = nullptr;
        seq = 0;
        enqueuedAt = {};
        idHash = 0;
        cancelled.store(false, std::memory_order_relaxed);
        level = 0;
        taken = false;
    }
};
using TaskPtr = std::shared_ptr<Task>;

// Finished task records kept for reuse. Allocating and freeing one record per task across
// threads made malloc the largest cost of a tiny task (and glibc trims and re-faults the heap
// as the queue breathes); a bounded spare list keeps a steady stream allocation-free.
constexpr std::size_t kSpareTaskLimit = 4096;

/// Where task records come from when the spare list is empty: 2 MiB slabs carved by bumping a
/// pointer. A burst of a million queued tasks made malloc (and its cross-thread frees on the
/// workers) the submitter's largest cost: a record with its shared_ptr control block is just
/// over the fast-bin size, so every one took malloc's slow path. A slab is one allocation per
/// few hundred records; freeing a record is one atomic decrement on its slab's counter (a
/// pointer to the slab sits just before each record), and the last record out hands the slab
/// back. A slab is one transparent huge page where the kernel allows it (madvise): a burst of
/// a million queued records touched 36k fresh 4 KiB pages, and those page faults were the
/// submitter's largest single cost. Records can outlive the pool (a task may keep a copy of its token), and so can their
/// slab; one arena serves every pool.
/// Threading: allocate() from any thread (own mutex); release() from any thread, lock-free.
class RecordArena {
public:
    RecordArena() = default;
    Q_DISABLE_COPY_MOVE(RecordArena)
    ~RecordArena() = delete; // see instance()

    /// The one arena of the process. Never destroyed: records (and so slabs) may be released
    /// during static destruction by a pool's straggler, and release() never needs the arena.
    static RecordArena &instance()
    {
        static RecordArena *const arena = new RecordArena;
        return *arena;
    }

    void *allocate(std::size_t bytes)
    {
        const std::size_t need = kPrefixBytes + ((bytes + kAlign - 1) & ~(kAlign - 1));
        Q_ASSERT(need <= kSlabBytes - kHeaderBytes);
        std::lock_guard lock(m_mutex);
        if (!m_slab || m_next + need > m_end) {
            retireLocked();
            void *memory = nullptr;
            if (!m_cache.empty()) {
                memory = m_cache.back();
                m_cache.pop_back();
            } else {
                memory = mapSlab();
                m_mappedSlabs.fetch_add(1, std::memory_order_relaxed);
            }
            m_slab = new (memory) Slab;
            m_next = static_cast<std::byte *>(memory) + kHeaderBytes;
            m_end = static_cast<std::byte *>(memory) + kSlabBytes;
            m_handedOut = 0;
        }
        std::byte *prefix = m_next;
        m_next += need;
        ++m_handedOut;
        *reinterpret_cast<Slab **>(prefix) = m_slab;
        return prefix + kPrefixBytes;
    }

    static void release(void *record)
    {
        Slab *slab = *reinterpret_cast<Slab **>(static_cast<std::byte *>(record) - kPrefixBytes);
        if (slab->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
            freeSlab(slab);
    }

    /// Gives the kernel back every emptied slab but a couple. Pool workers call it when they
    /// have sat idle for their idle timeout, so the memory of a burst is returned once the
    /// application is quiet, and reused while bursts follow each other.
    void trim()
    {
        std::vector<void *> unmap;
        {
            std::lock_guard lock(m_mutex);
            while (m_cache.size() > kKeptAfterTrim) {
                unmap.push_back(m_cache.back());
                m_cache.pop_back();
            }
        }
        for (void *slab : unmap)
            unmapSlab(slab);
        m_mappedSlabs.fetch_sub(unmap.size(), std::memory_order_relaxed);
    }

    /// Task record memory mapped by every pool of the process: in use, spare or cached.
    [[nodiscard]] qint64 mappedBytes() const
    {
        return static_cast<qint64>(m_mappedSlabs.load(std::memory_order_relaxed) * kSlabBytes);
    }

private:
    // The count starts huge so records released while the slab is still being carved can
    // never bring it to zero; retiring subtracts what was not handed out.
    static constexpr std::size_t kUnretired = std::size_t(1) << 40;
    static constexpr std::size_t kSlabBytes = std::size_t(2) << 20; // one x86-64 huge page
    static constexpr std::size_t kAlign = alignof(void *); // records hold nothing over-aligned
    static constexpr std::size_t kPrefixBytes = kAlign;    // the slab pointer
    static constexpr std::size_t kHeaderBytes = 64;     // the counter gets its own cache line
    static constexpr std::size_t kKeptAfterTrim = 2;    // 4 MiB stay mapped when idle

    struct Slab {
        std::atomic<std::size_t> refs{kUnretired};
    };
    static_assert(sizeof(Slab) <= kHeaderBytes && sizeof(Slab *) <= kPrefixBytes);

    /// A slab-aligned anonymous mapping (over-map, then trim both ends), so the kernel can back
    /// it with one huge page. Without THP it is still ordinary memory, faulted in 4 KiB at a time.
    static void *mapSlab()
    {
#ifdef __linux__
        const std::size_t span = 2 * kSlabBytes;
        void *raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED)
            throw std::bad_alloc();
        const auto base = reinterpret_cast<std::uintptr_t>(raw);
        const std::uintptr_t aligned = (base + kSlabBytes - 1) & ~(std::uintptr_t(kSlabBytes) - 1);
        if (aligned > base)
            ::munmap(raw, aligned - base);
        if (const std::uintptr_t tail = base + span - (aligned + kSlabBytes))
            ::munmap(reinterpret_cast<void *>(aligned + kSlabBytes), tail);
        (void)::madvise(reinterpret_cast<void *>(aligned), kSlabBytes, MADV_HUGEPAGE);
        return reinterpret_cast<void *>(aligned);
#else
        void *memory = std::malloc(kSlabBytes);
        if (!memory)
            throw std::bad_alloc();
        return memory;
#endif
    }

    static void unmapSlab(void *slab)
    {
#ifdef __linux__
        ::munmap(slab, kSlabBytes);
#else
        std::free(slab);
#endif
    }

    /// Emptied slabs are kept until trim(): unmapping them at once made every burst map and
    /// zero its memory again (the kernel's page clearing became the largest cost of a burst of
    /// submits), while glibc's heap, which served the slabs before, kept freed memory anyway.
    static void freeSlab(Slab *slab)
    {
        slab->~Slab();
        RecordArena &arena = instance();
        std::lock_guard lock(arena.m_mutex);
        arena.m_cache.push_back(slab);
    }

    void retireLocked()
    {
        if (!m_slab)
            return;
        const std::size_t unused = kUnretired - m_handedOut;
        if (m_slab->refs.fetch_sub(unused, std::memory_order_acq_rel) == unused) {
            m_slab->~Slab(); // every record was released already: straight back to the cache
            m_cache.push_back(m_slab);
        }
        m_slab = nullptr;
    }

    std::mutex m_mutex;
    Slab *m_slab = nullptr;
    std::byte *m_next = nullptr;
    std::byte *m_end = nullptr;
    std::size_t m_handedOut = 0;
    std::vector<void *> m_cache; ///< emptied slabs for reuse
    std::atomic<std::size_t> m_mappedSlabs{0};
};

/// Lets std::allocate_shared put a record and its control block in a RecordArena slab.
/// Stateless, so the control block does not carry a pointer to the arena.
template <typename T>
struct RecordAllocator {
    using value_type = T;
    static_assert(alignof(T) <= alignof(void *));
    RecordAllocator() = default;
    template <typename U>
    RecordAllocator(const RecordAllocator<U> &) {} // NOLINT(google-explicit-constructor): rebinding
    T *allocate(std::size_t n)
    {
        Q_ASSERT(n == 1);
        Q_UNUSED(n)
        return static_cast<T *>(RecordArena::instance().allocate(sizeof(T)));
    }
    void deallocate(T *p, std::size_t) { RecordArena::release(p); }
    template <typename U>
    bool operator==(const RecordAllocator<U> &) const { return true; }
};

/// The lock-free inbox of id-less submits: a bounded multi-producer ring in the manner of
/// Vyukov's queue (each slot's sequence number says whether it is free, claimed or published).
/// A producer claims a slot with one CAS on the tail and publishes it with one store; the
/// consumer is whoever holds the pool lock, so there is one at a time. A ring rather than a
/// linked list because the consumer reads its slots in address order (the hardware prefetches
/// them), where a list made it chase pointers into records that sat in the submitter's cache,
/// one miss after another, with the pool lock held.
/// Threading: push() from any thread; everything else with the pool lock held.
class Inbox {
public:
    static constexpr std::size_t kCapacity = 4096; // a full ring sends submits to the lock

    Inbox() : m_slots(new Slot[kCapacity])
    {
        for (std::size_t i = 0; i < kCapacity; ++i)
            m_slots[i].seq.store(i, std::memory_order_relaxed);
    }

    /// Takes `task` and returns true, or returns false (task untouched) when the ring is full.
    /// The publishing store is seq_cst: the submitter's next load (are workers idle?) must not
    /// pass it (see PoolCore::submitToInbox()).
    bool push(TaskPtr &task, int level)
    {
        std::size_t pos = m_tail.load(std::memory_order_relaxed);
        for (;;) {
            Slot &slot = m_slots[pos & kMask];
            const std::size_t seq = slot.seq.load(std::memory_order_acquire);
            const auto diff = static_cast<std::ptrdiff_t>(seq - pos);
            if (diff == 0) {
                if (m_tail.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
                    slot.task = std::move(task);
                    slot.level = level;
                    slot.seq.store(pos + 1, std::memory_order_seq_cst);
                    return true;
                }
            } else if (diff < 0) {
                return false;
            } else {
                pos = m_tail.load(std::memory_order_relaxed);
            }
        }
    }

    /// True if the oldest slot is published (a claimed slot still being filled is not).
    [[nodiscard]] bool hasPublished() const
    {
        return m_slots[m_head & kMask].seq.load(std::memory_order_seq_cst) == m_head + 1;
    }

    /// Hands published tasks to visit(task, level), oldest first, up to the first slot that is
    /// claimed but not yet published (its producer publishes it a moment later).
    template <typename Visit>
    int drain(Visit &&visit)
    {
        int count = 0;
        for (;;) {
            Slot &slot = m_slots[m_head & kMask];
            if (slot.seq.load(std::memory_order_acquire) != m_head + 1)
                return count;
            visit(std::move(slot.task), slot.level);
            slot.seq.store(m_head + kCapacity, std::memory_order_release);
            ++m_head;
            ++count;
        }
    }

private:
    static constexpr std::size_t kMask = kCapacity - 1;
    static_assert((kCapacity & kMask) == 0, "capacity must be a power of two");
    struct Slot {
        std::atomic<std::size_t> seq{0};
        TaskPtr task;
        int level = 0;
    };
    std::unique_ptr<Slot[]> m_slots;
    alignas(64) std::atomic<std::size_t> m_tail{0};
    alignas(64) std::size_t m_head = 0;
};

/// A binary semaphore that really blocks (std::binary_semaphore's timed wait in libstdc++ 12
/// spins and yields): an idle worker sleeps on it, a waker releases it.
class WakeSignal {
public:
    void release()
    {
        {
            std::lock_guard lock(m_mutex);
            m_signalled = true;
        }
        m_cv.notify_one();
    }

    /// True if released (now or before the call), false on timeout.
    bool tryAcquireFor(std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(m_mutex);
        const bool signalled = m_cv.wait_for(lock, timeout, [this] { return m_signalled; });
        m_signalled = false;
        return signalled;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_signalled = false;
};

struct Worker {
    explicit Worker(int n) : number(n) {}
    int number;
    std::thread thread;
    std::array<std::deque<TaskPtr>, kLevels> lanes;
    int queued = 0;
    WakeSignal wake;               ///< the worker sleeps on it while idle
    bool woken = false;            ///< set under the pool lock by whoever popped it off m_idle
    /// Tasks taken from the lanes and not yet finished, front first. Only the worker itself
    /// changes it, under the pool lock; others read it under the lock (to cancel tokens), and
    /// the worker reads it without the lock while running them.
    std::deque<TaskPtr> inHand;
    /// How many tasks of one priority it may take at once (owner thread only): grows while its
    /// tasks are tiny, drops to 1 as soon as they are not, so long tasks stay stealable.
    int prefetch = 1;
};

struct RunResult {
    TaskOutcome::State state = TaskOutcome::State::Completed;
    QVariant value;
    QString error;
};

// A task "is tiny" below this average run time; tiny tasks are taken several at a time.
constexpr auto kTinyTask = std::chrono::microseconds(20);
constexpr int kMaxPrefetch = 32;

/// FNV-1a over the UTF-16 units. Ids are chosen by the application, not by an attacker, so a
/// fast unkeyed hash is enough; it runs before the pool lock is taken.
std::uint32_t idHash(const QString &id)
{
    std::uint64_t hash = 14695981039346656037ULL;
    for (const QChar c : id) {
        hash ^= c.unicode();
        hash *= 1099511628211ULL;
    }
    return static_cast<std::uint32_t>(hash ^ (hash >> 32));
}

/// The ids of pending and running tasks: an intrusive, doubly linked, chained hash set over the
/// Task records. Registering an id allocates nothing (the bucket array grows by doubling,
/// rarely), and removing one reads only the record itself: with a large queue the bucket array
/// is cold memory, and a removal that had to read it would wait for a cache miss per task.
/// Threading: guarded by the pool lock.
class IdTable {
public:
    IdTable() : m_buckets(kMinBuckets) {}

    [[nodiscard]] Task *find(const QString &id, std::uint32_t hash) const
    {
        const Bucket &bucket = m_buckets[hash & (m_buckets.size() - 1)];
        if ((bucket.tags & tagOf(hash)) == 0)
            return nullptr; // no record of this bucket can match: none of them is read
        for (Task *t = bucket.head; t; t = t->nextWithHash)
            if (t->idHash == hash && t->id == id)
                return t;
        return nullptr;
    }

    /// Appends at the end of its chain (just walked by find(), so no new cache misses).
    void insert(Task *task)
    {
        if (m_size >= m_buckets.size())
            rehash(m_buckets.size() * 2);
        Bucket &bucket = m_buckets[task->idHash & (m_buckets.size() - 1)];
        bucket.tags |= tagOf(task->idHash);
        Task **link = &bucket.head;
        while (*link)
            link = &(*link)->nextWithHash;
        link_(task, link);
        ++m_size;
    }

    [[nodiscard]] std::size_t size() const { return m_size; }

    /// Grows the bucket array once for `count` ids instead of doubling step by step.
    void reserve(std::size_t count)
    {
        std::size_t buckets = m_buckets.size();
        while (buckets < count)
            buckets *= 2;
        if (buckets != m_buckets.size())
            rehash(buckets);
    }

    void remove(Task *task)
    {
        Q_ASSERT_X(task->linkToThis, "IdTable::remove", "task not registered");
        // The bucket's address is arithmetic; whether the task was its only record is read
        // from the task itself, so the cold bucket is only written, never waited for.
        Bucket *const bucket = &m_buckets[task->idHash & (m_buckets.size() - 1)];
        const bool wasOnly = task->linkToThis == &bucket->head && !task->nextWithHash;
        *task->linkToThis = task->nextWithHash; // a store: it does not wait for the miss
        if (task->nextWithHash)
            task->nextWithHash->linkToThis = task->linkToThis;
        task->nextWithHash = nullptr;
        task->linkToThis = nullptr;
        if (wasOnly)
            bucket->tags = 0; // an emptied bucket answers "absent" again without a walk
        --m_size;
        // Shrink after a burst so a short queue works on a small, cache-hot table.
        if (m_buckets.size() > kShrinkAbove && m_size * 16 < m_buckets.size())
            rehash(m_buckets.size() / 4);
    }

private:
    /// Each bucket keeps a 32-bit summary of its records' hashes (one bit chosen by the hash's
    /// top bits; the bucket index uses the low ones). A lookup of a new id, the usual case,
    /// then reads only the bucket, where it used to wait for each record of the chain to come
    /// from another core's cache. Bits are only cleared when the bucket empties, so a stale
    /// bit merely costs the walk it used to.
    struct Bucket {
        Task *head = nullptr;
        std::uint32_t tags = 0;
    };
    static std::uint32_t tagOf(std::uint32_t hash) { return 1U << (hash >> 27); }

    static void link_(Task *task, Task **link)
    {
        task->nextWithHash = nullptr;
        task->linkToThis = link;
        *link = task;
    }

    void rehash(std::size_t buckets)
    {
        // Chains keep their relative (insertion) order: each record goes to the tail.
        std::vector<Bucket> grown(buckets);
        std::vector<Task **> tails(buckets, nullptr);
        for (Bucket &old : m_buckets) {
            Task *head = old.head;
            while (head) {
                Task *next = head->nextWithHash;
                const std::size_t b = head->idHash & (buckets - 1);
                grown[b].tags |= tagOf(head->idHash);
                Task **&tail = tails[b];
                link_(head, tail ? tail : &grown[b].head);
                tail = &head->nextWithHash;
                head = next;
            }
        }
        m_buckets.swap(grown); // the vectors' buffers swap: the links stay valid
    }

    static constexpr std::size_t kMinBuckets = 64;
    static constexpr std::size_t kShrinkAbove = 4096; // smaller tables are cheap to keep
    std::vector<Bucket> m_buckets; ///< size is a power of two
    std::size_t m_size = 0;
};

/// What one finished task still has to hand to Qt threads once the lock is released.
struct DeliveryPlan {
    bool signal = false;
    bool any = false;
};

struct LanePick {
    std::deque<TaskPtr> *lane = nullptr;
    Worker *owner = nullptr; ///< null for the global lane
    int level = 0;           ///< the lane's priority (every task in it has this level)
};

/// Names the worker (ps, gdb, perf) and makes it SCHED_BATCH. A woken SCHED_OTHER worker
/// preempts the thread that woke it: the profile of a stream of submits showed the submitter
/// descheduled inside the wake-up of nearly every sleeping worker (half of all context switches),
/// so each submit paid for a switch away and back. A batch-policy thread keeps its CPU share and
/// its nice level and runs at once on an idle core; it only never preempts on wake-up, which
/// is what a pool fed from a GUI or CLI thread wants. Unprivileged and best effort.
void prepareWorkerThread(int number)
{
#ifdef __linux__
    const QByteArray name = "oncutf-pool-" + QByteArray::number(number);
    pthread_setname_np(pthread_self(), name.left(15).constData());
    sched_param param{};
    param.sched_priority = 0;
    (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
#else
    Q_UNUSED(number)
#endif
}

/// std::mutex that spins briefly on try_lock before blocking. The pool lock is held for well
/// under a microsecond, so a waiter that blocks in the kernel at once costs the holder a futex
/// wake on unlock, and on a loaded machine the woken thread preempts the holder. Spinning a
/// little keeps short waits in user space. Still a std::mutex underneath: TSan sees every lock.
class PoolMutex {
public:
    void lock()
    {
        for (int spin = 0; spin < 64; ++spin) {
            if (m_mutex.try_lock())
                return;
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
        m_mutex.lock();
    }
    bool try_lock() { return m_mutex.try_lock(); } // NOLINT(readability-identifier-naming)
    void unlock() { m_mutex.unlock(); }

private:
    std::mutex m_mutex;
};

/// Workers to wake, released only once the pool lock is dropped: declared before the lock
/// guard, it is destroyed after it, so a woken worker never wakes up into a held lock.
class WakeList {
public:
    WakeList() = default;
    Q_DISABLE_COPY_MOVE(WakeList)
    ~WakeList() { releaseAll(); }

    void add(std::shared_ptr<Worker> worker)
    {
        if (m_count < m_inline.size())
            m_inline[m_count++] = std::move(worker);
        else
            m_overflow.push_back(std::move(worker));
    }
    void releaseAll()
    {
        for (std::size_t i = 0; i < m_count; ++i) {
            m_inline[i]->wake.release();
            m_inline[i].reset();
        }
        m_count = 0;
        for (auto &worker : m_overflow)
            worker->wake.release();
        m_overflow.clear();
    }

private:
    std::array<std::shared_ptr<Worker>, 4> m_inline; // a submit wakes one: no allocation
    std::size_t m_count = 0;
    std::vector<std::shared_ptr<Worker>> m_overflow;
};

} // namespace

/// The state behind a ThreadPoolManager; see the design note at the top of this file.
/// Threading: everything behind m_mutex unless it is an atomic or a Mailbox.
class PoolCore final : public std::enable_shared_from_this<PoolCore> {
public:
    PoolCore(PoolConfig config, ThreadPoolManager *owner)
        : m_config(std::move(config)),
          m_resources(m_config.resourceReader, m_config.resourceCacheTime),
          m_owner(std::make_shared<Mailbox>(owner)),
          m_ownerObject(owner)
    {
        m_minWorkers = std::max(1, m_config.minWorkers);
        m_maxWorkers = std::max(m_minWorkers, m_config.maxWorkers);
        m_maxWorkerCount.store(m_maxWorkers);
        m_healthWindow = std::max(1, m_config.healthWindow);
        m_healthRing.assign(static_cast<std::size_t>(m_healthWindow), 0);
        for (auto &flag : m_listening)
            flag.store(false);
    }

    ~PoolCore()
    {
        // Only detached stragglers can still hold a thread here, and their handles are no longer
        // joinable; anything else would be a bug caught by shutdownNow()'s bookkeeping.
        for (auto *list : {&m_workers, &m_retired})
            for (auto &worker : *list)
                if (worker->thread.joinable())
                    worker->thread.detach();
    }

    void start()
    {
        std::lock_guard lock(m_mutex);
        while (static_cast<int>(m_workers.size()) < m_minWorkers && spawnWorkerLocked()) {
        }
    }

    // ---- submission ------------------------------------------------------------------------

    bool submit(const QString &id, TaskFunction fn, TaskPriority priority, QObject *context,
                std::function<void(const TaskOutcome &)> callback)
    {
        if (id.isEmpty() || !fn) {
            qCWarning(lcPool) << "submit: rejected a task with an empty id or function";
            return false;
        }
        std::shared_ptr<const Reply> reply;
        if (callback)
            reply = std::make_shared<const Reply>(Reply{std::move(callback), mailboxFor(context)});
        const int level = levelOf(priority);
        // BACKGROUND tasks take the lock: aging needs their enqueue time from the pool's clock.
        if (level == kBackgroundLevel)
            return submitOne(&id, std::move(fn), level, std::move(reply));
        return submitToInbox(&id, std::move(fn), level, std::move(reply));
    }

    bool submitAnonymous(TaskFunction fn, TaskPriority priority)
    {
        if (!fn) {
            qCWarning(lcPool) << "submit: rejected an empty function";
            return false;
        }
        const int level = levelOf(priority);
        // BACKGROUND tasks take the lock: aging needs their enqueue time from the pool's clock.
        if (level == kBackgroundLevel)
            return submitOne(nullptr, std::move(fn), level, nullptr);
        return submitToInbox(nullptr, std::move(fn), level, nullptr);
    }

    /// The fast path of submit(fn) and submit(id, fn): no pool lock while every worker is busy.
    /// A named task is registered in the id table (its own small lock) before it is published,
    /// so a duplicate is refused at once and cancel(id) can reach it wherever it is. The record comes
    /// from this thread's cache and is pushed on the inbox; a worker moves it to the global
    /// lane the next time it takes the lock, which it does before choosing any task, so
    /// priority order holds over inbox and lanes alike. When a worker sleeps (or the pool is
    /// stopping, or has no worker) the submit settles the inbox under the lock at once and
    /// wakes workers, so a task never waits in the inbox while a worker is idle.
    bool submitToInbox(const QString *id, TaskFunction fn, int level,
                       std::shared_ptr<const Reply> reply)
    {
        if (m_stoppingFlag.load(std::memory_order_acquire))
            return false;
        auto &cache = submitterRecords();
        TaskPtr task = takeRecord(cache);
        if (id) {
            task->id = *id; // a spare's old id is freed here, on the thread that made it
            task->idHash = idHash(*id);
        } else {
            if (!task->id.isEmpty())
                task->id = QString();
            task->idHash = 0;
        }
        task->fn = std::move(fn);
        task->level = static_cast<std::int8_t>(level);
        task->reply = std::move(reply);
        if (id) {
            std::lock_guard ids(m_idMutex);
            if (m_ids.find(*id, task->idHash)) {
                task->fn = nullptr;
                task->reply.reset();
                cache.push_back(std::move(task));
                return false;
            }
            m_ids.insert(task.get());
        }
        if (!m_inbox.push(task, level)) // full: the workers are far behind; the lock costs little now
            return enqueueThroughLock(std::move(task));

        // After the push: a drain resets the hint before it reads the ring, so a task still in
        // the inbox is covered by the hint (see drainInboxLocked()).
        int top = m_inboxTop.load(std::memory_order_relaxed);
        while (level < top && !m_inboxTop.compare_exchange_weak(top, level)) {
        }
        // Accepted: it runs, or a shutdown that began meanwhile drops it and reports it
        // cancelled like any queued task (after this announcement, on the owner thread).
        announceSubmitted(id ? *id : QString(), level);
        // Pairs with a worker's publish-idle-then-check-inbox (seq_cst on both sides): either
        // the worker saw this task before sleeping, or this load sees the worker idle.
        // A pool that may still grow settles too: growth is decided by the submit that queues
        // more work than there are free workers, as on the locked path.
        if (m_idleCount.load(std::memory_order_seq_cst) > 0
            || m_workerCount.load(std::memory_order_seq_cst)
                   < m_maxWorkerCount.load(std::memory_order_relaxed)
            || m_stoppingFlag.load(std::memory_order_seq_cst))
            settleInbox();
        return true;
    }

    /// Queues a filled (and, if named, registered) record under the lock: the fast path's way
    /// out when the inbox is full. False if the pool began stopping meanwhile.
    bool enqueueThroughLock(TaskPtr task)
    {
        const QString id = task->id;
        const int level = task->level;
        bool grow = false;
        {
            WakeList wake;
            std::lock_guard lock(m_mutex);
            if (m_stopping) {
                forgetIdLocked(*task);
                return false;
            }
            drainInboxLocked(); // what was published before it queues first
            enqueueLocked(std::move(task), nullptr);
            grow = markGrowthLocked();
            wakeLocked(1, wake);
        }
        announceSubmitted(id, level);
        if (grow)
            growIfAllowed();
        return true;
    }

    /// Moves the inbox to the lanes and wakes workers for it; or, once the pool is stopping,
    /// drops what the inbox holds as shutdown drops queued work.
    void settleInbox()
    {
        refreshListeners();
        std::vector<std::pair<TaskPtr, DeliveryPlan>> dropped;
        bool grow = false;
        {
            WakeList wake;
            std::lock_guard lock(m_mutex);
            if (m_stopping) {
                m_inbox.drain([&](TaskPtr task, int) {
                    forgetIdLocked(*task);
                    ++m_cancelled;
                    const DeliveryPlan plan = planCancelledLocked(*task);
                    dropped.emplace_back(std::move(task), plan);
                });
                notifyIfDoneLocked();
            } else {
                drainInboxLocked();
                grow = markGrowthLocked();
                wakeLocked(m_queuedTotal, wake);
            }
        }
        for (auto &[task, plan] : dropped)
            deliver(*task, RunResult{TaskOutcome::State::Cancelled, {}, {}}, plan);
        if (grow)
            growIfAllowed();
    }

    /// Blank records for this thread's fast submits (records are not tied to a pool).
    static std::vector<TaskPtr> &submitterRecords()
    {
        thread_local std::vector<TaskPtr> cache;
        return cache;
    }

    /// A blank record from `cache`, refilled from the pool's spare list with one lock per
    /// kRefill submits.
    TaskPtr takeRecord(std::vector<TaskPtr> &cache)
    {
        constexpr std::size_t kRefill = 32;
        if (cache.empty()) {
            takeSpares(cache, kRefill);
            while (cache.size() < kRefill / 2)
                cache.push_back(newRecord());
        }
        TaskPtr task = std::move(cache.back());
        cache.pop_back();
        // The next submit's record was last written by a worker on another core: fetch it now,
        // while this submit goes on, rather than stall on it then.
        if (!cache.empty())
            prefetchRecord(cache.back().get());
        return task;
    }

    int submitBatch(std::vector<ThreadPoolManager::BatchItem> items, TaskPriority priority,
                    QObject *context, std::function<void(const TaskOutcome &)> callback)
    {
        std::shared_ptr<const Reply> reply;
        if (callback)
            reply = std::make_shared<const Reply>(Reply{std::move(callback), mailboxFor(context)});
        const int level = levelOf(priority);
        std::vector<TaskPtr> tasks = recordsFor(items.size());
        std::size_t filled = 0;
        for (auto &item : items) {
            if (item.id.isEmpty() || !item.fn) {
                qCWarning(lcPool) << "submitBatch: skipped an item with an empty id or function";
                continue;
            }
            Task *task = nextRecord(tasks, filled);
            task->id = std::move(item.id);
            task->idHash = idHash(task->id);
            task->fn = std::move(item.fn);
            task->level = static_cast<std::int8_t>(level);
            task->reply = reply;
        }
        tasks.resize(filled); // unused spares simply go back to malloc
        return enqueueBatch(std::move(tasks), level);
    }

    int submitAnonymousBatch(std::vector<TaskFunction> fns, TaskPriority priority)
    {
        const int level = levelOf(priority);
        std::vector<TaskPtr> tasks = recordsFor(fns.size());
        std::vector<QString> staleIds; // spare records' old ids, freed on this thread
        std::size_t filled = 0;
        for (auto &fn : fns) {
            if (!fn) {
                qCWarning(lcPool) << "submitBatch: skipped an empty function";
                continue;
            }
            Task *task = nextRecord(tasks, filled);
            if (!task->id.isEmpty()) {
                staleIds.emplace_back();
                task->id.swap(staleIds.back());
            }
            task->idHash = 0;
            task->fn = std::move(fn);
            task->level = static_cast<std::int8_t>(level);
        }
        tasks.resize(filled);
        return enqueueBatch(std::move(tasks), level);
    }

    // ---- cancellation ----------------------------------------------------------------------

    bool cancel(const QString &id)
    {
        refreshListeners();
        const std::uint32_t hash = idHash(id);
        TaskPtr removed;
        DeliveryPlan plan;
        {
            std::lock_guard lock(m_mutex);
            drainInboxLocked(); // so a published task is found in its lane
            Task *task = nullptr;
            {
                std::lock_guard ids(m_idMutex);
                task = m_ids.find(id, hash);
            }
            // Registered tasks stay alive and registered while m_mutex is held: only a lock
            // holder forgets one.
            if (!task)
                return false;
            if (task->taken) { // running, or reserved by a worker: it ends Cancelled
                task->cancelled.store(true, std::memory_order_release);
                return true;
            }
            removed = removeQueuedLocked(*task);
            if (!removed) {
                // Registered by a submit that has not published it yet: it never runs, and
                // ends Cancelled when a worker reaches it.
                task->cancelled.store(true, std::memory_order_release);
                return true;
            }
            plan = planCancelledLocked(*removed);
        }
        deliver(*removed, RunResult{TaskOutcome::State::Cancelled, {}, {}}, plan);
        return true;
    }

    int cancelAll()
    {
        refreshListeners();
        std::vector<std::pair<TaskPtr, DeliveryPlan>> removed;
        int reached = 0;
        {
            std::lock_guard lock(m_mutex);
            for (TaskPtr &task : drainQueuesLocked()) {
                const DeliveryPlan plan = planCancelledLocked(*task);
                removed.emplace_back(std::move(task), plan);
            }
            reached = static_cast<int>(removed.size()) + cancelRunningLocked();
        }
        for (auto &[task, plan] : removed)
            deliver(*task, RunResult{TaskOutcome::State::Cancelled, {}, {}}, plan);
        return reached;
    }

    // ---- waiting, stats, health ------------------------------------------------------------

    bool waitForDone(QDeadlineTimer deadline)
    {
        std::unique_lock lock(m_mutex);
        m_doneWaiters.fetch_add(1);
        const auto done = [this] {
            return m_queuedTotal == 0 && m_inFlight == 0 && m_pendingDeliveries.load() == 0
                   && !m_inbox.hasPublished();
        };
        bool ok = true;
        if (deadline.isForever())
            m_doneCv.wait(lock, done);
        else
            ok = m_doneCv.wait_until(lock, Clock::now() + deadline.remainingTimeAsDuration(), done);
        m_doneWaiters.fetch_sub(1);
        return ok;
    }

    PoolStats stats()
    {
        const SystemResources::Snapshot snap = m_resources.snapshot(); // never under m_mutex
        PoolStats s;
        std::lock_guard lock(m_mutex);
        drainInboxLocked(); // so the queue counts include fast submits
        s.workers = static_cast<int>(m_workers.size());
        s.busyWorkers = static_cast<int>(std::count_if(
            m_workers.begin(), m_workers.end(), [](const auto &w) { return !w->inHand.empty(); }));
        s.minWorkers = m_minWorkers;
        s.maxWorkers = m_maxWorkers;
        s.queuedPerPriority = m_queued;
        s.completed = m_completed;
        s.failed = m_failed;
        s.cancelled = m_cancelled;
        s.stolen = m_stolen;
        s.growthRefusals = m_growthRefusals;
        s.taskMemoryBytes = RecordArena::instance().mappedBytes();
        s.totalRunSeconds = std::chrono::duration<double>(m_runTime).count();
        s.averageRunSeconds = m_ran > 0 ? s.totalRunSeconds / static_cast<double>(m_ran) : 0.0;
        s.memoryAvailableBytes = snap.memoryAvailableBytes;
        s.cpuLoad = snap.loadPerCore();
        return s;
    }

    PoolHealth healthCheck()
    {
        std::lock_guard lock(m_mutex);
        drainInboxLocked();
        PoolHealth h;
        h.workers = static_cast<int>(m_workers.size());
        h.queued = m_queuedTotal;
        h.processed = m_ran;
        h.failed = m_failed;
        h.lastError = m_lastError;
        // A failure *rate* over a sliding window: a burst of failures makes the pool unhealthy,
        // and successes afterwards make it healthy again.
        const bool failing = m_healthFailures * 2 > m_healthWindow;
        h.healthy = !m_stopping && h.workers > 0 && !failing;
        return h;
    }

    QString lastError() const
    {
        std::lock_guard lock(m_mutex);
        return m_lastError;
    }

    bool isShutDown() const
    {
        std::lock_guard lock(m_mutex);
        return m_stopping;
    }

    bool shutdownCompleted() const
    {
        std::lock_guard lock(m_mutex);
        return m_shutdownDone;
    }

    // ---- sizing ----------------------------------------------------------------------------

    void setWorkerLimits(int minWorkers, int maxWorkers)
    {
        int resized = -1;
        {
            WakeList wake;
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return;
            m_minWorkers = std::max(1, minWorkers);
            m_maxWorkers = std::max(m_minWorkers, maxWorkers);
            m_maxWorkerCount.store(m_maxWorkers);
            const auto before = m_workers.size();
            while (static_cast<int>(m_workers.size()) < m_minWorkers && spawnWorkerLocked()) {
            }
            if (m_workers.size() != before)
                resized = static_cast<int>(m_workers.size());
            if (static_cast<int>(m_workers.size()) > m_maxWorkers)
                wakeLocked(static_cast<int>(m_idle.size()), wake); // they see the excess and exit
        }
        reapRetired();
        if (resized >= 0)
            postResized(resized);
    }

    // ---- shutdown --------------------------------------------------------------------------

    Status shutdown(std::chrono::milliseconds budget, bool emergency)
    {
        const auto deadline = Clock::now() + budget;
        refreshListeners();
        std::vector<std::pair<TaskPtr, DeliveryPlan>> dropped;
        {
            WakeList wake;
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return m_shutdownStatus;
            m_stopping = true;
            m_stoppingFlag.store(true, std::memory_order_seq_cst);
            for (TaskPtr &task : drainQueuesLocked()) {
                const DeliveryPlan plan = planCancelledLocked(*task);
                dropped.emplace_back(std::move(task), plan);
            }
            cancelRunningLocked();
            wakeLocked(static_cast<int>(m_idle.size()), wake);
            m_doneCv.notify_all();
        }
        if (!dropped.empty())
            qCInfo(lcPool) << "shutdown dropped" << dropped.size() << "queued task(s)";
        for (auto &[task, plan] : dropped)
            deliver(*task, RunResult{TaskOutcome::State::Cancelled, {}, {}}, plan);

        std::vector<std::shared_ptr<Worker>> exited;
        QStringList stuck;
        {
            std::unique_lock lock(m_mutex);
            m_exitCv.wait_until(lock, deadline, [this] { return m_threadsAlive == 0; });
            exited.swap(m_retired);
            // Workers still in m_workers are running a task that ignores its token. They keep
            // the shared state alive and retire themselves when the task ends.
            for (auto &worker : m_workers) {
                stuck << (worker->inHand.empty() ? QStringLiteral("?") : displayId(*worker->inHand.front()));
                if (worker->thread.joinable())
                    worker->thread.detach();
            }
        }
        for (auto &worker : exited)
            if (worker->thread.joinable())
                worker->thread.join();

        Status status;
        if (!stuck.isEmpty()) {
            const QString message =
                QStringLiteral("%1 task(s) still running after %2 ms were left to finish on "
                               "detached workers: %3")
                    .arg(stuck.size())
                    .arg(budget.count())
                    .arg(stuck.join(QStringLiteral(", ")));
            if (emergency)
                qCCritical(lcPool).noquote() << message;
            else
                qCWarning(lcPool).noquote() << message;
            status = makeError(ErrorCode::Timeout, message);
        }
        std::lock_guard lock(m_mutex);
        m_shutdownStatus = status;
        m_shutdownDone = true;
        return status;
    }

    /// Called by ~ThreadPoolManager: nothing may be posted to the QObject any more.
    void closeOwner() { m_owner->close(); }

    // ---- signal receivers ------------------------------------------------------------------

    static const std::array<QMetaMethod, kSignalKinds> &signalMethods()
    {
        static const std::array<QMetaMethod, kSignalKinds> methods{
            QMetaMethod::fromSignal(&ThreadPoolManager::taskSubmitted),
            QMetaMethod::fromSignal(&ThreadPoolManager::taskCompleted),
            QMetaMethod::fromSignal(&ThreadPoolManager::taskFailed),
            QMetaMethod::fromSignal(&ThreadPoolManager::taskCancelled),
        };
        return methods;
    }

    /// From connectNotify(), which Qt may call with its own mutex held: atomics only. Setting
    /// the flag at once means no result is missed between connect() and the next refresh.
    void signalConnected(const QMetaMethod &method)
    {
        const auto &methods = signalMethods();
        for (int i = 0; i < kSignalKinds; ++i)
            if (methods[static_cast<std::size_t>(i)] == method)
                m_listening[static_cast<std::size_t>(i)].store(true, std::memory_order_release);
        m_listenersDirty.store(true, std::memory_order_release);
    }

    void signalDisconnected() { m_listenersDirty.store(true, std::memory_order_release); }

private:
    // ---- submission helpers ----------------------------------------------------------------

    static int levelOf(TaskPriority priority)
    {
        return std::clamp(priorityIndex(priority), 0, kLevels - 1);
    }

    /// One task, named (`id`) or id-less (null). Filling the record under the lock is a
    /// handful of moves and saves a second lock.
    bool submitOne(const QString *id, TaskFunction fn, int level, std::shared_ptr<const Reply> reply)
    {
        const std::uint32_t hash = id ? idHash(*id) : 0;
        QString staleId; // the reused record's previous id, freed after the lock is released
        bool grow = false;
        {
            WakeList wake;
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return false;
            std::unique_lock ids(m_idMutex, std::defer_lock);
            if (id) {
                ids.lock(); // held from the duplicate check to the registration
                if (m_ids.find(*id, hash))
                    return false;
            }
            drainInboxLocked(); // earlier fast submits of this thread queue first
            // A slab allocation is a pointer bump (a malloc every few hundred records), cheaper
            // than dropping the lock and taking it again.
            TaskPtr task = takeSpareLocked();
            if (!task)
                task = newRecord();
            if (id)
                staleId = *id;
            task->id.swap(staleId);
            task->idHash = hash;
            task->fn = std::move(fn);
            task->level = static_cast<std::int8_t>(level);
            task->reply = std::move(reply);
            if (id) {
                m_ids.insert(task.get());
                ids.unlock();
            }
            enqueueLocked(std::move(task), nullptr);
            grow = markGrowthLocked();
            wakeLocked(1, wake);
        }
        announceSubmitted(id ? *id : QString(), level);
        if (grow)
            growIfAllowed();
        return true;
    }

    /// Up to `count` blank records from the spare list (one lock); nextRecord() allocates the rest.
    std::vector<TaskPtr> recordsFor(std::size_t count)
    {
        std::vector<TaskPtr> tasks;
        tasks.reserve(count);
        takeSpares(tasks, count);
        return tasks;
    }

    /// Moves blank records from the spare list into `records` (one lock) until it holds `count`
    /// or the list is empty.
    void takeSpares(std::vector<TaskPtr> &records, std::size_t count)
    {
        std::lock_guard lock(m_mutex);
        while (records.size() < count) {
            TaskPtr spare = takeSpareLocked();
            if (!spare)
                break;
            records.push_back(std::move(spare));
        }
    }

    static TaskPtr newRecord() { return std::allocate_shared<Task>(RecordAllocator<Task>()); }

    static Task *nextRecord(std::vector<TaskPtr> &tasks, std::size_t &filled)
    {
        if (filled == tasks.size())
            tasks.push_back(newRecord());
        return tasks[filled++].get();
    }

    /// Queues filled records round-robin over the workers' lanes under one lock, skipping ids
    /// that are pending or running.
    int enqueueBatch(std::vector<TaskPtr> tasks, int level)
    {
        refreshListeners();
        const bool announce = isListening(SignalKind::Submitted);
        std::vector<QString> announced; // ids to report, only if someone listens
        const auto named = static_cast<std::size_t>(std::count_if(
            tasks.begin(), tasks.end(), [](const TaskPtr &task) { return !task->id.isEmpty(); }));
        int accepted = 0;
        bool grow = false;
        {
            WakeList wake;
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return 0;
            drainInboxLocked();
            std::unique_lock ids(m_idMutex, std::defer_lock);
            if (named > 0) {
                ids.lock();
                m_ids.reserve(m_ids.size() + named); // one rehash per batch, not log2(n)
            }
            for (auto &task : tasks) {
                if (!task->id.isEmpty()) {
                    if (m_ids.find(task->id, task->idHash))
                        continue;
                    m_ids.insert(task.get());
                }
                Worker *lane = m_workers.empty()
                                   ? nullptr
                                   : m_workers[m_nextLane++ % m_workers.size()].get();
                if (announce)
                    announced.push_back(task->id);
                ++accepted;
                enqueueLocked(std::move(task), lane);
            }
            grow = markGrowthLocked();
            wakeLocked(accepted, wake);
        }
        for (const QString &id : announced)
            postSubmitted(id, level);
        if (grow)
            growIfAllowed();
        return accepted;
    }

    // ---- helpers that need m_mutex ---------------------------------------------------------

    Clock::time_point nowLocked() const { return m_config.clock ? m_config.clock() : Clock::now(); }

    void enqueueLocked(TaskPtr task, Worker *lane)
    {
        task->seq = m_nextSeq++;
        if (task->level == kBackgroundLevel)
            task->enqueuedAt = nowLocked();
        task->lane = lane;
        adjustQueuedLocked(task->level, 1);
        if (lane) {
            ++lane->queued;
            lane->lanes[static_cast<std::size_t>(task->level)].push_back(std::move(task));
        } else {
            m_global[static_cast<std::size_t>(task->level)].push_back(std::move(task));
        }
    }

    /// Moves the inbox's tasks to the global lanes, oldest first; every lock holder that queues
    /// or chooses work calls it first. Returns how many it moved.
    int drainInboxLocked()
    {
        // Reset the hint before reading the ring: a task published after this point lowers it
        // again (its submitter does so after publishing), so a waiting task stays covered.
        if (m_inboxTop.load(std::memory_order_relaxed) != kLevels)
            m_inboxTop.store(kLevels, std::memory_order_seq_cst);
        std::array<int, kLevels> added{};
        const int count = m_inbox.drain([&](TaskPtr task, int level) {
            // Only what enqueueLocked() would do for an id-less, non-BACKGROUND task, written
            // without reading the record (it is still in the submitter's cache).
            task->seq = m_nextSeq++;
            task->lane = nullptr;
            ++added[static_cast<std::size_t>(level)];
            m_global[static_cast<std::size_t>(level)].push_back(std::move(task));
        });
        if (count > 0) {
            for (int l = 0; l < kLevels; ++l)
                m_queued[static_cast<std::size_t>(l)] += added[static_cast<std::size_t>(l)];
            adjustQueuedLocked(0, 0); // totals and the hint, once per drain
            m_queuedTotal += count;
        }
        return count;
    }

    /// The "most urgent queued level" hint, inbox included; read without the lock.
    int topLevelHint() const
    {
        return std::min(m_topLevel.load(std::memory_order_relaxed),
                        m_inboxTop.load(std::memory_order_relaxed));
    }

    void forgetIdLocked(Task &task)
    {
        if (task.id.isEmpty()) // id-less tasks are never registered
            return;
        std::lock_guard ids(m_idMutex);
        forgetIdHeld(task);
    }

    /// forgetIdLocked() for a caller that holds m_idMutex (a worker booking a run of tasks takes
    /// it once for all of them).
    void forgetIdHeld(Task &task)
    {
        if (task.linkToThis) // registered and not yet forgotten
            m_ids.remove(&task);
    }

    static QString displayId(const Task &task)
    {
        return task.id.isEmpty() ? QStringLiteral("(no id)") : task.id;
    }

    TaskPtr takeSpareLocked()
    {
        if (m_spareTasks.empty())
            return {};
        TaskPtr task = std::move(m_spareTasks.back());
        m_spareTasks.pop_back();
        return task;
    }

    /// Wakes up to `count` sleeping workers, most recently idled first.
    void wakeLocked(int count, WakeList &wake)
    {
        while (count-- > 0 && !m_idle.empty()) {
            std::shared_ptr<Worker> worker = std::move(m_idle.back());
            m_idle.pop_back();
            m_idleCount.store(static_cast<int>(m_idle.size()), std::memory_order_relaxed);
            worker->woken = true;
            wake.add(std::move(worker));
        }
    }

    /// True (and reserves the growth attempt) when queued work outnumbers the workers that are
    /// idle or starting and the pool may still grow. Evaluated before waking anyone.
    bool markGrowthLocked()
    {
        const int available = static_cast<int>(m_idle.size()) + m_starting;
        if (m_stopping || m_growPending || static_cast<int>(m_workers.size()) >= m_maxWorkers
            || m_queuedTotal <= available)
            return false;
        m_growPending = true;
        return true;
    }

    bool spawnWorkerLocked()
    {
        auto worker = std::make_shared<Worker>(m_nextWorkerNumber++);
        try {
            // The new thread blocks on m_mutex (held here) until the worker is registered.
            worker->thread = std::thread([self = shared_from_this(), worker] { self->workerMain(worker); });
        } catch (const std::system_error &e) {
            m_lastError = QStringLiteral("could not start a worker thread: ")
                          + QString::fromLocal8Bit(e.what());
            qCWarning(lcPool).noquote() << m_lastError;
            return false;
        }
        m_workers.push_back(std::move(worker));
        m_workerCount.store(static_cast<int>(m_workers.size()), std::memory_order_seq_cst);
        ++m_starting;
        ++m_threadsAlive;
        return true;
    }

    static int effectiveLevel(const Task &task, Clock::time_point now,
                              std::chrono::milliseconds interval)
    {
        if (task.level != kBackgroundLevel || interval == std::chrono::milliseconds::max())
            return task.level;
        if (interval.count() <= 0)
            return kAgingCap;
        const auto waited = std::max(Clock::duration::zero(), now - task.enqueuedAt);
        const auto steps = std::min<long long>(waited / interval, kBackgroundLevel);
        return std::max(kAgingCap, kBackgroundLevel - static_cast<int>(steps));
    }

    LanePick pickAtLevelLocked(Worker *self, int level)
    {
        const auto l = static_cast<std::size_t>(level);
        if (!self->lanes[l].empty())
            return {&self->lanes[l], self, level};
        if (!m_global[l].empty())
            return {&m_global[l], nullptr, level};
        Worker *victim = nullptr;
        std::size_t longest = 0;
        for (auto &other : m_workers) {
            const std::size_t size = other->lanes[l].size();
            if (other.get() != self && size > longest) {
                longest = size;
                victim = other.get();
            }
        }
        Q_ASSERT(victim);
        return {&victim->lanes[l], victim, level};
    }

    LanePick oldestBackgroundLocked()
    {
        const auto l = static_cast<std::size_t>(kBackgroundLevel);
        LanePick best;
        auto consider = [&](std::deque<TaskPtr> &lane, Worker *owner) {
            if (!lane.empty() && (!best.lane || lane.front()->seq < best.lane->front()->seq))
                best = {&lane, owner, kBackgroundLevel};
        };
        consider(m_global[l], nullptr);
        for (auto &worker : m_workers)
            consider(worker->lanes[l], worker.get());
        Q_ASSERT(best.lane);
        return best;
    }

    /// Keeps the per-priority counts and the "highest queued priority" hint that a worker
    /// holding reserved tasks checks before starting each of them.
    void adjustQueuedLocked(int level, int delta)
    {
        m_queued[static_cast<std::size_t>(level)] += delta;
        m_queuedTotal += delta;
        int top = kLevels;
        for (int l = 0; l < kLevels; ++l) {
            if (m_queued[static_cast<std::size_t>(l)] > 0) {
                top = l;
                break;
            }
        }
        m_topLevel.store(top, std::memory_order_relaxed);
    }

    /// The lane whose front task runs next: the highest priority with work anywhere (BACKGROUND
    /// work competing at its aged level), then own lane, global lane, or the longest other lane.
    LanePick chooseLocked(Worker *self)
    {
        int level = 0;
        while (m_queued[static_cast<std::size_t>(level)] == 0)
            ++level;
        LanePick pick = pickAtLevelLocked(self, level);
        if (level < kBackgroundLevel && m_queued[static_cast<std::size_t>(kBackgroundLevel)] > 0) {
            const LanePick aged = oldestBackgroundLocked();
            const Task &candidate = *aged.lane->front();
            const int agedLevel = effectiveLevel(candidate, nowLocked(), m_config.agingInterval);
            if (agedLevel < level
                || (agedLevel == level && candidate.seq < pick.lane->front()->seq))
                pick = aged;
        }
        return pick;
    }

    void popIntoHandLocked(Worker *self, const LanePick &pick)
    {
        TaskPtr task = std::move(pick.lane->front());
        pick.lane->pop_front();
        Q_ASSERT(task->level == pick.level);
        // The lane says the level: reading it from the record would wait, lock held, for the
        // record's cache line to come over from the submitting core.
        adjustQueuedLocked(pick.level, -1);
        prefetchRecord(task.get());
        if (pick.owner) {
            --pick.owner->queued;
            if (pick.owner != self)
                ++m_stolen;
        }
        task->lane = nullptr;
        task->taken = true;
        ++m_inFlight;
        self->inHand.push_back(std::move(task));
    }

    /// Takes the next task into `self`'s hands, plus (for tiny tasks) a few more of the same
    /// priority from the same lane. Never more than one when stealing, and not while queued
    /// BACKGROUND work could age past the reserved ones.
    /// Returns how many tasks it first moved from the inbox to the lanes.
    int takeLocked(Worker *self)
    {
        const int drained = drainInboxLocked();
        if (m_queuedTotal == 0)
            return drained;
        const LanePick pick = chooseLocked(self);
        popIntoHandLocked(self, pick);
        if (self->prefetch <= 1 || (pick.owner && pick.owner != self))
            return drained;
        const int background = m_queued[static_cast<std::size_t>(kBackgroundLevel)];
        if (background != 0 && background != m_queuedTotal)
            return drained;
        std::size_t extra = pick.lane->size();
        if (!pick.owner) // the global lane is shared: leave the other workers their part
            extra /= m_workers.size();
        extra = std::min(extra, static_cast<std::size_t>(self->prefetch - 1));
        while (extra-- > 0)
            popIntoHandLocked(self, pick);
        return drained;
    }

    /// Puts reserved tasks that have not started back at the front of their lane, in order.
    void giveBackLocked(Worker *self)
    {
        while (!self->inHand.empty()) {
            TaskPtr task = std::move(self->inHand.back());
            self->inHand.pop_back();
            // Only a worker's own lane or the global lane is ever reserved from; which one is
            // not recorded, so the task goes to the worker's own lane (it is stealable there).
            task->taken = false;
            task->lane = self;
            --m_inFlight;
            ++self->queued;
            adjustQueuedLocked(task->level, 1);
            self->lanes[static_cast<std::size_t>(task->level)].push_front(std::move(task));
        }
    }

    TaskPtr removeQueuedLocked(Task &task)
    {
        auto &lane = task.lane ? task.lane->lanes[static_cast<std::size_t>(task.level)]
                               : m_global[static_cast<std::size_t>(task.level)];
        const auto it = std::find_if(lane.begin(), lane.end(),
                                     [&](const TaskPtr &queued) { return queued.get() == &task; });
        if (it == lane.end())
            return {}; // not in a lane yet (see cancel())
        TaskPtr removed = std::move(*it);
        lane.erase(it);
        if (task.lane)
            --task.lane->queued;
        task.lane = nullptr;
        adjustQueuedLocked(task.level, -1);
        forgetIdLocked(task);
        ++m_cancelled;
        notifyIfDoneLocked();
        return removed;
    }

    std::vector<TaskPtr> drainQueuesLocked()
    {
        drainInboxLocked();
        std::vector<TaskPtr> all;
        all.reserve(static_cast<std::size_t>(m_queuedTotal));
        auto take = [&](std::deque<TaskPtr> &lane) {
            for (TaskPtr &task : lane) {
                task->lane = nullptr;
                forgetIdLocked(*task);
                all.push_back(std::move(task));
            }
            lane.clear();
        };
        for (auto &lane : m_global)
            take(lane);
        for (auto &worker : m_workers) {
            for (auto &lane : worker->lanes)
                take(lane);
            worker->queued = 0;
        }
        // Report in submission order, whatever lane each task sat in.
        std::sort(all.begin(), all.end(),
                  [](const TaskPtr &a, const TaskPtr &b) { return a->seq < b->seq; });
        m_queued.fill(0);
        m_queuedTotal = 0;
        m_topLevel.store(kLevels, std::memory_order_relaxed);
        m_cancelled += static_cast<qint64>(all.size());
        notifyIfDoneLocked();
        return all;
    }

    int cancelRunningLocked()
    {
        int reached = 0;
        for (auto &worker : m_workers) {
            for (const TaskPtr &task : worker->inHand) {
                task->cancelled.store(true, std::memory_order_release);
                ++reached;
            }
        }
        return reached;
    }

    void notifyIfDoneLocked()
    {
        if (m_doneWaiters.load() > 0 && m_queuedTotal == 0 && m_inFlight == 0
            && m_pendingDeliveries.load() == 0 && !m_inbox.hasPublished())
            m_doneCv.notify_all();
    }

    DeliveryPlan planLocked(const Task &task, SignalKind kind)
    {
        DeliveryPlan plan;
        plan.signal = m_listening[static_cast<std::size_t>(kind)].load(std::memory_order_acquire);
        plan.any = plan.signal || static_cast<bool>(task.reply);
        if (plan.any)
            m_pendingDeliveries.fetch_add(1); // waitForDone() also waits for the post
        return plan;
    }

    DeliveryPlan planCancelledLocked(const Task &task)
    {
        return planLocked(task, SignalKind::Cancelled);
    }

    DeliveryPlan finishLocked(const TaskPtr &task, const RunResult &result,
                              std::unique_lock<PoolMutex> &ids)
    {
        // The id is free again before anyone hears about the end.
        if (!task->id.isEmpty()) {
            if (!ids.owns_lock())
                ids.lock();
            forgetIdHeld(*task);
        }
        --m_inFlight;
        ++m_ran;
        SignalKind kind = SignalKind::Completed;
        switch (result.state) {
        case TaskOutcome::State::Completed:
            ++m_completed;
            recordHealthLocked(false);
            break;
        case TaskOutcome::State::Failed:
            ++m_failed;
            recordHealthLocked(true);
            m_lastError = QStringLiteral("Task %1: %2").arg(displayId(*task), result.error);
            kind = SignalKind::Failed;
            break;
        case TaskOutcome::State::Cancelled:
            ++m_cancelled;
            kind = SignalKind::Cancelled;
            break;
        }
        const DeliveryPlan plan = planLocked(*task, kind);
        notifyIfDoneLocked();
        return plan;
    }

    void recordHealthLocked(bool failed)
    {
        auto &slot = m_healthRing[static_cast<std::size_t>(m_healthPos)];
        m_healthFailures += (failed ? 1 : 0) - slot;
        slot = failed ? 1 : 0;
        m_healthPos = (m_healthPos + 1) % m_healthWindow;
    }

    /// Removes `self` from the live workers; its lanes go to the global lanes (only non-empty
    /// when the maximum was lowered under load).
    int retireLocked(Worker *self, WakeList &wake)
    {
        if (!m_stopping)
            drainInboxLocked(); // maybe the last awake worker: what it leaves, others must see
        for (std::size_t level = 0; level < self->lanes.size(); ++level) {
            for (TaskPtr &task : self->lanes[level]) {
                task->lane = nullptr;
                m_global[level].push_back(std::move(task));
            }
            self->lanes[level].clear();
        }
        self->queued = 0;
        const auto it = std::find_if(m_workers.begin(), m_workers.end(),
                                     [&](const auto &worker) { return worker.get() == self; });
        Q_ASSERT(it != m_workers.end());
        m_retired.push_back(std::move(*it));
        m_workers.erase(it);
        m_workerCount.store(static_cast<int>(m_workers.size()), std::memory_order_seq_cst);
        --m_threadsAlive;
        m_exitCv.notify_all();
        if (m_queuedTotal > 0)
            wakeLocked(m_queuedTotal, wake);
        return static_cast<int>(m_workers.size());
    }

    // ---- helpers that must NOT hold m_mutex ------------------------------------------------

    void workerMain(const std::shared_ptr<Worker> &shared)
    {
        Worker *const self = shared.get();
        prepareWorkerThread(self->number);

        struct Finished {
            TaskPtr task;
            RunResult result;
            DeliveryPlan plan;
        };
        std::vector<RunResult> results;   // results[i] belongs to self->inHand[i]
        std::vector<Finished> finished;   // booked, to be delivered without the lock
        std::vector<TaskPtr> spares;      // cleared records for m_spareTasks
        Clock::duration ranFor{};
        bool timedOut = false;

        std::unique_lock lock(m_mutex);
        --m_starting;
        for (;;) {
            // Book what ran since the last visit: one lock per run of tasks, not per task.
            for (TaskPtr &spare : spares)
                if (m_spareTasks.size() < kSpareTaskLimit)
                    m_spareTasks.push_back(std::move(spare));
            m_runTime += ranFor;
            ranFor = {};
            {
                std::unique_lock<PoolMutex> ids(m_idMutex, std::defer_lock); // once per run
                for (RunResult &result : results) {
                    TaskPtr task = std::move(self->inHand.front());
                    self->inHand.pop_front();
                    const DeliveryPlan plan = finishLocked(task, result, ids);
                    finished.push_back({std::move(task), std::move(result), plan});
                }
            }
            results.clear();
            // Reserved tasks are not started while something more urgent waits.
            if (!self->inHand.empty() && topLevelHint() < self->inHand.front()->level)
                giveBackLocked(self);

            bool exit = false;
            int drained = 0; // inbox tasks this visit moved to the lanes
            while (self->inHand.empty()) {
                if (m_stopping || static_cast<int>(m_workers.size()) > m_maxWorkers) {
                    exit = true;
                    break;
                }
                drained += takeLocked(self);
                if (!self->inHand.empty() || !finished.empty()) // deliver before sleeping
                    break;
                if (timedOut && static_cast<int>(m_workers.size()) > m_minWorkers) {
                    exit = true;
                    break;
                }
                self->woken = false;
                m_idle.push_back(shared);
                m_idleCount.store(static_cast<int>(m_idle.size()), std::memory_order_seq_cst);
                // Pairs with submitToInbox(): a task pushed before this worker looked idle is
                // seen here; one pushed after sees the idle count and settles the inbox itself.
                if (m_inbox.hasPublished()) {
                    m_idle.pop_back();
                    m_idleCount.store(static_cast<int>(m_idle.size()), std::memory_order_relaxed);
                    continue;
                }
                lock.unlock();
                const bool released = self->wake.tryAcquireFor(m_config.idleTimeout);
                if (!released)
                    RecordArena::instance().trim(); // quiet for a while: return a burst's memory
                lock.lock();
                if (self->woken) {
                    // Popped by a waker. If its release() has not landed yet, the stale permit
                    // only causes one spurious wake-up later, caught by this same check.
                    timedOut = false;
                } else {
                    // Timed out, or consumed a stale permit: still on the idle stack.
                    m_idle.erase(std::find(m_idle.begin(), m_idle.end(), shared));
                    m_idleCount.store(static_cast<int>(m_idle.size()), std::memory_order_relaxed);
                    timedOut = !released;
                }
            }
            if (!self->inHand.empty())
                timedOut = false;

            int resized = -1;
            WakeList wake;
            bool grow = false;
            if (drained > 0 && m_queuedTotal > 0 && !m_stopping) {
                // Fast submits queue without waking anyone while all workers are busy; the
                // worker that brings them in wakes (or grows) for what it leaves behind.
                grow = markGrowthLocked();
                wakeLocked(m_queuedTotal, wake);
            }
            if (exit) {
                const bool shrinking = !m_stopping;
                const int workers = retireLocked(self, wake);
                if (shrinking)
                    resized = workers;
            }
            const std::size_t reserved = self->inHand.size();
            lock.unlock();
            wake.releaseAll();
            if (grow)
                growIfAllowed();
            spares.clear(); // records the spare list had no room for are freed without the lock

            for (Finished &f : finished) {
                deliver(*f.task, std::move(f.result), f.plan);
                // use_count() == 1 means no CancellationToken copy outlived the task: no other
                // thread can reach the record any more, so it may be reused. (A token only ever
                // touched the atomic flag, so even a copy released a moment ago cannot race.)
                if (f.task.use_count() == 1) {
                    f.task->clear();
                    spares.push_back(std::move(f.task));
                }
            }
            finished.clear();
            if (resized >= 0) {
                qCDebug(lcPool) << "worker" << self->number << "exited after idling; workers:"
                                << resized;
                postResized(resized);
            }
            if (exit)
                return;

            const auto started = Clock::now();
            for (std::size_t i = 0; i < reserved; ++i) {
                const TaskPtr &task = self->inHand[i];
                if (i > 0 && topLevelHint() < task->level)
                    break; // something more urgent was queued: back to the lock
                results.push_back(execute(task));
                if (needsDelivery(*task))
                    break; // book and deliver it now rather than after the whole run
            }
            ranFor = Clock::now() - started;
            if (!results.empty()) {
                const auto average = ranFor / static_cast<long>(results.size());
                self->prefetch = average < kTinyTask ? std::min(kMaxPrefetch, self->prefetch * 2) : 1;
            }
            refreshListeners();
            lock.lock();
        }
    }

    bool needsDelivery(const Task &task) const
    {
        return task.reply || isListening(SignalKind::Completed)
               || isListening(SignalKind::Failed) || isListening(SignalKind::Cancelled);
    }

    /// Starts fetching a record (with its shared_ptr counts just before it) that another core
    /// wrote last, for writing: a worker about to run it, or a submitter about to fill it, has
    /// other work to do first, so the cache misses overlap with that work.
    static void prefetchRecord(const Task *task)
    {
#if defined(__GNUC__)
        const char *const begin = reinterpret_cast<const char *>(task) - 16;
        for (std::size_t offset = 0; offset < sizeof(Task) + 16; offset += 64)
            __builtin_prefetch(begin + offset, 1);
#else
        Q_UNUSED(task)
#endif
    }

    static RunResult execute(const TaskPtr &task)
    {
        RunResult result;
        // Reserved but cancelled before it started (cancel(), cancelAll(), shutdown): it never
        // runs, like a task removed from the queue.
        if (!task->cancelled.load(std::memory_order_acquire)) {
            // The token shares the task's flag (aliasing shared_ptr): no extra allocation.
            const CancellationToken token(
                std::shared_ptr<std::atomic<bool>>(task, &task->cancelled));
            try {
                result.value = task->fn(token);
            } catch (...) {
                result.state = TaskOutcome::State::Failed;
                result.error = describeException(std::current_exception());
            }
        }
        // A task whose token was cancelled before it returned ends Cancelled, whatever it
        // returned or threw: the caller asked for it to stop and must not act on its result.
        if (task->cancelled.load(std::memory_order_acquire)) {
            result.state = TaskOutcome::State::Cancelled;
            result.value.clear();
            result.error.clear();
        }
        task->fn = nullptr; // release the captures now, not when the last token copy dies
        return result;
    }

    void deliver(Task &task, RunResult result, DeliveryPlan plan)
    {
        if (result.state == TaskOutcome::State::Failed)
            qCWarning(lcPool).noquote() << "task" << displayId(task) << "failed:" << result.error;
        if (!plan.any)
            return;
        TaskOutcome outcome{task.id, result.state, std::move(result.value), std::move(result.error)};
        if (plan.signal) {
            Delivery emission;
            switch (outcome.state) {
            case TaskOutcome::State::Completed:
                emission.kind = Delivery::Kind::Completed;
                break;
            case TaskOutcome::State::Failed:
                emission.kind = Delivery::Kind::Failed;
                break;
            case TaskOutcome::State::Cancelled:
                emission.kind = Delivery::Kind::Cancelled;
                break;
            }
            emission.outcome = outcome;
            m_owner->post(std::move(emission));
        }
        if (task.reply) {
            Delivery callback;
            callback.kind = Delivery::Kind::Callback;
            callback.outcome = std::move(outcome);
            callback.callback = task.reply->callback;
            const std::shared_ptr<Mailbox> &mailbox = task.reply->mailbox;
            (mailbox ? mailbox : m_owner)->post(std::move(callback));
        }
        if (m_pendingDeliveries.fetch_sub(1) == 1 && m_doneWaiters.load() > 0) {
            std::lock_guard lock(m_mutex);
            notifyIfDoneLocked();
        }
    }

    bool isListening(SignalKind kind) const
    {
        return m_listening[static_cast<std::size_t>(kind)].load(std::memory_order_acquire);
    }

    void announceSubmitted(const QString &id, int level)
    {
        refreshListeners();
        if (isListening(SignalKind::Submitted))
            postSubmitted(id, level);
    }

    void postSubmitted(const QString &id, int level)
    {
        Delivery delivery;
        delivery.kind = Delivery::Kind::Submitted;
        delivery.outcome.id = id;
        delivery.value = level;
        m_owner->post(std::move(delivery));
    }

    void postResized(int workers)
    {
        Delivery delivery;
        delivery.kind = Delivery::Kind::Resized;
        delivery.value = workers;
        m_owner->post(std::move(delivery));
    }

    /// Re-reads which signals have receivers after a connect/disconnect. Runs under the owner
    /// mailbox's mutex so the QObject cannot be destroyed meanwhile.
    void refreshListeners()
    {
        if (!m_listenersDirty.load(std::memory_order_acquire))
            return;
        m_owner->withTarget([this](QObject *target) {
            if (!m_listenersDirty.exchange(false))
                return;
            const auto *pool = static_cast<const ThreadPoolManager *>(target);
            const auto &methods = signalMethods();
            for (std::size_t i = 0; i < methods.size(); ++i)
                m_listening[i].store(pool->isSignalConnected(methods[i]),
                                     std::memory_order_release);
        });
    }

    void growIfAllowed()
    {
        reapRetired();
        const SystemResources::Snapshot snap = m_resources.snapshot(); // never under m_mutex
        const bool memoryOk = snap.memoryAvailableBytes < 0
                              || snap.memoryAvailableBytes >= m_config.minAvailableMemoryBytes;
        const double load = snap.loadPerCore();
        const bool loadOk = load < 0.0 || load <= m_config.maxLoadPerCore;
        int resized = -1;
        {
            std::lock_guard lock(m_mutex);
            m_growPending = false;
            const int available = static_cast<int>(m_idle.size()) + m_starting;
            const bool stillWanted = !m_stopping
                                     && static_cast<int>(m_workers.size()) < m_maxWorkers
                                     && m_queuedTotal > available;
            if (!stillWanted)
                return;
            if (!memoryOk || !loadOk) {
                ++m_growthRefusals;
                qCDebug(lcPool) << "not growing: memory available" << snap.memoryAvailableBytes
                                << "load per core" << load;
                return;
            }
            if (spawnWorkerLocked())
                resized = static_cast<int>(m_workers.size());
        }
        if (resized >= 0) {
            qCDebug(lcPool) << "grew to" << resized << "workers";
            postResized(resized);
        }
    }

    /// Joins workers that exited after idling (their threads end right after retiring).
    void reapRetired()
    {
        std::vector<std::shared_ptr<Worker>> finished;
        {
            std::lock_guard lock(m_mutex);
            if (m_retired.empty() || m_stopping)
                return;
            finished.swap(m_retired);
        }
        for (auto &worker : finished)
            if (worker->thread.joinable())
                worker->thread.join();
    }

    std::shared_ptr<Mailbox> mailboxFor(QObject *context)
    {
        if (!context || context == m_ownerObject)
            return nullptr;
        std::shared_ptr<Mailbox> mailbox;
        {
            std::lock_guard lock(m_contextMutex);
            auto &slot = m_contexts[context];
            if (slot)
                return slot;
            slot = std::make_shared<Mailbox>(context);
            mailbox = slot;
        }
        // One connection per context, not per task. `destroyed` is emitted on the context's
        // thread before ~QObject discards its posted events, and close() waits for a post in
        // progress, so no callback is posted to a dead object.
        QObject::connect(
            context, &QObject::destroyed, context,
            [weak = weak_from_this(), mailbox, context] {
                mailbox->close();
                if (const auto core = weak.lock())
                    core->forgetContext(context, mailbox);
            },
            Qt::DirectConnection);
        return mailbox;
    }

    void forgetContext(QObject *context, const std::shared_ptr<Mailbox> &mailbox)
    {
        std::lock_guard lock(m_contextMutex);
        const auto it = m_contexts.find(context);
        if (it != m_contexts.end() && it->second == mailbox)
            m_contexts.erase(it);
    }

    const PoolConfig m_config;
    SystemResources m_resources;
    const std::shared_ptr<Mailbox> m_owner;
    const QObject *const m_ownerObject; ///< compared only, never dereferenced off its thread

    std::array<std::atomic<bool>, kSignalKinds> m_listening;
    std::atomic<bool> m_listenersDirty{true};
    std::atomic<int> m_pendingDeliveries{0};
    std::atomic<int> m_doneWaiters{0};

    mutable PoolMutex m_mutex;
    std::array<std::deque<TaskPtr>, kLevels> m_global;
    std::array<int, kLevels> m_queued{};
    std::atomic<int> m_topLevel{kLevels}; ///< highest queued priority index; kLevels if none
    // The inbox of id-less submits (see "Inbox" in the design note): producers push with one
    // CAS, a holder of m_mutex takes the whole list. On its own cache line, so a stream of
    // submits moves only this line between the submitter and the workers.
    Inbox m_inbox;
    alignas(64) std::atomic<int> m_inboxTop{kLevels}; ///< lowest level pushed since a drain
    // Read by every fast submit, written rarely (under m_mutex): mirrors of locked state.
    alignas(64) std::atomic<int> m_idleCount{0};   ///< m_idle.size()
    std::atomic<int> m_workerCount{0};             ///< m_workers.size()
    std::atomic<int> m_maxWorkerCount{1};          ///< m_maxWorkers
    std::atomic<bool> m_stoppingFlag{false};       ///< m_stopping
    int m_queuedTotal = 0;
    /// Guards m_ids and the records' table links. Taken alone by a fast named submit (its
    /// duplicate check must not wait for the pool lock), else only inside m_mutex: the lock
    /// order is m_mutex, then m_idMutex.
    PoolMutex m_idMutex;
    IdTable m_ids; ///< pending or running (also between registration and the inbox); finished ids are forgotten
    std::vector<TaskPtr> m_spareTasks;
    std::vector<std::shared_ptr<Worker>> m_workers;
    std::vector<std::shared_ptr<Worker>> m_retired;
    std::vector<std::shared_ptr<Worker>> m_idle; ///< asleep and not yet woken, most recent last
    std::size_t m_nextLane = 0;
    quint64 m_nextSeq = 0;
    int m_nextWorkerNumber = 1;
    int m_minWorkers = 1;
    int m_maxWorkers = 1;
    int m_starting = 0;
    int m_inFlight = 0; ///< taken from the lanes, not yet finished (reserved or running)
    int m_threadsAlive = 0;
    bool m_growPending = false;
    bool m_stopping = false;
    bool m_shutdownDone = false;
    Status m_shutdownStatus;
    qint64 m_completed = 0;
    qint64 m_failed = 0;
    qint64 m_cancelled = 0;
    qint64 m_stolen = 0;
    qint64 m_ran = 0;
    qint64 m_growthRefusals = 0;
    Clock::duration m_runTime{};
    int m_healthWindow = 20;
    std::vector<int> m_healthRing;
    int m_healthPos = 0;
    int m_healthFailures = 0;
    QString m_lastError;
    std::condition_variable_any m_doneCv;
    std::condition_variable_any m_exitCv;

    std::mutex m_contextMutex;
    std::unordered_map<QObject *, std::shared_ptr<Mailbox>> m_contexts;
};

} // namespace detail

// ---- plain types ---------------------------------------------------------------------------

int PoolStats::queued() const
{
    int total = 0;
    for (const int count : queuedPerPriority)
        total += count;
    return total;
}

QVariantMap PoolStats::toVariantMap() const
{
    QVariantMap perPriority;
    for (int i = 0; i < kTaskPriorityCount; ++i)
        perPriority.insert(priorityName(priorityFromIndex(i)),
                           queuedPerPriority[static_cast<std::size_t>(i)]);
    return {
        {QStringLiteral("workers"), workers},
        {QStringLiteral("busyWorkers"), busyWorkers},
        {QStringLiteral("maxWorkers"), maxWorkers},
        {QStringLiteral("minWorkers"), minWorkers},
        {QStringLiteral("queued"), queued()},
        {QStringLiteral("queuedPerPriority"), perPriority},
        {QStringLiteral("completed"), completed},
        {QStringLiteral("failed"), failed},
        {QStringLiteral("cancelled"), cancelled},
        {QStringLiteral("stolen"), stolen},
        {QStringLiteral("growthRefusals"), growthRefusals},
        {QStringLiteral("taskMemoryBytes"), taskMemoryBytes},
        {QStringLiteral("totalRunSeconds"), totalRunSeconds},
        {QStringLiteral("averageRunSeconds"), averageRunSeconds},
        {QStringLiteral("memoryAvailableBytes"), memoryAvailableBytes},
        {QStringLiteral("cpuLoad"), cpuLoad},
    };
}

QVariantMap PoolHealth::toVariantMap() const
{
    return {
        {QStringLiteral("healthy"), healthy},
        {QStringLiteral("workers"), workers},
        {QStringLiteral("queued"), queued},
        {QStringLiteral("processed"), processed},
        {QStringLiteral("failed"), failed},
        {QStringLiteral("lastError"), lastError},
    };
}

// ---- ThreadPoolManager ---------------------------------------------------------------------

ThreadPoolManager::ThreadPoolManager(PoolConfig config, QObject *parent)
    : QObject(parent), m_core(std::make_shared<detail::PoolCore>(std::move(config), this))
{
    m_core->start();
}

ThreadPoolManager::~ThreadPoolManager()
{
    const bool ranShutdown = m_core->shutdownCompleted();
    Q_ASSERT_X(ranShutdown, "ThreadPoolManager",
               "shutdownNow() must run before the pool is destroyed");
    if (!ranShutdown) {
        // Release builds: never leave joinable threads behind (std::terminate).
        qCCritical(lcPool) << "destroyed without shutdownNow(); stopping now";
        (void)m_core->shutdown(std::chrono::milliseconds(0), true);
    }
    m_core->closeOwner();
}

bool ThreadPoolManager::submit(const QString &id, TaskFunction fn, TaskPriority priority,
                               QObject *context, std::function<void(const TaskOutcome &)> callback)
{
    return m_core->submit(id, std::move(fn), priority, context, std::move(callback));
}

bool ThreadPoolManager::submit(TaskFunction fn, TaskPriority priority)
{
    return m_core->submitAnonymous(std::move(fn), priority);
}

int ThreadPoolManager::submitBatch(std::vector<TaskFunction> fns, TaskPriority priority)
{
    return m_core->submitAnonymousBatch(std::move(fns), priority);
}

int ThreadPoolManager::submitBatch(std::vector<BatchItem> items, TaskPriority priority,
                                   QObject *context,
                                   std::function<void(const TaskOutcome &)> callback)
{
    return m_core->submitBatch(std::move(items), priority, context, std::move(callback));
}

bool ThreadPoolManager::cancel(const QString &id)
{
    return m_core->cancel(id);
}

int ThreadPoolManager::cancelAll()
{
    return m_core->cancelAll();
}

bool ThreadPoolManager::waitForDone(QDeadlineTimer deadline)
{
    return m_core->waitForDone(deadline);
}

PoolStats ThreadPoolManager::stats() const
{
    return m_core->stats();
}

PoolHealth ThreadPoolManager::healthCheck() const
{
    return m_core->healthCheck();
}

QString ThreadPoolManager::lastError() const
{
    return m_core->lastError();
}

void ThreadPoolManager::setWorkerLimits(int minWorkers, int maxWorkers)
{
    m_core->setWorkerLimits(minWorkers, maxWorkers);
}

bool ThreadPoolManager::isShutDown() const
{
    return m_core->isShutDown();
}

QString ThreadPoolManager::participantName() const
{
    return QStringLiteral("ThreadPoolManager");
}

QVariantMap ThreadPoolManager::shutdownHealth() const
{
    QVariantMap health = healthCheck().toVariantMap();
    health.insert(QStringLiteral("stats"), stats().toVariantMap());
    return health;
}

Status ThreadPoolManager::shutdownNow(std::chrono::milliseconds budget, bool emergency)
{
    return m_core->shutdown(budget, emergency);
}

void ThreadPoolManager::connectNotify(const QMetaMethod &method)
{
    m_core->signalConnected(method);
}

void ThreadPoolManager::disconnectNotify(const QMetaMethod &method)
{
    Q_UNUSED(method)
    m_core->signalDisconnected();
}

} // namespace oncutf::core::concurrency
