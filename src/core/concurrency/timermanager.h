#pragma once

#include "core/concurrency/shutdownparticipant.h"
#include "core/concurrency/timertypes.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QVariantMap>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

class QTimerEvent;

namespace oncutf::core::concurrency {

/// The one owner of every deferred or debounced callback of the application (preview refresh,
/// selection sync, drag clean-up, ...). One single-shot timer per id: scheduling an id that is
/// still pending restarts it and the new callback replaces the old one (debounce). Different ids
/// are never merged unless the caller asks for it through scheduleMerged(), and a merge never
/// drops a callback (the Python original silently dropped them).
/// Owned by the application object that creates it; stopped by the ShutdownCoordinator in the
/// TIMERS phase (cleanupAll, then every later schedule is refused).
/// Threading: lives on the thread that creates it (the GUI or CLI main thread) and runs every
/// callback and emits every signal there. schedule/cancel/isActive/stats are safe from any
/// thread: calls from other threads update the bookkeeping at once and marshal the Qt timer work
/// to the owner thread. shutdownNow()/shutdownHealth() are called on the owner thread.
class TimerManager final : public QObject, public ShutdownParticipant {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimerManager)

public:
    explicit TimerManager(QObject *parent = nullptr);
    ~TimerManager() override;

    /// Runs `callback` once after `delayMs` (< 0: the priority's default delay). An empty `id`
    /// gets a generated "<type>_<counter>". Scheduling an id that is still pending restarts its
    /// timer with the new callback. Returns the id, or an empty string once shut down.
    QString schedule(std::function<void()> callback, int delayMs = -1,
                     TimerPriority priority = TimerPriority::Normal,
                     TimerType type = TimerType::Generic, const QString &id = {});

    /// Opt-in merging: when a timer of the same `type` scheduled with the same `mergeKey` is
    /// still pending, `callback` joins it (its deadline is kept) and both callbacks run, in
    /// scheduling order, when it fires. Otherwise a new timer is started. Returns the timer's id.
    QString scheduleMerged(const QString &mergeKey, std::function<void()> callback,
                           int delayMs = -1, TimerPriority priority = TimerPriority::Normal,
                           TimerType type = TimerType::Generic);

    /// Drops a pending timer without running it. Returns whether it was pending.
    bool cancel(const QString &id);
    /// Drops every pending timer of `type`; returns how many.
    int cancelByType(TimerType type);
    /// Drops every pending timer without running any callback; returns how many.
    int cleanupAll();

    [[nodiscard]] bool isActive(const QString &id) const;
    [[nodiscard]] int activeCount() const;

    /// Forces every later delay to `ms` (tests use 0); std::nullopt restores normal delays.
    void setDelayOverride(std::optional<int> ms);

    /// active_timers, total_scheduled, restarted, merged, completed, failed_callbacks,
    /// cancelled, pending_by_type {type name: count}, accepting.
    [[nodiscard]] QVariantMap stats() const;
    /// healthy, active_timers, total_scheduled, completed, failed_callbacks, recent_failures,
    /// last_error. Unhealthy while kUnhealthyFailures or more of the last kHealthWindow
    /// callbacks threw, so the manager recovers once callbacks succeed again.
    [[nodiscard]] QVariantMap healthCheck() const;

    static constexpr int kHealthWindow = 50;
    static constexpr int kUnhealthyFailures = 10;

    // Helpers with the delays the application has always used.
    QString scheduleUiUpdate(std::function<void()> callback, const QString &id = {});
    QString scheduleDragCleanup(std::function<void()> callback, const QString &id = {});
    QString scheduleSelectionUpdate(std::function<void()> callback, const QString &id = {});
    QString scheduleMetadataLoad(std::function<void()> callback, const QString &id = {});
    QString scheduleScrollAdjust(std::function<void()> callback, const QString &id = {});
    QString schedulePreviewUpdate(std::function<void()> callback, const QString &id = {});
    QString scheduleResizeAdjust(std::function<void()> callback, const QString &id = {});
    QString scheduleDialogClose(std::function<void()> callback, const QString &id = {});

