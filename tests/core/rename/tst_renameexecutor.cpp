// ctest-labels: rename
// ctest-timeout: 120
#include "testutil_executor.h"

#include "core/db/testutil_db.h"

#include "core/db/databasemanager.h"
#include "core/db/filestore.h"
#include "core/db/renamejournal.h"
#include "core/rename/moveorder.h"
#include "core/rename/nativerename.h"
#include "core/rename/renameexecutor.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <memory>

#include <sys/stat.h>
#include <unistd.h>

using namespace oncutf::core;
using namespace oncutf::core::db;
using namespace oncutf::core::rename;
using oncutf::tests::digestOf;
using oncutf::tests::nativePath;
using oncutf::tests::snapshot;
using oncutf::tests::testDbOptions;
using oncutf::tests::writeFile;

namespace {

/// A folder of files and a database beside it (outside the folder, so snapshots see files only).
struct Fixture {
    QTemporaryDir root;
    QString files;
    QString dbPath;
    std::unique_ptr<DatabaseManager> db;
    std::unique_ptr<RenameExecutor> executor;

    Fixture()
    {
        files = root.filePath(QStringLiteral("files"));
        QDir().mkpath(files);
        dbPath = root.filePath(QStringLiteral("oncutf.db"));
        reopen();
    }
    ~Fixture()
    {
        executor.reset();
        if (db)
            (void)db->close();
    }
    Fixture(const Fixture &) = delete;
    Fixture &operator=(const Fixture &) = delete;

    /// A fresh DatabaseManager and executor, as after a restart.
    void reopen()
    {
        executor.reset();
        if (db)
            (void)db->close();
        db = std::make_unique<DatabaseManager>(dbPath, testDbOptions());
        executor = std::make_unique<RenameExecutor>(*db);
    }
    [[nodiscard]] QString file(const QString &name) const { return files + u'/' + name; }
    [[nodiscard]] QByteArray path(const QString &name) const { return nativePath(files, name); }
    void create(const QString &name) const
    {
        const QString full = file(name);
        QDir().mkpath(QFileInfo(full).path());
        QVERIFY(writeFile(full, "content of " + name.toUtf8() + '\n'));
    }
};

/// "a>b" is a move, "a>b!" one that replaces an existing b.
QList<Move> parseMoves(const Fixture &f, const QStringList &specs)
{
    QList<Move> moves;
    for (QString spec : specs) {
        const bool replace = spec.endsWith(u'!');
        if (replace)
            spec.chop(1);
        const QStringList parts = spec.split(u'>');
        moves.append({f.path(parts.at(0)), f.path(parts.at(1)), replace});
    }
    return moves;
}

bool hasLeftovers(const QMap<QString, QByteArray> &files)
{
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        if (it.key().contains(QStringLiteral(".oncutf-tmp-")) || it.key().contains(QStringLiteral(".oncutf-holding")))
            return true;
    }
    return false;
}

BatchState stateOf(Fixture &f, qint64 batchId)
{
    auto batch = RenameJournal(*f.db).batch(batchId);
    if (!batch.ok() || !batch->has_value())
        return BatchState::Failed;
    return (*batch)->state;
}

} // namespace

class TstRenameExecutor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();

    void applyUndoRedo_data();
    void applyUndoRedo();
    void refusesAnInvalidSet_data();
    void refusesAnInvalidSet();
    void unexpectedFileAtTargetRollsBack();
    void failureMidBatchRollsBack();
    void cancelRollsBack();
    void undoSkipsAFileRenamedAgain();
    void undoFollowsFilesThroughLaterBatches();
    void undoAfterRestart();
    void recoversAnInterruptedSwap_data();
    void recoversAnInterruptedSwap();
    void noReplaceRename_data();
    void noReplaceRename();
    void errorsNameThePath();
};

void TstRenameExecutor::init()
{
    NativeRename::setForcedMethodForTesting(NativeRename::Method::Auto);
}

