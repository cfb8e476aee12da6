#include "core/metadata/childspawner.h"

#include <QString>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>
#include <vector>

extern char **environ;

namespace oncutf::core::metadata {

namespace {

void closeFd(int &fd)
{
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

QByteArray findExecutable(const QByteArray &program)
{
    if (program.contains('/')) {
        return ::access(program.constData(), X_OK) == 0 ? program : QByteArray();
    }
    const char *pathEnv = ::getenv("PATH");
    const QByteArray path = pathEnv != nullptr ? QByteArray(pathEnv) : QByteArray("/usr/local/bin:/usr/bin:/bin");
    for (const QByteArray &dir : path.split(':')) {
        const QByteArray candidate = (dir.isEmpty() ? QByteArray(".") : dir) + '/' + program;
        struct stat st {};
        if (::stat(candidate.constData(), &st) == 0 && S_ISREG(st.st_mode)
            && ::access(candidate.constData(), X_OK) == 0) {
            return candidate;
        }
    }
    return {};
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// Runs on the spawner thread. Everything the child needs is prepared before fork(): between
// fork and exec only async-signal-safe calls are allowed.
Result<SpawnedChild> spawnNow(const QList<QByteArray> &argvIn, const QList<QByteArray> &environment)
{
    if (argvIn.isEmpty()) {
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no program to start"));
    }
    const QByteArray program = findExecutable(argvIn.first());
    if (program.isEmpty()) {
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("%1 not found in PATH").arg(QString::fromLocal8Bit(argvIn.first())));
    }
    std::vector<QByteArray> storage(argvIn.begin(), argvIn.end());
    storage.front() = program;
    std::vector<char *> argv;
    argv.reserve(storage.size() + 1);
    for (QByteArray &arg : storage) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);

    // The child's environment: ours, with each NAME=value given replacing its variable.
    std::vector<QByteArray> envStorage;
    for (char **entry = environ; *entry != nullptr; ++entry) {
        const QByteArray variable(*entry);
        const qsizetype equals = variable.indexOf('=');
        const QByteArray name = variable.left(equals < 0 ? variable.size() : equals + 1);
        const bool replaced = std::any_of(environment.cbegin(), environment.cend(),
                                          [&](const QByteArray &given) { return given.startsWith(name); });
        if (!replaced) {
            envStorage.push_back(variable);
        }
    }
    envStorage.insert(envStorage.end(), environment.cbegin(), environment.cend());
    std::vector<char *> envp;
    envp.reserve(envStorage.size() + 1);
    for (QByteArray &variable : envStorage) {
        envp.push_back(variable.data());
    }
    envp.push_back(nullptr);

    int stdinPair[2] = {-1, -1};
    int stdoutPipe[2] = {-1, -1};
    int stderrPipe[2] = {-1, -1};
    int statusPipe[2] = {-1, -1};
    auto closeAll = [&] {
        for (int *p : {stdinPair, stdoutPipe, stderrPipe, statusPipe}) {
            closeFd(p[0]);
            closeFd(p[1]);
        }
    };
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, stdinPair) != 0
        || ::pipe2(stdoutPipe, O_CLOEXEC) != 0 || ::pipe2(stderrPipe, O_CLOEXEC) != 0
        || ::pipe2(statusPipe, O_CLOEXEC) != 0) {
        const int error = errno;
        closeAll();
        return makeError(ErrorCode::Io, QStringLiteral("cannot create pipes: ") + errnoText(error));
    }

    const pid_t pid = ::fork();
    if (pid < 0) {
        const int error = errno;
        closeAll();
        return makeError(ErrorCode::Io, QStringLiteral("fork failed: ") + errnoText(error));
    }
    if (pid == 0) {
        // Child. Die with the forking thread (see the class comment), own a process group.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::setpgid(0, 0);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) {
            ::sigaction(sig, &dfl, nullptr);
        }
        if (::dup2(stdinPair[1], STDIN_FILENO) < 0 || ::dup2(stdoutPipe[1], STDOUT_FILENO) < 0
            || ::dup2(stderrPipe[1], STDERR_FILENO) < 0) {
            const int error = errno;
            (void)!::write(statusPipe[1], &error, sizeof error);
            ::_exit(127);
        }
        // Keep only 0-2 and the exec-status pipe (close-on-exec: it closes itself on success).
        const int keep = statusPipe[1];
        if (keep > 3) {
            ::close_range(3, static_cast<unsigned>(keep - 1), 0);
        }
        ::close_range(static_cast<unsigned>(keep + 1), ~0U, 0);
        ::execve(argv.front(), argv.data(), envp.data());
        const int error = errno;
        (void)!::write(keep, &error, sizeof error);
        ::_exit(127);
    }

    // Parent.
    ::setpgid(pid, pid); // also here, so the group exists before anyone signals it
    closeFd(stdinPair[1]);
    closeFd(stdoutPipe[1]);
    closeFd(stderrPipe[1]);
    closeFd(statusPipe[1]);
    int childErrno = 0;
    ssize_t n = 0;
    do {
        n = ::read(statusPipe[0], &childErrno, sizeof childErrno);
    } while (n < 0 && errno == EINTR);
    closeFd(statusPipe[0]);
    if (n > 0) {
        // exec failed: the child has exited already.
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        closeAll();
        return makeError(ErrorCode::Unsupported, QStringLiteral("cannot run %1: %2")
                                                     .arg(QString::fromLocal8Bit(program), errnoText(childErrno)));
    }
    SpawnedChild child;
    child.pid = pid;
    child.stdinFd = stdinPair[0];
    child.stdoutFd = stdoutPipe[0];
    child.stderrFd = stderrPipe[0];
    for (int fd : {child.stdinFd, child.stdoutFd, child.stderrFd}) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    return child;
}

} // namespace

ChildSpawner::ChildSpawner()
    : m_thread([this] { run(); })
{
}

ChildSpawner::~ChildSpawner()
{
    stop();
}

void ChildSpawner::run()
{
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
            if (m_jobs.empty()) {
                return; // stopping, and nothing left to start
            }
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        job();
    }
}

Result<SpawnedChild> ChildSpawner::spawn(const QList<QByteArray> &argv, const QList<QByteArray> &environment)
{
    auto task = std::make_shared<std::packaged_task<Result<SpawnedChild>()>>(
        [argv, environment] { return spawnNow(argv, environment); });
    std::future<Result<SpawnedChild>> result = task->get_future();
    {
        std::lock_guard lock(m_mutex);
        if (m_refusing || m_stopping) {
            return makeError(ErrorCode::Cancelled, QStringLiteral("shutting down: no new helper process"));
        }
        m_jobs.emplace_back([task] { (*task)(); });
    }
    m_wake.notify_one();
    return result.get();
}

void ChildSpawner::refuse()
{
    std::lock_guard lock(m_mutex);
    m_refusing = true;
}

void ChildSpawner::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id()) {
        m_thread.join();
    }
}

} // namespace oncutf::core::metadata
