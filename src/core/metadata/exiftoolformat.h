#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QString>

#include <ctime>

namespace oncutf::core::metadata {

/// ExifTool 12.57's print conversions, re-implemented so that a value read in-process (Exiv2Reader)
/// is byte-for-byte the value `exiftool -json -G` prints: the same string, and the same JSON type
/// (ExifTool prints a value that looks like a number as a JSON number, "true"/"false" as booleans).
/// Every function mirrors one ExifTool routine, named in its comment; the parity test holds them to
/// the real program. Stateless.
/// Threading: every function is reentrant and safe from any thread.
class ExifToolFormat final {
public:
    ExifToolFormat() = delete;

    /// The JSON value ExifTool's EscapeJSON emits for a printed value: a number when the text
    /// matches its conservative number pattern, a boolean for true/false, otherwise the string.
    [[nodiscard]] static QJsonValue jsonValue(const QString &printed);

    /// ExifTool's FixUTF8: decodes UTF-8, replacing each byte that does not start or continue a
    /// valid sequence (including overlong forms, surrogates and U+FFFE/U+FFFF) by '?'.
    [[nodiscard]] static QString fixUtf8(QByteArrayView bytes);

    /// RoundFloat(value, 10): sprintf("%.10g"), how ExifTool stores rational values.
    [[nodiscard]] static QString roundFloat10(double value);
    /// An unsigned/signed rational as ExifTool reads it: "%.10g" of the ratio, "inf" or "undef"
    /// when the denominator is zero.
    [[nodiscard]] static QString rational(qint64 numerator, qint64 denominator);
    /// Perl's numeric value of a string ("12.5 m" -> 12.5, "inf" -> inf, "undef" -> 0).
    [[nodiscard]] static double perlNumber(const QString &text);
    /// Image::ExifTool::IsFloat.
    [[nodiscard]] static bool isFloat(const QString &text);

    /// Image::ExifTool::Exif::PrintExposureTime ("1/200", "0.3", "2.5", "30").
    [[nodiscard]] static QString exposureTime(const QString &value);
    /// Image::ExifTool::Exif::PrintFNumber ("2.8", "0.95").
    [[nodiscard]] static QString fNumber(const QString &value);
    /// The FocalLength print conversion: sprintf("%.1f mm").
    [[nodiscard]] static QString focalLength(const QString &value);
    /// Image::ExifTool::ConvertFileSize ("854 bytes", "12 kB", "3.4 MB").
    [[nodiscard]] static QString fileSize(qint64 bytes);
    /// ConvertUnixTime(time, 1): local time with the zone offset, "2026:11:27 16:03:07+02:00".
    [[nodiscard]] static QString unixTimeLocal(std::time_t seconds);
    /// GPS ToDegrees on the space-joined rational triple, then ToDMS with the default
    /// CoordFormat: 40 deg 38' 24.00".
    [[nodiscard]] static QString gpsCoordinate(const QString &rationalTriple);
    /// The GPSAltitude print conversion ("12.5 m").
    [[nodiscard]] static QString gpsAltitude(const QString &value);
    /// The EXIF Orientation print conversion ("Horizontal (normal)", ..., "Unknown (9)").
    [[nodiscard]] static QString orientation(const QString &value);
    /// GPSLatitudeRef / GPSLongitudeRef ("North", "West", ...); `ref` is the raw letter.
    [[nodiscard]] static QString gpsRef(const QString &ref);
    /// GPSAltitudeRef ("Above Sea Level", "Below Sea Level").
    [[nodiscard]] static QString gpsAltitudeRef(const QString &value);
    /// The ISO print conversion: runs of whitespace between values become ", ".
    [[nodiscard]] static QString isoList(const QString &value);
    /// Perl's `s/\s+$//` (spaces, tabs, newlines, CR, FF, VT).
    [[nodiscard]] static QString trimTrailingWhitespace(const QString &text);
};

} // namespace oncutf::core::metadata
