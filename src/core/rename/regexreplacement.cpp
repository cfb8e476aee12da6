#include "core/rename/regexreplacement.h"

namespace oncutf::core::rename {

Result<RegexReplacement> RegexReplacement::compile(const QString &pattern, bool caseSensitive,
                                                   QStringView replacement)
{
    RegexReplacement result;
    QRegularExpression::PatternOptions options = QRegularExpression::UseUnicodePropertiesOption;
    if (!caseSensitive)
        options |= QRegularExpression::CaseInsensitiveOption;
    result.m_regex = QRegularExpression(pattern, options);
    if (!result.m_regex.isValid())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("invalid regular expression at column %1: %2")
                             .arg(result.m_regex.patternErrorOffset() + 1)
                             .arg(result.m_regex.errorString()));
    result.m_regex.optimize();

    const int groups = result.m_regex.captureCount();
    const QStringList names = result.m_regex.namedCaptureGroups();
    QString literal;
    const auto flush = [&] {
        if (!literal.isEmpty()) {
            result.m_parts.append(Part{-1, literal});
            literal.clear();
        }
    };
    const qsizetype n = replacement.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = replacement.at(i);
        if (c != QLatin1Char('$')) {
            literal.append(c);
            continue;
        }
        if (i + 1 >= n)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("a '$' at column %1 ends the replacement; write $$ for a dollar sign")
                                 .arg(i + 1));
        const QChar next = replacement.at(i + 1);
        int group = -1;
        qsizetype end = i + 1;
        if (next == QLatin1Char('$')) {
            literal.append(next);
            ++i;
            continue;
        }
        if (next.isDigit()) {
            // Two digits when the group exists ($12), else one ($1 followed by a literal 2).
            group = next.digitValue();
            end = i + 2;
            if (end < n && replacement.at(end).isDigit()) {
                const int two = group * 10 + replacement.at(end).digitValue();
                if (two <= groups) {
                    group = two;
                    ++end;
                }
            }
        } else if (next == QLatin1Char('{')) {
            const qsizetype close = replacement.indexOf(QLatin1Char('}'), i + 2);
            if (close < 0)
                return makeError(ErrorCode::InvalidArgument,
                                 QStringLiteral("'${' at column %1 is not closed").arg(i + 1));
            const QStringView name = replacement.sliced(i + 2, close - i - 2);
            bool isNumber = false;
            const int number = name.toInt(&isNumber);
            if (isNumber) {
                group = number;
            } else {
                group = int(names.indexOf(name.toString()));
                if (group <= 0)
                    return makeError(ErrorCode::InvalidArgument,
                                     QStringLiteral("the expression has no group named \"%1\" (column %2)")
                                         .arg(name)
                                         .arg(i + 1));
            }
            end = close + 1;
        } else {
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("'$' at column %1 must be followed by a group number, {name} or $")
                                 .arg(i + 1));
        }
        if (group < 0 || group > groups)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("the expression has no group %1 (column %2; it has %3)")
                                 .arg(group)
                                 .arg(i + 1)
                                 .arg(groups));
        flush();
        result.m_parts.append(Part{group, {}});
        i = end - 1;
    }
    flush();
    return result;
}

QString RegexReplacement::apply(const QString &subject) const
{
    QRegularExpressionMatchIterator it = m_regex.globalMatch(subject);
    if (!it.hasNext())
        return subject;
    QString out;
    out.reserve(subject.size() + 16);
    qsizetype copied = 0;
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        out.append(QStringView(subject).sliced(copied, match.capturedStart() - copied));
        for (const Part &part : m_parts) {
            if (part.group < 0)
                out.append(part.literal);
            else
                out.append(match.capturedView(part.group));
        }
        copied = match.capturedEnd();
    }
    out.append(QStringView(subject).sliced(copied));
    return out;
}

} // namespace oncutf::core::rename
