#include "core/rename/namebuilder.h"

#include "core/files/nativepath.h"
#include "core/metadata/dateparser.h"
#include "core/metadata/fieldregistry.h"

#include <QDate>
#include <QHash>
#include <QJsonArray>

namespace oncutf::core::rename {

namespace {

using metadata::DateParser;

// Python-like index clamping, never splitting a surrogate pair.
qsizetype clampIndex(const QString &text, qsizetype index)
{
    if (index >= text.size())
        return text.size();
    if (index > 0 && text.at(index).isLowSurrogate() && text.at(index - 1).isHighSurrogate())
        return index + 1;
    return index;
}

void appendCounter(QString &out, qint64 value, int padding)
{
    char16_t digits[40];
    int count = 0;
    do {
        digits[39 - count++] = char16_t(u'0' + value % 10);
        value /= 10;
    } while (value > 0);
    while (count < padding && count < 40)
        digits[39 - count++] = u'0';
    out.append(QStringView(digits + 40 - count, count));
}

// fsDecode() for the common case of a plain ASCII name is a Latin-1 widening.
QString decodeName(const char *data, qsizetype size)
{
    for (qsizetype i = 0; i < size; ++i) {
        if (static_cast<unsigned char>(data[i]) >= 0x80)
            return files::fsDecode(QByteArray::fromRawData(data, size));
    }
    return QString::fromLatin1(data, size);
}

// A date format's literal text made safe once, so that formatted dates (digits, English month
// names, offsets and these literals) need no cleaning per file: "%H:%M" gives "14_30".
QString cleanPattern(QStringView pattern)
{
    QString out;
    out.reserve(pattern.size() + 8);
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const QChar c = pattern.at(i);
        if (c == QLatin1Char('%') && i + 1 < pattern.size()) {
            // Directives stay; %T would print colons, so it becomes %H_%M_%S.
            if (pattern.at(i + 1) == QLatin1Char('T'))
                out.append(QLatin1String("%H_%M_%S"));
            else
                out.append(pattern.mid(i, 2));
            ++i;
            continue;
        }
        const QChar::Category category = c.category();
        if (c == QLatin1Char('\\') || c == QLatin1Char(':') || c == QLatin1Char('*') || c == QLatin1Char('?')
            || c == QLatin1Char('"') || c == QLatin1Char('<') || c == QLatin1Char('>') || c == QLatin1Char('|')
            || c == QLatin1Char('/') || c.isSurrogate() || category == QChar::Other_Control
            || category == QChar::Other_Format)
            out.append(QLatin1Char('_'));
        else
            out.append(c);
    }
    return out;
}

// fsEncode() for the common case without undecodable bytes is plain (SIMD) UTF-8 encoding.
QByteArray encodeName(const QString &text)
{
    for (const QChar c : text) {
        if (c.isSurrogate())
            return files::fsEncode(text);
    }
    return text.toUtf8();
}

QString removeText(const QString &stem, const RecipeModule &m)
{
    const Qt::CaseSensitivity cs = m.caseSensitive ? Qt::CaseSensitive : Qt::CaseInsensitive;
    switch (m.position) {
    case RemovalPosition::Start:
        return stem.startsWith(m.text, cs) ? stem.mid(m.text.size()) : stem;
    case RemovalPosition::End:
        return stem.endsWith(m.text, cs) ? stem.left(stem.size() - m.text.size()) : stem;
    case RemovalPosition::First: {
        const qsizetype at = stem.indexOf(m.text, 0, cs);
        if (at < 0)
            return stem;
        QString out = stem;
        out.remove(at, m.text.size());
        return out;
    }
    case RemovalPosition::All: {
        QString out = stem;
        out.remove(m.text, cs);
        return out;
    }
    }
    return stem;
}

// The EXIF form "YYYY:MM:DD HH:MM:SS" without sub-seconds or zone, which nearly every camera
// writes, read without DateParser's general machinery; anything else returns nullopt and goes
// through DateParser.
std::optional<DateParts> fastExifDate(QStringView text)
{
    if (text.size() != 19)
        return std::nullopt;
    static constexpr char Shape[] = "dddd:dd:dd dd:dd:dd";
    for (int i = 0; i < 19; ++i) {
        const char16_t c = text.at(i).unicode();
        if (Shape[i] == 'd' ? (c < u'0' || c > u'9') : c != char16_t(Shape[i]))
            return std::nullopt;
    }
    const auto number = [&text](int at, int count) {
        int value = 0;
        for (int i = 0; i < count; ++i)
            value = value * 10 + (text.at(at + i).unicode() - u'0');
        return value;
    };
    DateParts d;
    d.year = number(0, 4);
    d.month = number(5, 2);
    d.day = number(8, 2);
    d.hour = number(11, 2);
    d.minute = number(14, 2);
    d.second = number(17, 2);
    if (d.year == 0 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > QDate(d.year, d.month, 1).daysInMonth()
        || d.hour > 23 || d.minute > 59 || d.second > 59)
        return std::nullopt; // zero dates and nonsense: DateParser decides
    return d;
}

} // namespace

