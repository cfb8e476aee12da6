#include "core/metadata/dateparser.h"

namespace oncutf::core::metadata {

namespace {

// A cursor over the text; every reader returns false without consuming on a mismatch.
class Cursor {
public:
    explicit Cursor(QStringView text) : m_text(text) {}

    [[nodiscard]] bool atEnd() const { return m_pos >= m_text.size(); }
    [[nodiscard]] QChar peek() const { return atEnd() ? QChar() : m_text.at(m_pos); }
    void skip() { ++m_pos; }

    bool accept(QChar c)
    {
        if (peek() == c) {
            ++m_pos;
            return true;
        }
        return false;
    }

    // Exactly `count` ASCII digits.
    bool digits(int count, int *value)
    {
        if (m_pos + count > m_text.size()) {
            return false;
        }
        int v = 0;
        for (int i = 0; i < count; ++i) {
            const QChar c = m_text.at(m_pos + i);
            if (c < QLatin1Char('0') || c > QLatin1Char('9')) {
                return false;
            }
            v = v * 10 + (c.unicode() - '0');
        }
        m_pos += count;
        *value = v;
        return true;
    }

    // One or more ASCII digits, as text.
    QString digitRun()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && peek() >= QLatin1Char('0') && peek() <= QLatin1Char('9')) {
            ++m_pos;
        }
        return m_text.mid(start, m_pos - start).toString();
    }

private:
    QStringView m_text;
    qsizetype m_pos = 0;
};

bool isDateSeparator(QChar c)
{
    return c == QLatin1Char(':') || c == QLatin1Char('-') || c == QLatin1Char('/');
}

// "Z", "+HH:MM", "+HHMM", "+HH" at the cursor; false (nothing consumed) when none is there.
bool readOffset(Cursor &cursor, int *seconds)
{
    if (cursor.accept(QLatin1Char('Z')) || cursor.accept(QLatin1Char('z'))) {
        *seconds = 0;
        return true;
    }
    const QChar sign = cursor.peek();
    if (sign != QLatin1Char('+') && sign != QLatin1Char('-')) {
        return false;
    }
    Cursor probe = cursor;
    probe.skip();
    int hours = 0;
    int minutes = 0;
    if (!probe.digits(2, &hours)) {
        return false;
    }
    probe.accept(QLatin1Char(':'));
    if (!probe.atEnd() && !probe.digits(2, &minutes)) {
        return false;
    }
    if (hours > 14 || minutes > 59) {
        return false;
    }
    cursor = probe;
    *seconds = (hours * 3600 + minutes * 60) * (sign == QLatin1Char('-') ? -1 : 1);
    return true;
}

QDateTime build(QDate date, QTime time, bool hasOffset, int offsetSeconds)
{
    return hasOffset ? QDateTime(date, time, Qt::OffsetFromUTC, offsetSeconds) : QDateTime(date, time, Qt::UTC);
}

int millisecondsOf(const QString &subSeconds)
{
    QString digits = subSeconds.left(3);
    while (digits.size() < 3) {
        digits.append(QLatin1Char('0'));
    }
    return digits.isEmpty() ? 0 : digits.toInt();
}

} // namespace

int ParsedDateTime::milliseconds() const
{
    return millisecondsOf(subSeconds);
}

QString ParsedDateTime::offsetText() const
{
    if (!hasOffset) {
        return {};
    }
    const int offset = dateTime.offsetFromUtc();
    const int minutes = std::abs(offset) / 60;
    return QString::asprintf("%c%02d:%02d", offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
}

std::optional<ParsedDateTime> DateParser::parse(QStringView text)
{
    Cursor cursor(text.trimmed());
    int year = 0;
    int month = 1;
    int day = 1;
    if (!cursor.digits(4, &year) || year == 0) {
        return std::nullopt;
    }
    if (isDateSeparator(cursor.peek())) {
        cursor.skip();
        if (!cursor.digits(2, &month)) {
            return std::nullopt;
        }
        if (isDateSeparator(cursor.peek())) {
            cursor.skip();
            if (!cursor.digits(2, &day)) {
                return std::nullopt;
            }
        }
    }
    const QDate date(year, month, day);
    if (!date.isValid()) {
        return std::nullopt;
    }
    ParsedDateTime parsed;
    int hour = 0;
    int minute = 0;
    int second = 0;
    if (cursor.peek() == QLatin1Char(' ') || cursor.peek() == QLatin1Char('T')) {
        cursor.skip();
        if (!cursor.digits(2, &hour) || !cursor.accept(QLatin1Char(':')) || !cursor.digits(2, &minute)) {
            return std::nullopt;
        }
        if (cursor.accept(QLatin1Char(':'))) {
            if (!cursor.digits(2, &second)) {
                return std::nullopt;
            }
            if (cursor.accept(QLatin1Char('.'))) {
                parsed.subSeconds = cursor.digitRun();
                if (parsed.subSeconds.isEmpty()) {
                    return std::nullopt;
                }
            }
        }
        parsed.hasTime = true;
    }
    int offset = 0;
    parsed.hasOffset = readOffset(cursor, &offset);
    if (!cursor.atEnd()) {
        return std::nullopt;
    }
    const QTime time(hour, minute, second, millisecondsOf(parsed.subSeconds));
    if (!time.isValid()) {
        return std::nullopt;
    }
    parsed.dateTime = build(date, time, parsed.hasOffset, offset);
    return parsed;
}

bool DateParser::isUtcByConvention(QStringView key)
{
    return key.startsWith(QLatin1String("QuickTime:")) && key.contains(QLatin1String("Date"));
}

std::optional<ParsedDateTime> DateParser::parseField(QStringView key, QStringView value)
{
    std::optional<ParsedDateTime> parsed = parse(value);
    if (parsed && parsed->hasTime && !parsed->hasOffset && isUtcByConvention(key)) {
        parsed->hasOffset = true;
        parsed->dateTime = build(parsed->dateTime.date(), parsed->dateTime.time(), true, 0);
    }
    return parsed;
}

std::optional<ParsedDateTime> DateParser::combine(QStringView date, QStringView subSeconds, QStringView offset)
{
    std::optional<ParsedDateTime> parsed = parse(date);
    if (!parsed) {
        return std::nullopt;
    }
    const QString sub = subSeconds.trimmed().toString();
    if (parsed->subSeconds.isEmpty() && !sub.isEmpty()) {
        Cursor digits(sub);
        const QString run = digits.digitRun();
        if (!run.isEmpty() && digits.atEnd()) {
            parsed->subSeconds = run;
        }
    }
    int offsetSeconds = parsed->hasOffset ? parsed->dateTime.offsetFromUtc() : 0;
    if (!parsed->hasOffset) {
        Cursor cursor(offset.trimmed());
        int seconds = 0;
        if (readOffset(cursor, &seconds) && cursor.atEnd()) {
            parsed->hasOffset = true;
            offsetSeconds = seconds;
        }
    }
    const QTime time = parsed->dateTime.time();
    parsed->dateTime = build(parsed->dateTime.date(),
                             QTime(time.hour(), time.minute(), time.second(), millisecondsOf(parsed->subSeconds)),
                             parsed->hasOffset, offsetSeconds);
    return parsed;
}

} // namespace oncutf::core::metadata
