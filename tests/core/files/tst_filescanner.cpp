// FileScanner and ScanWorker on real temporary folders: order, hidden files, recursion, byte-exact
// names, and the problems a user must see (missing path, unreadable folder, symlink loop, vanished
// file, FIFO) without the scan ever stopping or blocking.

#include "core/concurrency/workerthread.h"
#include "core/files/filescanner.h"
#include "core/files/scanworker.h"

#include <QDir>
#include <QFile>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace oncutf::core::files;
using oncutf::core::concurrency::WorkerThread;

namespace {

int removeEntry(const char *path, const struct stat *, int, struct FTW *)
{
    return ::remove(path);
}

/// QTemporaryDir removes through QString paths and leaves names that are not UTF-8 behind.
void removeTree(const QByteArray &root)
{
    ::nftw(root.constData(), removeEntry, 16, FTW_DEPTH | FTW_PHYS);
}

QByteArray rootOf(const QTemporaryDir &dir)
{
    return QFile::encodeName(dir.path());
}

bool writeFile(const QByteArray &path, qsizetype size = 0)
{
    const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    const QByteArray data(size, 'x');
    const bool ok = ::write(fd, data.constData(), size_t(size)) == ssize_t(size);
    ::close(fd);
    return ok;
}

bool makeDir(const QByteArray &path)
{
    return ::mkdir(path.constData(), 0755) == 0;
}

QList<QByteArray> pathsOf(const QList<FileEntry> &entries)
{
    QList<QByteArray> paths;
    for (const FileEntry &entry : entries)
        paths.append(entry.path);
    return paths;
}

QList<ScanProblem::Kind> kindsOf(const QList<ScanProblem> &problems)
{
    QList<ScanProblem::Kind> kinds;
    for (const ScanProblem &problem : problems)
        kinds.append(problem.kind);
    return kinds;
}

FileScanner::Result scan(const QList<QByteArray> &paths, bool recursive, bool hidden = false, bool follow = false)
{
    ScanOptions options;
    options.recursive = recursive;
    options.includeHidden = hidden;
    options.followSymlinks = follow;
    return FileScanner(options).scanAll(paths);
}

} // namespace

class TestFileScanner : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void listsSizeTimeTypeAndKind();
    void withoutDetailsListsTheSameFilesUnstatted();
    void sortedByteOrderFilesBeforeSubfolders();
    void hiddenSkippedUnlessIncluded();
    void nonRecursiveIgnoresSubfolders();
    void nonUtf8NameIsByteExact();
    void fileArgumentAndMissingArgument();
    void relativeArgumentBecomesAbsolute();
    void unreadableFolderIsReported();
    void symlinkLoopIsDetected();
    void symlinkedFolderNotFollowedByDefault();
    void symlinkToFileListedBrokenOneSkipped();
    void vanishedFileIsReported();
    void fifoIsSkippedAndNeverBlocks();
    void overlappingArgumentsListedOnce();
    void cancelStopsBetweenEntries();
    void typeOfEachFileIsItsOwn();
    void extensionOf_data();
    void extensionOf();
    void workerStreamsBatchesInOrder();
    void workerCancelDeliversPartialResults();
    void workerOnThreadDeliversProblemsAndBatches();

private:
    QTemporaryDir *m_dir = nullptr;
    std::unique_ptr<QTemporaryDir> m_holder;
};

void TestFileScanner::init()
{
    m_holder = std::make_unique<QTemporaryDir>();
    QVERIFY(m_holder->isValid());
    m_dir = m_holder.get();
}

void TestFileScanner::cleanup()
{
    removeTree(rootOf(*m_dir));
    m_holder.reset();
    m_dir = nullptr;
}

