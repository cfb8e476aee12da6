#include "core/metadata/exiftoolformat.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace oncutf::core::metadata {

namespace {

bool isAsciiDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

// printf-style formatting that ignores the C locale (QCoreApplication sets LC_ALL from the
// environment, and a decimal comma would break every value); std::to_chars rounds exactly like
// glibc's printf, which is what Perl's sprintf calls.
QString formatDouble(double value, std::chars_format format, int precision)
{
    if (std::isinf(value)) {
        return value < 0 ? QStringLiteral("-Inf") : QStringLiteral("Inf");
    }
    if (std::isnan(value)) {
        return QStringLiteral("NaN");
    }
    std::array<char, 400> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, format,
                                      precision);
    if (result.ec != std::errc()) {
        return QString();
    }
    return QString::fromLatin1(buffer.data(), static_cast<qsizetype>(result.ptr - buffer.data()));
}

QString fixed(double value, int precision)
{
    return formatDouble(value, std::chars_format::fixed, precision);
}

// Counts the ASCII digits starting at `pos`.
qsizetype digitRun(const QString &text, qsizetype pos)
{
    qsizetype n = 0;
    while (pos + n < text.size() && isAsciiDigit(text.at(pos + n))) {
        ++n;
    }
    return n;
}

// EscapeJSON's number pattern: /^-?(\d|[1-9]\d{1,14})(\.\d{1,16})?(e[-+]?\d{1,3})?$/i
bool looksLikeJsonNumber(const QString &text)
{
    qsizetype pos = 0;
    if (pos < text.size() && text.at(pos) == QLatin1Char('-')) {
        ++pos;
    }
    const qsizetype intDigits = digitRun(text, pos);
    if (intDigits == 0 || intDigits > 15) {
        return false;
    }
    if (intDigits > 1 && text.at(pos) == QLatin1Char('0')) {
        return false;
    }
    pos += intDigits;
    if (pos < text.size() && text.at(pos) == QLatin1Char('.')) {
        const qsizetype fracDigits = digitRun(text, pos + 1);
        if (fracDigits == 0 || fracDigits > 16) {
            return false;
        }
        pos += 1 + fracDigits;
    }
    if (pos < text.size() && (text.at(pos) == QLatin1Char('e') || text.at(pos) == QLatin1Char('E'))) {
        ++pos;
        if (pos < text.size() && (text.at(pos) == QLatin1Char('+') || text.at(pos) == QLatin1Char('-'))) {
            ++pos;
        }
        const qsizetype expDigits = digitRun(text, pos);
        if (expDigits == 0 || expDigits > 3) {
            return false;
        }
        pos += expDigits;
    }
    return pos == text.size();
}

// /^[+-]?(?=\d|<sep>\d)\d*(<sep>\d*)?([Ee]([+-]?\d+))?$/ with sep '.' or ','.
bool matchesFloat(const QString &text, QChar separator)
{
    qsizetype pos = 0;
    if (pos < text.size() && (text.at(pos) == QLatin1Char('+') || text.at(pos) == QLatin1Char('-'))) {
        ++pos;
    }
    const bool startsWithDigit = pos < text.size() && isAsciiDigit(text.at(pos));
    const bool startsWithSepDigit = pos + 1 < text.size() && text.at(pos) == separator
        && isAsciiDigit(text.at(pos + 1));
    if (!startsWithDigit && !startsWithSepDigit) {
        return false;
    }
    pos += digitRun(text, pos);
    if (pos < text.size() && text.at(pos) == separator) {
        pos += 1 + digitRun(text, pos + 1);
    }
    if (pos < text.size() && (text.at(pos) == QLatin1Char('e') || text.at(pos) == QLatin1Char('E'))) {
        ++pos;
        if (pos < text.size() && (text.at(pos) == QLatin1Char('+') || text.at(pos) == QLatin1Char('-'))) {
            ++pos;
        }
        const qsizetype expDigits = digitRun(text, pos);
        if (expDigits == 0) {
            return false;
        }
        pos += expDigits;
    }
    return pos == text.size();
}

bool isPerlSpace(QChar c)
{
    return c == QLatin1Char(' ') || c == QLatin1Char('\t') || c == QLatin1Char('\n')
        || c == QLatin1Char('\r') || c == QLatin1Char('\f') || c == QChar(0x0b);
}

} // namespace

QJsonValue ExifToolFormat::jsonValue(const QString &printed)
{
    if (printed.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0) {
        return QJsonValue(true);
    }
    if (printed.compare(QLatin1String("false"), Qt::CaseInsensitive) == 0) {
        return QJsonValue(false);
    }
    if (looksLikeJsonNumber(printed)) {
        return QJsonValue(perlNumber(printed));
    }
    return QJsonValue(printed);
}

