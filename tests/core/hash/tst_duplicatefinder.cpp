// DuplicateFinder: only byte-identical files are grouped, even when CRC32 collides (collisions are
// forced here by solving for 4 trailing bytes, since CRC32 is affine over GF(2)).
#include "core/hash/crc32.h"
#include "core/hash/duplicatefinder.h"
#include "core/hash/filehasher.h"
#include "testutil_files.h"
#include "testutil_zlib.h"

#include <QTest>

#include <memory>
#include <vector>

using namespace oncutf::core;
using namespace oncutf::core::hash;
using namespace oncutf::tests;
using oncutf::core::files::FileEntry;

namespace {

/// The 4 bytes that, appended to `prefix`, make zlib's crc32 equal `target`. crc32(prefix || x) is
/// affine in the 32 bits of x: collect the image of every bit and solve by Gaussian elimination.
QByteArray crcFixup(const QByteArray &prefix, quint32 target)
{
    auto crcWith = [&prefix](quint32 x) {
        QByteArray tail(4, '\0');
        for (int i = 0; i < 4; ++i)
            tail[i] = char((x >> (8 * i)) & 0xFFU);
        return ZlibReference::crc32(QByteArray(prefix + tail));
    };
    const quint32 base = crcWith(0);
    struct Row {
        quint32 vector;
        quint32 combination;
        quint32 pivot;
    };
    std::vector<Row> basis;
    for (int bit = 0; bit < 32; ++bit) {
        quint32 v = crcWith(1U << bit) ^ base;
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
    Q_ASSERT(d == 0);
    QByteArray tail(4, '\0');
    for (int i = 0; i < 4; ++i)
        tail[i] = char((x >> (8 * i)) & 0xFFU);
    return tail;
}

Result<quint32> hashOf(const FileEntry &file)
{
    auto hashed = FileHasher::hashFile(file.path);
    if (!hashed)
        return hashed.error();
    return hashed->crc;
}

} // namespace

class TestDuplicateFinder final : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<ByteTempDir> m_dir;

    FileEntry make(const QByteArray &name, const QByteArray &contents)
    {
        const QByteArray path = m_dir->file(name);
        writeFile(path, contents);
        FileEntry entry;
        entry.path = path;
        entry.size = contents.size();
        return entry;
    }

    QList<QByteArray> paths(std::initializer_list<const char *> names) const
    {
        QList<QByteArray> out;
        for (const char *name : names)
            out.append(m_dir->file(name));
        return out;
    }

    /// Two different byte strings of one size with one CRC32.
    static std::pair<QByteArray, QByteArray> collidingPair()
    {
        const quint32 target = 0x0badf00dU;
        const QByteArray a = randomBytes(1000, 11);
        const QByteArray b = randomBytes(1000, 12);
        return {a + crcFixup(a, target), b + crcFixup(b, target)};
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(ZlibReference::load()); }

    void init()
    {
        m_dir = std::make_unique<ByteTempDir>();
        QVERIFY(m_dir->isValid());
    }

    void forcedCollisionIsReallyACollision()
    {
        const auto [a, b] = collidingPair();
        QCOMPARE(a.size(), b.size());
        QVERIFY(a != b);
        QCOMPARE(ZlibReference::crc32(a), ZlibReference::crc32(b));
        QCOMPARE(Crc32::of(a), Crc32::of(b));
    }

    void collidingFilesAreNotDuplicates()
    {
        const auto [a, b] = collidingPair();
        const QList<FileEntry> files{make("a", a), make("b", b)};
        const DuplicateReport report = DuplicateFinder::find(files, hashOf);
        QVERIFY(report.errors.isEmpty());
        QCOMPARE(report.groups, QList<QList<QByteArray>>{});
    }

    void collisionGroupIsSplitByContent()
    {
        const auto [a, b] = collidingPair();
        // Four files of one size and one CRC: two pairs of true duplicates.
        const QList<FileEntry> files{make("b1", b), make("a1", a), make("b2", b), make("a2", a), make("a3", a)};
        const DuplicateReport report = DuplicateFinder::find(files, hashOf);
        QVERIFY(report.errors.isEmpty());
        const QList<QList<QByteArray>> expected{paths({"a1", "a2", "a3"}), paths({"b1", "b2"})};
        QCOMPARE(report.groups, expected);
    }

