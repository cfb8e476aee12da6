#pragma once

#include <QStringList>

namespace oncutf::cli {

class CliContext;

/// Exit code of preview/apply when the plan is refused (on_conflict=fail with problem rows, or
/// nothing to do that is valid).
inline constexpr int kExitPlanRefused = 3;

/// `oncutf-cli preview|apply (--recipe FILE | --template T) [--recursive] [--hidden] [--sort KEY]
///  [--reverse] [--on-conflict fail|skip|suffix|overwrite] [--jobs N] [--json] PATH...`
///
/// Lists the files under PATH, loads what the recipe needs (metadata fields, CRC32 hashes; from
/// the caches when they are current), builds and checks the whole plan, and prints one row per
/// file: old name, new name, status (ok, unchanged, invalid, duplicate, conflict, missing_data)
/// and the reason. apply then runs the plan through the journaled executor (nothing changes when
/// the plan is refused). --json prints {"items": [{"old", "new", "status", "reason", "action"}],
/// "summary": {...}, "batch": ID-or-null} with absolute paths (surrogateescape for bytes that are
/// not UTF-8). Exit codes: 0 done, 1 failure (or cancelled), 2 usage (also a bad recipe),
/// 3 plan refused. `apply` records a batch that `undo` reverts.
/// Threading: main thread, with a QCoreApplication.
int runPreviewCommand(CliContext &ctx, const QStringList &args);
int runApplyCommand(CliContext &ctx, const QStringList &args);

} // namespace oncutf::cli
