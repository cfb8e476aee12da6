#pragma once
// The contract between the rename planner (recipe -> checked plan), the journaled executor
// (plan -> disk) and the front ends (CLI tables and JSON, GUI preview table).

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace oncutf::core::rename {

/// One status per file, as the preview shows it and `--json` prints it.
enum class ItemStatus {
    Ok,          ///< will be renamed
    Unchanged,   ///< the new name is the old one
    Invalid,     ///< empty, '/', NUL, "." or "..", over 255 bytes, control characters, ...
    Duplicate,   ///< two files of the batch want one name
    Conflict,    ///< an existing file outside the batch holds the name
    MissingData, ///< a metadata field or hash the name needs is absent
};

/// What the executor does with an item once the conflict policy has been applied.
enum class ItemAction {
    None,      ///< unchanged, nothing to do
    Rename,    ///< old -> new
    Overwrite, ///< old -> new; the file that held new goes to the holding folder first
    Skip,      ///< left alone (a problem row under skip/suffix/overwrite)
};

/// on_conflict: fail (default) refuses the whole plan when any row has a problem.
enum class ConflictPolicy { Fail, Skip, Suffix, Overwrite };

[[nodiscard]] QString itemStatusName(ItemStatus status);   ///< "ok", "missing_data", ...
[[nodiscard]] QString itemActionName(ItemAction action);   ///< "none", "rename", "overwrite", "skip"
[[nodiscard]] QString conflictPolicyName(ConflictPolicy policy);
[[nodiscard]] std::optional<ConflictPolicy> conflictPolicyFromString(const QString &text);

/// One row of the preview. Paths are absolute native bytes (QFile::encodeName of a clean path).
struct PlanItem {
    QByteArray oldPath;
    QByteArray newPath;     ///< what the recipe (and the suffix policy) produced; oldPath when none
    ItemStatus status = ItemStatus::Ok;
    ItemAction action = ItemAction::None;
    QString reason;         ///< plain words for any status but ok/unchanged; also why a suffix was added
    /// For a companion (sidecar, RAW+JPG partner, subtitle...): the index in `items` of the
    /// main file it follows; companions are never renamed on their own.
    std::optional<qsizetype> companionOf;
    /// Index of the planner input this row came from; -1 for a companion found on disk only.
    qsizetype input = -1;
};

/// One disk operation for the executor, from the plan's Rename/Overwrite rows (companions
/// included). The executor orders them and chooses temporary names itself; the planner only
/// guarantees that the set is consistent: no two moves share a target, and every target is free,
/// the source of another move of the set, or (replaceExisting) a file to park in the holding folder.
struct Move {
    QByteArray oldPath;
    QByteArray newPath;
    bool replaceExisting = false;
};

struct PlanSummary {
    qsizetype total = 0;
    qsizetype ok = 0;
    qsizetype unchanged = 0;
    qsizetype invalid = 0;
    qsizetype duplicate = 0;
    qsizetype conflict = 0;
    qsizetype missingData = 0;
    qsizetype toRename = 0;   ///< moves the executor will do (companions included)
    qsizetype skipped = 0;
};

/// The checked plan. `runnable` is false when the policy refuses it (on_conflict=fail and any
/// problem row, or nothing valid); `refusal` then says why in one sentence.
struct RenamePlan {
    QList<PlanItem> items; ///< in the recipe's sort order (numbering order)
    QList<Move> moves;
    PlanSummary summary;
    ConflictPolicy policy = ConflictPolicy::Fail;
    bool runnable = false;
    QString refusal;
};

} // namespace oncutf::core::rename
