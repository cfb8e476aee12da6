#include "core/hash/contentcomparer.h"

#include "core/files/nativepath.h"
#include "core/hash/regularfile.h"

#include <cstring>
#include <memory>

namespace oncutf::core::hash {

Result<bool> ContentComparer::identical(const QByteArray &a, const QByteArray &b,
                                        const std::function<bool()> &isCancelled)
{
    auto fileA = RegularFile::open(a);
    if (!fileA)
        return fileA.error();
    auto fileB = RegularFile::open(b);
    if (!fileB)
        return fileB.error();

    const FileState &stateA = fileA->openState();
    const FileState &stateB = fileB->openState();
    if (stateA.device == stateB.device && stateA.inode == stateB.inode)
        return true; // the same file reached twice (hard link, overlapping arguments)
    if (stateA.size != stateB.size)
        return false;

    fileA->adviseSequential();
    fileB->adviseSequential();
    // Small files are the common case among duplicates: size the buffers to the file (one byte
    // more, so that the read that finds the end needs no second call), uninitialised.
    const std::size_t chunk = std::size_t(qMin<qint64>(qint64(kChunkSize), stateA.size + 1));
    const auto bufferA = std::make_unique_for_overwrite<unsigned char[]>(chunk);
    const auto bufferB = std::make_unique_for_overwrite<unsigned char[]>(chunk);
    for (;;) {
        if (isCancelled && isCancelled())
            return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"), files::toDisplay(a));
        auto n = fileA->read(bufferA.get(), chunk);
        if (!n)
            return n.error();
        auto m = fileB->read(bufferB.get(), chunk);
        if (!m)
            return m.error();
        // read() fills the whole chunk unless at end of file, so the counts differ only when the
        // contents (or lengths) do.
        if (*n != *m)
            return false;
        if (*n == 0)
            return true;
        if (std::memcmp(bufferA.get(), bufferB.get(), static_cast<std::size_t>(*n)) != 0)
            return false;
    }
}

} // namespace oncutf::core::hash