void TstRenameExecutor::applyUndoRedo_data()
{
    QTest::addColumn<QStringList>("files");
    QTest::addColumn<QStringList>("moves");
    QTest::addColumn<int>("journalBatch");

    QTest::newRow("simple") << QStringList{"a.jpg", "other.jpg"} << QStringList{"a.jpg>b.jpg"} << 512;
    QTest::newRow("swap a<->b") << QStringList{"a.jpg", "b.jpg"} << QStringList{"a.jpg>b.jpg", "b.jpg>a.jpg"} << 512;
    QTest::newRow("3-cycle") << QStringList{"a", "b", "c"} << QStringList{"a>b", "b>c", "c>a"} << 512;
    QStringList shiftFiles;
    QStringList shiftMoves;
    for (int i = 1; i <= 100; ++i) {
        shiftFiles << QStringLiteral("file%1").arg(i);
        shiftMoves << QStringLiteral("file%1>file%2").arg(i).arg(i + 1);
    }
    QTest::newRow("chain shift file1..file100 -> file2..file101") << shiftFiles << shiftMoves << 7;
    QTest::newRow("case-only") << QStringList{"photo.JPG", "Ελλάδα.txt"}
                               << QStringList{"photo.JPG>photo.jpg", "Ελλάδα.txt>ΕΛΛΆΔΑ.txt"} << 512;
    QTest::newRow("overwrite -> holding") << QStringList{"a.jpg", "b.jpg"} << QStringList{"a.jpg>b.jpg!"} << 512;
    QTest::newRow("overwrite in a chain") << QStringList{"a", "b", "c"} << QStringList{"a>b", "b>c!"} << 1;
    QTest::newRow("mixed, across folders") << QStringList{"x/1", "x/2", "y/1", "y/Up", "y/3"}
                                           << QStringList{"x/1>x/2", "x/2>x/1", "y/1>x/3", "y/Up>y/up", "y/3>y/4"}
                                           << 2;
    QTest::newRow("long name via temp") << QStringList{QString(250, u'n'), QStringLiteral("short")}
                                        << QStringList{QString(250, u'n') + u">short", u"short>" + QString(250, u'n')}
                                        << 512;
}

