#pragma once

#include "core/error.h"

#include <QString>
#include <QVariantMap>

#include <chrono>

namespace oncutf::core::concurrency {

/// The ordered phases of an oncutf shutdown. There is no asyncio phase: oncutf never had one.
enum class ShutdownPhase { Timers = 0, ThreadPool, Database, ExifTool, Finalize };
inline constexpr int kShutdownPhaseCount = 5;

/// Something the ShutdownCoordinator stops in one phase (the timer manager, the pool, the
/// database, the ExifTool pool, ...). The component stays owned by whoever created it; the
/// coordinator only holds a non-owning pointer until the shutdown has run.
/// Threading: every method is called on the coordinator's thread (the GUI or CLI main thread).
class ShutdownParticipant {
public:
    virtual ~ShutdownParticipant() = default;

    /// A short name for reports ("TimerManager", "ThreadPoolManager", ...).
    [[nodiscard]] virtual QString participantName() const = 0;

    /// Health read just before the phase runs (skipped in emergency mode); reported, never fatal.
    [[nodiscard]] virtual QVariantMap shutdownHealth() const { return {}; }

    /// Stops the component. `budget` is the soft per-phase budget (halved in emergency mode):
    /// the component should bound its waits by it. Must be idempotent.
    virtual Status shutdownNow(std::chrono::milliseconds budget, bool emergency) = 0;
};

} // namespace oncutf::core::concurrency
