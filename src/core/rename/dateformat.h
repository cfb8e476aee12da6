#pragma once

#include "core/error.h"
#include "core/metadata/dateparser.h"

#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace oncutf::core::rename {

/// The wall-clock pieces of a date as a name shows them, independent of QDateTime so that
/// formatting 100k file times stays cheap. Threading: a plain value.
struct DateParts {
    int year = 1970;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    QString subSeconds;                ///< digits as written ("12", "123456"), may be empty
    std::optional<int> offsetSeconds;  ///< east of UTC, when known

    [[nodiscard]] static DateParts fromParsed(const metadata::ParsedDateTime &parsed);
    /// A file time (nanoseconds since the epoch) in the local time zone, as `ls -l` shows it;
    /// sub-seconds are the three millisecond digits.
    [[nodiscard]] static DateParts fromFileTime(qint64 nanoseconds);
    /// Milliseconds of the wall-clock digits read as UTC: an ordering key that compares camera
    /// dates (usually without zone) and file times alike.
    [[nodiscard]] qint64 wallClockMsecs() const;
    /// "2026-11-27": the day, for grouping.
    [[nodiscard]] QString dayKey() const;
};

/// A compiled strftime-style pattern. Supported: %Y %y %m %d %e %H %I %M %S %p %j %b %B %a %A
/// %f (sub-second digits as written; "000" when none) %z (+hhmm, empty when the zone is unknown)
/// %F (%Y-%m-%d) %T (%H:%M:%S) %s (seconds since the epoch of the wall clock) and %%. Month and
/// day names are English so that names do not depend on the machine's locale.
/// Threading: a plain value; format() is const and reentrant.
class DateFormat final {
public:
    /// The pattern used when a date field has no format of its own.
    static constexpr QStringView DefaultPattern = u"%Y%m%d_%H%M%S";

    DateFormat() = default;
    /// Fails on an unknown directive or a trailing '%', naming the column (1-based).
    [[nodiscard]] static Result<DateFormat> compile(QStringView pattern);

    [[nodiscard]] QString format(const DateParts &date) const;
    /// format() appended to `out`.
    void formatInto(QString &out, const DateParts &date) const;
    [[nodiscard]] bool isEmpty() const { return m_parts.isEmpty(); }

private:
    struct Part {
        char16_t directive = 0; ///< 0: literal text
        QString literal;
    };
    QList<Part> m_parts;
};

} // namespace oncutf::core::rename
