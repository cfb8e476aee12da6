#include "core/rename/nativerename.h"

#include <QFile>
#include <QString>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace oncutf::core::rename {

namespace {

// From <linux/fs.h>, which clashes with other system headers when included next to them.
constexpr unsigned kRenameNoReplace = 1U << 0;

std::atomic<NativeRename::Method> g_forcedMethod{NativeRename::Method::Auto};

QString displayPath(const QByteArray &path)
{
    return QFile::decodeName(path);
}

// renameat2 straight through syscall(): glibc only gained the wrapper in 2.28 and some libcs
// still lack it, while the kernel has had the call since 3.15.
int renameat2NoReplace(const QByteArray &from, const QByteArray &to)
{
#ifdef SYS_renameat2
    return static_cast<int>(
        ::syscall(SYS_renameat2, AT_FDCWD, from.constData(), AT_FDCWD, to.constData(), kRenameNoReplace));
#else
    errno = ENOSYS;
    return -1;
#endif
}

bool hasNul(const QByteArray &path)
{
    return path.contains('\0');
}

} // namespace

Error NativeRename::errorFromErrno(int errorNumber, const QString &action, const QByteArray &path,
                                   const QByteArray &otherPath)
{
    const QString target = otherPath.isEmpty() ? QString() : QStringLiteral(" to %1").arg(displayPath(otherPath));
    const QString what = action + target;
    ErrorCode code = ErrorCode::Io;
    QString why;
    switch (errorNumber) {
    case EEXIST:
    case ENOTEMPTY:
        code = ErrorCode::AlreadyExists;
        why = QStringLiteral("the target name is already taken");
        break;
    case ENOENT:
        code = ErrorCode::NotFound;
        why = QStringLiteral("the file or its folder no longer exists");
        break;
    case EACCES:
    case EPERM:
        code = ErrorCode::PermissionDenied;
        why = QStringLiteral("permission denied (the folder is not writable, or the file is protected)");
        break;
    case EROFS:
        code = ErrorCode::PermissionDenied;
        why = QStringLiteral("the file system is mounted read-only");
        break;
    case EXDEV:
        code = ErrorCode::Unsupported;
        why = QStringLiteral("the old and new names are on different file systems; a rename cannot move a "
                             "file between them");
        break;
    case ENOSPC:
    case EDQUOT:
        code = ErrorCode::NoSpace;
        why = QStringLiteral("no space left on the device (or the quota is used up)");
        break;
    case ENAMETOOLONG:
        code = ErrorCode::InvalidArgument;
        why = QStringLiteral("the name is too long for the file system");
        break;
    case EBUSY:
        code = ErrorCode::Busy;
        why = QStringLiteral("the file or folder is in use (a mount point?)");
        break;
    case ENOTDIR:
    case EISDIR:
    case EINVAL:
    case ELOOP:
        code = ErrorCode::InvalidArgument;
        why = QString::fromLocal8Bit(std::strerror(errorNumber));
        break;
    case ENOSYS:
    case EOPNOTSUPP:
        code = ErrorCode::Unsupported;
        why = QStringLiteral("the file system does not support this operation");
        break;
    default:
        why = QString::fromLocal8Bit(std::strerror(errorNumber));
        break;
    }
    return makeError(code, QStringLiteral("cannot %1: %2").arg(what, why), displayPath(path));
}

void NativeRename::setForcedMethodForTesting(Method method)
{
    g_forcedMethod.store(method);
}

Status NativeRename::renameNoReplace(const QByteArray &from, const QByteArray &to)
{
    if (from.isEmpty() || to.isEmpty() || hasNul(from) || hasNul(to))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("cannot rename: empty name or NUL byte in a path"),
                         displayPath(from));
    const Method forced = g_forcedMethod.load();
    if (forced == Method::Auto) {
        if (renameat2NoReplace(from, to) == 0)
            return {};
        const int err = errno;
        // EINVAL also means "a folder into itself"; the fallbacks then fail with their own error.
        if (err != EINVAL && err != ENOSYS && err != EOPNOTSUPP)
            return errorFromErrno(err, QStringLiteral("rename"), from, to);
    }
    if (forced != Method::CheckThenRename) {
        bool linkUnsupported = false;
        Status viaLink = renameViaLink(from, to, linkUnsupported);
        if (viaLink || !linkUnsupported)
            return viaLink;
    }
    return renameAfterCheck(from, to);
}

Status NativeRename::renameViaLink(const QByteArray &from, const QByteArray &to, bool &linkUnsupported)
{
    linkUnsupported = false;
    struct stat st {};
    if (::lstat(from.constData(), &st) != 0)
        return errorFromErrno(errno, QStringLiteral("rename"), from, to);
    if (S_ISDIR(st.st_mode)) {
        // Folders cannot be hard-linked.
        linkUnsupported = true;
        return makeError(ErrorCode::Unsupported, QStringLiteral("cannot hard-link a folder"), displayPath(from));
    }
    // linkat without AT_SYMLINK_FOLLOW links a symlink itself, as rename would move it.
    if (::linkat(AT_FDCWD, from.constData(), AT_FDCWD, to.constData(), 0) != 0) {
        const int err = errno;
        if (err == EPERM || err == EOPNOTSUPP || err == ENOSYS || err == EMLINK) {
            linkUnsupported = true;
            return errorFromErrno(err, QStringLiteral("hard-link"), from, to);
        }
        return errorFromErrno(err, QStringLiteral("rename"), from, to);
    }
    if (::unlink(from.constData()) != 0) {
        const int err = errno;
        // Take the new name back off so the file keeps exactly one name, its old one.
        (void)::unlink(to.constData());
        return errorFromErrno(err, QStringLiteral("rename"), from, to);
    }
    return {};
}

