#include "core/hash/crc32.h"

#include <isa-l/crc.h>

namespace oncutf::core::hash {

quint32 Crc32::extend(quint32 crc, const void *data, std::size_t size)
{
    if (size == 0)
        return crc;
    // crc32_gzip_refl applies zlib's pre- and post-inversion itself, so its running value is
    // zlib's running value and chunks chain the same way.
    return crc32_gzip_refl(crc, static_cast<const unsigned char *>(data), size);
}

quint32 Crc32::of(QByteArrayView bytes)
{
    return extend(0, bytes.data(), static_cast<std::size_t>(bytes.size()));
}

QByteArray Crc32::toHex(quint32 crc)
{
    static constexpr char digits[] = "0123456789abcdef";
    QByteArray text(8, '0');
    for (int i = 7; i >= 0; --i) {
        text[i] = digits[crc & 0xFU];
        crc >>= 4;
    }
    return text;
}

std::optional<quint32> Crc32::fromHex(QByteArrayView text)
{
    if (text.size() != 8)
        return std::nullopt;
    quint32 value = 0;
    for (const char c : text) {
        quint32 digit = 0;
        if (c >= '0' && c <= '9')
            digit = static_cast<quint32>(c - '0');
        else if (c >= 'a' && c <= 'f')
            digit = static_cast<quint32>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            digit = static_cast<quint32>(c - 'A' + 10);
        else
            return std::nullopt;
        value = (value << 4) | digit;
    }
    return value;
}

const char *Crc32::implementation()
{
    return "ISA-L crc32_gzip_refl";
}

} // namespace oncutf::core::hash
