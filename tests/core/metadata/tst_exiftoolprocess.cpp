// ctest-labels: exiftool
// ctest-timeout: 180
// One persistent ExifTool process: framing and results against a reference run, extended mode,
// odd names, restart after kill -9 and after a hang, files that crash or hang it for good,
// cancellation, files ExifTool must not see, and a clean stop; the same in throughput mode
// (several files per -execute); the allocator the processes run with.

#include "core/files/nativepath.h"
#include "core/metadata/childspawner.h"
#include "core/metadata/exiftoolformat.h"
#include "core/metadata/exiftoolprocess.h"
#include "testutil_fixtures.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

using namespace oncutf::core::metadata;
using oncutf::core::ErrorCode;
using oncutf::tests::MetadataFixtures;
using std::chrono::milliseconds;

namespace {

struct Collected {
    std::map<qsizetype, MetadataRecord> records;
    int duplicates = 0;

    ExifToolProcess::ResultCallback callback()
    {
        return [this](qsizetype index, MetadataRecord &&record) {
            if (records.count(index) != 0) {
                ++duplicates;
            }
            records[index] = std::move(record);
        };
    }
};

bool processGone(pid_t pid)
{
    // Reaped processes vanish from /proc; a zombie would still be listed.
    return !QFile::exists(QStringLiteral("/proc/%1").arg(pid));
}

QJsonObject withoutVolatile(QJsonObject fields)
{
    for (const char *key : {"File:FileAccessDate", "File:FileInodeChangeDate", "File:FileName", "File:Directory"}) {
        fields.remove(QLatin1String(key));
    }
    return fields;
}

// "EXIF:Main:Make" -> "EXIF:Make"; embedded documents keep their number ("QuickTime:Doc1:...").
QJsonObject withoutMainDocument(const QJsonObject &fields)
{
    QJsonObject out;
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        QString key = it.key();
        const qsizetype colon = key.indexOf(QLatin1Char(':'));
        if (colon > 0 && key.mid(colon + 1).startsWith(QLatin1String("Main:"))) {
            key.remove(colon + 1, 5);
        }
        out.insert(key, it.value());
    }
    return out;
}

QList<QByteArray> copies(const QByteArray &source, const QString &dir, int count, const QByteArray &prefix = "copy")
{
    QFile in(QString::fromUtf8(source));
    if (!in.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray bytes = in.readAll();
    QList<QByteArray> out;
    for (int i = 0; i < count; ++i) {
        const QByteArray path = QFile::encodeName(dir) + '/' + prefix + QByteArray::number(i) + ".jpg";
        QFile file(QString::fromUtf8(path));
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
            return {};
        }
        out.append(path);
    }
    return out;
}

QByteArray readProcFile(pid_t pid, const char *name)
{
    QFile file(QStringLiteral("/proc/%1/%2").arg(pid).arg(QLatin1String(name)));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QList<QByteArray> environmentOf(pid_t pid)
{
    return readProcFile(pid, "environ").split('\0');
}

ExifToolOptions fakeOptions(milliseconds timeout)
{
    ExifToolOptions options;
    options.command = {QByteArrayLiteral(ONCUTF_SOURCE_DIR "/tests/core/metadata/fake_exiftool.sh")};
    options.baseTimeout = timeout;
    return options;
}

} // namespace

