// bench_gui [FILES]: the GUI's 100k-file targets, on the offscreen platform unless a display is
// set: opens a folder of FILES empty files (default 100,000) in the real main window, waits for
// the listing and the preview, then reports the resident memory (goal: under 400 MB) and the time
// to paint the file table at 300 scroll positions across the list (smooth: every frame well under
// 16 ms). Never part of ctest; `make bench` runs it.

#include "core/appcontext.h"
#include "core/appservices.h"
#include "gui/filetablemodel.h"
#include "gui/jobcontroller.h"
#include "gui/mainwindow.h"
#include "gui/previewcontroller.h"
#include "gui/previewmodel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QScrollBar>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

namespace {

long residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLong();
    return -1;
}

bool waitFor(const std::function<bool()> &condition, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!condition()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int files = argc > 1 ? std::atoi(argv[1]) : 100000;

    QTemporaryDir folder;
    for (int i = 0; i < files; ++i) {
        const QByteArray path = QFile::encodeName(folder.path()) + "/IMG_" + QByteArray::number(i).rightJustified(6, '0') + ".jpg";
        const int fd = ::open(path.constData(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0) {
            std::perror(path.constData());
            return 1;
        }
        ::close(fd);
    }
    const long before = residentKiB();

    QTemporaryDir home;
    QSettings settings(home.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    oncutf::core::AppContext context;
    oncutf::core::AppServices services(context, home.filePath(QStringLiteral("oncutf.db")), 2);
    if (!services.open(true)) {
        std::fprintf(stderr, "bench_gui: cannot open the database\n");
        return 1;
    }
    int rc = 0;
    {
        oncutf::gui::MainWindow window(context, services, settings);
        window.resize(1500, 900);
        window.show();
        QElapsedTimer clock;
        clock.start();
        bool loaded = false;
        QObject::connect(&window, &oncutf::gui::MainWindow::filesLoaded, [&loaded] { loaded = true; });
        window.openFolders({folder.path()});
        if (!waitFor([&] { return loaded; }, 120000)) {
            std::fprintf(stderr, "bench_gui: the folder did not load\n");
            return 1;
        }
        const double listed = double(clock.elapsed()) / 1000.0;
        waitFor([&] {
            return !window.previewController().isBusy() && !window.jobs().isBusy()
                   && window.previewModel().rowCount() == files;
        }, 120000);
        const double previewed = double(clock.elapsed()) / 1000.0;

        QTableView &view = window.fileView();
        QScrollBar *bar = view.verticalScrollBar();
        std::vector<double> frames;
        for (int step = 0; step < 300; ++step) {
            bar->setValue(int(qint64(bar->maximum()) * step / 299));
            QElapsedTimer frame;
            frame.start();
            view.viewport()->repaint();
            frames.push_back(double(frame.nsecsElapsed()) / 1e6);
        }
        std::sort(frames.begin(), frames.end());
        const long after = residentKiB();
        std::printf("bench_gui: %d files listed in %.2f s, preview shown at %.2f s\n", files, listed, previewed);
        std::printf("bench_gui: resident %.1f MB (%.1f MB before the window)   goal < 400 MB\n", double(after) / 1024.0,
                    double(before) / 1024.0);
        std::printf("bench_gui: table paint per scroll position: median %.2f ms, p99 %.2f ms, max %.2f ms   goal < 16 ms\n",
                    frames[frames.size() / 2], frames[size_t(double(frames.size()) * 0.99)], frames.back());
        if (after > 400 * 1024)
            rc = 1;
        bool closed = false;
        QObject::connect(&window, &oncutf::gui::MainWindow::closedAfterShutdown, [&closed] { closed = true; });
        window.close();
        waitFor([&] { return closed; }, 30000);
    }
    context.shutdownSync();
    return rc;
}
