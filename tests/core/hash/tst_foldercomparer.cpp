// FolderComparer: same / different / only in A / only in B by relative path; sizes decide before
// any hash is computed.
#include "core/hash/filehasher.h"
#include "core/hash/foldercomparer.h"
#include "testutil_files.h"

#include <QTest>

#include <sys/stat.h>

#include <memory>

using namespace oncutf::core;
using namespace oncutf::core::hash;
using namespace oncutf::tests;
using oncutf::core::files::FileEntry;

namespace {

Result<quint32> hashOf(const FileEntry &file)
{
    auto hashed = FileHasher::hashFile(file.path);
    if (!hashed)
        return hashed.error();
    return hashed->crc;
}

} // namespace

class TestFolderComparer final : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<ByteTempDir> m_dir;
    QList<FileEntry> m_a;
    QList<FileEntry> m_b;

    QByteArray rootA() const { return m_dir->file("A"); }
    QByteArray rootB() const { return m_dir->file("B"); }

    static FileEntry put(const QByteArray &root, const QByteArray &relative, const QByteArray &contents)
    {
        const QByteArray path = root + '/' + relative;
        const qsizetype slash = path.lastIndexOf('/');
        ::mkdir(path.left(slash).constData(), 0755);
        writeFile(path, contents);
        FileEntry entry;
        entry.path = path;
        entry.size = contents.size();
        return entry;
    }

    void both(const QByteArray &relative, const QByteArray &inA, const QByteArray &inB)
    {
        m_a.append(put(rootA(), relative, inA));
        m_b.append(put(rootB(), relative, inB));
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<ByteTempDir>();
        QVERIFY(m_dir->isValid());
        QCOMPARE(::mkdir(rootA().constData(), 0755), 0);
        QCOMPARE(::mkdir(rootB().constData(), 0755), 0);
        m_a.clear();
        m_b.clear();
    }

    void relativeIndexStripsTheRoot()
    {
        const FileEntry inside = put(rootA(), "sub/x", "1");
        FileEntry outside;
        outside.path = rootA() + "x/y"; // shares the root's bytes but is not under it
        const auto index = FolderComparer::relativeIndex(rootA() + "/", {inside, outside});
        QCOMPARE(index.keys(), (QList<QByteArray>{"sub/x"}));
        QCOMPARE(index.value("sub/x").path, inside.path);
    }

    void categories()
    {
        both("same.txt", "identical", "identical");
        both("sub/same deep", "deep", "deep");
        both("different-size", "short", "much longer");
        both("different-bytes", "abcd", "abce");
        both("empty", "", "");
        both("new\nline", "n", "n");
        m_a.append(put(rootA(), "only-a", "a"));
        m_a.append(put(rootA(), "sub/only-a", "a"));
        m_b.append(put(rootB(), "only-b", "b"));

        const auto a = FolderComparer::relativeIndex(rootA(), m_a);
        const auto b = FolderComparer::relativeIndex(rootB(), m_b);
        QStringList hashed;
        const FolderComparison result = FolderComparer::compare(a, b, [&hashed](const FileEntry &file) {
            hashed.append(QString::fromUtf8(file.path));
            return hashOf(file);
        });
        QCOMPARE(result.same, (QList<QByteArray>{"empty", "new\nline", "same.txt", "sub/same deep"}));
        QCOMPARE(result.different, (QList<QByteArray>{"different-bytes", "different-size"}));
        QCOMPARE(result.onlyInA, (QList<QByteArray>{"only-a", "sub/only-a"}));
        QCOMPARE(result.onlyInB, (QList<QByteArray>{"only-b"}));
        QVERIFY(result.errors.isEmpty());
        QVERIFY(!result.cancelled);
        // Different sizes and empty pairs are decided without reading a byte.
        QCOMPARE(hashed.size(), 8);
        for (const QString &path : std::as_const(hashed)) {
            QVERIFY2(!path.contains(QLatin1String("different-size")) && !path.endsWith(QLatin1String("/empty")),
                     qPrintable(path));
        }
    }

    void filesToHashArePairsOfEqualSize()
    {
        both("x", "12", "34");
        both("y", "1", "22");
        const auto a = FolderComparer::relativeIndex(rootA(), m_a);
        const auto b = FolderComparer::relativeIndex(rootB(), m_b);
        const auto files = FolderComparer::filesToHash(a, b);
        QCOMPARE(files.size(), 2);
        QCOMPARE(files[0].path, rootA() + "/x");
        QCOMPARE(files[1].path, rootB() + "/x");
    }

    void unreadablePairIsAnErrorNotACategory()
    {
        both("kept", "k", "k");
        both("vanished", "v", "v");
        QCOMPARE(::unlink(QByteArray(rootB() + "/vanished").constData()), 0);
        const auto a = FolderComparer::relativeIndex(rootA(), m_a);
        const auto b = FolderComparer::relativeIndex(rootB(), m_b);
        const FolderComparison result = FolderComparer::compare(a, b, hashOf);
        QCOMPARE(result.same, (QList<QByteArray>{"kept"}));
        QVERIFY(result.different.isEmpty());
        QCOMPARE(result.errors.size(), 1);
        QCOMPARE(result.errors[0].code, ErrorCode::NotFound);
    }

    void classifyUsesTheGivenCrcs()
    {
        both("p", "aaaa", "bbbb");
        const auto a = FolderComparer::relativeIndex(rootA(), m_a);
        const auto b = FolderComparer::relativeIndex(rootB(), m_b);
        QHash<QByteArray, quint32> crcs{{rootA() + "/p", 5}, {rootB() + "/p", 5}};
        QCOMPARE(FolderComparer::classify(a, b, crcs).same, (QList<QByteArray>{"p"}));
        crcs[rootB() + "/p"] = 6;
        QCOMPARE(FolderComparer::classify(a, b, crcs).different, (QList<QByteArray>{"p"}));
    }

    void cancelLeavesUndecidedPairsOut()
    {
        both("x", "1", "1");
        both("y", "", "");
        m_a.append(put(rootA(), "z", "z"));
        const auto a = FolderComparer::relativeIndex(rootA(), m_a);
        const auto b = FolderComparer::relativeIndex(rootB(), m_b);
        const FolderComparison result = FolderComparer::compare(a, b, hashOf, [] { return true; });
        QVERIFY(result.cancelled);
        QVERIFY(result.errors.isEmpty());
        QCOMPARE(result.same, (QList<QByteArray>{"y"}));
        QCOMPARE(result.onlyInA, (QList<QByteArray>{"z"}));
        QVERIFY(result.different.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestFolderComparer)
#include "tst_foldercomparer.moc"
