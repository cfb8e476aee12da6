#include "core/rename/filenamevalidator.h"

#include "core/files/nativepath.h"

#include <array>

namespace oncutf::core::rename {

namespace {

bool isReservedWindowsName(const QByteArray &name)
{
    // Windows reserves the device name also with any extension ("nul.tar.gz") and ignores
    // trailing spaces before the dot, so compare the part before the first dot, trimmed.
    qsizetype end = name.indexOf('.');
    if (end < 0)
        end = name.size();
    while (end > 0 && name.at(end - 1) == ' ')
        --end;
    const QByteArray base = name.left(end).toUpper();
    if (base == "CON" || base == "PRN" || base == "AUX" || base == "NUL")
        return true;
    if (base.size() == 4 && (base.startsWith("COM") || base.startsWith("LPT")))
        return base.at(3) >= '1' && base.at(3) <= '9';
    return false;
}

// Per byte: 1 = never in a POSIX name (or a lead byte to look at closer: 0xC2 starts C1
// controls), 2 = not on Windows. Most names pass the scan with one table load per byte.
constexpr auto ByteClasses = [] {
    std::array<unsigned char, 256> table{};
    for (int c = 0; c < 0x20; ++c)
        table[size_t(c)] = 1;
    table['/'] = 1;
    table[0x7F] = 1;
    table[0xC2] = 1;
    for (const char c : {'<', '>', ':', '"', '\\', '|', '?', '*'})
        table[static_cast<unsigned char>(c)] = 2;
    return table;
}();

QString hexByte(unsigned char byte)
{
    return QStringLiteral("0x%1").arg(uint(byte), 2, 16, QLatin1Char('0'));
}

} // namespace

std::optional<QString> FileNameValidator::check(const QByteArray &name, bool windowsSafe)
{
    if (name.isEmpty())
        return QStringLiteral("the new name is empty");
    if (name == "." || name == "..")
        return QStringLiteral("\"%1\" is not a file name").arg(QString::fromLatin1(name));
    if (name.size() > MaxNameBytes)
        return QStringLiteral("the new name is %1 bytes long (at most %2)").arg(name.size()).arg(MaxNameBytes);

    const auto *data = reinterpret_cast<const unsigned char *>(name.constData());
    const qsizetype size = name.size();
    const unsigned char mask = windowsSafe ? 3 : 1;
    for (qsizetype i = 0; i < size; ++i) {
        const unsigned char c = data[i];
        if ((ByteClasses[c] & mask) == 0)
            continue;
        if (c == '/')
            return QStringLiteral("the new name contains '/'");
        if (c == 0)
            return QStringLiteral("the new name contains a NUL byte");
        if (c < 0x20 || c == 0x7F)
            return QStringLiteral("the new name contains the control character %1").arg(hexByte(c));
        // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F; a lone 0xC2 byte that is
        // not followed by a continuation byte is just an undecodable byte, kept as it is.
        if (c == 0xC2 && i + 1 < size && data[i + 1] >= 0x80 && data[i + 1] <= 0x9F)
            return QStringLiteral("the new name contains the control character U+00%1")
                .arg(uint(data[i + 1]), 2, 16, QLatin1Char('0'));
        if (windowsSafe) {
            switch (c) {
            case '<':
            case '>':
            case ':':
            case '"':
            case '\\':
            case '|':
            case '?':
            case '*':
                return QStringLiteral("the new name contains '%1', which Windows does not allow")
                    .arg(QLatin1Char(char(c)));
            default:
                break;
            }
        }
    }
    if (windowsSafe) {
        const char last = name.back();
        if (last == '.' || last == ' ')
            return QStringLiteral("the new name ends with a %1, which Windows does not allow")
                .arg(last == '.' ? QStringLiteral("dot") : QStringLiteral("space"));
        if (isReservedWindowsName(name))
            return QStringLiteral("\"%1\" is a reserved name on Windows").arg(files::toDisplay(name));
    }
    return std::nullopt;
}

} // namespace oncutf::core::rename
