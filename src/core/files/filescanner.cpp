#include "core/files/filescanner.h"

#include "core/files/filekind.h"
#include "core/files/nativepath.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_set>
#include <utility>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace oncutf::core::files {

namespace {

struct FolderId {
    dev_t device;
    ino_t inode;
    friend bool operator==(const FolderId &, const FolderId &) = default;
};

struct FolderIdHash {
    std::size_t operator()(const FolderId &id) const noexcept
    {
        return std::hash<std::uint64_t>()(static_cast<std::uint64_t>(id.inode) * 1000003U
                                          ^ static_cast<std::uint64_t>(id.device));
    }
};

QString errnoText(int error)
{
    char buffer[256];
    // GNU strerror_r: returns a pointer that may or may not be `buffer`.
    return QString::fromLocal8Bit(::strerror_r(error, buffer, sizeof buffer));
}

QString specialFileText(mode_t mode)
{
    if (S_ISFIFO(mode))
        return QStringLiteral("skipped: not a regular file (FIFO)");
    if (S_ISSOCK(mode))
        return QStringLiteral("skipped: not a regular file (socket)");
    if (S_ISCHR(mode))
        return QStringLiteral("skipped: not a regular file (character device)");
    if (S_ISBLK(mode))
        return QStringLiteral("skipped: not a regular file (block device)");
    return QStringLiteral("skipped: not a regular file");
}

qint64 mtimeNanoseconds(const struct stat &st)
{
    return qint64(st.st_mtim.tv_sec) * 1000000000LL + qint64(st.st_mtim.tv_nsec);
}

QByteArray childPath(const QByteArray &folder, const QByteArray &name)
{
    QByteArray path;
    path.reserve(folder.size() + 1 + name.size());
    path.append(folder);
    if (!folder.endsWith('/'))
        path.append('/');
    path.append(name);
    return path;
}

/// Closes a DIR on every way out of a scope.
class DirCloser final {
public:
    explicit DirCloser(DIR *dir) : m_dir(dir) {}
    ~DirCloser() { close(); }
    DirCloser(const DirCloser &) = delete;
    DirCloser &operator=(const DirCloser &) = delete;
    void close()
    {
        if (m_dir != nullptr)
            ::closedir(m_dir);
        m_dir = nullptr;
    }

private:
    DIR *m_dir;
};

/// The state of one scan() call.
class ScanRun final {
public:
    ScanRun(const ScanOptions &options, const FileScanner::Callbacks &callbacks)
        : m_options(options), m_callbacks(callbacks)
    {
    }

    void scanArgument(const QByteArray &argument)
    {
        if (cancelled())
            return;
        if (argument.isEmpty()) {
            // absolutePath("") would mean the current folder; a scan of "" is a mistake.
            report(argument, errnoText(ENOENT), ScanProblem::Kind::MissingArgument);
            return;
        }
        const QByteArray path = absolutePath(argument);
        struct stat st {};
        if (::stat(path.constData(), &st) != 0) {
            const int error = errno;
            if (error == ENOENT || error == ENOTDIR)
                report(path, errnoText(error), ScanProblem::Kind::MissingArgument);
            else if (error == EACCES)
                report(path, errnoText(error), ScanProblem::Kind::Unreadable);
            else
                report(path, errnoText(error), ScanProblem::Kind::Error);
            return;
        }
        if (S_ISDIR(st.st_mode)) {
            ++m_foldersKnown;
            scanFolder(path, /*followLink=*/true);
        } else if (S_ISREG(st.st_mode)) {
            emitEntry(path, fileName(path), st);
        } else {
            report(path, specialFileText(st.st_mode), ScanProblem::Kind::Skipped);
        }
    }

    [[nodiscard]] ScanStats stats() const { return m_stats; }

private:
    struct Item {
        QByteArray name;
        unsigned char type;
    };

    bool cancelled()
    {
        if (!m_stats.cancelled && m_callbacks.isCancelled && m_callbacks.isCancelled())
            m_stats.cancelled = true;
        return m_stats.cancelled;
    }

    void report(const QByteArray &path, QString message, ScanProblem::Kind kind)
    {
        ++m_stats.problems;
        if (m_callbacks.problemFound)
            m_callbacks.problemFound(ScanProblem{path, std::move(message), kind});
    }

