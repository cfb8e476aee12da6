// ctest-timeout: 120
// The planner on real folders: swaps, cycles, shifts and case-only renames plan cleanly;
// duplicates and conflicts are found (a name freed by the batch is not one); each conflict
// policy does what it says, to a fixed point; companions follow their main file; the whole
// move set stays consistent (checked by replaying it on the folder's listing).

#include "core/rename/recipe.h"
#include "core/rename/renameplanner.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>

using namespace oncutf::core::rename;

namespace {

QByteArray j(const char *singleQuoted)
{
    return QByteArray(singleQuoted).replace('\'', '"');
}

// A recipe whose new stem is each file's XMP:Title: lets a test give every file any target.
constexpr const char *ByTitle = "[{'type': 'metadata', 'field': 'XMP:Title'}]";

Recipe recipeOf(const QByteArray &modules, const char *extra = "")
{
    const QByteArray json = "{\"modules\": " + modules + j(extra) + '}';
    auto recipe = Recipe::fromJson(json);
    if (!recipe)
        qFatal("bad test recipe %s: %s", json.constData(), qPrintable(recipe.error().message));
    return recipe.value();
}

class Folder {
public:
    Folder() { m_path = QFile::encodeName(m_dir.path()); }

    [[nodiscard]] QByteArray path(const QByteArray &name) const { return m_path + '/' + name; }
    [[nodiscard]] const QByteArray &path() const { return m_path; }

    void touch(const QList<QByteArray> &names, qint64 mtimeSeconds = 0) const
    {
        for (const QByteArray &name : names) {
            QFile file(QFile::decodeName(path(name)));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(name); // content = the original name, to follow files around
            file.close();
            if (mtimeSeconds > 0) {
                const timespec times[2] = {{mtimeSeconds, 0}, {mtimeSeconds, 0}};
                QCOMPARE(::utimensat(AT_FDCWD, path(name).constData(), times, 0), 0);
            }
        }
    }

    // The input for `name` as the front end would build it; `title` feeds the ByTitle recipe.
    [[nodiscard]] RenameInput input(const QByteArray &name, const QString &title = {}) const
    {
        RenameInput in;
        in.path = path(name);
        struct stat st {};
        if (::stat(in.path.constData(), &st) == 0) {
            in.size = st.st_size;
            in.mtimeNs = qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
            in.ctimeNs = qint64(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
        }
        in.metadataLoaded = true;
        if (!title.isNull())
            in.metadata.insert(QStringLiteral("XMP:Title"), title);
        return in;
    }

    // Inputs from "old=newstem" pairs.
    [[nodiscard]] QList<RenameInput> titled(const QList<QPair<QByteArray, QString>> &pairs) const
    {
        QList<RenameInput> inputs;
        for (const auto &[name, title] : pairs)
            inputs.append(input(name, title));
        return inputs;
    }

    [[nodiscard]] QSet<QByteArray> names() const
    {
        QSet<QByteArray> out;
        const QStringList entries = QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System);
        for (const QString &entry : entries)
            out.insert(QFile::encodeName(entry));
        return out;
    }

private:
    QTemporaryDir m_dir;
    QByteArray m_path;
};

const PlanItem *itemOf(const RenamePlan &plan, const Folder &folder, const QByteArray &oldName)
{
    for (const PlanItem &item : plan.items) {
        if (item.oldPath == folder.path(oldName))
            return &item;
    }
    return nullptr;
}

QByteArray newNameOf(const RenamePlan &plan, const Folder &folder, const QByteArray &oldName)
{
    const PlanItem *item = itemOf(plan, folder, oldName);
    if (!item)
        return "<no item>";
    return item->newPath.mid(item->newPath.lastIndexOf('/') + 1);
}

// Replays the moves on the folder's listing as an executor would (all at once, through
// temporaries): no two moves share a target, no target is an existing file unless it is moved
// away or replaceExisting says so. Returns the names the folder would then hold.
QSet<QByteArray> replay(const RenamePlan &plan, const Folder &folder)
{
    QSet<QByteArray> names = folder.names();
    QSet<QByteArray> sources;
    QSet<QByteArray> targets;
    for (const Move &move : plan.moves) {
        const QByteArray source = move.oldPath.mid(move.oldPath.lastIndexOf('/') + 1);
        if (!names.contains(source))
            qWarning("move source %s does not exist", source.constData());
        sources.insert(source);
    }
    for (const Move &move : plan.moves) {
        const QByteArray target = move.newPath.mid(move.newPath.lastIndexOf('/') + 1);
        if (targets.contains(target))
            qWarning("two moves target %s", target.constData());
        targets.insert(target);
        if (names.contains(target) && !sources.contains(target) && !move.replaceExisting)
            qWarning("move onto existing %s", target.constData());
    }
    for (const QByteArray &source : sources)
        names.remove(source);
    for (const QByteArray &target : targets)
        names.insert(target);
    if (targets.size() != plan.moves.size())
        names.insert("<collision>");
    return names;
}

QSet<QByteArray> setOf(const QList<QByteArray> &names)
{
    return QSet<QByteArray>(names.cbegin(), names.cend());
}

} // namespace