void TestFileScanner::listsSizeTimeTypeAndKind()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(writeFile(root + "/IMG_0001.JPG", 1234));
    QVERIFY(writeFile(root + "/clip.MP4", 10));
    QVERIFY(writeFile(root + "/raw.cr2", 0));
    QVERIFY(writeFile(root + "/README", 5));
    const timespec times[2] = {{0, UTIME_OMIT}, {1700000000, 123456789}};
    QCOMPARE(::utimensat(AT_FDCWD, QByteArray(root + "/IMG_0001.JPG").constData(), times, 0), 0);

    const auto result = scan({root}, false);
    QVERIFY(result.problems.isEmpty());
    QCOMPARE(result.entries.size(), 4);
    QCOMPARE(result.stats.files, 4);
    QCOMPARE(result.stats.directories, 1);

    const FileEntry &jpg = result.entries.at(0);
    QCOMPARE(jpg.path, root + "/IMG_0001.JPG");
    QCOMPARE(jpg.size, 1234);
    QCOMPARE(jpg.mtimeNs, 1700000000123456789LL);
    QCOMPARE(jpg.type, QStringLiteral("jpg"));
    QCOMPARE(jpg.kind, QStringLiteral("image"));

    QCOMPARE(result.entries.at(1).path, root + "/README");
    QCOMPARE(result.entries.at(1).type, QString());
    QCOMPARE(result.entries.at(1).kind, QStringLiteral("other"));
    QCOMPARE(result.entries.at(2).kind, QStringLiteral("video"));
    QCOMPARE(result.entries.at(3).kind, QStringLiteral("raw"));
}

// readDetails off: the same files, types and kinds, in the same order, with size and mtime 0;
// a symlink still resolves (the listing cannot tell what it points to), a FIFO is still skipped.
void TestFileScanner::withoutDetailsListsTheSameFilesUnstatted()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(writeFile(root + "/IMG_0001.JPG", 1234));
    QVERIFY(writeFile(root + "/README", 5));
    QVERIFY(QDir().mkpath(QFile::decodeName(root + "/sub")));
    QVERIFY(writeFile(root + "/sub/deep.txt", 3));
    QCOMPARE(::symlink("README", QByteArray(root + "/link").constData()), 0);
    QCOMPARE(::mkfifo(QByteArray(root + "/pipe").constData(), 0600), 0);

    ScanOptions options;
    options.recursive = true;
    const auto full = FileScanner(options).scanAll({root});
    options.readDetails = false;
    const auto bare = FileScanner(options).scanAll({root});

    QCOMPARE(bare.entries.size(), 4);
    QCOMPARE(bare.entries.size(), full.entries.size());
    QCOMPARE(bare.problems, full.problems);
    for (qsizetype i = 0; i < bare.entries.size(); ++i) {
        const FileEntry &b = bare.entries.at(i);
        const FileEntry &f = full.entries.at(i);
        QCOMPARE(b.path, f.path);
        QCOMPARE(b.type, f.type);
        QCOMPARE(b.kind, f.kind);
        if (b.path.endsWith("/link")) { // stat()ed to follow it, so its details are known
            QCOMPARE(b.size, f.size);
            continue;
        }
        QCOMPARE(b.size, 0);
        QCOMPARE(b.mtimeNs, 0);
    }
    QCOMPARE(full.entries.at(0).size, 1234);
}

void TestFileScanner::sortedByteOrderFilesBeforeSubfolders()
{
    const QByteArray root = rootOf(*m_dir);
    // Created out of order on purpose; readdir returns hash order on most file systems.
    const QList<QByteArray> names{"b.jpg", "\xce\xb1.jpg", "a.jpg", "B.jpg", "_u.jpg", "caf\xe9.jpg", "a b.jpg"};
    for (const QByteArray &name : names)
        QVERIFY(writeFile(root + '/' + name));
    QVERIFY(makeDir(root + "/zsub"));
    QVERIFY(makeDir(root + "/Asub"));
    QVERIFY(writeFile(root + "/zsub/z.jpg"));
    QVERIFY(writeFile(root + "/Asub/y.jpg"));

    const auto result = scan({root}, true);
    QVERIFY(result.problems.isEmpty());
    const QList<QByteArray> expected{root + "/B.jpg",         root + "/_u.jpg", root + "/a b.jpg",
                                     root + "/a.jpg",         root + "/b.jpg",  root + "/caf\xe9.jpg",
                                     root + "/\xce\xb1.jpg",  root + "/Asub/y.jpg", root + "/zsub/z.jpg"};
    QCOMPARE(pathsOf(result.entries), expected);
    QCOMPARE(result.stats.directories, 3);
}

