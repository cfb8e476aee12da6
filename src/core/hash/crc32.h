#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <cstddef>
#include <optional>

namespace oncutf::core::hash {

/// CRC-32 exactly as zlib's crc32() and Python's zlib.crc32 compute it (reflected polynomial
/// 0xEDB88320, initial value and final XOR 0xFFFFFFFF), shown as 8 lower-case hex digits. The
/// arithmetic is ISA-L's crc32_gzip_refl, which picks its fastest kernel for the CPU at run time
/// (VPCLMULQDQ, PCLMULQDQ or tables); docs/adr/0002-crc32-implementation.md has the benchmark
/// behind that choice. A running value can be extended chunk by chunk: hashing a file in pieces
/// gives the same value as hashing it whole.
/// Threading: a plain value; the static functions are pure and safe from any thread.
class Crc32 final {
public:
    Crc32() = default;

    /// Feeds `size` more bytes.
    void update(const void *data, std::size_t size) { m_value = extend(m_value, data, size); }
    void update(QByteArrayView bytes) { update(bytes.data(), static_cast<std::size_t>(bytes.size())); }

    [[nodiscard]] quint32 value() const { return m_value; }
    void reset() { m_value = 0; }

    /// zlib's crc32(crc, data, size): the CRC of the bytes that gave `crc`, followed by `data`.
    [[nodiscard]] static quint32 extend(quint32 crc, const void *data, std::size_t size);

    /// The CRC of `bytes` alone.
    [[nodiscard]] static quint32 of(QByteArrayView bytes);

    /// "0000abcd": always 8 lower-case hex digits.
    [[nodiscard]] static QByteArray toHex(quint32 crc);

    /// Parses exactly 8 hex digits (either case); anything else is nullopt.
    [[nodiscard]] static std::optional<quint32> fromHex(QByteArrayView text);

    /// The library and function doing the arithmetic, for `--version` style reports.
    [[nodiscard]] static const char *implementation();

private:
    quint32 m_value = 0;
};

} // namespace oncutf::core::hash
