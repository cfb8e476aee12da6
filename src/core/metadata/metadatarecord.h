#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include <optional>

namespace oncutf::core::metadata {

/// Fast: the fields people rename by, read in-process when possible (ExifTool `-json -G`
/// otherwise). Extended: everything ExifTool knows (`-json -G0:3 -a -ee`, main-document keys as
/// `Group:Tag`, embedded documents' as `Group:DocN:Tag`), always through ExifTool.
enum class MetadataMode { Fast, Extended };

[[nodiscard]] inline QString metadataModeName(MetadataMode mode)
{
    return mode == MetadataMode::Extended ? QStringLiteral("extended") : QStringLiteral("fast");
}

/// The metadata of one file: ExifTool-style "Group:Tag" keys with the JSON strings, numbers,
/// booleans or arrays `exiftool -json -G` prints for them. A file without metadata has empty
/// fields and no error; a file that could not be read at all has an error (and usually no fields).
/// Threading: a plain value.
struct MetadataRecord {
    qsizetype index = -1; ///< position in the list given to a batch read
    QByteArray path;      ///< native bytes, as given
    MetadataMode mode = MetadataMode::Fast;
    QJsonObject fields;
    /// Only from a MetadataLoader run with Options::printForm: when not empty, `fields` is empty
    /// and this is what JsonWriter::value(fields) would write (compact JSON).
    QByteArray printedFields;
    std::optional<Error> error;

    [[nodiscard]] bool ok() const { return !error.has_value(); }
};

} // namespace oncutf::core::metadata

Q_DECLARE_METATYPE(oncutf::core::metadata::MetadataRecord)
