#include "core/rename/recipe.h"

#include "core/rename/dateformat.h"
#include "core/rename/regexreplacement.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <cmath>

namespace oncutf::core::rename {

namespace {

template <typename Enum>
struct Names {
    Enum value;
    const char *name;
};

constexpr Names<ModuleType> ModuleTypeNames[] = {
    {ModuleType::OriginalName, "original_name"}, {ModuleType::Text, "text"},
    {ModuleType::Counter, "counter"},            {ModuleType::Metadata, "metadata"},
    {ModuleType::TextRemoval, "text_removal"},   {ModuleType::Replace, "replace"},
    {ModuleType::Hash, "hash"},                  {ModuleType::Substring, "substring"},
};
constexpr Names<CounterScope> ScopeNames[] = {
    {CounterScope::Global, "global"},
    {CounterScope::PerFolder, "per_folder"},
    {CounterScope::PerExtension, "per_extension"},
    {CounterScope::PerGroup, "per_group"},
};
constexpr Names<RemovalPosition> PositionNames[] = {
    {RemovalPosition::Start, "start"},
    {RemovalPosition::End, "end"},
    {RemovalPosition::First, "first"},
    {RemovalPosition::All, "all"},
};
constexpr Names<CaseMode> CaseNames[] = {
    {CaseMode::Original, "original"}, {CaseMode::Lower, "lower"}, {CaseMode::Upper, "upper"},
    {CaseMode::Capitalize, "capitalize"}, {CaseMode::Title, "title"},
};
constexpr Names<SeparatorMode> SeparatorNames[] = {
    {SeparatorMode::AsIs, "as_is"},
    {SeparatorMode::Snake, "snake"},
    {SeparatorMode::Kebab, "kebab"},
    {SeparatorMode::Space, "space"},
};
constexpr Names<SortKey> SortNames[] = {
    {SortKey::Name, "name"},   {SortKey::Natural, "natural"},          {SortKey::Mtime, "mtime"},
    {SortKey::Size, "size"},   {SortKey::CaptureDate, "capture_date"},
};
constexpr Names<ConflictPolicy> PolicyNames[] = {
    {ConflictPolicy::Fail, "fail"},
    {ConflictPolicy::Skip, "skip"},
    {ConflictPolicy::Suffix, "suffix"},
    {ConflictPolicy::Overwrite, "overwrite"},
};

template <typename Enum, size_t N>
QString nameOf(const Names<Enum> (&table)[N], Enum value)
{
    for (const auto &entry : table) {
        if (entry.value == value)
            return QLatin1String(entry.name);
    }
    return QLatin1String(table[0].name);
}

template <typename Enum, size_t N>
std::optional<Enum> valueOf(const Names<Enum> (&table)[N], const QString &name)
{
    for (const auto &entry : table) {
        if (name == QLatin1String(entry.name))
            return entry.value;
    }
    return std::nullopt;
}

template <typename Enum, size_t N>
QString choices(const Names<Enum> (&table)[N])
{
    QStringList out;
    for (const auto &entry : table)
        out.append(QLatin1String(entry.name));
    return out.join(QStringLiteral(", "));
}

Error keyError(const QString &path, const QString &message)
{
    return makeError(ErrorCode::InvalidArgument, path + QStringLiteral(": ") + message);
}

// Reads one JSON object, remembering the first error; every key read is marked, so finish()
// can reject the ones nobody asked for (typos must not be silently ignored).
class ObjectReader {
public:
    ObjectReader(const QJsonObject &object, QString path) : m_object(object), m_path(std::move(path)) {}

    [[nodiscard]] QString pathOf(const QString &key) const
    {
        return m_path.isEmpty() ? key : m_path + QLatin1Char('.') + key;
    }
    [[nodiscard]] bool failed() const { return m_error.has_value(); }
    [[nodiscard]] const Error &error() const { return *m_error; }
    void fail(const QString &key, const QString &message)
    {
        if (!m_error)
            m_error = keyError(pathOf(key), message);
    }
    void fail(const Error &error)
    {
        if (!m_error)
            m_error = error;
    }

