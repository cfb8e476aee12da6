// ctest-labels: exiftool
// ctest-timeout: 240
// `oncutf-cli metadata`: the --json contract (every file, input order, ExifTool's values and
// types, errors reported), --extended, --fields, the table, and no exiftool process left behind
// however the CLI ends (SIGINT, SIGTERM, SIGKILL).

#include "core/files/nativepath.h"
#include "core/metadata/exiv2reader.h"
#include "testutil_fixtures.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

using oncutf::core::metadata::Exiv2Reader;
using oncutf::tests::MetadataFixtures;

namespace {

struct CliRun {
    int exitCode = -1;
    QProcess::ExitStatus status = QProcess::CrashExit;
    QByteArray out;
    QByteArray err;
};

QList<pid_t> childrenOf(pid_t parent)
{
    QList<pid_t> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool ok = false;
        const pid_t pid = entry.toInt(&ok);
        if (!ok) {
            continue;
        }
        QFile status(QStringLiteral("/proc/%1/status").arg(pid));
        if (!status.open(QIODevice::ReadOnly)) {
            continue;
        }
        const QList<QByteArray> lines = status.readAll().split('\n');
        for (const QByteArray &line : lines) {
            if (line.startsWith("PPid:")) {
                if (line.mid(5).trimmed().toInt() == parent) {
                    children.append(pid);
                }
                break;
            }
        }
    }
    return children;
}

// True once `pid` no longer runs (gone, or a zombie its new parent has not reaped yet).
bool waitUntilDead(pid_t pid, int timeoutMs)
{
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
        pollfd pfd{pidfd, POLLIN, 0};
        ::poll(&pfd, 1, timeoutMs);
        ::close(pidfd);
    }
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) {
        return true;
    }
    const QByteArray line = stat.readAll();
    const qsizetype paren = line.lastIndexOf(')');
    return paren > 0 && line.mid(paren + 2, 1) == "Z";
}

} // namespace

