// ctest-timeout: 60
// The live preview's contract: edits are debounced through the TimerManager (one plan for a burst
// of requests), each request has a generation, and only the newest plan is ever delivered - a
// plan made stale while it runs is cancelled or dropped.

#include "core/appcontext.h"
#include "core/files/filescanner.h"
#include "gui/previewcontroller.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace oncutf;
using core::rename::ModuleType;
using core::rename::Recipe;
using core::rename::RecipeModule;

namespace {

Recipe prefix(const QString &text)
{
    Recipe recipe;
    RecipeModule module = RecipeModule::make(ModuleType::Text);
    module.text = text;
    recipe.modules = {module, RecipeModule::make(ModuleType::OriginalName)};
    return recipe;
}

QString firstNewName(const core::rename::RenamePlan &plan)
{
    return QFile::decodeName(plan.items.constFirst().newPath).section(QLatin1Char('/'), -1);
}

} // namespace

class TestPreviewController : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QList<core::files::FileEntry> m_files;

private Q_SLOTS:
    void initTestCase()
    {
        for (int i = 0; i < 2000; ++i) {
            QFile file(m_dir.filePath(QStringLiteral("file%1.txt").arg(i, 4, 10, QLatin1Char('0'))));
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        m_files = core::files::FileScanner().scanAll({QFile::encodeName(m_dir.path())}).entries;
        QCOMPARE(m_files.size(), 2000);
    }

    void burstOfEditsGivesOnePlanOfTheLastOne()
    {
        core::AppContext context;
        gui::PreviewController controller(context, {});
        QSignalSpy plans(&controller, &gui::PreviewController::planReady);
        controller.setFiles(m_files);
        for (int i = 0; i < 50; ++i) {
            controller.setRecipe(prefix(QStringLiteral("v%1_").arg(i)));
            controller.requestUpdate();
        }
        QVERIFY(controller.isBusy());
        QVERIFY(context.timers().isActive(QString::fromLatin1(gui::PreviewController::kTimerId)));
        QVERIFY(plans.wait(10000));
        QTRY_VERIFY_WITH_TIMEOUT(!controller.isBusy(), 10000);
        QCOMPARE(plans.count(), 1);
        const auto plan = plans.first().first().value<core::rename::RenamePlan>();
        QCOMPARE(plan.items.size(), 2000);
        QCOMPARE(firstNewName(plan), QStringLiteral("v49_file0000.txt"));
        QVERIFY(controller.stop(QDeadlineTimer(5000)));
        context.shutdownSync();
    }

    void requestWhilePlanningDropsTheStaleResult()
    {
        core::AppContext context;
        gui::PreviewController controller(context, {});
        QSignalSpy plans(&controller, &gui::PreviewController::planReady);
        QSignalSpy stopped(&controller, &gui::PreviewController::computingStopped);
        controller.setFiles(m_files);
        controller.setRecipe(prefix(QStringLiteral("old_")));
        controller.requestUpdate(true);
        QTRY_VERIFY_WITH_TIMEOUT(controller.isComputing(), 10000); // the first plan runs
        controller.setRecipe(prefix(QStringLiteral("new_")));
        controller.requestUpdate(true);
        QTRY_VERIFY_WITH_TIMEOUT(!controller.isBusy(), 20000);
        QVERIFY(plans.count() >= 1);
        // Whatever happened to the first plan, only the newest generation reached the window.
        for (const auto &args : plans)
            QCOMPARE(firstNewName(args.first().value<core::rename::RenamePlan>()), QStringLiteral("new_file0000.txt"));
        QVERIFY(controller.stop(QDeadlineTimer(5000)));
        context.shutdownSync();
    }

    void emptyListGivesAnEmptyPlanAtOnce()
    {
        core::AppContext context;
        gui::PreviewController controller(context, {});
        QSignalSpy plans(&controller, &gui::PreviewController::planReady);
        controller.setRecipe(prefix(QStringLiteral("x_")));
        controller.requestUpdate(true);
        QVERIFY(plans.wait(5000));
        QVERIFY(plans.first().first().value<core::rename::RenamePlan>().items.isEmpty());
        QVERIFY(!controller.isBusy());
        QVERIFY(controller.stop(QDeadlineTimer(5000)));
        context.shutdownSync();
    }

    void haltRefusesFurtherRequests()
    {
        core::AppContext context;
        gui::PreviewController controller(context, {});
        QSignalSpy plans(&controller, &gui::PreviewController::planReady);
        controller.setFiles(m_files);
        controller.requestUpdate();
        controller.halt();
        QVERIFY(!controller.isBusy());
        QVERIFY(!context.timers().isActive(QString::fromLatin1(gui::PreviewController::kTimerId)));
        controller.requestUpdate(true);
        QVERIFY(!plans.wait(500)); // bounded negative check: nothing may arrive after halt()
        QVERIFY(controller.stop(QDeadlineTimer(5000)));
        context.shutdownSync();
    }
};

QTEST_MAIN(TestPreviewController)
#include "tst_previewcontroller.moc"
