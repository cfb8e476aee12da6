#pragma once
// Error and Result<T>: how every fallible core service reports failure without exceptions
// crossing thread or signal boundaries.

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace oncutf::core {

enum class ErrorCode {
    None = 0,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    AlreadyExists,
    Io,
    NoSpace,
    Busy,
    Timeout,
    Cancelled,
    Corrupt,
    Unsupported,
    TooNew,
    Internal,
};

/// A failure a user can read: what went wrong (message) and, where it applies, which file.
/// Threading: a plain value, copied freely between threads.
struct Error {
    ErrorCode code = ErrorCode::Internal;
    QString message;
    QString path;

    [[nodiscard]] QString toString() const
    {
        return path.isEmpty() ? message : path + QStringLiteral(": ") + message;
    }
};

/// Either a value or an Error. Threading: a plain value.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_data(std::move(value)) {}                // NOLINT(google-explicit-constructor)
    Result(Error error) : m_data(std::move(error)) {}            // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    [[nodiscard]] T &value() & { return std::get<0>(m_data); }
    [[nodiscard]] const T &value() const & { return std::get<0>(m_data); }
    [[nodiscard]] T &&value() && { return std::get<0>(std::move(m_data)); }
    [[nodiscard]] const Error &error() const { return std::get<1>(m_data); }

    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

private:
    std::variant<T, Error> m_data;
};

/// Result of an operation that yields nothing but may fail.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) {}           // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    [[nodiscard]] const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

using Status = Result<void>;

inline Error makeError(ErrorCode code, QString message, QString path = {})
{
    return Error{code, std::move(message), std::move(path)};
}

} // namespace oncutf::core
