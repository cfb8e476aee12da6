#include "testutil_db.h"

#include "core/db/databasemanager.h"
#include "core/db/filestore.h"
#include "core/db/metadatacache.h"
#include "core/db/renamejournal.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::testDbOptions;

namespace {
const FileStamp kStamp{10, 20};

NewBatch batchOf(QList<PlannedOp> ops, BatchKind kind = BatchKind::Apply, std::optional<qint64> parent = {})
{
    NewBatch batch;
    batch.kind = kind;
    batch.recipeJson = R"({"modules":[{"type":"original_name"}]})";
    batch.rootFolder = QByteArray("/shoot");
    batch.parentBatchId = parent;
    batch.ops = std::move(ops);
    return batch;
}
} // namespace

class TstRenameJournal : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void createBatchWritesWholePlanPending();
    void createBatchReturnsTheStoredOpIds();
    void markingOpsMovesTheFileIdentity();
    void swapThroughTemporaryNameKeepsEachFilesCache();
    void unfinishedBatchesAreListedForRecovery();
    void historyIsNewestFirstWithCounts();
    void undoBatchLinksToItsParent();
    void markOpsIsAllOrNothing();
    void uncachedFilesGetNoRowButDisplaceStaleOnes();
    void opsAfterListsLaterBatchesInOrder();
    void atTempNeedsATemporaryName();
    void setOpPathsRecordsLateNames();
    void journalJoinsTheCallersTransaction();
    void journalSurvivesRestart();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DatabaseManager> m_db;
};

void TstRenameJournal::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_db = std::make_unique<DatabaseManager>(m_dir->filePath(QStringLiteral("oncutf.db")), testDbOptions());
    QVERIFY(m_db->open());
}

void TstRenameJournal::cleanup()
{
    QVERIFY(m_db->close());
    m_db.reset();
    m_dir.reset();
}

void TstRenameJournal::createBatchWritesWholePlanPending()
{
    RenameJournal journal(*m_db);
    // Only a file oncutf already knows gets its id in the journal; the others get no files row.
    const qint64 known = FileStore(*m_db).ensureId("/shoot/c.jpg").value();
    auto created = journal.createBatch(batchOf({{"/shoot/a.jpg", "/shoot/b.jpg", QByteArray("/shoot/.oncutf-t1"), {}},
                                                {"/shoot/c.jpg", "/shoot/a.jpg", {}, {}},
                                                {"/shoot/d.jpg", "/shoot/e.jpg", {}, QByteArray("/shoot/.hold/e.jpg")}}));
    QVERIFY(created.ok());
    QCOMPARE(created->opIds.size(), 3);

    auto batch = journal.batch(created->batchId);
    QVERIFY(batch.ok() && batch->has_value());
    QCOMPARE((*batch)->state, BatchState::Planned);
    QCOMPARE((*batch)->kind, BatchKind::Apply);
    QCOMPARE((*batch)->recipeJson, QByteArray(R"({"modules":[{"type":"original_name"}]})"));
    QVERIFY(!(*batch)->finishedAtMs.has_value());
    QCOMPARE((*batch)->counts.total, 3);
    QCOMPARE((*batch)->counts.pending, 3);

    auto ops = journal.ops(created->batchId);
    QVERIFY(ops.ok());
    QCOMPARE(ops->size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(ops->at(i).id, created->opIds.at(i));
        QCOMPARE(ops->at(i).seq, i);
        QCOMPARE(ops->at(i).state, OpState::Pending);
    }
    QVERIFY(!ops->at(0).fileId.has_value());
    QCOMPARE(ops->at(1).fileId, std::optional<qint64>(known));
    QVERIFY(!ops->at(2).fileId.has_value());
    QCOMPARE(FileStore(*m_db).count().value(), 1);
    QCOMPARE(ops->at(0).tempPath.value_or(QByteArray()), QByteArray("/shoot/.oncutf-t1"));
    QVERIFY(!ops->at(1).tempPath.has_value());
    QCOMPARE(ops->at(2).holdingPath.value_or(QByteArray()), QByteArray("/shoot/.hold/e.jpg"));
    QCOMPARE(ops->at(1).oldPath, QByteArray("/shoot/c.jpg"));
    QCOMPARE(ops->at(1).newPath, QByteArray("/shoot/a.jpg"));
}

