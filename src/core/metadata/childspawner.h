#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QList>

#include <sys/types.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace oncutf::core::metadata {

/// A child process started by ChildSpawner: its pid (also its process group) and our ends of its
/// standard streams. stdinFd is one end of a socket pair, so writes can use MSG_NOSIGNAL and a
/// dead child never raises SIGPIPE in oncutf; stdoutFd/stderrFd are pipes. All are non-blocking
/// and close-on-exec; the owner closes them and reaps the pid.
struct SpawnedChild {
    pid_t pid = -1;
    int stdinFd = -1;
    int stdoutFd = -1;
    int stderrFd = -1;
};

/// Starts helper processes (the ExifTool pool's `exiftool -stay_open` children) from one
/// long-lived thread of its own. Each child is put in its own process group (so it can be killed
/// with everything it started, and a terminal's Ctrl-C reaches only oncutf, which then shuts it
/// down in order) and asks the kernel for SIGKILL when its parent dies (PR_SET_PDEATHSIG). Linux
/// sends that signal when the *thread* that forked exits, not the process: forking from a pool
/// thread that later retires would kill a healthy child, hence the dedicated thread, which lives
/// until stop(). The child gets a clean signal mask and default dispositions, and no other
/// descriptor of oncutf (close_range), so one child never holds another's pipes open.
/// Owner: ExifToolPool. Threading: spawn() is safe from any thread and blocks until the child is
/// started or failed; stop() once, after every child it started has been reaped.
class ChildSpawner final {
public:
    ChildSpawner();
    ~ChildSpawner();
    ChildSpawner(const ChildSpawner &) = delete;
    ChildSpawner &operator=(const ChildSpawner &) = delete;

    /// Starts `argv` (argv[0] is looked up in PATH unless it contains '/') with oncutf's
    /// environment, where each `NAME=value` of `environment` replaces or adds that variable.
    /// An error when the program cannot be found or executed, or after stop().
    Result<SpawnedChild> spawn(const QList<QByteArray> &argv, const QList<QByteArray> &environment = {});

    /// Refuses every later spawn() (a shutdown has begun). The thread stays: its children live
    /// only as long as it does.
    void refuse();

    /// Refuses new work and ends the spawning thread, which SIGKILLs any child still running
    /// (PR_SET_PDEATHSIG): call it after the children have been stopped. Idempotent.
    void stop();

private:
    void run();

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_jobs;
    bool m_refusing = false;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace oncutf::core::metadata
