#pragma once

#include "core/concurrency/shutdownparticipant.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QVariantMap>

#include <array>
#include <chrono>
#include <functional>
#include <mutex>
#include <vector>

namespace oncutf::core::concurrency {

/// The outcome of one shutdown phase.
struct PhaseResult {
    ShutdownPhase phase = ShutdownPhase::Timers;
    bool ok = true;
    double durationSeconds = 0.0;
    QString error;         // every failing step, "; "-separated
    QString warning;       // set when the phase overran its (soft) budget
    QVariantMap healthBefore; // participant name -> its shutdownHealth(); empty in emergency mode
    bool skipped = false;  // nothing was registered for the phase

    /// phase, ok, skipped, duration, error, warning, health_before.
    [[nodiscard]] QVariantMap toVariantMap() const;
};

/// "TIMERS", "THREAD_POOL", "DATABASE", "EXIFTOOL", "FINALIZE".
[[nodiscard]] QString shutdownPhaseName(ShutdownPhase phase);

/// Stops the application's components in a fixed order: TIMERS -> THREAD_POOL -> DATABASE ->
/// EXIFTOOL -> FINALIZE. Components register per phase (several per phase run in registration
/// order); a phase with nothing registered is skipped and reported as skipped. Budgets are soft:
/// a phase always runs to its end and an overrun only records a warning. Emergency mode halves
/// the budgets and skips the health reads that otherwise precede each phase. A failing or
/// throwing step fails its phase, never the later ones. The GUI's close, the CLI's normal exit
/// and SIGINT/SIGTERM (installSignalHandlers) all go through one coordinator.
/// Owned by the application object (GUI main window / CLI main); it does not own participants,
/// which must outlive the shutdown run.
/// Threading: lives on the thread that creates it (the main thread); register*, set*,
/// shutdownSync and shutdownAsync are called there and participants run there. isRunning,
/// isCompleted, results and summary are safe from any thread.
class ShutdownCoordinator final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ShutdownCoordinator)

public:
    using StepFunction = std::function<Status(std::chrono::milliseconds budget, bool emergency)>;
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    explicit ShutdownCoordinator(QObject *parent = nullptr);
    ~ShutdownCoordinator() override;

    /// Non-owning; `participant` must stay alive until the shutdown has run.
    void registerParticipant(ShutdownPhase phase, ShutdownParticipant *participant);
    /// A step with no component behind it (for example FINALIZE work).
    void registerCallback(ShutdownPhase phase, const QString &name, StepFunction fn);
    /// Soft budget of one phase. Defaults: TIMERS 500, THREAD_POOL 2000, DATABASE 1000,
    /// EXIFTOOL 500, FINALIZE 500 ms.
    void setPhaseBudget(ShutdownPhase phase, std::chrono::milliseconds budget);
    [[nodiscard]] std::chrono::milliseconds phaseBudget(ShutdownPhase phase) const;
    /// Replaces the steady clock used to time phases (tests inject a fake one).
    void setClock(Clock clock);

    /// Runs every phase now (CLI). False if a shutdown is already running; once one has
    /// completed, a no-op that returns true.
    bool shutdownSync(bool emergency = false);
    /// Runs one phase per event-loop tick so that the window never freezes. False if a shutdown
    /// is already running; once one has completed, a no-op that returns true. Completion is
    /// announced by shutdownCompleted().
    bool shutdownAsync(bool emergency = false);

    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] bool isCompleted() const;
    [[nodiscard]] QList<PhaseResult> results() const;
    /// executed, total_phases, successful_phases, failed_phases, skipped_phases, total_duration,
    /// emergency_mode, phases: [PhaseResult::toVariantMap()...]. Skipped phases count only as
    /// skipped, so successful + failed + skipped == total.
    [[nodiscard]] QVariantMap summary() const;

    /// Routes SIGINT and SIGTERM to `onSignal(signalNumber)` on the calling thread's event loop
    /// through a self-pipe (the handler itself only write()s a byte, which is async-signal-safe).
    /// Call once, on the main thread after QCoreApplication exists; `onSignal` typically calls
    /// shutdownAsync() / shutdownSync() on the coordinator. Returns false if already installed
    /// or if the pipe or sigaction failed.
    static bool installSignalHandlers(std::function<void(int signalNumber)> onSignal);

Q_SIGNALS:
    void phaseStarted(const QString &phase);
    void phaseCompleted(const QString &phase, bool ok);
    void shutdownCompleted(bool ok);

private:
    struct Step {
        QString name;
        ShutdownParticipant *participant = nullptr; // null for callbacks
        StepFunction fn;
    };

    enum class State { Idle, Running, Completed };

    bool begin(bool emergency);
    void runPhase(int index);
    void runNextPhaseAsync(int index);
    void finish();
    [[nodiscard]] std::chrono::steady_clock::time_point now() const;
    [[nodiscard]] QVariantMap summaryLocked() const;

    std::array<std::vector<Step>, kShutdownPhaseCount> m_steps;
    std::array<std::chrono::milliseconds, kShutdownPhaseCount> m_budgets;
    Clock m_clock;

    mutable std::mutex m_mutex; // guards the members below, read by other threads
    State m_state = State::Idle;
    bool m_emergency = false;
    QList<PhaseResult> m_results;
    double m_totalDurationSeconds = 0.0;
    std::chrono::steady_clock::time_point m_startedAt;
};

} // namespace oncutf::core::concurrency
