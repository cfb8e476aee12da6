#pragma once

#include "core/concurrency/worker.h"
#include "core/hash/batchhasher.h"
#include "core/hash/hashresult.h"

#include <QByteArray>
#include <QList>

namespace oncutf::core::hash {

/// Computes the CRC32 of a list of files as a Worker: through the cache and the thread pool when
/// the options give them (BatchHasher), or alone on its thread. Emits resultsReady() in batches as
/// files finish (completion order; HashResult::index gives the input order), sizeProgress() in
/// bytes over all files (64-bit, per chunk for a single big file), progress() in files, and a
/// closing status line. A file that cannot be hashed is a result with an error, not a failure of
/// the worker. Cancel stops every file within one chunk; the results finished before it have been
/// emitted (and cached) before finished(false).
///
/// Owner: a WorkerThread. Threading: construct on the owner's thread; the pool and cache in the
/// options must outlive the worker; signals are emitted on the worker thread.
class HashWorker final : public concurrency::Worker {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HashWorker)

public:
    HashWorker(QList<QByteArray> paths, BatchHasher::Options options, QObject *parent = nullptr);
    ~HashWorker() override;

Q_SIGNALS:
    void resultsReady(const QList<oncutf::core::hash::HashResult> &batch);

protected:
    bool execute() override;

private:
    QList<QByteArray> m_paths;
    BatchHasher m_hasher;
};

} // namespace oncutf::core::hash