void TstRenameExecutor::applyUndoRedo()
{
    QFETCH(QStringList, files);
    QFETCH(QStringList, moves);
    QFETCH(int, journalBatch);

    Fixture f;
    for (const QString &name : files)
        f.create(name);
    f.executor->setJournalBatchingForTesting(journalBatch, 1000);
    const QList<Move> plan = parseMoves(f, moves);
    const auto before = snapshot(f.files);

    // Known files get ids up front, as the scanner gives them: the ids must follow the renames.
    FileStore store(*f.db);
    QList<QByteArray> sources;
    for (const Move &m : plan)
        sources << m.oldPath;
    auto ids = store.ensureIds(sources);
    QVERIFY(ids.ok());
    std::optional<qint64> replacedId;
    for (const Move &m : plan) {
        if (m.replaceExisting)
            replacedId = store.ensureId(m.newPath).value();
    }

    qint64 progressCalls = 0;
    qint64 lastDone = -1;
    RenameExecutor::Callbacks callbacks;
    callbacks.progress = [&](qint64 done, qint64 total) {
        ++progressCalls;
        QVERIFY(done >= lastDone);
        QCOMPARE(total, qint64(plan.size()));
        lastDone = done;
    };
    auto applied = f.executor->apply(plan, R"({"modules":[]})", f.path(QString()), callbacks);
    QVERIFY2(applied.ok(), applied ? "" : qPrintable(applied.error().toString()));
    QVERIFY2(!applied->rolledBack, qPrintable(applied->error));
    QCOMPARE(applied->renamed, qint64(plan.size()));
    QCOMPARE(lastDone, qint64(plan.size()));
    QVERIFY(progressCalls >= 1);
    QCOMPARE(stateOf(f, applied->batchId), BatchState::Applied);

    // Contents followed their names; nothing else changed; no temporary name is left.
    const auto after = snapshot(f.files);
    QSet<QString> moved;
    for (const QString &spec : moves) {
        const QStringList parts = QString(spec).remove(u'!').split(u'>');
        QCOMPARE(after.value(parts.at(1)), before.value(parts.at(0)));
        moved << parts.at(0);
    }
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        bool isTarget = false;
        for (const QString &spec : moves)
            isTarget = isTarget || QString(spec).remove(u'!').split(u'>').at(1) == it.key();
        if (!moved.contains(it.key()) && !isTarget)
            QCOMPARE(after.value(it.key()), it.value());
    }
    auto ops = RenameJournal(*f.db).ops(applied->batchId);
    QVERIFY(ops.ok());
    for (const OpRecord &op : *ops) {
        QCOMPARE(op.state, OpState::Done);
        if (op.holdingPath) {
            // The replaced file waits in the holding folder, with its id.
            QVERIFY(QFile::exists(QFile::decodeName(*op.holdingPath)));
            QCOMPARE(store.idForPath(*op.holdingPath).value(), replacedId);
        }
    }
    if (!replacedId)
        QVERIFY(!hasLeftovers(after));
    QCOMPARE(after.size(), before.size());

    // Cached data follows: the ids now sit at the new names.
    for (qsizetype i = 0; i < plan.size(); ++i)
        QCOMPARE(store.idForPath(plan.at(i).newPath).value(), std::optional<qint64>(ids->at(i)));

    // Undo brings every name back, the replaced file included, and the holding folder goes.
    auto undone = f.executor->undo();
    QVERIFY2(undone.ok(), undone ? "" : qPrintable(undone.error().toString()));
    QCOMPARE(undone->targetBatchId, applied->batchId);
    QVERIFY(undone->skipped.isEmpty());
    QVERIFY2(!undone->run.rolledBack, qPrintable(undone->run.error));
    QCOMPARE(snapshot(f.files), before);
    QCOMPARE(stateOf(f, applied->batchId), BatchState::Undone);
    for (qsizetype i = 0; i < plan.size(); ++i)
        QCOMPARE(store.idForPath(plan.at(i).oldPath).value(), std::optional<qint64>(ids->at(i)));
    if (replacedId) {
        for (const Move &m : plan) {
            if (m.replaceExisting)
                QCOMPARE(store.idForPath(m.newPath).value(), replacedId);
        }
    }

    // Redo re-applies it; undoing the redo goes back again.
    auto redone = f.executor->redo();
    QVERIFY2(redone.ok(), redone ? "" : qPrintable(redone.error().toString()));
    QCOMPARE(redone->targetBatchId, applied->batchId);
    QVERIFY2(!redone->run.rolledBack, qPrintable(redone->run.error));
    QCOMPARE(redone->run.renamed, qint64(plan.size()));
    const auto afterRedo = snapshot(f.files);
    for (const QString &spec : moves) {
        const QStringList parts = QString(spec).remove(u'!').split(u'>');
        QCOMPARE(afterRedo.value(parts.at(1)), before.value(parts.at(0)));
    }
    auto redoneAgain = f.executor->redo(applied->batchId);
    QVERIFY(!redoneAgain.ok()); // already redone
    auto undoneRedo = f.executor->undo();
    QVERIFY(undoneRedo.ok());
    QCOMPARE(undoneRedo->targetBatchId, redone->run.batchId);
    QCOMPARE(snapshot(f.files), before);

    auto history = f.executor->history(10);
    QVERIFY(history.ok());
    QCOMPARE(history->size(), 4); // apply, undo, redo, undo
    QCOMPARE(history->first().kind, BatchKind::Undo);
    QVERIFY(!f.executor->needsRecovery().value());
}

void TstRenameExecutor::refusesAnInvalidSet_data()
{
    QTest::addColumn<QStringList>("files");
    QTest::addColumn<QStringList>("moves");
    QTest::addColumn<ErrorCode>("code");

    QTest::newRow("target taken outside the batch") << QStringList{"a", "b"} << QStringList{"a>b"}
                                                    << ErrorCode::AlreadyExists;
    QTest::newRow("two files want one name") << QStringList{"a", "b"} << QStringList{"a>c", "b>c"}
                                             << ErrorCode::AlreadyExists;
    QTest::newRow("source twice") << QStringList{"a"} << QStringList{"a>b", "a>c"} << ErrorCode::InvalidArgument;
    QTest::newRow("missing source") << QStringList{"a"} << QStringList{"a>b", "zz>c"} << ErrorCode::NotFound;
    QTest::newRow("chain onto a taken name") << QStringList{"a", "b", "c"} << QStringList{"a>b", "b>c"}
                                             << ErrorCode::AlreadyExists;
    QTest::newRow("missing target folder") << QStringList{"a"} << QStringList{"a>nope/b"} << ErrorCode::NotFound;
    QTest::newRow("name over 255 bytes") << QStringList{"a"} << QStringList{u"a>" + QString(256, u'x')}
                                         << ErrorCode::InvalidArgument;
    QTest::newRow("no change") << QStringList{"a"} << QStringList{"a>a"} << ErrorCode::InvalidArgument;
}

