#pragma once

#include "core/concurrency/worker.h"
#include "core/files/fileentry.h"
#include "core/files/filescanner.h"

#include <QByteArray>
#include <QList>

#include <chrono>

namespace oncutf::core::files {

/// Runs a FileScanner as a Worker and streams what it finds: batchReady() with up to batchSize()
/// entries (sooner when entries trickle in slowly, so a slow network share still shows progress),
/// problem() for each ScanProblem, progress(foldersDone, foldersKnown, folder) and a closing
/// status line. Cancel is honoured between entries; the entries found so far are delivered before
/// finished(false).
///
/// Owner: a WorkerThread (see Worker). Threading: construct and configure on the owner's thread
/// before start(); signals are emitted on the worker thread.
class ScanWorker final : public concurrency::Worker {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScanWorker)

public:
    static constexpr int kDefaultBatchSize = 1000;

    ScanWorker(QList<QByteArray> paths, ScanOptions options, QObject *parent = nullptr);
    ~ScanWorker() override;

    void setBatchSize(int entries);
    [[nodiscard]] int batchSize() const { return m_batchSize; }
    /// How long a partial batch may wait for more entries before it is sent (default 100 ms).
    void setBatchLatency(std::chrono::milliseconds latency) { m_batchLatency = latency; }

    /// Counters of the finished scan; read it after finished() (or from a slot connected to it).
    [[nodiscard]] ScanStats stats() const { return m_stats; }

Q_SIGNALS:
    void batchReady(const QList<oncutf::core::files::FileEntry> &entries);
    void problem(const oncutf::core::files::ScanProblem &problem);

protected:
    bool execute() override;

private:
    QList<QByteArray> m_paths;
    ScanOptions m_options;
    int m_batchSize = kDefaultBatchSize;
    std::chrono::milliseconds m_batchLatency{100};
    ScanStats m_stats;
};

} // namespace oncutf::core::files
