#include "core/metadata/exiftoolprocess.h"

#include "core/files/nativepath.h"
#include "core/logging.h"
#include "core/metadata/exiftoolformat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>

#include <dirent.h>
#include <dlfcn.h>
#include <gnu/libc-version.h>

namespace oncutf::core::metadata {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr qint64 kFiftyMegabytes = 50LL * 1000 * 1000;

void closeFd(int &fd)
{
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

// Waits up to `timeout` for `pid` to exit and reaps it; true once reaped.
bool waitForExit(pid_t pid, milliseconds timeout)
{
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) {
        return true;
    }
    if (timeout.count() <= 0) {
        return false;
    }
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
        return false; // the caller escalates to SIGKILL and a blocking wait
    }
    pollfd pfd{pidfd, POLLIN, 0};
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            break;
        }
        const int r = ::poll(&pfd, 1, static_cast<int>(left));
        if (r > 0 || (r < 0 && errno != EINTR)) {
            break;
        }
    }
    ::close(pidfd);
    done = ::waitpid(pid, &status, WNOHANG);
    return done == pid || (done < 0 && errno == ECHILD);
}

void reapBlocking(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

// Reads everything available from a non-blocking fd; false on EOF or a hard error.
bool drain(int fd, QByteArray &into)
{
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            into.append(buffer, n);
            continue;
        }
        if (n == 0) {
            return false;
        }
        if (errno == EINTR) {
            continue;
        }
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
}

// Finds the first complete marker line "<prefix><number>}\n" that starts a line of `buffer`;
// returns its position and sets `number` and `end` (just past its newline), or -1.
qsizetype findMarker(const QByteArray &buffer, QByteArrayView prefix, quint64 *number, qsizetype *end)
{
    qsizetype pos = 0;
    while ((pos = buffer.indexOf(prefix, pos)) >= 0) {
        if (pos == 0 || buffer.at(pos - 1) == '\n') {
            qsizetype p = pos + prefix.size();
            const qsizetype digitsStart = p;
            quint64 value = 0;
            while (p < buffer.size() && buffer.at(p) >= '0' && buffer.at(p) <= '9') {
                value = value * 10 + static_cast<quint64>(buffer.at(p) - '0');
                ++p;
            }
            if (p > digitsStart && p + 1 < buffer.size() && buffer.at(p) == '}' && buffer.at(p + 1) == '\n') {
                *number = value;
                *end = p + 2;
                return pos;
            }
        }
        pos += prefix.size();
    }
    return -1;
}

QString directoryOf(const QByteArray &path)
{
    const qsizetype slash = path.lastIndexOf('/');
    return ExifToolFormat::fixUtf8(slash <= 0 ? QByteArray("/") : path.left(slash));
}

// -G0:3 names the main document "Main": "EXIF:Main:Make" is "EXIF:Make"; embedded documents keep
// their number ("QuickTime:Doc1:GPSLatitude"). Done on ExifTool's text, where every tag of a
// file's object starts a line as `  "Group:Doc:Tag": ...` (values never span lines: JSON escapes
// newlines), so the parser builds each object once instead of it being copied key by key.
QByteArray withoutMainDocument(const QByteArray &out)
{
    static constexpr QByteArrayView kMain("Main:");
    QByteArray result;
    result.reserve(out.size());
    qsizetype pos = 0;
    while (pos < out.size()) {
        qsizetype end = out.indexOf('\n', pos);
        end = end < 0 ? out.size() : end + 1;
        const QByteArrayView line(out.constData() + pos, end - pos);
        if (line.startsWith("  \"") && !line.startsWith("   ")) {
            // The group: up to the first ':' of the key, if the key has one.
            qsizetype colon = 3;
            while (colon < line.size() && line.at(colon) != ':' && line.at(colon) != '"') {
                ++colon;
            }
            if (colon > 3 && colon < line.size() && line.at(colon) == ':' && line.sliced(colon + 1).startsWith(kMain)) {
                result.append(line.first(colon + 1));
                result.append(line.sliced(colon + 1 + kMain.size()));
                pos = end;
                continue;
            }
        }
        result.append(line);
        pos = end;
    }
    return result;
}

