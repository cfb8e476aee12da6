#include "core/metadata/fieldregistry.h"

#include <QHash>
#include <QJsonArray>
#include <QStringList>

namespace oncutf::core::metadata {

namespace {

using C = FieldCategory;
using T = FieldType;

struct Row {
    const char *key;
    const char *displayName;
    FieldCategory category;
    FieldType type;
};

// The keys ExifTool uses for them with -G; the fast reader returns the EXIF/File ones in-process.
constexpr Row kRows[] = {
    {"File:FileName", "File Name", C::File, T::Text},
    {"File:Directory", "Folder", C::File, T::Text},
    {"File:FileSize", "File Size", C::File, T::Text},
    {"File:FileModifyDate", "Modified", C::File, T::DateTime},
    {"File:FileType", "File Type", C::File, T::Text},
    {"File:MIMEType", "MIME Type", C::File, T::Text},

    {"File:ImageWidth", "Image Width", C::Image, T::Number},
    {"File:ImageHeight", "Image Height", C::Image, T::Number},
    {"EXIF:ImageWidth", "Image Width", C::Image, T::Number},
    {"EXIF:ImageHeight", "Image Height", C::Image, T::Number},
    {"PNG:ImageWidth", "Image Width", C::Image, T::Number},
    {"PNG:ImageHeight", "Image Height", C::Image, T::Number},
    {"RIFF:ImageWidth", "Image Width", C::Image, T::Number},
    {"RIFF:ImageHeight", "Image Height", C::Image, T::Number},
    {"Composite:ImageSize", "Image Size", C::Image, T::Text},
    {"Composite:Megapixels", "Megapixels", C::Image, T::Number},
    {"EXIF:Orientation", "Orientation", C::Image, T::Text},
    {"EXIF:ImageDescription", "Description", C::Image, T::Text},
    {"EXIF:Artist", "Artist", C::Image, T::Text},
    {"EXIF:Copyright", "Copyright", C::Image, T::Text},
    {"XMP:Title", "Title", C::Image, T::Text},
    {"XMP:Creator", "Creator", C::Image, T::Text},
    {"XMP:Rights", "Rights", C::Image, T::Text},
    {"XMP:Rating", "Rating", C::Image, T::Number},
    {"IPTC:Keywords", "Keywords", C::Image, T::Text},
    {"XMP:Subject", "Keywords (XMP)", C::Image, T::Text},

    {"EXIF:Make", "Camera Make", C::Camera, T::Text},
    {"EXIF:Model", "Camera Model", C::Camera, T::Text},
    {"EXIF:LensMake", "Lens Make", C::Camera, T::Text},
    {"EXIF:LensModel", "Lens", C::Camera, T::Text},
    {"Composite:LensID", "Lens ID", C::Camera, T::Text},
    {"EXIF:SerialNumber", "Camera Serial Number", C::Camera, T::Text},
    {"EXIF:Software", "Software", C::Camera, T::Text},
    {"EXIF:DateTimeOriginal", "Date Taken", C::Camera, T::DateTime},
    {"EXIF:CreateDate", "Date Digitized", C::Camera, T::DateTime},
    {"EXIF:ModifyDate", "Date Modified (EXIF)", C::Camera, T::DateTime},
    {"EXIF:SubSecTimeOriginal", "Sub-seconds Taken", C::Camera, T::Text},
    {"EXIF:SubSecTimeDigitized", "Sub-seconds Digitized", C::Camera, T::Text},
    {"EXIF:SubSecTime", "Sub-seconds Modified", C::Camera, T::Text},
    {"EXIF:OffsetTimeOriginal", "Time Zone Taken", C::Camera, T::Text},
    {"EXIF:OffsetTimeDigitized", "Time Zone Digitized", C::Camera, T::Text},
    {"EXIF:OffsetTime", "Time Zone Modified", C::Camera, T::Text},
    {"Composite:SubSecDateTimeOriginal", "Date Taken (with sub-seconds)", C::Camera, T::DateTime},
    {"XMP:DateTimeOriginal", "Date Taken (XMP)", C::Camera, T::DateTime},
    {"XMP:CreateDate", "Date Created (XMP)", C::Camera, T::DateTime},

    {"QuickTime:CreateDate", "Date Created (video)", C::Video, T::DateTime},
    {"QuickTime:ModifyDate", "Date Modified (video)", C::Video, T::DateTime},
    {"QuickTime:MediaCreateDate", "Media Created", C::Video, T::DateTime},
    {"QuickTime:TrackCreateDate", "Track Created", C::Video, T::DateTime},
    {"QuickTime:CreationDate", "Creation Date (camera)", C::Video, T::DateTime},
    {"QuickTime:Duration", "Duration", C::Video, T::Duration},
    {"QuickTime:ImageWidth", "Video Width", C::Video, T::Number},
    {"QuickTime:ImageHeight", "Video Height", C::Video, T::Number},
    {"QuickTime:VideoFrameRate", "Frame Rate", C::Video, T::Number},
    {"QuickTime:CompressorID", "Video Codec", C::Video, T::Text},
    {"QuickTime:CompressorName", "Video Codec Name", C::Video, T::Text},
    {"QuickTime:AvgBitrate", "Average Bitrate", C::Video, T::Text},
    {"QuickTime:Rotation", "Rotation", C::Video, T::Number},
    {"QuickTime:Make", "Camera Make (video)", C::Video, T::Text},
    {"QuickTime:Model", "Camera Model (video)", C::Video, T::Text},
    {"Matroska:Duration", "Duration", C::Video, T::Duration},
    {"RIFF:Duration", "Duration", C::Video, T::Duration},
    {"Composite:Duration", "Duration", C::Video, T::Duration},
    {"XMP:NonRealTimeMetaDeviceManufacturer", "Camera Make (Sony XML)", C::Video, T::Text},
    {"XMP:NonRealTimeMetaDeviceModelName", "Camera Model (Sony XML)", C::Video, T::Text},
    {"XMP:NonRealTimeMetaCreationDateValue", "Creation Date (Sony XML)", C::Video, T::DateTime},

    {"QuickTime:AudioSampleRate", "Sample Rate", C::Audio, T::Number},
    {"QuickTime:AudioChannels", "Channels", C::Audio, T::Number},
    {"QuickTime:AudioBitsPerSample", "Bits per Sample", C::Audio, T::Number},
    {"ID3:Title", "Title (audio)", C::Audio, T::Text},
    {"ID3:Artist", "Artist (audio)", C::Audio, T::Text},
    {"ID3:Album", "Album", C::Audio, T::Text},
    {"ID3:Year", "Year", C::Audio, T::Text},
    {"ID3:Track", "Track", C::Audio, T::Text},
    {"ID3:Genre", "Genre", C::Audio, T::Text},
    {"MPEG:AudioBitrate", "Audio Bitrate", C::Audio, T::Text},
    {"MPEG:SampleRate", "Sample Rate", C::Audio, T::Number},
    {"FLAC:SampleRate", "Sample Rate", C::Audio, T::Number},
    {"Vorbis:Artist", "Artist (audio)", C::Audio, T::Text},
    {"Vorbis:Title", "Title (audio)", C::Audio, T::Text},

    {"EXIF:GPSLatitude", "Latitude", C::Location, T::Coordinate},
    {"EXIF:GPSLatitudeRef", "Latitude Reference", C::Location, T::Text},
    {"EXIF:GPSLongitude", "Longitude", C::Location, T::Coordinate},
    {"EXIF:GPSLongitudeRef", "Longitude Reference", C::Location, T::Text},
    {"EXIF:GPSAltitude", "Altitude", C::Location, T::Text},
    {"EXIF:GPSAltitudeRef", "Altitude Reference", C::Location, T::Text},
    {"Composite:GPSLatitude", "Latitude", C::Location, T::Coordinate},
    {"Composite:GPSLongitude", "Longitude", C::Location, T::Coordinate},
    {"Composite:GPSPosition", "Position", C::Location, T::Coordinate},
    {"XMP:GPSLatitude", "Latitude (XMP)", C::Location, T::Coordinate},
    {"XMP:GPSLongitude", "Longitude (XMP)", C::Location, T::Coordinate},

    {"EXIF:ISO", "ISO", C::Technical, T::Number},
    {"EXIF:FNumber", "Aperture", C::Technical, T::Number},
    {"EXIF:ExposureTime", "Shutter Speed", C::Technical, T::Text},
    {"EXIF:FocalLength", "Focal Length", C::Technical, T::Text},
    {"EXIF:FocalLengthIn35mmFormat", "Focal Length (35 mm)", C::Technical, T::Text},
    {"EXIF:ExposureProgram", "Exposure Program", C::Technical, T::Text},
    {"EXIF:ExposureCompensation", "Exposure Compensation", C::Technical, T::Text},
    {"EXIF:MeteringMode", "Metering Mode", C::Technical, T::Text},
    {"EXIF:Flash", "Flash", C::Technical, T::Text},
    {"EXIF:WhiteBalance", "White Balance", C::Technical, T::Text},
    {"EXIF:ColorSpace", "Color Space", C::Technical, T::Text},
    {"Composite:ShutterSpeed", "Shutter Speed", C::Technical, T::Text},
    {"Composite:Aperture", "Aperture", C::Technical, T::Number},
};

const QHash<QString, qsizetype> &indexByKey()
{
    static const QHash<QString, qsizetype> index = [] {
        QHash<QString, qsizetype> map;
        for (qsizetype i = 0; i < static_cast<qsizetype>(std::size(kRows)); ++i) {
            map.insert(QString::fromLatin1(kRows[i].key), i);
        }
        return map;
    }();
    return index;
}

// "FileModifyDate" -> "File Modify Date"
QString spacedWords(QStringView tag)
{
    QString out;
    for (qsizetype i = 0; i < tag.size(); ++i) {
        const QChar c = tag.at(i);
        if (i > 0 && c.isUpper() && (tag.at(i - 1).isLower() || (i + 1 < tag.size() && tag.at(i + 1).isLower()))) {
            out += QLatin1Char(' ');
        }
        out += c;
    }
    return out;
}

} // namespace

const QList<FieldInfo> &FieldRegistry::knownFields()
{
    static const QList<FieldInfo> fields = [] {
        QList<FieldInfo> list;
        for (const Row &row : kRows) {
            list.append(FieldInfo{QString::fromLatin1(row.key), QString::fromLatin1(row.displayName), row.category, row.type});
        }
        return list;
    }();
    return fields;
}

std::optional<FieldInfo> FieldRegistry::find(QStringView key)
{
    const auto &index = indexByKey();
    const auto it = index.constFind(key.toString());
    if (it == index.constEnd()) {
        return std::nullopt;
    }
    return knownFields().at(it.value());
}

FieldInfo FieldRegistry::describe(QStringView key)
{
    if (std::optional<FieldInfo> known = find(key)) {
        return *known;
    }
    const qsizetype colon = key.indexOf(QLatin1Char(':'));
    const QStringView group = colon > 0 ? key.left(colon) : QStringView();
    const QStringView tag = colon >= 0 ? key.mid(key.lastIndexOf(QLatin1Char(':')) + 1) : key;
    FieldInfo info;
    info.key = key.toString();
    info.displayName = spacedWords(tag);

    if (tag.endsWith(QLatin1String("Date")) || tag.contains(QLatin1String("DateTime"))) {
        info.type = FieldType::DateTime;
    } else if (tag.contains(QLatin1String("Duration"))) {
        info.type = FieldType::Duration;
    } else if (tag == QLatin1String("GPSLatitude") || tag == QLatin1String("GPSLongitude")
               || tag == QLatin1String("GPSPosition") || tag == QLatin1String("GPSCoordinates")) {
        info.type = FieldType::Coordinate;
    }

    if (tag.startsWith(QLatin1String("GPS"))) {
        info.category = FieldCategory::Location;
    } else if (group == QLatin1String("File") || group == QLatin1String("System")) {
        info.category = FieldCategory::File;
    } else if (group == QLatin1String("QuickTime") || group == QLatin1String("Matroska") || group == QLatin1String("M2TS")
               || group == QLatin1String("H264") || group == QLatin1String("RIFF") || group == QLatin1String("MXF")) {
        info.category = tag.startsWith(QLatin1String("Audio")) ? FieldCategory::Audio : FieldCategory::Video;
    } else if (group == QLatin1String("ID3") || group == QLatin1String("MPEG") || group == QLatin1String("FLAC")
               || group == QLatin1String("Vorbis") || group == QLatin1String("APE") || group == QLatin1String("AIFF")) {
        info.category = FieldCategory::Audio;
    } else if (group == QLatin1String("MakerNotes") || tag.startsWith(QLatin1String("Lens"))
               || tag == QLatin1String("Make") || tag == QLatin1String("Model")) {
        info.category = FieldCategory::Camera;
    } else if (group == QLatin1String("PNG") || group == QLatin1String("JFIF") || group == QLatin1String("IPTC")
               || group == QLatin1String("XMP") || group == QLatin1String("ICC_Profile")) {
        info.category = FieldCategory::Image;
    } else {
        info.category = FieldCategory::Technical;
    }
    return info;
}

QString FieldRegistry::categoryName(FieldCategory category)
{
    switch (category) {
    case FieldCategory::File: return QStringLiteral("file");
    case FieldCategory::Image: return QStringLiteral("image");
    case FieldCategory::Camera: return QStringLiteral("camera");
    case FieldCategory::Video: return QStringLiteral("video");
    case FieldCategory::Audio: return QStringLiteral("audio");
    case FieldCategory::Location: return QStringLiteral("location");
    case FieldCategory::Technical: return QStringLiteral("technical");
    }
    return QStringLiteral("technical");
}

QString FieldRegistry::typeName(FieldType type)
{
    switch (type) {
    case FieldType::Text: return QStringLiteral("text");
    case FieldType::Number: return QStringLiteral("number");
    case FieldType::DateTime: return QStringLiteral("datetime");
    case FieldType::Duration: return QStringLiteral("duration");
    case FieldType::Coordinate: return QStringLiteral("coordinate");
    }
    return QStringLiteral("text");
}

QString FieldRegistry::displayText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (d == double(qint64(d)))
            return QString::number(qint64(d));
        return QString::number(d, 'g', 12);
    }
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &element : value.toArray())
            parts.append(displayText(element));
        return parts.join(QStringLiteral(", "));
    }
    default:
        return {};
    }
}

} // namespace oncutf::core::metadata