    // The value of `key`, or nullopt when absent (or after an error).
    std::optional<QJsonValue> take(const QString &key)
    {
        m_used.insert(key);
        if (failed())
            return std::nullopt;
        const auto it = m_object.constFind(key);
        if (it == m_object.constEnd())
            return std::nullopt;
        return it.value();
    }

    void string(const QString &key, QString *out, bool required = false)
    {
        const auto value = take(key);
        if (!value) {
            if (required && !failed())
                fail(key, QStringLiteral("missing (expected a string)"));
            return;
        }
        if (!value->isString())
            return fail(key, QStringLiteral("expected a string"));
        *out = value->toString();
    }

    void boolean(const QString &key, bool *out)
    {
        const auto value = take(key);
        if (!value)
            return;
        if (!value->isBool())
            return fail(key, QStringLiteral("expected true or false"));
        *out = value->toBool();
    }

    template <typename Int>
    void integer(const QString &key, qint64 min, qint64 max, Int *out)
    {
        const auto value = take(key);
        if (!value)
            return;
        const double d = value->toDouble();
        if (!value->isDouble() || std::floor(d) != d || d < double(min) || d > double(max))
            return fail(key, QStringLiteral("expected a number from %1 to %2").arg(min).arg(max));
        *out = static_cast<Int>(d);
    }

    template <typename Enum, size_t N>
    void choice(const QString &key, const Names<Enum> (&table)[N], Enum *out)
    {
        const auto value = take(key);
        if (!value)
            return;
        const auto parsed = value->isString() ? valueOf(table, value->toString()) : std::nullopt;
        if (!parsed)
            return fail(key, QStringLiteral("expected one of %1").arg(choices(table)));
        *out = *parsed;
    }