    void emitEntry(const QByteArray &path, const QByteArray &name, const struct stat &st)
    {
        ++m_stats.files;
        if (!m_callbacks.entryFound)
            return;
        FileEntry entry;
        entry.path = path;
        entry.size = qint64(st.st_size);
        entry.mtimeNs = mtimeNanoseconds(st);
        // Neighbouring files nearly always share an extension: reusing the last type and kind
        // (implicitly shared strings) saves three allocations and a hash lookup per file. For a
        // name that has a dot and does not start with one, the type depends on the tail alone.
        const qsizetype dot = name.lastIndexOf('.');
        if (dot <= 0 || name.front() == '.') {
            entry.type = FileScanner::extensionOf(name);
            entry.kind = fileKindName(fileKindForExtension(entry.type));
            m_callbacks.entryFound(std::move(entry));
            return;
        }
        const QByteArrayView tail = QByteArrayView(name).sliced(dot);
        if (tail != QByteArrayView(m_lastTail)) {
            m_lastTail = tail.toByteArray();
            m_lastType = FileScanner::extensionOf(name);
            m_lastKind = fileKindName(fileKindForExtension(m_lastType));
        }
        entry.type = m_lastType;
        entry.kind = m_lastKind;
        m_callbacks.entryFound(std::move(entry));
    }

    /// Opens `path` as a folder; reports and returns -1 on failure.
    int openFolder(const QByteArray &path, bool followLink)
    {
        int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
        // A real sub-folder is opened without following links, so a folder swapped for a symlink
        // between readdir and open is not silently followed.
        if (!followLink)
            flags |= O_NOFOLLOW;
        const int fd = ::open(path.constData(), flags);
        if (fd >= 0)
            return fd;
        const int error = errno;
        if (error == ENOENT)
            report(path, QStringLiteral("vanished during the scan"), ScanProblem::Kind::Vanished);
        else if (error == EACCES || error == EPERM)
            report(path, QStringLiteral("cannot open folder: ") + errnoText(error), ScanProblem::Kind::Unreadable);
        else if (error == ELOOP || error == ENOTDIR)
            report(path, QStringLiteral("changed during the scan, not entered"), ScanProblem::Kind::Vanished);
        else
            report(path, QStringLiteral("cannot open folder: ") + errnoText(error), ScanProblem::Kind::Error);
        return -1;
    }

    void scanFolder(const QByteArray &path, bool followLink)
    {
        if (cancelled())
            return;
        const int fd = openFolder(path, followLink);
        if (fd < 0) {
            ++m_foldersDone;
            return;
        }
        DIR *dir = ::fdopendir(fd);
        if (dir == nullptr) {
            report(path, QStringLiteral("cannot read folder: ") + errnoText(errno), ScanProblem::Kind::Error);
            ::close(fd);
            ++m_foldersDone;
            return;
        }
        DirCloser closer(dir);

        struct stat self {};
        if (::fstat(fd, &self) != 0) {
            report(path, QStringLiteral("cannot read folder: ") + errnoText(errno), ScanProblem::Kind::Error);
            ++m_foldersDone;
            return;
        }
        const FolderId id{self.st_dev, self.st_ino};
        if (std::find(m_ancestors.begin(), m_ancestors.end(), id) != m_ancestors.end()) {
            report(path, QStringLiteral("symbolic link loop: leads back to a folder being scanned, not followed"),
                   ScanProblem::Kind::SymlinkLoop);
            ++m_foldersDone;
            return;
        }
        if (!m_visited.insert(id).second) {
            report(path, QStringLiteral("folder already scanned through another path, not listed twice"),
                   ScanProblem::Kind::AlreadyScanned);
            ++m_foldersDone;
            return;
        }

        std::vector<Item> items;
        errno = 0;
        while (const dirent *d = ::readdir(dir)) {
            const char *name = d->d_name;
            if (name[0] == '.') {
                if (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))
                    continue;
                if (!m_options.includeHidden)
                    continue;
            }
            items.push_back(Item{QByteArray(name), d->d_type});
        }
        if (errno != 0)
            report(path, QStringLiteral("error while reading folder: ") + errnoText(errno), ScanProblem::Kind::Error);
        ++m_stats.directories;

        std::sort(items.begin(), items.end(), [](const Item &a, const Item &b) { return a.name < b.name; });

        if (m_callbacks.folderListed)
            m_callbacks.folderListed(path, m_foldersDone, m_foldersKnown);

        struct SubFolder {
            QByteArray path;
            bool isLink;
        };
        std::vector<SubFolder> subFolders;
        for (const Item &item : items) {
            if (cancelled())
                break;
            examine(fd, path, item, subFolders);
        }
        closer.close();

        m_foldersKnown += qint64(subFolders.size());
        ++m_foldersDone;

        m_ancestors.push_back(id);
        for (const SubFolder &sub : subFolders) {
            if (cancelled())
                break;
            scanFolder(sub.path, sub.isLink);
        }
        m_ancestors.pop_back();
    }

