// ctest-timeout: 180
#include "testutil_db.h"

#include "core/db/databasemaintenance.h"
#include "core/db/databasemanager.h"
#include "core/db/renamejournal.h"

#include <QCoreApplication>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::testDbOptions;

namespace {

constexpr const char *kChildEnv = "ONCUTF_DB_CRASH_CHILD";
constexpr int kOpsPerBatch = 25;

// The child: writes rename batches the way the executor does (plan, progress, final state) in a
// loop until it is killed, and reports each batch id on stdout once its plan is committed.
int runWriterChild(const QString &path)
{
    DatabaseManager db(path, testDbOptions());
    if (Status opened = db.open(); !opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error().toString()));
        (void)db.close();
        return 3;
    }
    RenameJournal journal(db);
    for (qint64 round = 0;; ++round) {
        NewBatch batch;
        batch.recipeJson = R"({"modules":[{"type":"counter"}]})";
        for (int i = 0; i < kOpsPerBatch; ++i) {
            const QByteArray stem = "/crash/" + QByteArray::number(round) + '_' + QByteArray::number(i);
            batch.ops.append({stem + ".jpg", stem + "_new.jpg", stem + ".tmp", {}});
        }
        auto created = journal.createBatch(batch);
        if (!created.ok()) {
            std::fprintf(stderr, "%s\n", qPrintable(created.error().toString()));
            (void)db.close();
            return 4;
        }
        std::printf("committed %lld\n", static_cast<long long>(created->batchId));
        std::fflush(stdout);
        (void)journal.setBatchState(created->batchId, BatchState::Applying);
        QList<OpUpdate> progress;
        for (qint64 op : created->opIds)
            progress.append({op, OpState::AtTemp, {}});
        (void)journal.markOps(progress);
        for (OpUpdate &update : progress)
            update.state = OpState::Done;
        (void)journal.markOps(progress);
        (void)journal.setBatchState(created->batchId, BatchState::Applied);
    }
}

} // namespace

class TstDbCrash : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void killedWriterLosesNoCommittedBatch_data();
    void killedWriterLosesNoCommittedBatch();
};

void TstDbCrash::killedWriterLosesNoCommittedBatch_data()
{
    QTest::addColumn<QList<int>>("killAfter");
    QTest::newRow("three kills at different points") << QList<int>{3, 11, 29};
}

void TstDbCrash::killedWriterLosesNoCommittedBatch()
{
    QFETCH(QList<int>, killAfter);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("oncutf.db"));
    QSet<qint64> reported;

    for (const int threshold : killAfter) {
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(kChildEnv), path);
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForStarted());

        QByteArray pending;
        int seenThisRun = 0;
        auto takeLines = [&] {
            pending += child.readAllStandardOutput();
            qsizetype newline;
            while ((newline = pending.indexOf('\n')) >= 0) {
                const QByteArray line = pending.left(newline);
                pending.remove(0, newline + 1);
                if (line.startsWith("committed ")) {
                    reported.insert(line.mid(10).toLongLong());
                    ++seenThisRun;
                }
            }
        };
        while (seenThisRun < threshold) {
            QVERIFY2(child.state() == QProcess::Running, child.readAllStandardError().constData());
            QVERIFY2(child.waitForReadyRead(30000), "the writer reported nothing for 30 s");
            takeLines();
        }
        child.kill(); // SIGKILL: no destructor, no checkpoint, possibly mid-transaction
        QVERIFY(child.waitForFinished(30000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        takeLines();
    }

    DatabaseManager db(path, testDbOptions());
    const Status opened = db.open();
    QVERIFY2(opened, opened ? "" : qPrintable(opened.error().toString()));
    QVERIFY2(!db.takeRecoveryNotice().has_value(), "a killed writer must not leave a damaged database");
    auto problems = DatabaseMaintenance(db).check();
    QVERIFY(problems.ok());
    QVERIFY2(problems->isEmpty(), qPrintable(problems->join(u'\n')));

    RenameJournal journal(db);
    for (const qint64 id : std::as_const(reported)) {
        auto batch = journal.batch(id);
        QVERIFY(batch.ok());
        QVERIFY2(batch->has_value(), qPrintable(QStringLiteral("batch %1 was reported committed but is missing").arg(id)));
        QCOMPARE((*batch)->counts.total, kOpsPerBatch);
    }
    // The last batch of each run may be caught between its states; recovery sees it.
    auto unfinished = journal.unfinishedBatches();
    QVERIFY(unfinished.ok());
    QVERIFY(unfinished->size() <= killAfter.size());
    QVERIFY(journal.batchCount().value() >= reported.size());
    qInfo("%lld batches reported committed, %lld in the journal, %lld unfinished", qint64(reported.size()),
          journal.batchCount().value(), qint64(unfinished->size()));
    QVERIFY(db.close());
}

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsSet(kChildEnv)) {
        QCoreApplication app(argc, argv);
        return runWriterChild(qEnvironmentVariable(kChildEnv));
    }
    QCoreApplication app(argc, argv);
    TstDbCrash test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_dbcrash.moc"
