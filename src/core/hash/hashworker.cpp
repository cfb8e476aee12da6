#include "core/hash/hashworker.h"

#include "core/files/nativepath.h"

#include <QElapsedTimer>

namespace oncutf::core::hash {

HashWorker::HashWorker(QList<QByteArray> paths, BatchHasher::Options options, QObject *parent)
    : Worker(parent), m_paths(std::move(paths)), m_hasher(std::move(options))
{
}

HashWorker::~HashWorker() = default;

bool HashWorker::execute()
{
    QElapsedTimer timer;
    timer.start();
    BatchHasher::Callbacks callbacks;
    callbacks.isCancelled = [this] { return isCancelled(); };
    callbacks.progress = [this](qint64 bytesDone, qint64 bytesTotal, qint64 filesDone, qint64 filesTotal,
                                const QByteArray &current) {
        reportSizeProgress(bytesDone, bytesTotal);
        reportProgress(filesDone, filesTotal, files::toDisplay(current));
    };
    callbacks.resultsReady = [this](const QList<HashResult> &batch) { Q_EMIT resultsReady(batch); };

    const BatchHasher::Outcome outcome = m_hasher.run(m_paths, callbacks);

    qint64 failed = 0;
    for (const HashResult &result : outcome.results) {
        if (!result.ok())
            ++failed;
    }
    QString summary = QStringLiteral("hashed %1 of %2 files (%3 MiB read, %4 from cache, %5 failed) in %6 s")
                          .arg(outcome.results.size() - failed)
                          .arg(m_paths.size())
                          .arg(double(outcome.bytesRead) / double(1 << 20), 0, 'f', 1)
                          .arg(outcome.cacheHits)
                          .arg(failed)
                          .arg(double(timer.elapsed()) / 1000.0, 0, 'f', 2);
    if (outcome.cacheError)
        summary += QStringLiteral("; hash cache: ") + outcome.cacheError->toString();
    reportStatus(summary);
    return !outcome.cancelled;
}

} // namespace oncutf::core::hash