void TestFileScanner::hiddenSkippedUnlessIncluded()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(writeFile(root + "/.hidden.jpg"));
    QVERIFY(writeFile(root + "/shown.jpg"));
    QVERIFY(makeDir(root + "/.cache"));
    QVERIFY(writeFile(root + "/.cache/inside.jpg"));

    QCOMPARE(pathsOf(scan({root}, true).entries), QList<QByteArray>{root + "/shown.jpg"});
    const QList<QByteArray> all{root + "/.hidden.jpg", root + "/shown.jpg", root + "/.cache/inside.jpg"};
    QCOMPARE(pathsOf(scan({root}, true, true).entries), all);
    // An explicit argument is listed even when its name is hidden.
    QCOMPARE(pathsOf(scan({root + "/.hidden.jpg"}, false).entries), QList<QByteArray>{root + "/.hidden.jpg"});
}

void TestFileScanner::nonRecursiveIgnoresSubfolders()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(writeFile(root + "/top.jpg"));
    QVERIFY(makeDir(root + "/sub"));
    QVERIFY(writeFile(root + "/sub/deep.jpg"));

    const auto flat = scan({root}, false);
    QCOMPARE(pathsOf(flat.entries), QList<QByteArray>{root + "/top.jpg"});
    QVERIFY(flat.problems.isEmpty());
    QCOMPARE(scan({root}, true).entries.size(), 2);
}

void TestFileScanner::nonUtf8NameIsByteExact()
{
    const QByteArray root = rootOf(*m_dir);
    const QByteArray odd = root + "/caf\xe9 \xff\xfe.JPG";
    QVERIFY(writeFile(odd, 7));

    const auto result = scan({root}, false);
    QCOMPARE(result.entries.size(), 1);
    QCOMPARE(result.entries.first().path, odd);
    QCOMPARE(result.entries.first().type, QStringLiteral("jpg"));
    struct stat st {};
    QCOMPARE(::stat(result.entries.first().path.constData(), &st), 0);
    QCOMPARE(qint64(st.st_size), 7);
}

void TestFileScanner::fileArgumentAndMissingArgument()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(writeFile(root + "/one.jpg", 3));
    QVERIFY(makeDir(root + "/d"));
    QVERIFY(writeFile(root + "/d/two.jpg"));

    const auto result = scan({root + "/missing", root + "/one.jpg", QByteArray(), root + "/d"}, false);
    QCOMPARE(pathsOf(result.entries), (QList<QByteArray>{root + "/one.jpg", root + "/d/two.jpg"}));
    QCOMPARE(result.problems.size(), 2);
    QCOMPARE(result.problems.at(0).kind, ScanProblem::Kind::MissingArgument);
    QCOMPARE(result.problems.at(0).path, root + "/missing");
    QVERIFY(result.problems.at(0).message.contains(QStringLiteral("No such file")));
    QCOMPARE(result.problems.at(1).kind, ScanProblem::Kind::MissingArgument);
}

void TestFileScanner::relativeArgumentBecomesAbsolute()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(makeDir(root + "/rel"));
    QVERIFY(writeFile(root + "/rel/x.jpg"));
    char previous[4096];
    QVERIFY(::getcwd(previous, sizeof previous) != nullptr);
    QCOMPARE(::chdir(root.constData()), 0);
    const auto result = scan({"./rel/../rel"}, false);
    QCOMPARE(::chdir(previous), 0);
    QCOMPARE(pathsOf(result.entries), QList<QByteArray>{root + "/rel/x.jpg"});
}

void TestFileScanner::unreadableFolderIsReported()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(writeFile(root + "/ok.jpg"));
    QVERIFY(makeDir(root + "/locked"));
    QVERIFY(writeFile(root + "/locked/secret.jpg"));
    QVERIFY(makeDir(root + "/zafter"));
    QVERIFY(writeFile(root + "/zafter/later.jpg"));
    QCOMPARE(::chmod(QByteArray(root + "/locked").constData(), 0), 0);
    const auto restore = qScopeGuard([&] { ::chmod(QByteArray(root + "/locked").constData(), 0755); });

    const auto check = [&](const FileScanner::Result &result) {
        return pathsOf(result.entries) == QList<QByteArray>{root + "/ok.jpg", root + "/zafter/later.jpg"}
               && kindsOf(result.problems) == QList<ScanProblem::Kind>{ScanProblem::Kind::Unreadable}
               && result.problems.first().path == root + "/locked"
               && result.problems.first().message.contains(QStringLiteral("Permission denied"));
    };

    if (::access(QByteArray(root + "/locked").constData(), R_OK) != 0) {
        QVERIFY(check(scan({root}, true)));
        return;
    }
    // Root reads any folder. Run the same scan in a child that drops to "nobody", so the check
    // still runs (CI runs as root).
    if (::geteuid() != 0)
        QSKIP("the folder stays readable after chmod 000 and privileges cannot be dropped");
    QCOMPARE(::chmod(root.constData(), 0755), 0);
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0)
            ::_exit(3);
        ::_exit(check(scan({root}, true)) ? 0 : 1);
    }
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
}