void TstRenameExecutor::refusesAnInvalidSet()
{
    QFETCH(QStringList, files);
    QFETCH(QStringList, moves);
    QFETCH(ErrorCode, code);

    Fixture f;
    for (const QString &name : files)
        f.create(name);
    const auto before = snapshot(f.files);
    auto applied = f.executor->apply(parseMoves(f, moves), {}, std::nullopt);
    QVERIFY(!applied.ok());
    QCOMPARE(applied.error().code, code);
    QVERIFY(!applied.error().message.isEmpty());
    QCOMPARE(snapshot(f.files), before);
    QCOMPARE(RenameJournal(*f.db).batchCount().value(), qint64(0));
}

void TstRenameExecutor::unexpectedFileAtTargetRollsBack()
{
    Fixture f;
    QStringList moves;
    for (int i = 0; i < 10; ++i) {
        f.create(QStringLiteral("x%1").arg(i));
        moves << QStringLiteral("x%1>y%1").arg(i);
    }
    // With a swap in front, the rollback also has parked files to bring back.
    f.create(QStringLiteral("s1"));
    f.create(QStringLiteral("s2"));
    moves << QStringLiteral("s1>s2") << QStringLiteral("s2>s1");
    const auto before = snapshot(f.files);

    int polls = 0;
    RenameExecutor::Callbacks callbacks;
    callbacks.isCancelled = [&] {
        if (++polls == 4) // another program creates a file at a target the batch has not reached
            writeFile(f.file(QStringLiteral("y8")), "stranger\n");
        return false;
    };
    auto applied = f.executor->apply(parseMoves(f, moves), {}, std::nullopt, callbacks);
    QVERIFY(applied.ok());
    QVERIFY(applied->rolledBack);
    QVERIFY(applied->rollbackComplete);
    QVERIFY(!applied->cancelled);
    QCOMPARE(applied->renamed, qint64(0));
    QCOMPARE(applied->failures.size(), 1);
    QCOMPARE(applied->failures.first().error.code, ErrorCode::AlreadyExists);
    QVERIFY(applied->failures.first().newPath.endsWith("/y8"));

    auto after = snapshot(f.files);
    QCOMPARE(after.take(QStringLiteral("y8")), digestOf(f.file(QStringLiteral("y8"))));
    QCOMPARE(after, before); // wholly old, the stranger untouched
    QCOMPARE(QFile(f.file(QStringLiteral("y8"))).size(), qint64(9));
    QCOMPARE(stateOf(f, applied->batchId), BatchState::RolledBack);
    auto ops = RenameJournal(*f.db).ops(applied->batchId);
    QVERIFY(ops.ok());
    for (const OpRecord &op : *ops) {
        QVERIFY(op.state == OpState::Reverted || op.state == OpState::Failed || op.state == OpState::Pending);
        if (op.newPath.endsWith("/y8"))
            QCOMPARE(op.state, OpState::Failed);
    }
}

void TstRenameExecutor::failureMidBatchRollsBack()
{
    Fixture f;
    QStringList moves;
    for (int i = 0; i < 5; ++i) {
        f.create(QStringLiteral("a/f%1").arg(i));
        f.create(QStringLiteral("b/f%1").arg(i));
    }
    for (int i = 0; i < 5; ++i)
        moves << QStringLiteral("a/f%1>a/g%1").arg(i);
    for (int i = 0; i < 5; ++i)
        moves << QStringLiteral("b/f%1>b/g%1").arg(i);
    const auto before = snapshot(f.files);
    const QString folderB = f.file(QStringLiteral("b"));
    const QString awayB = f.file(QStringLiteral("b-away"));
    const bool root = ::geteuid() == 0;

    int polls = 0;
    RenameExecutor::Callbacks callbacks;
    callbacks.isCancelled = [&] {
        if (++polls == 3) {
            if (root) // root ignores permissions: the folder disappears instead
                QDir().rename(folderB, awayB);
            else
                ::chmod(QFile::encodeName(folderB).constData(), 0555);
        }
        return false;
    };
    auto applied = f.executor->apply(parseMoves(f, moves), {}, std::nullopt, callbacks);
    if (root)
        QVERIFY(QDir().rename(awayB, folderB));
    else
        ::chmod(QFile::encodeName(folderB).constData(), 0755);
    QVERIFY(applied.ok());
    QVERIFY(applied->rolledBack);
    QVERIFY(applied->rollbackComplete);
    QCOMPARE(applied->failures.size(), 1);
    QCOMPARE(applied->failures.first().error.code, root ? ErrorCode::NotFound : ErrorCode::PermissionDenied);
    QVERIFY(applied->error.contains(QStringLiteral("b/f0")));
    QCOMPARE(snapshot(f.files), before);
    QCOMPARE(stateOf(f, applied->batchId), BatchState::RolledBack);
}