    void confirmSplitsAGroupThatOnlySharesACrc()
    {
        // confirm() trusts nothing but bytes, whatever CRCs it is handed.
        const QList<FileEntry> files{make("x", "same size 1"), make("y", "same size 2"), make("z", "same size 1")};
        const auto groups = DuplicateFinder::sizeGroups(files);
        QHash<QByteArray, quint32> crcs;
        for (const FileEntry &file : files)
            crcs.insert(file.path, 42);
        const DuplicateReport report = DuplicateFinder::confirm(groups, crcs);
        QCOMPARE(report.groups, (QList<QList<QByteArray>>{paths({"x", "z"})}));
    }

    void onlySameSizeFilesAreHashed()
    {
        const QList<FileEntry> files{make("1", "a"), make("2", "bb"), make("3", "ccc"), make("4", "dd"),
                                     make("5", "bb")};
        int hashed = 0;
        const DuplicateReport report = DuplicateFinder::find(files, [&hashed](const FileEntry &file) {
            ++hashed;
            return hashOf(file);
        });
        QCOMPARE(hashed, 3); // "2", "4" and "5": the only size shared by several files
        QCOMPARE(report.groups, (QList<QList<QByteArray>>{paths({"2", "5"})}));
    }

    void emptyFilesAreDuplicatesWithoutReading()
    {
        const QList<FileEntry> files{make("e1", ""), make("e2", ""), make("full", "x")};
        int hashed = 0;
        const DuplicateReport report = DuplicateFinder::find(files, [&hashed](const FileEntry &file) {
            ++hashed;
            return hashOf(file);
        });
        QCOMPARE(hashed, 0);
        QCOMPARE(report.groups, (QList<QList<QByteArray>>{paths({"e1", "e2"})}));
    }

    void aPathListedTwiceIsOneFile()
    {
        const FileEntry once = make("only", "content");
        const DuplicateReport report = DuplicateFinder::find({once, once}, hashOf);
        QVERIFY(report.groups.isEmpty());
    }

    void groupsAreSortedAndDeterministic()
    {
        const QList<FileEntry> files{make("d", "two"), make("c", "one"), make("b", "two"), make("a", "one")};
        const DuplicateReport report = DuplicateFinder::find(files, hashOf);
        const QList<QList<QByteArray>> expected{paths({"a", "c"}), paths({"b", "d"})};
        QCOMPARE(report.groups, expected);
    }

    void unreadableFilesAreReportedAndLeftOut()
    {
        QList<FileEntry> files{make("a", "same"), make("b", "same"), make("c", "same")};
        FileEntry ghost;
        ghost.path = m_dir->file("ghost");
        ghost.size = 4;
        files.append(ghost);
        const DuplicateReport report = DuplicateFinder::find(files, hashOf);
        QCOMPARE(report.groups, (QList<QList<QByteArray>>{paths({"a", "b", "c"})}));
        QCOMPARE(report.errors.size(), 1);
        QCOMPARE(report.errors[0].code, ErrorCode::NotFound);
    }

    void fileChangedAfterHashingIsNotGrouped()
    {
        const QList<FileEntry> files{make("a", "same"), make("b", "same")};
        const auto groups = DuplicateFinder::sizeGroups(files);
        QHash<QByteArray, quint32> crcs;
        for (const FileEntry &file : files)
            crcs.insert(file.path, *hashOf(file));
        writeFile(m_dir->file("b"), "diff"); // between the hash and the byte check
        const DuplicateReport report = DuplicateFinder::confirm(groups, crcs);
        QVERIFY(report.groups.isEmpty());
    }

    void cancelStopsAndReportsIt()
    {
        const QList<FileEntry> files{make("a", "same"), make("b", "same")};
        const DuplicateReport report = DuplicateFinder::find(files, hashOf, [] { return true; });
        QVERIFY(report.cancelled);
        QVERIFY(report.groups.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDuplicateFinder)
#include "tst_duplicatefinder.moc"