class TestExifToolProcess final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        QVERIFY2(m_fixtures.generate(m_dir.path(), &error), qPrintable(error));
    }

    void cleanupTestCase() { m_fixtures.removeFiles(); }

    void init() { m_process = std::make_unique<ExifToolProcess>(ExifToolOptions{}, &m_spawner); }

    void cleanup()
    {
        m_process->stop(milliseconds(2000));
        m_process.reset();
    }

    // Every file (odd names included) gets one result equal to `exiftool -json -G` of that file.
    void fastMatchesReference()
    {
        const QList<QByteArray> files = m_fixtures.paths({QStringLiteral("tagged"), QStringLiteral("plain"),
                                                          QStringLiteral("odd")});
        QString error;
        const auto reference = MetadataFixtures::referenceJson(files, {QStringLiteral("-G")}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        Collected got;
        const ExifToolReadSummary summary = m_process->read(files, MetadataMode::Fast, got.callback());
        QCOMPARE(summary.completed, files.size());
        QCOMPARE(summary.restarts, 0);
        QCOMPARE(got.duplicates, 0);
        QCOMPARE(static_cast<qsizetype>(got.records.size()), files.size());
        for (qsizetype i = 0; i < files.size(); ++i) {
            const MetadataRecord &record = got.records.at(i);
            QCOMPARE(record.path, files.at(i));
            QVERIFY2(record.ok(), qPrintable(record.error ? record.error->toString() : QString()));
            QCOMPARE(withoutVolatile(record.fields), withoutVolatile(reference.value(files.at(i))));
            // Reported under the real name, whatever route the name took.
            QCOMPARE(record.fields.value(QStringLiteral("File:FileName")).toString(),
                     ExifToolFormat::fixUtf8(oncutf::core::files::fileName(files.at(i))));
            QCOMPARE(record.fields.value(QStringLiteral("File:Directory")).toString(), m_dir.path());
        }
        const MetadataRecord &newline = got.records.at(files.indexOf(m_fixtures.path("new\nline.jpg")));
        QCOMPARE(newline.fields.value(QStringLiteral("EXIF:Make")).toString(), QStringLiteral("Canon"));
    }

    // Extended mode asks ExifTool for its tags in file order (cheaper than its default sort by
    // group, see ExifToolProcess::read): every file must still get exactly the fields and values
    // of a plain `exiftool -json -G0:3 -a -ee` of it, main-document keys without "Main:".
    void extendedMatchesReference()
    {
        const QList<QByteArray> files = m_fixtures.paths({QStringLiteral("tagged"), QStringLiteral("plain"),
                                                          QStringLiteral("odd")});
        QString error;
        const auto reference = MetadataFixtures::referenceJson(
            files, {QStringLiteral("-G0:3"), QStringLiteral("-a"), QStringLiteral("-ee")}, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        Collected got;
        const ExifToolReadSummary summary = m_process->read(files, MetadataMode::Extended, got.callback());
        QCOMPARE(summary.completed, files.size());
        QCOMPARE(static_cast<qsizetype>(got.records.size()), files.size());
        for (qsizetype i = 0; i < files.size(); ++i) {
            const MetadataRecord &record = got.records.at(i);
            QCOMPARE(record.path, files.at(i));
            QCOMPARE(record.mode, MetadataMode::Extended);
            QVERIFY2(reference.contains(files.at(i)), files.at(i).constData());
            QCOMPARE(withoutVolatile(record.fields), withoutVolatile(withoutMainDocument(reference.value(files.at(i)))));
        }
        const MetadataRecord &canon = got.records.at(files.indexOf(m_fixtures.path("canon_r5.jpg")));
        QVERIFY(canon.fields.contains(QStringLiteral("Composite:SubSecDateTimeOriginal")));
    }

    // kill -9 in the middle of a batch: the process restarts and every file still gets metadata.
    void restartsAfterKill()
    {
        QTemporaryDir dir;
        const QList<QByteArray> files = copies(m_fixtures.path("canon_r5.jpg"), dir.path(), 80);
        QCOMPARE(files.size(), 80);
        Collected got;
        pid_t killed = -1;
        const ExifToolReadSummary summary = m_process->read(files, MetadataMode::Fast,
            [&](qsizetype index, MetadataRecord &&record) {
                got.callback()(index, std::move(record));
                if (got.records.size() == 30) {
                    killed = m_process->pid();
                    ::kill(killed, SIGKILL);
                }
            });
        QVERIFY(killed > 0);
        QCOMPARE(summary.restarts, 1);
        QCOMPARE(static_cast<qsizetype>(got.records.size()), files.size());
        for (const auto &[index, record] : got.records) {
            QVERIFY2(record.ok(), qPrintable(record.error ? record.error->toString() : QString()));
            QCOMPARE(record.fields.value(QStringLiteral("EXIF:Make")).toString(), QStringLiteral("Canon"));
        }
        QVERIFY(m_process->pid() != killed);
        QVERIFY(processGone(killed));
    }

    // A process that stops answering (SIGSTOP) times out, is killed and replaced.
    void restartsAfterHang()
    {
        ExifToolOptions options;
        options.baseTimeout = milliseconds(1500);
        m_process->stop(milliseconds(1000));
        m_process = std::make_unique<ExifToolProcess>(options, &m_spawner);
        QTemporaryDir dir;
        const QList<QByteArray> files = copies(m_fixtures.path("sony_minimal.jpg"), dir.path(), 30);
        Collected got;
        pid_t stopped = -1;
        const ExifToolReadSummary summary = m_process->read(files, MetadataMode::Fast,
            [&](qsizetype index, MetadataRecord &&record) {
                got.callback()(index, std::move(record));
                if (got.records.size() == 10) {
                    stopped = m_process->pid();
                    ::kill(stopped, SIGSTOP);
                }
            });
        QVERIFY(stopped > 0);
        QCOMPARE(summary.restarts, 1);
        QCOMPARE(static_cast<qsizetype>(got.records.size()), files.size());
        for (const auto &[index, record] : got.records) {
            QVERIFY(record.ok());
            QCOMPARE(record.fields.value(QStringLiteral("EXIF:Make")).toString(), QStringLiteral("SONY"));
        }
        QVERIFY(processGone(stopped));
    }

    // A file that hangs or crashes ExifTool twice is an error for that file only.
    void badFilesFailAlone()
    {
        m_process->stop(milliseconds(1000));
        m_process = std::make_unique<ExifToolProcess>(fakeOptions(milliseconds(400)), &m_spawner);
        QTemporaryDir dir;
        QList<QByteArray> files;
        for (const char *name : {"a.jpg", "hang.jpg", "b.jpg", "crash.jpg", "c.jpg", "hang-once.jpg",
                                 "crash-once.jpg", "d.jpg"}) {
            const QByteArray path = QFile::encodeName(dir.path()) + '/' + name;
            QFile file(QString::fromUtf8(path));
            QVERIFY(file.open(QIODevice::WriteOnly));
            files.append(path);
        }
        Collected got;
        const ExifToolReadSummary summary = m_process->read(files, MetadataMode::Fast, got.callback());
        QCOMPARE(static_cast<qsizetype>(got.records.size()), files.size());
        QCOMPARE(got.duplicates, 0);
        // hang x2, crash x2, hang-once x1, crash-once x1
        QCOMPARE(summary.restarts, 6);
        const QList<qsizetype> good{0, 2, 4, 5, 6, 7};
        for (qsizetype i : good) {
            QVERIFY2(got.records.at(i).ok(), files.at(i).constData());
            QCOMPARE(got.records.at(i).fields.value(QStringLiteral("Fake:Name")).toString(),
                     QString::fromUtf8(oncutf::core::files::fileName(files.at(i))));
        }
        QVERIFY(!got.records.at(1).ok());
        QCOMPARE(got.records.at(1).error->code, ErrorCode::Timeout);
        QVERIFY(!got.records.at(3).ok());
        QCOMPARE(got.records.at(3).error->code, ErrorCode::Corrupt);
    }

    void filesExifToolMustNotSee()
    {
        QTemporaryDir dir;
        const QByteArray base = QFile::encodeName(dir.path());
        QVERIFY(::mkfifo(QByteArray(base + "/pipe.jpg").constData(), 0600) == 0);
        QVERIFY(::mkdir(QByteArray(base + "/folder.jpg").constData(), 0700) == 0);
        const QList<QByteArray> files{base + "/pipe.jpg", base + "/folder.jpg", base + "/missing.jpg",
                                      m_fixtures.path("plain.jpg")};
        Collected got;
        m_process->read(files, MetadataMode::Fast, got.callback());
        QCOMPARE(static_cast<qsizetype>(got.records.size()), files.size());
        QCOMPARE(got.records.at(0).error->code, ErrorCode::Unsupported);
        QCOMPARE(got.records.at(1).error->code, ErrorCode::InvalidArgument);
        QCOMPARE(got.records.at(2).error->code, ErrorCode::NotFound);
        QVERIFY(got.records.at(3).ok());
        QCOMPARE(got.records.at(3).fields.value(QStringLiteral("File:FileType")).toString(), QStringLiteral("JPEG"));
    }

    void zeroByteAndCorruptAreReported()
    {
        const QList<QByteArray> files{m_fixtures.path("empty.jpg"), m_fixtures.path("truncated.jpg"),
                                      m_fixtures.path("garbage.jpg")};
        Collected got;
        m_process->read(files, MetadataMode::Fast, got.callback());
        QCOMPARE(static_cast<qsizetype>(got.records.size()), files.size());
        QCOMPARE(got.records.at(0).fields.value(QStringLiteral("ExifTool:Error")).toString(),
                 QStringLiteral("File is empty"));
        QCOMPARE(got.records.at(0).fields.value(QStringLiteral("File:FileSize")).toString(), QStringLiteral("0 bytes"));
        QCOMPARE(got.records.at(1).fields.value(QStringLiteral("ExifTool:Warning")).toString(),
                 QStringLiteral("JPEG format error"));
    }

    void cancelStopsEarlyAndKeepsTheProcessUsable()
    {
        QTemporaryDir dir;
        const QList<QByteArray> files = copies(m_fixtures.path("plain.jpg"), dir.path(), 60);
        Collected got;
        bool cancel = false;
        const ExifToolReadSummary summary = m_process->read(files, MetadataMode::Fast,
            [&](qsizetype index, MetadataRecord &&record) {
                got.callback()(index, std::move(record));
                cancel = got.records.size() >= 10;
            },
            [&] { return cancel; });
        QVERIFY(summary.cancelled);
        QVERIFY(got.records.size() >= 10);
        QVERIFY2(got.records.size() <= 10 + 4, qPrintable(QString::number(got.records.size())));
        Collected again;
        m_process->read({files.last()}, MetadataMode::Fast, again.callback());
        QCOMPARE(again.records.size(), size_t(1));
        QVERIFY(again.records.at(0).ok());
    }

    void missingProgramIsAnErrorPerFile()
    {
        ExifToolOptions options;
        options.command = {QByteArrayLiteral("/nonexistent/exiftool")};
        ExifToolProcess process(options, &m_spawner);
        Collected got;
        process.read({m_fixtures.path("plain.jpg"), m_fixtures.path("canon_r5.jpg")}, MetadataMode::Fast, got.callback());
        QCOMPARE(got.records.size(), size_t(2));
        QVERIFY(!got.records.at(0).ok());
        QVERIFY(!got.records.at(1).ok());
        process.stop(milliseconds(100));
    }

    // The processes run with tcmalloc (installed by scripts/install-deps.sh), in front of what
    // the user preloads; a missing library or ONCUTF_EXIFTOOL_MALLOC=system means glibc's.
    void runsWithTheAllocator()
    {
        const QByteArray allocator = defaultExifToolAllocator();
        QVERIFY2(allocator.endsWith("/libtcmalloc_minimal.so.4"),
                 "libtcmalloc-minimal4 is not installed (scripts/install-deps.sh installs it)");
        const QByteArray userPreload = QFile::encodeName(QFileInfo(QString::fromUtf8(allocator)).path()) + "/libz.so.1";
        QVERIFY(QFile::exists(QString::fromUtf8(userPreload)));
        const QByteArray saved = qgetenv("LD_PRELOAD");
        qputenv("LD_PRELOAD", userPreload);
        const oncutf::core::Status started = m_process->start();
        if (saved.isEmpty()) {
            qunsetenv("LD_PRELOAD");
        } else {
            qputenv("LD_PRELOAD", saved);
        }
        QVERIFY(started);
        const QByteArray maps = readProcFile(m_process->pid(), "maps");
        QVERIFY2(maps.contains("libtcmalloc_minimal.so.4"), maps.left(2000).constData());
        QVERIFY(maps.contains("libz.so.1"));
        const QList<QByteArray> environment = environmentOf(m_process->pid());
        QVERIFY(environment.contains("LD_PRELOAD=" + allocator + ' ' + userPreload));
        // Replaced, not added beside the user's; the rest of oncutf's environment is passed on.
        QCOMPARE(std::count_if(environment.cbegin(), environment.cend(),
                               [](const QByteArray &variable) { return variable.startsWith("LD_PRELOAD="); }),
                 1);
        QVERIFY(environment.contains("PATH=" + qgetenv("PATH")));

        // It still reads a file exactly as ExifTool does (extendedMatchesReference compares all).
        Collected got;
        m_process->read({m_fixtures.path("canon_r5.jpg")}, MetadataMode::Fast, got.callback());
        QCOMPARE(got.records.at(0).fields.value(QStringLiteral("EXIF:Make")).toString(), QStringLiteral("Canon"));

        qputenv("ONCUTF_EXIFTOOL_MALLOC", "system");
        QVERIFY(defaultExifToolAllocator().isEmpty());
        qputenv("ONCUTF_EXIFTOOL_MALLOC", "/opt/other/libmalloc.so");
        QCOMPARE(defaultExifToolAllocator(), QByteArray("/opt/other/libmalloc.so"));
        qunsetenv("ONCUTF_EXIFTOOL_MALLOC");
        QCOMPARE(defaultExifToolAllocator(), allocator);
    }

    void missingAllocatorPreloadsNothing()
    {
        ExifToolOptions options;
        options.allocator = "/nonexistent/libtcmalloc_minimal.so.4";
        ExifToolProcess process(options, &m_spawner);
        QVERIFY(process.start());
        QVERIFY(!environmentOf(process.pid()).contains("LD_PRELOAD=/nonexistent"));
        QVERIFY(!readProcFile(process.pid(), "maps").contains("libtcmalloc"));
        Collected got;
        process.read({m_fixtures.path("canon_r5.jpg")}, MetadataMode::Fast, got.callback());
        QVERIFY(got.records.at(0).ok());
        QCOMPARE(got.records.at(0).fields.value(QStringLiteral("EXIF:Make")).toString(), QStringLiteral("Canon"));
        process.stop(milliseconds(2000));
    }

    // launch() returns once the process exists, before it answers: here a program that never
    // answers, whose start() then times out and leaves no process behind.
    void launchDoesNotWaitForTheAnswer()
    {
        ExifToolOptions options;
        options.command = {QByteArrayLiteral("bash"), QByteArrayLiteral("-c"), QByteArrayLiteral("exec sleep 60")};
        options.startTimeout = milliseconds(300);
        ExifToolProcess process(options, &m_spawner);
        QVERIFY(process.launch());
        const pid_t pid = process.pid();
        QVERIFY(pid > 0);
        QVERIFY(process.isRunning());
        const oncutf::core::Status started = process.start();
        QVERIFY(!started);
        QCOMPARE(started.error().code, ErrorCode::Timeout);
        QCOMPARE(process.pid(), -1);
        QVERIFY(processGone(pid));
        process.stop(milliseconds(100));
    }

    // A launched process answers its handshake inside the first read, which uses it.
    void launchedProcessServesTheFirstRead()
    {
        QVERIFY(m_process->launch());
        const pid_t pid = m_process->pid();
        QVERIFY(pid > 0);
        Collected got;
        const ExifToolReadSummary summary =
            m_process->read({m_fixtures.path("canon_r5.jpg")}, MetadataMode::Extended, got.callback());
        QCOMPARE(summary.completed, 1);
        QCOMPARE(summary.restarts, 0);
        QCOMPARE(m_process->pid(), pid);
        QVERIFY(m_process->version().startsWith("1")); // "12.57"
        QCOMPARE(got.records.at(0).fields.value(QStringLiteral("EXIF:Make")).toString(), QStringLiteral("Canon"));
    }

    void stopReapsTheProcess()
    {
        QVERIFY(m_process->start());
        const pid_t pid = m_process->pid();
        QVERIFY(pid > 0);
        QVERIFY(!processGone(pid));
        m_process->stop(milliseconds(2000));
        QCOMPARE(m_process->pid(), -1);
        QVERIFY(processGone(pid));
        m_process->stop(milliseconds(2000)); // idempotent
    }

    // Throughput mode (several files per -execute) gives every file exactly its one-file
    // answer: every fixture, odd names and bad files included, plus files ExifTool must not see.
    void groupedEqualsOneByOne_data()
    {
        QTest::addColumn<bool>("extended");
        QTest::newRow("fast") << false;
        QTest::newRow("extended") << true;
    }

    void groupedEqualsOneByOne()
    {
        QFETCH(bool, extended);
        const MetadataMode mode = extended ? MetadataMode::Extended : MetadataMode::Fast;
        QList<QByteArray> files = m_fixtures.paths({QStringLiteral("tagged"), QStringLiteral("plain"),
                                                    QStringLiteral("odd"), QStringLiteral("dir")});
        files.append(QFile::encodeName(m_dir.path()) + "/missing.jpg");
        Collected alone;
        m_process->read(files, mode, alone.callback());
        Collected grouped;
        const ExifToolReadSummary summary = m_process->read(files, mode, grouped.callback(), {}, 5);
        QCOMPARE(summary.restarts, 0);
        QCOMPARE(summary.completed, files.size());
        QCOMPARE(grouped.duplicates, 0);
        QCOMPARE(static_cast<qsizetype>(grouped.records.size()), files.size());
        for (qsizetype i = 0; i < files.size(); ++i) {
            const MetadataRecord &one = alone.records.at(i);
            const MetadataRecord &many = grouped.records.at(i);
            QCOMPARE(many.path, files.at(i));
            QCOMPARE(many.mode, mode);
            QCOMPARE(many.ok(), one.ok());
            if (!one.ok()) {
                QCOMPARE(many.error->code, one.error->code);
                QCOMPARE(many.error->message, one.error->message);
            }
            QCOMPARE(withoutVolatile(many.fields), withoutVolatile(one.fields));
            QCOMPARE(many.fields.value(QStringLiteral("File:FileName")), one.fields.value(QStringLiteral("File:FileName")));
        }
        QVERIFY(grouped.records.at(files.indexOf(m_fixtures.path("canon_r5.jpg"))).fields.contains(QStringLiteral("EXIF:Make")));
    }

    // kill -9 in the middle of a grouped command: its files are read again, none is lost.
    void groupedRestartsAfterKill()
    {
        QTemporaryDir dir;
        const QList<QByteArray> files = copies(m_fixtures.path("canon_r5.jpg"), dir.path(), 80);
        QCOMPARE(files.size(), 80);
        Collected got;
        pid_t killed = -1;
        const ExifToolReadSummary summary = m_process->read(files, MetadataMode::Extended,
            [&](qsizetype index, MetadataRecord &&record) {
                got.callback()(index, std::move(record));
                if (got.records.size() == 20) {
                    killed = m_process->pid();
                    ::kill(killed, SIGKILL);
                }
            },
            {}, 8);
        QVERIFY(killed > 0);
        QCOMPARE(summary.restarts, 1);
        QCOMPARE(got.duplicates, 0);
        QCOMPARE(static_cast<qsizetype>(got.records.size()), files.size());
        for (const auto &[index, record] : got.records) {
            QVERIFY2(record.ok(), qPrintable(record.error ? record.error->toString() : QString()));
            QCOMPARE(record.fields.value(QStringLiteral("EXIF:Make")).toString(), QStringLiteral("Canon"));
        }
        QVERIFY(processGone(killed));
    }

    // A file that hangs or crashes ExifTool inside a grouped command fails alone; its neighbours
    // in the command are read again and get their answer.
    void groupedBadFilesFailAlone()
    {
        m_process->stop(milliseconds(1000));
        m_process = std::make_unique<ExifToolProcess>(fakeOptions(milliseconds(400)), &m_spawner);
        QTemporaryDir dir;
        QList<QByteArray> files;
        for (const char *name : {"a.jpg", "hang.jpg", "b.jpg", "c.jpg", "crash.jpg", "d.jpg", "e.jpg", "f.jpg",
                                 "crash-once.jpg", "g.jpg"}) {
            const QByteArray path = QFile::encodeName(dir.path()) + '/' + name;
            QFile file(QString::fromUtf8(path));
            QVERIFY(file.open(QIODevice::WriteOnly));
            files.append(path);
        }
        Collected got;
        const ExifToolReadSummary summary = m_process->read(files, MetadataMode::Fast, got.callback(), {}, 4);
        QCOMPARE(static_cast<qsizetype>(got.records.size()), files.size());
        QCOMPARE(got.duplicates, 0);
        // Each bad file fails its command once, then twice alone; crash-once fails its command.
        QCOMPARE(summary.restarts, 3 + 3 + 1);
        for (qsizetype i = 0; i < files.size(); ++i) {
            if (i == 1 || i == 4) {
                continue;
            }
            QVERIFY2(got.records.at(i).ok(), files.at(i).constData());
            QCOMPARE(got.records.at(i).fields.value(QStringLiteral("Fake:Name")).toString(),
                     QString::fromUtf8(oncutf::core::files::fileName(files.at(i))));
        }
        QCOMPARE(got.records.at(1).error->code, ErrorCode::Timeout);
        QCOMPARE(got.records.at(4).error->code, ErrorCode::Corrupt);
    }

    void timeoutScalesWithSize()
    {
        QCOMPARE(m_process->timeoutFor(0), milliseconds(5000));
        QCOMPARE(m_process->timeoutFor(1), milliseconds(6000));
        QCOMPARE(m_process->timeoutFor(50LL * 1000 * 1000), milliseconds(6000));
        QCOMPARE(m_process->timeoutFor(4LL * 1000 * 1000 * 1000), milliseconds(85000));
    }

private:
    QTemporaryDir m_dir;
    MetadataFixtures m_fixtures;
    ChildSpawner m_spawner;
    std::unique_ptr<ExifToolProcess> m_process;
};

QTEST_GUILESS_MAIN(TestExifToolProcess)
#include "tst_exiftoolprocess.moc"
