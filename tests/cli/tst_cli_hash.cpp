// `oncutf-cli hash`, `duplicates` and `compare` end to end: the real binary (ONCUTF_CLI_PATH)
// through QProcess on folders of awkward names, checked against zlib's crc32 (loaded at run time)
// and, for the JSON, against what a Python script reads with json.load + os.fsencode.

#include "core/hash/checksumlist.h"
#include "core/hash/crc32.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLibrary>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <random>
#include <vector>

using oncutf::core::hash::ChecksumList;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

quint32 zlibCrc(const QByteArray &bytes)
{
    using Fn = unsigned long (*)(unsigned long, const unsigned char *, std::size_t);
    static const Fn crc32z = [] {
        QLibrary zlib(QStringLiteral("z"), 1);
        return zlib.load() ? reinterpret_cast<Fn>(zlib.resolve("crc32_z")) : nullptr;
    }();
    Q_ASSERT(crc32z != nullptr);
    return quint32(crc32z(0, reinterpret_cast<const unsigned char *>(bytes.constData()), std::size_t(bytes.size())));
}

QByteArray randomBytes(qsizetype size, unsigned seed)
{
    std::mt19937 gen(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &c : bytes)
        c = char(gen() & 0xFFU);
    return bytes;
}

/// 4 bytes that, appended to `prefix`, make crc32 equal `target` (CRC32 is affine in them).
QByteArray crcFixup(const QByteArray &prefix, quint32 target)
{
    auto tailOf = [](quint32 x) {
        QByteArray tail(4, '\0');
        for (int i = 0; i < 4; ++i)
            tail[i] = char((x >> (8 * i)) & 0xFFU);
        return tail;
    };
    const quint32 base = zlibCrc(prefix + tailOf(0));
    struct Row {
        quint32 vector, combination, pivot;
    };
    std::vector<Row> basis;
    for (int bit = 0; bit < 32; ++bit) {
        quint32 v = zlibCrc(prefix + tailOf(1U << bit)) ^ base;
        quint32 m = 1U << bit;
        for (const Row &row : basis) {
            if (v & row.pivot) {
                v ^= row.vector;
                m ^= row.combination;
            }
        }
        if (v != 0)
            basis.push_back({v, m, 1U << (31 - __builtin_clz(v))});
    }
    quint32 d = target ^ base;
    quint32 x = 0;
    for (const Row &row : basis) {
        if (d & row.pivot) {
            d ^= row.vector;
            x ^= row.combination;
        }
    }
    return tailOf(x);
}

int removeEntry(const char *path, const struct stat *, int, struct FTW *)
{
    return ::remove(path);
}

} // namespace

