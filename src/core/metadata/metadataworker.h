#pragma once

#include "core/concurrency/worker.h"
#include "core/metadata/metadataloader.h"
#include "core/metadata/metadatarecord.h"

#include <QByteArray>
#include <QList>

namespace oncutf::core::metadata {

/// Loads the metadata of many files as a Worker, through MetadataLoader (cache, in-process
/// reader, ExifTool pool, sidecars). Emits resultsReady() in batches as files finish (completion
/// order; MetadataRecord::index gives the input order), progress() by file count (the cost of a
/// file is about constant: only headers are read), and a closing status line. A file that cannot
/// be read is a record with an error, never a failure of the worker. Cancel is honoured within
/// one file per pool task; the records finished before it have been emitted (and cached) before
/// finished(false).
///
/// Owner: a WorkerThread. Threading: construct on the owner's thread; the pools and the cache in
/// the options must outlive the worker; signals are emitted on the worker thread.
class MetadataWorker final : public concurrency::Worker {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetadataWorker)

public:
    MetadataWorker(QList<QByteArray> paths, MetadataMode mode, MetadataLoader::Options options,
                   QObject *parent = nullptr);
    ~MetadataWorker() override;

    /// The loader's counters; read after finished().
    [[nodiscard]] const MetadataLoader::Outcome &outcome() const { return m_outcome; }

Q_SIGNALS:
    void resultsReady(const QList<oncutf::core::metadata::MetadataRecord> &batch);

protected:
    bool execute() override;

private:
    QList<QByteArray> m_paths;
    MetadataMode m_mode;
    MetadataLoader m_loader;
    MetadataLoader::Outcome m_outcome;
};

} // namespace oncutf::core::metadata