class TestRenamePlanner final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void swap()
    {
        Folder folder;
        folder.touch({"a.txt", "b.txt"});
        const auto plan = RenamePlanner(recipeOf(j(ByTitle)))
                              .plan(folder.titled({{"a.txt", QStringLiteral("b")}, {"b.txt", QStringLiteral("a")}}));
        QVERIFY2(plan.runnable, qPrintable(plan.refusal));
        QCOMPARE(plan.summary.ok, 2);
        QCOMPARE(plan.summary.conflict, 0);
        QCOMPARE(plan.moves.size(), 2);
        QCOMPARE(newNameOf(plan, folder, "a.txt"), QByteArray("b.txt"));
        QCOMPARE(replay(plan, folder), setOf({"a.txt", "b.txt"}));
    }

    void threeCycle()
    {
        Folder folder;
        folder.touch({"a.txt", "b.txt", "c.txt"});
        const auto plan = RenamePlanner(recipeOf(j(ByTitle)))
                              .plan(folder.titled({{"a.txt", QStringLiteral("b")},
                                                   {"b.txt", QStringLiteral("c")},
                                                   {"c.txt", QStringLiteral("a")}}));
        QVERIFY2(plan.runnable, qPrintable(plan.refusal));
        QCOMPARE(plan.summary.ok, 3);
        QCOMPARE(plan.moves.size(), 3);
        for (const PlanItem &item : plan.items) {
            QCOMPARE(item.status, ItemStatus::Ok);
            QCOMPARE(item.action, ItemAction::Rename);
        }
    }

    void shiftByOne_data()
    {
        QTest::addColumn<int>("count");
        QTest::newRow("file1..file9 -> file2..file10") << 9;
        QTest::newRow("file1..file100 -> file2..file101") << 100;
    }

    void shiftByOne()
    {
        QFETCH(int, count);
        Folder folder;
        QList<RenameInput> inputs;
        for (int i = count; i >= 1; --i) { // input order must not matter: the natural sort decides
            const QByteArray name = "file" + QByteArray::number(i) + ".txt";
            folder.touch({name});
            inputs.append(folder.input(name));
        }
        const Recipe recipe = recipeOf(j("[{'type': 'text', 'text': 'file'}, {'type': 'counter', 'start': 2, 'padding': 1}]"),
                                       ", 'sort': 'natural'");
        const auto plan = RenamePlanner(recipe).plan(inputs);
        QVERIFY2(plan.runnable, qPrintable(plan.refusal));
        QCOMPARE(plan.summary.conflict, 0);
        QCOMPARE(plan.summary.duplicate, 0);
        QCOMPARE(plan.summary.ok, count);
        QCOMPARE(plan.summary.toRename, count);
        QCOMPARE(newNameOf(plan, folder, "file1.txt"), QByteArray("file2.txt"));
        QCOMPARE(newNameOf(plan, folder, "file" + QByteArray::number(count) + ".txt"),
                 "file" + QByteArray::number(count + 1) + ".txt");
        QCOMPARE(plan.items.first().oldPath, folder.path("file1.txt")); // numbering order
        QSet<QByteArray> expected;
        for (int i = 2; i <= count + 1; ++i)
            expected.insert("file" + QByteArray::number(i) + ".txt");
        QCOMPARE(replay(plan, folder), expected);
    }

    void caseOnlyRename()
    {
        Folder folder;
        folder.touch({"photo.JPG", "Other.JPG"});
        const Recipe recipe = recipeOf(j("[{'type': 'original_name'}]"), ", 'final_transform': {'case': 'upper'}");
        const auto plan = RenamePlanner(recipe).plan({folder.input("photo.JPG"), folder.input("Other.JPG")});
        QVERIFY2(plan.runnable, qPrintable(plan.refusal));
        QCOMPARE(itemOf(plan, folder, "photo.JPG")->status, ItemStatus::Ok);
        QCOMPARE(newNameOf(plan, folder, "photo.JPG"), QByteArray("PHOTO.JPG"));
        QCOMPARE(replay(plan, folder), setOf({"PHOTO.JPG", "OTHER.JPG"}));
    }

    void unchanged()
    {
        Folder folder;
        folder.touch({"a.txt"});
        const auto plan = RenamePlanner(recipeOf(j("[{'type': 'original_name'}]"))).plan({folder.input("a.txt")});
        QVERIFY(plan.runnable); // nothing to do is not a refusal
        QCOMPARE(plan.items.at(0).status, ItemStatus::Unchanged);
        QCOMPARE(plan.items.at(0).action, ItemAction::None);
        QCOMPARE(plan.items.at(0).newPath, plan.items.at(0).oldPath);
        QVERIFY(plan.moves.isEmpty());
    }

    void caseDiffersIsNoDuplicateOnCaseSensitiveFs()
    {
        Folder folder;
        folder.touch({"a.txt", "b.txt"});
        QVERIFY(!RenamePlanner::isCaseInsensitiveFolder(folder.path())); // the test folder's fs is probed
        const auto plan = RenamePlanner(recipeOf(j(ByTitle)))
                              .plan(folder.titled({{"a.txt", QStringLiteral("X")}, {"b.txt", QStringLiteral("x")}}));
        QVERIFY2(plan.runnable, qPrintable(plan.refusal));
        QCOMPARE(plan.summary.duplicate, 0);
    }

    void problems_data()
    {
        QTest::addColumn<QList<QByteArray>>("disk");   // files in the folder
        QTest::addColumn<QStringList>("batch");        // "old=newstem" ("old=" keeps no title: missing data)
        QTest::addColumn<QString>("policy");
        QTest::addColumn<QStringList>("expected");     // "old=status/action/newname"
        QTest::addColumn<bool>("runnable");

        const QList<QByteArray> abcd = {"a.txt", "b.txt", "c.txt", "d.txt"};
        QTest::newRow("fail: duplicates")
            << abcd << QStringList{"a.txt=x", "b.txt=x"} << "fail"
            << QStringList{"a.txt=duplicate/skip/x.txt", "b.txt=duplicate/skip/x.txt"} << false;
        QTest::newRow("fail: conflict with a file outside the batch")
            << abcd << QStringList{"a.txt=d"} << "fail" << QStringList{"a.txt=conflict/skip/d.txt"} << false;
        QTest::newRow("fail: a file of the batch that stays holds the name")
            << abcd << QStringList{"a.txt=b", "b.txt=b"} << "fail"
            << QStringList{"a.txt=conflict/skip/b.txt", "b.txt=unchanged/none/b.txt"} << false;
        const QString tooLong(300, QLatin1Char('y')); // a name over 255 bytes is invalid
        QTest::newRow("fail: an invalid row holds its name")
            << abcd << QStringList{"a.txt=b", "b.txt=" + tooLong} << "fail"
            << QStringList{"a.txt=conflict/skip/b.txt", "b.txt=invalid/skip/" + tooLong + ".txt"} << false;
        QTest::newRow("fail: missing data")
            << abcd << QStringList{"a.txt="} << "fail" << QStringList{"a.txt=missing_data/skip/a.txt"} << false;

        QTest::newRow("skip: a chain ending in a conflict is skipped to a fixed point")
            << QList<QByteArray>{"a.txt", "b.txt", "c.txt", "d.txt", "e.txt"}
            << QStringList{"a.txt=b", "b.txt=c", "c.txt=d", "e.txt=f"} << "skip"
            << QStringList{"a.txt=conflict/skip/b.txt", "b.txt=conflict/skip/c.txt", "c.txt=conflict/skip/d.txt",
                           "e.txt=ok/rename/f.txt"}
            << true;
        QTest::newRow("skip: duplicates are all skipped, and hold their names")
            << abcd << QStringList{"a.txt=x", "b.txt=x", "c.txt=a"} << "skip"
            << QStringList{"a.txt=duplicate/skip/x.txt", "b.txt=duplicate/skip/x.txt", "c.txt=conflict/skip/a.txt"}
            << false;
        QTest::newRow("skip: a swap next to a conflict still runs")
            << abcd << QStringList{"a.txt=b", "b.txt=a", "c.txt=d"} << "skip"
            << QStringList{"a.txt=ok/rename/b.txt", "b.txt=ok/rename/a.txt", "c.txt=conflict/skip/d.txt"} << true;

        QTest::newRow("suffix: past existing files")
            << QList<QByteArray>{"a.txt", "b.txt", "x.txt", "x_1.txt"} << QStringList{"a.txt=x", "b.txt=x"} << "suffix"
            << QStringList{"a.txt=conflict/rename/x_2.txt", "b.txt=duplicate/rename/x_3.txt"} << true;
        QTest::newRow("suffix: past names the batch takes")
            << abcd << QStringList{"a.txt=x", "b.txt=x", "c.txt=x_1"} << "suffix"
            << QStringList{"a.txt=ok/rename/x.txt", "b.txt=duplicate/rename/x_2.txt", "c.txt=ok/rename/x_1.txt"} << true;
        QTest::newRow("suffix: a name freed by the batch is used")
            << abcd << QStringList{"a.txt=b", "b.txt=z", "c.txt=d"} << "suffix"
            << QStringList{"a.txt=ok/rename/b.txt", "b.txt=ok/rename/z.txt", "c.txt=conflict/rename/d_1.txt"} << true;
        QTest::newRow("suffix: invalid rows are skipped and keep their names")
            << abcd << QStringList{"a.txt=b", "b.txt=", "c.txt=" + tooLong} << "suffix"
            << QStringList{"a.txt=conflict/rename/b_1.txt", "b.txt=missing_data/skip/b.txt",
                           "c.txt=invalid/skip/" + tooLong + ".txt"}
            << true;

        QTest::newRow("overwrite: existing file replaced, duplicates after the first skipped")
            << abcd << QStringList{"a.txt=d", "b.txt=x", "c.txt=x"} << "overwrite"
            << QStringList{"a.txt=conflict/overwrite/d.txt", "b.txt=ok/rename/x.txt", "c.txt=duplicate/skip/x.txt"}
            << true;
        QTest::newRow("overwrite: never a file of the batch")
            << abcd << QStringList{"a.txt=b", "b.txt=b"} << "overwrite"
            << QStringList{"a.txt=conflict/skip/b.txt", "b.txt=unchanged/none/b.txt"} << false;
    }

    void problems()
    {
        QFETCH(QList<QByteArray>, disk);
        QFETCH(QStringList, batch);
        QFETCH(QString, policy);
        QFETCH(QStringList, expected);
        QFETCH(bool, runnable);

        Folder folder;
        folder.touch(disk);
        QList<RenameInput> inputs;
        for (const QString &entry : batch) {
            const QStringList parts = entry.split(QLatin1Char('='));
            inputs.append(folder.input(parts.at(0).toUtf8(), parts.at(1).isEmpty() ? QString() : parts.at(1)));
        }
        Recipe recipe = recipeOf(j(ByTitle));
        recipe.onConflict = *conflictPolicyFromString(policy);
        const auto plan = RenamePlanner(recipe).plan(inputs);
        QStringList got;
        for (const PlanItem &item : plan.items) {
            const QByteArray oldName = item.oldPath.mid(folder.path().size() + 1);
            const QByteArray newName = item.newPath.mid(folder.path().size() + 1);
            got.append(QString::fromUtf8(oldName) + QLatin1Char('=') + itemStatusName(item.status) + QLatin1Char('/')
                       + itemActionName(item.action) + QLatin1Char('/') + QString::fromUtf8(newName));
            if (item.status != ItemStatus::Ok && item.status != ItemStatus::Unchanged)
                QVERIFY2(!item.reason.isEmpty(), qPrintable(got.last()));
        }
        got.sort();
        expected.sort();
        QCOMPARE(got, expected);
        QCOMPARE(plan.runnable, runnable);
        QCOMPARE(plan.policy, recipe.onConflict);
        if (!runnable)
            QVERIFY(!plan.refusal.isEmpty());
        if (policy != QLatin1String("fail")) {
            // Whatever moves is consistent on disk.
            const QSet<QByteArray> after = replay(plan, folder);
            QVERIFY(!after.contains("<collision>"));
            QCOMPARE(after.size(), folder.names().size() - (recipe.onConflict == ConflictPolicy::Overwrite ? plan.summary.toRename - plan.summary.ok : 0));
        } else {
            QVERIFY(plan.moves.isEmpty());
        }
    }

    void refusalSaysWhy()
    {
        Folder folder;
        folder.touch({"a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"});
        const auto plan = RenamePlanner(recipeOf(j(ByTitle)))
                              .plan(folder.titled({{"a.txt", QStringLiteral("x")},
                                                   {"b.txt", QStringLiteral("x")},
                                                   {"c.txt", QStringLiteral("f")},
                                                   {"d.txt", QString(300, QLatin1Char('d'))},
                                                   {"e.txt", QString()}}));
        QVERIFY(!plan.runnable);
        QVERIFY2(plan.refusal.startsWith(QLatin1String("1 invalid, 2 duplicates, 1 conflict, 1 missing data")),
                 qPrintable(plan.refusal));
        QCOMPARE(plan.summary.total, 5);
        QCOMPARE(plan.summary.skipped, 5);
        QVERIFY(itemOf(plan, folder, "c.txt")->reason.contains(QLatin1String("f.txt already exists")));
        QVERIFY(itemOf(plan, folder, "e.txt")->reason.contains(QLatin1String("XMP:Title")));
        QVERIFY(itemOf(plan, folder, "a.txt")->reason.contains(QLatin1String("b.txt")));
    }

    void windowsSafe()
    {
        Folder folder;
        folder.touch({"a.txt", "b.txt"});
        Recipe recipe = recipeOf(j(ByTitle));
        const auto inputs = folder.titled({{"a.txt", QStringLiteral("con")}, {"b.txt", QStringLiteral("Lpt1")}});
        QVERIFY(RenamePlanner(recipe).plan(inputs).runnable);
        recipe.windowsSafe = true;
        const auto plan = RenamePlanner(recipe).plan(inputs);
        QVERIFY(!plan.runnable);
        QCOMPARE(plan.summary.invalid, 2);
        QVERIFY(itemOf(plan, folder, "a.txt")->reason.contains(QLatin1String("reserved")));

        // Literal text is the user's own: a colon is fine on Linux, invalid for Windows.
        Recipe colon = recipeOf(j("[{'type': 'original_name'}, {'type': 'text', 'text': ' 10:30'}]"));
        QVERIFY(RenamePlanner(colon).plan({folder.input("a.txt")}).runnable);
        colon.windowsSafe = true;
        const auto colonPlan = RenamePlanner(colon).plan({folder.input("a.txt")});
        QCOMPARE(colonPlan.items.at(0).status, ItemStatus::Invalid);
        QVERIFY(colonPlan.items.at(0).reason.contains(QLatin1String("':'")));
    }

    void companionsFollowTheirMain()
    {
        Folder folder;
        folder.touch({"IMG_1.CR2", "IMG_1.JPG", "IMG_1.xmp", "IMG_2.CR2", "C0001.MP4", "C0001M01.XML", "C0001.srt"});
        // IMG_1.xmp is not in the batch: it is found on disk and follows anyway.
        const Recipe recipe = recipeOf(j("[{'type': 'text', 'text': 'shot_'}, {'type': 'counter', 'scope': 'global'}]"));
        const auto plan = RenamePlanner(recipe).plan({folder.input("IMG_2.CR2"), folder.input("IMG_1.JPG"),
                                                      folder.input("IMG_1.CR2"), folder.input("C0001.MP4"),
                                                      folder.input("C0001M01.XML"), folder.input("C0001.srt")});
        QVERIFY2(plan.runnable, qPrintable(plan.refusal));
        // Sorted by name: C0001.MP4, IMG_1.CR2, IMG_2.CR2; companions are not numbered.
        QCOMPARE(newNameOf(plan, folder, "C0001.MP4"), QByteArray("shot_001.MP4"));
        QCOMPARE(newNameOf(plan, folder, "C0001M01.XML"), QByteArray("shot_001M01.XML"));
        QCOMPARE(newNameOf(plan, folder, "C0001.srt"), QByteArray("shot_001.srt"));
        QCOMPARE(newNameOf(plan, folder, "IMG_1.CR2"), QByteArray("shot_002.CR2"));
        QCOMPARE(newNameOf(plan, folder, "IMG_1.JPG"), QByteArray("shot_002.JPG"));
        QCOMPARE(newNameOf(plan, folder, "IMG_1.xmp"), QByteArray("shot_002.xmp"));
        QCOMPARE(newNameOf(plan, folder, "IMG_2.CR2"), QByteArray("shot_003.CR2"));
        QCOMPARE(plan.items.size(), 7);
        QCOMPARE(plan.moves.size(), 7); // every file once
        const PlanItem *jpg = itemOf(plan, folder, "IMG_1.JPG");
        QVERIFY(jpg->companionOf.has_value());
        QCOMPARE(plan.items.at(*jpg->companionOf).oldPath, folder.path("IMG_1.CR2"));
        QVERIFY(!itemOf(plan, folder, "IMG_1.CR2")->companionOf.has_value());
        QCOMPARE(replay(plan, folder), setOf({"shot_001.MP4", "shot_001M01.XML", "shot_001.srt", "shot_002.CR2",
                                              "shot_002.JPG", "shot_002.xmp", "shot_003.CR2"}));
    }

    void companionsOff()
    {
        Folder folder;
        folder.touch({"IMG_1.CR2", "IMG_1.JPG", "IMG_1.xmp"});
        const Recipe recipe = recipeOf(j("[{'type': 'counter', 'scope': 'global'}]"), ", 'companions': false");
        const auto plan = RenamePlanner(recipe).plan({folder.input("IMG_1.CR2"), folder.input("IMG_1.JPG")});
        QCOMPARE(plan.items.size(), 2);
        QCOMPARE(newNameOf(plan, folder, "IMG_1.CR2"), QByteArray("001.CR2"));
        QCOMPARE(newNameOf(plan, folder, "IMG_1.JPG"), QByteArray("002.JPG"));
    }

    void companionConflictStopsTheSet()
    {
        Folder folder;
        folder.touch({"IMG_1.CR2", "IMG_1.xmp", "new.xmp"});
        const auto plan = RenamePlanner(recipeOf(j("[{'type': 'text', 'text': 'new'}]"), ", 'on_conflict': 'skip'"))
                              .plan({folder.input("IMG_1.CR2")});
        QCOMPARE(itemOf(plan, folder, "IMG_1.CR2")->status, ItemStatus::Conflict);
        QCOMPARE(itemOf(plan, folder, "IMG_1.CR2")->action, ItemAction::Skip);
        QVERIFY(itemOf(plan, folder, "IMG_1.CR2")->reason.contains(QLatin1String("new.xmp already exists")));
        QCOMPARE(itemOf(plan, folder, "IMG_1.xmp")->action, ItemAction::Skip);
        QVERIFY(plan.moves.isEmpty());

        // With suffix, the whole set takes the suffix.
        const auto suffixed = RenamePlanner(recipeOf(j("[{'type': 'text', 'text': 'new'}]"), ", 'on_conflict': 'suffix'"))
                                  .plan({folder.input("IMG_1.CR2")});
        QCOMPARE(newNameOf(suffixed, folder, "IMG_1.CR2"), QByteArray("new_1.CR2"));
        QCOMPARE(newNameOf(suffixed, folder, "IMG_1.xmp"), QByteArray("new_1.xmp"));
    }

    void sortOrders_data()
    {
        QTest::addColumn<QString>("sort");
        QTest::addColumn<bool>("reverse");
        QTest::addColumn<QList<QByteArray>>("order"); // old names in numbering order

        QTest::newRow("name") << "name" << false << QList<QByteArray>{"a10.txt", "A2.txt", "b1.txt", "c.txt"};
        QTest::newRow("natural") << "natural" << false << QList<QByteArray>{"A2.txt", "a10.txt", "b1.txt", "c.txt"};
        QTest::newRow("natural reversed") << "natural" << true << QList<QByteArray>{"c.txt", "b1.txt", "a10.txt", "A2.txt"};
        QTest::newRow("mtime") << "mtime" << false << QList<QByteArray>{"c.txt", "b1.txt", "A2.txt", "a10.txt"};
        QTest::newRow("size") << "size" << false << QList<QByteArray>{"c.txt", "A2.txt", "b1.txt", "a10.txt"};
        // capture dates: b1 and A2 have EXIF dates; the others fall back to their mtime (older).
        QTest::newRow("capture date") << "capture_date" << false
                                      << QList<QByteArray>{"c.txt", "a10.txt", "A2.txt", "b1.txt"};
    }

    void sortOrders()
    {
        QFETCH(QString, sort);
        QFETCH(bool, reverse);
        QFETCH(QList<QByteArray>, order);
        Folder folder;
        // sizes are the name lengths (5, 6, 6, 7 bytes); mtimes: c oldest, then b1, A2, a10
        folder.touch({"c.txt"}, 1000000000);
        folder.touch({"b1.txt"}, 1000000100);
        folder.touch({"A2.txt"}, 1000000200);
        folder.touch({"a10.txt"}, 1000000300);
        QList<RenameInput> inputs = {folder.input("a10.txt"), folder.input("b1.txt"), folder.input("c.txt"),
                                     folder.input("A2.txt")};
        inputs[1].metadata.insert(QStringLiteral("EXIF:DateTimeOriginal"), QStringLiteral("2030:01:02 00:00:00"));
        inputs[3].metadata.insert(QStringLiteral("EXIF:DateTimeOriginal"), QStringLiteral("2030:01:01 00:00:00"));
        inputs[1].size = 6; // b1 before a10 by size: "b1.txt" and "A2.txt" tie at 6, input order decides
        Recipe recipe = recipeOf(j("[{'type': 'original_name'}, {'type': 'counter'}]"));
        recipe.sort = *sortKeyFromString(sort);
        recipe.sortReverse = reverse;
        const auto plan = RenamePlanner(recipe).plan(inputs);
        QList<QByteArray> got;
        for (const PlanItem &item : plan.items)
            got.append(item.oldPath.mid(folder.path().size() + 1));
        if (sort == QLatin1String("size"))
            order = {"c.txt", "b1.txt", "A2.txt", "a10.txt"}; // stable: b1 was given before A2
        QCOMPARE(got, order);
        QCOMPARE(newNameOf(plan, folder, order.first()), order.first().chopped(4) + "001.txt");
    }

    void undecodableNamesKeepTheirBytes()
    {
        Folder folder;
        folder.touch({"caf\xE9.jpg"});
        const auto plan = RenamePlanner(recipeOf(j("[{'type': 'original_name'}, {'type': 'text', 'text': '_x'}]")))
                              .plan({folder.input("caf\xE9.jpg")});
        QVERIFY2(plan.runnable, qPrintable(plan.refusal));
        QCOMPARE(newNameOf(plan, folder, "caf\xE9.jpg"), QByteArray("caf\xE9_x.jpg"));
    }

    void recipeErrorRefuses()
    {
        Folder folder;
        folder.touch({"a.txt"});
        Recipe recipe; // no modules
        const auto plan = RenamePlanner(recipe).plan({folder.input("a.txt")});
        QVERIFY(!plan.runnable);
        QVERIFY(plan.refusal.contains(QLatin1String("modules")));
        QCOMPARE(plan.items.size(), 1);
        QVERIFY(plan.moves.isEmpty());
    }

    void cancelled()
    {
        Folder folder;
        folder.touch({"a.txt"});
        const auto plan = RenamePlanner(recipeOf(j("[{'type': 'text', 'text': 'b'}]")))
                              .plan({folder.input("a.txt")}, [] { return true; });
        QVERIFY(!plan.runnable);
        QCOMPARE(plan.refusal, QStringLiteral("cancelled"));
        QVERIFY(plan.moves.isEmpty());
    }

    void hundredThousandFiles()
    {
        // A folder of 100k files plans completely (the speed is measured by bench/bench_preview;
        // the ctest timeout catches anything quadratic).
        Folder folder;
        constexpr int Count = 100000;
        QList<RenameInput> inputs;
        inputs.reserve(Count);
        for (int i = 0; i < Count; ++i) {
            RenameInput in;
            in.path = folder.path("IMG_" + QByteArray::number(i) + ".JPG");
            in.mtimeNs = 1718461805000000000LL + qint64(i) * 1000000000LL;
            in.metadataLoaded = true;
            inputs.append(in);
        }
        const Recipe recipe = recipeOf(j("[{'type': 'metadata', 'field': 'file:mtime', 'format': '%Y%m%d'},"
                                         " {'type': 'text', 'text': '_'}, {'type': 'counter', 'padding': 6},"
                                         " {'type': 'text', 'text': '_'}, {'type': 'original_name'}]"),
                                       ", 'sort': 'natural'");
        const auto plan = RenamePlanner(recipe).plan(inputs);
        QVERIFY2(plan.runnable, qPrintable(plan.refusal));
        QCOMPARE(plan.moves.size(), Count);
        QCOMPARE(plan.summary.ok, qsizetype(Count));
        QVERIFY2(plan.items.constLast().newPath.endsWith("_100000_IMG_99999.JPG"), plan.items.constLast().newPath.constData());
    }
};

QTEST_GUILESS_MAIN(TestRenamePlanner)
#include "tst_renameplanner.moc"
