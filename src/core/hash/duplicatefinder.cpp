#include "core/hash/duplicatefinder.h"

#include "core/hash/contentcomparer.h"

#include <QSet>

#include <algorithm>
#include <map>

namespace oncutf::core::hash {

using files::FileEntry;

QList<QList<FileEntry>> DuplicateFinder::sizeGroups(const QList<FileEntry> &files)
{
    QHash<qint64, qsizetype> groupOfSize;
    QList<QList<FileEntry>> all;
    QSet<QByteArray> seen;
    for (const FileEntry &file : files) {
        if (seen.contains(file.path))
            continue;
        seen.insert(file.path);
        const auto it = groupOfSize.constFind(file.size);
        if (it == groupOfSize.constEnd()) {
            groupOfSize.insert(file.size, all.size());
            all.append(QList<FileEntry>{file});
        } else {
            all[*it].append(file);
        }
    }
    QList<QList<FileEntry>> groups;
    for (auto &group : all) {
        if (group.size() >= 2)
            groups.append(std::move(group));
    }
    return groups;
}

QList<FileEntry> DuplicateFinder::filesToHash(const QList<QList<FileEntry>> &groups)
{
    QList<FileEntry> files;
    for (const auto &group : groups) {
        if (!group.isEmpty() && group.front().size > 0)
            files.append(group);
    }
    return files;
}

DuplicateReport DuplicateFinder::confirm(const QList<QList<FileEntry>> &groups, const QHash<QByteArray, quint32> &crcs,
                                         const std::function<bool()> &isCancelled, const ConfirmProgress &progress)
{
    DuplicateReport report;
    auto addGroup = [&report](QList<QByteArray> paths) {
        if (paths.size() < 2)
            return;
        std::sort(paths.begin(), paths.end());
        report.groups.append(std::move(paths));
    };

    // Step 2: within each size group, bucket by CRC. std::map keeps the buckets in a fixed order:
    // the output must not depend on the order hashes arrived in.
    QList<QList<QByteArray>> buckets;
    qint64 total = 0;
    for (const auto &sizeGroup : groups) {
        if (sizeGroup.isEmpty())
            continue;
        if (sizeGroup.front().size == 0) {
            QList<QByteArray> paths;
            for (const FileEntry &file : sizeGroup)
                paths.append(file.path);
            addGroup(std::move(paths));
            continue;
        }
        std::map<quint32, QList<QByteArray>> byCrc;
        for (const FileEntry &file : sizeGroup) {
            const auto crc = crcs.constFind(file.path);
            if (crc != crcs.constEnd())
                byCrc[*crc].append(file.path);
        }
        for (auto &entry : byCrc) {
            if (entry.second.size() >= 2) {
                total += entry.second.size();
                buckets.append(std::move(entry.second));
            }
        }
    }

    // Step 3: bytes. Each class holds files proven identical to its first member. Nearly always a
    // bucket is one class; a CRC collision opens a second one.
    qint64 done = 0;
    for (const auto &candidates : std::as_const(buckets)) {
        QList<QList<QByteArray>> classes;
        for (const QByteArray &path : candidates) {
            if (isCancelled && isCancelled()) {
                report.cancelled = true;
                break;
            }
            bool placed = false;
            bool failed = false;
            for (auto &members : classes) {
                auto same = ContentComparer::identical(members.front(), path, isCancelled);
                if (!same) {
                    if (same.error().code == ErrorCode::Cancelled)
                        report.cancelled = true;
                    else
                        report.errors.append(same.error());
                    failed = true;
                    break;
                }
                if (*same) {
                    members.append(path);
                    placed = true;
                    break;
                }
            }
            if (report.cancelled)
                break;
            if (!placed && !failed)
                classes.append(QList<QByteArray>{path});
            if (progress)
                progress(++done, total);
        }
        for (auto &members : classes)
            addGroup(std::move(members));
        if (report.cancelled)
            break;
    }

    std::sort(report.groups.begin(), report.groups.end(),
              [](const QList<QByteArray> &a, const QList<QByteArray> &b) { return a.front() < b.front(); });
    return report;
}

DuplicateReport DuplicateFinder::find(const QList<FileEntry> &files, const HashFunction &hash,
                                      const std::function<bool()> &isCancelled)
{
    const auto groups = sizeGroups(files);
    QHash<QByteArray, quint32> crcs;
    QList<Error> hashErrors;
    bool cancelled = false;
    for (const FileEntry &file : filesToHash(groups)) {
        if (isCancelled && isCancelled()) {
            cancelled = true;
            break;
        }
        auto crc = hash(file);
        if (crc) {
            crcs.insert(file.path, *crc);
        } else if (crc.error().code == ErrorCode::Cancelled) {
            cancelled = true;
            break;
        } else {
            hashErrors.append(crc.error());
        }
    }

    DuplicateReport report;
    if (!cancelled)
        report = confirm(groups, crcs, isCancelled);
    report.errors = hashErrors + report.errors;
    report.cancelled = report.cancelled || cancelled;
    return report;
}

} // namespace oncutf::core::hash