void TstRenameExecutor::cancelRollsBack()
{
    Fixture f;
    QStringList moves;
    // The overwrite runs first in the plan, so the rollback has a held file to put back.
    f.create(QStringLiteral("keep.jpg"));
    f.create(QStringLiteral("gone.jpg"));
    moves << QStringLiteral("keep.jpg>gone.jpg!");
    for (int i = 1; i <= 40; ++i) {
        f.create(QStringLiteral("f%1").arg(i));
        moves << QStringLiteral("f%1>f%2").arg(i).arg(i + 1);
    }
    f.create(QStringLiteral("CASE"));
    moves << QStringLiteral("CASE>case");
    const auto before = snapshot(f.files);
    f.executor->setJournalBatchingForTesting(3, 1000);

    int polls = 0;
    qint64 rollbackSteps = 0;
    RenameExecutor::Callbacks callbacks;
    callbacks.isCancelled = [&] { return ++polls > 30; };
    callbacks.stepDone = [&](RenameExecutor::Stage stage, qint64) {
        if (stage == RenameExecutor::Stage::RollingBack)
            ++rollbackSteps;
    };
    auto applied = f.executor->apply(parseMoves(f, moves), {}, std::nullopt, callbacks);
    QVERIFY(applied.ok());
    QVERIFY(applied->cancelled);
    QVERIFY(applied->rolledBack);
    QVERIFY(applied->rollbackComplete);
    QVERIFY(applied->failures.isEmpty());
    QVERIFY(rollbackSteps > 0);
    QCOMPARE(snapshot(f.files), before);
    QCOMPARE(stateOf(f, applied->batchId), BatchState::RolledBack);
    // A rolled-back batch is nothing to undo.
    QVERIFY(!f.executor->undo().ok());
}

void TstRenameExecutor::undoSkipsAFileRenamedAgain()
{
    Fixture f;
    f.create(QStringLiteral("a"));
    f.create(QStringLiteral("c"));
    const QByteArray contentA = digestOf(f.file(QStringLiteral("a")));
    const QByteArray contentC = digestOf(f.file(QStringLiteral("c")));
    auto first = f.executor->apply(parseMoves(f, {"a>b", "c>d"}), {}, std::nullopt);
    QVERIFY(first.ok() && !first->rolledBack);
    auto second = f.executor->apply(parseMoves(f, {"b>e"}), {}, std::nullopt);
    QVERIFY(second.ok() && !second->rolledBack);
    // Another file now holds b: undoing the first batch must not move it to a.
    QVERIFY(writeFile(f.file(QStringLiteral("b")), "a newcomer\n"));

    auto undone = f.executor->undo(first->batchId);
    QVERIFY2(undone.ok(), undone ? "" : qPrintable(undone.error().toString()));
    QCOMPARE(undone->skipped.size(), 1);
    QVERIFY(undone->skipped.first().oldPath.endsWith("/b"));
    QVERIFY2(undone->skipped.first().error.message.contains(QStringLiteral("renamed again")),
             qPrintable(undone->skipped.first().error.message));
    QCOMPARE(undone->run.renamed, qint64(1));
    QCOMPARE(digestOf(f.file(QStringLiteral("c"))), contentC);
    QCOMPARE(digestOf(f.file(QStringLiteral("e"))), contentA);
    QVERIFY(!QFile::exists(f.file(QStringLiteral("a"))));
    QCOMPARE(QFile(f.file(QStringLiteral("b"))).size(), qint64(11));

    // Without the newcomer the name is simply missing: also reported, nothing moved.
    auto third = f.executor->apply(parseMoves(f, {"e>h"}), {}, std::nullopt);
    QVERIFY(third.ok());
    QVERIFY(QFile::remove(f.file(QStringLiteral("h"))));
    auto undoneThird = f.executor->undo(third->batchId);
    QVERIFY(undoneThird.ok());
    QCOMPARE(undoneThird->skipped.size(), 1);
    QCOMPARE(undoneThird->skipped.first().error.code, ErrorCode::NotFound);
}

