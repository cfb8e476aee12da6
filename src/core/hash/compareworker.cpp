#include "core/hash/compareworker.h"

#include "core/files/nativepath.h"

namespace oncutf::core::hash {

CompareWorker::CompareWorker(FolderComparer::Index a, FolderComparer::Index b, BatchHasher::Options options,
                             QObject *parent)
    : Worker(parent), m_a(std::move(a)), m_b(std::move(b)), m_hasher(std::move(options))
{
}

CompareWorker::~CompareWorker() = default;

bool CompareWorker::execute()
{
    QList<QByteArray> paths;
    for (const files::FileEntry &file : FolderComparer::filesToHash(m_a, m_b))
        paths.append(file.path);

    BatchHasher::Callbacks callbacks;
    callbacks.isCancelled = [this] { return isCancelled(); };
    callbacks.progress = [this](qint64 bytesDone, qint64 bytesTotal, qint64 filesDone, qint64 filesTotal,
                                const QByteArray &current) {
        reportSizeProgress(bytesDone, bytesTotal);
        reportProgress(filesDone, filesTotal, files::toDisplay(current));
    };
    const BatchHasher::Outcome hashed = m_hasher.run(paths, callbacks);

    QHash<QByteArray, quint32> crcs;
    QHash<QByteArray, Error> errors;
    for (const HashResult &result : hashed.results) {
        if (result.ok())
            crcs.insert(result.path, *result.crc);
        else if (result.error)
            errors.insert(result.path, *result.error);
    }
    FolderComparison comparison = FolderComparer::classify(m_a, m_b, crcs, errors);
    if (hashed.cancelled || isCancelled()) {
        // Pairs left undecided by the cancel are not errors.
        QList<Error> real;
        for (const Error &error : std::as_const(comparison.errors)) {
            if (error.code != ErrorCode::Cancelled)
                real.append(error);
        }
        comparison.errors = real;
        comparison.cancelled = true;
    }
    Q_EMIT comparisonReady(comparison);
    return !comparison.cancelled;
}

} // namespace oncutf::core::hash
