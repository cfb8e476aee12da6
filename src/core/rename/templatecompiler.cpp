#include "core/rename/templatecompiler.h"

#include "core/rename/dateformat.h"

namespace oncutf::core::rename {

namespace {

Error columnError(qsizetype column, const QString &message)
{
    return makeError(ErrorCode::InvalidArgument, QStringLiteral("template column %1: %2").arg(column).arg(message));
}

std::optional<Error> checkFormat(QStringView format, qsizetype column)
{
    if (format.contains(QLatin1Char('/')))
        return columnError(column, QStringLiteral("a date format cannot contain '/'"));
    const auto compiled = DateFormat::compile(format);
    if (!compiled)
        return columnError(column, compiled.error().message);
    return std::nullopt;
}

Result<RecipeModule> compileToken(QStringView token, qsizetype column)
{
    const qsizetype colon = token.indexOf(QLatin1Char(':'));
    const QStringView name = colon < 0 ? token : token.left(colon);
    const QStringView args = colon < 0 ? QStringView() : token.mid(colon + 1);
    const qsizetype argsColumn = column + colon + 2;
    const bool hasArgs = colon >= 0;

    if (name == u"name" || name == u"hash") {
        if (hasArgs)
            return columnError(column, QStringLiteral("{%1} takes no options").arg(name));
        return RecipeModule::make(name == u"name" ? ModuleType::OriginalName : ModuleType::Hash);
    }
    if (name == u"counter") {
        RecipeModule m = RecipeModule::make(ModuleType::Counter);
        if (!hasArgs)
            return m;
        const QList<QStringView> parts = args.split(QLatin1Char(':'));
        if (parts.size() > 4)
            return columnError(argsColumn, QStringLiteral("{counter:padding:start:step:scope} takes at most 4 options"));
        const struct {
            const char *what;
            qint64 min;
            qint64 max;
        } limits[] = {{"padding", 1, 12}, {"start", 0, 999999999}, {"step", 1, 1000000}};
        for (qsizetype i = 0; i < parts.size() && i < 3; ++i) {
            bool ok = false;
            const qint64 value = parts.at(i).toLongLong(&ok);
            if (!ok || value < limits[i].min || value > limits[i].max)
                return columnError(argsColumn, QStringLiteral("counter %1: expected a number from %2 to %3, not \"%4\"")
                                                   .arg(QLatin1String(limits[i].what))
                                                   .arg(limits[i].min)
                                                   .arg(limits[i].max)
                                                   .arg(parts.at(i)));
            if (i == 0)
                m.padding = int(value);
            else if (i == 1)
                m.start = value;
            else
                m.step = value;
        }
        if (parts.size() == 4) {
            const QStringView scope = parts.at(3);
            if (scope == u"global")
                m.scope = CounterScope::Global;
            else if (scope == u"per_folder")
                m.scope = CounterScope::PerFolder;
            else if (scope == u"per_extension")
                m.scope = CounterScope::PerExtension;
            else
                return columnError(argsColumn,
                                   QStringLiteral("counter scope: expected global, per_folder or per_extension"));
        }
        return m;
    }
    if (name == u"date" || name == u"mtime" || name == u"ctime") {
        RecipeModule m = RecipeModule::make(ModuleType::Metadata);
        m.field = name == u"date" ? QStringLiteral("capture_date")
                                  : (name == u"mtime" ? QStringLiteral("file:mtime") : QStringLiteral("file:ctime"));
        if (hasArgs) {
            if (args.isEmpty())
                return columnError(argsColumn, QStringLiteral("empty date format"));
            if (auto error = checkFormat(args, argsColumn))
                return *error;
            m.format = args.toString();
        }
        return m;
    }
    if (name == u"meta") {
        if (!hasArgs || args.isEmpty())
            return columnError(column, QStringLiteral("{meta:FIELD} needs a field, e.g. {meta:EXIF:Model}"));
        RecipeModule m = RecipeModule::make(ModuleType::Metadata);
        const qsizetype formatAt = args.indexOf(QLatin1String(":%"));
        m.field = (formatAt < 0 ? args : args.left(formatAt)).toString();
        if (m.field.isEmpty())
            return columnError(argsColumn, QStringLiteral("{meta:FIELD} needs a field"));
        if (formatAt >= 0) {
            const QStringView format = args.mid(formatAt + 1);
            if (auto error = checkFormat(format, argsColumn + formatAt + 1))
                return *error;
            m.format = format.toString();
        }
        return m;
    }
    return columnError(column, QStringLiteral("unknown token {%1} (known: name, counter, date, meta, mtime, ctime, hash; "
                                              "write {{ for a literal brace)")
                                   .arg(token));
}

} // namespace

Result<QList<RecipeModule>> TemplateCompiler::compileModules(QStringView text)
{
    QList<RecipeModule> modules;
    QString literal;
    const auto flush = [&] {
        if (literal.isEmpty())
            return;
        RecipeModule m = RecipeModule::make(ModuleType::Text);
        m.text = literal;
        modules.append(std::move(m));
        literal.clear();
    };
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('{')) {
            if (i + 1 < n && text.at(i + 1) == QLatin1Char('{')) {
                literal.append(c);
                ++i;
                continue;
            }
            const qsizetype close = text.indexOf(QLatin1Char('}'), i + 1);
            const qsizetype nested = text.indexOf(QLatin1Char('{'), i + 1);
            if (close < 0)
                return columnError(i + 1, QStringLiteral("'{' is not closed (write {{ for a literal brace)"));
            if (nested >= 0 && nested < close)
                return columnError(nested + 1, QStringLiteral("'{' inside a token"));
            auto module = compileToken(text.sliced(i + 1, close - i - 1), i + 1);
            if (!module)
                return module.error();
            flush();
            modules.append(std::move(module).value());
            i = close;
            continue;
        }
        if (c == QLatin1Char('}')) {
            if (i + 1 < n && text.at(i + 1) == QLatin1Char('}')) {
                literal.append(c);
                ++i;
                continue;
            }
            return columnError(i + 1, QStringLiteral("a lone '}' (write }} for a literal brace)"));
        }
        literal.append(c);
    }
    flush();
    if (modules.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the template is empty"));
    return modules;
}

Result<Recipe> TemplateCompiler::compile(QStringView text)
{
    auto modules = compileModules(text);
    if (!modules)
        return modules.error();
    Recipe recipe;
    recipe.modules = std::move(modules).value();
    if (const Status status = recipe.validate(); !status)
        return status.error();
    return recipe;
}

} // namespace oncutf::core::rename