    // ShutdownParticipant
    [[nodiscard]] QString participantName() const override;
    [[nodiscard]] QVariantMap shutdownHealth() const override;
    /// Cancels everything pending (nothing runs) and refuses every later schedule.
    Status shutdownNow(std::chrono::milliseconds budget, bool emergency) override;

Q_SIGNALS:
    void timerStarted(const QString &id, int delayMs);
    void timerFinished(const QString &id);
    void callbackFailed(const QString &id, const QString &error);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    using Clock = std::chrono::steady_clock;

    struct Entry {
        TimerType type = TimerType::Generic;
        int delayMs = 0;
        Clock::time_point deadline;
        std::vector<std::function<void()>> callbacks;
        std::optional<QString> mergeKey; // set only for timers started by scheduleMerged
        int qtTimerId = 0;       // 0 while the owner thread has not armed it yet
        std::uint64_t generation = 0;
    };

    struct ArmRequest {
        QString id;
        std::uint64_t generation = 0;
    };

    enum class Mode { Replace, Merge };

    QString scheduleImpl(Mode mode, const QString &requestedId, const QString &mergeKey,
                         std::function<void()> callback, int delayMs, TimerPriority priority,
                         TimerType type);
    [[nodiscard]] bool isOwnerThread() const;
    // Off the owner thread, orphaned Qt timers must be killed there: true when the caller has
    // to post onReapRequested().
    [[nodiscard]] bool needsReapPostLocked();
    [[nodiscard]] int effectiveDelayLocked(int delayMs, TimerPriority priority) const;
    [[nodiscard]] QString generateIdLocked(TimerType type);
    [[nodiscard]] static QString mergeIndexKey(TimerType type, const QString &mergeKey);
    // Removes an entry and its indexes; a timer already armed is killed (owner thread) or
    // left for the owner thread to kill (m_orphanQtTimers). Returns the next entry: erasing
    // may move other entries of the hash, so only the returned iterator stays valid.
    QHash<QString, Entry>::iterator eraseEntryLocked(QHash<QString, Entry>::iterator it);
    // Owner thread only: starts the Qt timer of a pending entry. Returns false when the entry
    // was cancelled or replaced in the meantime.
    bool armLocked(const QString &id, std::uint64_t generation);
    void reapOrphansLocked();
    void assertLocked() const;
    void onArmRequested(const ArmRequest &request);
    void onReapRequested();
    void postToOwner(std::function<void()> call);
    void recordOutcomeLocked(bool failed);

    const std::thread::id m_ownerThread;

    // Every lock goes through Locker so that the *Locked helpers can assert the lock is held.
    class Locker;
    mutable std::mutex m_mutex;
    mutable std::atomic<std::thread::id> m_lockOwner{};
    QHash<QString, Entry> m_timers;
    QHash<int, QString> m_idByQtTimer;
    QHash<QString, QString> m_idByMergeKey;
    std::vector<int> m_orphanQtTimers; // armed timers cancelled off-thread, not killed yet
    bool m_reapPosted = false;
    std::optional<int> m_delayOverride;
    bool m_accepting = true;
    std::uint64_t m_nextGeneration = 1;
    std::uint64_t m_idCounter = 0;

    std::uint64_t m_totalScheduled = 0;
    std::uint64_t m_restarted = 0;
    std::uint64_t m_merged = 0;
    std::uint64_t m_completed = 0;
    std::uint64_t m_failedCallbacks = 0;
    std::uint64_t m_cancelled = 0;
    QString m_lastError;
    // Outcomes of the last kHealthWindow callbacks (true = threw), as a ring.
    std::vector<bool> m_recentOutcomes;
    std::size_t m_recentPos = 0;
    int m_recentFailures = 0;
};

} // namespace oncutf::core::concurrency