NameBuilder::NameBuilder(const Recipe &recipe) : m_transform(recipe.finalTransform)
{
    for (const RecipeModule &module : recipe.modules) {
        if (!module.enabled)
            continue;
        Compiled c;
        c.module = module;
        switch (module.type) {
        case ModuleType::OriginalName:
        case ModuleType::TextRemoval:
        case ModuleType::Substring:
            m_needsStem = true;
            break;
        case ModuleType::Replace:
            m_needsStem = true;
            if (module.regex) {
                auto compiled = RegexReplacement::compile(module.find, module.caseSensitive, module.replace);
                if (!compiled) {
                    m_error = QStringLiteral("replace: ") + compiled.error().message;
                    continue;
                }
                c.regex = std::move(compiled).value();
            }
            break;
        case ModuleType::Metadata: {
            c.fieldKind = fieldKindOf(module.field);
            c.hasFormat = !module.format.isEmpty() || c.fieldKind != FieldKind::Metadata;
            const QString pattern = cleanPattern(module.format.isEmpty() ? DateFormat::DefaultPattern
                                                                         : QStringView(module.format));
            auto format = DateFormat::compile(pattern);
            if (!format) {
                m_error = module.field + QStringLiteral(": ") + format.error().message;
                continue;
            }
            c.dateFormat = std::move(format).value();
            break;
        }
        case ModuleType::Counter:
            if (module.scope == CounterScope::PerGroup) {
                c.groupKind = fieldKindOf(module.groupBy);
                c.groupIsDate = c.groupKind != FieldKind::Metadata
                                || metadata::FieldRegistry::describe(module.groupBy).type
                                       == metadata::FieldType::DateTime;
            }
            break;
        case ModuleType::Text:
        case ModuleType::Hash:
            break;
        }
        m_modules.append(std::move(c));
    }
}

NameBuilder::FieldKind NameBuilder::fieldKindOf(const QString &field)
{
    if (field.compare(QLatin1String("file:mtime"), Qt::CaseInsensitive) == 0)
        return FieldKind::FileMtime;
    if (field.compare(QLatin1String("file:ctime"), Qt::CaseInsensitive) == 0)
        return FieldKind::FileCtime;
    if (field.compare(QLatin1String("capture_date"), Qt::CaseInsensitive) == 0)
        return FieldKind::CaptureDate;
    return FieldKind::Metadata;
}

std::pair<QByteArray, QByteArray> NameBuilder::splitExtension(const QByteArray &fileName)
{
    const qsizetype dot = fileName.lastIndexOf('.');
    if (dot <= 0 || dot == fileName.size() - 1)
        return {fileName, {}};
    return {fileName.left(dot), fileName.mid(dot + 1)};
}

QString NameBuilder::cleanValue(QStringView value)
{
    QString out;
    appendCleanValue(out, value);
    return out;
}

