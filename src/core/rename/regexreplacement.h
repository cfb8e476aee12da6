#pragma once

#include "core/error.h"

#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringView>

namespace oncutf::core::rename {

/// A compiled "replace" module with regex on: the expression plus the replacement text split
/// into literal runs and group references ($0..$99, ${1}, ${name}; $$ is a dollar sign), so that
/// applying it to 100k stems never re-parses anything.
/// Owner: the name builder (and Recipe::validate, to report bad references early).
/// Threading: a value; apply() is const and may run from several threads at once.
class RegexReplacement final {
public:
    RegexReplacement() = default;

    /// Fails on an invalid expression (with the column), a reference to a group the expression
    /// does not have, or a '$' that starts no reference.
    [[nodiscard]] static Result<RegexReplacement> compile(const QString &pattern, bool caseSensitive,
                                                          QStringView replacement);

    /// Every match in `subject` replaced.
    [[nodiscard]] QString apply(const QString &subject) const;

private:
    struct Part {
        int group = -1; ///< -1: literal
        QString literal;
    };
    QRegularExpression m_regex;
    QList<Part> m_parts;
};

} // namespace oncutf::core::rename
