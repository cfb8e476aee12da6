#include "core/metadata/metadataworker.h"

#include "core/files/nativepath.h"

#include <QElapsedTimer>

namespace oncutf::core::metadata {

MetadataWorker::MetadataWorker(QList<QByteArray> paths, MetadataMode mode, MetadataLoader::Options options,
                               QObject *parent)
    : Worker(parent)
    , m_paths(std::move(paths))
    , m_mode(mode)
    , m_loader(std::move(options))
{
}

MetadataWorker::~MetadataWorker() = default;

bool MetadataWorker::execute()
{
    QElapsedTimer timer;
    timer.start();
    MetadataLoader::Callbacks callbacks;
    callbacks.isCancelled = [this] { return isCancelled(); };
    callbacks.progress = [this](qint64 done, qint64 total, const QByteArray &current) {
        reportProgress(done, total, files::toDisplay(current));
    };
    callbacks.resultsReady = [this](const QList<MetadataRecord> &batch) { Q_EMIT resultsReady(batch); };
    m_outcome = m_loader.run(m_paths, m_mode, callbacks);

    qint64 failed = 0;
    for (const MetadataRecord &record : m_outcome.records) {
        if (!record.ok()) {
            ++failed;
        }
    }
    QString summary = QStringLiteral("%1 metadata of %2 of %3 files (%4 cached, %5 read in-process, %6 by ExifTool, "
                                     "%7 failed) in %8 s")
                          .arg(metadataModeName(m_mode))
                          .arg(m_outcome.records.size() - failed)
                          .arg(m_paths.size())
                          .arg(m_outcome.cacheHits)
                          .arg(m_outcome.readInProcess)
                          .arg(m_outcome.readByExifTool)
                          .arg(failed)
                          .arg(double(timer.elapsed()) / 1000.0, 0, 'f', 2);
    if (m_outcome.cacheError) {
        summary += QStringLiteral("; metadata cache: ") + m_outcome.cacheError->toString();
    }
    reportStatus(summary);
    return !m_outcome.cancelled;
}

} // namespace oncutf::core::metadata
