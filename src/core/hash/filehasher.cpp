#include "core/hash/filehasher.h"

#include "core/files/nativepath.h"
#include "core/hash/crc32.h"

#include <cstdlib>
#include <memory>

namespace oncutf::core::hash {

namespace {

struct FreeDeleter {
    void operator()(unsigned char *p) const { std::free(p); }
};

/// One read buffer per thread, grown on demand and kept: hashing 10k small files must not map and
/// fault in a fresh megabyte per file.
unsigned char *threadBuffer(std::size_t size)
{
    thread_local std::unique_ptr<unsigned char, FreeDeleter> buffer;
    thread_local std::size_t capacity = 0;
    if (capacity < size) {
        constexpr std::size_t kPage = 4096;
        const std::size_t rounded = (size + kPage - 1) / kPage * kPage;
        buffer.reset(static_cast<unsigned char *>(std::aligned_alloc(kPage, rounded)));
        capacity = buffer ? rounded : 0;
    }
    return buffer.get();
}

Error changedError(const QByteArray &path, const QString &detail)
{
    return makeError(ErrorCode::Busy, QStringLiteral("changed while being hashed (") + detail + QLatin1Char(')'),
                     files::toDisplay(path));
}

} // namespace

Result<FileHash> FileHasher::hashFile(const QByteArray &path, const HashOptions &options)
{
    auto file = RegularFile::open(path);
    if (!file)
        return file.error();
    return hashOpenFile(*file, options);
}

Result<FileHash> FileHasher::hashOpenFile(const RegularFile &file, const HashOptions &options)
{
    const std::size_t chunk = options.chunkSize > 0 ? options.chunkSize : HashOptions{}.chunkSize;
    unsigned char *buffer = threadBuffer(chunk);
    if (buffer == nullptr)
        return makeError(ErrorCode::Internal, QStringLiteral("out of memory for the read buffer"),
                         files::toDisplay(file.path()));

    const FileState start = file.openState();
    // A file that fits in one read gains nothing from a read-ahead hint but a system call.
    if (start.size > qint64(chunk))
        file.adviseSequential();

    Crc32 crc;
    qint64 done = 0;
    for (;;) {
        if (options.isCancelled && options.isCancelled())
            return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"), files::toDisplay(file.path()));
        auto n = file.read(buffer, chunk);
        if (!n)
            return n.error();
        if (*n == 0)
            break;
        crc.update(buffer, static_cast<std::size_t>(*n));
        done += *n;
        // A file that keeps growing (a log being written) must not keep us reading forever.
        if (done > start.size)
            return changedError(file.path(), QStringLiteral("grew past %1 bytes").arg(start.size));
        if (options.progress)
            options.progress(done, start.size);
        // RegularFile::read() returns a short count only at the end of the file.
        if (*n < qint64(chunk))
            break;
    }
    if (done != start.size)
        return changedError(file.path(), QStringLiteral("read %1 of %2 bytes").arg(done).arg(start.size));

    auto end = file.currentState();
    if (!end)
        return end.error();
    if (end->size != start.size)
        return changedError(file.path(), QStringLiteral("size %1 -> %2").arg(start.size).arg(end->size));
    if (end->mtimeNs != start.mtimeNs)
        return changedError(file.path(), QStringLiteral("modification time changed"));

    return FileHash{crc.value(), start};
}

} // namespace oncutf::core::hash
