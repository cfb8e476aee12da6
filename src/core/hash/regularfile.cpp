#include "core/hash/regularfile.h"

#include "core/files/nativepath.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace oncutf::core::hash {

namespace {

FileState stateOf(const struct stat &st)
{
    FileState state;
    state.size = static_cast<qint64>(st.st_size);
    state.mtimeNs = static_cast<qint64>(st.st_mtim.tv_sec) * 1'000'000'000LL
                    + static_cast<qint64>(st.st_mtim.tv_nsec);
    state.device = static_cast<quint64>(st.st_dev);
    state.inode = static_cast<quint64>(st.st_ino);
    return state;
}

QString kindName(mode_t mode)
{
    if (S_ISDIR(mode))
        return QStringLiteral("is a folder");
    if (S_ISFIFO(mode))
        return QStringLiteral("is a FIFO (named pipe), skipped");
    if (S_ISSOCK(mode))
        return QStringLiteral("is a socket, skipped");
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return QStringLiteral("is a device, skipped");
    return QStringLiteral("is not a regular file, skipped");
}

} // namespace

RegularFile::RegularFile(int fd, QByteArray path, FileState state)
    : m_fd(fd), m_path(std::move(path)), m_state(state)
{
}

RegularFile::~RegularFile()
{
    close();
}

RegularFile::RegularFile(RegularFile &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_path(std::move(other.m_path)), m_state(other.m_state)
{
}

RegularFile &RegularFile::operator=(RegularFile &&other) noexcept
{
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
        m_path = std::move(other.m_path);
        m_state = other.m_state;
    }
    return *this;
}

void RegularFile::close()
{
    if (m_fd >= 0) {
        // close() on Linux releases the descriptor even when it reports EINTR: never retry.
        ::close(m_fd);
        m_fd = -1;
    }
}

Error RegularFile::errnoError(int error, const QString &what, const QByteArray &path)
{
    ErrorCode code = ErrorCode::Io;
    switch (error) {
    case ENOENT:
    case ENOTDIR:
        code = ErrorCode::NotFound;
        break;
    case EACCES:
    case EPERM:
        code = ErrorCode::PermissionDenied;
        break;
    case ENOSPC:
        code = ErrorCode::NoSpace;
        break;
    default:
        break;
    }
    char buffer[256];
    // GNU strerror_r returns a pointer that may or may not be `buffer`.
    const QString text = QString::fromLocal8Bit(::strerror_r(error, buffer, sizeof buffer));
    return makeError(code, what.isEmpty() ? text : what + QStringLiteral(": ") + text,
                     files::toDisplay(path));
}

Result<RegularFile> RegularFile::open(const QByteArray &path)
{
    if (path.isEmpty() || path.contains('\0'))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("invalid file name"), files::toDisplay(path));

    // stat() before open(): opening a device node can have side effects, and a FIFO without a
    // writer would block a plain open.
    struct stat before {};
    if (::stat(path.constData(), &before) != 0)
        return errnoError(errno, {}, path);
    if (!S_ISREG(before.st_mode))
        return makeError(ErrorCode::Unsupported, kindName(before.st_mode), files::toDisplay(path));

    int fd = -1;
    do {
        fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return errnoError(errno, {}, path);

    RegularFile file(fd, path, {});
    struct stat after {};
    if (::fstat(fd, &after) != 0)
        return errnoError(errno, QStringLiteral("cannot stat"), path);
    // The path may have been replaced between stat() and open(): trust only the open descriptor.
    if (!S_ISREG(after.st_mode))
        return makeError(ErrorCode::Unsupported, kindName(after.st_mode), files::toDisplay(path));
    file.m_state = stateOf(after);
    return file;
}

Result<FileState> RegularFile::currentState() const
{
    struct stat st {};
    if (::fstat(m_fd, &st) != 0)
        return errnoError(errno, QStringLiteral("cannot stat"), m_path);
    return stateOf(st);
}

void RegularFile::adviseSequential() const
{
    // Only a hint: a failure changes nothing but speed.
    (void)::posix_fadvise(m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
}

Result<qint64> RegularFile::read(void *buffer, std::size_t size) const
{
    auto *out = static_cast<char *>(buffer);
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::read(m_fd, out + done, size - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errnoError(errno, QStringLiteral("cannot read"), m_path);
        }
        if (n == 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    return static_cast<qint64>(done);
}

} // namespace oncutf::core::hash
