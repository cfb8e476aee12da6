// `oncutf-cli scan` end to end: the real binary (ONCUTF_CLI_PATH) on a folder of awkward names
// (Greek, emoji, spaces, a leading dash, a newline, a name that is not UTF-8, a hidden file and a
// sub-folder), through QProcess, checking what a user or a script reads: every file exactly once
// with its size, hidden and recursive rules, exit codes 0/1/2 and the messages on stderr.

#include "cli/clicontext.h"
#include "cli/progressprinter.h"
#include "cli/scancommand.h"
#include "core/files/nativepath.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

using oncutf::core::files::fsEncode;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

struct Listed {
    QByteArray path;
    qint64 size = -1;
    QString mtime;
    qint64 mtimeNs = 0;
    QString type;
    QString kind;
};

int removeEntry(const char *path, const struct stat *, int, struct FTW *)
{
    return ::remove(path);
}

bool writeFile(const QByteArray &path, qsizetype size)
{
    const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    const QByteArray data(size, 'x');
    const bool ok = ::write(fd, data.constData(), size_t(size)) == ssize_t(size);
    ::close(fd);
    return ok;
}

/// Maps each JSON escape \udcXX (a byte that is not UTF-8, in the surrogateescape convention) to
/// \uf7XX, a private-use character QJsonDocument keeps; fromPrivateUse() undoes it on the decoded
/// string. Escaped backslashes are skipped, so a literal "\\udc80" in a name is left alone.
QByteArray surrogatesToPrivateUse(const QByteArray &json)
{
    QByteArray out;
    out.reserve(json.size());
    for (qsizetype i = 0; i < json.size(); ++i) {
        if (json[i] != '\\' || i + 1 >= json.size()) {
            out.append(json[i]);
            continue;
        }
        if (json[i + 1] == 'u' && i + 5 < json.size() && json.mid(i + 2, 2).toLower() == "dc") {
            out.append("\\uf7");
            out.append(json.mid(i + 4, 2));
            i += 5;
            continue;
        }
        out.append(json.mid(i, 2));
        ++i;
    }
    return out;
}

QByteArray fromPrivateUse(const QString &text)
{
    QString restored = text;
    for (QChar &c : restored) {
        if (c.unicode() >= 0xF780U && c.unicode() <= 0xF7FFU)
            c = QChar(char16_t(c.unicode() - 0xF700U + 0xDC00U));
    }
    return fsEncode(restored);
}

} // namespace

class TestCliScan : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void jsonListsEveryFileOnceWithSize();
    void jsonMtimeIsUtcWithNanoseconds();
    void hiddenOnlyWithFlag();
    void nonRecursiveExcludesSubfolder();
    void missingPathExitsOneAfterListingTheRest();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void textTableEscapesUnprintableNames();
    void nonUtf8PathArgumentIsByteExact();
    void globalOptionsAfterCommandAndNoDatabaseCreated();
    void helpAndVersion();
    void timeFormatting();
    void printablePathEscapes();
    void databasePathDefaults();
    void progressLineFitsAndIsSafe();

private:
    Run run(const QStringList &args) const;
    QList<Listed> parseListing(const QByteArray &json) const;
    QByteArray dir() const { return QFile::encodeName(m_tmp->path()) + "/photos"; }

    std::unique_ptr<QTemporaryDir> m_tmp;
    QList<QPair<QByteArray, qint64>> m_visible; // relative name -> size, hidden excluded
};

void TestCliScan::initTestCase()
{
    QVERIFY2(QFile::exists(QStringLiteral(ONCUTF_CLI_PATH)), ONCUTF_CLI_PATH);
}

void TestCliScan::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    const QByteArray root = dir();
    QCOMPARE(::mkdir(root.constData(), 0755), 0);
    QCOMPARE(::mkdir(QByteArray(root + "/sub").constData(), 0755), 0);

    m_visible = {
        {"\xce\xb1\xce\xbb\xcf\x86\xce\xb1 \xce\xb5\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce\xac.jpg", 11},
        {"\xf0\x9f\x93\xb7 emoji.jpg", 12},
        {"with  two spaces.jpg", 13},
        {"-rf.jpg", 14},
        {"new\nline.jpg", 15},
        {"caf\xe9.jpg", 16},
        {"quote\"back\\slash.JPG", 17},
        {"sub/inner.jpg", 18},
    };
    for (const auto &[name, size] : std::as_const(m_visible))
        QVERIFY(writeFile(root + '/' + name, size));
    QVERIFY(writeFile(root + "/.hidden.jpg", 19));
}

void TestCliScan::cleanup()
{
    // QTemporaryDir removes through QString paths and would leave the non-UTF-8 name behind.
    ::nftw(QFile::encodeName(m_tmp->path()).constData(), removeEntry, 16, FTW_DEPTH | FTW_PHYS);
    m_tmp.reset();
}

