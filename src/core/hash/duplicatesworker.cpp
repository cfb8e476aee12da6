#include "core/hash/duplicatesworker.h"

#include "core/files/nativepath.h"

namespace oncutf::core::hash {

DuplicatesWorker::DuplicatesWorker(QList<files::FileEntry> files, BatchHasher::Options options, QObject *parent)
    : Worker(parent), m_files(std::move(files)), m_hasher(std::move(options))
{
}

DuplicatesWorker::~DuplicatesWorker() = default;

bool DuplicatesWorker::execute()
{
    const auto groups = DuplicateFinder::sizeGroups(m_files);
    const auto candidates = DuplicateFinder::filesToHash(groups);
    reportStatus(QStringLiteral("%1 of %2 files share a size with another").arg(candidates.size()).arg(m_files.size()));

    QList<QByteArray> paths;
    paths.reserve(candidates.size());
    for (const files::FileEntry &file : candidates)
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
    QList<Error> hashErrors;
    for (const HashResult &result : hashed.results) {
        if (result.ok())
            crcs.insert(result.path, *result.crc);
        else if (result.error)
            hashErrors.append(*result.error);
    }

    DuplicateReport report;
    if (hashed.cancelled || isCancelled()) {
        report.cancelled = true;
    } else {
        report = DuplicateFinder::confirm(
            groups, crcs, [this] { return isCancelled(); },
            [this](qint64 done, qint64 total) {
                reportProgress(done, total, QStringLiteral("comparing bytes"));
            });
    }
    report.errors = hashErrors + report.errors;
    Q_EMIT reportReady(report);
    return !report.cancelled;
}

} // namespace oncutf::core::hash
