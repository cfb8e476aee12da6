#include "core/rename/moveorder.h"

#include "core/rename/nativerename.h"

#include <QFile>
#include <QHash>
#include <QPair>
#include <QString>

#include <optional>

namespace oncutf::core::rename {

namespace {

constexpr qsizetype kMaxNameBytes = 255;
constexpr qsizetype kNone = -1;

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
    const QByteArray name = NativeRename::nameOf(path);
    if (name.isEmpty() || name == "." || name == "..")
        return QStringLiteral("has no file name");
    if (name.size() > kMaxNameBytes)
        return QStringLiteral("has a name over 255 bytes");
    return std::nullopt;
}

} // namespace

bool MoveOrderer::isCaseOnlyChange(const QByteArray &oldPath, const QByteArray &newPath)
{
    if (oldPath == newPath || NativeRename::parentOf(oldPath) != NativeRename::parentOf(newPath))
        return false;
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
    QList<std::optional<FileIdentity>> sourceIds(n);
    QList<qsizetype> blocker(n, kNone); // the move that must vacate this move's target first
    QList<bool> holding(n, false);

    auto reject = [&](qsizetype i, ErrorCode code, const QString &message, const QByteArray &path) {
        if (!alive[i])
            return;
        alive[i] = false;
        result.rejected.append({i, moves.at(i), makeError(code, message, shown(path))});
    };

    // Names, duplicates and sources.
    QHash<QByteArray, qsizetype> bySource;
    QHash<QByteArray, qsizetype> byTarget;
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
        sourceIds[i] = NativeRename::identity(m.oldPath);
        if (!sourceIds[i]) {
            reject(i, ErrorCode::NotFound, QStringLiteral("the file no longer exists"), m.oldPath);
            continue;
        }
        bySource.insert(m.oldPath, i);
        byTarget.insert(m.newPath, i);
    }

    QHash<QPair<quint64, quint64>, qsizetype> bySourceId;
    for (qsizetype i = 0; i < n; ++i) {
        if (alive[i])
            bySourceId.insert({sourceIds[i]->device, sourceIds[i]->inode}, i);
    }

    // Targets: free, vacated by another move of the batch, or held (replaceExisting).
    for (qsizetype i = 0; i < n; ++i) {
        if (!alive[i])
            continue;
        const Move &m = moves.at(i);
        const QByteArray oldFolder = NativeRename::parentOf(m.oldPath);
        const QByteArray newFolder = NativeRename::parentOf(m.newPath);
        // A folder reached through a symlink is fine: follow it.
        const auto folderId = NativeRename::identity(newFolder, true);
        if (!folderId || !folderId->isDirectory) {
            reject(i, ErrorCode::NotFound, QStringLiteral("the target folder %1 does not exist").arg(shown(newFolder)),
                   m.oldPath);
            continue;
        }
        if (oldFolder != newFolder) {
            const auto oldFolderId = NativeRename::identity(oldFolder, true);
            if (oldFolderId && oldFolderId->device != folderId->device) {
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
        const auto targetId = NativeRename::identity(m.newPath);
        if (!targetId)
            continue;
        // On a case-insensitive file system the target may be another batch file under a name
        // differing in case only: it is vacated when that file moves.
        qsizetype alias = kNone;
        if (const auto it = bySourceId.constFind({targetId->device, targetId->inode}); it != bySourceId.cend()) {
            const qsizetype j = it.value();
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
