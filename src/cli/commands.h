#pragma once

#include <QString>
#include <QStringList>
#include <QStringView>

#include <functional>
#include <vector>

namespace oncutf::cli {

class CliContext;

/// One sub-command of oncutf-cli. `usage` is the synopsis after the global options, starting with
/// the command name ("scan [--recursive] PATH..."). `run` receives the arguments after the command
/// name (surrogate-escaped, see CliContext) and returns the exit code (kExitSuccess, kExitFailure,
/// kExitUsage). Threading: the table is immutable; run() is called on the main thread.
struct CliCommand {
    QString name;
    QString summary;
    QString usage;
    std::function<int(CliContext &, const QStringList &args)> run;
};

/// Every command, in the order `oncutf-cli --help` lists them. New commands add one line to the
/// table in commands.cpp.
const std::vector<CliCommand> &allCommands();

/// The command called `name`, or nullptr.
const CliCommand *findCommand(QStringView name);

/// "help, scan, ...": the command names for error messages.
QString commandNames();

/// The whole command line: `oncutf-cli [GLOBAL OPTIONS] COMMAND [ARGS]`. `arguments` holds the
/// program name first, then the arguments decoded with core::files::fsDecode(). Returns the exit
/// code. Threading: main thread, with a QCoreApplication.
int runCommandLine(const QStringList &arguments);

/// Ctrl-C / SIGTERM, delivered on the main thread's event loop (ShutdownCoordinator's self-pipe):
/// the first asks the running command to stop at a safe point (CliContext::requestCancel), a
/// second one ends the process at once with exit code 130 (an interrupted rename is repaired by
/// the journal at the next start or by `oncutf-cli recover`). Threading: main thread.
void handleInterrupt(int signalNumber);

} // namespace oncutf::cli
