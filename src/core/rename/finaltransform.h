#pragma once

#include <QString>
#include <QStringView>

namespace oncutf::core::rename {

enum class CaseMode { Original, Lower, Upper, Capitalize, Title };
enum class SeparatorMode { AsIs, Snake, Kebab, Space };

/// The recipe's "final_transform" block. Threading: a plain value.
struct FinalTransformOptions {
    bool greeklish = false;
    CaseMode caseMode = CaseMode::Original;
    SeparatorMode separator = SeparatorMode::AsIs;
    bool stripDiacritics = false;

    [[nodiscard]] bool isIdentity() const
    {
        return !greeklish && caseMode == CaseMode::Original && separator == SeparatorMode::AsIs && !stripDiacritics;
    }
    bool operator==(const FinalTransformOptions &) const = default;
};

/// The last step of a name, run exactly once on the new stem (never on the extension), in this
/// order: Greeklish, strip diacritics, case, separator. When the result is empty the input is
/// returned unchanged, as the original did (a name of only separators must not vanish).
///
/// - greeklish: Greek letters to Latin (accents dropped; digraphs μπ→b, ντ→d, γκ/γγ→g, ου→ou
///   first, then θ→th, χ→ch, ψ→ps, ξ→x, ω→w (as the original)...; a capital digraph stays all-capitals inside an
///   all-capitals word: ΘΕΜΑ→THEMA, Θέμα→Thema). The original mapped ξ to "close".
/// - strip_diacritics: é→e, ñ→n, ø→o, ß→ss, ł→l ... (decomposition, combining marks dropped).
/// - case: lower, upper (Greek capitals without tonos, as Greek writes them), capitalize (first
///   letter of the name upper, the rest lower), title (first letter of each word upper, the rest
///   lower; words split at spaces, '_', '-', '.').
/// - separator: snake (runs of spaces, '-' and '_' become one '_'), kebab (the same with '-'),
///   space ('_' and '-' become spaces, runs collapse, none at the ends); leading and trailing
///   spaces are dropped first.
/// Owner: the name builder. Threading: stateless; reentrant.
class FinalTransform final {
public:
    FinalTransform() = delete;

    [[nodiscard]] static QString apply(const QString &stem, const FinalTransformOptions &options);

    [[nodiscard]] static QString greeklish(QStringView text);
    [[nodiscard]] static QString stripDiacritics(QStringView text);
    [[nodiscard]] static QString changeCase(const QString &text, CaseMode mode);
    [[nodiscard]] static QString changeSeparator(QStringView text, SeparatorMode mode);
};

} // namespace oncutf::core::rename
