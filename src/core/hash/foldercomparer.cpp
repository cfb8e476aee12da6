#include "core/hash/foldercomparer.h"

#include "core/files/nativepath.h"

namespace oncutf::core::hash {

using files::FileEntry;

FolderComparer::Index FolderComparer::relativeIndex(const QByteArray &root, const QList<FileEntry> &files)
{
    QByteArray prefix = files::absolutePath(root);
    if (!prefix.endsWith('/'))
        prefix.append('/');
    Index index;
    for (const FileEntry &file : files) {
        if (file.path.size() > prefix.size() && file.path.startsWith(prefix))
            index.insert(file.path.mid(prefix.size()), file);
    }
    return index;
}

QList<FileEntry> FolderComparer::filesToHash(const Index &a, const Index &b)
{
    QList<FileEntry> files;
    for (auto it = a.cbegin(); it != a.cend(); ++it) {
        const auto other = b.constFind(it.key());
        if (other != b.cend() && other->size == it->size && it->size > 0) {
            files.append(*it);
            files.append(*other);
        }
    }
    return files;
}

FolderComparison FolderComparer::classify(const Index &a, const Index &b, const QHash<QByteArray, quint32> &crcs,
                                          const QHash<QByteArray, Error> &hashErrors)
{
    FolderComparison result;
    auto missingHash = [&](const FileEntry &file) {
        const auto error = hashErrors.constFind(file.path);
        if (error != hashErrors.cend())
            result.errors.append(*error);
        else
            result.errors.append(makeError(ErrorCode::Cancelled, QStringLiteral("not hashed"),
                                           files::toDisplay(file.path)));
    };

    // QMap iterates in byte order of the keys, so every list comes out sorted.
    for (auto it = a.cbegin(); it != a.cend(); ++it) {
        const auto other = b.constFind(it.key());
        if (other == b.cend()) {
            result.onlyInA.append(it.key());
            continue;
        }
        if (other->size != it->size) {
            result.different.append(it.key());
            continue;
        }
        if (it->size == 0) {
            result.same.append(it.key());
            continue;
        }
        const auto crcA = crcs.constFind(it->path);
        const auto crcB = crcs.constFind(other->path);
        if (crcA == crcs.cend() || crcB == crcs.cend()) {
            if (crcA == crcs.cend())
                missingHash(*it);
            if (crcB == crcs.cend())
                missingHash(*other);
            continue;
        }
        (*crcA == *crcB ? result.same : result.different).append(it.key());
    }
    for (auto it = b.cbegin(); it != b.cend(); ++it) {
        if (!a.contains(it.key()))
            result.onlyInB.append(it.key());
    }
    return result;
}

FolderComparison FolderComparer::compare(const Index &a, const Index &b, const HashFunction &hash,
                                         const std::function<bool()> &isCancelled)
{
    QHash<QByteArray, quint32> crcs;
    QHash<QByteArray, Error> errors;
    bool cancelled = false;
    for (const FileEntry &file : filesToHash(a, b)) {
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
            errors.insert(file.path, crc.error());
        }
    }
    FolderComparison result = classify(a, b, crcs, errors);
    if (cancelled) {
        // Pairs left undecided by the cancel are not errors: drop the "not hashed" entries.
        QList<Error> real;
        for (const Error &error : std::as_const(result.errors)) {
            if (error.code != ErrorCode::Cancelled)
                real.append(error);
        }
        result.errors = real;
        result.cancelled = true;
    }
    return result;
}

} // namespace oncutf::core::hash
