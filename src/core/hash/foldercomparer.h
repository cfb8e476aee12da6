#pragma once

#include "core/error.h"
#include "core/files/fileentry.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QMetaType>

#include <functional>

namespace oncutf::core::hash {

/// The outcome of comparing folder A with folder B; every list holds paths relative to the folders,
/// in byte order.
struct FolderComparison {
    QList<QByteArray> same;      ///< in both, same size and CRC32
    QList<QByteArray> different; ///< in both, different size or CRC32
    QList<QByteArray> onlyInA;
    QList<QByteArray> onlyInB;
    QList<Error> errors;         ///< pairs that could not be compared (in no list above)
    bool cancelled = false;      ///< pairs not decided before the cancel are in no list
};

/// Compares two folders file by file, matching files by their path relative to each folder (the
/// listing, recursive or not, is the caller's: FileScanner). A pair with different sizes is
/// different without being read; a pair of the same size is compared by CRC32 (cached hashes make
/// a second compare nearly free).
///
/// The steps are exposed so the caller can hash in parallel and through the cache between
/// filesToHash() and classify(); compare() runs them with a synchronous hash function.
/// Threading: stateless and pure; safe from any thread.
class FolderComparer final {
public:
    FolderComparer() = delete;

    using Index = QMap<QByteArray, files::FileEntry>; ///< relative path -> file
    using HashFunction = std::function<Result<quint32>(const files::FileEntry &file)>;

    /// `files` under `root` keyed by their path relative to `root` (both absolute, as FileScanner
    /// lists them); files outside `root` are ignored.
    [[nodiscard]] static Index relativeIndex(const QByteArray &root, const QList<files::FileEntry> &files);

    /// The files (of both sides) whose CRC classify() needs: non-empty pairs of equal size.
    [[nodiscard]] static QList<files::FileEntry> filesToHash(const Index &a, const Index &b);

    /// Sorts every relative path into a category. A pair needing a CRC that `crcs` lacks (keyed by
    /// absolute path) goes to errors with the matching `hashErrors` entry, or a generic message.
    [[nodiscard]] static FolderComparison classify(const Index &a, const Index &b, const QHash<QByteArray, quint32> &crcs,
                                                   const QHash<QByteArray, Error> &hashErrors = {});

    /// Both steps, hashing one file after the other.
    [[nodiscard]] static FolderComparison compare(const Index &a, const Index &b, const HashFunction &hash,
                                                  const std::function<bool()> &isCancelled = {});
};

} // namespace oncutf::core::hash

Q_DECLARE_METATYPE(oncutf::core::hash::FolderComparison)
