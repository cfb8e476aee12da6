#include "core/concurrency/timermanager.h"

#include "core/logging.h"

#include <QMetaObject>
#include <QTimerEvent>

#include <algorithm>
#include <exception>

namespace oncutf::core::concurrency {

QString timerTypeName(TimerType type)
{
    switch (type) {
    case TimerType::UiUpdate:
        return QStringLiteral("ui_update");
    case TimerType::DragCleanup:
        return QStringLiteral("drag_cleanup");
    case TimerType::SelectionUpdate:
        return QStringLiteral("selection_update");
    case TimerType::MetadataLoad:
        return QStringLiteral("metadata_load");
    case TimerType::ScrollAdjust:
        return QStringLiteral("scroll_adjust");
    case TimerType::ResizeAdjust:
        return QStringLiteral("resize_adjust");
    case TimerType::PreviewUpdate:
        return QStringLiteral("preview_update");
    case TimerType::StatusUpdate:
        return QStringLiteral("status_update");
    case TimerType::Generic:
        return QStringLiteral("generic");
    }
    return QStringLiteral("unknown");
}

// Locks m_mutex and records the owner so that the *Locked helpers can assert it.
class TimerManager::Locker {
public:
    explicit Locker(const TimerManager &manager) : m_manager(manager), m_lock(manager.m_mutex)
    {
        m_manager.m_lockOwner.store(std::this_thread::get_id(), std::memory_order_relaxed);
    }
    ~Locker() { m_manager.m_lockOwner.store(std::thread::id{}, std::memory_order_relaxed); }
    Q_DISABLE_COPY_MOVE(Locker)

private:
    const TimerManager &m_manager;
    std::lock_guard<std::mutex> m_lock;
};

namespace {

QString describeException(const std::exception &ex)
{
    const QString what = QString::fromLocal8Bit(ex.what());
    return what.isEmpty() ? QStringLiteral("exception without a message") : what;
}

} // namespace

TimerManager::TimerManager(QObject *parent)
    : QObject(parent), m_ownerThread(std::this_thread::get_id())
{
    m_recentOutcomes.reserve(kHealthWindow);
}

TimerManager::~TimerManager()
{
    Locker lock(*this);
    Q_ASSERT_X(m_timers.isEmpty(), "TimerManager::~TimerManager",
               "timers still pending: call cleanupAll() or shut the manager down first");
}

bool TimerManager::isOwnerThread() const
{
    return std::this_thread::get_id() == m_ownerThread;
}

void TimerManager::assertLocked() const
{
    Q_ASSERT_X(m_lockOwner.load(std::memory_order_relaxed) == std::this_thread::get_id(),
               "TimerManager", "helper called without holding m_mutex");
}

int TimerManager::effectiveDelayLocked(int delayMs, TimerPriority priority) const
{
    assertLocked();
    if (m_delayOverride)
        return *m_delayOverride;
    return delayMs < 0 ? defaultDelayMs(priority) : delayMs;
}

QString TimerManager::generateIdLocked(TimerType type)
{
    assertLocked();
    const QString prefix = timerTypeName(type) + QLatin1Char('_');
    QString id;
    do {
        id = prefix + QString::number(++m_idCounter);
    } while (m_timers.contains(id));
    return id;
}

QString TimerManager::mergeIndexKey(TimerType type, const QString &mergeKey)
{
    // The unit separator cannot clash with a type name.
    return timerTypeName(type) + QChar(0x1f) + mergeKey;
}

QHash<QString, TimerManager::Entry>::iterator TimerManager::eraseEntryLocked(QHash<QString, Entry>::iterator it)
{
    assertLocked();
    if (it->mergeKey)
        m_idByMergeKey.remove(mergeIndexKey(it->type, *it->mergeKey));
    if (it->qtTimerId != 0) {
        m_idByQtTimer.remove(it->qtTimerId);
        // Qt timers can only be killed by their own thread; an orphan stays registered (its id
        // is not recycled) until the owner thread kills it, and a fire in between is ignored.
        if (isOwnerThread())
            killTimer(it->qtTimerId);
        else
            m_orphanQtTimers.push_back(it->qtTimerId);
    }
    return m_timers.erase(it);
}

bool TimerManager::needsReapPostLocked()
{
    assertLocked();
    if (isOwnerThread() || m_orphanQtTimers.empty() || m_reapPosted)
        return false;
    m_reapPosted = true;
    return true;
}

void TimerManager::reapOrphansLocked()
{
    assertLocked();
    Q_ASSERT(isOwnerThread());
    for (const int qtId : m_orphanQtTimers)
        killTimer(qtId);
    m_orphanQtTimers.clear();
}

bool TimerManager::armLocked(const QString &id, std::uint64_t generation)
{
    assertLocked();
    Q_ASSERT(isOwnerThread());
    const auto it = m_timers.find(id);
    if (it == m_timers.end() || it->generation != generation || it->qtTimerId != 0)
        return false;

    // An off-thread schedule is armed a little later: only what is left of its delay counts.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(it->deadline - Clock::now());
    const int remainingMs = static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
    // Precise: a coarse timer may fire up to 5% early, and a debounce must never run before
    // the quiet period it was given. Coarse timers only save wake-ups for repeating timers.
    const int qtId = startTimer(remainingMs, Qt::PreciseTimer);
    if (qtId == 0) {
        // Only possible without an event dispatcher; the timer could never fire, so drop it
        // rather than report it as pending forever.
        qCWarning(lcTimers) << "cannot start a Qt timer for" << id << "(no event loop on this thread)";
        eraseEntryLocked(it);
        return false;
    }
    it->qtTimerId = qtId;
    m_idByQtTimer.insert(qtId, id);
    return true;
}

void TimerManager::postToOwner(std::function<void()> call)
{
    QMetaObject::invokeMethod(this, std::move(call), Qt::QueuedConnection);
}

QString TimerManager::schedule(std::function<void()> callback, int delayMs, TimerPriority priority,
                               TimerType type, const QString &id)
{
    return scheduleImpl(Mode::Replace, id, {}, std::move(callback), delayMs, priority, type);
}

QString TimerManager::scheduleMerged(const QString &mergeKey, std::function<void()> callback,
                                     int delayMs, TimerPriority priority, TimerType type)
{
    return scheduleImpl(Mode::Merge, {}, mergeKey, std::move(callback), delayMs, priority, type);
}

QString TimerManager::scheduleImpl(Mode mode, const QString &requestedId, const QString &mergeKey,
                                   std::function<void()> callback, int delayMs,
                                   TimerPriority priority, TimerType type)
{
    if (!callback) {
        qCWarning(lcTimers) << "refusing to schedule an empty callback";
        return {};
    }
    const bool onOwner = isOwnerThread();
    QString id;
    int delay = 0;
    std::uint64_t generation = 0;
    bool armed = false;
    bool postReap = false;
    {
        Locker lock(*this);
        if (!m_accepting) {
            qCWarning(lcTimers) << "timer manager is shut down; not scheduling"
                                << (requestedId.isEmpty() ? timerTypeName(type) : requestedId);
            return {};
        }
        ++m_totalScheduled;

        if (mode == Mode::Merge) {
            const auto merged = m_idByMergeKey.constFind(mergeIndexKey(type, mergeKey));
            if (merged != m_idByMergeKey.cend()) {
                const auto it = m_timers.find(*merged);
                Q_ASSERT(it != m_timers.end());
                it->callbacks.push_back(std::move(callback));
                ++m_merged;
                return it.key();
            }
        }

        delay = effectiveDelayLocked(delayMs, priority);
        id = (mode == Mode::Replace && !requestedId.isEmpty()) ? requestedId : generateIdLocked(type);
        if (const auto existing = m_timers.find(id); existing != m_timers.end()) {
            eraseEntryLocked(existing);
            ++m_restarted;
        }

        Entry entry;
        entry.type = type;
        entry.delayMs = delay;
        entry.deadline = Clock::now() + std::chrono::milliseconds(delay);
        entry.callbacks.push_back(std::move(callback));
        if (mode == Mode::Merge) {
            entry.mergeKey = mergeKey;
            m_idByMergeKey.insert(mergeIndexKey(type, mergeKey), id);
        }
        entry.generation = m_nextGeneration++;
        generation = entry.generation;
        m_timers.insert(id, std::move(entry));

        if (onOwner) {
            reapOrphansLocked();
            armed = armLocked(id, generation);
        } else {
            postReap = needsReapPostLocked();
        }
    }

    if (armed)
        Q_EMIT timerStarted(id, delay);
    if (!onOwner)
        postToOwner([this, request = ArmRequest{id, generation}] { onArmRequested(request); });
    if (postReap)
        postToOwner([this] { onReapRequested(); });
    return id;
}

void TimerManager::onArmRequested(const ArmRequest &request)
{
    int delay = 0;
    bool armed = false;
    {
        Locker lock(*this);
        reapOrphansLocked();
        armed = armLocked(request.id, request.generation);
        if (armed)
            delay = m_timers.constFind(request.id)->delayMs;
    }
    if (armed)
        Q_EMIT timerStarted(request.id, delay);
}

void TimerManager::onReapRequested()
{
    Locker lock(*this);
    m_reapPosted = false;
    reapOrphansLocked();
}

bool TimerManager::cancel(const QString &id)
{
    bool postReap = false;
    {
        Locker lock(*this);
        const auto it = m_timers.find(id);
        if (it == m_timers.end())
            return false;
        eraseEntryLocked(it);
        ++m_cancelled;
        postReap = needsReapPostLocked();
    }
    if (postReap)
        postToOwner([this] { onReapRequested(); });
    return true;
}

int TimerManager::cancelByType(TimerType type)
{
    int count = 0;
    bool postReap = false;
    {
        Locker lock(*this);
        for (auto it = m_timers.begin(); it != m_timers.end();) {
            if (it->type == type) {
                it = eraseEntryLocked(it);
                ++count;
            } else {
                ++it;
            }
        }
        m_cancelled += static_cast<std::uint64_t>(count);
        postReap = needsReapPostLocked();
    }
    if (postReap)
        postToOwner([this] { onReapRequested(); });
    return count;
}

int TimerManager::cleanupAll()
{
    int count = 0;
    bool postReap = false;
    {
        Locker lock(*this);
        count = static_cast<int>(m_timers.size());
        for (auto it = m_timers.begin(); it != m_timers.end();)
            it = eraseEntryLocked(it);
        m_cancelled += static_cast<std::uint64_t>(count);
        postReap = needsReapPostLocked();
    }
    if (postReap)
        postToOwner([this] { onReapRequested(); });
    if (count > 0)
        qCDebug(lcTimers) << "cleanupAll dropped" << count << "pending timers";
    return count;
}

bool TimerManager::isActive(const QString &id) const
{
    Locker lock(*this);
    return m_timers.contains(id);
}

int TimerManager::activeCount() const
{
    Locker lock(*this);
    return static_cast<int>(m_timers.size());
}

void TimerManager::setDelayOverride(std::optional<int> ms)
{
    Locker lock(*this);
    m_delayOverride = ms ? std::optional<int>(std::max(0, *ms)) : std::nullopt;
}

void TimerManager::recordOutcomeLocked(bool failed)
{
    assertLocked();
    if (m_recentOutcomes.size() < static_cast<std::size_t>(kHealthWindow)) {
        m_recentOutcomes.push_back(failed);
    } else {
        if (m_recentOutcomes[m_recentPos])
            --m_recentFailures;
        m_recentOutcomes[m_recentPos] = failed;
        m_recentPos = (m_recentPos + 1) % m_recentOutcomes.size();
    }
    if (failed)
        ++m_recentFailures;
}

void TimerManager::timerEvent(QTimerEvent *event)
{
    Q_ASSERT(isOwnerThread());
    const int qtId = event->timerId();
    QString id;
    std::vector<std::function<void()>> callbacks;
    {
        Locker lock(*this);
        // Every timer is single-shot. Killing it here, with the lock held, keeps the
        // "killed exactly once" rule: an orphan is taken off the reap list first.
        const auto orphan = std::find(m_orphanQtTimers.begin(), m_orphanQtTimers.end(), qtId);
        if (orphan != m_orphanQtTimers.end())
            m_orphanQtTimers.erase(orphan);
        killTimer(qtId);

        const auto byQt = m_idByQtTimer.constFind(qtId);
        if (byQt == m_idByQtTimer.cend())
            return; // cancelled or replaced from another thread before it could be killed
        id = *byQt;
        const auto it = m_timers.find(id);
        Q_ASSERT(it != m_timers.end() && it->qtTimerId == qtId);
        // Bookkeeping goes first so that a callback may schedule its own id again.
        callbacks = std::move(it->callbacks);
        it->qtTimerId = 0;
        m_idByQtTimer.erase(byQt);
        eraseEntryLocked(it);
    }

    for (auto &callback : callbacks) {
        QString error;
        try {
            callback();
        } catch (const std::exception &ex) {
            error = describeException(ex);
        } catch (...) {
            error = QStringLiteral("unknown exception");
        }
        {
            Locker lock(*this);
            recordOutcomeLocked(!error.isEmpty());
            if (error.isEmpty()) {
                ++m_completed;
            } else {
                ++m_failedCallbacks;
                m_lastError = id + QStringLiteral(": ") + error;
            }
        }
        if (!error.isEmpty()) {
            qCWarning(lcTimers) << "timer callback" << id << "failed:" << error;
            Q_EMIT callbackFailed(id, error);
        }
    }
    Q_EMIT timerFinished(id);
}

QVariantMap TimerManager::stats() const
{
    Locker lock(*this);
    QVariantMap pendingByType;
    for (const Entry &entry : m_timers) {
        const QString name = timerTypeName(entry.type);
        pendingByType.insert(name, pendingByType.value(name).toInt() + 1);
    }
    return {
        {QStringLiteral("active_timers"), static_cast<int>(m_timers.size())},
        {QStringLiteral("total_scheduled"), QVariant::fromValue<qulonglong>(m_totalScheduled)},
        {QStringLiteral("restarted"), QVariant::fromValue<qulonglong>(m_restarted)},
        {QStringLiteral("merged"), QVariant::fromValue<qulonglong>(m_merged)},
        {QStringLiteral("completed"), QVariant::fromValue<qulonglong>(m_completed)},
        {QStringLiteral("failed_callbacks"), QVariant::fromValue<qulonglong>(m_failedCallbacks)},
        {QStringLiteral("cancelled"), QVariant::fromValue<qulonglong>(m_cancelled)},
        {QStringLiteral("pending_by_type"), pendingByType},
        {QStringLiteral("accepting"), m_accepting},
    };
}

QVariantMap TimerManager::healthCheck() const
{
    Locker lock(*this);
    return {
        {QStringLiteral("healthy"), m_recentFailures < kUnhealthyFailures},
        {QStringLiteral("active_timers"), static_cast<int>(m_timers.size())},
        {QStringLiteral("total_scheduled"), QVariant::fromValue<qulonglong>(m_totalScheduled)},
        {QStringLiteral("completed"), QVariant::fromValue<qulonglong>(m_completed)},
        {QStringLiteral("failed_callbacks"), QVariant::fromValue<qulonglong>(m_failedCallbacks)},
        {QStringLiteral("recent_failures"), m_recentFailures},
        {QStringLiteral("last_error"), m_lastError},
    };
}

QString TimerManager::scheduleUiUpdate(std::function<void()> callback, const QString &id)
{
    return schedule(std::move(callback), 15, TimerPriority::Normal, TimerType::UiUpdate, id);
}

QString TimerManager::scheduleDragCleanup(std::function<void()> callback, const QString &id)
{
    return schedule(std::move(callback), 50, TimerPriority::Low, TimerType::DragCleanup, id);
}

QString TimerManager::scheduleSelectionUpdate(std::function<void()> callback, const QString &id)
{
    return schedule(std::move(callback), 15, TimerPriority::Normal, TimerType::SelectionUpdate, id);
}

QString TimerManager::scheduleMetadataLoad(std::function<void()> callback, const QString &id)
{
    return schedule(std::move(callback), 100, TimerPriority::Background, TimerType::MetadataLoad, id);
}

QString TimerManager::scheduleScrollAdjust(std::function<void()> callback, const QString &id)
{
    return schedule(std::move(callback), 10, TimerPriority::High, TimerType::ScrollAdjust, id);
}

QString TimerManager::schedulePreviewUpdate(std::function<void()> callback, const QString &id)
{
    return schedule(std::move(callback), 300, TimerPriority::Normal, TimerType::PreviewUpdate, id);
}

QString TimerManager::scheduleResizeAdjust(std::function<void()> callback, const QString &id)
{
    return schedule(std::move(callback), 10, TimerPriority::High, TimerType::ResizeAdjust, id);
}

QString TimerManager::scheduleDialogClose(std::function<void()> callback, const QString &id)
{
    return schedule(std::move(callback), 500, TimerPriority::Delayed, TimerType::Generic, id);
}

QString TimerManager::participantName() const
{
    return QStringLiteral("TimerManager");
}

QVariantMap TimerManager::shutdownHealth() const
{
    return healthCheck();
}

Status TimerManager::shutdownNow(std::chrono::milliseconds budget, bool emergency)
{
    Q_UNUSED(budget)
    Q_UNUSED(emergency)
    {
        Locker lock(*this);
        m_accepting = false;
    }
    const int dropped = cleanupAll();
    qCDebug(lcTimers) << "shut down;" << dropped << "pending timers dropped";
    return {};
}

} // namespace oncutf::core::concurrency
