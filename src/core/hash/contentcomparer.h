#pragma once

#include "core/error.h"

#include <QByteArray>

#include <functional>

namespace oncutf::core::hash {

/// Decides whether two files hold the same bytes by reading both in lockstep and comparing chunk
/// by chunk (stopping at the first difference). This is what turns "same size and same CRC32" into
/// "duplicate": CRC32 collides, and among 100k files a false pair is more likely than not.
/// Threading: stateless; identical() may run on several threads at once.
class ContentComparer final {
public:
    ContentComparer() = delete;

    /// Bytes compared per read on each side.
    static constexpr std::size_t kChunkSize = std::size_t{256} << 10;

    /// True if `a` and `b` (native bytes) are regular files with identical contents. Errors: those
    /// of RegularFile::open and read, and ErrorCode::Cancelled when `isCancelled` returns true
    /// (polled before every chunk).
    [[nodiscard]] static Result<bool> identical(const QByteArray &a, const QByteArray &b,
                                                const std::function<bool()> &isCancelled = {});
};

} // namespace oncutf::core::hash
