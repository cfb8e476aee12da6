#pragma once

#include "core/error.h"
#include "core/files/fileentry.h"
#include "core/metadata/metadatarecord.h"
#include "core/rename/renameinput.h"

#include <QHash>
#include <QList>
#include <QStringList>

#include <functional>

namespace oncutf::core::concurrency {
class ThreadPoolManager;
}
namespace oncutf::core::db {
class HashCache;
class MetadataCache;
}
namespace oncutf::core::metadata {
class ExifToolPool;
}

namespace oncutf::core::rename {

struct Recipe;

/// Gathers what a recipe needs for each file before planning: stat data, the metadata fields it
/// names (fast mode first; a file whose fast read cannot hold a named field is read again in
/// extended mode) and CRC32 hashes (from the hash cache; the rest computed when allowed, so a
/// CLI run never leaves a hash module without data). Nothing is loaded that the recipe does not
/// use. A file that could not be read keeps empty data, so the planner flags it missing_data.
/// Owner: the front end (CLI command, GUI preview worker). Threading: load() blocks its thread,
/// which must be able to run a nested QEventLoop (main thread or a QThread), like the
/// MetadataLoader and BatchHasher it drives; pools and caches are shared and thread-safe.
class RenameInputLoader final {
public:
    struct Options {
        concurrency::ThreadPoolManager *pool = nullptr;
        metadata::ExifToolPool *exiftool = nullptr;
        db::MetadataCache *metadataCache = nullptr;
        db::HashCache *hashCache = nullptr;
        /// False: only cached hashes are used (the GUI, where hashing is an explicit action).
        bool computeMissingHashes = true;
        /// False: files whose metadata is not given in `known` are left unloaded (the planner
        /// flags them missing_data) instead of being read: the GUI while its own metadata job
        /// runs, so one file is never read twice at once.
        bool readMissingMetadata = true;
    };

    struct Callbacks {
        std::function<bool()> isCancelled;
        /// `phase` is "metadata" or "hashes".
        std::function<void(const QString &phase, qint64 done, qint64 total)> progress;
    };

    struct Outcome {
        QList<RenameInput> inputs; ///< in the order of the files given
        QStringList problems;      ///< per-file read errors, "path: message", for the user
        qint64 metadataRead = 0;
        qint64 hashesComputed = 0;
        bool cancelled = false;
    };

    /// The metadata keys `recipe` reads from the metadata engine (file:mtime/ctime excluded).
    [[nodiscard]] static QStringList metadataKeys(const Recipe &recipe);

    explicit RenameInputLoader(Options options);
    /// `known`: metadata the caller already holds, by path (the GUI's table); used as it is
    /// (an extended record is never read again), so only the other files are read.
    [[nodiscard]] Outcome load(const QList<files::FileEntry> &files, const Recipe &recipe, const Callbacks &callbacks,
                               const QHash<QByteArray, metadata::MetadataRecord> &known = {}) const;

private:
    Options m_options;
};

} // namespace oncutf::core::rename
