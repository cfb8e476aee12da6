#include "testutil_zlib.h"

#include <QLibrary>

namespace oncutf::tests {

namespace {

using Crc32Fn = unsigned long (*)(unsigned long, const unsigned char *, std::size_t);
using CombineFn = unsigned long (*)(unsigned long, unsigned long, qint64);

struct Zlib {
    Crc32Fn crc32 = nullptr;
    CombineFn combine = nullptr;
};

const Zlib &zlib()
{
    static const Zlib instance = [] {
        Zlib z;
        QLibrary library(QStringLiteral("z"), 1);
        if (library.load()) {
            z.crc32 = reinterpret_cast<Crc32Fn>(library.resolve("crc32_z"));
            z.combine = reinterpret_cast<CombineFn>(library.resolve("crc32_combine64"));
        }
        return z;
    }();
    return instance;
}

} // namespace

bool ZlibReference::load()
{
    return zlib().crc32 != nullptr && zlib().combine != nullptr;
}

quint32 ZlibReference::crc32(quint32 crc, const void *data, std::size_t size)
{
    Q_ASSERT(load());
    return static_cast<quint32>(zlib().crc32(crc, static_cast<const unsigned char *>(data), size));
}

quint32 ZlibReference::combine(quint32 crcA, quint32 crcB, qint64 lengthB)
{
    Q_ASSERT(load());
    return static_cast<quint32>(zlib().combine(crcA, crcB, lengthB));
}

quint32 ZlibReference::zeros(qint64 count)
{
    // crc(zeros(a + b)) = combine(crc(zeros(a)), crc(zeros(b)), b): binary doubling.
    static const QByteArray block(4096, '\0');
    quint32 result = 0;
    qint64 resultLength = 0;
    quint32 power = crc32(0, block.constData(), std::size_t(block.size()));
    qint64 powerLength = block.size();
    qint64 whole = count / block.size();
    while (whole > 0) {
        if (whole & 1) {
            result = resultLength == 0 ? power : combine(result, power, powerLength);
            resultLength += powerLength;
        }
        power = combine(power, power, powerLength);
        powerLength *= 2;
        whole >>= 1;
    }
    const qint64 rest = count % block.size();
    if (rest > 0)
        result = crc32(result, block.constData(), std::size_t(rest));
    return result;
}

QByteArray ZlibReference::hex(quint32 crc)
{
    return QByteArray::number(crc, 16).rightJustified(8, '0');
}

} // namespace oncutf::tests
