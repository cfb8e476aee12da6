#include "cli/commands.h"

#include "cli/clicontext.h"
#include "cli/dbcommand.h"
#include "cli/comparecommand.h"
#include "cli/duplicatescommand.h"
#include "cli/hashcommand.h"
#include "cli/historycommand.h"
#include "cli/metadatacommand.h"
#include "cli/renamecommand.h"
#include "cli/scancommand.h"

#include <QCoreApplication>

#include <cstdlib>

namespace oncutf::cli {

namespace {

// The context of the command being run, for handleInterrupt(); main thread only.
CliContext *g_activeContext = nullptr;
int g_interrupts = 0;

int runHelpCommand(CliContext &ctx, const QStringList &args);

QString overallHelp()
{
    QString text = QStringLiteral(
        "Usage: oncutf-cli [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
        "oncutf renames batches of files (photos, videos, audio) from their names, metadata and hashes.\n\n"
        "Commands:\n");
    qsizetype width = 0;
    for (const CliCommand &command : allCommands())
        width = qMax(width, command.name.size());
    for (const CliCommand &command : allCommands())
        text += QStringLiteral("  ") + command.name.leftJustified(width + 2) + command.summary + QLatin1Char('\n');
    text += QLatin1Char('\n') + CliContext::globalOptionsHelp();
    text += QStringLiteral("\nRun 'oncutf-cli COMMAND --help' for the options of a command.\n"
                           "Exit codes: 0 success, 1 failure, 2 usage error, 3 rename plan refused.\n");
    return text;
}

int runHelpCommand(CliContext &ctx, const QStringList &args)
{
    if (args.size() > 1)
        return ctx.usageError(QStringLiteral("expected at most one COMMAND"));
    const CliCommand *command = args.isEmpty() ? nullptr : findCommand(args.first());
    if (args.isEmpty() || args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")
        || (command != nullptr && command->name == QLatin1String("help"))) {
        ctx.print(overallHelp());
        return kExitSuccess;
    }
    if (command == nullptr)
        return ctx.usageError(QStringLiteral("unknown command '%1' (commands: %2)").arg(args.first(), commandNames()));
    ctx.setCommand(command);
    return command->run(ctx, QStringList{QStringLiteral("--help")});
}

} // namespace

const std::vector<CliCommand> &allCommands()
{
    // One line per command.
    static const std::vector<CliCommand> commands{
        {QStringLiteral("help"), QStringLiteral("Show help for oncutf-cli or for one command"),
         QStringLiteral("help [COMMAND]"), &runHelpCommand},
        {QStringLiteral("scan"), QStringLiteral("List files with size, modification time and type"),
         QStringLiteral("scan [--recursive] [--hidden] [--follow-symlinks] [--json] PATH..."), &runScanCommand},
        {QStringLiteral("hash"), QStringLiteral("Print or check CRC32 checksums (sha256sum layout)"),
         QStringLiteral("hash [--recursive] [--hidden] [--jobs N] [--no-cache] [--json] PATH... | hash --check LIST"), &runHashCommand},
        {QStringLiteral("duplicates"), QStringLiteral("List groups of byte-identical files"),
         QStringLiteral("duplicates [--recursive] [--hidden] [--jobs N] [--no-cache] [--json] PATH..."), &runDuplicatesCommand},
        {QStringLiteral("compare"), QStringLiteral("Compare two folders file by file: same, different, only in one"),
         QStringLiteral("compare [--recursive] [--hidden] [--jobs N] [--no-cache] [--json] DIR_A DIR_B"), &runCompareCommand},
        {QStringLiteral("metadata"), QStringLiteral("Print metadata (EXIF, XMP, QuickTime...) as ExifTool names it"),
         QStringLiteral("metadata [--extended] [--fields K1,K2] [--recursive] [--hidden] [--jobs N] [--no-cache] [--json] [--stats] PATH..."), &runMetadataCommand},
        {QStringLiteral("preview"), QStringLiteral("Show the new name of every file and its problems; change nothing"),
         QStringLiteral("preview (--recipe FILE | --template T) [--recursive] [--sort KEY] [--on-conflict POLICY] [--json] PATH..."),
         &runPreviewCommand},
        {QStringLiteral("apply"), QStringLiteral("Rename the files (journaled: undo reverts it, a crash is repaired)"),
         QStringLiteral("apply (--recipe FILE | --template T) [--recursive] [--sort KEY] [--on-conflict fail|skip|suffix|overwrite] [--json] PATH..."),
         &runApplyCommand},
        {QStringLiteral("undo"), QStringLiteral("Revert a rename batch (default: the last one)"),
         QStringLiteral("undo [BATCH] [--json]"), &runUndoCommand},
        {QStringLiteral("redo"), QStringLiteral("Apply an undone batch again"),
         QStringLiteral("redo [BATCH] [--json]"), &runRedoCommand},
        {QStringLiteral("history"), QStringLiteral("List the rename batches, newest first"),
         QStringLiteral("history [--limit N] [--json]"), &runHistoryCommand},
        {QStringLiteral("recover"), QStringLiteral("Repair a rename a crash interrupted (files back under their old names)"),
         QStringLiteral("recover"), &runRecoverCommand},
        {QStringLiteral("db"), QStringLiteral("Check, back up, compact or describe the oncutf database"),
         QStringLiteral("db check|backup|vacuum|info [--json]"), &runDbCommand},
    };
    return commands;
}

const CliCommand *findCommand(QStringView name)
{
    for (const CliCommand &command : allCommands()) {
        if (command.name == name)
            return &command;
    }
    return nullptr;
}

void handleInterrupt(int signalNumber)
{
    ++g_interrupts;
    if (g_interrupts >= 2 || g_activeContext == nullptr) {
        std::fputs("\noncutf-cli: interrupted again: exiting now\n", stderr);
        std::_Exit(128 + signalNumber);
    }
    g_activeContext->printError(QStringLiteral("\n"));
    g_activeContext->warn(QStringLiteral("interrupted: stopping at a safe point (interrupt again to quit at once)"));
    g_activeContext->requestCancel();
}

int runCommandLine(const QStringList &arguments)
{
    CliContext ctx;
    g_activeContext = &ctx;
    struct Reset {
        ~Reset() { g_activeContext = nullptr; }
    } reset;
    bool helpRequested = false;
    bool versionRequested = false;

    qsizetype index = 1;
    while (index < arguments.size()) {
        const QString &arg = arguments.at(index);
        if (arg == QLatin1String("--")) {
            ++index;
            break;
        }
        if (!arg.startsWith(QLatin1Char('-')) || arg == QLatin1String("-"))
            break;
        const int used = ctx.takeGlobalOption(arguments, index, helpRequested, versionRequested);
        if (used < 0)
            return kExitUsage;
        if (used == 0)
            return ctx.usageError(QStringLiteral("unknown option '%1'").arg(arg));
        index += used;
    }

    if (versionRequested) {
        ctx.print(QStringLiteral("oncutf-cli %1\n").arg(QCoreApplication::applicationVersion()));
        return kExitSuccess;
    }
    if (index >= arguments.size()) {
        if (helpRequested) {
            ctx.print(overallHelp());
            return kExitSuccess;
        }
        ctx.usageError(QStringLiteral("no command given"));
        ctx.printError(QStringLiteral("Commands: ") + commandNames() + QLatin1Char('\n'));
        return kExitUsage;
    }

    const QString &name = arguments.at(index);
    const CliCommand *command = findCommand(name);
    if (command == nullptr) {
        ctx.usageError(QStringLiteral("unknown command '%1'").arg(name));
        ctx.printError(QStringLiteral("Commands: ") + commandNames() + QLatin1Char('\n'));
        return kExitUsage;
    }

    ctx.setCommand(command);
    QStringList args = arguments.mid(index + 1);
    if (helpRequested)
        args = QStringList{QStringLiteral("--help")};
    return command->run(ctx, args);
}

QString commandNames()
{
    QStringList names;
    for (const CliCommand &command : allCommands())
        names.append(command.name);
    return names.join(QStringLiteral(", "));
}

} // namespace oncutf::cli
