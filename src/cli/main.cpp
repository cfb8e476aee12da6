// oncutf-cli: the command-line front end. Everything lives in the oncutf_cli library; this file
// only sets up Qt and hands over the raw arguments.

#include "cli/commands.h"
#include "core/concurrency/shutdowncoordinator.h"
#include "core/files/nativepath.h"

#include <QCoreApplication>
#include <QStringList>

#include <malloc.h>

int main(int argc, char *argv[])
{
    // A command over 100,000 files builds and drops lists of tens of megabytes several times.
    // glibc would hand each big block back to the kernel (mmap/munmap, heap trimming) and fault
    // it in again page by page on the next use; a short-lived process keeps and reuses it.
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
    // The pool threads' arenas are created later, by their first malloc, and take this padding
    // as their initial read-write size: without it glibc grows each arena one mprotect() per few
    // pages (about one per file of a metadata load). Only address space is reserved; pages are
    // still faulted in on first use. It must be set before any thread exists.
    mallopt(M_TOP_PAD, 64 * 1024 * 1024);
    QCoreApplication app(argc, argv);
    // AppDataLocation becomes $XDG_DATA_HOME/oncutf (no organisation level), the folder the GUI
    // shares for the default database.
    QCoreApplication::setOrganizationName(QString());
    QCoreApplication::setApplicationName(QStringLiteral("oncutf"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ONCUTF_VERSION));

    // argv is decoded from the raw bytes with surrogateescape (QCoreApplication::arguments()
    // would replace bytes that are not UTF-8), so a PATH argument keeps its exact bytes.
    QStringList arguments;
    arguments.reserve(argc);
    for (int i = 0; i < argc; ++i)
        arguments.append(oncutf::core::files::fsDecode(QByteArray(argv[i])));

    // Ctrl-C and SIGTERM reach the running command on this thread's event loop, so a long
    // command stops at a safe point (caches and the rename journal stay consistent).
    oncutf::core::concurrency::ShutdownCoordinator::installSignalHandlers(
        [](int signalNumber) { oncutf::cli::handleInterrupt(signalNumber); });
    return oncutf::cli::runCommandLine(arguments);
}
