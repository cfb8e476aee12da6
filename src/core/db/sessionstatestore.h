#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace oncutf::core::db {

class DatabaseManager;

/// Small typed key/value settings that belong with the data rather than the config file: the
/// last folder, the presets in use, window-independent choices. Each value remembers its type;
/// reading it as another type is an error rather than a silent conversion.
/// Threading: thread-safe.
class SessionStateStore final {
public:
    enum class Type { String, Bool, Int, Float, Json };

    explicit SessionStateStore(DatabaseManager &database);

    Status setString(const QString &key, const QString &value);
    Status setBool(const QString &key, bool value);
    Status setInt(const QString &key, qint64 value);
    Status setDouble(const QString &key, double value);
    /// `json` must be a valid UTF-8 JSON document.
    Status setJson(const QString &key, const QByteArray &json);

    Result<std::optional<QString>> string(const QString &key) const;
    Result<std::optional<bool>> boolean(const QString &key) const;
    Result<std::optional<qint64>> integer(const QString &key) const;
    Result<std::optional<double>> real(const QString &key) const;
    Result<std::optional<QByteArray>> json(const QString &key) const;
    /// The stored type of `key`, or nothing when it is not set.
    Result<std::optional<Type>> typeOf(const QString &key) const;

    Status remove(const QString &key);
    Result<QStringList> keys() const;

private:
    Status set(const QString &key, Type type, const QString &value);
    Result<std::optional<QString>> raw(const QString &key, Type expected) const;

    DatabaseManager &m_database;
};

} // namespace oncutf::core::db
