#pragma once

#include "core/error.h"

#include <QByteArray>

#include <cstddef>

namespace oncutf::core::hash {

/// What fstat() said about an open file: enough to notice that it changed and to key a cache.
struct FileState {
    qint64 size = 0;
    qint64 mtimeNs = 0; ///< modification time, nanoseconds since the Unix epoch
    quint64 device = 0;
    quint64 inode = 0;

    friend bool operator==(const FileState &, const FileState &) = default;
};

/// A regular file opened for reading by byte path, refusing everything that could block or have
/// side effects when opened: the path is stat()ed first (a device node is never opened, opening a
/// tape rewinds it), then opened O_RDONLY|O_CLOEXEC|O_NONBLOCK|O_NOCTTY (a FIFO swapped in after
/// the stat cannot block the open) and fstat()ed again; only a regular file is kept. Symlinks are
/// followed, as sha256sum does. Owns the descriptor (RAII, move-only).
/// Threading: one object per thread; open() itself is safe from any thread.
class RegularFile final {
public:
    RegularFile() = default;
    ~RegularFile();
    RegularFile(RegularFile &&other) noexcept;
    RegularFile &operator=(RegularFile &&other) noexcept;
    RegularFile(const RegularFile &) = delete;
    RegularFile &operator=(const RegularFile &) = delete;

    /// Opens `path` (native bytes). Errors: NotFound, PermissionDenied, Unsupported (not a regular
    /// file: folder, FIFO, socket, device), Io.
    [[nodiscard]] static Result<RegularFile> open(const QByteArray &path);

    [[nodiscard]] bool isOpen() const { return m_fd >= 0; }
    [[nodiscard]] const QByteArray &path() const { return m_path; }

    /// The state fstat() gave right after opening.
    [[nodiscard]] const FileState &openState() const { return m_state; }

    /// fstat() now: used after reading to detect a file that changed under us.
    [[nodiscard]] Result<FileState> currentState() const;

    /// Tells the kernel the file is read once from start to end (larger read-ahead).
    void adviseSequential() const;

    /// Reads up to `size` bytes, retrying on EINTR and short reads until `size` bytes or end of
    /// file: returns the count, 0 only at end of file.
    [[nodiscard]] Result<qint64> read(void *buffer, std::size_t size) const;

    /// An Error for errno value `error`, with `what` ("cannot read") before the system's text.
    [[nodiscard]] static Error errnoError(int error, const QString &what, const QByteArray &path);

private:
    RegularFile(int fd, QByteArray path, FileState state);
    void close();

    int m_fd = -1;
    QByteArray m_path;
    FileState m_state;
};

} // namespace oncutf::core::hash
