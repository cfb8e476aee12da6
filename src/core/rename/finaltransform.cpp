#include "core/rename/finaltransform.h"

#include <QHash>

namespace oncutf::core::rename {

namespace {

bool isGreek(char16_t c)
{
    return (c >= 0x0370 && c <= 0x03FF) || (c >= 0x1F00 && c <= 0x1FFF);
}

bool containsGreek(QStringView text)
{
    for (const QChar c : text) {
        if (isGreek(c.unicode()))
            return true;
    }
    return false;
}

// Decomposes, drops the combining marks that sit on a Greek letter (all of them, or only the
// acute/tonos), and recomposes: Latin letters keep their accents.
QString dropGreekMarks(QStringView text, bool onlyTonos)
{
    const QString decomposed = text.toString().normalized(QString::NormalizationForm_D);
    QString out;
    out.reserve(decomposed.size());
    bool afterGreek = false;
    for (const QChar c : decomposed) {
        if (c.category() == QChar::Mark_NonSpacing) {
            if (afterGreek && (!onlyTonos || c.unicode() == 0x0301 || c.unicode() == 0x0344))
                continue;
            out.append(c);
            continue;
        }
        afterGreek = isGreek(c.unicode());
        out.append(c);
    }
    return out.normalized(QString::NormalizationForm_C);
}

const char *greekLetter(char16_t lower)
{
    switch (lower) {
    case u'α': return "a";
    case u'β': return "v";
    case u'γ': return "g";
    case u'δ': return "d";
    case u'ε': return "e";
    case u'ζ': return "z";
    case u'η': return "i";
    case u'θ': return "th";
    case u'ι': return "i";
    case u'κ': return "k";
    case u'λ': return "l";
    case u'μ': return "m";
    case u'ν': return "n";
    case u'ξ': return "x"; // the original's table said "close" here (an accidental edit)
    case u'ο': return "o";
    case u'π': return "p";
    case u'ρ': return "r";
    case u'σ': return "s";
    case u'ς': return "s";
    case u'τ': return "t";
    case u'υ': return "y";
    case u'φ': return "f";
    case u'χ': return "ch";
    case u'ψ': return "ps";
    case u'ω': return "w";
    default: return nullptr;
    }
}

const char *greekDigraph(char16_t first, char16_t second)
{
    if (first == u'μ' && second == u'π')
        return "b";
    if (first == u'ν' && second == u'τ')
        return "d";
    if (first == u'γ' && (second == u'κ' || second == u'γ'))
        return "g";
    if (first == u'ο' && second == u'υ')
        return "ou";
    return nullptr;
}

} // namespace

QString FinalTransform::greeklish(QStringView input)
{
    if (!containsGreek(input))
        return input.toString();
    // Work on the decomposed text: accents on Greek letters are dropped, but a dialytika
    // (U+0308) still says that two vowels are not a digraph (προϋπόθεση -> proypothesi).
    const QString text = input.toString().normalized(QString::NormalizationForm_D);
    const qsizetype n = text.size();
    QString out;
    out.reserve(n + 8);
    // Index of the next base character after i (skipping combining marks), or n.
    const auto nextBase = [&text, n](qsizetype i) {
        ++i;
        while (i < n && text.at(i).category() == QChar::Mark_NonSpacing)
            ++i;
        return i;
    };
    const auto hasDiaeresis = [&text, n](qsizetype base) {
        for (qsizetype k = base + 1; k < n && text.at(k).category() == QChar::Mark_NonSpacing; ++k) {
            if (text.at(k).unicode() == 0x0308)
                return true;
        }
        return false;
    };
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text.at(i);
        if (!isGreek(c.unicode())) {
            out.append(c); // including the marks of Latin letters
            continue;
        }
        if (c.category() == QChar::Mark_NonSpacing)
            continue;
        const char16_t lower = c.toLower().unicode();
        const char *latin = nullptr;
        qsizetype next = nextBase(i);
        if (next < n && !hasDiaeresis(next)) {
            latin = greekDigraph(lower, text.at(next).toLower().unicode());
            if (latin)
                next = nextBase(next);
        }
        if (!latin) {
            latin = greekLetter(lower);
            next = nextBase(i);
        }
        if (!latin) {
            out.append(c); // Greek punctuation, archaic letters: left as they are
            continue;
        }
        const QLatin1String mapped(latin);
        if (!c.isUpper()) {
            out.append(mapped);
        } else if (mapped.size() == 1) {
            out.append(QChar(mapped.at(0)).toUpper());
        } else {
            // ΘΕΜΑ -> THEMA but Θέμα -> Thema: look at the letter after the token, or before it
            // when the token ends the word.
            bool allCaps = false;
            if (next < n && text.at(next).isLetter())
                allCaps = text.at(next).isUpper();
            else if (!out.isEmpty() && out.back().isLetter())
                allCaps = out.back().isUpper();
            const QString word(mapped);
            out.append(allCaps ? word.toUpper() : word.left(1).toUpper() + word.mid(1));
        }
        i = next - 1;
    }
    return out.normalized(QString::NormalizationForm_C);
}

