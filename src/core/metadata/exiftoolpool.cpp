#include "core/metadata/exiftoolpool.h"

#include "core/files/nativepath.h"
#include "core/logging.h"

#include <signal.h>

#include <algorithm>

namespace oncutf::core::metadata {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

ExifToolPool::ExifToolPool(ExifToolOptions options, int maxProcesses)
{
    const int count = std::max(1, maxProcesses);
    m_slots.reserve(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
        auto slot = std::make_unique<Slot>();
        slot->process = std::make_unique<ExifToolProcess>(options, &m_spawner);
        m_slots.push_back(std::move(slot));
    }
}

ExifToolPool::~ExifToolPool()
{
    Q_ASSERT_X(m_shutDown.load(), "ExifToolPool", "shutdownNow() must run before destruction");
    if (!m_shutDown.load()) {
        // Release builds: still leave no child behind.
        (void)shutdownNow(milliseconds(0), true);
    }
}

ExifToolPool::Slot *ExifToolPool::acquire()
{
    std::unique_lock lock(m_waitMutex);
    for (;;) {
        if (m_shuttingDown.load()) {
            return nullptr;
        }
        for (const auto &slot : m_slots) {
            if (slot->mutex.try_lock()) {
                return slot.get();
            }
        }
        m_released.wait(lock);
    }
}

void ExifToolPool::release(Slot *slot)
{
    slot->mutex.unlock();
    {
        // Taking the wait mutex orders this notify after a waiter's failed try_lock round.
        std::lock_guard lock(m_waitMutex);
    }
    m_released.notify_one();
}

ExifToolReadSummary ExifToolPool::read(const QList<QByteArray> &paths, MetadataMode mode,
                                       const ExifToolProcess::ResultCallback &onResult,
                                       const ExifToolProcess::CancelCheck &isCancelled, int filesPerCommand)
{
    Slot *slot = acquire();
    if (slot == nullptr) {
        ExifToolReadSummary summary;
        for (qsizetype i = 0; i < paths.size(); ++i) {
            MetadataRecord record;
            record.path = paths.at(i);
            record.mode = mode;
            record.error = makeError(ErrorCode::Cancelled, QStringLiteral("ExifTool has been shut down"),
                                     files::toDisplay(paths.at(i)));
            ++summary.completed;
            onResult(i, std::move(record));
        }
        return summary;
    }
    ExifToolReadSummary summary = slot->process->read(paths, mode, onResult, isCancelled, filesPerCommand);
    m_restarts.fetch_add(summary.restarts);
    release(slot);
    return summary;
}

int ExifToolPool::launch()
{
    int launched = 0;
    for (const auto &slot : m_slots) {
        if (m_shuttingDown.load() || !slot->mutex.try_lock()) {
            continue;
        }
        if (!slot->process->isRunning()) {
            const Status started = slot->process->launch();
            if (started) {
                ++launched;
            } else {
                // read() meets the same error again and reports it per file.
                qCDebug(lcExifTool) << "cannot launch exiftool ahead of work:" << started.error().toString();
            }
        }
        release(slot.get());
    }
    return launched;
}

QList<pid_t> ExifToolPool::processIds() const
{
    QList<pid_t> pids;
    for (const auto &slot : m_slots) {
        const pid_t pid = slot->process->pid();
        if (pid > 0) {
            pids.append(pid);
        }
    }
    return pids;
}

QString ExifToolPool::participantName() const
{
    return QStringLiteral("ExifToolPool");
}

QVariantMap ExifToolPool::shutdownHealth() const
{
    return {
        {QStringLiteral("healthy"), true},
        {QStringLiteral("processes"), static_cast<int>(processIds().size())},
        {QStringLiteral("max_processes"), maxProcesses()},
        {QStringLiteral("restarts"), restarts()},
    };
}

Status ExifToolPool::shutdownNow(milliseconds budget, bool emergency)
{
    if (m_shutDown.load()) {
        return {};
    }
    m_shuttingDown.store(true);
    m_spawner.refuse(); // no process starts from now on; a reader whose process dies gives up
    {
        std::lock_guard lock(m_waitMutex);
    }
    m_released.notify_all();

    const auto start = Clock::now();
    const auto share = budget / static_cast<int>(m_slots.size());
    for (const auto &slot : m_slots) {
        const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
        const milliseconds left = std::max(milliseconds(0), budget - elapsed);
        if (!slot->mutex.try_lock_for(std::min(left, share))) {
            // A reader still holds it (the thread pool phase should have ended it): kill its
            // process; with no restart possible the reader returns, and the slot frees.
            const pid_t pid = slot->process->pid();
            if (pid > 0) {
                ::kill(-pid, SIGKILL);
                ::kill(pid, SIGKILL);
            }
            slot->mutex.lock();
        }
        slot->process->stop(emergency ? milliseconds(0) : std::min(left, share));
        slot->mutex.unlock();
    }
    m_spawner.stop();
    m_shutDown.store(true);
    qCDebug(lcExifTool) << "ExifTool pool shut down; restarts over its life:" << restarts();
    return {};
}

} // namespace oncutf::core::metadata