class TestMetadataCli final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_home.isValid());
        QString error;
        QVERIFY2(m_fixtures.generate(m_dir.path() + QStringLiteral("/set"), &error), qPrintable(error));
    }

    void cleanupTestCase() { m_fixtures.removeFiles(); }

    void jsonListsEveryFileOfAFolderInOrder()
    {
        const CliRun run = cli({QStringLiteral("metadata"), QStringLiteral("--json"), set()});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray list = QJsonDocument::fromJson(run.out).array();
        QByteArrayList expected;
        for (const auto &fixture : m_fixtures.entries()) {
            if (fixture.kind != QLatin1String("dir")) {
                expected.append(fixture.name);
            }
        }
        expected.append("manifest.json");
        std::sort(expected.begin(), expected.end());
        QCOMPARE(list.size(), expected.size());
        QString error;
        const auto reference = MetadataFixtures::referenceJson(m_fixtures.paths({QStringLiteral("tagged")}),
                                                               {QStringLiteral("-G")}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QJsonObject entry = list.at(i).toObject();
            const QByteArray name = expected.at(i);
            // Paths come back byte-exact through surrogateescape, in the scan's byte order.
            QCOMPARE(oncutf::core::files::fsEncode(entry.value(QStringLiteral("path")).toString()),
                     QFile::encodeName(set()) + '/' + name);
            QCOMPARE(entry.value(QStringLiteral("mode")).toString(), QStringLiteral("fast"));
            QVERIFY2(entry.value(QStringLiteral("error")).isNull(), name.constData());
            QVERIFY(entry.value(QStringLiteral("fields")).isObject());
            const QByteArray full = m_fixtures.path(name);
            if (reference.contains(full)) {
                const QJsonObject fields = entry.value(QStringLiteral("fields")).toObject();
                const QJsonObject &theirs = reference.value(full);
                for (const QString &key : Exiv2Reader::keys()) {
                    QCOMPARE(fields.value(key), theirs.value(key));
                }
                QVERIFY(!fields.isEmpty());
            }
        }
    }

    void jsonKeepsInputOrderAndReportsBadInput()
    {
        const CliRun run = cli({QStringLiteral("metadata"), QStringLiteral("--json"), file("nikon_z6.jpg"),
                                file("missing.jpg"), file("canon_r5.jpg"), file("empty.jpg"), file("truncated.jpg"),
                                file("-leading-dash.jpg"), file("new\nline.jpg"), file("notes.txt")});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray list = QJsonDocument::fromJson(run.out).array();
        QCOMPARE(list.size(), 8);
        QCOMPARE(list.at(0)[QStringLiteral("fields")][QStringLiteral("EXIF:Make")].toString(),
                 QStringLiteral("NIKON CORPORATION"));
        QCOMPARE(list.at(0)[QStringLiteral("fields")][QStringLiteral("EXIF:FNumber")].toDouble(), 0.95);
        QCOMPARE(list.at(1)[QStringLiteral("error")].toString(), QStringLiteral("No such file or directory"));
        QCOMPARE(list.at(1)[QStringLiteral("fields")].toObject().size(), 0);
        QCOMPARE(list.at(2)[QStringLiteral("fields")][QStringLiteral("EXIF:Make")].toString(), QStringLiteral("Canon"));
        QCOMPARE(list.at(3)[QStringLiteral("fields")][QStringLiteral("ExifTool:Error")].toString(),
                 QStringLiteral("File is empty"));
        QCOMPARE(list.at(4)[QStringLiteral("fields")][QStringLiteral("File:FileType")].toString(), QStringLiteral("JPEG"));
        QCOMPARE(list.at(5)[QStringLiteral("fields")][QStringLiteral("EXIF:Model")].toString(), QStringLiteral("Canon EOS R5"));
        QCOMPARE(list.at(6)[QStringLiteral("path")].toString(), QString::fromUtf8(file("new\nline.jpg").toUtf8()));
        QCOMPARE(list.at(7)[QStringLiteral("fields")][QStringLiteral("File:FileType")].toString(), QStringLiteral("TXT"));
    }

    void extendedAndFields()
    {
        const CliRun extended = cli({QStringLiteral("metadata"), QStringLiteral("--json"), QStringLiteral("--extended"),
                                     file("canon_r5.jpg")});
        QCOMPARE(extended.exitCode, 0);
        const QJsonObject entry = QJsonDocument::fromJson(extended.out).array().at(0).toObject();
        QCOMPARE(entry.value(QStringLiteral("mode")).toString(), QStringLiteral("extended"));
        const QJsonObject fields = entry.value(QStringLiteral("fields")).toObject();
        QCOMPARE(fields.value(QStringLiteral("Composite:SubSecDateTimeOriginal")).toString(),
                 QStringLiteral("2024:06:15 14:30:05.123+02:00"));
        QCOMPARE(fields.value(QStringLiteral("EXIF:ISO")).toInt(), 400);

        const CliRun filtered = cli({QStringLiteral("metadata"), QStringLiteral("--json"),
                                     QStringLiteral("--fields=EXIF:Make,FNumber"), file("canon_r5.jpg")});
        const QJsonObject kept = QJsonDocument::fromJson(filtered.out).array().at(0)[QStringLiteral("fields")].toObject();
        QCOMPARE(kept.keys(), (QStringList{QStringLiteral("EXIF:FNumber"), QStringLiteral("EXIF:Make")}));
    }

    void table()
    {
        const CliRun run = cli({QStringLiteral("metadata"), QStringLiteral("--fields"), QStringLiteral("Make,FNumber"),
                                file("canon_r5.jpg"), file("nikon_z6.jpg"), file("missing.jpg")});
        QCOMPARE(run.exitCode, 0);
        const QList<QByteArray> lines = run.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines.at(0).startsWith("PATH"));
        QVERIFY(lines.at(0).contains("Make") && lines.at(0).contains("FNumber"));
        QVERIFY(lines.at(1).contains("Canon") && lines.at(1).contains("2.8"));
        QVERIFY(lines.at(2).contains("NIKON CORPORATION") && lines.at(2).contains("0.95"));
        QVERIFY(lines.at(3).contains("No such file or directory"));
        const CliRun blocks = cli({QStringLiteral("metadata"), file("canon_r5.jpg")});
        QVERIFY(blocks.out.contains("EXIF:LensModel"));
        QVERIFY(blocks.out.contains("RF24-70mm F2.8 L IS USM"));
    }

    void usageErrors()
    {
        QCOMPARE(cli({QStringLiteral("metadata")}).exitCode, 2);
        QCOMPARE(cli({QStringLiteral("metadata"), QStringLiteral("--fields="), file("canon_r5.jpg")}).exitCode, 2);
        QCOMPARE(cli({QStringLiteral("metadata"), QStringLiteral("--jobs=0"), file("canon_r5.jpg")}).exitCode, 2);
    }

    // No exiftool survives the CLI, whichever signal ends it.
    void noExifToolOutlivesTheCli_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGINT") << int(SIGINT);
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGKILL") << int(SIGKILL);
    }

    void noExifToolOutlivesTheCli()
    {
        QFETCH(int, signal);
        QTemporaryDir many;
        QFile source(QString::fromUtf8(m_fixtures.path("canon_r5.jpg")));
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QByteArray bytes = source.readAll();
        for (int i = 0; i < 300; ++i) {
            QFile copy(many.path() + QStringLiteral("/IMG_%1.jpg").arg(i));
            QVERIFY(copy.open(QIODevice::WriteOnly));
            copy.write(bytes);
        }
        QProcess process;
        process.setProcessEnvironment(environment());
        process.start(QStringLiteral(ONCUTF_CLI_PATH), {QStringLiteral("metadata"), QStringLiteral("--extended"),
                                                         QStringLiteral("--no-cache"), QStringLiteral("--json"), many.path()});
        QVERIFY(process.waitForStarted());
        const pid_t cliPid = pid_t(process.processId());
        QList<pid_t> exiftools;
        QTRY_VERIFY_WITH_TIMEOUT(!(exiftools = childrenOf(cliPid)).isEmpty(), 60000);
        QCOMPARE(::kill(cliPid, signal), 0);
        QVERIFY(process.waitForFinished(60000));
        for (pid_t pid : exiftools) {
            QVERIFY2(waitUntilDead(pid, 10000), qPrintable(QStringLiteral("exiftool %1 survived").arg(pid)));
        }
    }

    // A cached re-open prints byte for byte what a fresh read prints (cached documents go to the
    // output without being parsed), fast and extended, for every fixture: odd names, sidecars
    // (merged, so parsed), files with no metadata, errors.
    void cachedJsonEqualsFreshJson_data()
    {
        QTest::addColumn<bool>("extended");
        QTest::newRow("fast") << false;
        QTest::newRow("extended") << true;
    }

    void cachedJsonEqualsFreshJson()
    {
        QFETCH(bool, extended);
        // The cache skips files modified in the last 2 s: age the set instead of waiting.
        const timespec anHourAgo{::time(nullptr) - 3600, 0};
        const timespec times[2] = {anHourAgo, anHourAgo};
        for (const auto &fixture : m_fixtures.entries()) {
            QCOMPARE(::utimensat(AT_FDCWD, fixture.path.constData(), times, AT_SYMLINK_NOFOLLOW), 0);
        }
        QTemporaryDir home;
        QVERIFY(home.isValid());
        const QString db = home.path() + QStringLiteral("/cache.db");
        QStringList args{QStringLiteral("metadata"), QStringLiteral("--json"), QStringLiteral("--stats"), set()};
        if (extended) {
            args.insert(1, QStringLiteral("--extended"));
        }
        // The storing run prints what it read; the second run prints what the first stored.
        // (Not compared with a --no-cache run: reading a file may move the access time ExifTool
        // reports.)
        const CliRun storing = cli(args, db);
        const CliRun cached = cli(args, db);
        QCOMPARE(storing.exitCode, 0);
        QCOMPARE(cached.exitCode, 0);
        QVERIFY(storing.out.size() > 1000);
        QCOMPARE(cached.out, storing.out);
        QVERIFY2(storing.err.contains("(0 cached"), storing.err.constData());
        // Most of the set came from the cache (errors are never cached).
        const qsizetype at = cached.err.indexOf(" cached");
        QVERIFY2(at > 0, cached.err.constData());
        const qsizetype open = cached.err.lastIndexOf('(', at);
        const int hits = cached.err.mid(open + 1, at - open - 1).toInt();
        QVERIFY2(hits >= m_fixtures.paths({QStringLiteral("tagged")}).size(), cached.err.constData());
    }

private:
    QString set() const { return m_dir.path() + QStringLiteral("/set"); }
    QString file(const QByteArray &name) const { return set() + QLatin1Char('/') + QString::fromUtf8(name); }

    QProcessEnvironment environment(const QString &db = QString()) const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ONCUTF_DB"), db.isEmpty() ? m_home.path() + QStringLiteral("/oncutf.db") : db);
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_home.path());
        return env;
    }

    CliRun cli(const QStringList &args, const QString &db = QString()) const
    {
        QProcess process;
        process.setProcessEnvironment(environment(db));
        process.start(QStringLiteral(ONCUTF_CLI_PATH), args);
        CliRun run;
        if (!process.waitForFinished(120000)) {
            process.kill();
            process.waitForFinished();
            return run;
        }
        run.exitCode = process.exitCode();
        run.status = process.exitStatus();
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        return run;
    }

    QTemporaryDir m_dir;
    QTemporaryDir m_home;
    MetadataFixtures m_fixtures;
};

QTEST_GUILESS_MAIN(TestMetadataCli)
#include "tst_metadatacli.moc"