bool NameBuilder::appendCleanValue(QString &out, QStringView value)
{
    // Written in place after `base` (the output is never longer than the value: a pending space
    // stands for at least one character dropped before it), then trimmed.
    const qsizetype base = out.size();
    out.resize(base + value.size());
    QChar *const w = out.data() + base;
    qsizetype len = 0;
    bool pendingSpace = false;
    const auto put = [&](QChar c) {
        if (pendingSpace && len > 0)
            w[len++] = QLatin1Char(' ');
        pendingSpace = false;
        // ".." can never appear: a dot after a dot is dropped.
        if (c == QLatin1Char('.') && len > 0 && w[len - 1] == QLatin1Char('.'))
            return;
        w[len++] = c;
    };
    const qsizetype n = value.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = value.at(i);
        const char16_t u = c.unicode();
        // Plain letters and digits first: most of a value.
        if ((u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')) {
            put(c);
            continue;
        }
        if (c.isHighSurrogate() && i + 1 < n && value.at(i + 1).isLowSurrogate()) {
            const char32_t ucs4 = QChar::surrogateToUcs4(c, value.at(i + 1));
            if (QChar::category(ucs4) == QChar::Other_Format || QChar::isNonCharacter(ucs4)) {
                pendingSpace = true;
            } else {
                put(c);
                w[len++] = value.at(i + 1);
            }
            ++i;
            continue;
        }
        if (c.isSurrogate() || c.isNonCharacter()) {
            put(QLatin1Char('_'));
            continue;
        }
        switch (u) {
        case u'/':
        case u'\\':
        case u':':
        case u'*':
        case u'?':
        case u'"':
        case u'<':
        case u'>':
        case u'|':
            put(QLatin1Char('_'));
            continue;
        default:
            break;
        }
        const QChar::Category category = c.category();
        if (c.isSpace() || category == QChar::Other_Control || category == QChar::Other_Format
            || category == QChar::Separator_Line || category == QChar::Separator_Paragraph) {
            pendingSpace = true;
            continue;
        }
        put(c);
    }
    const auto isTrimmed = [](QChar c) {
        return c == QLatin1Char(' ') || c == QLatin1Char('.') || c == QLatin1Char('_');
    };
    qsizetype begin = 0;
    while (begin < len && isTrimmed(w[begin]))
        ++begin;
    while (len > begin && isTrimmed(w[len - 1]))
        --len;
    out.truncate(base + len);
    out.remove(base, begin);
    return len > begin;
}

std::optional<QString> NameBuilder::metadataValue(const RenameInput &input, const QString &field)
{
    const QJsonObject &fields = input.metadata;
    const auto exact = fields.constFind(field);
    if (exact != fields.constEnd()) {
        if (exact->isNull() || exact->isUndefined() || exact->isObject())
            return std::nullopt;
        return metadata::FieldRegistry::displayText(*exact);
    }
    const bool bare = !field.contains(QLatin1Char(':'));
    // A bare tag matches any group; prefer the groups a photographer means first.
    static const QLatin1String preferred[] = {QLatin1String("EXIF:"), QLatin1String("XMP:"),
                                              QLatin1String("QuickTime:")};
    int bestRank = 100;
    QJsonValue best;
    for (auto it = fields.constBegin(); it != fields.constEnd(); ++it) {
        const QString key = it.key();
        bool match = false;
        if (bare) {
            match = key.size() > field.size() && key.at(key.size() - field.size() - 1) == QLatin1Char(':')
                    && key.endsWith(field, Qt::CaseInsensitive);
        } else {
            match = key.compare(field, Qt::CaseInsensitive) == 0;
        }
        if (!match || it.value().isNull() || it.value().isObject())
            continue;
        int rank = 3;
        for (int r = 0; r < 3; ++r) {
            if (key.startsWith(preferred[r], Qt::CaseInsensitive))
                rank = r;
        }
        if (rank < bestRank) {
            bestRank = rank;
            best = it.value();
        }
    }
    if (bestRank == 100)
        return std::nullopt;
    return metadata::FieldRegistry::displayText(best);
}

std::optional<DateParts> NameBuilder::captureDate(const RenameInput &input)
{
    if (!input.metadataLoaded)
        return std::nullopt;
    const QJsonObject &fields = input.metadata;
    const auto text = [&fields](const char *key) {
        return fields.value(QLatin1String(key)).toString();
    };
    for (const QString &key : captureDateFields()) {
        const QString value = fields.value(key).toString();
        if (value.isEmpty())
            continue;
        std::optional<metadata::ParsedDateTime> parsed;
        // EXIF keeps sub-seconds and the zone in separate tags (EXIF 2.31).
        const bool exifOriginal = key == QLatin1String("EXIF:DateTimeOriginal");
        if ((exifOriginal || key == QLatin1String("EXIF:CreateDate"))
            && !fields.contains(exifOriginal ? QLatin1String("EXIF:SubSecTimeOriginal") : QLatin1String("EXIF:SubSecTimeDigitized"))
            && !fields.contains(exifOriginal ? QLatin1String("EXIF:OffsetTimeOriginal") : QLatin1String("EXIF:OffsetTimeDigitized"))) {
            if (auto fast = fastExifDate(value))
                return fast;
        }
        if (exifOriginal)
            parsed = DateParser::combine(value, text("EXIF:SubSecTimeOriginal"), text("EXIF:OffsetTimeOriginal"));
        else if (key == QLatin1String("EXIF:CreateDate"))
            parsed = DateParser::combine(value, text("EXIF:SubSecTimeDigitized"), text("EXIF:OffsetTimeDigitized"));
        else
            parsed = DateParser::parseField(key, value);
        if (parsed)
            return DateParts::fromParsed(*parsed);
    }
    return std::nullopt;
}

