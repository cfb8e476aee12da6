// ctest-timeout: 60
// The "Ask" conflict question: each button is its answer, Esc and closing cancel, Enter is the
// safe Skip, and "apply to all" is reported with the answer.

#include "gui/conflictdialog.h"

#include <QCheckBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace oncutf;
using Choice = gui::ConflictDialog::Choice;

class TestConflictDialog : public QObject {
    Q_OBJECT

private:
    static void ask(gui::ConflictDialog &dialog)
    {
        dialog.setConflict(QStringLiteral("DSC_0001.JPG"), QStringLiteral("20240814_090105.JPG"),
                           QStringLiteral("a file outside the batch holds the name"), 2, 5);
        dialog.open(); // window-modal and non-blocking, so the test can click
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    }

private Q_SLOTS:
    void showsTheRow()
    {
        gui::ConflictDialog dialog;
        QCOMPARE(dialog.objectName(), QStringLiteral("ConflictDialog"));
        ask(dialog);
        QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("oldNameLabel"))->text(), QStringLiteral("DSC_0001.JPG"));
        QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("newNameLabel"))->text(),
                 QStringLiteral("20240814_090105.JPG"));
        QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("reasonLabel"))->text(),
                 QStringLiteral("a file outside the batch holds the name"));
        QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("progressLabel"))->text(), QStringLiteral("Conflict 2 of 5"));
        const QString overwriteTip = dialog.findChild<QPushButton *>(QStringLiteral("overwriteButton"))->toolTip();
        QVERIFY(overwriteTip.contains(QLatin1String("holding folder")));
        QVERIFY(overwriteTip.contains(QLatin1String("undo")));
        dialog.reject();
    }

    void eachButtonIsItsChoice_data()
    {
        QTest::addColumn<QString>("button");
        QTest::addColumn<Choice>("expected");
        QTest::addColumn<bool>("tickApplyToAll");
        QTest::addColumn<int>("result");
        QTest::newRow("skip") << QStringLiteral("skipButton") << Choice::Skip << false << int(QDialog::Accepted);
        QTest::newRow("overwrite") << QStringLiteral("overwriteButton") << Choice::Overwrite << false
                                   << int(QDialog::Accepted);
        QTest::newRow("suffix") << QStringLiteral("suffixButton") << Choice::Suffix << false << int(QDialog::Accepted);
        QTest::newRow("skip all") << QStringLiteral("skipAllButton") << Choice::SkipAll << false
                                  << int(QDialog::Accepted);
        QTest::newRow("cancel") << QStringLiteral("cancelButton") << Choice::Cancel << false << int(QDialog::Rejected);
        QTest::newRow("overwrite all") << QStringLiteral("overwriteButton") << Choice::Overwrite << true
                                       << int(QDialog::Accepted);
        QTest::newRow("suffix all") << QStringLiteral("suffixButton") << Choice::Suffix << true
                                    << int(QDialog::Accepted);
    }

    void eachButtonIsItsChoice()
    {
        QFETCH(QString, button);
        QFETCH(Choice, expected);
        QFETCH(bool, tickApplyToAll);
        QFETCH(int, result);

        gui::ConflictDialog dialog;
        ask(dialog);
        QSignalSpy finished(&dialog, &QDialog::finished);
        auto *applyToAll = dialog.findChild<QCheckBox *>(QStringLiteral("applyToAll"));
        QVERIFY(applyToAll);
        QCOMPARE(applyToAll->text().remove(QLatin1Char('&')), QStringLiteral("Apply to all remaining conflicts"));
        if (tickApplyToAll)
            QTest::keyClick(applyToAll, Qt::Key_Space);
        auto *b = dialog.findChild<QPushButton *>(button);
        QVERIFY(b);
        QTest::mouseClick(b, Qt::LeftButton);
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(finished.first().first().toInt(), result);
        QVERIFY(!dialog.isVisible());
        QCOMPARE(dialog.choice(), expected);
        QCOMPARE(dialog.applyToAll(), tickApplyToAll);
    }

    void escapeCancels()
    {
        gui::ConflictDialog dialog;
        ask(dialog);
        QTest::keyClick(&dialog, Qt::Key_Escape);
        QTRY_VERIFY(!dialog.isVisible());
        QCOMPARE(dialog.choice(), Choice::Cancel);
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
    }

    void enterSkips()
    {
        gui::ConflictDialog dialog;
        ask(dialog);
        QTest::keyClick(&dialog, Qt::Key_Return);
        QTRY_VERIFY(!dialog.isVisible());
        QCOMPARE(dialog.choice(), Choice::Skip);
    }

    void theNextQuestionStartsFresh()
    {
        gui::ConflictDialog dialog;
        ask(dialog);
        QTest::keyClick(dialog.findChild<QCheckBox *>(QStringLiteral("applyToAll")), Qt::Key_Space);
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("overwriteButton")), Qt::LeftButton);
        QTRY_VERIFY(!dialog.isVisible());
        QVERIFY(dialog.applyToAll());

        dialog.setConflict(QStringLiteral("b.jpg"), QStringLiteral("c.jpg"), QStringLiteral("duplicate"), 3, 5);
        QCOMPARE(dialog.choice(), Choice::Cancel); // closing without an answer cancels
        QVERIFY(!dialog.applyToAll());
        QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("progressLabel"))->text(), QStringLiteral("Conflict 3 of 5"));
    }
};

QTEST_MAIN(TestConflictDialog)
#include "tst_conflictdialog.moc"