    void finish()
    {
        if (failed())
            return;
        for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
            if (!m_used.contains(it.key())) {
                QStringList known(m_used.cbegin(), m_used.cend());
                known.sort();
                return fail(it.key(), QStringLiteral("unknown key (expected one of %1)")
                                          .arg(known.join(QStringLiteral(", "))));
            }
        }
    }

private:
    const QJsonObject &m_object;
    QString m_path;
    QSet<QString> m_used;
    std::optional<Error> m_error;
};

Result<RecipeModule> readModule(const QJsonValue &value, const QString &path)
{
    if (!value.isObject())
        return keyError(path, QStringLiteral("expected an object"));
    const QJsonObject object = value.toObject();
    ObjectReader reader(object, path);
    const auto typeValue = reader.take(QStringLiteral("type"));
    if (!typeValue || !typeValue->isString())
        return keyError(reader.pathOf(QStringLiteral("type")),
                        QStringLiteral("expected one of %1").arg(choices(ModuleTypeNames)));
    const auto type = valueOf(ModuleTypeNames, typeValue->toString());
    if (!type)
        return keyError(reader.pathOf(QStringLiteral("type")),
                        QStringLiteral("unknown module type \"%1\" (expected one of %2)")
                            .arg(typeValue->toString(), choices(ModuleTypeNames)));

    RecipeModule module = RecipeModule::make(*type);
    reader.boolean(QStringLiteral("enabled"), &module.enabled);
    switch (module.type) {
    case ModuleType::OriginalName:
    case ModuleType::Hash:
        break;
    case ModuleType::Text:
        reader.string(QStringLiteral("text"), &module.text, true);
        break;
    case ModuleType::Counter:
        reader.integer(QStringLiteral("start"), 0, 999999999, &module.start);
        reader.integer(QStringLiteral("step"), 1, 1000000, &module.step);
        reader.integer(QStringLiteral("padding"), 1, 12, &module.padding);
        reader.choice(QStringLiteral("scope"), ScopeNames, &module.scope);
        reader.string(QStringLiteral("group_by"), &module.groupBy);
        break;
    case ModuleType::Metadata: {
        reader.string(QStringLiteral("field"), &module.field, true);
        reader.string(QStringLiteral("format"), &module.format);
        if (const auto fallback = reader.take(QStringLiteral("fallback"))) {
            if (fallback->isString())
                module.fallback = fallback->toString();
            else
                reader.fail(QStringLiteral("fallback"), QStringLiteral("expected a string"));
        }
        break;
    }
    case ModuleType::TextRemoval:
        reader.string(QStringLiteral("text"), &module.text, true);
        reader.choice(QStringLiteral("position"), PositionNames, &module.position);
        reader.boolean(QStringLiteral("case_sensitive"), &module.caseSensitive);
        break;
    case ModuleType::Replace:
        reader.string(QStringLiteral("find"), &module.find, true);
        reader.string(QStringLiteral("replace"), &module.replace);
        reader.boolean(QStringLiteral("regex"), &module.regex);
        reader.boolean(QStringLiteral("case_sensitive"), &module.caseSensitive);
        break;
    case ModuleType::Substring: {
        reader.integer(QStringLiteral("from"), 0, 100000, &module.from);
        int to = -1;
        reader.integer(QStringLiteral("to"), 0, 100000, &to);
        if (to >= 0)
            module.to = to;
        break;
    }
    }
    reader.finish();
    if (reader.failed())
        return reader.error();
    return module;
}

Status validateModule(const RecipeModule &m, const QString &path)
{
    const auto at = [&path](const char *key) -> QString { return path + QLatin1Char('.') + QLatin1String(key); };
    switch (m.type) {
    case ModuleType::OriginalName:
    case ModuleType::Hash:
    case ModuleType::Text:
        break;
    case ModuleType::Counter:
        if (m.start < 0 || m.start > 999999999)
            return keyError(at("start"), QStringLiteral("expected a number from 0 to 999999999"));
        if (m.step < 1 || m.step > 1000000)
            return keyError(at("step"), QStringLiteral("expected a number from 1 to 1000000"));
        if (m.padding < 1 || m.padding > 12)
            return keyError(at("padding"), QStringLiteral("expected a number from 1 to 12"));
        if (m.scope == CounterScope::PerGroup && m.groupBy.trimmed().isEmpty())
            return keyError(at("group_by"), QStringLiteral("required with scope per_group (a metadata field)"));
        if (m.scope != CounterScope::PerGroup && !m.groupBy.isEmpty())
            return keyError(at("group_by"), QStringLiteral("only meaningful with scope per_group"));
        break;
    case ModuleType::Metadata: {
        if (m.field.trimmed().isEmpty())
            return keyError(at("field"), QStringLiteral("expected a field name such as EXIF:DateTimeOriginal"));
        if (m.format.contains(QLatin1Char('/')))
            return keyError(at("format"), QStringLiteral("a file name cannot contain '/'"));
        const auto format = DateFormat::compile(m.format);
        if (!format)
            return keyError(at("format"), format.error().message);
        break;
    }
    case ModuleType::TextRemoval:
        if (m.text.isEmpty())
            return keyError(at("text"), QStringLiteral("expected the text to remove"));
        break;
    case ModuleType::Replace:
        if (m.find.isEmpty())
            return keyError(at("find"), QStringLiteral("expected the text or expression to find"));
        if (m.regex) {
            const auto compiled = RegexReplacement::compile(m.find, m.caseSensitive, m.replace);
            if (!compiled) {
                const bool inPattern = compiled.error().message.startsWith(QLatin1String("invalid regular"));
                return keyError(at(inPattern ? "find" : "replace"), compiled.error().message);
            }
        }
        break;
    case ModuleType::Substring:
        if (m.from < 0)
            return keyError(at("from"), QStringLiteral("expected a number from 0 to 100000"));
        if (m.to && *m.to < m.from)
            return keyError(at("to"), QStringLiteral("must not be less than from (%1)").arg(m.from));
        break;
    }
    return {};
}

} // namespace

RecipeModule RecipeModule::make(ModuleType type)
{
    RecipeModule module;
    module.type = type;
    if (type == ModuleType::Replace)
        module.caseSensitive = true;
    return module;
}

QString moduleTypeName(ModuleType type)
{
    return nameOf(ModuleTypeNames, type);
}

QString sortKeyName(SortKey key)
{
    return nameOf(SortNames, key);
}

std::optional<SortKey> sortKeyFromString(const QString &text)
{
    return valueOf(SortNames, text);
}

const QStringList &captureDateFields()
{
    static const QStringList fields = {
        QStringLiteral("EXIF:DateTimeOriginal"), QStringLiteral("EXIF:CreateDate"),
        QStringLiteral("XMP:DateTimeOriginal"),  QStringLiteral("XMP:CreateDate"),
        QStringLiteral("XMP:DateCreated"),       QStringLiteral("QuickTime:CreationDate"),
        QStringLiteral("QuickTime:CreateDate"),  QStringLiteral("QuickTime:MediaCreateDate"),
    };
    return fields;
}

