#pragma once

#include "core/concurrency/worker.h"
#include "core/hash/batchhasher.h"
#include "core/hash/foldercomparer.h"

namespace oncutf::core::hash {

/// Compares two folder listings as a Worker: FolderComparer decides by relative path and size, and
/// the pairs of equal size are hashed through BatchHasher (cache and pool). Emits sizeProgress()
/// while hashing, then exactly one comparisonReady() before finished() (none if cancelled before
/// it started); after a cancel the result has cancelled set and leaves out the pairs that were not
/// decided.
///
/// Owner: a WorkerThread. Threading: construct on the owner's thread; the pool and cache in the
/// options must outlive the worker; signals are emitted on the worker thread.
class CompareWorker final : public concurrency::Worker {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CompareWorker)

public:
    CompareWorker(FolderComparer::Index a, FolderComparer::Index b, BatchHasher::Options options,
                  QObject *parent = nullptr);
    ~CompareWorker() override;

Q_SIGNALS:
    void comparisonReady(const oncutf::core::hash::FolderComparison &result);

protected:
    bool execute() override;

private:
    FolderComparer::Index m_a;
    FolderComparer::Index m_b;
    BatchHasher m_hasher;
};

} // namespace oncutf::core::hash