void TestFileScanner::symlinkLoopIsDetected()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(makeDir(root + "/a"));
    QVERIFY(writeFile(root + "/a/f.jpg"));
    QCOMPARE(::symlink("..", QByteArray(root + "/a/up").constData()), 0);
    QCOMPARE(::symlink(".", QByteArray(root + "/a/self").constData()), 0);

    const auto result = scan({root}, true, false, true);
    QCOMPARE(pathsOf(result.entries), QList<QByteArray>{root + "/a/f.jpg"});
    QCOMPARE(result.problems.size(), 2);
    for (const ScanProblem &problem : result.problems) {
        QCOMPARE(problem.kind, ScanProblem::Kind::SymlinkLoop);
        QVERIFY(problem.message.contains(QStringLiteral("loop")));
    }
    QCOMPARE(result.problems.at(0).path, root + "/a/self");
    QCOMPARE(result.problems.at(1).path, root + "/a/up");
}

void TestFileScanner::symlinkedFolderNotFollowedByDefault()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(makeDir(root + "/real"));
    QVERIFY(writeFile(root + "/real/f.jpg"));
    QVERIFY(makeDir(root + "/other"));
    QCOMPARE(::symlink(QByteArray(root + "/real").constData(), QByteArray(root + "/other/link").constData()), 0);

    const auto plain = scan({root + "/other"}, true);
    QVERIFY(plain.entries.isEmpty());
    QVERIFY(plain.problems.isEmpty());

    const auto followed = scan({root + "/other"}, true, false, true);
    QCOMPARE(pathsOf(followed.entries), QList<QByteArray>{root + "/other/link/f.jpg"});
    QVERIFY(followed.problems.isEmpty());
}

void TestFileScanner::symlinkToFileListedBrokenOneSkipped()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(writeFile(root + "/target.jpg", 9));
    QCOMPARE(::symlink("target.jpg", QByteArray(root + "/alias.jpg").constData()), 0);
    QCOMPARE(::symlink("nowhere.jpg", QByteArray(root + "/broken.jpg").constData()), 0);

    const auto result = scan({root}, false);
    QCOMPARE(pathsOf(result.entries), (QList<QByteArray>{root + "/alias.jpg", root + "/target.jpg"}));
    QCOMPARE(result.entries.first().size, 9);
    QCOMPARE(kindsOf(result.problems), QList<ScanProblem::Kind>{ScanProblem::Kind::Skipped});
    QCOMPARE(result.problems.first().path, root + "/broken.jpg");
}

void TestFileScanner::vanishedFileIsReported()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(writeFile(root + "/keep.jpg"));
    QVERIFY(writeFile(root + "/victim.jpg"));

    QList<FileEntry> entries;
    QList<ScanProblem> problems;
    FileScanner::Callbacks callbacks;
    callbacks.entryFound = [&](FileEntry &&entry) { entries.append(entry); };
    callbacks.problemFound = [&](ScanProblem &&problem) { problems.append(problem); };
    // Between readdir and stat: the names are read, none is examined yet.
    callbacks.folderListed = [&](const QByteArray &, qint64, qint64) {
        ::unlink(QByteArray(root + "/victim.jpg").constData());
    };
    const ScanStats stats = FileScanner().scan({root}, callbacks);

    QCOMPARE(pathsOf(entries), QList<QByteArray>{root + "/keep.jpg"});
    QCOMPARE(kindsOf(problems), QList<ScanProblem::Kind>{ScanProblem::Kind::Vanished});
    QCOMPARE(problems.first().path, root + "/victim.jpg");
    QCOMPARE(stats.problems, 1);
}

