#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtGlobal>

#include <cstddef>

namespace oncutf::tests {

/// zlib itself, loaded at run time (libz.so.1, which every Qt install has), as the reference the
/// hash tests compare against: the core never links zlib, so the tests cannot share a bug with it.
/// Every function fails the calling test (QVERIFY) when zlib cannot be loaded.
class ZlibReference final {
public:
    ZlibReference() = delete;

    [[nodiscard]] static bool load();
    [[nodiscard]] static quint32 crc32(quint32 crc, const void *data, std::size_t size);
    [[nodiscard]] static quint32 crc32(QByteArrayView bytes) { return crc32(0, bytes.data(), std::size_t(bytes.size())); }
    /// zlib's crc32_combine64: the CRC of A followed by B, from crc(A), crc(B) and B's length.
    [[nodiscard]] static quint32 combine(quint32 crcA, quint32 crcB, qint64 lengthB);
    /// The CRC of `count` zero bytes, by combining (fast for gigabytes).
    [[nodiscard]] static quint32 zeros(qint64 count);
    /// The CRC as Python's "%08x" % zlib.crc32(...) prints it.
    [[nodiscard]] static QByteArray hex(quint32 crc);
};

} // namespace oncutf::tests
