#include "core/rename/moveorder.h"

#include "core/rename/nativerename.h"

#include <QFile>
#include <QHash>
#include <QPair>
#include <QString>

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>

namespace oncutf::core::rename {

namespace {

constexpr qsizetype kMaxNameBytes = 255;
constexpr qsizetype kNone = -1;
// From this many sources and targets in one folder on, one readdir beats an lstat per name.
constexpr qsizetype kListingThreshold = 32;

QString shown(const QByteArray &path)
{
    return QFile::decodeName(path);
}

std::optional<QString> strictUtf8(const QByteArray &bytes)
{
    QString text = QString::fromUtf8(bytes);
    if (text.toUtf8() != bytes)
        return std::nullopt;
    return text;
}

// Why a path cannot take part in a rename, or nothing when it can.
std::optional<QString> pathProblem(const QByteArray &path)
{
    if (path.isEmpty() || !path.startsWith('/'))
        return QStringLiteral("is not an absolute path");
    if (path.contains('\0'))
        return QStringLiteral("contains a NUL byte");
    const QByteArrayView name = NativeRename::nameViewOf(path);
    if (name.isEmpty() || name == "." || name == "..")
        return QStringLiteral("has no file name");
    if (name.size() > kMaxNameBytes)
        return QStringLiteral("has a name over 255 bytes");
    return std::nullopt;
}

bool isAsciiLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// True when the folder tells names apart by letter case: a listed name with its ASCII letters
// flipped is no other name of the same entry. No name with a letter to flip: not known, false.
bool tellsCaseApart(const QByteArray &folder, const FolderListing &listing)
{
    for (const std::string_view name : listing.names()) {
        if (std::none_of(name.begin(), name.end(), isAsciiLetter))
            continue;
        QByteArray flipped(name.data(), qsizetype(name.size()));
        for (char &c : flipped) {
            if (isAsciiLetter(c))
                c = char(c ^ 0x20);
        }
        if (listing.contains(flipped))
            return true; // both spellings are entries of their own
        QByteArray path = folder;
        if (!path.endsWith('/'))
            path += '/';
        return !NativeRename::identity(path + flipped).has_value();
    }
    return false;
}

bool isAscii(QByteArrayView bytes)
{
    return std::all_of(bytes.begin(), bytes.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

} // namespace

bool MoveOrderer::isCaseOnlyChange(const QByteArray &oldPath, const QByteArray &newPath)
{
    if (oldPath == newPath || NativeRename::parentOf(oldPath) != NativeRename::parentOf(newPath))
        return false;
    const QByteArrayView oldName = NativeRename::nameViewOf(oldPath);
    const QByteArrayView newName = NativeRename::nameViewOf(newPath);
    // Plain ASCII folds to ASCII lower case, so most names need no trip through QString.
    if (isAscii(oldName) && isAscii(newName))
        return oldName.compare(newName, Qt::CaseInsensitive) == 0;
    const auto a = strictUtf8(NativeRename::nameOf(oldPath));
    const auto b = strictUtf8(NativeRename::nameOf(newPath));
    if (!a || !b)
        return false;
    return a->toCaseFolded() == b->toCaseFolded();
}

QByteArray MoveOrderer::tempPathFor(const QByteArray &oldPath, qint64 batchId, qint64 n)
{
    QByteArray name = ".oncutf-tmp-" + QByteArray::number(batchId) + '-' + QByteArray::number(n) + '-'
                      + NativeRename::nameOf(oldPath);
    if (name.size() > kMaxNameBytes) {
        qsizetype cut = kMaxNameBytes;
        // Step back over UTF-8 continuation bytes so the cut never splits a character.
        while (cut > 0 && (static_cast<unsigned char>(name.at(cut)) & 0xC0U) == 0x80U)
            --cut;
        name.truncate(cut);
    }
    QByteArray folder = NativeRename::parentOf(oldPath);
    if (!folder.endsWith('/'))
        folder += '/';
    return folder + name;
}

QByteArray MoveOrderer::holdingPathFor(const QByteArray &newPath, qint64 batchId)
{
    QByteArray folder = NativeRename::parentOf(newPath);
    if (!folder.endsWith('/'))
        folder += '/';
    return folder + ".oncutf-holding/" + QByteArray::number(batchId) + '/' + NativeRename::nameOf(newPath);
}

MoveOrder MoveOrderer::order(const QList<Move> &moves)
{
    const qsizetype n = moves.size();
    MoveOrder result;
    QList<bool> alive(n, true);
    QList<qsizetype> blocker(n, kNone); // the move that must vacate this move's target first
    QList<bool> holding(n, false);

    auto reject = [&](qsizetype i, ErrorCode code, const QString &message, const QByteArray &path) {
        if (!alive[i])
            return;
        alive[i] = false;
        result.rejected.append({i, moves.at(i), makeError(code, message, shown(path))});
    };

    // Facts about each folder, looked up once per folder instead of once per move: a batch of
    // 100,000 renames in one folder would otherwise stat that folder 100,000 times.
    struct Folder {
        QByteArray path;
        qsizetype uses = 0;
        bool looked = false;
        std::optional<FileIdentity> id; // stat(), symlinks followed
        std::shared_ptr<const FolderListing> listing;
        bool caseSensitive = false;
    };
    QList<Folder> folders;
    QHash<QByteArray, qsizetype> folderIndex;
    auto folderOf = [&](const QByteArray &path) -> qsizetype {
        // Moves come grouped by folder, so the last folder is nearly always the one: compared in
        // place, without building the parent path.
        const qsizetype slash = path.lastIndexOf('/');
        if (!folders.isEmpty() && slash > 0) {
            const QByteArray &last = folders.constLast().path;
            if (last.size() == slash && QByteArrayView(path).first(slash) == QByteArrayView(last))
                return folders.size() - 1;
        }
        QByteArray parent = NativeRename::parentOf(path);
        const auto it = folderIndex.constFind(parent);
        if (it != folderIndex.cend())
            return it.value();
        folders.append(Folder{parent, 0, false, std::nullopt, nullptr, false});
        folderIndex.insert(std::move(parent), folders.size() - 1);
        return folders.size() - 1;
    };
    auto folderAt = [&](qsizetype index) -> const Folder & {
        Folder &f = folders[index];
        if (!f.looked) {
            f.looked = true;
            // A folder reached through a symlink is fine: follow it.
            f.id = NativeRename::identity(f.path, true);
            if (f.id && f.id->isDirectory && f.uses >= kListingThreshold) {
                if (auto listing = FolderListing::read(f.path)) {
                    f.caseSensitive = tellsCaseApart(f.path, *listing);
                    f.listing = std::make_shared<const FolderListing>(std::move(*listing));
                }
            }
        }
        return f;
    };

    QList<qsizetype> oldFolder(n, kNone);
    QList<qsizetype> newFolder(n, kNone);
    for (qsizetype i = 0; i < n; ++i) {
        const Move &m = moves.at(i);
        if (auto problem = pathProblem(m.oldPath)) {
            reject(i, ErrorCode::InvalidArgument, QStringLiteral("the old name %1").arg(*problem), m.oldPath);
            continue;
        }
        if (auto problem = pathProblem(m.newPath)) {
            reject(i, ErrorCode::InvalidArgument, QStringLiteral("the new name %1").arg(*problem), m.newPath);
            continue;
        }
        oldFolder[i] = folderOf(m.oldPath);
        newFolder[i] = folderOf(m.newPath);
        ++folders[oldFolder[i]].uses;
        ++folders[newFolder[i]].uses;
    }

    // Names, duplicates and sources.
    QHash<QByteArray, qsizetype> bySource;
    QHash<QByteArray, qsizetype> byTarget;
    bySource.reserve(n);
    byTarget.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const Move &m = moves.at(i);
        if (!alive[i])
            continue;
        if (m.oldPath == m.newPath) {
            reject(i, ErrorCode::InvalidArgument, QStringLiteral("the new name is the old one"), m.oldPath);
            continue;
        }
        if (bySource.contains(m.oldPath)) {
            reject(i, ErrorCode::InvalidArgument, QStringLiteral("the file appears twice in the batch"), m.oldPath);
            continue;
        }
        if (byTarget.contains(m.newPath)) {
            reject(i, ErrorCode::AlreadyExists,
                   QStringLiteral("two files of the batch want the name %1").arg(shown(m.newPath)), m.oldPath);
            continue;
        }
        // A name in the listing exists (the rename itself fails cleanly if it vanished since);
        // one missing from it may have been created after the listing, so lstat decides.
        const Folder &from = folderAt(oldFolder[i]);
        const bool listed = from.listing && from.listing->contains(NativeRename::nameViewOf(m.oldPath));
        if (!listed && !NativeRename::identity(m.oldPath)) {
            reject(i, ErrorCode::NotFound, QStringLiteral("the file no longer exists"), m.oldPath);
            continue;
        }
        bySource.insert(m.oldPath, i);
        byTarget.insert(m.newPath, i);
    }

    // The sources by inode, for a target that is a batch file under another spelling; built
    // only when some target is taken, since it costs an lstat per source.
    std::optional<QHash<QPair<quint64, quint64>, qsizetype>> bySourceId;
    auto sourceWithIdentity = [&](const FileIdentity &id) -> qsizetype {
        if (!bySourceId) {
            bySourceId.emplace();
            for (qsizetype j = 0; j < n; ++j) {
                if (!alive[j])
                    continue;
                if (const auto sourceId = NativeRename::identity(moves.at(j).oldPath))
                    bySourceId->insert({sourceId->device, sourceId->inode}, j);
            }
        }
        return bySourceId->value({id.device, id.inode}, kNone);
    };

    // Targets: free, vacated by another move of the batch, or held (replaceExisting).
    for (qsizetype i = 0; i < n; ++i) {
        if (!alive[i])
            continue;
        const Move &m = moves.at(i);
        const Folder &to = folderAt(newFolder[i]);
        if (!to.id || !to.id->isDirectory) {
            reject(i, ErrorCode::NotFound, QStringLiteral("the target folder %1 does not exist").arg(shown(to.path)),
                   m.oldPath);
            continue;
        }
        if (oldFolder[i] != newFolder[i]) {
            const Folder &from = folderAt(oldFolder[i]);
            if (from.id && from.id->device != to.id->device) {
                reject(i, ErrorCode::Unsupported,
                       QStringLiteral("the new name %1 is on another file system").arg(shown(m.newPath)), m.oldPath);
                continue;
            }
        }
        if (const auto it = bySource.constFind(m.newPath); it != bySource.cend()) {
            blocker[i] = it.value();
            continue;
        }
        if (isCaseOnlyChange(m.oldPath, m.newPath)) {
            // Always through a temporary name: on a case-insensitive file system the target is
            // this very file, and a direct rename there may be refused or do nothing.
            blocker[i] = i;
            continue;
        }
        // Free by the listing: only trusted where the folder tells case apart (elsewhere a name
        // differing in case would be the same entry). Something created there afterwards makes
        // the no-clobber rename fail and the batch roll back, as with an lstat done earlier.
        if (to.listing && to.caseSensitive && !to.listing->contains(NativeRename::nameViewOf(m.newPath)))
            continue;
        const auto targetId = NativeRename::identity(m.newPath);
        if (!targetId)
            continue;
        // On a case-insensitive file system the target may be another batch file under a name
        // differing in case only: it is vacated when that file moves.
        qsizetype alias = kNone;
        if (const qsizetype j = sourceWithIdentity(*targetId); j != kNone) {
            if (alive[j] && isCaseOnlyChange(m.newPath, moves.at(j).oldPath))
                alias = j;
        }
        if (alias != kNone) {
            blocker[i] = alias;
            continue;
        }
        if (m.replaceExisting) {
            holding[i] = true;
            continue;
        }
        reject(i, ErrorCode::AlreadyExists,
               QStringLiteral("the new name %1 is taken by a file outside the batch").arg(shown(m.newPath)), m.oldPath);
    }

    // A move waiting on a rejected one would find its target still taken: reject it too, and so on
    // down the chain.
    QList<qsizetype> waiter(n, kNone);
    for (qsizetype i = 0; i < n; ++i) {
        if (alive[i] && blocker[i] != kNone && blocker[i] != i)
            waiter[blocker[i]] = i;
    }
    for (qsizetype i = 0; i < n; ++i) {
        if (alive[i])
            continue;
        for (qsizetype w = waiter[i]; w != kNone && alive[w]; w = waiter[w]) {
            reject(w, ErrorCode::AlreadyExists,
                   QStringLiteral("the new name %1 stays taken: that file cannot be renamed")
                       .arg(shown(moves.at(w).newPath)),
                   moves.at(w).oldPath);
        }
    }
    for (qsizetype i = 0; i < n; ++i) {
        if (blocker[i] == i)
            waiter[i] = i;
    }

    QList<bool> emitted(n, false);
    auto emitMove = [&](qsizetype i, bool temp) {
        emitted[i] = true;
        const Move &m = moves.at(i);
        result.moves.append({i, m.oldPath, m.newPath, temp, holding[i]});
    };
    // Chains, each from its free end: the move whose target is free goes first, then the one
    // waiting for the name it vacated.
    for (qsizetype i = 0; i < n; ++i) {
        if (!alive[i] || blocker[i] != kNone)
            continue;
        for (qsizetype cur = i; cur != kNone && !emitted[cur]; cur = waiter[cur])
            emitMove(cur, false);
    }
    // What is left is cycles: park the head, run the rest as a chain, then the head from its
    // temporary name.
    for (qsizetype head = 0; head < n; ++head) {
        if (!alive[head] || emitted[head])
            continue;
        emitted[head] = true;
        for (qsizetype cur = waiter[head]; cur != kNone && cur != head && !emitted[cur]; cur = waiter[cur])
            emitMove(cur, false);
        emitted[head] = false;
        emitMove(head, true);
    }
    return result;
}

} // namespace oncutf::core::rename