void TstRenameExecutor::undoFollowsFilesThroughLaterBatches()
{
    // None of these files is cached, so only the journal says where each went.
    Fixture f;
    f.create(QStringLiteral("a"));
    f.create(QStringLiteral("x"));
    const QByteArray contentA = digestOf(f.file(QStringLiteral("a")));
    const QByteArray contentX = digestOf(f.file(QStringLiteral("x")));
    auto first = f.executor->apply(parseMoves(f, {"a>b"}), {}, std::nullopt);
    QVERIFY(first.ok() && !first->rolledBack);
    // The file moves on to c and x takes its name: b now holds another file.
    auto second = f.executor->apply(parseMoves(f, {"b>c", "x>b"}), {}, std::nullopt);
    QVERIFY(second.ok() && !second->rolledBack);

    auto refused = f.executor->undo(first->batchId);
    QVERIFY2(refused.ok(), refused ? "" : qPrintable(refused.error().toString()));
    QCOMPARE(refused->skipped.size(), 1);
    QVERIFY2(refused->skipped.first().error.message.contains(QStringLiteral("renamed again")),
             qPrintable(refused->skipped.first().error.message));
    QVERIFY(refused->skipped.first().error.message.contains(QStringLiteral("/c")));
    QCOMPARE(digestOf(f.file(QStringLiteral("b"))), contentX);

    // Once the second batch is undone the file is back at b, and the first undoes cleanly.
    auto undoSecond = f.executor->undo(second->batchId);
    QVERIFY(undoSecond.ok() && undoSecond->skipped.isEmpty() && !undoSecond->run.rolledBack);
    auto undoFirst = f.executor->undo(first->batchId);
    QVERIFY2(undoFirst.ok(), undoFirst ? "" : qPrintable(undoFirst.error().toString()));
    QVERIFY(undoFirst->skipped.isEmpty());
    QCOMPARE(undoFirst->run.renamed, qint64(1));
    QCOMPARE(digestOf(f.file(QStringLiteral("a"))), contentA);
    QCOMPARE(digestOf(f.file(QStringLiteral("x"))), contentX);
    QVERIFY(!QFile::exists(f.file(QStringLiteral("b"))));

    // A swap in a later batch goes through a temporary name; the replay follows it too.
    auto third = f.executor->apply(parseMoves(f, {"a>b"}), {}, std::nullopt);
    QVERIFY(third.ok() && !third->rolledBack);
    auto swap = f.executor->apply(parseMoves(f, {"b>x", "x>b"}), {}, std::nullopt);
    QVERIFY(swap.ok() && !swap->rolledBack);
    auto afterSwap = f.executor->undo(third->batchId);
    QVERIFY(afterSwap.ok());
    QCOMPARE(afterSwap->skipped.size(), 1);
    QVERIFY2(afterSwap->skipped.first().error.message.contains(QStringLiteral("/x")),
             qPrintable(afterSwap->skipped.first().error.message));
    QCOMPARE(digestOf(f.file(QStringLiteral("x"))), contentA);
    QCOMPARE(digestOf(f.file(QStringLiteral("b"))), contentX);
}

