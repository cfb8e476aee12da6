#include "core/files/nativepath.h"

#include <QList>

#include <cerrno>
#include <unistd.h>

#include <vector>

namespace oncutf::core::files {

namespace {

bool isContinuation(unsigned char byte)
{
    return (byte & 0xC0U) == 0x80U;
}

char32_t decodeSequence(const unsigned char *data, int length)
{
    switch (length) {
    case 1:
        return data[0];
    case 2:
        return (char32_t(data[0] & 0x1FU) << 6) | char32_t(data[1] & 0x3FU);
    case 3:
        return (char32_t(data[0] & 0x0FU) << 12) | (char32_t(data[1] & 0x3FU) << 6)
               | char32_t(data[2] & 0x3FU);
    default:
        return (char32_t(data[0] & 0x07U) << 18) | (char32_t(data[1] & 0x3FU) << 12)
               | (char32_t(data[2] & 0x3FU) << 6) | char32_t(data[3] & 0x3FU);
    }
}

QByteArray currentDirectory()
{
    std::vector<char> buffer(4096);
    for (;;) {
        if (::getcwd(buffer.data(), buffer.size()) != nullptr)
            return QByteArray(buffer.data());
        if (errno != ERANGE)
            return QByteArrayLiteral("/");
        buffer.resize(buffer.size() * 2);
    }
}

} // namespace

QString toDisplay(const QByteArray &path)
{
    return QString::fromUtf8(path);
}

int utf8SequenceLength(const unsigned char *data, qsizetype size)
{
    if (size <= 0)
        return 0;
    const unsigned char b0 = data[0];
    if (b0 < 0x80U)
        return 1;
    // The second byte's allowed range is what rules out overlong forms (E0, F0), UTF-16
    // surrogates (ED) and code points above U+10FFFF (F4), as the Unicode standard's table 3-7.
    unsigned char lo = 0x80U;
    unsigned char hi = 0xBFU;
    int length = 0;
    if (b0 >= 0xC2U && b0 <= 0xDFU) {
        length = 2;
    } else if (b0 >= 0xE0U && b0 <= 0xEFU) {
        length = 3;
        if (b0 == 0xE0U)
            lo = 0xA0U;
        else if (b0 == 0xEDU)
            hi = 0x9FU;
    } else if (b0 >= 0xF0U && b0 <= 0xF4U) {
        length = 4;
        if (b0 == 0xF0U)
            lo = 0x90U;
        else if (b0 == 0xF4U)
            hi = 0x8FU;
    } else {
        return 0;
    }
    if (size < length)
        return 0;
    if (data[1] < lo || data[1] > hi)
        return 0;
    for (int i = 2; i < length; ++i) {
        if (!isContinuation(data[i]))
            return 0;
    }
    return length;
}

bool isValidUtf8(const QByteArray &bytes)
{
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.constData());
    const qsizetype size = bytes.size();
    qsizetype i = 0;
    while (i < size) {
        if (data[i] < 0x80U) {
            ++i;
            continue;
        }
        const int length = utf8SequenceLength(data + i, size - i);
        if (length == 0)
            return false;
        i += length;
    }
    return true;
}

QString fsDecode(const QByteArray &bytes)
{
    if (isValidUtf8(bytes))
        return QString::fromUtf8(bytes);

    const auto *data = reinterpret_cast<const unsigned char *>(bytes.constData());
    const qsizetype size = bytes.size();
    QString out;
    out.reserve(size);
    qsizetype i = 0;
    while (i < size) {
        const int length = utf8SequenceLength(data + i, size - i);
        if (length == 0) {
            out.append(QChar(char16_t(0xDC00U + data[i])));
            ++i;
            continue;
        }
        const char32_t cp = decodeSequence(data + i, length);
        if (cp < 0x10000U) {
            out.append(QChar(char16_t(cp)));
        } else {
            out.append(QChar(QChar::highSurrogate(cp)));
            out.append(QChar(QChar::lowSurrogate(cp)));
        }
        i += length;
    }
    return out;
}

QByteArray fsEncode(QStringView text)
{
    QByteArray out;
    out.reserve(text.size() * 3);
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t unit = text[i].unicode();
        char32_t cp = unit;
        if (QChar::isHighSurrogate(unit) && i + 1 < size && QChar::isLowSurrogate(text[i + 1].unicode())) {
            cp = QChar::surrogateToUcs4(unit, text[i + 1].unicode());
            ++i;
        } else if (unit >= 0xDC80U && unit <= 0xDCFFU) {
            out.append(char(unit - 0xDC00U));
            continue;
        } else if (QChar::isSurrogate(unit)) {
            cp = 0xFFFDU;
        }
        if (cp < 0x80U) {
            out.append(char(cp));
        } else if (cp < 0x800U) {
            out.append(char(0xC0U | (cp >> 6)));
            out.append(char(0x80U | (cp & 0x3FU)));
        } else if (cp < 0x10000U) {
            out.append(char(0xE0U | (cp >> 12)));
            out.append(char(0x80U | ((cp >> 6) & 0x3FU)));
            out.append(char(0x80U | (cp & 0x3FU)));
        } else {
            out.append(char(0xF0U | (cp >> 18)));
            out.append(char(0x80U | ((cp >> 12) & 0x3FU)));
            out.append(char(0x80U | ((cp >> 6) & 0x3FU)));
            out.append(char(0x80U | (cp & 0x3FU)));
        }
    }
    return out;
}

QByteArray absolutePath(const QByteArray &path)
{
    const QByteArray full = path.startsWith('/') ? path : currentDirectory() + '/' + path;

    QList<QByteArray> parts;
    for (const QByteArray &part : full.split('/')) {
        if (part.isEmpty() || part == ".")
            continue;
        if (part == "..") {
            if (!parts.isEmpty())
                parts.removeLast();
            continue;
        }
        parts.append(part);
    }
    if (parts.isEmpty())
        return QByteArrayLiteral("/");

    QByteArray out;
    for (const QByteArray &part : parts) {
        out.append('/');
        out.append(part);
    }
    return out;
}

QByteArray fileName(const QByteArray &path)
{
    const qsizetype slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.mid(slash + 1);
}

} // namespace oncutf::core::files
