#include "core/rename/dateformat.h"

#include <QDate>

#include <algorithm>
#include <ctime>
#include <utility>

namespace oncutf::core::rename {

namespace {

constexpr const char *MonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                      "July",    "August",   "September", "October", "November", "December"};
constexpr const char *DayNames[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

constexpr QStringView SupportedDirectives = u"YymdeHIMSpjbBaAfzFTs%";

// Formats into a fixed buffer, appended to the name once: QString::append per digit costs more
// than the rest of the formatting.
class Buffer {
public:
    void number(qint64 value, int width, char16_t fill = u'0')
    {
        if (value < 0) {
            put(u'-');
            value = -value;
        }
        char16_t digits[24];
        int count = 0;
        do {
            digits[count++] = char16_t(u'0' + value % 10);
            value /= 10;
        } while (value > 0);
        for (int i = count; i < width; ++i)
            put(fill);
        while (count > 0)
            put(digits[--count]);
    }
    void latin1(const char *text, int size = -1)
    {
        for (int i = 0; size < 0 ? text[i] != 0 : i < size; ++i)
            put(char16_t(static_cast<unsigned char>(text[i])));
    }
    void text(QStringView text)
    {
        for (const QChar c : text)
            put(c.unicode());
    }
    void flushTo(QString &out)
    {
        out.append(QStringView(m_data, m_size));
        m_size = 0;
    }
    void put(char16_t c)
    {
        if (m_size == Capacity)
            m_overflow.append(QStringView(m_data, std::exchange(m_size, 0)));
        m_data[m_size++] = c;
    }
    QString m_overflow;

private:
    static constexpr int Capacity = 128;
    char16_t m_data[Capacity];
    int m_size = 0;
};

} // namespace

DateParts DateParts::fromParsed(const metadata::ParsedDateTime &parsed)
{
    DateParts parts;
    const QDate date = parsed.dateTime.date();
    const QTime time = parsed.dateTime.time();
    parts.year = date.year();
    parts.month = date.month();
    parts.day = date.day();
    if (parsed.hasTime) {
        parts.hour = time.hour();
        parts.minute = time.minute();
        parts.second = time.second();
    }
    parts.subSeconds = parsed.subSeconds;
    if (parsed.hasOffset)
        parts.offsetSeconds = parsed.dateTime.offsetFromUtc();
    return parts;
}

DateParts DateParts::fromFileTime(qint64 nanoseconds)
{
    // localtime_r rather than QDateTime(LocalTime): the planner formats one time per file and
    // Qt's local-time path costs several microseconds each.
    qint64 seconds = nanoseconds / 1000000000;
    qint64 rest = nanoseconds % 1000000000;
    if (rest < 0) {
        rest += 1000000000;
        --seconds;
    }
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    localtime_r(&t, &tm);
    DateParts parts;
    parts.year = tm.tm_year + 1900;
    parts.month = tm.tm_mon + 1;
    parts.day = tm.tm_mday;
    parts.hour = tm.tm_hour;
    parts.minute = tm.tm_min;
    parts.second = std::min(tm.tm_sec, 59);
    QString ms = QString::number(rest / 1000000);
    parts.subSeconds = QString(3 - ms.size(), QLatin1Char('0')) + ms;
    parts.offsetSeconds = int(tm.tm_gmtoff);
    return parts;
}

qint64 DateParts::wallClockMsecs() const
{
    const qint64 days = QDate(year, month, day).toJulianDay() - QDate(1970, 1, 1).toJulianDay();
    qint64 ms = ((days * 24 + hour) * 60 + minute) * 60 + second;
    ms *= 1000;
    if (!subSeconds.isEmpty())
        ms += QStringView(subSeconds).left(3).toInt() * (subSeconds.size() == 1 ? 100 : subSeconds.size() == 2 ? 10 : 1);
    return ms;
}

QString DateParts::dayKey() const
{
    Buffer b;
    b.number(year, 4);
    b.put(u'-');
    b.number(month, 2);
    b.put(u'-');
    b.number(day, 2);
    QString out;
    b.flushTo(out);
    return out;
}

Result<DateFormat> DateFormat::compile(QStringView pattern)
{
    DateFormat result;
    QString literal;
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const QChar c = pattern.at(i);
        if (c != QLatin1Char('%')) {
            literal.append(c);
            continue;
        }
        if (i + 1 >= pattern.size())
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("a '%' at column %1 ends the format; write %% for a percent sign")
                                 .arg(i + 1));
        const QChar directive = pattern.at(i + 1);
        if (!SupportedDirectives.contains(directive))
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("unknown directive %%1 at column %2 (supported: %Y %y %m %d %e %H "
                                            "%I %M %S %p %j %b %B %a %A %f %z %F %T %s %%)")
                                 .arg(directive)
                                 .arg(i + 1));
        ++i;
        if (directive == QLatin1Char('%')) {
            literal.append(directive);
            continue;
        }
        if (!literal.isEmpty()) {
            result.m_parts.append(Part{0, literal});
            literal.clear();
        }
        result.m_parts.append(Part{directive.unicode(), {}});
    }
    if (!literal.isEmpty())
        result.m_parts.append(Part{0, literal});
    return result;
}

