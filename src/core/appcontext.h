#pragma once

#include "core/concurrency/shutdowncoordinator.h"
#include "core/concurrency/threadpoolmanager.h"
#include "core/concurrency/timermanager.h"

#include <QObject>

#include <memory>

namespace oncutf::core {

/// The composition root of one oncutf process: creates the long-lived services both front ends
/// share (timer manager, thread pool, and as they are opened the database and ExifTool pool) and
/// registers each with the shutdown coordinator's phase, so that one shutdown() stops them in
/// the decided order TIMERS -> THREAD_POOL -> DATABASE -> EXIFTOOL -> FINALIZE.
/// Owner: the GUI's main() / the CLI's run, on the stack or as a member, for the process lifetime.
/// Threading: created, used and shut down on the main thread; the services it hands out document
/// their own cross-thread rules.
class AppContext final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppContext)

public:
    struct Options {
        concurrency::PoolConfig pool;
    };

    explicit AppContext(QObject *parent = nullptr);
    explicit AppContext(Options options, QObject *parent = nullptr);
    ~AppContext() override; // asserts that shutdown ran

    [[nodiscard]] concurrency::TimerManager &timers() { return *m_timers; }
    [[nodiscard]] concurrency::ThreadPoolManager &pool() { return *m_pool; }
    [[nodiscard]] concurrency::ShutdownCoordinator &coordinator() { return *m_coordinator; }

    /// Stops everything now (CLI exit, tests). Idempotent.
    bool shutdownSync(bool emergency = false);
    /// Stops everything one phase per event-loop tick (GUI close); completion is announced by
    /// coordinator().shutdownCompleted. Idempotent.
    bool shutdownAsync(bool emergency = false);
    [[nodiscard]] bool isShutDown() const;

private:
    std::unique_ptr<concurrency::ShutdownCoordinator> m_coordinator;
    std::unique_ptr<concurrency::TimerManager> m_timers;
    std::unique_ptr<concurrency::ThreadPoolManager> m_pool;
};

} // namespace oncutf::core