QString FinalTransform::stripDiacritics(QStringView input)
{
    static const QHash<char16_t, const char *> special = {
        {u'ß', "ss"}, {u'ẞ', "SS"}, {u'æ', "ae"}, {u'Æ', "AE"}, {u'œ', "oe"}, {u'Œ', "OE"},
        {u'ø', "o"},  {u'Ø', "O"},  {u'ł', "l"},  {u'Ł', "L"},  {u'đ', "d"},  {u'Đ', "D"},
        {u'ð', "d"},  {u'Ð', "D"},  {u'þ', "th"}, {u'Þ', "Th"}, {u'ı', "i"},
    };
    bool ascii = true;
    for (const QChar c : input) {
        if (c.unicode() >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii)
        return input.toString();
    const QString decomposed = input.toString().normalized(QString::NormalizationForm_D);
    QString out;
    out.reserve(decomposed.size());
    for (const QChar c : decomposed) {
        if (c.category() == QChar::Mark_NonSpacing)
            continue;
        const auto it = special.constFind(c.unicode());
        if (it != special.cend())
            out.append(QLatin1String(it.value()));
        else
            out.append(c);
    }
    return out.normalized(QString::NormalizationForm_C);
}

QString FinalTransform::changeCase(const QString &text, CaseMode mode)
{
    switch (mode) {
    case CaseMode::Original:
        return text;
    case CaseMode::Lower:
        return text.toLower();
    case CaseMode::Upper: {
        // Greek is written in capitals without accents (ΚΑΛΗΜΕΡΑ, not ΚΑΛΗΜΈΡΑ).
        const QString upper = text.toUpper();
        return containsGreek(upper) ? dropGreekMarks(upper, true) : upper;
    }
    case CaseMode::Capitalize: {
        QString out = text.toLower();
        for (qsizetype i = 0; i < out.size(); ++i) {
            if (out.at(i).isLetter()) {
                out[i] = out.at(i).toUpper();
                break;
            }
        }
        return out;
    }
    case CaseMode::Title: {
        QString out = text.toLower();
        bool boundary = true;
        for (qsizetype i = 0; i < out.size(); ++i) {
            const QChar c = out.at(i);
            if (c.isLetter()) {
                if (boundary)
                    out[i] = c.toUpper();
                boundary = false;
            } else {
                // "don't" stays one word; "2nd" too.
                boundary = !c.isDigit() && c != QLatin1Char('\'') && c != QChar(0x2019) && !c.isMark();
            }
        }
        return out;
    }
    }
    return text;
}

QString FinalTransform::changeSeparator(QStringView input, SeparatorMode mode)
{
    if (mode == SeparatorMode::AsIs)
        return input.toString();
    const QStringView text = input.trimmed();
    const QChar joiner = mode == SeparatorMode::Snake   ? QLatin1Char('_')
                         : mode == SeparatorMode::Kebab ? QLatin1Char('-')
                                                        : QLatin1Char(' ');
    QString out;
    out.reserve(text.size());
    bool pending = false;
    for (const QChar c : text) {
        if (c.isSpace() || c == QLatin1Char('_') || c == QLatin1Char('-')) {
            pending = true;
            continue;
        }
        // The space mode drops separators at the ends; snake and kebab keep a leading one
        // (e.g. "_draft"), since only surrounding blanks were trimmed.
        if (pending && (!out.isEmpty() || mode != SeparatorMode::Space))
            out.append(joiner);
        pending = false;
        out.append(c);
    }
    if (pending && mode != SeparatorMode::Space)
        out.append(joiner);
    return out;
}

QString FinalTransform::apply(const QString &stem, const FinalTransformOptions &options)
{
    if (options.isIdentity())
        return stem;
    // Bytes of the original name that are not UTF-8 arrive as lone surrogates U+DC80..U+DCFF
    // (PEP 383); Qt's case mapping and normalization would turn them into U+FFFD and change the
    // file's bytes. Park them on private-use code points that no transform touches.
    constexpr char16_t Parked = 0xF780; // U+F780..U+F7FF <-> U+DC80..U+DCFF
    bool hasSurrogates = false;
    bool hasParked = false;
    for (const QChar c : stem) {
        hasSurrogates = hasSurrogates || (c.unicode() >= 0xDC80 && c.unicode() <= 0xDCFF);
        hasParked = hasParked || (c.unicode() >= Parked && c.unicode() <= Parked + 0x7F);
    }
    if (hasSurrogates && hasParked)
        return stem; // cannot be told apart afterwards: leave the name as the modules made it
    QString out = stem;
    if (hasSurrogates) {
        for (QChar &c : out) {
            if (c.unicode() >= 0xDC80 && c.unicode() <= 0xDCFF)
                c = QChar(char16_t(c.unicode() - 0xDC80 + Parked));
        }
    }
    if (options.greeklish)
        out = greeklish(out);
    if (options.stripDiacritics)
        out = stripDiacritics(out);
    out = changeCase(out, options.caseMode);
    out = changeSeparator(out, options.separator);
    if (hasSurrogates) {
        for (QChar &c : out) {
            if (c.unicode() >= Parked && c.unicode() <= Parked + 0x7F)
                c = QChar(char16_t(c.unicode() - Parked + 0xDC80));
        }
    }
    return out.isEmpty() ? stem : out;
}

} // namespace oncutf::core::rename
