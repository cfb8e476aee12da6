// ctest-labels: rename exiftool
// ctest-timeout: 300
// `oncutf-cli preview`, `apply`, `history`, `undo`, `redo` and `recover` end to end: the real
// binary (ONCUTF_CLI_PATH) through QProcess on real folders, a real database and real ExifTool
// metadata (the demo's photo generator), checking what a user sees: the issue's recipe works as
// written, swaps and shifts need no conflict handling, a refused plan changes nothing (exit 3),
// undo restores every name and byte, and a SIGKILL in the middle of apply is repaired.

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <map>

#include <fcntl.h>
#include <unistd.h>

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Every regular file below `root` (hidden ones included) -> md5 of its content.
std::map<QByteArray, QByteArray> snapshot(const QString &root)
{
    std::map<QByteArray, QByteArray> files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        files[QFile::encodeName(QDir(root).relativeFilePath(path))] =
            QCryptographicHash::hash(file.readAll(), QCryptographicHash::Md5).toHex();
    }
    return files;
}

QMultiMap<QByteArray, QByteArray> contents(const std::map<QByteArray, QByteArray> &files)
{
    QMultiMap<QByteArray, QByteArray> byContent;
    for (const auto &[name, sum] : files)
        byContent.insert(sum, name);
    return byContent;
}

const char *const kIssueRecipe = R"({
  "modules": [
    {"type": "metadata", "field": "EXIF:DateTimeOriginal", "format": "%Y%m%d_%H%M%S"},
    {"type": "text", "text": "_"},
    {"type": "counter", "start": 1, "step": 1, "padding": 3, "scope": "per_folder"},
    {"type": "text", "text": "_"},
    {"type": "original_name"}
  ],
  "final_transform": {"greeklish": false, "case": "original", "separator": "as_is"},
  "sort": "name",
  "on_conflict": "fail",
  "companions": true
})";

} // namespace

