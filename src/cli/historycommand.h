#pragma once

#include <QStringList>

namespace oncutf::cli {

class CliContext;

/// `oncutf-cli history [--limit N] [--json]`: the applied, undone and redone batches, newest
/// first (id, kind, state, time, files, folder); --json adds each batch's recipe.
/// `oncutf-cli undo [BATCH] [--json]`: reverts a batch (default: the last one still applied)
/// through the journaled executor after checking every file is where the batch left it; files
/// that moved since are reported and left alone. `oncutf-cli redo [BATCH] [--json]` applies an
/// undone batch again. `oncutf-cli recover`: repairs batches a crash interrupted (every file back
/// under its old name); every rename command also does this first.
/// Exit codes: 0 done, 1 failure or some files could not be reverted, 2 usage.
/// Threading: main thread, with a QCoreApplication.
int runHistoryCommand(CliContext &ctx, const QStringList &args);
int runUndoCommand(CliContext &ctx, const QStringList &args);
int runRedoCommand(CliContext &ctx, const QStringList &args);
int runRecoverCommand(CliContext &ctx, const QStringList &args);

} // namespace oncutf::cli