Result<Recipe> Recipe::fromJson(const QByteArray &json)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not valid JSON at offset %1: %2")
                                                         .arg(parseError.offset)
                                                         .arg(parseError.errorString()));
    if (!document.isObject())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("a recipe is a JSON object"));
    return fromJsonObject(document.object());
}

Result<Recipe> Recipe::fromJsonObject(const QJsonObject &object)
{
    Recipe recipe;
    ObjectReader reader(object, QString());
    int version = FormatVersion;
    reader.integer(QStringLiteral("version"), FormatVersion, FormatVersion, &version);

    const auto modules = reader.take(QStringLiteral("modules"));
    if (!modules && !reader.failed())
        return keyError(QStringLiteral("modules"), QStringLiteral("missing (expected a list of modules)"));
    if (modules && !modules->isArray())
        return keyError(QStringLiteral("modules"), QStringLiteral("expected a list of modules"));
    if (modules) {
        const QJsonArray array = modules->toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            auto module = readModule(array.at(i), QStringLiteral("modules[%1]").arg(i));
            if (!module)
                return module.error();
            recipe.modules.append(std::move(module).value());
        }
    }

    if (const auto transform = reader.take(QStringLiteral("final_transform"))) {
        if (!transform->isObject())
            return keyError(QStringLiteral("final_transform"), QStringLiteral("expected an object"));
        const QJsonObject transformObject = transform->toObject();
        ObjectReader sub(transformObject, QStringLiteral("final_transform"));
        sub.boolean(QStringLiteral("greeklish"), &recipe.finalTransform.greeklish);
        sub.choice(QStringLiteral("case"), CaseNames, &recipe.finalTransform.caseMode);
        sub.choice(QStringLiteral("separator"), SeparatorNames, &recipe.finalTransform.separator);
        sub.boolean(QStringLiteral("strip_diacritics"), &recipe.finalTransform.stripDiacritics);
        sub.finish();
        if (sub.failed())
            return sub.error();
    }
    reader.choice(QStringLiteral("sort"), SortNames, &recipe.sort);
    reader.boolean(QStringLiteral("sort_reverse"), &recipe.sortReverse);
    reader.choice(QStringLiteral("on_conflict"), PolicyNames, &recipe.onConflict);
    reader.boolean(QStringLiteral("companions"), &recipe.companions);
    reader.boolean(QStringLiteral("windows_safe"), &recipe.windowsSafe);
    reader.string(QStringLiteral("suffix"), &recipe.suffix);
    reader.finish();
    if (reader.failed())
        return reader.error();
    if (const Status status = recipe.validate(); !status)
        return status.error();
    return recipe;
}

Status Recipe::validate() const
{
    if (modules.isEmpty())
        return keyError(QStringLiteral("modules"), QStringLiteral("expected at least one module"));
    for (qsizetype i = 0; i < modules.size(); ++i) {
        if (const Status status = validateModule(modules.at(i), QStringLiteral("modules[%1]").arg(i)); !status)
            return status;
    }
    if (!suffix.contains(QLatin1String("{n}")))
        return keyError(QStringLiteral("suffix"), QStringLiteral("must contain {n} (the number), e.g. \"_{n}\""));
    if (suffix.contains(QLatin1Char('/')) || suffix.contains(QChar(0)))
        return keyError(QStringLiteral("suffix"), QStringLiteral("a file name cannot contain '/' or NUL"));
    return {};
}