bool isUtf8(const QByteArray &bytes)
{
    return QString::fromUtf8(bytes).toUtf8() == bytes;
}

// LD_PRELOAD for a child: `allocator` first (when it is there), then what the user preloads.
QList<QByteArray> childEnvironment(const QByteArray &allocator)
{
    if (allocator.isEmpty() || ::access(allocator.constData(), R_OK) != 0) {
        return {};
    }
    const char *userPreload = ::getenv("LD_PRELOAD");
    QByteArray preload = "LD_PRELOAD=" + allocator;
    if (userPreload != nullptr && *userPreload != '\0') {
        preload += ' ' + QByteArray(userPreload);
    }
    return {preload};
}

} // namespace

QByteArray defaultExifToolAllocator()
{
    if (const char *chosen = ::getenv("ONCUTF_EXIFTOOL_MALLOC"); chosen != nullptr) {
        const QByteArray value(chosen);
        return value == "system" ? QByteArray() : value;
    }
    // The distribution's library folder is the C library's (dladdr finds the file of a function
    // only glibc has; sanitizers intercept malloc itself): no architecture name to guess.
    static const QByteArray found = [] {
        Dl_info info{};
        if (::dladdr(reinterpret_cast<void *>(&::gnu_get_libc_version), &info) == 0 || info.dli_fname == nullptr) {
            return QByteArray();
        }
        const QByteArray libc(info.dli_fname);
        const QByteArray candidate = libc.left(libc.lastIndexOf('/') + 1) + "libtcmalloc_minimal.so.4";
        return ::access(candidate.constData(), R_OK) == 0 ? candidate : QByteArray();
    }();
    return found;
}

struct ExifToolProcess::Pending {
    qsizetype index = 0;
    QByteArray path;     // as the caller gave it
    QByteArray absolute; // what ExifTool reads (or the alias of it)
    QByteArray sendPath;
    bool aliased = false;
    qint64 size = 0;
    int failures = 0;
    bool alone = false; // read in a command of its own (aliased, not UTF-8, or blamed once)
};

/// One `-execute` in flight: one file, or several in throughput mode.
struct ExifToolProcess::Command {
    quint64 number = 0;
    std::vector<Pending> files;
    bool grouped = false; // several files
    qint64 bytes = 0;     // of all its files
    bool ready = false;
    bool done = false;
    QByteArray out;
    QByteArray err;
};

ExifToolProcess::ExifToolProcess(ExifToolOptions options, ChildSpawner *spawner)
    : m_options(std::move(options))
    , m_spawner(spawner)
{
}

ExifToolProcess::~ExifToolProcess()
{
    Q_ASSERT_X(!isRunning(), "ExifToolProcess", "stop() must run before destruction");
    removeAliases();
}

milliseconds ExifToolProcess::timeoutFor(qint64 bytes) const
{
    const qint64 chunks = (std::max<qint64>(bytes, 0) + kFiftyMegabytes - 1) / kFiftyMegabytes;
    return m_options.baseTimeout + m_options.perFiftyMegabytes * chunks;
}

