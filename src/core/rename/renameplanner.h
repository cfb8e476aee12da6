#pragma once

#include "core/rename/recipe.h"
#include "core/rename/renameinput.h"
#include "core/rename/renameplan.h"

#include <QByteArray>
#include <QList>

#include <functional>

namespace oncutf::core::rename {

/// Turns a recipe and the files it applies to into a checked RenamePlan, writing nothing to disk
/// (except a probe file, created and removed at once, in a folder where the case sensitivity of
/// the file system cannot be told from existing names).
///
/// Steps: companions are grouped (CompanionGrouper) and follow their main; the mains are sorted
/// (name, natural, mtime, size, capture_date; stable), named (NameBuilder) and validated
/// (FileNameValidator); then duplicates within the batch and conflicts with existing files are
/// found. Each target folder is listed once into a hash set; names compare case-insensitively
/// where the folder's file system does (probed per folder). A name freed by another file of the
/// batch that moves away is not a conflict, so swaps, cycles, chains and shifts
/// (file1..file9 -> file2..file10) plan cleanly; the executor orders them through temporary names.
/// Finally the conflict policy: fail refuses the plan on any problem row; skip leaves problem
/// rows alone (a skipped file keeps its name, which may turn others into conflicts, to a fixed
/// point); suffix appends the recipe's suffix ("_{n}") until the name is free in the batch and on
/// disk; overwrite replaces existing files outside the batch (never a file of the batch).
/// Everything is O(n) hashing apart from the sort.
/// Owner: the CLI preview/apply commands and the GUI preview model.
/// Threading: plan() is const and reentrant; run it off the GUI thread for large batches.
class RenamePlanner final {
public:
    explicit RenamePlanner(Recipe recipe);

    [[nodiscard]] const Recipe &recipe() const { return m_recipe; }

    /// The plan for `inputs` (absolute paths; duplicates of one path are planned once).
    /// `isCancelled` is polled every 1024 files; a cancelled plan is not runnable.
    [[nodiscard]] RenamePlan plan(const QList<RenameInput> &inputs,
                                  const std::function<bool()> &isCancelled = {}) const;

    /// Whether names in `folder` compare case-insensitively (vfat, exfat, ntfs3, ext4 casefold
    /// folders...): stats the case-swapped variant of an existing name, else creates and removes
    /// a probe file. A folder that cannot be read or probed is taken as case-sensitive.
    [[nodiscard]] static bool isCaseInsensitiveFolder(const QByteArray &folder);

private:
    Recipe m_recipe;
};

} // namespace oncutf::core::rename
