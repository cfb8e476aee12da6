#include "core/db/sessionstatestore.h"

#include "core/db/connection.h"
#include "core/db/databasemanager.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonParseError>

#include <array>
#include <cmath>

namespace oncutf::core::db {

namespace {

constexpr std::array<const char *, 5> kTypeNames{"string", "bool", "int", "float", "json"};

QString typeName(SessionStateStore::Type type)
{
    return QString::fromLatin1(kTypeNames[static_cast<std::size_t>(type)]);
}

std::optional<SessionStateStore::Type> typeFromName(const QString &name)
{
    for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
        if (name == QLatin1String(kTypeNames[i]))
            return static_cast<SessionStateStore::Type>(i);
    }
    return std::nullopt;
}

Error corruptValue(const QString &key)
{
    return makeError(ErrorCode::Corrupt, QStringLiteral("the stored session value \"%1\" cannot be read").arg(key));
}

// A stored value of the expected type, converted by `parse` (nullopt: the text is not a valid
// value of that type, i.e. the row was damaged).
template <typename T, typename Parse>
Result<std::optional<T>> parsed(Result<std::optional<QString>> value, const QString &key, Parse parse)
{
    if (!value)
        return value.error();
    if (!*value)
        return std::optional<T>();
    std::optional<T> converted = parse(**value);
    if (!converted)
        return corruptValue(key);
    return converted;
}

} // namespace

SessionStateStore::SessionStateStore(DatabaseManager &database) : m_database(database) {}

Status SessionStateStore::set(const QString &key, Type type, const QString &value)
{
    if (key.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("a session value needs a name"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    return m_database.transaction([&](Connection &c) -> Status {
        auto st = c.prepare("INSERT INTO session_state (key, value, value_type, updated_at) VALUES (?1, ?2, ?3, ?4) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                            "value_type = excluded.value_type, updated_at = excluded.updated_at");
        if (!st)
            return st.error();
        st->bindText(1, key);
        st->bindText(2, value);
        st->bindText(3, typeName(type));
        st->bindInt(4, now);
        return st->run();
    });
}

Status SessionStateStore::setString(const QString &key, const QString &value)
{
    return set(key, Type::String, value);
}

Status SessionStateStore::setBool(const QString &key, bool value)
{
    return set(key, Type::Bool, value ? QStringLiteral("true") : QStringLiteral("false"));
}

Status SessionStateStore::setInt(const QString &key, qint64 value)
{
    return set(key, Type::Int, QString::number(value));
}

Status SessionStateStore::setDouble(const QString &key, double value)
{
    if (!std::isfinite(value))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("session value \"%1\" must be a finite number").arg(key));
    // 17 significant digits round-trip every double.
    return set(key, Type::Float, QString::number(value, 'g', 17));
}

Status SessionStateStore::setJson(const QString &key, const QByteArray &json)
{
    QJsonParseError parseError{};
    QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("session value \"%1\" is not valid JSON: %2")
                                                         .arg(key, parseError.errorString()));
    return set(key, Type::Json, QString::fromUtf8(json));
}

Result<std::optional<QString>> SessionStateStore::raw(const QString &key, Type expected) const
{
    std::optional<QString> value;
    std::optional<QString> storedType;
    Status status = m_database.read([&](Connection &c) -> Status {
        auto st = c.prepare("SELECT value, value_type FROM session_state WHERE key = ?1");
        if (!st)
            return st.error();
        st->bindText(1, key);
        auto row = st->step();
        if (!row)
            return row.error();
        if (*row) {
            value = st->text(0);
            storedType = st->text(1);
        }
        return {};
    });
    if (!status)
        return status.error();
    if (!value)
        return std::optional<QString>();
    if (*storedType != typeName(expected))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("session value \"%1\" is a %2, not a %3")
                                                         .arg(key, *storedType, typeName(expected)));
    return value;
}

Result<std::optional<QString>> SessionStateStore::string(const QString &key) const
{
    return raw(key, Type::String);
}

Result<std::optional<bool>> SessionStateStore::boolean(const QString &key) const
{
    return parsed<bool>(raw(key, Type::Bool), key, [](const QString &text) -> std::optional<bool> {
        if (text != QLatin1String("true") && text != QLatin1String("false"))
            return std::nullopt;
        return text == QLatin1String("true");
    });
}

Result<std::optional<qint64>> SessionStateStore::integer(const QString &key) const
{
    return parsed<qint64>(raw(key, Type::Int), key, [](const QString &text) -> std::optional<qint64> {
        bool ok = false;
        const qint64 number = text.toLongLong(&ok);
        return ok ? std::optional<qint64>(number) : std::nullopt;
    });
}

Result<std::optional<double>> SessionStateStore::real(const QString &key) const
{
    return parsed<double>(raw(key, Type::Float), key, [](const QString &text) -> std::optional<double> {
        bool ok = false;
        const double number = text.toDouble(&ok);
        return ok ? std::optional<double>(number) : std::nullopt;
    });
}

Result<std::optional<QByteArray>> SessionStateStore::json(const QString &key) const
{
    return parsed<QByteArray>(raw(key, Type::Json), key,
                              [](const QString &text) -> std::optional<QByteArray> { return text.toUtf8(); });
}

Result<std::optional<SessionStateStore::Type>> SessionStateStore::typeOf(const QString &key) const
{
    std::optional<Type> type;
    Status status = m_database.read([&](Connection &c) -> Status {
        auto st = c.prepare("SELECT value_type FROM session_state WHERE key = ?1");
        if (!st)
            return st.error();
        st->bindText(1, key);
        auto row = st->step();
        if (!row)
            return row.error();
        if (*row) {
            type = typeFromName(st->text(0));
            if (!type)
                return corruptValue(key);
        }
        return {};
    });
    if (!status)
        return status.error();
    return type;
}

Status SessionStateStore::remove(const QString &key)
{
    return m_database.transaction([&](Connection &c) -> Status {
        auto st = c.prepare("DELETE FROM session_state WHERE key = ?1");
        if (!st)
            return st.error();
        st->bindText(1, key);
        return st->run();
    });
}

Result<QStringList> SessionStateStore::keys() const
{
    QStringList result;
    Status status = m_database.read([&](Connection &c) -> Status {
        result.clear();
        auto st = c.prepare("SELECT key FROM session_state ORDER BY key");
        if (!st)
            return st.error();
        for (;;) {
            auto row = st->step();
            if (!row)
                return row.error();
            if (!*row)
                break;
            result << st->text(0);
        }
        return {};
    });
    if (!status)
        return status.error();
    return result;
}

} // namespace oncutf::core::db