Status ExifToolProcess::launch()
{
    if (m_stopped) {
        return makeError(ErrorCode::Cancelled, QStringLiteral("the ExifTool process has been shut down"));
    }
    if (isRunning()) {
        return {};
    }
    QList<QByteArray> argv = m_options.command;
    argv << "-stay_open" << "True" << "-@" << "-" << "-common_args" << "-charset" << "filename=UTF8"
         << "-api" << "largefilesupport=1" << "-json";
    Result<SpawnedChild> child = m_spawner->spawn(argv, childEnvironment(m_options.allocator));
    if (!child) {
        return child.error();
    }
    m_child = child.value();
    m_publishedPid.store(m_child.pid);

    // Handshake: the first answer proves the program speaks the protocol, and start-up (Perl
    // loading ExifTool's modules) is over before any file's timeout starts. Its request is
    // written now (a few bytes into an empty socket) and its answer read by start().
    m_handshake.command = m_nextCommand++;
    m_handshake.request = "-ver\n-execute" + QByteArray::number(m_handshake.command) + '\n';
    m_handshake.deadline = Clock::now() + m_options.startTimeout;
    m_handshake.pending = true;
    const ssize_t n = ::send(m_child.stdinFd, m_handshake.request.constData(),
                             static_cast<size_t>(m_handshake.request.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
        m_handshake.request.remove(0, n); // anything left (or a failure) is start()'s to handle
    }
    return {};
}

Status ExifToolProcess::start()
{
    if (!isRunning()) {
        const Status launched = launch();
        if (!launched) {
            return launched;
        }
    }
    if (!m_handshake.pending) {
        return {};
    }
    const QByteArray marker = "{ready" + QByteArray::number(m_handshake.command) + "}\n";
    QByteArray &request = m_handshake.request;
    QByteArray out;
    QByteArray err;
    for (;;) {
        const qsizetype at = out.indexOf(marker);
        if (at >= 0) {
            m_version = out.left(at).trimmed();
            break;
        }
        const auto left = std::chrono::duration_cast<milliseconds>(m_handshake.deadline - Clock::now()).count();
        if (left <= 0) {
            terminateChild();
            return makeError(ErrorCode::Timeout, QStringLiteral("ExifTool did not start within %1 s")
                                                     .arg(m_options.startTimeout.count() / 1000));
        }
        pollfd fds[3] = {{m_child.stdoutFd, POLLIN, 0},
                         {m_child.stderrFd, POLLIN, 0},
                         {m_child.stdinFd, static_cast<short>(request.isEmpty() ? 0 : POLLOUT), 0}};
        if (::poll(fds, 3, static_cast<int>(left)) < 0 && errno != EINTR) {
            const int error = errno;
            terminateChild();
            return makeError(ErrorCode::Io, QStringLiteral("cannot wait for ExifTool: ")
                                                + QString::fromLocal8Bit(std::strerror(error)));
        }
        bool dead = false;
        if (!request.isEmpty() && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
            const ssize_t n = ::send(m_child.stdinFd, request.constData(), static_cast<size_t>(request.size()),
                                     MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                request.remove(0, n);
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                dead = true;
            }
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !drain(m_child.stdoutFd, out)) {
            dead = true;
        }
        if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !drain(m_child.stderrFd, err)) {
            dead = true;
        }
        if (dead && out.indexOf(marker) < 0) {
            terminateChild();
            const QString detail = ExifToolFormat::fixUtf8(err.trimmed().left(300));
            return makeError(ErrorCode::Unsupported, QStringLiteral("ExifTool exited at start-up")
                                                         + (detail.isEmpty() ? QString() : QStringLiteral(": ") + detail));
        }
    }
    m_handshake.pending = false;
    qCDebug(lcExifTool) << "started exiftool" << m_version << "pid" << m_child.pid;
    return {};
}

void ExifToolProcess::terminateChild()
{
    if (m_child.pid > 0) {
        ::kill(-m_child.pid, SIGKILL);
        ::kill(m_child.pid, SIGKILL);
        reapBlocking(m_child.pid);
        qCDebug(lcExifTool) << "killed exiftool pid" << m_child.pid;
    }
    closeFd(m_child.stdinFd);
    closeFd(m_child.stdoutFd);
    closeFd(m_child.stderrFd);
    m_child = SpawnedChild{};
    m_publishedPid.store(-1);
    m_handshake = Handshake{};
}

