// ctest-timeout: 60
// The history dialog: one row per batch with what a user needs to pick one, and Undo / Redo
// offered only where the executor would accept them, carrying the selected batch's id.

#include "gui/historydialog.h"

#include <QDateTime>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

using namespace oncutf;
using core::db::BatchKind;
using core::db::BatchRecord;
using core::db::BatchState;

namespace {

constexpr qint64 T0 = 1723626065000; // 2024-08-14 09:01:05 UTC

BatchRecord record(qint64 id, BatchKind kind, BatchState state, qint64 total = 3)
{
    BatchRecord b;
    b.id = id;
    b.kind = kind;
    b.state = state;
    b.createdAtMs = T0 + id * 60000;
    b.finishedAtMs = b.createdAtMs + 1500;
    b.rootFolder = QByteArray("/photos/card01");
    b.counts.total = total;
    b.counts.done = total;
    if (kind == BatchKind::Apply)
        b.recipeJson = R"({"version": 1, "modules": [{"type": "metadata", "field": "capture_date"},
                          {"type": "text", "text": "_"}, {"type": "counter", "enabled": false}]})";
    return b;
}

// Newest first, as RenameJournal::history() returns them.
QList<BatchRecord> sampleHistory()
{
    BatchRecord redo = record(6, BatchKind::Redo, BatchState::Applied);
    redo.parentBatchId = 2;
    BatchRecord undo = record(5, BatchKind::Undo, BatchState::Applied);
    undo.parentBatchId = 2;
    BatchRecord failed = record(4, BatchKind::Apply, BatchState::Failed);
    failed.error = QStringLiteral("disk full");
    failed.counts.done = 0;
    failed.counts.failed = 1;
    failed.counts.reverted = 2;
    BatchRecord undone = record(3, BatchKind::Apply, BatchState::Undone);
    BatchRecord applied = record(2, BatchKind::Apply, BatchState::Applied, 12);
    applied.counts.done = 10;
    applied.counts.skipped = 2;
    BatchRecord noFolder = record(1, BatchKind::Apply, BatchState::RolledBack);
    noFolder.rootFolder.reset();
    return {redo, undo, failed, undone, applied, noFolder};
}

} // namespace

class TestHistoryDialog : public QObject {
    Q_OBJECT

private:
    static QString cell(QTableWidget *table, int row, int column)
    {
        const QTableWidgetItem *item = table->item(row, column);
        return item ? item->text() : QString();
    }

private Q_SLOTS:
    void rowsShowTheBatches()
    {
        gui::HistoryDialog dialog;
        QCOMPARE(dialog.objectName(), QStringLiteral("HistoryDialog"));
        QCOMPARE(dialog.windowTitle(), QStringLiteral("Rename history"));
        dialog.setBatches(sampleHistory());
        auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("historyTable"));
        QVERIFY(table);
        QCOMPARE(table->rowCount(), 6);
        QCOMPARE(table->columnCount(), int(gui::HistoryDialog::ColumnCount));

        using D = gui::HistoryDialog;
        // Row 4 is batch 2: applied, 12 files of which 2 skipped.
        QCOMPARE(cell(table, 4, D::IdColumn), QStringLiteral("2"));
        QCOMPARE(cell(table, 4, D::KindColumn), QStringLiteral("apply"));
        QCOMPARE(cell(table, 4, D::StateColumn), QStringLiteral("applied"));
        QCOMPARE(cell(table, 4, D::StartedColumn),
                 QDateTime::fromMSecsSinceEpoch(T0 + 2 * 60000).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        QCOMPARE(cell(table, 4, D::FilesColumn), QStringLiteral("12 (10 done, 2 skipped)"));
        QCOMPARE(cell(table, 4, D::FolderColumn), QStringLiteral("/photos/card01"));
        QCOMPARE(cell(table, 4, D::RecipeColumn), QStringLiteral("metadata + text + counter (off)"));

        QCOMPARE(cell(table, 0, D::KindColumn), QStringLiteral("redo"));
        QCOMPARE(cell(table, 0, D::RecipeColumn), QStringLiteral("redo of #2"));
        QCOMPARE(cell(table, 1, D::RecipeColumn), QStringLiteral("undo of #2"));
        QCOMPARE(cell(table, 2, D::StateColumn), QStringLiteral("failed"));
        QCOMPARE(table->item(2, D::StateColumn)->toolTip(), QStringLiteral("disk full"));
        QCOMPARE(cell(table, 2, D::FilesColumn), QStringLiteral("3 (2 reverted, 1 failed)"));
        QCOMPARE(cell(table, 3, D::StateColumn), QStringLiteral("undone"));
        QCOMPARE(cell(table, 5, D::FolderColumn), QString());
        QCOMPARE(cell(table, 5, D::StateColumn), QStringLiteral("rolled_back"));

        dialog.setBatches({});
        QCOMPARE(table->rowCount(), 0);
    }