void TestFileScanner::fifoIsSkippedAndNeverBlocks()
{
    const QByteArray root = rootOf(*m_dir);
    QCOMPARE(::mkfifo(QByteArray(root + "/pipe.jpg").constData(), 0644), 0);
    QVERIFY(writeFile(root + "/real.jpg"));

    // Opening the FIFO would block forever (no writer): finishing at all proves it is not opened.
    const auto result = scan({root, root + "/pipe.jpg"}, false);
    QCOMPARE(pathsOf(result.entries), QList<QByteArray>{root + "/real.jpg"});
    QCOMPARE(kindsOf(result.problems), (QList<ScanProblem::Kind>{ScanProblem::Kind::Skipped, ScanProblem::Kind::Skipped}));
    QCOMPARE(result.problems.at(0).path, root + "/pipe.jpg");
    QVERIFY(result.problems.at(0).message.contains(QStringLiteral("FIFO")));
}

void TestFileScanner::overlappingArgumentsListedOnce()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(makeDir(root + "/sub"));
    QVERIFY(writeFile(root + "/sub/once.jpg"));

    const auto result = scan({root, root + "/sub"}, true);
    QCOMPARE(pathsOf(result.entries), QList<QByteArray>{root + "/sub/once.jpg"});
    QCOMPARE(kindsOf(result.problems), QList<ScanProblem::Kind>{ScanProblem::Kind::AlreadyScanned});
}

void TestFileScanner::cancelStopsBetweenEntries()
{
    const QByteArray root = rootOf(*m_dir);
    for (int i = 0; i < 20; ++i)
        QVERIFY(writeFile(root + "/f" + QByteArray::number(100 + i) + ".jpg"));

    QList<FileEntry> entries;
    FileScanner::Callbacks callbacks;
    callbacks.entryFound = [&](FileEntry &&entry) { entries.append(entry); };
    callbacks.isCancelled = [&] { return entries.size() >= 3; };
    const ScanStats stats = FileScanner().scan({root}, callbacks);
    QVERIFY(stats.cancelled);
    QCOMPARE(entries.size(), 3);
    QCOMPARE(entries.last().path, root + "/f102.jpg");
}

void TestFileScanner::typeOfEachFileIsItsOwn()
{
    // Consecutive names sharing a tail reuse one type; names that only look alike must not.
    const QByteArray root = rootOf(*m_dir);
    const QList<QPair<QByteArray, QString>> files{
        {"..jpg", QString()},        {".a.JPG", QStringLiteral("jpg")}, {"a.JPG", QStringLiteral("jpg")},
        {"b.JPG", QStringLiteral("jpg")}, {"c", QString()},             {"d.JPG", QStringLiteral("jpg")},
        {"e.NEF", QStringLiteral("nef")}, {"f.", QString()},            {"g.jpg", QStringLiteral("jpg")},
        {"h.xmp", QStringLiteral("xmp")},
    };
    for (const auto &[name, type] : files)
        QVERIFY(writeFile(root + '/' + name));
    const auto result = scan({root}, false, true);
    QCOMPARE(result.entries.size(), files.size());
    const QStringList kinds{QStringLiteral("other"), QStringLiteral("image"), QStringLiteral("image"),
                            QStringLiteral("image"), QStringLiteral("other"), QStringLiteral("image"),
                            QStringLiteral("raw"),   QStringLiteral("other"), QStringLiteral("image"),
                            QStringLiteral("sidecar")};
    for (qsizetype i = 0; i < files.size(); ++i) {
        QCOMPARE(result.entries.at(i).path, root + '/' + files.at(i).first);
        QCOMPARE(result.entries.at(i).type, files.at(i).second);
        QCOMPARE(result.entries.at(i).kind, kinds.at(i));
    }
}

void TestFileScanner::extensionOf_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QString>("type");

    QTest::newRow("upper") << QByteArray("IMG_1.JPG") << QStringLiteral("jpg");
    QTest::newRow("double") << QByteArray("a.tar.gz") << QStringLiteral("gz");
    QTest::newRow("none") << QByteArray("README") << QString();
    QTest::newRow("dotfile") << QByteArray(".bashrc") << QString();
    QTest::newRow("dotdot file") << QByteArray("..hidden") << QString();
    QTest::newRow("dotfile with ext") << QByteArray(".config.xmp") << QStringLiteral("xmp");
    QTest::newRow("trailing dot") << QByteArray("name.") << QString();
    QTest::newRow("greek ext") << QByteArray("x.\xce\x91\xce\x92") << QString::fromUtf8("\xce\xb1\xce\xb2");
}