QJsonObject Recipe::toJsonObject() const
{
    QJsonArray moduleArray;
    for (const RecipeModule &m : modules) {
        QJsonObject o;
        o.insert(QStringLiteral("type"), moduleTypeName(m.type));
        if (!m.enabled)
            o.insert(QStringLiteral("enabled"), false);
        switch (m.type) {
        case ModuleType::OriginalName:
        case ModuleType::Hash:
            break;
        case ModuleType::Text:
            o.insert(QStringLiteral("text"), m.text);
            break;
        case ModuleType::Counter:
            o.insert(QStringLiteral("start"), m.start);
            o.insert(QStringLiteral("step"), m.step);
            o.insert(QStringLiteral("padding"), m.padding);
            o.insert(QStringLiteral("scope"), nameOf(ScopeNames, m.scope));
            if (m.scope == CounterScope::PerGroup)
                o.insert(QStringLiteral("group_by"), m.groupBy);
            break;
        case ModuleType::Metadata:
            o.insert(QStringLiteral("field"), m.field);
            if (!m.format.isEmpty())
                o.insert(QStringLiteral("format"), m.format);
            if (m.fallback)
                o.insert(QStringLiteral("fallback"), *m.fallback);
            break;
        case ModuleType::TextRemoval:
            o.insert(QStringLiteral("text"), m.text);
            o.insert(QStringLiteral("position"), nameOf(PositionNames, m.position));
            o.insert(QStringLiteral("case_sensitive"), m.caseSensitive);
            break;
        case ModuleType::Replace:
            o.insert(QStringLiteral("find"), m.find);
            o.insert(QStringLiteral("replace"), m.replace);
            o.insert(QStringLiteral("regex"), m.regex);
            o.insert(QStringLiteral("case_sensitive"), m.caseSensitive);
            break;
        case ModuleType::Substring:
            o.insert(QStringLiteral("from"), m.from);
            if (m.to)
                o.insert(QStringLiteral("to"), *m.to);
            break;
        }
        moduleArray.append(o);
    }
    QJsonObject transform;
    transform.insert(QStringLiteral("greeklish"), finalTransform.greeklish);
    transform.insert(QStringLiteral("case"), nameOf(CaseNames, finalTransform.caseMode));
    transform.insert(QStringLiteral("separator"), nameOf(SeparatorNames, finalTransform.separator));
    transform.insert(QStringLiteral("strip_diacritics"), finalTransform.stripDiacritics);

    QJsonObject object;
    object.insert(QStringLiteral("version"), FormatVersion);
    object.insert(QStringLiteral("modules"), moduleArray);
    object.insert(QStringLiteral("final_transform"), transform);
    object.insert(QStringLiteral("sort"), sortKeyName(sort));
    object.insert(QStringLiteral("sort_reverse"), sortReverse);
    object.insert(QStringLiteral("on_conflict"), conflictPolicyName(onConflict));
    object.insert(QStringLiteral("companions"), companions);
    object.insert(QStringLiteral("windows_safe"), windowsSafe);
    object.insert(QStringLiteral("suffix"), suffix);
    return object;
}

QByteArray Recipe::toJson() const
{
    return QJsonDocument(toJsonObject()).toJson(QJsonDocument::Indented);
}

QStringList Recipe::requiredMetadataFields() const
{
    QStringList fields;
    const auto add = [&fields](const QString &field) {
        if (field == QLatin1String("capture_date")) {
            QStringList capture = captureDateFields();
            // The EXIF pieces joined to DateTimeOriginal / CreateDate (EXIF 2.31).
            capture << QStringLiteral("EXIF:SubSecTimeOriginal") << QStringLiteral("EXIF:OffsetTimeOriginal")
                    << QStringLiteral("EXIF:SubSecTimeDigitized") << QStringLiteral("EXIF:OffsetTimeDigitized");
            for (const QString &f : std::as_const(capture)) {
                if (!fields.contains(f))
                    fields.append(f);
            }
            return;
        }
        if (field.startsWith(QLatin1String("file:")) || fields.contains(field))
            return;
        fields.append(field);
    };
    for (const RecipeModule &m : modules) {
        if (!m.enabled)
            continue;
        if (m.type == ModuleType::Metadata)
            add(m.field);
        else if (m.type == ModuleType::Counter && m.scope == CounterScope::PerGroup)
            add(m.groupBy);
    }
    if (needsCaptureDate())
        add(QStringLiteral("capture_date"));
    return fields;
}

bool Recipe::needsHash() const
{
    for (const RecipeModule &m : modules) {
        if (m.enabled && m.type == ModuleType::Hash)
            return true;
    }
    return false;
}

bool Recipe::needsCaptureDate() const
{
    return sort == SortKey::CaptureDate;
}

} // namespace oncutf::core::rename