// The op ids createBatch returns are the rows' own, in plan order: after a gap left by deleted
// rows, across the many-row and one-row INSERTs, and when the largest rowid is taken so SQLite
// picks ids of its own.
void TstRenameJournal::createBatchReturnsTheStoredOpIds()
{
    RenameJournal journal(*m_db);
    const auto planOf = [](int n, const char *tag) {
        QList<PlannedOp> ops;
        for (int i = 0; i < n; ++i) {
            const QByteArray name = QByteArray(tag) + QByteArray::number(i);
            ops.append({"/shoot/" + name, "/shoot/new_" + name, {}, {}});
        }
        return ops;
    };
    const auto check = [&](const Result<CreatedBatch> &created, int n) {
        QVERIFY(created.ok());
        auto ops = journal.ops(created->batchId);
        QVERIFY(ops.ok());
        QCOMPARE(ops->size(), n);
        QCOMPARE(created->opIds.size(), n);
        for (int i = 0; i < n; ++i) {
            QCOMPARE(ops->at(i).id, created->opIds.at(i));
            QCOMPARE(ops->at(i).seq, i);
        }
    };

    auto first = journal.createBatch(batchOf(planOf(10, "a")));
    check(first, 10);
    const QByteArray batchId = QByteArray::number(first->batchId);
    const QByteArray deleteTail = "DELETE FROM rename_ops WHERE seq >= 5 AND batch_id = " + batchId;
    QVERIFY(m_db->transaction([&](Connection &c) -> Status { return c.exec(deleteTail.constData()); }));
    check(journal.createBatch(batchOf(planOf(64 * 3 + 5, "b"))), 64 * 3 + 5);

    const QByteArray takeLargestIds = "INSERT INTO rename_ops (id, batch_id, seq, old_path, new_path, state, "
                                      "updated_at) VALUES (9223372036854775800, "
                                      + batchId + ", 99, x'2f78', x'2f79', 'pending', 0)";
    QVERIFY(m_db->transaction([&](Connection &c) -> Status { return c.exec(takeLargestIds.constData()); }));
    check(journal.createBatch(batchOf(planOf(20, "c"))), 20);
}

void TstRenameJournal::markingOpsMovesTheFileIdentity()
{
    RenameJournal journal(*m_db);
    FileStore files(*m_db);
    MetadataCache metadata(*m_db);
    QVERIFY(metadata.put({"/shoot/a.jpg", MetadataMode::Extended, R"({"who":"a"})", kStamp}));
    const qint64 fileId = files.idForPath("/shoot/a.jpg")->value();

    auto created = journal.createBatch(batchOf({{"/shoot/a.jpg", "/shoot/A.jpg", QByteArray("/shoot/.t0"), {}}}));
    QVERIFY(created.ok());
    const qint64 op = created->opIds.first();
    QCOMPARE(journal.ops(created->batchId)->first().fileId.value_or(-1), fileId);

    QVERIFY(journal.setBatchState(created->batchId, BatchState::Applying));
    QVERIFY(journal.markOp(op, OpState::AtTemp));
    QCOMPARE(files.idForPath("/shoot/.t0")->value_or(-1), fileId);
    QVERIFY(journal.markOp(op, OpState::Done));
    QCOMPARE(files.idForPath("/shoot/A.jpg")->value_or(-1), fileId);
    QCOMPARE(metadata.get("/shoot/A.jpg", kStamp)->value().json, QByteArray(R"({"who":"a"})"));
    QVERIFY(!files.idForPath("/shoot/a.jpg")->has_value());

    // A rollback puts it back where it was.
    QVERIFY(journal.markOp(op, OpState::Reverted));
    QCOMPARE(files.idForPath("/shoot/a.jpg")->value_or(-1), fileId);
    QVERIFY(journal.markOp(op, OpState::Failed, QStringLiteral("permission denied")));
    QCOMPARE(files.idForPath("/shoot/a.jpg")->value_or(-1), fileId);
    QCOMPARE(journal.ops(created->batchId)->first().error, QStringLiteral("permission denied"));
}

