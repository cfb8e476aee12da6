#include "core/concurrency/systemresources.h"

#include <QThread>

#include <cstdio>
#include <cstring>
#include <utility>

namespace oncutf::core::concurrency {

SystemResources::SystemResources(Reader reader, std::chrono::milliseconds maxAge)
    : m_reader(reader ? std::move(reader) : Reader(&SystemResources::readProc)), m_maxAge(maxAge)
{
}

SystemResources::Snapshot SystemResources::snapshot() const
{
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(m_mutex);
        if (m_hasReading && now - m_readAt < m_maxAge)
            return m_cached;
    }
    // Read without the cache lock: two callers may both read when the cache expires, which
    // costs a second /proc read but never makes one caller wait for the other's I/O.
    const Snapshot fresh = m_reader();
    std::lock_guard lock(m_mutex);
    m_cached = fresh;
    m_readAt = now;
    m_hasReading = true;
    return fresh;
}

SystemResources::Snapshot SystemResources::readProc()
{
    Snapshot snap;
    snap.logicalCores = QThread::idealThreadCount();

    // Plain stdio: these are tiny pseudo-files and this runs on the pool's submit path.
    if (std::FILE *meminfo = std::fopen("/proc/meminfo", "re")) {
        char line[256];
        while (std::fgets(line, sizeof line, meminfo)) {
            long long kib = 0;
            if (std::strncmp(line, "MemAvailable:", 13) == 0
                && std::sscanf(line + 13, "%lld", &kib) == 1) {
                snap.memoryAvailableBytes = static_cast<qint64>(kib) * 1024;
                break;
            }
        }
        std::fclose(meminfo);
    }
    if (std::FILE *loadavg = std::fopen("/proc/loadavg", "re")) {
        double load1 = 0.0;
        if (std::fscanf(loadavg, "%lf", &load1) == 1)
            snap.loadAverage1 = load1;
        std::fclose(loadavg);
    }
    return snap;
}

} // namespace oncutf::core::concurrency
