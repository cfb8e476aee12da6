// ctest-timeout: 300
// ctest-labels: slow serial
// The GUI thread never stalls: while 10,000 JPEGs load metadata (real ExifTool/Exiv2, real
// cache) and the preview recomputes for a metadata recipe, a 5 ms repeating timer on the GUI
// thread records how late each tick comes. The p99 lateness must stay under 50 ms (the issue's
// target); the figures are printed for docs/performance.md.

#include "core/appcontext.h"
#include "core/appservices.h"
#include "gui/filetablemodel.h"
#include "gui/jobcontroller.h"
#include "gui/mainwindow.h"
#include "gui/previewcontroller.h"
#include "gui/previewmodel.h"
#include "gui/recipeeditor.h"

#include <QElapsedTimer>
#include <QScopeGuard>
#include <QProcess>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <vector>

using namespace oncutf;

class TestGuiLatency : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void guiThreadStaysResponsiveDuringMetadataAndPreview()
    {
        const int files = qEnvironmentVariableIntValue("ONCUTF_LATENCY_FILES") > 0
                              ? qEnvironmentVariableIntValue("ONCUTF_LATENCY_FILES")
                              : 10000;
        QTemporaryDir photos;
        QProcess fixtures;
        fixtures.start(QStringLiteral("python3"), {QStringLiteral(ONCUTF_SOURCE_DIR "/tests/data/make_fixtures.py"),
                                                  QStringLiteral("--bench"), QString::number(files), photos.path()});
        QVERIFY(fixtures.waitForFinished(120000));
        QCOMPARE(fixtures.exitCode(), 0);

        QTemporaryDir home;
        QSettings settings(home.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        core::AppContext context;
        core::AppServices services(context, home.filePath(QStringLiteral("oncutf.db")), 2);
        QVERIFY(services.open(true));
        // A failed check returns early: the services still need their shutdown first.
        const auto shutdown = qScopeGuard([&context] { context.shutdownSync(); });
        {
            gui::MainWindow window(context, services, settings);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));

            // Lateness of a 5 ms tick: how long the GUI thread was busy with something else.
            std::vector<qint64> lateUs;
            lateUs.reserve(200000);
            QElapsedTimer clock;
            qint64 last = 0;
            QTimer tick;
            tick.setTimerType(Qt::PreciseTimer);
            tick.setInterval(5);
            connect(&tick, &QTimer::timeout, this, [&] {
                const qint64 now = clock.nsecsElapsed() / 1000;
                lateUs.push_back(std::max<qint64>(0, now - last - 5000));
                if (now - last > 40000 && qEnvironmentVariableIsSet("ONCUTF_LATENCY_TRACE"))
                    qInfo("stall %.1f ms at %.2f s: rows %d, metadata %d, preview rows %d busy %d, job '%s'",
                          double(now - last) / 1000.0, double(now) / 1e6, window.fileModel().rowCount(),
                          window.fileModel().metadataLoadedCount(), window.previewModel().rowCount(),
                          int(window.previewController().isBusy()), qPrintable(window.jobs().currentTitle()));
                last = now;
            });
            clock.start();
            tick.start();

            QSignalSpy loaded(&window, &gui::MainWindow::filesLoaded);
            window.openFolders({photos.path()});
            QVERIFY(loaded.wait(60000));
            QCOMPARE(window.fileModel().rowCount(), files);

            core::rename::Recipe byDate;
            auto date = core::rename::RecipeModule::make(core::rename::ModuleType::Metadata);
            date.field = QStringLiteral("EXIF:DateTimeOriginal");
            date.format = QStringLiteral("%Y%m%d_%H%M%S");
            auto counter = core::rename::RecipeModule::make(core::rename::ModuleType::Counter);
            counter.padding = 5;
            byDate.modules = {date, counter};
            window.recipeEditor().setRecipe(byDate); // the preview starts loading what it needs
            window.loadMetadata(core::metadata::MetadataMode::Fast, false);
            // Scroll while it works, as a user would.
            QScrollBar *bar = window.fileView().verticalScrollBar();
            QTimer scroller;
            scroller.setInterval(20);
            connect(&scroller, &QTimer::timeout, this, [bar] { bar->setValue((bar->value() + 97) % (bar->maximum() + 1)); });
            scroller.start();
            QTRY_COMPARE_WITH_TIMEOUT(window.fileModel().metadataLoadedCount(), files, 180000);
            QTRY_VERIFY_WITH_TIMEOUT(!window.previewController().isBusy() && !window.jobs().isBusy(), 120000);
            QTRY_COMPARE_WITH_TIMEOUT(window.previewModel().plan().items.size(), qsizetype(files), 60000);
            scroller.stop();
            tick.stop();
            QCOMPARE(window.previewModel().plan().summary.ok, qsizetype(files));

            std::vector<qint64> sorted = lateUs;
            std::sort(sorted.begin(), sorted.end());
            QVERIFY(sorted.size() > 100);
            const auto pct = [&](double p) { return sorted[std::min(sorted.size() - 1, size_t(p * double(sorted.size())))]; };
            qInfo("GUI thread lateness over %zu ticks (%.1f s, %d files): p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                  sorted.size(), double(clock.elapsed()) / 1000.0, files, double(pct(0.50)) / 1000.0,
                  double(pct(0.99)) / 1000.0, double(sorted.back()) / 1000.0);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
            // Instrumented builds are several times slower on the GUI thread too: the bound is
            // checked only where it means something (the dev and release builds).
            qWarning("sanitizer build: the 50 ms bound is not checked");
#else
            QVERIFY2(pct(0.99) < 50000, "the GUI thread stalled more than 50 ms at p99");
#endif
            QSignalSpy closed(&window, &gui::MainWindow::closedAfterShutdown);
            window.close();
            QVERIFY(closed.wait(30000));
        }
    }
};

QTEST_MAIN(TestGuiLatency)
#include "tst_guilatency.moc"