void TstRenameJournal::swapThroughTemporaryNameKeepsEachFilesCache()
{
    RenameJournal journal(*m_db);
    MetadataCache metadata(*m_db);
    QVERIFY(metadata.putMany({{"/s/a", MetadataMode::Fast, R"({"was":"a"})", kStamp},
                              {"/s/b", MetadataMode::Fast, R"({"was":"b"})", kStamp}}));
    // a <-> b as the executor does it: a -> temp, b -> a, temp -> b.
    auto created = journal.createBatch(batchOf({{"/s/a", "/s/b", QByteArray("/s/.tmp-a"), {}}, {"/s/b", "/s/a", {}, {}}}));
    QVERIFY(created.ok());
    const qint64 first = created->opIds.at(0);
    const qint64 second = created->opIds.at(1);
    QVERIFY(journal.markOp(first, OpState::AtTemp));
    QVERIFY(journal.markOp(second, OpState::Done));
    QVERIFY(journal.markOp(first, OpState::Done));
    QVERIFY(journal.setBatchState(created->batchId, BatchState::Applied));
    QCOMPARE(metadata.get("/s/b", kStamp)->value().json, QByteArray(R"({"was":"a"})"));
    QCOMPARE(metadata.get("/s/a", kStamp)->value().json, QByteArray(R"({"was":"b"})"));
    QCOMPARE(metadata.count().value(), 2);
}

void TstRenameJournal::unfinishedBatchesAreListedForRecovery()
{
    RenameJournal journal(*m_db);
    QList<qint64> ids;
    for (int i = 0; i < 5; ++i) {
        auto created = journal.createBatch(batchOf({{"/u/" + QByteArray::number(i), "/u/n" + QByteArray::number(i), {}, {}}}));
        QVERIFY(created.ok());
        ids << created->batchId;
    }
    QVERIFY(journal.setBatchState(ids[0], BatchState::Applying));
    QVERIFY(journal.setBatchState(ids[1], BatchState::Applied));
    // ids[2] stays planned: a crash right after the plan was written.
    QVERIFY(journal.setBatchState(ids[3], BatchState::RollingBack, QStringLiteral("disk full")));
    QVERIFY(journal.setBatchState(ids[4], BatchState::Failed, QStringLiteral("cancelled")));

    auto unfinished = journal.unfinishedBatches();
    QVERIFY(unfinished.ok());
    QList<qint64> unfinishedIds;
    for (const BatchRecord &b : *unfinished)
        unfinishedIds << b.id;
    QCOMPARE(unfinishedIds, (QList<qint64>{ids[0], ids[2], ids[3]}));
    QCOMPARE(unfinished->at(2).error, QStringLiteral("disk full"));

    QVERIFY(journal.setBatchState(ids[3], BatchState::RolledBack));
    auto rolledBack = journal.batch(ids[3])->value();
    QCOMPARE(rolledBack.error, QStringLiteral("disk full")); // an empty error keeps the earlier one
    QVERIFY(rolledBack.finishedAtMs.has_value());
    QVERIFY(journal.batch(ids[1])->value().finishedAtMs.has_value());
    QCOMPARE(journal.unfinishedBatches()->size(), 2);

    const Status missing = journal.setBatchState(9999, BatchState::Applied);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
}

