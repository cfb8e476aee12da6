#include "core/db/filestamp.h"

#include <sys/stat.h>

namespace oncutf::core::db {

std::optional<FileStamp> FileStamp::of(const QByteArray &nativePath)
{
    struct stat info {};
    if (::stat(nativePath.constData(), &info) != 0)
        return std::nullopt;
    return FileStamp{static_cast<qint64>(info.st_size),
                     static_cast<qint64>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec};
}

} // namespace oncutf::core::db
