#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace oncutf::core::metadata {

/// The in-process fast reader: libexiv2 reads still images (JPEG, PNG, WebP, TIFF, DNG and the
/// TIFF-based RAW formats, CR2 and ORF) and this class prints the fields people rename by under
/// ExifTool's keys, in ExifTool 12.57's printed form and JSON type ("EXIF:FNumber": 2.8,
/// "EXIF:ExposureTime": "1/200", "File:FileSize": "12 kB", ...), so a value is the same whichever
/// route read it. Anything else - video, audio, unknown types, sub-types ExifTool names
/// differently, and any file Exiv2 reads with a warning or an exception (truncated, corrupt) - is
/// "not handled" (std::nullopt) and goes to the ExifTool pool, which is never wrong about them.
/// Threading: call initialize() once (it is idempotent and thread-safe); read() is reentrant and
/// runs on many threads at once.
class Exiv2Reader final {
public:
    Exiv2Reader() = delete;

    /// Mutes Exiv2's own logging (routing it to a per-thread trouble flag) and initialises its
    /// XMP toolkit, which is not safe to initialise from several threads at once.
    static void initialize();

    /// The fast field set of `path` (native bytes), or std::nullopt when this reader does not
    /// handle the file. Never throws.
    [[nodiscard]] static std::optional<QJsonObject> read(const QByteArray &path);
    /// The same fields as the metadata cache's document (cachejson::serialize() of what read()
    /// returns, byte for byte), written straight from what Exiv2 found: for a caller that wants
    /// the text, not the object (building a QJsonObject cost more than reading the file).
    [[nodiscard]] static std::optional<QByteArray> readDocument(const QByteArray &path);

    /// Every key read() may return (for the parity test and the field registry).
    [[nodiscard]] static const QStringList &keys();
};

} // namespace oncutf::core::metadata
