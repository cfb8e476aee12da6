#pragma once

#include "core/error.h"
#include "core/files/fileentry.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMetaType>

#include <functional>

namespace oncutf::core::hash {

/// Byte-identical groups found among a set of files.
struct DuplicateReport {
    QList<QList<QByteArray>> groups; ///< each of 2+ files, paths in byte order; groups by first path
    QList<Error> errors;             ///< files left out because they could not be hashed or read
    bool cancelled = false;          ///< the groups found before the cancel are still exact
};

/// Finds duplicate files in three steps, each cheaper than the next and run only on what the
/// previous one left: group by size (a file with a unique size has no duplicate), then by CRC32,
/// then confirm byte for byte (ContentComparer) within each CRC group, splitting a group whose
/// members only share a CRC. Only files proven identical are reported. Empty files are identical
/// to each other without being read. Two paths to one inode (hard links) are identical.
///
/// The steps are exposed so a caller can hash the candidates in parallel (and through the cache)
/// between sizeGroups() and confirm(); find() runs them all with a synchronous hash function.
/// Threading: stateless and pure apart from reading files; safe from any thread.
class DuplicateFinder final {
public:
    DuplicateFinder() = delete;

    using HashFunction = std::function<Result<quint32>(const files::FileEntry &file)>;

    /// Groups of files sharing a size with at least one other file, in first-seen order; a path
    /// listed twice counts once.
    [[nodiscard]] static QList<QList<files::FileEntry>> sizeGroups(const QList<files::FileEntry> &files);

    /// The files of `groups` whose CRC confirm() needs (all but the empty ones).
    [[nodiscard]] static QList<files::FileEntry> filesToHash(const QList<QList<files::FileEntry>> &groups);

    /// Files confirmed so far and files to confirm (those sharing size and CRC with another).
    using ConfirmProgress = std::function<void(qint64 filesDone, qint64 filesTotal)>;

    /// Steps 2 and 3. A file missing from `crcs` (its hash failed: the caller reports why) is left
    /// out. `isCancelled` is polled between and inside byte comparisons; `progress` runs after
    /// every file placed.
    [[nodiscard]] static DuplicateReport confirm(const QList<QList<files::FileEntry>> &groups,
                                                 const QHash<QByteArray, quint32> &crcs,
                                                 const std::function<bool()> &isCancelled = {},
                                                 const ConfirmProgress &progress = {});

    /// All three steps, hashing with `hash` one file after the other.
    [[nodiscard]] static DuplicateReport find(const QList<files::FileEntry> &files, const HashFunction &hash,
                                              const std::function<bool()> &isCancelled = {});
};

} // namespace oncutf::core::hash

Q_DECLARE_METATYPE(oncutf::core::hash::DuplicateReport)