Run TestCliScan::run(const QStringList &args) const
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("ONCUTF_DB"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_tmp->filePath(QStringLiteral("xdg")));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(ONCUTF_CLI_PATH), args);
    Run result;
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

QList<Listed> TestCliScan::parseListing(const QByteArray &json) const
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(surrogatesToPrivateUse(json), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray()) {
        qWarning() << "not a JSON array:" << error.errorString() << json.left(200);
        return {};
    }
    QList<Listed> listed;
    for (const QJsonValue &value : doc.array()) {
        const QJsonObject object = value.toObject();
        Listed entry;
        entry.path = fromPrivateUse(object.value(QStringLiteral("path")).toString());
        entry.size = object.value(QStringLiteral("size")).toInteger(-1);
        entry.mtime = object.value(QStringLiteral("mtime")).toString();
        entry.mtimeNs = object.value(QStringLiteral("mtime_ns")).toInteger();
        entry.type = object.value(QStringLiteral("type")).toString();
        entry.kind = object.value(QStringLiteral("kind")).toString();
        listed.append(entry);
    }
    return listed;
}

void TestCliScan::jsonListsEveryFileOnceWithSize()
{
    const QString db = m_tmp->filePath(QStringLiteral("t.db"));
    const Run r = run({QStringLiteral("--db"), db, QStringLiteral("scan"), QStringLiteral("--json"),
                       QStringLiteral("--recursive"), QFile::decodeName(dir())});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.err, QByteArray());
    // The non-UTF-8 byte travels as Python's surrogateescape.
    QVERIFY2(r.out.contains("caf\\udce9.jpg"), r.out.constData());

    const QList<Listed> listed = parseListing(r.out);
    QCOMPARE(listed.size(), m_visible.size());
    for (const auto &[name, size] : std::as_const(m_visible)) {
        const QByteArray expected = dir() + '/' + name;
        int found = 0;
        for (const Listed &entry : listed) {
            if (entry.path == expected) {
                ++found;
                QCOMPARE(entry.size, size);
                QCOMPARE(entry.type, QStringLiteral("jpg"));
                QCOMPARE(entry.kind, QStringLiteral("image"));
            }
        }
        QVERIFY2(found == 1, qPrintable(QStringLiteral("%1 listed %2 times")
                                            .arg(oncutf::cli::CliContext::printablePath(name))
                                            .arg(found)));
    }
}

void TestCliScan::jsonMtimeIsUtcWithNanoseconds()
{
    const QByteArray file = dir() + "/-rf.jpg";
    const timespec times[2] = {{0, UTIME_OMIT}, {1700000000, 123456789}};
    QCOMPARE(::utimensat(AT_FDCWD, file.constData(), times, 0), 0);

    const Run r = run({QStringLiteral("scan"), QStringLiteral("--json"), QFile::decodeName(dir())});
    QCOMPARE(r.exitCode, 0);
    const QRegularExpression iso(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$)"));
    bool seen = false;
    for (const Listed &entry : parseListing(r.out)) {
        QVERIFY2(iso.match(entry.mtime).hasMatch(), qPrintable(entry.mtime));
        if (entry.path == file) {
            seen = true;
            QCOMPARE(entry.mtime, QStringLiteral("2023-11-14T22:13:20.123456789Z"));
            QCOMPARE(entry.mtimeNs, 1700000000123456789LL);
        }
    }
    QVERIFY(seen);
}

void TestCliScan::hiddenOnlyWithFlag()
{
    const QByteArray hidden = dir() + "/.hidden.jpg";
    const auto contains = [&](const QList<Listed> &listed) {
        return std::any_of(listed.cbegin(), listed.cend(), [&](const Listed &e) { return e.path == hidden; });
    };
    const Run without = run({QStringLiteral("scan"), QStringLiteral("--json"), QFile::decodeName(dir())});
    QCOMPARE(without.exitCode, 0);
    QVERIFY(!contains(parseListing(without.out)));

    const Run with = run({QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--hidden"),
                          QFile::decodeName(dir())});
    QCOMPARE(with.exitCode, 0);
    const QList<Listed> listed = parseListing(with.out);
    QVERIFY(contains(listed));
    QCOMPARE(listed.size(), m_visible.size()); // 7 top-level visible + hidden, no sub/inner.jpg
}

void TestCliScan::nonRecursiveExcludesSubfolder()
{
    const Run r = run({QStringLiteral("scan"), QStringLiteral("--json"), QFile::decodeName(dir())});
    QCOMPARE(r.exitCode, 0);
    const QList<Listed> listed = parseListing(r.out);
    QCOMPARE(listed.size(), m_visible.size() - 1);
    for (const Listed &entry : listed)
        QVERIFY2(!entry.path.contains("/sub/"), entry.path.constData());
}