std::optional<DateParts> NameBuilder::dateOf(const RenameInput &input, FieldKind kind, const QString &field,
                                             QString *why)
{
    switch (kind) {
    case FieldKind::FileMtime:
        return DateParts::fromFileTime(input.mtimeNs);
    case FieldKind::FileCtime:
        return DateParts::fromFileTime(input.ctimeNs);
    case FieldKind::CaptureDate:
        if (!input.metadataLoaded) {
            *why = QStringLiteral("metadata not loaded (needed for the capture date)");
            return std::nullopt;
        }
        if (auto date = captureDate(input))
            return date;
        *why = QStringLiteral("no capture date in the metadata (%1)")
                   .arg(captureDateFields().join(QStringLiteral(", ")));
        return std::nullopt;
    case FieldKind::Metadata:
        break;
    }
    if (!input.metadataLoaded) {
        *why = QStringLiteral("metadata not loaded (needed for %1)").arg(field);
        return std::nullopt;
    }
    const auto value = metadataValue(input, field);
    if (!value || value->trimmed().isEmpty()) {
        *why = QStringLiteral("no %1 in the metadata").arg(field);
        return std::nullopt;
    }
    if (!DateParser::isUtcByConvention(field)) {
        if (auto fast = fastExifDate(*value))
            return fast;
    }
    const auto parsed = DateParser::parseField(field, *value);
    if (!parsed) {
        *why = QStringLiteral("%1 is not a date (\"%2\")").arg(field, cleanValue(*value));
        return std::nullopt;
    }
    return DateParts::fromParsed(*parsed);
}

QString NameBuilder::groupKey(const Compiled &counter, const RenameInput &input) const
{
    const QString &field = counter.module.groupBy;
    if (counter.groupIsDate) {
        QString why;
        const auto date = dateOf(input, counter.groupKind, field, &why);
        return date ? date->dayKey() : QString();
    }
    if (!input.metadataLoaded)
        return {};
    return metadataValue(input, field).value_or(QString()).trimmed();
}

QList<BuiltName> NameBuilder::build(const QList<RenameInput> &ordered) const
{
    QList<const RenameInput *> pointers;
    pointers.reserve(ordered.size());
    for (const RenameInput &input : ordered)
        pointers.append(&input);
    return build(pointers);
}