class TestCliRename final : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_db;

    Run cli(const QStringList &args, int timeoutMs = 120'000, const QString &workingDirectory = {})
    {
        QProcess process;
        if (!workingDirectory.isEmpty())
            process.setWorkingDirectory(workingDirectory);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ONCUTF_DB"), m_db);
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(ONCUTF_CLI_PATH), args);
        Run run;
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished();
            return run;
        }
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        return run;
    }

    QString makeFolder(const QString &name)
    {
        const QString path = m_tmp.filePath(name);
        QDir().mkpath(path);
        return path;
    }

    static void touch(const QString &path, const QByteArray &content)
    {
        QFile file(path);
        QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
        file.write(content);
    }

    QString writeRecipe(const QString &name, const QByteArray &json)
    {
        const QString path = m_tmp.filePath(name);
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write(json);
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_db = m_tmp.filePath(QStringLiteral("oncutf.db"));
    }

    void issueRecipeRenamesByCaptureDateAndUndoRestoresAll()
    {
        const QString photos = makeFolder(QStringLiteral("photos"));
        QProcess gen;
        gen.start(QStringLiteral("python3"),
                  {QStringLiteral(ONCUTF_SOURCE_DIR "/scripts/make_demo_photos.py"), photos});
        QVERIFY(gen.waitForFinished(60'000));
        QCOMPARE(gen.exitCode(), 0);
        const auto before = snapshot(photos);
        QVERIFY(before.size() > 30);
        const QString recipe = writeRecipe(QStringLiteral("issue.json"), kIssueRecipe);

        // One folder without photos lacking a date: the recipe as written has no fallback.
        const QString crete = photos + QStringLiteral("/2024-06 Κρήτη (Crete)");
        const Run preview = cli({QStringLiteral("preview"), QStringLiteral("--json"), QStringLiteral("--recipe"), recipe, crete});
        QVERIFY2(preview.exitCode == 0, preview.err.constData());
        const QJsonObject plan = QJsonDocument::fromJson(preview.out).object();
        const QJsonArray items = plan.value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 15);
        QVERIFY(plan.value(QStringLiteral("batch")).isNull());
        QMap<QString, QString> expected;
        for (const QJsonValue &value : items) {
            const QJsonObject item = value.toObject();
            QCOMPARE(item.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
            expected.insert(item.value(QStringLiteral("old")).toString(), item.value(QStringLiteral("new")).toString());
        }
        // The burst of four shots in one second gets four names, told apart by the counter;
        // sort by name: IMG_0101 is the first of the folder.
        QCOMPARE(QFileInfo(expected.value(crete + QStringLiteral("/IMG_0101.JPG"))).fileName(),
                 QStringLiteral("20240612_101500_001_IMG_0101.JPG"));
        QCOMPARE(QFileInfo(expected.value(crete + QStringLiteral("/IMG_0104.JPG"))).fileName(),
                 QStringLiteral("20240612_101500_004_IMG_0104.JPG"));
        QCOMPARE(snapshot(photos), before); // preview changes nothing

        const Run apply = cli({QStringLiteral("apply"), QStringLiteral("--json"), QStringLiteral("--recipe"), recipe, crete});
        QVERIFY2(apply.exitCode == 0, apply.err.constData());
        const QJsonObject applied = QJsonDocument::fromJson(apply.out).object();
        QVERIFY(applied.value(QStringLiteral("batch")).toInteger() > 0);
        for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
            QVERIFY2(!QFileInfo::exists(it.key()), qPrintable(it.key()));
            QVERIFY2(QFileInfo::exists(it.value()), qPrintable(it.value()));
        }
        QCOMPARE(contents(snapshot(photos)).keys(), contents(before).keys()); // same bytes

        const Run history = cli({QStringLiteral("history"), QStringLiteral("--json")});
        QCOMPARE(history.exitCode, 0);
        const QJsonArray batches = QJsonDocument::fromJson(history.out).object().value(QStringLiteral("batches")).toArray();
        QVERIFY(!batches.isEmpty());
        QCOMPARE(batches.first().toObject().value(QStringLiteral("state")).toString(), QStringLiteral("applied"));
        QCOMPARE(batches.first().toObject().value(QStringLiteral("counts")).toObject().value(QStringLiteral("total")).toInt(), 15);

        const Run undo = cli({QStringLiteral("undo")});
        QVERIFY2(undo.exitCode == 0, undo.err.constData());
        QCOMPARE(snapshot(photos), before);

        const Run redo = cli({QStringLiteral("redo")});
        QVERIFY2(redo.exitCode == 0, redo.err.constData());
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            QVERIFY2(QFileInfo::exists(it.value()), qPrintable(it.value()));
        QVERIFY(cli({QStringLiteral("undo")}).exitCode == 0);
        QCOMPARE(snapshot(photos), before);
    }

    void cleanupTestCase()
    {
        // QDir::removeRecursively cannot name a file whose name is not UTF-8 (caf\xe9.jpg).
        QProcess::execute(QStringLiteral("rm"), {QStringLiteral("-rf"), QStringLiteral("--"), m_tmp.path()});
    }

    void missingDateRefusesThePlan()
    {
        // "no date.jpg" has no DateTimeOriginal and the recipe no fallback: missing_data, exit 3,
        // nothing renamed.
        const QString odd = m_tmp.filePath(QStringLiteral("photos/2025 odd names"));
        QVERIFY(QFileInfo::exists(odd + QStringLiteral("/no date.jpg")));
        const auto before = snapshot(odd);
        const QString recipe = writeRecipe(QStringLiteral("issue.json"), kIssueRecipe);
        const Run apply = cli({QStringLiteral("apply"), QStringLiteral("--json"), QStringLiteral("--recipe"), recipe, odd});
        QCOMPARE(apply.exitCode, 3);
        const QJsonObject plan = QJsonDocument::fromJson(apply.out).object();
        bool sawMissing = false;
        for (const QJsonValue &value : plan.value(QStringLiteral("items")).toArray()) {
            const QJsonObject item = value.toObject();
            if (item.value(QStringLiteral("old")).toString().endsWith(QStringLiteral("/no date.jpg"))) {
                QCOMPARE(item.value(QStringLiteral("status")).toString(), QStringLiteral("missing_data"));
                QVERIFY(!item.value(QStringLiteral("reason")).toString().isEmpty());
                sawMissing = true;
            }
            // The Artist tag "../../etc\nroot" is not used here, but every new name stays a name.
            QVERIFY(!QFileInfo(item.value(QStringLiteral("new")).toString()).fileName().contains(QLatin1Char('\n')));
        }
        QVERIFY(sawMissing);
        QVERIFY(plan.value(QStringLiteral("batch")).isNull());
        QCOMPARE(snapshot(odd), before);
    }

    void swapAndShiftNeedNoConflictHandling_data()
    {
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<QByteArray>("recipe");
        QTest::addColumn<QStringList>("expected"); // new names, in the order of `names`
        QTest::newRow("swap 1<->2") << QStringList{QStringLiteral("1.jpg"), QStringLiteral("2.jpg")}
                                    << QByteArray(R"({"modules": [{"type": "counter", "padding": 1}], "sort": "name", "sort_reverse": true})")
                                    << QStringList{QStringLiteral("2.jpg"), QStringLiteral("1.jpg")};
        QStringList shifted;
        QStringList shiftNames;
        for (int i = 1; i <= 9; ++i) {
            shiftNames << QStringLiteral("file%1.txt").arg(i);
            shifted << QStringLiteral("file%1.txt").arg(i + 1);
        }
        QTest::newRow("shift file1..file9 -> file2..file10")
            << shiftNames
            << QByteArray(R"({"modules": [{"type": "text", "text": "file"}, {"type": "counter", "start": 2, "padding": 1}], "sort": "natural"})")
            << shifted;
    }

    void swapAndShiftNeedNoConflictHandling()
    {
        QFETCH(QStringList, names);
        QFETCH(QByteArray, recipe);
        QFETCH(QStringList, expected);
        const QString folder = makeFolder(QStringLiteral("shift-%1").arg(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_')).remove(QLatin1Char('>')));
        for (const QString &name : names)
            touch(folder + QLatin1Char('/') + name, name.toUtf8()); // content = the original name
        const QString recipeFile = writeRecipe(QStringLiteral("shift.json"), recipe);
        const Run preview = cli({QStringLiteral("preview"), QStringLiteral("--json"), QStringLiteral("--recipe"), recipeFile, folder});
        QVERIFY2(preview.exitCode == 0, QByteArray(preview.out + preview.err).constData());
        const QJsonObject summary = QJsonDocument::fromJson(preview.out).object().value(QStringLiteral("summary")).toObject();
        QCOMPARE(summary.value(QStringLiteral("conflict")).toInt(), 0);
        QCOMPARE(summary.value(QStringLiteral("duplicate")).toInt(), 0);
        const Run apply = cli({QStringLiteral("apply"), QStringLiteral("--recipe"), recipeFile, folder});
        QVERIFY2(apply.exitCode == 0, QByteArray(apply.out + apply.err).constData());
        for (qsizetype i = 0; i < names.size(); ++i) {
            QFile file(folder + QLatin1Char('/') + expected.at(i));
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(expected.at(i)));
            QCOMPARE(file.readAll(), names.at(i).toUtf8());
        }
        QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden).size(), names.size());
    }

    void conflictWithAnOutsideFileRefusesThenSuffixes()
    {
        const QString folder = makeFolder(QStringLiteral("conflict"));
        const QString other = makeFolder(QStringLiteral("conflict/sub"));
        touch(folder + QStringLiteral("/a.txt"), "a");
        touch(folder + QStringLiteral("/photo_a.txt"), "in the way");
        Q_UNUSED(other);
        const QString recipe = writeRecipe(QStringLiteral("prefix.json"),
                                           R"({"modules": [{"type": "text", "text": "photo_"}, {"type": "original_name"}]})");
        // photo_a.txt is itself renamed to photo_photo_a.txt, which frees photo_a.txt: no conflict.
        Run run = cli({QStringLiteral("preview"), QStringLiteral("--json"), QStringLiteral("--recipe"), recipe, folder});
        QCOMPARE(run.exitCode, 0);
        // With a template that leaves photo_a.txt alone (text_removal of "photo_" from it gives "a"),
        // the outside holder is a real conflict.
        const QString keep = writeRecipe(QStringLiteral("keep.json"),
                                         R"({"modules": [{"type": "text", "text": "photo_"}, {"type": "original_name"}]})");
        const QString single = makeFolder(QStringLiteral("conflict2"));
        touch(single + QStringLiteral("/a.txt"), "a");
        const QString holder = makeFolder(QStringLiteral("conflict2/photo_a.txt")); // a folder holds the name
        Q_UNUSED(holder);
        run = cli({QStringLiteral("apply"), QStringLiteral("--json"), QStringLiteral("--recipe"), keep, single});
        QCOMPARE(run.exitCode, 3);
        QVERIFY(QFileInfo(single + QStringLiteral("/a.txt")).isFile());
        run = cli({QStringLiteral("apply"), QStringLiteral("--on-conflict"), QStringLiteral("suffix"), QStringLiteral("--recipe"), keep, single});
        QVERIFY2(run.exitCode == 0, QByteArray(run.out + run.err).constData());
        QVERIFY(QFileInfo(single + QStringLiteral("/photo_a_1.txt")).isFile());
        QVERIFY(QFileInfo(single + QStringLiteral("/photo_a.txt")).isDir());
    }

    // The text table: the path as given on the command line, escapes for what a terminal would
    // misread, and the full path of a companion that no argument listed.
    void textTableShowsArgumentPathsEscapesAndUnlistedCompanions()
    {
        const QString folder = makeFolder(QStringLiteral("table"));
        const QByteArray native = QFile::encodeName(folder);
        // QTemporaryDir removes through QString paths and would leave the name that is not UTF-8.
        const auto removeOddName = qScopeGuard([&] { ::unlink(QByteArray(native + "/c\xff.txt").constData()); });
        for (const QByteArray &name : {QByteArray("a.txt"), QByteArray("b\\x.txt"), QByteArray("c\xff.txt"),
                                       QByteArray("IMG_1.jpg"), QByteArray("IMG_1.xmp")}) {
            // Through open(2): a QString path would turn the byte that is not UTF-8 into U+FFFD.
            const QByteArray path = native + '/' + name;
            const int fd = ::open(path.constData(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
            QVERIFY2(fd >= 0, path.constData());
            ::close(fd);
        }
        const QString recipe = writeRecipe(QStringLiteral("table.json"),
                                           R"({"modules": [{"type": "text", "text": "photo_"}, {"type": "original_name"}]})");

        Run run = cli({QStringLiteral("preview"), QStringLiteral("--recipe"), recipe, QStringLiteral("table")}, 120'000,
                      m_tmp.path());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.out, QByteArray("ok             table/a.txt -> photo_a.txt\n"
                                     "ok             table/b\\\\x.txt -> photo_b\\\\x.txt\n"
                                     "ok             table/c\\xff.txt -> photo_c\\xff.txt\n"
                                     "ok             table/IMG_1.jpg -> photo_IMG_1.jpg\n"
                                     "ok             table/IMG_1.xmp -> photo_IMG_1.xmp  [companion]\n"
                                     "5 files: 5 to rename, 0 unchanged\n"
                                     "Nothing was changed (preview). Run 'oncutf-cli apply' with the same arguments "
                                     "to rename.\n"));

        // One file as the argument: its sidecar joins from the disk and is shown by its full path.
        run = cli({QStringLiteral("preview"), QStringLiteral("--recipe"), recipe, QStringLiteral("table/IMG_1.jpg")},
                  120'000, m_tmp.path());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.out, QByteArray("ok             table/IMG_1.jpg -> photo_IMG_1.jpg\n"
                                     "ok             " + native + "/IMG_1.xmp -> photo_IMG_1.xmp  [companion]\n"
                                     "2 files: 2 to rename, 0 unchanged\n"
                                     "Nothing was changed (preview). Run 'oncutf-cli apply' with the same arguments "
                                     "to rename.\n"));
    }

    void usageErrors()
    {
        QCOMPARE(cli({QStringLiteral("apply"), m_tmp.path()}).exitCode, 2); // no recipe
        const QString bad = writeRecipe(QStringLiteral("bad.json"), R"({"modules": [{"type": "counter", "padding": "x"}]})");
        const Run run = cli({QStringLiteral("preview"), QStringLiteral("--recipe"), bad, m_tmp.path()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains("padding"), run.err.constData());
        QCOMPARE(cli({QStringLiteral("undo"), QStringLiteral("abc")}).exitCode, 2);
    }

    void sigkillDuringApplyIsRecovered()
    {
        const QString folder = makeFolder(QStringLiteral("kill"));
        const int count = 20'000;
        for (int i = 0; i < count; ++i)
            touch(folder + QStringLiteral("/f%1.dat").arg(i), QByteArray::number(i));
        const auto before = snapshot(folder);
        const QString recipe = writeRecipe(QStringLiteral("kill.json"),
                                           R"({"modules": [{"type": "text", "text": "renamed_"}, {"type": "original_name"}]})");
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ONCUTF_DB"), m_db);
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(ONCUTF_CLI_PATH), {QStringLiteral("apply"), QStringLiteral("--recipe"), recipe, folder});
        QVERIFY(process.waitForStarted());
        // Kill it once the first renamed file is on disk (the batch is then journaled and running).
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(folder + QStringLiteral("/renamed_f0.dat"))
                                     || QFileInfo::exists(folder + QStringLiteral("/renamed_f19999.dat"))
                                     || process.state() == QProcess::NotRunning,
                                 120'000);
        ::kill(pid_t(process.processId()), SIGKILL);
        process.waitForFinished();

        const Run recover = cli({QStringLiteral("recover")});
        QVERIFY2(recover.exitCode == 0, QByteArray(recover.out + recover.err).constData());
        const auto after = snapshot(folder);
        QCOMPARE(after.size(), before.size());
        // Every file under its old or its new name, with its own content; the batch wholly one way.
        int atNew = 0;
        for (const auto &[name, sum] : after) {
            const QByteArray old = name.startsWith("renamed_") ? name.mid(8) : name;
            QVERIFY2(before.count(old) == 1, name.constData());
            QCOMPARE(sum, before.at(old));
            atNew += name.startsWith("renamed_") ? 1 : 0;
        }
        QVERIFY2(atNew == 0 || atNew == count, QByteArray::number(atNew).constData());
    }
};

QTEST_GUILESS_MAIN(TestCliRename)
#include "tst_cli_rename.moc"