void TestFileScanner::extensionOf()
{
    QFETCH(QByteArray, name);
    QFETCH(QString, type);
    QCOMPARE(FileScanner::extensionOf(name), type);
}

void TestFileScanner::workerStreamsBatchesInOrder()
{
    const QByteArray root = rootOf(*m_dir);
    for (int i = 0; i < 25; ++i)
        QVERIFY(writeFile(root + "/f" + QByteArray::number(100 + i) + ".jpg"));

    ScanWorker worker({root}, ScanOptions{});
    worker.setBatchSize(10);
    worker.setBatchLatency(std::chrono::hours(1));
    worker.setProgressInterval(std::chrono::milliseconds(0));
    QSignalSpy batches(&worker, &ScanWorker::batchReady);
    QSignalSpy progress(&worker, &ScanWorker::progress);
    QSignalSpy finished(&worker, &ScanWorker::finished);
    worker.run(); // synchronous: signals are direct

    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().toBool(), true);
    QList<FileEntry> all;
    QList<qsizetype> sizes;
    for (const QList<QVariant> &args : std::as_const(batches)) {
        const auto batch = args.first().value<QList<FileEntry>>();
        sizes.append(batch.size());
        all += batch;
    }
    QCOMPARE(sizes, (QList<qsizetype>{10, 10, 5}));
    QCOMPARE(all.first().path, root + "/f100.jpg");
    QCOMPARE(all.last().path, root + "/f124.jpg");
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().at(0).toLongLong(), progress.last().at(1).toLongLong());
    QCOMPARE(worker.stats().files, 25);
}

void TestFileScanner::workerCancelDeliversPartialResults()
{
    const QByteArray root = rootOf(*m_dir);
    for (int i = 0; i < 30; ++i)
        QVERIFY(writeFile(root + "/f" + QByteArray::number(100 + i) + ".jpg"));

    ScanWorker worker({root}, ScanOptions{});
    worker.setBatchSize(4);
    worker.setBatchLatency(std::chrono::hours(1));
    qsizetype received = 0;
    QSignalSpy finished(&worker, &ScanWorker::finished);
    // Cancel from the batch handler: the partial batch found so far must still arrive.
    connect(&worker, &ScanWorker::batchReady, &worker, [&](const QList<FileEntry> &batch) {
        received += batch.size();
        if (received >= 8)
            worker.cancel();
    });
    worker.run();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().toBool(), false);
    QCOMPARE(received, 8);
    QVERIFY(worker.stats().cancelled);
}

void TestFileScanner::workerOnThreadDeliversProblemsAndBatches()
{
    const QByteArray root = rootOf(*m_dir);
    QVERIFY(writeFile(root + "/a.jpg"));
    QVERIFY(writeFile(root + "/b.jpg"));

    auto *worker = new ScanWorker({root, root + "/missing"}, ScanOptions{});
    WorkerThread thread(QStringLiteral("test-scan"));
    QList<FileEntry> entries;
    QList<ScanProblem> problems;
    connect(worker, &ScanWorker::batchReady, this, [&](const QList<FileEntry> &batch) { entries += batch; });
    connect(worker, &ScanWorker::problem, this, [&](const ScanProblem &problem) { problems.append(problem); });
    QSignalSpy finished(&thread, &WorkerThread::workerFinished);
    thread.start(worker);
    QVERIFY(finished.wait(10000));
    QVERIFY(thread.stop(QDeadlineTimer(10000)));

    QCOMPARE(finished.first().first().toBool(), true);
    QCOMPARE(pathsOf(entries), (QList<QByteArray>{root + "/a.jpg", root + "/b.jpg"}));
    QCOMPARE(kindsOf(problems), QList<ScanProblem::Kind>{ScanProblem::Kind::MissingArgument});
}

QTEST_GUILESS_MAIN(TestFileScanner)
#include "tst_filescanner.moc"