void ExifToolProcess::stop(milliseconds budget)
{
    m_stopped = true;
    if (m_child.pid > 0) {
        const auto start = Clock::now();
        auto left = [&] {
            return std::max(milliseconds(0), budget - std::chrono::duration_cast<milliseconds>(Clock::now() - start));
        };
        // Ask politely; a busy or hung process will not read it, which the signals then handle.
        static const char quit[] = "-stay_open\nFalse\n";
        if (m_child.stdinFd >= 0) {
            (void)::send(m_child.stdinFd, quit, sizeof quit - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            closeFd(m_child.stdinFd);
        }
        bool reaped = waitForExit(m_child.pid, left() / 2);
        if (!reaped) {
            ::kill(-m_child.pid, SIGTERM);
            reaped = waitForExit(m_child.pid, left());
        }
        if (!reaped) {
            ::kill(-m_child.pid, SIGKILL);
            ::kill(m_child.pid, SIGKILL);
            reapBlocking(m_child.pid);
        } else {
            // The leader is gone; anything it left in its group goes too.
            ::kill(-m_child.pid, SIGKILL);
        }
        qCDebug(lcExifTool) << "stopped exiftool pid" << m_child.pid;
        m_child.pid = -1;
    }
    closeFd(m_child.stdinFd);
    closeFd(m_child.stdoutFd);
    closeFd(m_child.stderrFd);
    m_child = SpawnedChild{};
    m_publishedPid.store(-1);
    m_handshake = Handshake{};
    removeAliases();
}

QByteArray ExifToolProcess::aliasFor(const QByteArray &path, QString *error)
{
    if (m_aliasDir.isEmpty()) {
        const char *tmp = ::getenv("TMPDIR");
        QByteArray pattern = (tmp != nullptr && *tmp != '\0') ? QByteArray(tmp) : QByteArray("/tmp");
        pattern += "/oncutf-exiftool-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) {
            *error = QStringLiteral("cannot create a temporary directory: ") + QString::fromLocal8Bit(std::strerror(errno));
            return {};
        }
        m_aliasDir = pattern;
    }
    // Keep the extension (ExifTool's file-type rules read it) unless it holds the bad bytes.
    const QByteArray name = files::fileName(path);
    const qsizetype dot = name.lastIndexOf('.');
    QByteArray extension = dot >= 0 ? name.mid(dot) : QByteArray();
    if (extension.contains('\n') || extension.contains('\r')) {
        extension.clear();
    }
    const QByteArray alias = m_aliasDir + '/' + QByteArray::number(++m_aliasCounter) + extension;
    if (::symlink(path.constData(), alias.constData()) != 0) {
        *error = QStringLiteral("cannot create a symbolic link: ") + QString::fromLocal8Bit(std::strerror(errno));
        return {};
    }
    return alias;
}

void ExifToolProcess::removeAliases()
{
    if (m_aliasDir.isEmpty()) {
        return;
    }
    if (DIR *dir = ::opendir(m_aliasDir.constData())) {
        while (const dirent *entry = ::readdir(dir)) {
            if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) {
                ::unlinkat(::dirfd(dir), entry->d_name, 0);
            }
        }
        ::closedir(dir);
    }
    ::rmdir(m_aliasDir.constData());
    m_aliasDir.clear();
}

