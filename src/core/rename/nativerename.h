#pragma once
// Atomic no-clobber renames and the few other file system calls the rename executor needs,
// with errno turned into plain-words errors that name the path.

#include "core/error.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace oncutf::core::rename {

/// Identity of a directory entry's inode (lstat, symlinks not followed).
struct FileIdentity {
    quint64 device = 0;
    quint64 inode = 0;
    bool isDirectory = false;
    friend bool operator==(const FileIdentity &a, const FileIdentity &b)
    {
        return a.device == b.device && a.inode == b.inode;
    }
};

/// The names in one folder, read once (readdir), so that checking thousands of names in it costs
/// a hash lookup each instead of an lstat each. It is a snapshot: an entry created or removed
/// afterwards is not seen, which is why it only ever speeds up a check whose outcome a no-clobber
/// rename enforces again (see MoveOrderer). Names are exact bytes ("." and ".." left out).
/// Owner: whoever read it (MoveOrderer, for the duration of one order() call).
/// Threading: immutable once read; safe to read from any thread.
class FolderListing final {
public:
    /// The folder's names, or nothing when it cannot be read.
    static std::optional<FolderListing> read(const QByteArray &folder);

    [[nodiscard]] bool contains(QByteArrayView name) const
    {
        return m_index.find(std::string_view(name.data(), std::size_t(name.size()))) != m_index.end();
    }
    [[nodiscard]] qsizetype size() const { return qsizetype(m_index.size()); }
    /// Every name, in directory order.
    [[nodiscard]] const std::unordered_set<std::string_view> &names() const { return m_index; }

private:
    // Every name back to back, NUL-terminated; the index points into it. A vector keeps its
    // buffer when moved (a std::string's small-string buffer would not), so the views stay valid.
    std::vector<char> m_bytes;
    std::unordered_set<std::string_view> m_index;
};

/// The executor's system calls: a rename that never replaces an existing entry, and helpers
/// around it (lstat, mkdir, directory fsync). Paths are native bytes.
///
/// renameNoReplace() uses renameat2(RENAME_NOREPLACE), atomic in the kernel. A file system that
/// refuses the flag (EINVAL, ENOSYS: some FUSE and network file systems) gets link()+unlink() for
/// anything but a directory: link() fails with EEXIST atomically when the target exists. Only
/// where hard links are unsupported too (vfat, exFAT: EPERM) or for a directory does it fall back
/// to lstat() then rename(), which leaves a window between the check and the rename in which a
/// file created by another program at the target would be replaced (documented in
/// docs/rename-safety.md). A crash between link() and unlink() leaves the file under both
/// names (one inode); isSameFile() lets recovery see that.
/// Owner: none (static functions).
/// Threading: every function is safe from any thread; the test hook is an atomic.
class NativeRename final {
public:
    /// Which mechanism renameNoReplace() uses; Auto tries them in the order above.
    enum class Method { Auto, LinkUnlink, CheckThenRename };

    NativeRename() = delete;

    /// Renames `from` to `to`; fails with ErrorCode::AlreadyExists when `to` exists.
    static Status renameNoReplace(const QByteArray &from, const QByteArray &to);
    /// lstat() (stat() with `followSymlinks`, for folders): the entry's identity, or nothing when
    /// it does not exist (or cannot be seen).
    static std::optional<FileIdentity> identity(const QByteArray &path, bool followSymlinks = false);
    /// True when an entry (file, folder, dangling symlink) exists at `path`.
    static bool exists(const QByteArray &path);
    /// True when both paths are names of one inode (a hard link, or a case-insensitive alias).
    static bool isSameFile(const QByteArray &a, const QByteArray &b);
    /// Removes the name `path` (a file, not a folder).
    static Status unlinkName(const QByteArray &path);
    /// Creates `path` and missing parents (mode 0700 for new folders); an existing folder is fine.
    static Status makeDirectories(const QByteArray &path);
    /// Removes `path` when it is an empty folder; anything else is left alone, silently.
    static void removeEmptyDirectory(const QByteArray &path);
    /// fsync() of a folder, so the renames inside it survive a power loss.
    static Status syncDirectory(const QByteArray &path);

    /// The folder part of an absolute path ("/a/b" -> "/a", "/a" -> "/").
    static QByteArray parentOf(const QByteArray &path);
    /// The last component of a path.
    static QByteArray nameOf(const QByteArray &path);
    /// nameOf() without a copy; valid as long as `path` is.
    static QByteArrayView nameViewOf(const QByteArray &path);

    /// Maps an errno value to an Error: `action` says what was attempted ("rename", ...).
    static Error errorFromErrno(int errorNumber, const QString &action, const QByteArray &path,
                                const QByteArray &otherPath = {});

    /// Test hook: forces the fallback (Method::Auto restores normal behaviour).
    static void setForcedMethodForTesting(Method method);

private:
    static Status renameViaLink(const QByteArray &from, const QByteArray &to, bool &linkUnsupported);
    static Status renameAfterCheck(const QByteArray &from, const QByteArray &to);
};

} // namespace oncutf::core::rename