void TstRenameJournal::historyIsNewestFirstWithCounts()
{
    RenameJournal journal(*m_db);
    auto first = journal.createBatch(batchOf({{"/h/1", "/h/one", {}, {}}}));
    auto second = journal.createBatch(
        batchOf({{"/h/2", "/h/two", {}, {}}, {"/h/3", "/h/three", {}, {}}, {"/h/4", "/h/four", {}, {}}, {"/h/5", "/h/five", {}, {}}}));
    QVERIFY(first.ok() && second.ok());
    QVERIFY(journal.markOps({{second->opIds[0], OpState::Done, {}},
                             {second->opIds[1], OpState::Done, {}},
                             {second->opIds[2], OpState::Skipped, {}},
                             {second->opIds[3], OpState::Failed, QStringLiteral("target exists")}}));
    QVERIFY(journal.setBatchState(second->batchId, BatchState::Applied));

    auto history = journal.history();
    QVERIFY(history.ok());
    QCOMPARE(history->size(), 2);
    QCOMPARE(history->at(0).id, second->batchId);
    QCOMPARE(history->at(1).id, first->batchId);
    const BatchCounts &counts = history->at(0).counts;
    QCOMPARE(counts.total, 4);
    QCOMPARE(counts.done, 2);
    QCOMPARE(counts.skipped, 1);
    QCOMPARE(counts.failed, 1);
    QCOMPARE(counts.pending, 0);
    QCOMPARE(history->at(1).counts.pending, 1);

    auto page = journal.history(1, 1);
    QVERIFY(page.ok());
    QCOMPARE(page->size(), 1);
    QCOMPARE(page->first().id, first->batchId);
    QCOMPARE(journal.batchCount().value(), 2);
    QCOMPARE(journal.opCount().value(), 5);
}

void TstRenameJournal::undoBatchLinksToItsParent()
{
    RenameJournal journal(*m_db);
    FileStore files(*m_db);
    QVERIFY(files.ensureId("/p/old").ok());
    auto applied = journal.createBatch(batchOf({{"/p/old", "/p/new", {}, {}}}));
    QVERIFY(applied.ok());
    QVERIFY(journal.markOp(applied->opIds[0], OpState::Done));
    QVERIFY(journal.setBatchState(applied->batchId, BatchState::Applied));
    const qint64 fileId = files.idForPath("/p/new")->value();

    // The undo renames the file back; it is the same file, so it keeps its id.
    auto undo = journal.createBatch(batchOf({{"/p/new", "/p/old", {}, {}}}, BatchKind::Undo, applied->batchId));
    QVERIFY(undo.ok());
    QCOMPARE(journal.ops(undo->batchId)->first().fileId.value_or(-1), fileId);
    QVERIFY(journal.markOp(undo->opIds[0], OpState::Done));
    QVERIFY(journal.setBatchState(undo->batchId, BatchState::Applied));
    QVERIFY(journal.setBatchState(applied->batchId, BatchState::Undone));

    auto history = journal.history();
    QVERIFY(history.ok());
    QCOMPARE(history->at(0).kind, BatchKind::Undo);
    QCOMPARE(history->at(0).parentBatchId.value_or(-1), applied->batchId);
    QCOMPARE(history->at(1).state, BatchState::Undone);
    QCOMPARE(files.idForPath("/p/old")->value_or(-1), fileId);

    auto orphan = journal.createBatch(batchOf({{"/p/x", "/p/y", {}, {}}}, BatchKind::Undo, 4242));
    QVERIFY(!orphan.ok());
    QCOMPARE(orphan.error().code, ErrorCode::InvalidArgument);
}

