#pragma once

#include <QByteArray>
#include <QCommandLineOption>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <cstdio>
#include <functional>
#include <optional>
#include <utility>

class QCommandLineParser;

namespace oncutf::cli {

struct CliCommand;

/// Exit codes of every command.
inline constexpr int kExitSuccess = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

/// The state of one oncutf-cli run that every command shares: the global options (--db, --quiet),
/// the command being run, and the output channels (stdout for results, stderr for messages,
/// progress and usage errors).
///
/// Arguments reach commands decoded with the PEP-383 surrogateescape rule (as Python's sys.argv):
/// a PATH argument that is not valid UTF-8 survives, and core::files::fsEncode(arg) gives back its
/// exact bytes. Always convert path arguments with fsEncode, never with toUtf8/toLocal8Bit.
///
/// Owner: runCommandLine() (commands.cpp), on the stack for the whole run.
/// Threading: main thread only.
class CliContext final {
public:
    CliContext();

    /// --db FILE; else $ONCUTF_DB when set and not empty; else <AppDataLocation>/oncutf.db, i.e.
    /// $XDG_DATA_HOME/oncutf/oncutf.db (~/.local/share/oncutf/oncutf.db). Surrogate-escaped like
    /// the arguments: open it through fsEncode(). Nothing is created by asking.
    [[nodiscard]] QString databasePath() const;
    void setDatabasePath(const QString &path);
    [[nodiscard]] bool isQuiet() const { return m_quiet; }
    void setQuiet(bool quiet) { m_quiet = quiet; }

    /// The command being run (nullptr before dispatch).
    [[nodiscard]] const CliCommand *command() const { return m_command; }
    void setCommand(const CliCommand *command) { m_command = command; }

    [[nodiscard]] FILE *out() const { return m_out; }
    [[nodiscard]] FILE *err() const { return m_err; }
    [[nodiscard]] bool isStdoutTerminal() const;
    [[nodiscard]] bool isStderrTerminal() const;

    /// Writes `text` as UTF-8 to stdout / stderr, unchanged.
    void print(const QString &text) const;
    void printError(const QString &text) const;
    /// "oncutf-cli: <command>: <message>\n" on stderr (without the command part before dispatch).
    void warn(const QString &message) const;
    /// Prints "oncutf-cli: <command>: <message>", the usage line and a hint to --help on stderr;
    /// returns kExitUsage.
    int usageError(const QString &message) const;

    /// The global options, for help texts and for per-command parsers.
    [[nodiscard]] static QList<QCommandLineOption> globalOptions();
    /// The "Global options:" block of help texts.
    [[nodiscard]] static QString globalOptionsHelp();
    /// Options several commands share, spelled once: -a/--hidden, -j/--jobs N (with the
    /// command's own description) and --no-cache (naming the cache it skips: "hash", "metadata").
    [[nodiscard]] static QCommandLineOption hiddenOption();
    [[nodiscard]] static QCommandLineOption jobsOption(const QString &description);
    [[nodiscard]] static QCommandLineOption noCacheOption(const QString &cacheName);
    /// Formats options as an aligned help block ("  -r, --recursive   Descend ...").
    [[nodiscard]] static QString optionsHelp(const QList<QCommandLineOption> &options);

    /// Handles one leading global option at args[index] (before the command name). Returns how
    /// many arguments it used (1 or 2), 0 if args[index] is not a global option, or -1 after a
    /// usage error was printed (e.g. --db without a FILE). Sets `helpRequested` and
    /// `versionRequested` for -h/--help and --version.
    int takeGlobalOption(const QStringList &args, qsizetype index, bool &helpRequested, bool &versionRequested);

    /// Parses a command's arguments with `options` plus the global ones (--db, --quiet, --help are
    /// accepted after the command too). Returns an exit code when the command should stop now:
    /// kExitSuccess after printing --help, kExitUsage after a usage error; std::nullopt to go on.
    [[nodiscard]] std::optional<int> parseCommandArguments(QCommandLineParser &parser,
                                                           const QList<QCommandLineOption> &options,
                                                           const QStringList &args);

    /// The help text of the current command: usage line, summary, options and global options.
    [[nodiscard]] QString commandHelp(const QList<QCommandLineOption> &options) const;

    /// A file name made safe for a terminal: valid UTF-8 is kept, control and other non-printable
    /// characters become \n, \t, \r, \xNN or \u{XXXX}, bytes that are not UTF-8 become \xNN and a
    /// backslash becomes \\, so distinct names always print differently.
    [[nodiscard]] static QString printablePath(const QByteArray &path);

    /// Cancellation of the running command: a long command installs a handler (e.g. one that
    /// cancels its WorkerThread); whoever handles Ctrl-C calls requestCancel().
    void setCancelHandler(std::function<void()> handler) { m_cancelHandler = std::move(handler); }
    void requestCancel() const;

private:
    QString m_databasePath;
    bool m_quiet = false;
    const CliCommand *m_command = nullptr;
    FILE *m_out = stdout;
    FILE *m_err = stderr;
    std::function<void()> m_cancelHandler;
};

} // namespace oncutf::cli
