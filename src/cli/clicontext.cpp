#include "cli/clicontext.h"

#include "cli/commands.h"
#include "core/files/nativepath.h"

#include <QCommandLineParser>
#include <QStandardPaths>

#include <unistd.h>

#include <utility>

namespace oncutf::cli {

namespace {

const QString kProgram = QStringLiteral("oncutf-cli");

QString hexByte(unsigned char byte)
{
    return QStringLiteral("\\x%1").arg(uint(byte), 2, 16, QLatin1Char('0'));
}

void writeUtf8(FILE *stream, QStringView text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
}

} // namespace

CliContext::CliContext() = default;

QString CliContext::databasePath() const
{
    if (!m_databasePath.isEmpty())
        return m_databasePath;
    const QByteArray fromEnv = qgetenv("ONCUTF_DB");
    if (!fromEnv.isEmpty())
        return core::files::fsDecode(fromEnv);
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/oncutf.db");
}

void CliContext::setDatabasePath(const QString &path)
{
    m_databasePath = path;
}

bool CliContext::isStdoutTerminal() const
{
    return ::isatty(::fileno(m_out)) == 1;
}

bool CliContext::isStderrTerminal() const
{
    return ::isatty(::fileno(m_err)) == 1;
}

void CliContext::print(const QString &text) const
{
    writeUtf8(m_out, text);
}

void CliContext::printError(const QString &text) const
{
    // Results on stdout must land before a message that refers to them.
    std::fflush(m_out);
    writeUtf8(m_err, text);
    std::fflush(m_err);
}

void CliContext::warn(const QString &message) const
{
    QString line = kProgram + QStringLiteral(": ");
    if (m_command != nullptr)
        line += m_command->name + QStringLiteral(": ");
    line += message;
    line += QLatin1Char('\n');
    printError(line);
}

int CliContext::usageError(const QString &message) const
{
    warn(message);
    if (m_command != nullptr) {
        printError(QStringLiteral("Usage: %1 [GLOBAL OPTIONS] %2\nTry '%1 %3 --help' for more information.\n")
                       .arg(kProgram, m_command->usage, m_command->name));
    } else {
        printError(QStringLiteral("Usage: %1 [GLOBAL OPTIONS] COMMAND [ARGS]\nTry '%1 --help' for more information.\n")
                       .arg(kProgram));
    }
    return kExitUsage;
}

QList<QCommandLineOption> CliContext::globalOptions()
{
    return {
        QCommandLineOption(QStringList{QStringLiteral("db")},
                           QStringLiteral("Database file (default: $ONCUTF_DB, else $XDG_DATA_HOME/oncutf/oncutf.db)."),
                           QStringLiteral("FILE")),
        QCommandLineOption(QStringList{QStringLiteral("q"), QStringLiteral("quiet")},
                           QStringLiteral("No progress line and no summary; errors are still printed.")),
        QCommandLineOption(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                           QStringLiteral("Show help (for a command: oncutf-cli COMMAND --help).")),
    };
}

QString CliContext::optionsHelp(const QList<QCommandLineOption> &options)
{
    QList<QPair<QString, QString>> rows;
    qsizetype width = 0;
    for (const QCommandLineOption &option : options) {
        QStringList names;
        for (const QString &name : option.names())
            names.append(name.size() == 1 ? QStringLiteral("-") + name : QStringLiteral("--") + name);
        QString left = names.join(QStringLiteral(", "));
        if (!option.valueName().isEmpty())
            left += QLatin1Char(' ') + option.valueName();
        width = qMax(width, left.size());
        rows.append({left, option.description()});
    }
    QString text;
    for (const auto &[left, description] : std::as_const(rows))
        text += QStringLiteral("  ") + left.leftJustified(width + 2) + description + QLatin1Char('\n');
    return text;
}

QString CliContext::globalOptionsHelp()
{
    QList<QCommandLineOption> options = globalOptions();
    options.append(QCommandLineOption(QStringList{QStringLiteral("version")},
                                      QStringLiteral("Show the version (before the command).")));
    return QStringLiteral("Global options:\n") + optionsHelp(options);
}

int CliContext::takeGlobalOption(const QStringList &args, qsizetype index, bool &helpRequested,
                                 bool &versionRequested)
{
    const QString &arg = args.at(index);
    if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
        helpRequested = true;
        return 1;
    }
    if (arg == QLatin1String("--version")) {
        versionRequested = true;
        return 1;
    }
    if (arg == QLatin1String("-q") || arg == QLatin1String("--quiet")) {
        m_quiet = true;
        return 1;
    }
    if (arg == QLatin1String("--db")) {
        if (index + 1 >= args.size() || args.at(index + 1).isEmpty()) {
            usageError(QStringLiteral("option --db needs a FILE"));
            return -1;
        }
        m_databasePath = args.at(index + 1);
        return 2;
    }
    if (arg.startsWith(QLatin1String("--db="))) {
        m_databasePath = arg.mid(5);
        if (m_databasePath.isEmpty()) {
            usageError(QStringLiteral("option --db needs a FILE"));
            return -1;
        }
        return 1;
    }
    return 0;
}