    void undoAndRedoFollowTheSelectedBatch_data()
    {
        QTest::addColumn<int>("row");
        QTest::addColumn<qint64>("id");
        QTest::addColumn<bool>("undo");
        QTest::addColumn<bool>("redo");
        QTest::newRow("applied redo batch") << 0 << qint64(6) << true << false;
        QTest::newRow("undo batch") << 1 << qint64(5) << false << false;
        QTest::newRow("failed") << 2 << qint64(4) << false << false;
        QTest::newRow("undone") << 3 << qint64(3) << false << true;
        QTest::newRow("applied") << 4 << qint64(2) << true << false;
        QTest::newRow("rolled back") << 5 << qint64(1) << false << false;
    }

    void undoAndRedoFollowTheSelectedBatch()
    {
        QFETCH(int, row);
        QFETCH(qint64, id);
        QFETCH(bool, undo);
        QFETCH(bool, redo);

        gui::HistoryDialog dialog;
        dialog.setBatches(sampleHistory());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("historyTable"));
        auto *undoButton = dialog.findChild<QPushButton *>(QStringLiteral("undoButton"));
        auto *redoButton = dialog.findChild<QPushButton *>(QStringLiteral("redoButton"));
        QVERIFY(table && undoButton && redoButton);
        QVERIFY(!undoButton->isEnabled()); // nothing selected yet
        QVERIFY(!redoButton->isEnabled());

        QSignalSpy undoSpy(&dialog, &gui::HistoryDialog::undoRequested);
        QSignalSpy redoSpy(&dialog, &gui::HistoryDialog::redoRequested);

        // Select the way a user does: a click on the row.
        const QRect cellRect = table->visualRect(table->model()->index(row, gui::HistoryDialog::KindColumn));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cellRect.center());
        QCOMPARE(dialog.selectedBatchId(), id);
        QCOMPARE(undoButton->isEnabled(), undo);
        QCOMPARE(redoButton->isEnabled(), redo);

        QTest::mouseClick(undoButton, Qt::LeftButton);
        QTest::mouseClick(redoButton, Qt::LeftButton);
        QCOMPARE(undoSpy.count(), undo ? 1 : 0);
        QCOMPARE(redoSpy.count(), redo ? 1 : 0);
        if (undo)
            QCOMPARE(undoSpy.first().first().toLongLong(), id);
        if (redo)
            QCOMPARE(redoSpy.first().first().toLongLong(), id);
    }

    void refreshingKeepsTheSelectionAndUpdatesTheButtons()
    {
        gui::HistoryDialog dialog;
        QList<BatchRecord> batches = sampleHistory();
        dialog.setBatches(batches);
        dialog.selectBatch(2);
        auto *undoButton = dialog.findChild<QPushButton *>(QStringLiteral("undoButton"));
        auto *redoButton = dialog.findChild<QPushButton *>(QStringLiteral("redoButton"));
        QVERIFY(undoButton->isEnabled());

        // After the owner undid batch 2, a new undo batch is on top and batch 2 is undone.
        BatchRecord newUndo = record(7, BatchKind::Undo, BatchState::Applied);
        newUndo.parentBatchId = 2;
        batches[4].state = BatchState::Undone;
        batches.prepend(newUndo);
        dialog.setBatches(batches);
        QCOMPARE(dialog.selectedBatchId(), qint64(2));
        QVERIFY(!undoButton->isEnabled());
        QVERIFY(redoButton->isEnabled());

        // The selected batch vanished from the list: nothing is selected, nothing offered.
        batches.removeAt(5);
        dialog.setBatches(batches);
        QCOMPARE(dialog.selectedBatchId(), qint64(0));
        QVERIFY(!undoButton->isEnabled());
        QVERIFY(!redoButton->isEnabled());
    }

    void closeButtonCloses()
    {
        gui::HistoryDialog dialog;
        dialog.setBatches(sampleHistory());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *close = dialog.findChild<QPushButton *>(QStringLiteral("closeButton"));
        QVERIFY(close);
        QCOMPARE(close->text().remove(QLatin1Char('&')), QStringLiteral("Close"));
        QTest::mouseClick(close, Qt::LeftButton);
        QTRY_VERIFY(!dialog.isVisible());
    }
};

QTEST_MAIN(TestHistoryDialog)
#include "tst_historydialog.moc"
