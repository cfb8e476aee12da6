#include "core/rename/renameinputloader.h"

#include "core/db/hashcache.h"
#include "core/hash/batchhasher.h"
#include "core/logging.h"
#include "core/metadata/exiv2reader.h"
#include "core/metadata/metadataloader.h"
#include "core/rename/recipe.h"

#include <QHash>
#include <QSet>

#include <sys/stat.h>

namespace oncutf::core::rename {

namespace {

// The tag part of "Group:Tag" (a bare "Tag" stays itself).
QStringView tagOf(QStringView key)
{
    const qsizetype colon = key.lastIndexOf(QLatin1Char(':'));
    return colon < 0 ? key : key.mid(colon + 1);
}

bool isFileStatKey(const QString &key)
{
    return key == QLatin1String("file:mtime") || key == QLatin1String("file:ctime");
}

// True when `fields` holds `key`: "Group:Tag" exactly, a bare "Tag" under any group.
bool hasField(const QJsonObject &fields, const QString &key)
{
    if (key.contains(QLatin1Char(':')))
        return fields.contains(key);
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        if (tagOf(it.key()) == key)
            return true;
    }
    return false;
}

// Keys the fast path can produce: when one of these is absent after a fast read, the file
// simply does not have it; any other key may need an extended (ExifTool -a -ee) read.
bool fastReadCanHold(const QString &key)
{
    static const QSet<QString> fullKeys = [] {
        const QStringList &keys = metadata::Exiv2Reader::keys();
        return QSet<QString>(keys.begin(), keys.end());
    }();
    static const QSet<QString> tags = [] {
        QSet<QString> out;
        for (const QString &known : metadata::Exiv2Reader::keys())
            out.insert(tagOf(known).toString());
        return out;
    }();
    return key.contains(QLatin1Char(':')) ? fullKeys.contains(key) : tags.contains(key);
}

} // namespace

QStringList RenameInputLoader::metadataKeys(const Recipe &recipe)
{
    QStringList keys;
    const auto add = [&keys](const QString &key) {
        if (!isFileStatKey(key) && !keys.contains(key))
            keys.append(key);
    };
    for (const QString &key : recipe.requiredMetadataFields()) {
        if (key == QLatin1String("capture_date")) {
            for (const QString &dateKey : captureDateFields())
                add(dateKey);
        } else {
            add(key);
        }
    }
    if (recipe.needsCaptureDate()) {
        for (const QString &dateKey : captureDateFields())
            add(dateKey);
    }
    return keys;
}

RenameInputLoader::RenameInputLoader(Options options) : m_options(options) {}

