#pragma once

#include "core/rename/dateformat.h"
#include "core/rename/recipe.h"
#include "core/rename/regexreplacement.h"
#include "core/rename/renameinput.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringView>

#include <functional>
#include <optional>

namespace oncutf::core::rename {

/// The new name of one file as the modules made it. Threading: a plain value.
struct BuiltName {
    QByteArray fileName;    ///< stem + "." + original extension, native bytes
    qsizetype stemSize = 0; ///< bytes of fileName that are the new stem
    QString missing;        ///< non-empty: missing_data, and why (names the field)

    /// The new stem (companions append their own tail to it).
    [[nodiscard]] QByteArray stem() const { return fileName.left(stemSize); }
};

/// Evaluates a recipe's modules for files in numbering order: concatenates the enabled modules'
/// outputs, drops an extension the modules already produced (IMG.JPG + ".jpg" is not doubled),
/// runs the final transform once and re-appends the original extension byte-exact.
/// Counters of every scope are O(1) per file (a hash map per counter module). Metadata values
/// (and formatted dates) are cleaned so that they can never add a path separator, "..", a
/// control or format character or invalid UTF-8 (see cleanValue()). The original stem keeps its
/// exact bytes, even when they are not UTF-8 (PEP-383 round trip).
/// Owner: RenamePlanner, which sorts the inputs and validates the result.
/// Threading: construct anywhere; build() is const and reentrant.
class NameBuilder final {
public:
    /// The recipe must be valid (Recipe::validate()); an invalid regex or date format is
    /// reported by error() and makes every name missing_data with that reason.
    explicit NameBuilder(const Recipe &recipe);

    [[nodiscard]] const QString &error() const { return m_error; }

    /// One BuiltName per input, same order. Returns early (fewer names) when cancelled.
    [[nodiscard]] QList<BuiltName> build(const QList<const RenameInput *> &ordered,
                                         const std::function<bool()> &isCancelled = {}) const;
    [[nodiscard]] QList<BuiltName> build(const QList<RenameInput> &ordered) const;

    /// A metadata value made safe for a file name: / \ : * ? " < > | become '_'; control, format
    /// and line-separator characters and whitespace runs become one space; lone surrogates and
    /// non-characters become '_'; runs of dots collapse to one; spaces, dots and '_' at either end
    /// are dropped ("../../etc" -> "etc").
    [[nodiscard]] static QString cleanValue(QStringView value);
    /// cleanValue() appended to `out`; returns false (nothing appended) when nothing is left.
    static bool appendCleanValue(QString &out, QStringView value);

    /// The raw text of `field` ("Group:Tag", case-insensitively if need be, or a bare "Tag" of any
    /// group, EXIF then XMP then QuickTime first), or nullopt when absent.
    [[nodiscard]] static std::optional<QString> metadataValue(const RenameInput &input, const QString &field);
    /// The capture date from captureDateFields() (EXIF pieces joined), or nullopt.
    [[nodiscard]] static std::optional<DateParts> captureDate(const RenameInput &input);

    /// Splits a file name at its last dot: ("IMG_1", "JPG"); no extension for ".bashrc", "a." or
    /// "README".
    [[nodiscard]] static std::pair<QByteArray, QByteArray> splitExtension(const QByteArray &fileName);

private:
    enum class FieldKind { FileMtime, FileCtime, CaptureDate, Metadata };
    struct Compiled {
        RecipeModule module;
        FieldKind fieldKind = FieldKind::Metadata;
        DateFormat dateFormat;
        bool hasFormat = false;
        std::optional<RegexReplacement> regex;
        FieldKind groupKind = FieldKind::Metadata;
        bool groupIsDate = false;
    };

    [[nodiscard]] static FieldKind fieldKindOf(const QString &field);
    [[nodiscard]] static std::optional<DateParts> dateOf(const RenameInput &input, FieldKind kind,
                                                         const QString &field, QString *why);
    [[nodiscard]] QString groupKey(const Compiled &counter, const RenameInput &input) const;

    QList<Compiled> m_modules;
    FinalTransformOptions m_transform;
    bool m_needsStem = false;
    QString m_error;
};

} // namespace oncutf::core::rename