QString ExifToolFormat::fixUtf8(QByteArrayView bytes)
{
    QByteArray fixed;
    fixed.reserve(bytes.size());
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.data());
    const qsizetype size = bytes.size();
    qsizetype i = 0;
    while (i < size) {
        const unsigned char ch = data[i];
        if (ch < 0x80) {
            fixed.append(static_cast<char>(ch));
            ++i;
            continue;
        }
        bool valid = false;
        qsizetype length = 1;
        if (ch >= 0xc2 && ch < 0xf8) {
            const qsizetype n = ch < 0xe0 ? 1 : (ch < 0xf0 ? 2 : 3);
            // The n following bytes must all be continuation bytes.
            bool continuation = i + n < size;
            for (qsizetype k = 1; continuation && k <= n; ++k) {
                continuation = (data[i + k] & 0xc0) == 0x80;
            }
            if (continuation) {
                const unsigned char c1 = data[i + 1];
                if (n == 1) {
                    valid = true;
                } else if (n == 2) {
                    const bool bad = (ch == 0xe0 && (c1 & 0xe0) == 0x80)
                        || (ch == 0xed && (c1 & 0xe0) == 0xa0)
                        || (ch == 0xef && c1 == 0xbf && (data[i + 2] & 0xfe) == 0xbe);
                    valid = !bad;
                } else {
                    const bool bad = (ch == 0xf0 && (c1 & 0xf0) == 0x80) || (ch == 0xf4 && c1 > 0x8f)
                        || ch > 0xf4;
                    valid = !bad;
                }
                length = n + 1;
            }
        }
        if (valid) {
            fixed.append(reinterpret_cast<const char *>(data + i), length);
            i += length;
        } else {
            // Only the offending byte is replaced; what follows is examined afresh.
            fixed.append('?');
            ++i;
        }
    }
    return QString::fromUtf8(fixed);
}

QString ExifToolFormat::roundFloat10(double value)
{
    return formatDouble(value, std::chars_format::general, 10);
}

QString ExifToolFormat::rational(qint64 numerator, qint64 denominator)
{
    if (denominator == 0) {
        return numerator != 0 ? QStringLiteral("inf") : QStringLiteral("undef");
    }
    return roundFloat10(static_cast<double>(numerator) / static_cast<double>(denominator));
}

double ExifToolFormat::perlNumber(const QString &text)
{
    const QByteArray latin = text.trimmed().toLatin1();
    const char *begin = latin.constData();
    const char *end = begin + latin.size();
    const char *p = begin;
    bool negative = false;
    if (p < end && (*p == '+' || *p == '-')) {
        negative = *p == '-';
        ++p;
    }
    const QByteArray rest = QByteArray(p, end - p).toLower();
    if (rest.startsWith("inf")) {
        return negative ? -HUGE_VAL : HUGE_VAL;
    }
    if (rest.startsWith("nan")) {
        return std::nan("");
    }
    // Longest prefix of the form digits[.digits][e[+-]digits] (Perl's grok_number).
    const char *q = p;
    while (q < end && *q >= '0' && *q <= '9') {
        ++q;
    }
    if (q < end && *q == '.') {
        ++q;
        while (q < end && *q >= '0' && *q <= '9') {
            ++q;
        }
    }
    if (q == p || (q == p + 1 && *p == '.')) {
        return 0.0;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        const char *e = q + 1;
        if (e < end && (*e == '+' || *e == '-')) {
            ++e;
        }
        if (e < end && *e >= '0' && *e <= '9') {
            while (e < end && *e >= '0' && *e <= '9') {
                ++e;
            }
            q = e;
        }
    }
    double value = 0.0;
    std::from_chars(p, q, value, std::chars_format::general);
    return negative ? -value : value;
}

bool ExifToolFormat::isFloat(const QString &text)
{
    return matchesFloat(text, QLatin1Char('.')) || matchesFloat(text, QLatin1Char(','));
}

QString ExifToolFormat::exposureTime(const QString &value)
{
    if (!isFloat(value)) {
        return value;
    }
    QString normalized = value;
    normalized.replace(QLatin1Char(','), QLatin1Char('.'));
    const double secs = perlNumber(normalized);
    if (secs < 0.25001 && secs > 0) {
        return QStringLiteral("1/%1").arg(static_cast<qint64>(0.5 + 1 / secs));
    }
    QString text = fixed(secs, 1);
    if (text.endsWith(QLatin1String(".0"))) {
        text.chop(2);
    }
    return text;
}

QString ExifToolFormat::fNumber(const QString &value)
{
    if (!isFloat(value)) {
        return value;
    }
    QString normalized = value;
    normalized.replace(QLatin1Char(','), QLatin1Char('.'));
    const double number = perlNumber(normalized);
    if (number > 0) {
        return fixed(number, number < 1 ? 2 : 1);
    }
    return normalized;
}

QString ExifToolFormat::focalLength(const QString &value)
{
    return fixed(perlNumber(value), 1) + QLatin1String(" mm");
}

QString ExifToolFormat::fileSize(qint64 bytes)
{
    const double value = static_cast<double>(bytes);
    if (bytes < 2000) {
        return QString::number(bytes) + QLatin1String(" bytes");
    }
    if (bytes < 10000) {
        return fixed(value / 1000, 1) + QLatin1String(" kB");
    }
    if (bytes < 2000000) {
        return fixed(value / 1000, 0) + QLatin1String(" kB");
    }
    if (bytes < 10000000) {
        return fixed(value / 1000000, 1) + QLatin1String(" MB");
    }
    if (bytes < 2000000000) {
        return fixed(value / 1000000, 0) + QLatin1String(" MB");
    }
    if (bytes < 10000000000) {
        return fixed(value / 1000000000, 1) + QLatin1String(" GB");
    }
    return fixed(value / 1000000000, 0) + QLatin1String(" GB");
}

