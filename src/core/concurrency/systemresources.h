#pragma once

#include <QtGlobal>

#include <chrono>
#include <functional>
#include <mutex>

namespace oncutf::core::concurrency {

/// System-wide memory and CPU load readings that let the ThreadPoolManager refuse to grow a
/// busy machine further. Readings are cached for `maxAge` (500 ms by default) because the pool
/// asks on its submit path; the reader is injectable so tests can simulate memory pressure or
/// an overloaded CPU deterministically. Owned by the ThreadPoolManager.
/// Threading: snapshot() is safe from any thread; it guards its cache with its own mutex and
/// never calls the reader while holding it (so a slow /proc read blocks nobody else's lock).
class SystemResources final {
public:
    struct Snapshot {
        qint64 memoryAvailableBytes = -1; ///< MemAvailable from /proc/meminfo; -1 if unknown
        double loadAverage1 = -1.0;       ///< 1-minute load average from /proc/loadavg; -1 if unknown
        int logicalCores = 1;

        /// The 1-minute load divided by the logical cores; -1 when the load is unknown.
        [[nodiscard]] double loadPerCore() const
        {
            return loadAverage1 < 0.0 ? -1.0 : loadAverage1 / (logicalCores > 0 ? logicalCores : 1);
        }
    };
    using Reader = std::function<Snapshot()>;

    /// `reader` defaults to readProc().
    explicit SystemResources(Reader reader = {},
                             std::chrono::milliseconds maxAge = std::chrono::milliseconds(500));

    /// The cached snapshot, re-read through the reader when older than maxAge.
    [[nodiscard]] Snapshot snapshot() const;

    /// Reads /proc/meminfo and /proc/loadavg (Linux). Fields it cannot read stay at -1.
    [[nodiscard]] static Snapshot readProc();

private:
    Reader m_reader;
    std::chrono::milliseconds m_maxAge;
    mutable std::mutex m_mutex;
    mutable Snapshot m_cached;
    mutable std::chrono::steady_clock::time_point m_readAt;
    mutable bool m_hasReading = false;
};

} // namespace oncutf::core::concurrency