class TestCliHash final : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    QByteArray m_root; ///< the test's folder; the CLI runs with it as working directory

    QByteArray put(const QByteArray &relative, const QByteArray &contents) const
    {
        const QByteArray path = m_root + '/' + relative;
        for (qsizetype slash = path.indexOf('/', m_root.size() + 1); slash > 0; slash = path.indexOf('/', slash + 1))
            ::mkdir(path.left(slash).constData(), 0755);
        const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            return {};
        const bool ok = ::write(fd, contents.constData(), std::size_t(contents.size())) == ssize_t(contents.size());
        ::close(fd);
        // An mtime outside the cache's racy window, so a hash of this file is cached.
        const struct timespec old[2] = {{1'000'000'000, 0}, {1'000'000'000, 0}};
        ::utimensat(AT_FDCWD, path.constData(), old, 0);
        return ok ? path : QByteArray();
    }

    Run cli(const QStringList &args, const QByteArray &input = {}) const
    {
        QProcess process;
        process.setWorkingDirectory(QFile::decodeName(m_root));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ONCUTF_DB"), QFile::decodeName(m_root + "/../oncutf-test.db"));
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(ONCUTF_CLI_PATH), args);
        if (!input.isEmpty())
            process.write(input);
        process.closeWriteChannel();
        Run run;
        if (!process.waitForFinished(30'000)) {
            process.kill();
            process.waitForFinished();
            return run;
        }
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        return run;
    }

    /// path -> crc from sha256sum-layout output.
    static std::map<QByteArray, quint32> parseListing(const QByteArray &out)
    {
        const auto parsed = ChecksumList::parse(out);
        std::map<QByteArray, quint32> listing;
        for (const auto &entry : parsed.entries)
            listing[entry.path] = entry.crc;
        if (!parsed.malformedLines.isEmpty())
            listing[QByteArray("<malformed>")] = 0;
        return listing;
    }

    /// The mixed folder: relative path -> contents.
    std::map<QByteArray, QByteArray> makeMixedFolder() const
    {
        const std::map<QByteArray, QByteArray> files{
            {"mixed/empty", QByteArray()},
            {"mixed/binary.bin", randomBytes(300'000, 1)},
            {"mixed/\xce\xb1\xce\xb2\xce\xb3 greek \xf0\x9f\x93\xb7.jpg", "unicode"},
            {"mixed/with  two spaces ", "spaces"},
            {"mixed/new\nline", "newline"},
            {"mixed/back\\slash", "backslash"},
            {"mixed/cr\rname", "carriage return"},
            {"mixed/caf\xe9-latin1", "not utf-8"},
            {"mixed/-dash", "leading dash"},
            {"mixed/sub/deeper/file.txt", randomBytes(70'000, 2)},
        };
        for (const auto &[relative, contents] : files)
            put(relative, contents);
        return files;
    }

private Q_SLOTS:
    void init()
    {
        m_tmp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_tmp->isValid());
        m_root = QFile::encodeName(m_tmp->path()) + "/work";
        QCOMPARE(::mkdir(m_root.constData(), 0755), 0);
    }

    void cleanup()
    {
        // Names that are not UTF-8 defeat QTemporaryDir's own removal.
        ::nftw(QFile::encodeName(m_tmp->path()).constData(), removeEntry, 16, FTW_DEPTH | FTW_PHYS);
        m_tmp.reset();
    }

    void mixedFolderEqualsZlib_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::newRow("default") << QStringList{};
        QTest::newRow("one job, no cache") << QStringList{QStringLiteral("--jobs"), QStringLiteral("1"),
                                                         QStringLiteral("--no-cache")};
        QTest::newRow("four jobs") << QStringList{QStringLiteral("-j"), QStringLiteral("4")};
    }

    void mixedFolderEqualsZlib()
    {
        QFETCH(QStringList, options);
        const auto files = makeMixedFolder();
        std::map<QByteArray, quint32> expected;
        for (const auto &[relative, contents] : files)
            expected[relative] = zlibCrc(contents);

        for (int pass = 0; pass < 2; ++pass) { // the second pass is served by the cache (unless --no-cache)
            const Run run = cli(QStringList{QStringLiteral("hash"), QStringLiteral("--recursive")} + options
                                + QStringList{QStringLiteral("mixed")});
            QCOMPARE(run.exitCode, 0);
            QCOMPARE(run.err, QByteArray());
            QCOMPARE(parseListing(run.out), expected);
            QVERIFY(run.out.contains("  mixed/new\\nline\n"));
            QVERIFY(!run.out.contains("new\nline"));
        }
    }

    void sameLinesAsSha256sumLayout()
    {
        put("d/a b", "1");
        put("d/x\ny", "2");
        const Run run = cli({QStringLiteral("hash"), QStringLiteral("d/a b"), QStringLiteral("d/x\ny")});
        QCOMPARE(run.exitCode, 0);
        const QByteArray expected = ChecksumList::formatLine(zlibCrc("1"), "d/a b")
                                    + ChecksumList::formatLine(zlibCrc("2"), "d/x\ny");
        QCOMPARE(run.out, expected);
        QVERIFY(run.out.contains("\n\\"));
    }

    void changedFileIsRehashed()
    {
        put("f", "before!");
        const Run first = cli({QStringLiteral("hash"), QStringLiteral("f")});
        QCOMPARE(first.out, ChecksumList::formatLine(zlibCrc("before!"), "f"));
        // Same size, new bytes and a new mtime: the cached CRC must not be used.
        const QByteArray path = put("f", "after!!");
        const struct timespec other[2] = {{1'100'000'000, 0}, {1'100'000'000, 0}};
        QCOMPARE(::utimensat(AT_FDCWD, path.constData(), other, 0), 0);
        const Run second = cli({QStringLiteral("hash"), QStringLiteral("f")});
        QCOMPARE(second.exitCode, 0);
        QCOMPARE(second.out, ChecksumList::formatLine(zlibCrc("after!!"), "f"));
    }

    void jsonShape()
    {
        const auto files = makeMixedFolder();
        // A /proc file claims size 0 and then yields bytes: reported as changed while hashed.
        const Run run = cli({QStringLiteral("hash"), QStringLiteral("--json"), QStringLiteral("-r"),
                             QStringLiteral("mixed"), QStringLiteral("/proc/self/stat")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("/proc/self/stat: changed while being hashed"), run.err.constData());

        // What a user's script sees: every key, byte-exact paths, CRCs that zlib confirms.
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (python.isEmpty())
            QSKIP("python3 is needed to check the JSON the way scripts read it");
        const QString script = QStringLiteral(R"PY(
import json, os, sys, zlib
items = json.load(sys.stdin)
assert isinstance(items, list), "not a list"
for item in items:
    assert sorted(item) == ["crc32", "error", "path", "size"], item
    path = os.fsencode(item["path"])
    if item["error"] is None:
        data = open(path, "rb").read()
        assert item["crc32"] == "%08x" % zlib.crc32(data), item
        assert item["size"] == len(data), item
        print("ok", path.hex())
    else:
        assert item["crc32"] is None, item
        print("error", path.hex(), item["size"])
)PY");
        QProcess process;
        process.setWorkingDirectory(QFile::decodeName(m_root));
        process.start(python, {QStringLiteral("-c"), script});
        process.write(run.out);
        process.closeWriteChannel();
        QVERIFY(process.waitForFinished(30'000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(lines.size(), qsizetype(files.size()) + 1);
        QList<QByteArray> okPaths;
        for (const QByteArray &line : lines) {
            const QList<QByteArray> fields = line.split(' ');
            if (fields[0] == "ok")
                okPaths.append(QByteArray::fromHex(fields[1]));
        }
        std::sort(okPaths.begin(), okPaths.end());
        QList<QByteArray> expected;
        for (const auto &file : files)
            expected.append(file.first);
        QCOMPARE(okPaths, expected);
        QCOMPARE(lines.last(), QByteArray("error ") + QByteArray("/proc/self/stat").toHex() + " 0");
    }

    void checkPassesAndFails()
    {
        makeMixedFolder();
        const Run listed = cli({QStringLiteral("hash"), QStringLiteral("-r"), QStringLiteral("mixed")});
        QCOMPARE(listed.exitCode, 0);
        QFile list(QFile::decodeName(m_root + "/list.crc"));
        QVERIFY(list.open(QIODevice::WriteOnly));
        list.write(listed.out);
        list.close();

        const Run pass = cli({QStringLiteral("hash"), QStringLiteral("--check"), QStringLiteral("list.crc")});
        QCOMPARE(pass.exitCode, 0);
        QCOMPARE(pass.out.count(": OK\n"), 10);
        QVERIFY(pass.out.contains("\\mixed/new\\nline: OK\n"));
        QVERIFY(pass.out.contains("mixed/back\\slash: OK\n"));

        // Same list from standard input.
        const Run stdinPass = cli({QStringLiteral("hash"), QStringLiteral("-c"), QStringLiteral("-")}, listed.out);
        QCOMPARE(stdinPass.exitCode, 0);
        QCOMPARE(stdinPass.out, pass.out);

        put("mixed/binary.bin", randomBytes(300'000, 99)); // same size, other bytes: the check reads
        QCOMPARE(::unlink(QByteArray(m_root + "/mixed/empty").constData()), 0);
        const Run fail = cli({QStringLiteral("hash"), QStringLiteral("--check"), QStringLiteral("list.crc")});
        QCOMPARE(fail.exitCode, 1);
        QVERIFY(fail.out.contains("mixed/binary.bin: FAILED\n"));
        QVERIFY(fail.out.contains("mixed/empty: FAILED open or read\n"));
        QCOMPARE(fail.out.count(": OK\n"), 8);
        QVERIFY(fail.err.contains("mixed/empty: No such file or directory"));
        QVERIFY(fail.err.contains("WARNING: 1 computed checksum did NOT match"));
        QVERIFY(fail.err.contains("WARNING: 1 listed file could not be read"));

        put("one", "1");
        const Run malformed = cli({QStringLiteral("hash"), QStringLiteral("-c"), QStringLiteral("-")},
                                  "0000000 short\n" + ChecksumList::formatLine(zlibCrc("1"), "one"));
        QVERIFY(malformed.out.contains("one: OK\n"));
        QCOMPARE(malformed.exitCode, 1);
        const Run empty = cli({QStringLiteral("hash"), QStringLiteral("-c"), QStringLiteral("-")}, "nothing\n");
        QCOMPARE(empty.exitCode, 1);
        QVERIFY(empty.err.contains("no properly formatted checksum lines found"));
    }

    void specialFilesAreReportedNotHung()
    {
        put("dir/file", "data");
        QCOMPARE(::mkfifo(QByteArray(m_root + "/dir/fifo").constData(), 0600), 0);
        const Run folder = cli({QStringLiteral("hash"), QStringLiteral("dir")});
        QCOMPARE(folder.exitCode, 1);
        QCOMPARE(folder.out, ChecksumList::formatLine(zlibCrc("data"), "dir/file"));
        QVERIFY2(folder.err.contains("dir/fifo"), folder.err.constData());
        const Run device = cli({QStringLiteral("hash"), QStringLiteral("/dev/zero"), QStringLiteral("dir/file")});
        QCOMPARE(device.exitCode, 1);
        QVERIFY2(device.err.contains("/dev/zero"), device.err.constData());
        QCOMPARE(device.out, ChecksumList::formatLine(zlibCrc("data"), "dir/file"));
        const Run missing = cli({QStringLiteral("hash"), QStringLiteral("nope")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("nope"));
        QCOMPARE(cli({QStringLiteral("hash")}).exitCode, 2);
        QCOMPARE(cli({QStringLiteral("hash"), QStringLiteral("--jobs"), QStringLiteral("0"), QStringLiteral("dir")})
                     .exitCode,
                 2);
    }

    void duplicatesNeverGroupsDifferentFiles()
    {
        const QByteArray a = randomBytes(5000, 11);
        const QByteArray b = randomBytes(5000, 12);
        const QByteArray collidingA = a + crcFixup(a, 0xfeedbeefU);
        const QByteArray collidingB = b + crcFixup(b, 0xfeedbeefU);
        QCOMPARE(zlibCrc(collidingA), zlibCrc(collidingB));
        QVERIFY(collidingA != collidingB);
        put("pics/x1", collidingA);
        put("pics/sub/x2", collidingA);
        put("pics/y1", collidingB); // same size and CRC as x1/x2, other bytes
        put("pics/z1", "twin");
        put("pics/sub/z2", "twin");
        put("pics/lonely", "size of its own");

        const Run run = cli({QStringLiteral("duplicates"), QStringLiteral("--json"), QStringLiteral("-r"),
                             QStringLiteral("pics")});
        QCOMPARE(run.exitCode, 0);
        const QJsonObject root = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(root.keys(), QStringList{QStringLiteral("groups")});
        const QJsonArray expected{QJsonArray{QStringLiteral("pics/sub/x2"), QStringLiteral("pics/x1")},
                                  QJsonArray{QStringLiteral("pics/sub/z2"), QStringLiteral("pics/z1")}};
        QCOMPARE(root.value(QStringLiteral("groups")).toArray(), expected);

        const Run text = cli({QStringLiteral("duplicates"), QStringLiteral("-r"), QStringLiteral("pics")});
        QCOMPARE(text.exitCode, 0);
        QCOMPARE(text.out, QByteArray("pics/sub/x2\npics/x1\n\npics/sub/z2\npics/z1\n"));
    }

    void compareCategories()
    {
        put("A/same", "same");
        put("A/sub/deep", "deep");
        put("A/size", "short");
        put("A/bytes", "abcd");
        put("A/only-a", "a");
        put("B/same", "same");
        put("B/sub/deep", "deep");
        put("B/size", "much longer");
        put("B/bytes", "abce");
        put("B/only-b", "b");

        const Run json = cli({QStringLiteral("compare"), QStringLiteral("--json"), QStringLiteral("-r"),
                              QStringLiteral("A"), QStringLiteral("B")});
        QCOMPARE(json.exitCode, 0);
        const QJsonObject root = QJsonDocument::fromJson(json.out).object();
        QCOMPARE(root.keys(), (QStringList{QStringLiteral("different"), QStringLiteral("only_in_a"),
                                          QStringLiteral("only_in_b"), QStringLiteral("same")}));
        QCOMPARE(root.value(QStringLiteral("same")).toArray(), (QJsonArray{QStringLiteral("same"), QStringLiteral("sub/deep")}));
        QCOMPARE(root.value(QStringLiteral("different")).toArray(), (QJsonArray{QStringLiteral("bytes"), QStringLiteral("size")}));
        QCOMPARE(root.value(QStringLiteral("only_in_a")).toArray(), QJsonArray{QStringLiteral("only-a")});
        QCOMPARE(root.value(QStringLiteral("only_in_b")).toArray(), QJsonArray{QStringLiteral("only-b")});

        const Run flat = cli({QStringLiteral("compare"), QStringLiteral("A"), QStringLiteral("B")});
        QCOMPARE(flat.exitCode, 0);
        QCOMPARE(flat.out, QByteArray("different   bytes\n"
                                      "only-in-a   only-a\n"
                                      "only-in-b   only-b\n"
                                      "same        same\n"
                                      "different   size\n"));
        QCOMPARE(cli({QStringLiteral("compare"), QStringLiteral("A")}).exitCode, 2);
        QCOMPARE(cli({QStringLiteral("compare"), QStringLiteral("A"), QStringLiteral("A/same")}).exitCode, 1);
    }
};

QTEST_GUILESS_MAIN(TestCliHash)
#include "tst_cli_hash.moc"
