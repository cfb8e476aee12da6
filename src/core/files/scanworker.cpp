#include "core/files/scanworker.h"

#include "core/files/nativepath.h"

#include <QMetaType>

#include <chrono>
#include <utility>

namespace oncutf::core::files {

ScanWorker::ScanWorker(QList<QByteArray> paths, ScanOptions options, QObject *parent)
    : Worker(parent), m_paths(std::move(paths)), m_options(options)
{
    // Registered by name too, so string-based connections and QSignalSpy see the types.
    qRegisterMetaType<oncutf::core::files::FileEntry>("oncutf::core::files::FileEntry");
    qRegisterMetaType<QList<oncutf::core::files::FileEntry>>("QList<oncutf::core::files::FileEntry>");
    qRegisterMetaType<oncutf::core::files::ScanProblem>("oncutf::core::files::ScanProblem");
}

ScanWorker::~ScanWorker() = default;

void ScanWorker::setBatchSize(int entries)
{
    m_batchSize = entries < 1 ? 1 : entries;
}

bool ScanWorker::execute()
{
    using SteadyClock = std::chrono::steady_clock;

    QList<FileEntry> batch;
    batch.reserve(m_batchSize);
    SteadyClock::time_point batchStarted = SteadyClock::now();
    qint64 filesFound = 0;

    const auto flush = [&] {
        if (batch.isEmpty())
            return;
        Q_EMIT batchReady(batch);
        batch = QList<FileEntry>();
        batch.reserve(m_batchSize);
        batchStarted = SteadyClock::now();
    };

    FileScanner::Callbacks callbacks;
    callbacks.entryFound = [&](FileEntry &&entry) {
        if (batch.isEmpty())
            batchStarted = SteadyClock::now();
        batch.append(std::move(entry));
        ++filesFound;
        if (batch.size() >= m_batchSize || SteadyClock::now() - batchStarted >= m_batchLatency)
            flush();
    };
    callbacks.problemFound = [&](ScanProblem &&found) {
        // Entries found before the problem go out first, so the streams keep the scan's order.
        flush();
        Q_EMIT problem(found);
    };
    callbacks.folderListed = [&](const QByteArray &folder, qint64 done, qint64 known) {
        if (!batch.isEmpty() && SteadyClock::now() - batchStarted >= m_batchLatency)
            flush();
        reportProgress(done, known, toDisplay(folder));
    };
    callbacks.isCancelled = [this] { return isCancelled(); };

    const FileScanner scanner(m_options);
    m_stats = scanner.scan(m_paths, callbacks);
    flush();

    reportProgress(m_stats.directories, m_stats.directories, QString());
    reportStatus(QStringLiteral("%1 files in %2 folders, %3 problems%4")
                     .arg(m_stats.files)
                     .arg(m_stats.directories)
                     .arg(m_stats.problems)
                     .arg(m_stats.cancelled ? QStringLiteral(" (cancelled)") : QString()));
    return !m_stats.cancelled;
}

} // namespace oncutf::core::files
