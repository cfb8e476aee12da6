// Closing the main window goes through the shutdown coordinator: the window stays open while the
// phases run one per tick, pending timers never fire afterwards, and the pool stops.

#include "core/appcontext.h"
#include "gui/mainwindow.h"

#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <thread>

using namespace oncutf;

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void closeRunsEveryPhaseInOrder()
    {
        core::AppContext context;
        gui::MainWindow window(context);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        bool timerFired = false;
        context.timers().schedule([&timerFired] { timerFired = true; }, 60000);

        QSignalSpy phases(&context.coordinator(), &core::concurrency::ShutdownCoordinator::phaseStarted);
        QSignalSpy closed(&window, &gui::MainWindow::closedAfterShutdown);

        QVERIFY(!window.close());            // first request only starts the shutdown
        QVERIFY(window.isVisible());         // ... and the window keeps painting meanwhile
        QVERIFY(!window.isEnabled());
        QVERIFY(closed.wait(5000));
        QCOMPARE(closed.first().first().toBool(), true);
        QVERIFY(!window.isVisible());
        QVERIFY(context.isShutDown());

        const QStringList expected{QStringLiteral("TIMERS"), QStringLiteral("THREAD_POOL"),
                                   QStringLiteral("DATABASE"), QStringLiteral("EXIFTOOL"),
                                   QStringLiteral("FINALIZE")};
        QStringList seen;
        for (const auto &args : phases)
            seen << args.first().toString();
        QCOMPARE(seen, expected);
        QVERIFY(!timerFired);
        QVERIFY(context.pool().isShutDown());
    }

    void secondCloseWhileShuttingDownIsIgnored()
    {
        core::AppContext context;
        gui::MainWindow window(context);
        window.show();
        QSignalSpy closed(&window, &gui::MainWindow::closedAfterShutdown);
        QVERIFY(!window.close());
        QVERIFY(!window.close());
        QVERIFY(closed.wait(5000));
        QCOMPARE(closed.count(), 1);
    }

    void closeWhileWorkRunsCancelsIt()
    {
        core::AppContext context;
        gui::MainWindow window(context);
        window.show();
        std::atomic<bool> sawCancel{false};
        std::atomic<bool> started{false};
        QVERIFY(context.pool().submit(QStringLiteral("long"),
                                      [&](const core::concurrency::CancellationToken &token) -> QVariant {
                                          started = true;
                                          while (!token.isCancelled())
                                              std::this_thread::yield();
                                          sawCancel = true;
                                          return {};
                                      }));
        QTRY_VERIFY_WITH_TIMEOUT(started.load(), 5000);
        QSignalSpy closed(&window, &gui::MainWindow::closedAfterShutdown);
        window.close();
        QVERIFY(closed.wait(5000));
        QVERIFY(sawCancel.load());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
