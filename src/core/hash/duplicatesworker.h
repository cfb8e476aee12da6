#pragma once

#include "core/concurrency/worker.h"
#include "core/files/fileentry.h"
#include "core/hash/batchhasher.h"
#include "core/hash/duplicatefinder.h"

#include <QList>

namespace oncutf::core::hash {

/// Finds byte-identical files among a listing as a Worker: DuplicateFinder's size grouping, the
/// CRC32 of the candidates through BatchHasher (cache and pool), then the byte-for-byte
/// confirmation. Emits sizeProgress() while hashing, progress() while confirming, then exactly one
/// reportReady() before finished() (none if cancelled before it started): complete, or after a
/// cancel with cancelled set and only groups already proven identical. Files that cannot be read
/// are in the report's errors.
///
/// Owner: a WorkerThread. Threading: construct on the owner's thread; the pool and cache in the
/// options must outlive the worker; signals are emitted on the worker thread.
class DuplicatesWorker final : public concurrency::Worker {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DuplicatesWorker)

public:
    DuplicatesWorker(QList<files::FileEntry> files, BatchHasher::Options options, QObject *parent = nullptr);
    ~DuplicatesWorker() override;

Q_SIGNALS:
    void reportReady(const oncutf::core::hash::DuplicateReport &report);

protected:
    bool execute() override;

private:
    QList<files::FileEntry> m_files;
    BatchHasher m_hasher;
};

} // namespace oncutf::core::hash
