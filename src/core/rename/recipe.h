#pragma once

#include "core/error.h"
#include "core/rename/finaltransform.h"
#include "core/rename/renameplan.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace oncutf::core::rename {

enum class ModuleType { OriginalName, Text, Counter, Metadata, TextRemoval, Replace, Hash, Substring };
enum class CounterScope { Global, PerFolder, PerExtension, PerGroup };
enum class RemovalPosition { Start, End, First, All };
enum class SortKey { Name, Natural, Mtime, Size, CaptureDate };

/// One module of a recipe. A flat value: only the fields of its type are meaningful (and only
/// those are written to JSON). Threading: a plain value.
struct RecipeModule {
    ModuleType type = ModuleType::OriginalName;
    bool enabled = true;           ///< "enabled": false keeps the module in the recipe but skips it

    QString text;                  ///< text, text_removal

    qint64 start = 1;              ///< counter
    qint64 step = 1;
    int padding = 3;
    CounterScope scope = CounterScope::PerFolder;
    QString groupBy;               ///< counter scope per_group: the metadata field to group by

    QString field;                 ///< metadata: "Group:Tag", a bare "Tag", file:mtime, file:ctime, capture_date
    QString format;                ///< metadata: strftime-style, for dates
    std::optional<QString> fallback;

    RemovalPosition position = RemovalPosition::End; ///< text_removal
    bool caseSensitive = false;    ///< text_removal (default false), replace (default true)

    QString find;                  ///< replace
    QString replace;
    bool regex = false;

    int from = 0;                  ///< substring: characters [from, to) of the original stem
    std::optional<int> to;

    /// A module of `type` with that type's defaults (replace is case-sensitive by default).
    [[nodiscard]] static RecipeModule make(ModuleType type);
    bool operator==(const RecipeModule &) const = default;
};

/// The one rename rule format shared by the CLI (--recipe FILE), GUI presets and history: the
/// new stem is the concatenation of the enabled modules' outputs, the extension is kept, and the
/// final transform runs once at the end. JSON keys are documented in docs/recipes.md; fromJson()
/// rejects unknown keys and bad values with a message naming the key
/// ("modules[2].padding: expected a number from 1 to 12").
/// Special metadata fields: file:mtime, file:ctime (the file's times, local time zone) and
/// capture_date (the first of EXIF:DateTimeOriginal, EXIF:CreateDate, XMP and QuickTime dates).
/// Owner: whoever builds a plan (CLI command, GUI preview model, history).
/// Threading: a plain value.
struct Recipe {
    static constexpr int FormatVersion = 1;

    QList<RecipeModule> modules;
    FinalTransformOptions finalTransform;
    SortKey sort = SortKey::Name;
    bool sortReverse = false;
    ConflictPolicy onConflict = ConflictPolicy::Fail;
    bool companions = true;
    bool windowsSafe = false;
    /// Appended to the stem for the suffix policy; "{n}" is the attempt number (1, 2, ...).
    QString suffix = QStringLiteral("_{n}");

    [[nodiscard]] static Result<Recipe> fromJson(const QByteArray &json);
    [[nodiscard]] static Result<Recipe> fromJsonObject(const QJsonObject &object);
    [[nodiscard]] QByteArray toJson() const;      ///< indented; fromJson(toJson()) == *this
    [[nodiscard]] QJsonObject toJsonObject() const;

    /// The checks fromJson() makes, for recipes built in code (GUI, template compiler).
    [[nodiscard]] Status validate() const;

    /// Metadata keys the enabled modules, per_group counters and the capture_date sort read, so
    /// the front end loads only those (a bare tag name is returned as it is).
    [[nodiscard]] QStringList requiredMetadataFields() const;
    [[nodiscard]] bool needsMetadata() const { return !requiredMetadataFields().isEmpty(); }
    [[nodiscard]] bool needsHash() const;           ///< an enabled hash module
    [[nodiscard]] bool needsCaptureDate() const;    ///< sort by capture_date

    bool operator==(const Recipe &) const = default;
};

[[nodiscard]] QString moduleTypeName(ModuleType type);
[[nodiscard]] QString sortKeyName(SortKey key);
[[nodiscard]] std::optional<SortKey> sortKeyFromString(const QString &text);

/// The metadata keys tried, in order, for the capture date (the "capture_date" field, the
/// {date} template token and the capture_date sort).
[[nodiscard]] const QStringList &captureDateFields();

} // namespace oncutf::core::rename