QList<BuiltName> NameBuilder::build(const QList<const RenameInput *> &ordered,
                                    const std::function<bool()> &isCancelled) const
{
    QList<BuiltName> result;
    result.reserve(ordered.size());
    // One map per counter module; the key says which sequence a file belongs to.
    QList<QHash<QByteArray, qint64>> counters(m_modules.size());
    // Lookups use a view on the input's own bytes; only a new sequence stores a copy of its key.
    const auto positionOf = [](QHash<QByteArray, qint64> &map, const char *data, qsizetype size) -> qint64 & {
        auto it = map.find(QByteArray::fromRawData(data, size));
        if (it == map.end())
            it = map.insert(QByteArray(data, size), 0);
        return it.value();
    };

    QString stem;
    for (qsizetype index = 0; index < ordered.size(); ++index) {
        if (isCancelled && (index & 1023) == 0 && isCancelled())
            break;
        const RenameInput &input = *ordered.at(index);
        BuiltName built;
        if (!m_error.isEmpty())
            built.missing = m_error;

        // Views into the input's path: no copies per file.
        const qsizetype slash = input.path.lastIndexOf('/');
        const char *nameData = input.path.constData() + slash + 1;
        const qsizetype nameSize = input.path.size() - slash - 1;
        qsizetype dot = nameSize - 1;
        while (dot > 0 && nameData[dot] != '.')
            --dot;
        if (dot <= 0 || dot == nameSize - 1)
            dot = nameSize; // no extension (".bashrc", "a.", "README")
        const QByteArray extension =
            QByteArray::fromRawData(nameData + std::min(dot + 1, nameSize), nameSize - std::min(dot + 1, nameSize));
        const QString oldStem = m_needsStem ? decodeName(nameData, dot) : QString();

        stem.truncate(0); // keeps the buffer: clear() would free it for every file
        for (qsizetype mi = 0; mi < m_modules.size(); ++mi) {
            const Compiled &c = m_modules.at(mi);
            const RecipeModule &m = c.module;
            switch (m.type) {
            case ModuleType::OriginalName:
                stem.append(oldStem);
                break;
            case ModuleType::Text:
                stem.append(m.text);
                break;
            case ModuleType::Counter: {
                // Which sequence the file belongs to: a view, or a small key made for it.
                QByteArray key;
                const char *keyData = "";
                qsizetype keySize = 0;
                switch (m.scope) {
                case CounterScope::Global:
                    break;
                case CounterScope::PerFolder:
                    keyData = input.path.constData();
                    keySize = slash < 0 ? 0 : slash;
                    break;
                case CounterScope::PerExtension:
                    key = extension.toLower();
                    break;
                case CounterScope::PerGroup:
                    key = groupKey(c, input).toUtf8();
                    break;
                }
                if (!key.isEmpty()) {
                    keyData = key.constData();
                    keySize = key.size();
                }
                qint64 &position = positionOf(counters[mi], keyData, keySize);
                appendCounter(stem, m.start + position * m.step, m.padding);
                ++position;
                break;
            }
            case ModuleType::Metadata: {
                QString why;
                std::optional<QString> value;
                if (c.hasFormat) {
                    if (const auto date = dateOf(input, c.fieldKind, m.field, &why)) {
                        const qsizetype before = stem.size();
                        c.dateFormat.formatInto(stem, *date);
                        if (stem.size() > before)
                            break;
                        why = QStringLiteral("%1 gives an empty date").arg(m.field);
                    }
                } else if (!input.metadataLoaded) {
                    why = QStringLiteral("metadata not loaded (needed for %1)").arg(m.field);
                } else {
                    value = metadataValue(input, m.field);
                    if (!value)
                        why = QStringLiteral("no %1 in the metadata").arg(m.field);
                }
                const bool appended = value && appendCleanValue(stem, *value);
                if (value && !appended)
                    why = QStringLiteral("%1 is empty").arg(m.field);
                if (!appended) {
                    if (m.fallback)
                        stem.append(*m.fallback);
                    else if (built.missing.isEmpty())
                        built.missing = why;
                }
                break;
            }
            case ModuleType::TextRemoval:
                stem.append(removeText(oldStem, m));
                break;
            case ModuleType::Replace:
                if (c.regex)
                    stem.append(c.regex->apply(oldStem));
                else
                    stem.append(QString(oldStem).replace(m.find, m.replace,
                                                         m.caseSensitive ? Qt::CaseSensitive : Qt::CaseInsensitive));
                break;
            case ModuleType::Hash:
                if (input.crc32 && !input.crc32->isEmpty())
                    appendCleanValue(stem, *input.crc32);
                else if (built.missing.isEmpty())
                    built.missing = QStringLiteral("no CRC32 hash computed for this file");
                break;
            case ModuleType::Substring: {
                const qsizetype from = clampIndex(oldStem, m.from);
                const qsizetype to = m.to ? std::max(from, clampIndex(oldStem, *m.to)) : oldStem.size();
                stem.append(QStringView(oldStem).sliced(from, to - from));
                break;
            }
            }
        }

        // A module that already produced the extension ("IMG_1.JPG" from a metadata field) must
        // not give "IMG_1.JPG.JPG". Cheap test first: a dot where the extension would start.
        if (!extension.isEmpty() && stem.size() > extension.size()
            && stem.at(stem.size() - extension.size() - 1) == QLatin1Char('.')) {
            const QString extensionText = files::fsDecode(extension);
            if (stem.size() > extensionText.size() && stem.endsWith(extensionText, Qt::CaseInsensitive)
                && stem.at(stem.size() - extensionText.size() - 1) == QLatin1Char('.'))
                stem.chop(extensionText.size() + 1);
        }
        built.fileName = encodeName(FinalTransform::apply(stem, m_transform));
        built.stemSize = built.fileName.size();
        if (!extension.isEmpty()) {
            built.fileName.reserve(built.fileName.size() + extension.size() + 1);
            built.fileName.append('.').append(extension);
        }
        result.append(std::move(built));
    }
    return result;
}

} // namespace oncutf::core::rename