QString ExifToolFormat::unixTimeLocal(std::time_t seconds)
{
    if (seconds == 0) {
        return QStringLiteral("0000:00:00 00:00:00");
    }
    struct tm local {};
    if (localtime_r(&seconds, &local) == nullptr) {
        return QString();
    }
    long offsetMinutes = local.tm_gmtoff / 60;
    QChar sign = QLatin1Char('+');
    if (local.tm_gmtoff < 0) {
        sign = QLatin1Char('-');
        offsetMinutes = -local.tm_gmtoff / 60;
    }
    return QString::asprintf("%4d:%.2d:%.2d %.2d:%.2d:%.2d", local.tm_year + 1900, local.tm_mon + 1,
                             local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec)
        + sign
        + QString::asprintf("%.2ld:%.2ld", offsetMinutes / 60, offsetMinutes % 60);
}

QString ExifToolFormat::gpsCoordinate(const QString &rationalTriple)
{
    if (rationalTriple.contains(QLatin1String("inf")) || rationalTriple.contains(QLatin1String("undef"))) {
        return QString();
    }
    // ToDegrees: the first three decimal numbers found in the string.
    std::array<double, 3> parts{0.0, 0.0, 0.0};
    int found = 0;
    const QStringList tokens = rationalTriple.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &token : tokens) {
        if (found == 3) {
            break;
        }
        parts[static_cast<size_t>(found++)] = perlNumber(token);
    }
    if (found == 0) {
        return QString();
    }
    double value = parts[0] + (parts[1] + parts[2] / 60) / 60;
    value = std::fabs(value);
    // ToDMS with "%d deg %d' %.2f\"": integer degrees and minutes, then seconds rounded to
    // two places, carrying a rounded 60.00 into the minutes (and degrees).
    double degrees = std::trunc(value);
    double minutes = std::trunc((value - degrees) * 60);
    const double seconds = (value - degrees - minutes / 60) * 3600;
    double secondsRounded = perlNumber(fixed(seconds, 2));
    if (secondsRounded >= 60) {
        secondsRounded -= 60;
        minutes += 1;
        if (minutes >= 60) {
            minutes -= 60;
            degrees += 1;
        }
    }
    return QStringLiteral("%1 deg %2' %3\"")
        .arg(static_cast<qint64>(degrees))
        .arg(static_cast<qint64>(minutes))
        .arg(fixed(secondsRounded, 2));
}

QString ExifToolFormat::gpsAltitude(const QString &value)
{
    if (value == QLatin1String("inf") || value == QLatin1String("undef")) {
        return value;
    }
    return value + QLatin1String(" m");
}

QString ExifToolFormat::orientation(const QString &value)
{
    static const std::array<const char *, 8> names = {
        "Horizontal (normal)",
        "Mirror horizontal",
        "Rotate 180",
        "Mirror vertical",
        "Mirror horizontal and rotate 270 CW",
        "Rotate 90 CW",
        "Mirror horizontal and rotate 90 CW",
        "Rotate 270 CW",
    };
    bool ok = false;
    const int number = value.toInt(&ok);
    if (ok && number >= 1 && number <= 8 && QString::number(number) == value) {
        return QString::fromLatin1(names[static_cast<size_t>(number - 1)]);
    }
    return QStringLiteral("Unknown (%1)").arg(value);
}

QString ExifToolFormat::gpsRef(const QString &ref)
{
    if (ref == QLatin1String("N")) {
        return QStringLiteral("North");
    }
    if (ref == QLatin1String("S")) {
        return QStringLiteral("South");
    }
    if (ref == QLatin1String("E")) {
        return QStringLiteral("East");
    }
    if (ref == QLatin1String("W")) {
        return QStringLiteral("West");
    }
    return QStringLiteral("Unknown (%1)").arg(ref);
}

QString ExifToolFormat::gpsAltitudeRef(const QString &value)
{
    if (value == QLatin1String("0")) {
        return QStringLiteral("Above Sea Level");
    }
    if (value == QLatin1String("1")) {
        return QStringLiteral("Below Sea Level");
    }
    return QStringLiteral("Unknown (%1)").arg(value);
}

QString ExifToolFormat::isoList(const QString &value)
{
    QString out;
    out.reserve(value.size());
    qsizetype i = 0;
    while (i < value.size()) {
        if (isPerlSpace(value.at(i))) {
            while (i < value.size() && isPerlSpace(value.at(i))) {
                ++i;
            }
            out += QLatin1String(", ");
            continue;
        }
        out += value.at(i++);
    }
    return out;
}

QString ExifToolFormat::trimTrailingWhitespace(const QString &text)
{
    qsizetype end = text.size();
    while (end > 0 && isPerlSpace(text.at(end - 1))) {
        --end;
    }
    return text.left(end);
}

} // namespace oncutf::core::metadata
