#pragma once

#include "core/concurrency/shutdownparticipant.h"
#include "core/metadata/childspawner.h"
#include "core/metadata/exiftoolprocess.h"

#include <QList>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace oncutf::core::metadata {

/// Up to N persistent ExifTool processes (default 2), each behind its own mutex. A caller takes a
/// free one for the length of one read() (waiting while all are busy); processes start on first
/// use, or ahead of it with launch(), and restart themselves after a crash or hang. Stopped in
/// the shutdown coordinator's EXIFTOOL phase: `-stay_open False`, stdin closed, SIGTERM then
/// SIGKILL to each process group within the budget, and every child reaped. Children also die
/// with oncutf itself (PR_SET_PDEATHSIG, see ChildSpawner), so no exiftool survives however
/// oncutf exits. Owner: the application context (GUI or CLI). Threading: read() and launch()
/// from any number of threads; shutdownNow() on the coordinator's thread; processIds() and
/// shutdownHealth() from any thread.
class ExifToolPool final : public concurrency::ShutdownParticipant {
public:
    explicit ExifToolPool(ExifToolOptions options = {}, int maxProcesses = 2);
    ~ExifToolPool() override;
    ExifToolPool(const ExifToolPool &) = delete;
    ExifToolPool &operator=(const ExifToolPool &) = delete;

    /// ExifToolProcess::read() on a free process. After shutdown every file gets an error.
    ExifToolReadSummary read(const QList<QByteArray> &paths, MetadataMode mode,
                             const ExifToolProcess::ResultCallback &onResult,
                             const ExifToolProcess::CancelCheck &isCancelled = {}, int filesPerCommand = 1);

    /// Starts every process not running yet, without waiting for them (ExifToolProcess::launch):
    /// a caller that knows ExifTool work is coming overlaps Perl's start-up with its own
    /// preparation. Processes busy with a read are left alone. Any thread; returns how many it
    /// started.
    int launch();

    [[nodiscard]] int maxProcesses() const { return static_cast<int>(m_slots.size()); }
    /// The pids of the processes running now.
    [[nodiscard]] QList<pid_t> processIds() const;
    /// Processes restarted after a crash or hang, over the pool's life.
    [[nodiscard]] int restarts() const { return m_restarts.load(); }
    [[nodiscard]] bool isShutDown() const { return m_shutDown.load(); }

    [[nodiscard]] QString participantName() const override;
    [[nodiscard]] QVariantMap shutdownHealth() const override;
    Status shutdownNow(std::chrono::milliseconds budget, bool emergency) override;

private:
    struct Slot {
        std::timed_mutex mutex;
        std::unique_ptr<ExifToolProcess> process;
    };

    Slot *acquire();
    void release(Slot *slot);

    ChildSpawner m_spawner;
    std::vector<std::unique_ptr<Slot>> m_slots;
    mutable std::mutex m_waitMutex;
    std::condition_variable m_released;
    std::atomic<bool> m_shuttingDown{false};
    std::atomic<bool> m_shutDown{false};
    std::atomic<int> m_restarts{0};
};

} // namespace oncutf::core::metadata