void TstRenameJournal::markOpsIsAllOrNothing()
{
    RenameJournal journal(*m_db);
    FileStore files(*m_db);
    // Once with no file known (states only, by runs of ops), once with a cached file (ids move).
    for (const bool cached : {false, true}) {
        if (cached)
            QVERIFY(files.ensureId("/m/a").ok());
        auto created = journal.createBatch(batchOf({{"/m/a", "/m/b", {}, {}}, {"/m/c", "/m/d", {}, {}}}));
        QVERIFY(created.ok());
        const Status status = journal.markOps({{created->opIds[0], OpState::Done, {}},
                                               {created->opIds[1], OpState::Done, {}},
                                               {987654, OpState::Done, {}}});
        QVERIFY(!status);
        QCOMPARE(status.error().code, ErrorCode::NotFound);
        QCOMPARE(journal.ops(created->batchId)->first().state, OpState::Pending);
        QCOMPARE(journal.ops(created->batchId)->last().state, OpState::Pending);
        QCOMPARE(files.idForPath("/m/a")->has_value(), cached);
        QVERIFY(!files.idForPath("/m/b")->has_value());
        // A run that reaches past the batch is refused whole as well.
        QCOMPARE(journal.markOps({{created->opIds[1], OpState::Done, {}}, {created->opIds[1] + 1, OpState::Done, {}}})
                     .error()
                     .code,
                 ErrorCode::NotFound);
        QCOMPARE(journal.ops(created->batchId)->last().state, OpState::Pending);
    }
}

void TstRenameJournal::uncachedFilesGetNoRowButDisplaceStaleOnes()
{
    RenameJournal journal(*m_db);
    FileStore files(*m_db);
    MetadataCache metadata(*m_db);
    // A file that is gone left its row and cache at /k/b; a file oncutf never saw takes the name.
    QVERIFY(metadata.put({"/k/b", MetadataMode::Fast, R"({"who":"gone"})", kStamp}));
    auto created = journal.createBatch(
        batchOf({{"/k/a", "/k/b", {}, {}}, {"/k/c", "/k/d", {}, {}}, {"/k/e", "/k/f", QByteArray("/k/.t"), {}}}));
    QVERIFY(created.ok());
    QVERIFY(journal.markOps({{created->opIds[2], OpState::AtTemp, {}},
                             {created->opIds[0], OpState::Done, {}},
                             {created->opIds[1], OpState::Done, {}}}));
    QVERIFY(!files.idForPath("/k/b")->has_value());
    QVERIFY(!metadata.get("/k/b", kStamp)->has_value());
    QCOMPARE(files.count().value(), 0);
    auto ops = journal.ops(created->batchId);
    QCOMPARE(ops->at(0).state, OpState::Done);
    QCOMPARE(ops->at(1).state, OpState::Done);
    QCOMPARE(ops->at(2).state, OpState::AtTemp);

    // With no file known at all, runs of ops are marked together, and still checked.
    auto plain = journal.createBatch(batchOf({{"/q/a", "/q/b", {}, {}}, {"/q/c", "/q/d", {}, {}}}));
    QVERIFY(plain.ok());
    const Status refused = journal.markOps({{plain->opIds[0], OpState::AtTemp, {}}, {plain->opIds[1], OpState::AtTemp, {}}});
    QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
    QVERIFY(journal.markOps({{plain->opIds[0], OpState::Failed, QStringLiteral("one")},
                             {plain->opIds[1], OpState::Failed, QStringLiteral("two")}}));
    ops = journal.ops(plain->batchId);
    QCOMPARE(ops->at(0).error, QStringLiteral("one"));
    QCOMPARE(ops->at(1).error, QStringLiteral("two"));
}

void TstRenameJournal::opsAfterListsLaterBatchesInOrder()
{
    RenameJournal journal(*m_db);
    auto first = journal.createBatch(batchOf({{"/o/a", "/o/b", {}, {}}}));
    auto second = journal.createBatch(batchOf({{"/o/b", "/o/c", {}, {}}, {"/o/x", "/o/b", {}, {}}}));
    auto third = journal.createBatch(batchOf({{"/o/c", "/o/d", {}, {}}}));
    QVERIFY(first.ok() && second.ok() && third.ok());
    auto later = journal.opsAfter(first->batchId);
    QVERIFY(later.ok());
    QCOMPARE(later->size(), 3);
    QCOMPARE(later->at(0).batchId, second->batchId);
    QCOMPARE(later->at(0).oldPath, QByteArray("/o/b"));
    QCOMPARE(later->at(1).newPath, QByteArray("/o/b"));
    QCOMPARE(later->at(2).batchId, third->batchId);
    QVERIFY(journal.opsAfter(third->batchId)->isEmpty());
}