std::optional<int> CliContext::parseCommandArguments(QCommandLineParser &parser,
                                                     const QList<QCommandLineOption> &options,
                                                     const QStringList &args)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsCompactedShortOptions);
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    const bool added = parser.addOptions(options + globalOptions());
    Q_ASSERT_X(added, "CliContext::parseCommandArguments", "a command option clashes with a global one");
    if (!added)
        return usageError(QStringLiteral("internal error: clashing option names"));

    if (!parser.parse(QStringList{kProgram} + args))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        print(commandHelp(options));
        return kExitSuccess;
    }
    if (parser.isSet(QStringLiteral("db"))) {
        const QString db = parser.value(QStringLiteral("db"));
        if (db.isEmpty())
            return usageError(QStringLiteral("option --db needs a FILE"));
        m_databasePath = db;
    }
    if (parser.isSet(QStringLiteral("quiet")))
        m_quiet = true;
    return std::nullopt;
}

QString CliContext::commandHelp(const QList<QCommandLineOption> &options) const
{
    Q_ASSERT(m_command != nullptr);
    if (m_command == nullptr)
        return {};
    QString text = QStringLiteral("Usage: %1 [GLOBAL OPTIONS] %2\n\n%3\n")
                       .arg(kProgram, m_command->usage, m_command->summary);
    if (!options.isEmpty())
        text += QStringLiteral("\nOptions:\n") + optionsHelp(options);
    text += QLatin1Char('\n') + globalOptionsHelp();
    return text;
}

QString CliContext::printablePath(const QByteArray &path)
{
    const auto *data = reinterpret_cast<const unsigned char *>(path.constData());
    const qsizetype size = path.size();
    QString out;
    out.reserve(size);
    qsizetype i = 0;
    while (i < size) {
        const unsigned char c = data[i];
        if (c >= 0x20U && c < 0x7FU) {
            if (c == '\\')
                out += QStringLiteral("\\\\");
            else
                out += QLatin1Char(char(c));
            ++i;
            continue;
        }
        if (c < 0x80U) {
            switch (c) {
            case '\n':
                out += QStringLiteral("\\n");
                break;
            case '\t':
                out += QStringLiteral("\\t");
                break;
            case '\r':
                out += QStringLiteral("\\r");
                break;
            default:
                out += hexByte(c);
                break;
            }
            ++i;
            continue;
        }
        const int length = core::files::utf8SequenceLength(data + i, size - i);
        if (length == 0) {
            out += hexByte(c);
            ++i;
            continue;
        }
        const QString decoded = QString::fromUtf8(path.constData() + i, length);
        const char32_t cp = decoded.size() == 2 ? QChar::surrogateToUcs4(decoded[0], decoded[1]) : decoded[0].unicode();
        // Bidi overrides, zero-width and other format characters could disguise a name.
        if (QChar::isPrint(cp) && QChar::category(cp) != QChar::Other_Format)
            out += decoded;
        else
            out += QStringLiteral("\\u{%1}").arg(uint(cp), 4, 16, QLatin1Char('0'));
        i += length;
    }
    return out;
}

QCommandLineOption CliContext::hiddenOption()
{
    return QCommandLineOption(QStringList{QStringLiteral("a"), QStringLiteral("hidden")},
                              QStringLiteral("Include hidden files and folders (names starting with '.')."));
}

QCommandLineOption CliContext::jobsOption(const QString &description)
{
    return QCommandLineOption(QStringList{QStringLiteral("j"), QStringLiteral("jobs")}, description,
                              QStringLiteral("N"));
}

QCommandLineOption CliContext::noCacheOption(const QString &cacheName)
{
    return QCommandLineOption(QStringList{QStringLiteral("no-cache")},
                              QStringLiteral("Read every file; neither use nor fill the %1 cache.").arg(cacheName));
}

void CliContext::requestCancel() const
{
    if (m_cancelHandler)
        m_cancelHandler();
}

} // namespace oncutf::cli