QString DateFormat::format(const DateParts &d) const
{
    QString out;
    formatInto(out, d);
    return out;
}

void DateFormat::formatInto(QString &out, const DateParts &d) const
{
    Buffer b;
    for (const Part &part : m_parts) {
        switch (part.directive) {
        case 0:
            b.text(part.literal);
            break;
        case u'Y':
            b.number(d.year, 4);
            break;
        case u'y':
            b.number(d.year % 100, 2);
            break;
        case u'm':
            b.number(d.month, 2);
            break;
        case u'd':
            b.number(d.day, 2);
            break;
        case u'e':
            b.number(d.day, 2, u' ');
            break;
        case u'H':
            b.number(d.hour, 2);
            break;
        case u'I':
            b.number(d.hour % 12 == 0 ? 12 : d.hour % 12, 2);
            break;
        case u'M':
            b.number(d.minute, 2);
            break;
        case u'S':
            b.number(d.second, 2);
            break;
        case u'p':
            b.latin1(d.hour < 12 ? "AM" : "PM");
            break;
        case u'j':
            b.number(QDate(d.year, d.month, d.day).dayOfYear(), 3);
            break;
        case u'b':
            b.latin1(MonthNames[(d.month - 1) % 12], 3);
            break;
        case u'B':
            b.latin1(MonthNames[(d.month - 1) % 12]);
            break;
        case u'a':
        case u'A': {
            const int dow = QDate(d.year, d.month, d.day).dayOfWeek();
            b.latin1(DayNames[(dow + 6) % 7], part.directive == u'a' ? 3 : -1);
            break;
        }
        case u'f':
            if (d.subSeconds.isEmpty())
                b.latin1("000");
            else
                b.text(d.subSeconds);
            break;
        case u'z':
            if (d.offsetSeconds) {
                const int offset = *d.offsetSeconds;
                b.put(offset < 0 ? u'-' : u'+');
                const int abs = offset < 0 ? -offset : offset;
                b.number(abs / 3600, 2);
                b.number((abs % 3600) / 60, 2);
            }
            break;
        case u'F':
            b.number(d.year, 4);
            b.put(u'-');
            b.number(d.month, 2);
            b.put(u'-');
            b.number(d.day, 2);
            break;
        case u'T':
            b.number(d.hour, 2);
            b.put(u':');
            b.number(d.minute, 2);
            b.put(u':');
            b.number(d.second, 2);
            break;
        case u's':
            b.number(d.wallClockMsecs() / 1000 - d.offsetSeconds.value_or(0), 1);
            break;
        default:
            break;
        }
    }
    if (!b.m_overflow.isEmpty())
        out.append(b.m_overflow);
    b.flushTo(out);
}

} // namespace oncutf::core::rename
