#include "core/metadata/cachejson.h"

#include "core/jsonwriter.h"

#include <QJsonArray>
#include <QJsonValue>

#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

namespace oncutf::core::metadata::cachejson {

namespace {

// ---------------------------------------------------------------------------------------------
// Writing

void appendNumber(QByteArray &out, const QJsonValue &value)
{
    const double number = value.toDouble();
    char digits[40];
    std::to_chars_result result{};
    if (!std::isfinite(number)) {
        out.append("null", 4);
        return;
    }
    // An integral value as its exact integer (toInteger() keeps a stored 64-bit integer whole,
    // where the double would round it); anything else in the shortest round-trip form.
    if (std::trunc(number) == number && std::fabs(number) < 9.0e18) {
        result = std::to_chars(digits, digits + sizeof digits, value.toInteger());
    } else {
        result = std::to_chars(digits, digits + sizeof digits, number);
    }
    out.append(digits, result.ptr - digits);
}

void appendValue(QByteArray &out, const QJsonValue &value);

void appendObject(QByteArray &out, const QJsonObject &object)
{
    out.append('{');
    bool first = true;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!first) {
            out.append(',');
        }
        first = false;
        JsonWriter::appendString(out, it.key());
        out.append(':');
        appendValue(out, it.value());
    }
    out.append('}');
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        if (value.toBool()) {
            out.append("true", 4);
        } else {
            out.append("false", 5);
        }
        return;
    case QJsonValue::Double:
        appendNumber(out, value);
        return;
    case QJsonValue::String:
        JsonWriter::appendString(out, value.toString());
        return;
    case QJsonValue::Array: {
        out.append('[');
        bool first = true;
        const QJsonArray array = value.toArray();
        for (const QJsonValue &item : array) {
            if (!first) {
                out.append(',');
            }
            first = false;
            appendValue(out, item);
        }
        out.append(']');
        return;
    }
    case QJsonValue::Object:
        appendObject(out, value.toObject());
        return;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    out.append("null", 4);
}

// ---------------------------------------------------------------------------------------------
// Reading a cached document into JsonWriter's form

constexpr int kMaxDepth = 64;

class PrintForm final {
public:
    PrintForm(QByteArray &out, QByteArrayView json)
        : m_out(out), m_p(json.data()), m_end(json.data() + json.size())
    {
    }

    bool document()
    {
        skipSpace();
        if (m_p == m_end || *m_p != '{' || !object(0)) {
            return false;
        }
        skipSpace();
        return m_p == m_end;
    }

private:
    void skipSpace()
    {
        while (m_p != m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t')) {
            ++m_p;
        }
    }

    bool value(int depth)
    {
        skipSpace();
        if (m_p == m_end) {
            return false;
        }
        switch (*m_p) {
        case '{':
            return object(depth + 1);
        case '[':
            return array(depth + 1);
        case '"':
            return string();
        case 't':
            return literal("true", 4);
        case 'f':
            return literal("false", 5);
        case 'n':
            return literal("null", 4);
        default:
            return number();
        }
    }

    bool literal(const char *word, qsizetype size)
    {
        if (m_end - m_p < size || std::memcmp(m_p, word, size_t(size)) != 0) {
            return false;
        }
        m_out.append(word, size);
        m_p += size;
        return true;
    }

    enum class Opened { Empty, Filled, TooDeep };

    /// Copies the opening bracket at m_p; an empty container is copied whole.
    Opened open(int depth, char opening, char closing)
    {
        if (depth > kMaxDepth) {
            return Opened::TooDeep;
        }
        ++m_p;
        m_out.append(opening);
        skipSpace();
        if (m_p != m_end && *m_p == closing) {
            ++m_p;
            m_out.append(closing);
            return Opened::Empty;
        }
        return Opened::Filled;
    }