    template <typename SubFolders>
    void examine(int folderFd, const QByteArray &folder, const Item &item, SubFolders &subFolders)
    {
        unsigned char type = item.type;
        // d_type fast path: a folder needs no stat at all, a regular file one fstatat for its
        // size and time; only unknown types (some file systems) need an extra lstat first.
        if (type == DT_DIR) {
            if (m_options.recursive)
                subFolders.push_back({childPath(folder, item.name), false});
            return;
        }

        struct stat st {};
        if (type == DT_REG && !m_options.readDetails) {
            emitEntry(childPath(folder, item.name), item.name, st);
            return;
        }
        if (type == DT_REG || type == DT_UNKNOWN || type == DT_LNK) {
            if (::fstatat(folderFd, item.name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                statFailed(folder, item, errno);
                return;
            }
            type = IFTODT(st.st_mode);
            if (type == DT_DIR) {
                if (m_options.recursive)
                    subFolders.push_back({childPath(folder, item.name), false});
                return;
            }
            if (type == DT_REG) {
                emitEntry(childPath(folder, item.name), item.name, st);
                return;
            }
        }

        if (type == DT_LNK) {
            if (::fstatat(folderFd, item.name.constData(), &st, 0) != 0) {
                const int error = errno;
                if (error == ENOENT || error == ELOOP)
                    report(childPath(folder, item.name), QStringLiteral("skipped: broken symbolic link"),
                           ScanProblem::Kind::Skipped);
                else
                    statFailed(folder, item, error);
                return;
            }
            if (S_ISREG(st.st_mode)) {
                emitEntry(childPath(folder, item.name), item.name, st);
            } else if (S_ISDIR(st.st_mode)) {
                // Like find without -L: a symlinked folder is neither listed nor entered unless asked.
                if (m_options.recursive && m_options.followSymlinks)
                    subFolders.push_back({childPath(folder, item.name), true});
            } else {
                report(childPath(folder, item.name), specialFileText(st.st_mode), ScanProblem::Kind::Skipped);
            }
            return;
        }

        // FIFO, socket, device: reported from d_type (or lstat) alone, never opened.
        mode_t mode = 0;
        switch (type) {
        case DT_FIFO:
            mode = S_IFIFO;
            break;
        case DT_SOCK:
            mode = S_IFSOCK;
            break;
        case DT_CHR:
            mode = S_IFCHR;
            break;
        case DT_BLK:
            mode = S_IFBLK;
            break;
        default:
            break;
        }
        report(childPath(folder, item.name), specialFileText(mode), ScanProblem::Kind::Skipped);
    }

    void statFailed(const QByteArray &folder, const Item &item, int error)
    {
        if (error == ENOENT)
            report(childPath(folder, item.name), QStringLiteral("vanished during the scan"), ScanProblem::Kind::Vanished);
        else if (error == EACCES)
            report(childPath(folder, item.name), errnoText(error), ScanProblem::Kind::Unreadable);
        else
            report(childPath(folder, item.name), errnoText(error), ScanProblem::Kind::Error);
    }

    const ScanOptions &m_options;
    const FileScanner::Callbacks &m_callbacks;
    ScanStats m_stats;
    qint64 m_foldersDone = 0;
    qint64 m_foldersKnown = 0;
    std::vector<FolderId> m_ancestors;
    QByteArray m_lastTail; // ".JPG" of the last file whose type was cached
    QString m_lastType;
    QString m_lastKind;
    std::unordered_set<FolderId, FolderIdHash> m_visited;
};

} // namespace

FileScanner::FileScanner(ScanOptions options) : m_options(options) {}

ScanStats FileScanner::scan(const QList<QByteArray> &paths, const Callbacks &callbacks) const
{
    ScanRun run(m_options, callbacks);
    for (const QByteArray &path : paths)
        run.scanArgument(path);
    return run.stats();
}

FileScanner::Result FileScanner::scanAll(const QList<QByteArray> &paths) const
{
    Result result;
    Callbacks callbacks;
    callbacks.entryFound = [&result](FileEntry &&entry) { result.entries.append(std::move(entry)); };
    callbacks.problemFound = [&result](ScanProblem &&problem) { result.problems.append(std::move(problem)); };
    result.stats = scan(paths, callbacks);
    return result;
}

QString FileScanner::extensionOf(const QByteArray &fileName)
{
    const qsizetype dot = fileName.lastIndexOf('.');
    if (dot <= 0 || dot == fileName.size() - 1)
        return {};
    // A leading run of dots is part of the name (".bashrc", "..hidden"), as in os.path.splitext.
    qsizetype firstNonDot = 0;
    while (firstNonDot < fileName.size() && fileName[firstNonDot] == '.')
        ++firstNonDot;
    if (dot < firstNonDot)
        return {};

    const QByteArray ext = fileName.mid(dot + 1);
    bool ascii = true;
    for (const char c : ext) {
        if (static_cast<unsigned char>(c) >= 0x80U) {
            ascii = false;
            break;
        }
    }
    if (ascii)
        return QString::fromLatin1(ext.toLower());
    return toDisplay(ext).toLower();
}

} // namespace oncutf::core::files
