#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace oncutf::core::metadata {

enum class FieldCategory { File, Image, Camera, Video, Audio, Location, Technical };
enum class FieldType { Text, Number, DateTime, Duration, Coordinate };

/// What oncutf knows about one metadata key: how to show it and how the rename engine reads it.
struct FieldInfo {
    QString key;         // "EXIF:DateTimeOriginal"
    QString displayName; // "Date Taken"
    FieldCategory category = FieldCategory::Technical;
    FieldType type = FieldType::Text;
};

/// The metadata keys oncutf knows by name (the ones people rename by and the metadata view groups),
/// under ExifTool's "Group:Tag" keys, with a category and a value type; any other key is
/// described by its group and tag name (a "...Date" tag is a date, a GPS coordinate a coordinate,
/// a QuickTime key video...). The table is fixed at build time.
/// Threading: immutable after first use; every function is safe from any thread.
class FieldRegistry final {
public:
    FieldRegistry() = delete;

    /// The known fields, in display order (category by category).
    [[nodiscard]] static const QList<FieldInfo> &knownFields();
    /// The known field `key`, if it is one.
    [[nodiscard]] static std::optional<FieldInfo> find(QStringView key);
    /// The known field, or a description inferred from the key (never fails).
    [[nodiscard]] static FieldInfo describe(QStringView key);

    /// "file", "image", "camera", "video", "audio", "location", "technical".
    [[nodiscard]] static QString categoryName(FieldCategory category);
    /// "text", "number", "datetime", "duration", "coordinate".
    [[nodiscard]] static QString typeName(FieldType type);
    /// A value as one line of text, the same in names (NameBuilder), tables and panels: strings
    /// as they are, whole numbers without a fraction, others to 12 significant digits, arrays
    /// joined with ", ".
    [[nodiscard]] static QString displayText(const QJsonValue &value);
};

} // namespace oncutf::core::metadata