void TstRenameExecutor::undoAfterRestart()
{
    Fixture f;
    QStringList moves;
    for (int i = 1; i <= 9; ++i) {
        f.create(QStringLiteral("file%1").arg(i));
        moves << QStringLiteral("file%1>file%2").arg(i).arg(i + 1);
    }
    f.create(QStringLiteral("z"));
    f.create(QStringLiteral("y"));
    moves << QStringLiteral("z>y!");
    const auto before = snapshot(f.files);
    auto applied = f.executor->apply(parseMoves(f, moves), {}, std::nullopt);
    QVERIFY(applied.ok() && !applied->rolledBack);

    f.reopen(); // everything below comes from the journal on disk
    QVERIFY(!f.executor->needsRecovery().value());
    auto undone = f.executor->undo();
    QVERIFY2(undone.ok(), undone ? "" : qPrintable(undone.error().toString()));
    QCOMPARE(undone->targetBatchId, applied->batchId);
    QCOMPARE(snapshot(f.files), before);

    f.reopen();
    auto redone = f.executor->redo();
    QVERIFY(redone.ok());
    QCOMPARE(redone->run.renamed, qint64(10));
    QCOMPARE(digestOf(f.file(QStringLiteral("file10"))), before.value(QStringLiteral("file9")));
    QCOMPARE(digestOf(f.file(QStringLiteral("y"))), before.value(QStringLiteral("z")));
}

void TstRenameExecutor::recoversAnInterruptedSwap_data()
{
    QTest::addColumn<int>("stepsDone");
    QTest::addColumn<BatchState>("journalState");
    QTest::addColumn<int>("opsMarked");

    // Steps of a<->b: park a -> tmp, b -> a, tmp -> b. The journal lags the disk.
    QTest::newRow("journaled, nothing done") << 0 << BatchState::Planned << 0;
    QTest::newRow("parked, not yet committed") << 1 << BatchState::Planned << 0;
    QTest::newRow("parked and committed") << 1 << BatchState::Applying << 0;
    QTest::newRow("one rename, journal behind") << 2 << BatchState::Applying << 0;
    QTest::newRow("one rename, journaled") << 2 << BatchState::Applying << 1;
    QTest::newRow("all done, journal behind") << 3 << BatchState::Applying << 0;
    QTest::newRow("all done, journaled") << 3 << BatchState::Applying << 2;
    QTest::newRow("rolling back, half way") << 2 << BatchState::RollingBack << 1;
    QTest::newRow("rolled back to the parks") << 1 << BatchState::Planned << 0;
    // -1: the link fallback was killed between link() and unlink() of the park: two names.
    QTest::newRow("link fallback interrupted") << -1 << BatchState::Planned << 0;
}

void TstRenameExecutor::recoversAnInterruptedSwap()
{
    QFETCH(int, stepsDone);
    QFETCH(BatchState, journalState);
    QFETCH(int, opsMarked);

    Fixture f;
    f.create(QStringLiteral("a"));
    f.create(QStringLiteral("b"));
    const auto before = snapshot(f.files);
    const QByteArray a = f.path(QStringLiteral("a"));
    const QByteArray b = f.path(QStringLiteral("b"));
    RenameJournal journal(*f.db);
    // The executor's own layout: ops in the order of their final renames (b->a, then a->b from
    // its temporary name).
    NewBatch batch;
    batch.ops.append({b, a, std::nullopt, std::nullopt});
    batch.ops.append({a, b, std::nullopt, std::nullopt});
    auto created = journal.createBatch(batch);
    QVERIFY(created.ok());
    const QByteArray temp = MoveOrderer::tempPathFor(a, created->batchId, 0);
    QVERIFY(journal.setOpPaths(created->opIds.at(1), temp, std::nullopt));

    const QList<QPair<QByteArray, QByteArray>> steps{{a, temp}, {b, a}, {temp, b}};
    for (int i = 0; i < stepsDone; ++i)
        QVERIFY(NativeRename::renameNoReplace(steps.at(i).first, steps.at(i).second));
    if (stepsDone < 0)
        QCOMPARE(::link(a.constData(), temp.constData()), 0);
    if (journalState != BatchState::Planned) {
        QVERIFY(journal.markOp(created->opIds.at(1), OpState::AtTemp));
        QVERIFY(journal.setBatchState(created->batchId, journalState));
    }
    if (opsMarked >= 1)
        QVERIFY(journal.markOp(created->opIds.at(0), OpState::Done));
    if (opsMarked >= 2)
        QVERIFY(journal.markOp(created->opIds.at(1), OpState::Done));

    QVERIFY(f.executor->needsRecovery().value());
    f.reopen();
    auto recovered = f.executor->recover();
    QVERIFY2(recovered.ok(), recovered ? "" : qPrintable(recovered.error().toString()));
    QCOMPARE(recovered->batchIds, QList<qint64>{created->batchId});
    QVERIFY(recovered->problems.isEmpty());
    QCOMPARE(snapshot(f.files), before);
    QCOMPARE(stateOf(f, created->batchId), BatchState::RolledBack);
    QVERIFY(!f.executor->needsRecovery().value());
    // Idempotent.
    auto again = f.executor->recover();
    QVERIFY(again.ok());
    QVERIFY(again->batchIds.isEmpty());
    QCOMPARE(snapshot(f.files), before);
}