    bool object(int depth)
    {
        if (const Opened opened = open(depth, '{', '}'); opened != Opened::Filled) {
            return opened == Opened::Empty;
        }
        QByteArrayView previous;
        for (bool first = true;; first = false) {
            skipSpace();
            if (m_p == m_end || *m_p != '"') {
                return false;
            }
            // Keys: printable ASCII without escapes, so that byte order is QJsonObject's order
            // and the key prints as it is written.
            const char *key = ++m_p;
            while (m_p != m_end && *m_p != '"') {
                const auto c = static_cast<unsigned char>(*m_p);
                if (c < 0x20U || c >= 0x80U || c == '\\') {
                    return false;
                }
                ++m_p;
            }
            if (m_p == m_end) {
                return false;
            }
            const QByteArrayView name(key, m_p - key);
            ++m_p;
            if (!first && !(previous < name)) {
                return false; // QJsonObject would reorder or deduplicate
            }
            previous = name;
            if (!first) {
                m_out.append(',');
            }
            m_out.append('"');
            m_out.append(name.data(), name.size());
            m_out.append("\":", 2);
            skipSpace();
            if (m_p == m_end || *m_p != ':') {
                return false;
            }
            ++m_p;
            if (!value(depth)) {
                return false;
            }
            const Next next = afterElement('}');
            if (next != Next::More) {
                return next == Next::Closed;
            }
        }
    }

    enum class Next { Closed, More, Broken };

    /// After an object member or array element: the closing bracket (copied to the output), a
    /// comma (another element follows), or anything else (not a document this path prints).
    Next afterElement(char close)
    {
        skipSpace();
        if (m_p == m_end) {
            return Next::Broken;
        }
        if (*m_p == close) {
            ++m_p;
            m_out.append(close);
            return Next::Closed;
        }
        if (*m_p != ',') {
            return Next::Broken;
        }
        ++m_p;
        return Next::More;
    }

    bool array(int depth)
    {
        if (const Opened opened = open(depth, '[', ']'); opened != Opened::Filled) {
            return opened == Opened::Empty;
        }
        for (bool first = true;; first = false) {
            if (!first) {
                m_out.append(',');
            }
            if (!value(depth)) {
                return false;
            }
            const Next next = afterElement(']');
            if (next != Next::More) {
                return next == Next::Closed;
            }
        }
    }

    static int hexDigit(char c)
    {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    static bool isNonCharacter(char32_t cp) { return (cp >= 0xFDD0U && cp <= 0xFDEFU) || (cp & 0xFFFEU) == 0xFFFEU; }

    // The length of the strict UTF-8 sequence at m_p (no overlong forms, no surrogates, at most
    // U+10FFFF, no non-characters), or 0.
    qsizetype utf8Sequence() const
    {
        const auto *s = reinterpret_cast<const unsigned char *>(m_p);
        const qsizetype left = m_end - m_p;
        const unsigned char c = s[0];
        qsizetype length = 0;
        char32_t cp = 0;
        if (c >= 0xC2U && c <= 0xDFU) {
            length = 2;
            cp = c & 0x1FU;
        } else if (c >= 0xE0U && c <= 0xEFU) {
            length = 3;
            cp = c & 0x0FU;
        } else if (c >= 0xF0U && c <= 0xF4U) {
            length = 4;
            cp = c & 0x07U;
        } else {
            return 0;
        }
        if (left < length) {
            return 0;
        }
        for (qsizetype i = 1; i < length; ++i) {
            if ((s[i] & 0xC0U) != 0x80U) {
                return 0;
            }
            cp = (cp << 6) | (s[i] & 0x3FU);
        }
        if ((length == 3 && cp < 0x800U) || (length == 4 && (cp < 0x10000U || cp > 0x10FFFFU))
            || (cp >= 0xD800U && cp <= 0xDFFFU) || isNonCharacter(cp)) {
            return 0;
        }
        return length;
    }

    // A string token, printed as JsonWriter::appendString prints the QString it stands for:
    // printable ASCII and (valid) UTF-8 as they are, control characters and the two that must be
    // escaped with JsonWriter's escapes.
    bool string()
    {
        ++m_p; // '"'
        m_out.append('"');
        for (;;) {
            const char *run = m_p;
            while (m_p != m_end) {
                const auto c = static_cast<unsigned char>(*m_p);
                if (c < 0x20U || c == '"' || c == '\\' || c >= 0x80U) {
                    break;
                }
                ++m_p;
            }
            if (m_p != run) {
                m_out.append(run, m_p - run);
            }
            if (m_p == m_end) {
                return false;
            }
            const auto c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                ++m_p;
                m_out.append('"');
                return true;
            }
            if (c >= 0x80U) {
                const qsizetype length = utf8Sequence();
                if (length == 0) {
                    return false;
                }
                m_out.append(m_p, length);
                m_p += length;
                continue;
            }
            if (c != '\\' || m_end - m_p < 2) {
                return false; // a raw control character
            }
            const char escape = m_p[1];
            m_p += 2;
            char32_t cp = 0;
            switch (escape) {
            case '"':
            case '\\':
            case '/':
                cp = char32_t(escape);
                break;
            case 'b':
                cp = '\b';
                break;
            case 'f':
                cp = '\f';
                break;
            case 'n':
                cp = '\n';
                break;
            case 'r':
                cp = '\r';
                break;
            case 't':
                cp = '\t';
                break;
            case 'u':
                if (!unicodeEscape(cp)) {
                    return false;
                }
                break;
            default:
                return false;
            }
            JsonWriter::appendCodePoint(m_out, cp); // as JsonWriter prints that character
        }
    }

