#pragma once

#include <QDateTime>
#include <QString>
#include <QStringView>

#include <optional>

namespace oncutf::core::metadata {

/// A date read from metadata, for the rename engine's strftime-style formatting.
/// `dateTime` holds the wall-clock time exactly as written: with its UTC offset
/// (Qt::OffsetFromUTC) when the value has one (or is UTC by convention, as QuickTime dates are),
/// otherwise as a "floating" time stored with spec Qt::UTC so that no time-zone or DST rule ever
/// shifts its digits. Threading: a plain value.
struct ParsedDateTime {
    QDateTime dateTime;
    bool hasTime = false;
    bool hasOffset = false;
    /// The fractional-second digits as written ("123", "050"), empty when none.
    QString subSeconds;

    /// Milliseconds of the sub-seconds (first three digits, zero-padded).
    [[nodiscard]] int milliseconds() const;
    /// "+02:00", "-05:30", "Z" rendered as "+00:00"; empty without an offset.
    [[nodiscard]] QString offsetText() const;
};

/// Parses the date forms ExifTool prints: EXIF "YYYY:MM:DD HH:MM:SS" with optional sub-seconds and
/// offset (also what it prints for XMP, QuickTime and file dates), ISO 8601 / XMP forms
/// ("2026-11-27T16:03:07.12+02:00", "2026-11-27T16:03", date only, year-month, year), and the
/// separate EXIF pieces (SubSecTimeOriginal, OffsetTimeOriginal) joined to their date.
/// Zero or blank dates ("0000:00:00 00:00:00", "    :  :  ") are not dates.
/// Threading: stateless; every function is reentrant.
class DateParser final {
public:
    DateParser() = delete;

    [[nodiscard]] static std::optional<ParsedDateTime> parse(QStringView text);

    /// Parses the value of a metadata field; a QuickTime date without an offset is UTC (the
    /// QuickTime specification stores UTC; ExifTool prints it unconverted).
    [[nodiscard]] static std::optional<ParsedDateTime> parseField(QStringView key, QStringView value);

    /// DateTimeOriginal + SubSecTimeOriginal + OffsetTimeOriginal (either may be empty): the
    /// pieces the EXIF 2.31 standard keeps apart. Pieces already present in `date` win.
    [[nodiscard]] static std::optional<ParsedDateTime> combine(QStringView date, QStringView subSeconds,
                                                               QStringView offset);

    /// True for keys whose dates are UTC by specification (QuickTime/Track/Media dates).
    [[nodiscard]] static bool isUtcByConvention(QStringView key);
};

} // namespace oncutf::core::metadata