void TstRenameJournal::atTempNeedsATemporaryName()
{
    RenameJournal journal(*m_db);
    auto created = journal.createBatch(batchOf({{"/t/a", "/t/b", {}, {}}}));
    QVERIFY(created.ok());
    const Status status = journal.markOp(created->opIds[0], OpState::AtTemp);
    QVERIFY(!status);
    QCOMPARE(status.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(journal.ops(created->batchId)->first().state, OpState::Pending);
}

void TstRenameJournal::setOpPathsRecordsLateNames()
{
    RenameJournal journal(*m_db);
    auto created = journal.createBatch(batchOf({{"/l/a", "/l/b", {}, {}}}));
    QVERIFY(created.ok());
    QVERIFY(journal.setOpPaths(created->opIds[0], QByteArray("/l/.tmp"), QByteArray("/l/.hold/b")));
    auto op = journal.ops(created->batchId)->first();
    QCOMPARE(op.tempPath.value_or(QByteArray()), QByteArray("/l/.tmp"));
    QCOMPARE(op.holdingPath.value_or(QByteArray()), QByteArray("/l/.hold/b"));
    QVERIFY(journal.markOp(created->opIds[0], OpState::AtTemp));
    QCOMPARE(journal.setOpPaths(4711, {}, {}).error().code, ErrorCode::NotFound);
}

void TstRenameJournal::journalJoinsTheCallersTransaction()
{
    RenameJournal journal(*m_db);
    QVERIFY(FileStore(*m_db).ensureId("/j/a").ok());
    auto created = journal.createBatch(batchOf({{"/j/a", "/j/b", {}, {}}}));
    QVERIFY(created.ok());
    // The executor's own step fails after the journal was updated: both roll back together.
    const Status status = m_db->transaction([&](Connection &) -> Status {
        if (Status marked = journal.markOp(created->opIds[0], OpState::Done); !marked)
            return marked;
        if (Status state = journal.setBatchState(created->batchId, BatchState::Applied); !state)
            return state;
        return makeError(ErrorCode::Io, QStringLiteral("rename(2) failed"));
    });
    QVERIFY(!status);
    QCOMPARE(status.error().code, ErrorCode::Io);
    QCOMPARE(journal.ops(created->batchId)->first().state, OpState::Pending);
    QCOMPARE(journal.batch(created->batchId)->value().state, BatchState::Planned);
    QVERIFY(FileStore(*m_db).idForPath("/j/a")->has_value());
}

void TstRenameJournal::journalSurvivesRestart()
{
    const QString path = m_dir->filePath(QStringLiteral("oncutf.db"));
    qint64 batchId = 0;
    {
        RenameJournal journal(*m_db);
        auto created = journal.createBatch(batchOf({{"/r/a", "/r/b", {}, {}}, {"/r/c", "/r/d", {}, {}}}));
        QVERIFY(created.ok());
        batchId = created->batchId;
        QVERIFY(journal.setBatchState(batchId, BatchState::Applying));
        QVERIFY(journal.markOp(created->opIds[0], OpState::Done));
        QVERIFY(m_db->close());
    }
    m_db = std::make_unique<DatabaseManager>(path, testDbOptions());
    RenameJournal journal(*m_db);
    auto unfinished = journal.unfinishedBatches();
    QVERIFY(unfinished.ok());
    QCOMPARE(unfinished->size(), 1);
    QCOMPARE(unfinished->first().id, batchId);
    QCOMPARE(unfinished->first().counts.done, 1);
    QCOMPARE(unfinished->first().counts.pending, 1);
    auto ops = journal.ops(batchId);
    QCOMPARE(ops->at(0).state, OpState::Done);
    QCOMPARE(ops->at(1).oldPath, QByteArray("/r/c"));
}

QTEST_GUILESS_MAIN(TstRenameJournal)
#include "tst_renamejournal.moc"