RenameInputLoader::Outcome RenameInputLoader::load(const QList<files::FileEntry> &files, const Recipe &recipe,
                                                   const Callbacks &callbacks,
                                                   const QHash<QByteArray, metadata::MetadataRecord> &known) const
{
    Outcome outcome;
    const auto cancelled = [&callbacks] { return callbacks.isCancelled && callbacks.isCancelled(); };
    outcome.inputs.reserve(files.size());
    const QStringList keys = metadataKeys(recipe);
    bool wantsCtime = false;
    for (const RecipeModule &module : recipe.modules)
        wantsCtime = wantsCtime || (module.enabled && (module.field == QLatin1String("file:ctime") || module.groupBy == QLatin1String("file:ctime")));
    for (const files::FileEntry &file : files) {
        RenameInput input;
        input.path = file.path;
        input.size = file.size;
        input.mtimeNs = file.mtimeNs;
        if (wantsCtime) {
            struct stat st {};
            if (::lstat(file.path.constData(), &st) == 0)
                input.ctimeNs = qint64(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
        }
        outcome.inputs.append(std::move(input));
    }

    // Metadata: fast first, then extended for the files whose fast read could not hold a key.
    if (!keys.isEmpty()) {
        QList<QByteArray> paths;
        paths.reserve(files.size());
        for (const files::FileEntry &file : files)
            paths.append(file.path);
        metadata::MetadataLoader::Options options;
        options.pool = m_options.pool;
        options.exiftool = m_options.exiftool;
        options.cache = m_options.metadataCache;
        const metadata::MetadataLoader loader(options);
        const auto runMode = [&](const QList<QByteArray> &which, const QList<qsizetype> &indexes,
                                 metadata::MetadataMode mode) {
            metadata::MetadataLoader::Callbacks cb;
            cb.isCancelled = callbacks.isCancelled;
            if (callbacks.progress) {
                cb.progress = [&callbacks](qint64 done, qint64 total, const QByteArray &) {
                    callbacks.progress(QStringLiteral("metadata"), done, total);
                };
            }
            const metadata::MetadataLoader::Outcome result = loader.run(which, mode, cb);
            for (const metadata::MetadataRecord &record : result.records) {
                if (record.index < 0 || record.index >= indexes.size())
                    continue;
                RenameInput &input = outcome.inputs[indexes.at(record.index)];
                if (record.ok()) {
                    input.metadata = record.fields;
                    input.metadataLoaded = true;
                    ++outcome.metadataRead;
                } else {
                    outcome.problems.append(QString::fromUtf8(input.path) + QStringLiteral(": ")
                                            + record.error->message);
                }
            }
            return !result.cancelled;
        };
        // What the front end already holds is used as it is; only the rest is read.
        QList<QByteArray> toRead;
        QList<qsizetype> toReadIndexes;
        QSet<qsizetype> extendedKnown;
        for (qsizetype i = 0; i < files.size(); ++i) {
            const auto it = known.constFind(files.at(i).path);
            if (it != known.constEnd() && it->ok()) {
                RenameInput &input = outcome.inputs[i];
                input.metadata = it->fields;
                input.metadataLoaded = true;
                if (it->mode == metadata::MetadataMode::Extended)
                    extendedKnown.insert(i);
            } else if (m_options.readMissingMetadata) {
                toRead.append(paths.at(i));
                toReadIndexes.append(i);
            }
        }
        if (!toRead.isEmpty() && (!runMode(toRead, toReadIndexes, metadata::MetadataMode::Fast) || cancelled())) {
            outcome.cancelled = true;
            return outcome;
        }
        QList<QByteArray> again;
        QList<qsizetype> againIndexes;
        for (qsizetype i = 0; i < outcome.inputs.size(); ++i) {
            const RenameInput &input = outcome.inputs.at(i);
            if (!input.metadataLoaded || extendedKnown.contains(i) || !m_options.readMissingMetadata)
                continue;
            for (const QString &key : keys) {
                if (captureDateFields().contains(key))
                    continue; // alternatives: the planner takes the first one present
                if (!fastReadCanHold(key) && !hasField(input.metadata, key)) {
                    again.append(input.path);
                    againIndexes.append(i);
                    break;
                }
            }
        }
        if (!again.isEmpty() && (!runMode(again, againIndexes, metadata::MetadataMode::Extended) || cancelled())) {
            outcome.cancelled = true;
            return outcome;
        }
    }

    if (recipe.needsHash()) {
        hash::BatchHasher::Options options;
        options.pool = m_options.pool;
        options.cache = m_options.hashCache;
        QList<QByteArray> paths;
        QList<qsizetype> indexes;
        if (m_options.computeMissingHashes) {
            for (qsizetype i = 0; i < files.size(); ++i) {
                paths.append(files.at(i).path);
                indexes.append(i);
            }
        } else if (m_options.hashCache != nullptr) {
            // Only what the cache already knows: size and mtime must still match.
            QList<db::HashQuery> queries;
            for (const files::FileEntry &file : files)
                queries.append(db::HashQuery{file.path, db::FileStamp{file.size, file.mtimeNs}});
            auto hits = m_options.hashCache->getMany(queries, QString(hash::BatchHasher::kAlgorithm));
            if (hits) {
                for (RenameInput &input : outcome.inputs) {
                    const auto it = hits->constFind(input.path);
                    if (it != hits->constEnd())
                        input.crc32 = it->value;
                }
            } else {
                outcome.problems.append(QStringLiteral("hash cache: ") + hits.error().message);
            }
        }
        if (!paths.isEmpty()) {
            const hash::BatchHasher hasher(options);
            hash::BatchHasher::Callbacks cb;
            cb.isCancelled = callbacks.isCancelled;
            if (callbacks.progress) {
                cb.progress = [&callbacks](qint64, qint64, qint64 filesDone, qint64 filesTotal, const QByteArray &) {
                    callbacks.progress(QStringLiteral("hashes"), filesDone, filesTotal);
                };
            }
            const hash::BatchHasher::Outcome result = hasher.run(paths, cb);
            outcome.hashesComputed = result.filesRead;
            for (const hash::HashResult &hashed : result.results) {
                if (hashed.index < 0 || hashed.index >= indexes.size())
                    continue;
                RenameInput &input = outcome.inputs[indexes.at(hashed.index)];
                if (hashed.crc)
                    input.crc32 = QStringLiteral("%1").arg(*hashed.crc, 8, 16, QLatin1Char('0'));
                else if (hashed.error)
                    outcome.problems.append(QString::fromUtf8(input.path) + QStringLiteral(": ") + hashed.error->message);
            }
            if (result.cancelled) {
                outcome.cancelled = true;
                return outcome;
            }
        }
    }
    outcome.cancelled = cancelled();
    return outcome;
}

} // namespace oncutf::core::rename