Status NativeRename::renameAfterCheck(const QByteArray &from, const QByteArray &to)
{
    // The remaining race: an entry created at `to` between this check and rename() is replaced.
    struct stat st {};
    if (::lstat(to.constData(), &st) == 0)
        return errorFromErrno(EEXIST, QStringLiteral("rename"), from, to);
    if (errno != ENOENT)
        return errorFromErrno(errno, QStringLiteral("rename"), from, to);
    if (::rename(from.constData(), to.constData()) != 0)
        return errorFromErrno(errno, QStringLiteral("rename"), from, to);
    return {};
}

std::optional<FileIdentity> NativeRename::identity(const QByteArray &path, bool followSymlinks)
{
    struct stat st {};
    if (path.isEmpty() || hasNul(path))
        return std::nullopt;
    const int rc = followSymlinks ? ::stat(path.constData(), &st) : ::lstat(path.constData(), &st);
    if (rc != 0)
        return std::nullopt;
    return FileIdentity{static_cast<quint64>(st.st_dev), static_cast<quint64>(st.st_ino), S_ISDIR(st.st_mode)};
}

bool NativeRename::exists(const QByteArray &path)
{
    return identity(path).has_value();
}

bool NativeRename::isSameFile(const QByteArray &a, const QByteArray &b)
{
    const auto first = identity(a);
    const auto second = identity(b);
    return first && second && *first == *second;
}

Status NativeRename::unlinkName(const QByteArray &path)
{
    if (::unlink(path.constData()) != 0)
        return errorFromErrno(errno, QStringLiteral("remove the name"), path);
    return {};
}

Status NativeRename::makeDirectories(const QByteArray &path)
{
    if (path.isEmpty() || path == "/")
        return {};
    struct stat st {};
    if (::lstat(path.constData(), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return {};
        return errorFromErrno(ENOTDIR, QStringLiteral("create the folder"), path);
    }
    if (Status parent = makeDirectories(parentOf(path)); !parent)
        return parent;
    if (::mkdir(path.constData(), 0700) != 0 && errno != EEXIST)
        return errorFromErrno(errno, QStringLiteral("create the folder"), path);
    return {};
}

void NativeRename::removeEmptyDirectory(const QByteArray &path)
{
    // rmdir refuses a folder that is not empty, which is exactly the guard wanted here.
    (void)::rmdir(path.constData());
}

Status NativeRename::syncDirectory(const QByteArray &path)
{
    const int fd = ::open(path.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errorFromErrno(errno, QStringLiteral("open the folder to sync it"), path);
    int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    // Some file systems (and /proc-like ones) do not sync folders; that is not a rename failure.
    if (rc != 0 && err != EINVAL && err != EROFS)
        return errorFromErrno(err, QStringLiteral("sync the folder"), path);
    return {};
}

QByteArray NativeRename::parentOf(const QByteArray &path)
{
    const qsizetype slash = path.lastIndexOf('/');
    if (slash <= 0)
        return QByteArrayLiteral("/");
    return path.left(slash);
}

QByteArray NativeRename::nameOf(const QByteArray &path)
{
    const qsizetype slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.mid(slash + 1);
}

QByteArrayView NativeRename::nameViewOf(const QByteArray &path)
{
    const qsizetype slash = path.lastIndexOf('/');
    return QByteArrayView(path).sliced(slash + 1);
}

std::optional<FolderListing> FolderListing::read(const QByteArray &folder)
{
    if (folder.isEmpty() || hasNul(folder))
        return std::nullopt;
    DIR *dir = ::opendir(folder.constData());
    if (!dir)
        return std::nullopt;
    FolderListing listing;
    std::vector<std::size_t> lengths;
    for (;;) {
        errno = 0;
        const dirent *entry = ::readdir(dir);
        if (!entry)
            break;
        const std::size_t length = std::strlen(entry->d_name);
        if ((length == 1 && entry->d_name[0] == '.') || (length == 2 && entry->d_name[0] == '.' && entry->d_name[1] == '.'))
            continue;
        listing.m_bytes.insert(listing.m_bytes.end(), entry->d_name, entry->d_name + length + 1);
        lengths.push_back(length);
    }
    const bool failed = errno != 0;
    ::closedir(dir);
    if (failed)
        return std::nullopt; // a half-read listing would call taken names free
    // Indexed only once every name is in, so the buffer no longer moves.
    listing.m_index.reserve(lengths.size());
    const char *at = listing.m_bytes.data();
    for (const std::size_t length : lengths) {
        listing.m_index.emplace(at, length);
        at += length + 1;
    }
    return listing;
}

} // namespace oncutf::core::rename
