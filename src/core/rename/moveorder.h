#pragma once
// Executor-private: checks a set of moves against the disk and orders it so that every rename
// lands on a free name.

#include "core/error.h"
#include "core/rename/renameplan.h"

#include <QByteArray>
#include <QList>

namespace oncutf::core::rename {

/// One move in execution order.
struct OrderedMove {
    qsizetype input = -1; ///< index in the caller's list
    QByteArray oldPath;
    QByteArray newPath;
    /// Parked under a temporary name in its own folder before any other rename of the batch:
    /// the head of a cycle (a<->b, a->b->c->a) or a case-only rename.
    bool needsTemp = false;
    /// The target holds a file outside the batch (replaceExisting): park it in the holding folder
    /// right before this move.
    bool needsHolding = false;
};

struct RejectedMove {
    qsizetype input = -1;
    Move move;
    Error error;
};

struct MoveOrder {
    /// The moves that can run, in the order of their final renames: chains from their free end,
    /// cycles right after their head was parked.
    QList<OrderedMove> moves;
    /// Moves that cannot run, with the reason; a move whose target stays taken because the move
    /// that would free it was rejected is rejected too.
    QList<RejectedMove> rejected;
};

/// Validates and orders moves (see docs/rename-safety.md). Looks at the disk (lstat) but changes
/// nothing. Owner: RenameExecutor.
/// Threading: static and reentrant.
class MoveOrderer final {
public:
    MoveOrderer() = delete;

    static MoveOrder order(const QList<Move> &moves);

    /// `<folder of oldPath>/.oncutf-tmp-<batch>-<n>-<name>`, cut to 255 bytes on a UTF-8 boundary.
    static QByteArray tempPathFor(const QByteArray &oldPath, qint64 batchId, qint64 n);
    /// `<folder of newPath>/.oncutf-holding/<batch>/<name>`.
    static QByteArray holdingPathFor(const QByteArray &newPath, qint64 batchId);
    /// True when both names differ only in letter case (Unicode case folding for UTF-8 names).
    static bool isCaseOnlyChange(const QByteArray &oldPath, const QByteArray &newPath);
};

} // namespace oncutf::core::rename