ExifToolReadSummary ExifToolProcess::read(const QList<QByteArray> &paths, MetadataMode mode,
                                          const ResultCallback &onResult, const CancelCheck &isCancelled,
                                          int filesPerCommand)
{
    ExifToolReadSummary summary;
    auto report = [&](qsizetype index, const QByteArray &path, QJsonObject fields, std::optional<Error> error) {
        MetadataRecord record;
        record.path = path;
        record.mode = mode;
        record.fields = std::move(fields);
        record.error = std::move(error);
        ++summary.completed;
        onResult(index, std::move(record));
    };

    const int perCommand = std::max(1, filesPerCommand);
    // Files ExifTool must not be asked about are answered here.
    std::deque<Pending> pending;
    std::vector<QByteArray> aliases;
    for (qsizetype i = 0; i < paths.size(); ++i) {
        const QByteArray &path = paths.at(i);
        Pending item;
        item.index = i;
        item.path = path;
        item.absolute = files::absolutePath(path);
        struct stat st {};
        if (::stat(item.absolute.constData(), &st) != 0) {
            const int error = errno;
            report(i, path, {}, makeError(error == ENOENT ? ErrorCode::NotFound : error == EACCES ? ErrorCode::PermissionDenied : ErrorCode::Io,
                                          QString::fromLocal8Bit(std::strerror(error)), files::toDisplay(path)));
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            report(i, path, {}, makeError(ErrorCode::InvalidArgument, QStringLiteral("is a directory"), files::toDisplay(path)));
            continue;
        }
        if (!S_ISREG(st.st_mode)) {
            report(i, path, {}, makeError(ErrorCode::Unsupported, QStringLiteral("not a regular file"), files::toDisplay(path)));
            continue;
        }
        item.size = st.st_size;
        item.sendPath = item.absolute;
        if (item.absolute.contains('\n') || item.absolute.contains('\r')) {
            QString error;
            item.sendPath = aliasFor(item.absolute, &error);
            if (item.sendPath.isEmpty()) {
                report(i, path, {}, makeError(ErrorCode::Io, error, files::toDisplay(path)));
                continue;
            }
            item.aliased = true;
            aliases.push_back(item.sendPath);
        }
        // Grouped output is matched by SourceFile, which names an aliased or non-UTF-8 file
        // differently from the argument.
        item.alone = perCommand > 1 && (item.aliased || !isUtf8(item.sendPath));
        pending.push_back(std::move(item));
    }

    // A process that died while idle (killed from outside) is replaced without blaming a file.
    if (isRunning()) {
        int status = 0;
        if (::waitpid(m_child.pid, &status, WNOHANG) == m_child.pid) {
            m_child.pid = -1;
            terminateChild();
        }
    }

    std::deque<Command> inflight;
    QByteArray outBuffer;
    QByteArray errBuffer;
    QByteArray writeBuffer;
    Clock::time_point headStart = Clock::now();
    std::optional<Clock::time_point> cancelDeadline;
    const int window = perCommand > 1 ? 2 : std::max(1, m_options.window);

    const auto fieldsOf = [&](QJsonObject raw, const Pending &item) {
        raw.remove(QStringLiteral("SourceFile"));
        if (item.aliased) {
            raw.insert(QStringLiteral("File:FileName"), ExifToolFormat::fixUtf8(files::fileName(item.absolute)));
            raw.insert(QStringLiteral("File:Directory"), directoryOf(item.absolute));
        }
        return raw;
    };
    const auto parseOutput = [&](const QByteArray &out, QJsonParseError *parseError) {
        return QJsonDocument::fromJson(mode == MetadataMode::Extended ? withoutMainDocument(out) : out, parseError);
    };

    auto finishRecord = [&](const Pending &item, const QByteArray &rawOut, const QByteArray &err) {
        QJsonObject fields;
        std::optional<Error> error;
        const QByteArray out = rawOut.trimmed();
        if (out.isEmpty()) {
            QByteArray text = err.trimmed();
            const QString message = text.isEmpty() ? QStringLiteral("ExifTool returned nothing for this file")
                                                   : ExifToolFormat::fixUtf8(text);
            error = makeError(message.contains(QLatin1String("not found")) ? ErrorCode::NotFound : ErrorCode::Io,
                              message, files::toDisplay(item.path));
        } else {
            QJsonParseError parseError{};
            const QJsonDocument document = parseOutput(out, &parseError);
            if (parseError.error != QJsonParseError::NoError || !document.isArray()
                || document.array().isEmpty()) {
                error = makeError(ErrorCode::Corrupt, QStringLiteral("unreadable ExifTool output: ") + parseError.errorString(),
                                  files::toDisplay(item.path));
            } else {
                fields = fieldsOf(document.array().first().toObject(), item);
            }
        }
        report(item.index, item.path, std::move(fields), std::move(error));
    };

    // A grouped command's answer: every file must have its object, in order, or the files are
    // read again one by one (their own answer or error then decides).
    auto finishGroup = [&](Command &command) {
        QJsonParseError parseError{};
        const QJsonDocument document = parseOutput(command.out, &parseError);
        std::vector<QJsonObject> objects(command.files.size());
        bool complete = parseError.error == QJsonParseError::NoError && document.isArray();
        if (complete) {
            const QJsonArray array = document.array();
            size_t next = 0;
            for (const QJsonValue &value : array) {
                const QJsonObject object = value.toObject();
                const QString source = object.value(QLatin1String("SourceFile")).toString();
                while (next < command.files.size() && QString::fromUtf8(command.files[next].sendPath) != source) {
                    ++next; // a file without an object: caught below
                }
                if (next == command.files.size()) {
                    complete = false;
                    break;
                }
                objects[next++] = object;
            }
            complete = complete && qsizetype(array.size()) == qsizetype(command.files.size());
        }
        if (!complete) {
            qCDebug(lcExifTool) << "a command of" << command.files.size() << "files is read again file by file";
            for (auto it = command.files.rbegin(); it != command.files.rend(); ++it) {
                it->alone = true;
                pending.push_front(std::move(*it));
            }
            return;
        }
        for (size_t i = 0; i < command.files.size(); ++i) {
            const Pending &item = command.files[i];
            report(item.index, item.path, fieldsOf(std::move(objects[i]), item), std::nullopt);
        }
    };

    auto failHead = [&](Outcome outcome) {
        terminateChild();
        ++m_restarts;
        ++summary.restarts;
        outBuffer.clear();
        errBuffer.clear();
        writeBuffer.clear();
        if (inflight.empty()) {
            return;
        }
        Command head = std::move(inflight.front());
        inflight.pop_front();
        // Commands queued behind the head never started: their files go back to the front of
        // the queue, in order.
        while (!inflight.empty()) {
            Command command = std::move(inflight.back());
            inflight.pop_back();
            for (auto it = command.files.rbegin(); it != command.files.rend(); ++it) {
                pending.push_front(std::move(*it));
            }
        }
        if (head.grouped) {
            // Which of its files brought ExifTool down is unknown: each is read again in a
            // command of its own, where the usual blame applies.
            qCWarning(lcExifTool).noquote() << "exiftool" << (outcome == Outcome::Hung ? "hung" : "died") << "on a command of"
                                            << head.files.size() << "files; reading them one by one";
            for (auto it = head.files.rbegin(); it != head.files.rend(); ++it) {
                it->alone = true;
                pending.push_front(std::move(*it));
            }
            return;
        }
        Pending item = std::move(head.files.front());
        ++item.failures;
        qCWarning(lcExifTool).noquote() << "exiftool" << (outcome == Outcome::Hung ? "hung" : "died") << "on"
                                        << files::toDisplay(item.path) << "(attempt" << item.failures << ")";
        if (item.failures >= 2) {
            const QString message = outcome == Outcome::Hung
                ? QStringLiteral("ExifTool did not finish this file within %1 s, twice")
                      .arg(static_cast<double>(timeoutFor(item.size).count()) / 1000.0)
                : QStringLiteral("ExifTool stopped while reading this file, twice");
            report(item.index, item.path, {},
                   makeError(outcome == Outcome::Hung ? ErrorCode::Timeout : ErrorCode::Corrupt, message,
                             files::toDisplay(item.path)));
        } else {
            pending.push_front(std::move(item));
        }
    };

    while (!pending.empty() || !inflight.empty()) {
        if (!summary.cancelled && isCancelled && isCancelled()) {
            summary.cancelled = true;
            pending.clear();
            cancelDeadline = Clock::now() + m_options.cancelGrace;
        }
        if (summary.cancelled && inflight.empty()) {
            break;
        }
        if (cancelDeadline && Clock::now() >= *cancelDeadline) {
            terminateChild(); // the files in flight are dropped; the next request starts afresh
            ++m_restarts;
            break;
        }
        if (!isRunning() || m_handshake.pending) {
            const Status started = start();
            if (!started) {
                for (Pending &item : pending) {
                    report(item.index, item.path, {}, Error{started.error().code, started.error().message,
                                                            files::toDisplay(item.path)});
                }
                pending.clear();
                break;
            }
        }
        while (!summary.cancelled && static_cast<int>(inflight.size()) < window && !pending.empty()) {
            Command command;
            command.number = m_nextCommand++;
            command.files.push_back(std::move(pending.front()));
            pending.pop_front();
            if (!command.files.front().alone) {
                while (qsizetype(command.files.size()) < perCommand && !pending.empty() && !pending.front().alone) {
                    command.files.push_back(std::move(pending.front()));
                    pending.pop_front();
                }
            }
            command.grouped = command.files.size() > 1;
            for (const Pending &item : command.files) {
                command.bytes += item.size;
            }
            if (mode == MetadataMode::Extended) {
                // With -G0:3 ExifTool by default sorts each file's tags by that two-family group,
                // computing every tag's group twice on its slow multi-family path: 12 % of its
                // CPU per file (cachegrind, bench JPEGs). File order (--sort stops the group
                // sort, the API option names the order) gives the same fields and values: tags
                // sharing an output key share a group, so they keep their relative file order
                // either way and the first one still wins.
                writeBuffer += "-G0:3\n-a\n-ee\n--sort\n-api\nSort=File\n";
            } else {
                writeBuffer += "-G\n";
            }
            for (const Pending &item : command.files) {
                writeBuffer += item.sendPath + '\n';
            }
            writeBuffer += "-echo4\n{done" + QByteArray::number(command.number) + "}\n-execute"
                + QByteArray::number(command.number) + '\n';
            if (inflight.empty()) {
                headStart = Clock::now();
            }
            inflight.push_back(std::move(command));
        }
        if (inflight.empty()) {
            continue;
        }

        const auto now = Clock::now();
        // A grouped command gets twice its files' joint timeout from the last output it gave
        // (ExifTool writes in blocks of a few files): longer than a lone file's, but any file
        // that hangs still fails its command, whose files are then read one by one.
        const Command &head = inflight.front();
        const auto headDeadline = headStart + (head.grouped ? 2 * timeoutFor(head.bytes) : timeoutFor(head.files.front().size));
        if (now >= headDeadline) {
            failHead(Outcome::Hung);
            continue;
        }
        auto wait = std::chrono::duration_cast<milliseconds>(headDeadline - now);
        if (cancelDeadline) {
            wait = std::min(wait, std::chrono::duration_cast<milliseconds>(*cancelDeadline - now));
        }
        if (isCancelled) {
            wait = std::min(wait, milliseconds(50)); // how soon a cancel is noticed
        }
        pollfd fds[3] = {{m_child.stdoutFd, POLLIN, 0},
                         {m_child.stderrFd, POLLIN, 0},
                         {m_child.stdinFd, static_cast<short>(writeBuffer.isEmpty() ? 0 : POLLOUT), 0}};
        const int ready = ::poll(fds, 3, static_cast<int>(std::max<qint64>(wait.count(), 1)));
        if (ready < 0 && errno != EINTR) {
            failHead(Outcome::Died);
            continue;
        }
        bool dead = false;
        if (!writeBuffer.isEmpty() && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
            const ssize_t n = ::send(m_child.stdinFd, writeBuffer.constData(), static_cast<size_t>(writeBuffer.size()),
                                     MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                writeBuffer.remove(0, n);
            } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                dead = true;
            }
        }
        const qsizetype outBefore = outBuffer.size();
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !drain(m_child.stdoutFd, outBuffer)) {
            dead = true;
        }
        if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !drain(m_child.stderrFd, errBuffer)) {
            dead = true;
        }
        if (outBuffer.size() > outBefore && inflight.front().grouped && !inflight.front().ready) {
            headStart = Clock::now(); // the grouped head is making progress
        }

        // Hand each marker's text to its command (ExifTool answers strictly in order).
        quint64 number = 0;
        qsizetype end = 0;
        qsizetype at = 0;
        while ((at = findMarker(outBuffer, "{ready", &number, &end)) >= 0) {
            for (Command &command : inflight) {
                if (command.number == number) {
                    command.out = outBuffer.left(at);
                    command.ready = true;
                    break;
                }
            }
            outBuffer.remove(0, end);
        }
        while ((at = findMarker(errBuffer, "{done", &number, &end)) >= 0) {
            for (Command &command : inflight) {
                if (command.number == number) {
                    command.err = errBuffer.left(at);
                    command.done = true;
                    break;
                }
            }
            errBuffer.remove(0, end);
        }
        while (!inflight.empty() && inflight.front().ready && inflight.front().done) {
            Command command = std::move(inflight.front());
            inflight.pop_front();
            headStart = Clock::now();
            if (command.grouped) {
                finishGroup(command);
            } else {
                finishRecord(command.files.front(), command.out, command.err);
            }
        }
        if (dead) {
            failHead(Outcome::Died);
        }
    }
    for (const QByteArray &alias : aliases) {
        ::unlink(alias.constData());
    }
    return summary;
}

} // namespace oncutf::core::metadata