void TestCliScan::missingPathExitsOneAfterListingTheRest()
{
    const QString missing = m_tmp->filePath(QStringLiteral("no such folder"));
    const Run r = run({QStringLiteral("scan"), QStringLiteral("--json"), missing, QFile::decodeName(dir())});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QByteArray(QByteArray("oncutf-cli: scan: ") + missing.toUtf8() + ": No such file or directory")),
             r.err.constData());
    QCOMPARE(parseListing(r.out).size(), m_visible.size() - 1);
}

void TestCliScan::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown scan option") << QStringList{QStringLiteral("scan"), QStringLiteral("--bogus"), QStringLiteral(".")}
                                         << QStringLiteral("Unknown option 'bogus'");
    QTest::newRow("unknown global option") << QStringList{QStringLiteral("--bogus"), QStringLiteral("scan")}
                                           << QStringLiteral("unknown option '--bogus'");
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")}
                                     << QStringLiteral("unknown command 'frobnicate'");
    QTest::newRow("no command") << QStringList{} << QStringLiteral("no command given");
    QTest::newRow("no PATH") << QStringList{QStringLiteral("scan"), QStringLiteral("--json")}
                             << QStringLiteral("missing PATH");
    QTest::newRow("--db without FILE") << QStringList{QStringLiteral("--db")} << QStringLiteral("--db needs a FILE");
}

void TestCliScan::usageErrorsExitTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run r = run(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
    QVERIFY2(r.err.contains("Usage: oncutf-cli"), r.err.constData());
    QCOMPARE(r.out, QByteArray());
    if (message.startsWith(QLatin1String("unknown command")) || message.startsWith(QLatin1String("no command")))
        QVERIFY2(r.err.contains("scan"), r.err.constData()); // the list of commands
}

void TestCliScan::textTableEscapesUnprintableNames()
{
    const Run r = run({QStringLiteral("scan"), QStringLiteral("--recursive"), QFile::decodeName(dir())});
    QCOMPARE(r.exitCode, 0);
    const QList<QByteArray> lines = r.out.split('\n');
    // One line per file (plus the empty piece after the last newline): the newline in a name is
    // escaped, never printed.
    QCOMPARE(lines.size(), m_visible.size() + 1);
    QVERIFY(r.out.contains("new\\nline.jpg"));
    QVERIFY(r.out.contains("caf\\xe9.jpg"));
    QVERIFY(r.out.contains("quote\"back\\\\slash.JPG"));
    QVERIFY(r.out.contains("\xf0\x9f\x93\xb7 emoji.jpg"));
    const QRegularExpression row(QStringLiteral(R"(^ *(\d+)  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d  (\S+) +  /.+$)"));
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        const auto match = row.match(QString::fromUtf8(line));
        QVERIFY2(match.hasMatch(), line.constData());
        QCOMPARE(match.captured(2), QStringLiteral("jpg"));
    }
    QVERIFY(r.out.contains("   14  "));
}

void TestCliScan::nonUtf8PathArgumentIsByteExact()
{
    // QProcess can only pass text arguments; a shell's printf produces the raw byte 0xE9.
    const QByteArray script = "exec \"$0\" scan --json \"$1/$(printf 'caf\\351.jpg')\"";
    QProcess process;
    process.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QString::fromUtf8(script),
                                              QStringLiteral(ONCUTF_CLI_PATH), QFile::decodeName(dir())});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    const QList<Listed> listed = parseListing(process.readAllStandardOutput());
    QCOMPARE(listed.size(), 1);
    QCOMPARE(listed.first().path, dir() + "/caf\xe9.jpg");
    QCOMPARE(listed.first().size, 16);
}

void TestCliScan::globalOptionsAfterCommandAndNoDatabaseCreated()
{
    const QString db = m_tmp->filePath(QStringLiteral("after.db"));
    const Run r = run({QStringLiteral("scan"), QStringLiteral("--db"), db, QStringLiteral("--quiet"),
                       QStringLiteral("-r"), QStringLiteral("--json"), QFile::decodeName(dir())});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(parseListing(r.out).size(), m_visible.size());
    QVERIFY(!QFile::exists(db)); // scanning reads the disk only
    QVERIFY(!QFile::exists(m_tmp->filePath(QStringLiteral("xdg/oncutf/oncutf.db"))));
}