void TstRenameExecutor::noReplaceRename_data()
{
    QTest::addColumn<NativeRename::Method>("method");
    QTest::newRow("renameat2") << NativeRename::Method::Auto;
    QTest::newRow("link+unlink fallback") << NativeRename::Method::LinkUnlink;
    QTest::newRow("check+rename fallback") << NativeRename::Method::CheckThenRename;
}

void TstRenameExecutor::noReplaceRename()
{
    QFETCH(NativeRename::Method, method);
    NativeRename::setForcedMethodForTesting(method);
    Fixture f;
    f.create(QStringLiteral("a"));
    f.create(QStringLiteral("b"));
    QDir().mkpath(f.file(QStringLiteral("dir")));
    const auto before = snapshot(f.files);

    Status clobber = NativeRename::renameNoReplace(f.path(QStringLiteral("a")), f.path(QStringLiteral("b")));
    QVERIFY(!clobber.ok());
    QCOMPARE(clobber.error().code, ErrorCode::AlreadyExists);
    QCOMPARE(clobber.error().path, f.file(QStringLiteral("a")));
    QCOMPARE(snapshot(f.files), before);

    QVERIFY(NativeRename::renameNoReplace(f.path(QStringLiteral("a")), f.path(QStringLiteral("c"))));
    QVERIFY(!QFile::exists(f.file(QStringLiteral("a"))));
    QCOMPARE(digestOf(f.file(QStringLiteral("c"))), before.value(QStringLiteral("a")));
    // Folders cannot be hard-linked: the link fallback hands them on.
    QVERIFY(NativeRename::renameNoReplace(f.path(QStringLiteral("dir")), f.path(QStringLiteral("dir2"))));
    QVERIFY(QFileInfo(f.file(QStringLiteral("dir2"))).isDir());

    // The executor works the same over each method.
    f.create(QStringLiteral("x"));
    auto applied = f.executor->apply(parseMoves(f, {"x>b", "b>x", "c>C"}), {}, std::nullopt);
    QVERIFY(applied.ok() && !applied->rolledBack);
    QCOMPARE(digestOf(f.file(QStringLiteral("C"))), before.value(QStringLiteral("a")));
    NativeRename::setForcedMethodForTesting(NativeRename::Method::Auto);
}

void TstRenameExecutor::errorsNameThePath()
{
    Fixture f;
    f.create(QStringLiteral("a"));
    Status missingFolder = NativeRename::renameNoReplace(f.path(QStringLiteral("a")), f.path(QStringLiteral("no/b")));
    QCOMPARE(missingFolder.error().code, ErrorCode::NotFound);
    QCOMPARE(missingFolder.error().path, f.file(QStringLiteral("a")));
    Status tooLong =
        NativeRename::renameNoReplace(f.path(QStringLiteral("a")), f.path(QString(300, u'x')));
    QCOMPARE(tooLong.error().code, ErrorCode::InvalidArgument);
    QVERIFY(tooLong.error().message.contains(QStringLiteral("too long")));
    Status gone = NativeRename::renameNoReplace(f.path(QStringLiteral("zz")), f.path(QStringLiteral("b")));
    QCOMPARE(gone.error().code, ErrorCode::NotFound);
    const Error exdev = NativeRename::errorFromErrno(EXDEV, QStringLiteral("rename"), "/a", "/b");
    QCOMPARE(exdev.code, ErrorCode::Unsupported);
    QVERIFY(exdev.message.contains(QStringLiteral("different file systems")));
    QCOMPARE(NativeRename::errorFromErrno(ENOSPC, QStringLiteral("rename"), "/a").code, ErrorCode::NoSpace);
    QCOMPARE(NativeRename::errorFromErrno(EACCES, QStringLiteral("rename"), "/a").code, ErrorCode::PermissionDenied);
}

QTEST_GUILESS_MAIN(TstRenameExecutor)
#include "tst_renameexecutor.moc"