    /// The four hex digits after "\\u" into `cp`; false for what this path leaves to Qt.
    bool unicodeEscape(char32_t &cp)
    {
        if (m_end - m_p < 4) {
            return false;
        }
        cp = 0;
        for (int i = 0; i < 4; ++i) {
            const int digit = hexDigit(m_p[i]);
            if (digit < 0) {
                return false;
            }
            cp = (cp << 4) | char32_t(digit);
        }
        m_p += 4;
        if ((cp >= 0xD800U && cp <= 0xDFFFU) || isNonCharacter(cp)) {
            return false; // surrogates: left to QJsonDocument's rules
        }
        return true;
    }

    // Moves past a run of decimal digits; false if there was none.
    bool skipDigits()
    {
        const char *start = m_p;
        while (m_p != m_end && *m_p >= '0' && *m_p <= '9') {
            ++m_p;
        }
        return m_p != start;
    }

    // A number token in strict JSON grammar, printed by JsonWriter::value()'s rule for the double
    // QJsonValue::toDouble() gives: an integer literal QJsonDocument keeps as a 64-bit integer,
    // anything else as the double it parses to; integral values below 9e15 as integers, the rest
    // in the shortest round-trip form.
    bool number()
    {
        const char *start = m_p;
        bool integral = true;
        if (m_p != m_end && *m_p == '-') {
            ++m_p;
        }
        if (m_p == m_end) {
            return false;
        }
        if (*m_p == '0') {
            ++m_p;
        } else if (!skipDigits()) {
            return false;
        }
        if (m_p != m_end && *m_p == '.') {
            integral = false;
            ++m_p;
            if (!skipDigits()) {
                return false;
            }
        }
        if (m_p != m_end && (*m_p == 'e' || *m_p == 'E')) {
            integral = false;
            ++m_p;
            if (m_p != m_end && (*m_p == '+' || *m_p == '-')) {
                ++m_p;
            }
            if (!skipDigits()) {
                return false;
            }
        }
        double number = 0;
        bool parsed = false;
        if (integral) {
            qint64 whole = 0;
            const auto result = std::from_chars(start, m_p, whole);
            if (result.ec == std::errc() && result.ptr == m_p) {
                number = double(whole);
                parsed = true;
            }
        }
        if (!parsed) {
            const auto result = std::from_chars(start, m_p, number);
            if (result.ec != std::errc() || result.ptr != m_p || !std::isfinite(number)) {
                return false; // out of range: QJsonDocument's verdict
            }
        }
        char digits[40];
        std::to_chars_result result{};
        if (std::trunc(number) == number && std::fabs(number) < 9.0e15) {
            result = std::to_chars(digits, digits + sizeof digits, static_cast<qint64>(number));
        } else {
            result = std::to_chars(digits, digits + sizeof digits, number);
        }
        m_out.append(digits, result.ptr - digits);
        return true;
    }

    QByteArray &m_out;
    const char *m_p;
    const char *m_end;
};

} // namespace

QByteArray serialize(const QJsonObject &fields)
{
    QByteArray out;
    // ExifTool keys and values run near 50 bytes a field: one allocation for most documents.
    out.reserve(64 + fields.size() * 64);
    appendObject(out, fields);
    return out;
}

void appendDocument(QByteArray &out, const QJsonObject &fields)
{
    appendObject(out, fields);
}

void appendMember(QByteArray &out, QLatin1StringView key, const QJsonValue &value)
{
    JsonWriter::appendLatin1String(out, key);
    out.append(':');
    appendValue(out, value);
}

bool appendPrintForm(QByteArray &out, QByteArrayView json)
{
    const qsizetype before = out.size();
    PrintForm form(out, json);
    if (form.document()) {
        return true;
    }
    out.truncate(before);
    return false;
}

} // namespace oncutf::core::metadata::cachejson