void TestCliScan::helpAndVersion()
{
    const Run help = run({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("Usage: oncutf-cli [GLOBAL OPTIONS] COMMAND [ARGS]"));
    QVERIFY(help.out.contains("scan"));
    QVERIFY(help.out.contains("--db FILE"));

    const Run scanHelp = run({QStringLiteral("scan"), QStringLiteral("--help")});
    QCOMPARE(scanHelp.exitCode, 0);
    QVERIFY(scanHelp.out.contains("-r, --recursive"));
    QVERIFY(scanHelp.out.contains("--json"));
    QVERIFY(scanHelp.out.contains("Global options:"));

    const Run viaHelpCommand = run({QStringLiteral("help"), QStringLiteral("scan")});
    QCOMPARE(viaHelpCommand.exitCode, 0);
    QCOMPARE(viaHelpCommand.out, scanHelp.out);

    const Run version = run({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QCOMPARE(version.out, QByteArray("oncutf-cli " ONCUTF_VERSION "\n"));
}

void TestCliScan::timeFormatting()
{
    using oncutf::cli::isoUtcFromNanoseconds;
    QCOMPARE(isoUtcFromNanoseconds(0), QByteArray("1970-01-01T00:00:00.000000000Z"));
    QCOMPARE(isoUtcFromNanoseconds(1700000000123456789LL), QByteArray("2023-11-14T22:13:20.123456789Z"));
    QCOMPARE(isoUtcFromNanoseconds(-1), QByteArray("1969-12-31T23:59:59.999999999Z"));
    QCOMPARE(oncutf::cli::isoLocalFromNanoseconds(1700000000123456789LL).size(), 19);
}

void TestCliScan::printablePathEscapes()
{
    using oncutf::cli::CliContext;
    QCOMPARE(CliContext::printablePath("a\nb\tc"), QStringLiteral("a\\nb\\tc"));
    QCOMPARE(CliContext::printablePath("caf\xe9"), QStringLiteral("caf\\xe9"));
    QCOMPARE(CliContext::printablePath("back\\slash"), QStringLiteral("back\\\\slash"));
    QCOMPARE(CliContext::printablePath("\x1b[31m"), QStringLiteral("\\x1b[31m"));
    // A right-to-left override could disguise "gpj.exe" as "exe.jpg".
    QCOMPARE(CliContext::printablePath("x\xe2\x80\xaey"), QStringLiteral("x\\u{202e}y"));
    QCOMPARE(CliContext::printablePath("\xce\xb1 \xf0\x9f\x93\xb7"), QString::fromUtf8("\xce\xb1 \xf0\x9f\x93\xb7"));
}

void TestCliScan::databasePathDefaults()
{
    // main() names the application "oncutf" with no organisation, so AppDataLocation is
    // $XDG_DATA_HOME/oncutf.
    const QString previousApp = QCoreApplication::applicationName();
    const QString previousOrg = QCoreApplication::organizationName();
    const QByteArray previousXdg = qgetenv("XDG_DATA_HOME");
    const QByteArray previousDb = qgetenv("ONCUTF_DB");
    const auto restore = qScopeGuard([&] {
        QCoreApplication::setApplicationName(previousApp);
        QCoreApplication::setOrganizationName(previousOrg);
        qputenv("XDG_DATA_HOME", previousXdg);
        qputenv("ONCUTF_DB", previousDb);
    });
    QCoreApplication::setApplicationName(QStringLiteral("oncutf"));
    QCoreApplication::setOrganizationName(QString());
    const QString xdg = m_tmp->filePath(QStringLiteral("xdg-data"));
    qputenv("XDG_DATA_HOME", QFile::encodeName(xdg));
    qunsetenv("ONCUTF_DB");

    oncutf::cli::CliContext ctx;
    QCOMPARE(ctx.databasePath(), xdg + QStringLiteral("/oncutf/oncutf.db"));
    qputenv("ONCUTF_DB", "/elsewhere/caf\xe9.db");
    QCOMPARE(oncutf::core::files::fsEncode(ctx.databasePath()), QByteArray("/elsewhere/caf\xe9.db"));
    ctx.setDatabasePath(QStringLiteral("/explicit.db"));
    QCOMPARE(ctx.databasePath(), QStringLiteral("/explicit.db"));
}

void TestCliScan::progressLineFitsAndIsSafe()
{
    oncutf::cli::ProgressPrinter printer(stderr, false);
    const QString line = printer.formatLine(12345, 2000, QStringLiteral("/photos/a very long folder name/with\nnewline") + QChar(0x202E), 50);
    QVERIFY2(line.size() <= 50, qPrintable(line));
    QVERIFY2(line.startsWith(QStringLiteral("scanning: 12")), qPrintable(line));
    QVERIFY2(line.contains(QStringLiteral("files (6")), qPrintable(line));
    QVERIFY2(line.endsWith(QStringLiteral("newline?")), qPrintable(line));
    QVERIFY(!line.contains(QLatin1Char('\n')));
    QVERIFY(!printer.isVisible());
    printer.update(10);
    QVERIFY(!printer.isVisible()); // disabled (not a terminal): never draws
}

QTEST_GUILESS_MAIN(TestCliScan)
#include "tst_cli_scan.moc"
