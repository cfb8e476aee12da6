#pragma once

#include "core/error.h"
#include "core/hash/regularfile.h"

#include <QByteArray>

#include <cstddef>
#include <functional>

namespace oncutf::core::hash {

/// How one file is hashed. Both callbacks run on the hashing thread, once per chunk.
struct HashOptions {
    /// Bytes per read(). 1 MiB keeps the bytes in L2 between the kernel's copy and the CRC and
    /// makes the syscall cost negligible (docs/adr/0002-crc32-implementation.md).
    std::size_t chunkSize = std::size_t{1} << 20;
    /// Bytes of this file read so far and its size, after every chunk (64-bit: files > 4 GiB).
    std::function<void(qint64 done, qint64 total)> progress;
    /// Polled before every chunk; true stops the hash with ErrorCode::Cancelled.
    std::function<bool()> isCancelled;
};

/// A finished hash and the file state it belongs to (what a cache keys on).
struct FileHash {
    quint32 crc = 0;
    FileState state; ///< size, mtime and identity, identical before and after the read
};

/// Hashes one regular file with large sequential reads (sequential read-ahead advised), checking
/// for cancellation before every chunk, and refuses to return a hash for a file that changed while
/// it was read: if the byte count read differs from the size at open, or the size or mtime at the
/// end differ from those at open, the result is ErrorCode::Busy ("changed while being hashed") and
/// must not be cached. FIFOs, sockets, devices and folders are refused before any read
/// (ErrorCode::Unsupported), so nothing can block.
/// Threading: stateless; hashFile() may run on any number of threads at once (each thread reuses
/// its own read buffer).
class FileHasher final {
public:
    FileHasher() = delete;

    /// Opens `path` (native bytes) and hashes it.
    [[nodiscard]] static Result<FileHash> hashFile(const QByteArray &path, const HashOptions &options = {});

    /// Hashes an already opened file from its current offset (a fresh file: from the start).
    [[nodiscard]] static Result<FileHash> hashOpenFile(const RegularFile &file, const HashOptions &options = {});
};

} // namespace oncutf::core::hash
