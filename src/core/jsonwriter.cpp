#include "core/jsonwriter.h"

#include "core/files/nativepath.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonObject>

#include <cerrno>
#include <charconv>
#include <cmath>

#include <unistd.h>

namespace oncutf::core {

namespace {

constexpr qsizetype kChunkSize = 64 * 1024;
constexpr char kHex[] = "0123456789abcdef";

void appendUnicodeEscape(QByteArray &out, char16_t unit)
{
    const char escape[6] = {'\\', 'u', kHex[(unit >> 12) & 0xF], kHex[(unit >> 8) & 0xF], kHex[(unit >> 4) & 0xF],
                            kHex[unit & 0xF]};
    out.append(escape, 6);
}

/// Appends an ASCII character with JSON escaping.
inline void appendAscii(QByteArray &out, unsigned char c)
{
    switch (c) {
    case '"':
        out.append("\\\"", 2);
        return;
    case '\\':
        out.append("\\\\", 2);
        return;
    case '\b':
        out.append("\\b", 2);
        return;
    case '\f':
        out.append("\\f", 2);
        return;
    case '\n':
        out.append("\\n", 2);
        return;
    case '\r':
        out.append("\\r", 2);
        return;
    case '\t':
        out.append("\\t", 2);
        return;
    default:
        break;
    }
    if (c < 0x20U)
        appendUnicodeEscape(out, c);
    else
        out.append(char(c));
}

inline bool isPlainAscii(unsigned char c)
{
    return c >= 0x20U && c < 0x80U && c != '"' && c != '\\';
}

void appendScalar(QByteArray &out, char32_t cp)
{
    if (cp < 0x80U) {
        appendAscii(out, static_cast<unsigned char>(cp));
    } else if (cp < 0x800U) {
        const char bytes[2] = {char(0xC0U | (cp >> 6)), char(0x80U | (cp & 0x3FU))};
        out.append(bytes, 2);
    } else if (cp < 0x10000U) {
        const char bytes[3] = {char(0xE0U | (cp >> 12)), char(0x80U | ((cp >> 6) & 0x3FU)), char(0x80U | (cp & 0x3FU))};
        out.append(bytes, 3);
    } else {
        const char bytes[4] = {char(0xF0U | (cp >> 18)), char(0x80U | ((cp >> 12) & 0x3FU)),
                               char(0x80U | ((cp >> 6) & 0x3FU)), char(0x80U | (cp & 0x3FU))};
        out.append(bytes, 4);
    }
}

} // namespace

void JsonWriter::appendCodePoint(QByteArray &out, char32_t cp)
{
    appendScalar(out, cp);
}

JsonWriter::JsonWriter(QIODevice *device, Style style) : m_sink(Sink::Device), m_device(device), m_style(style)
{
    Q_ASSERT(device != nullptr);
    m_buffer.reserve(kChunkSize + 4096);
}

JsonWriter::JsonWriter(FILE *file, Style style) : m_sink(Sink::File), m_file(file), m_style(style)
{
    Q_ASSERT(file != nullptr);
    m_buffer.reserve(kChunkSize + 4096);
}

JsonWriter::JsonWriter(int fd, Style style) : m_sink(Sink::Fd), m_fd(fd), m_style(style)
{
    Q_ASSERT(fd >= 0);
    m_buffer.reserve(kChunkSize + 4096);
}

JsonWriter::~JsonWriter()
{
    flush();
}

void JsonWriter::newlineAndIndent(qsizetype depth, bool beforeClose)
{
    switch (m_style) {
    case Style::Compact:
        return;
    case Style::Lines:
        // Only the elements of the top-level container (depth 1) and its closing bracket (depth 0)
        // start a line.
        if (depth == (beforeClose ? 0 : 1))
            m_buffer.append('\n');
        return;
    case Style::Pretty:
        m_buffer.append('\n');
        m_buffer.append(QByteArray(depth * 2, ' '));
        return;
    }
}

void JsonWriter::beforeValue()
{
    if (m_levels.empty()) {
        Q_ASSERT_X(!m_rootWritten, "JsonWriter", "a JSON document holds one top-level value");
        m_rootWritten = true;
        return;
    }
    Level &top = m_levels.back();
    if (top.isObject) {
        Q_ASSERT_X(top.expectValue, "JsonWriter", "a value inside an object needs a key first");
        top.expectValue = false;
        return;
    }
    if (!top.empty)
        m_buffer.append(',');
    top.empty = false;
    newlineAndIndent(qsizetype(m_levels.size()));
}

void JsonWriter::beginContainer(bool isObject, char open)
{
    beforeValue();
    m_buffer.append(open);
    m_levels.push_back(Level{isObject, true, false});
}

void JsonWriter::endContainer(bool isObject, char close)
{
    Q_ASSERT_X(!m_levels.empty() && m_levels.back().isObject == isObject, "JsonWriter", "unbalanced end");
    if (m_levels.empty())
        return;
    Q_ASSERT_X(!m_levels.back().expectValue, "JsonWriter", "a key without a value");
    const bool wasEmpty = m_levels.back().empty;
    m_levels.pop_back();
    if (!wasEmpty)
        newlineAndIndent(qsizetype(m_levels.size()), true);
    m_buffer.append(close);
    if (m_levels.empty() && m_style != Style::Compact)
        m_buffer.append('\n');
    maybeFlush();
}

JsonWriter &JsonWriter::beginObject()
{
    beginContainer(true, '{');
    return *this;
}

JsonWriter &JsonWriter::endObject()
{
    endContainer(true, '}');
    return *this;
}

JsonWriter &JsonWriter::beginArray()
{
    beginContainer(false, '[');
    return *this;
}

JsonWriter &JsonWriter::endArray()
{
    endContainer(false, ']');
    return *this;
}

bool JsonWriter::beginKey()
{
    Q_ASSERT_X(!m_levels.empty() && m_levels.back().isObject, "JsonWriter", "a key outside an object");
    Q_ASSERT_X(m_levels.empty() || !m_levels.back().expectValue, "JsonWriter", "two keys in a row");
    if (m_levels.empty())
        return false;
    Level &top = m_levels.back();
    if (!top.empty)
        m_buffer.append(',');
    top.empty = false;
    top.expectValue = true;
    newlineAndIndent(qsizetype(m_levels.size()));
    return true;
}

void JsonWriter::endKey()
{
    if (m_style == Style::Pretty)
        m_buffer.append(": ", 2);
    else
        m_buffer.append(':');
}

JsonWriter &JsonWriter::key(QStringView name)
{
    if (beginKey()) {
        appendString(m_buffer, name);
        endKey();
    }
    return *this;
}

JsonWriter &JsonWriter::key(QLatin1StringView name)
{
    if (beginKey()) {
        appendLatin1String(m_buffer, name);
        endKey();
    }
    return *this;
}

JsonWriter &JsonWriter::string(QStringView text)
{
    beforeValue();
    appendString(m_buffer, text);
    maybeFlush();
    return *this;
}

JsonWriter &JsonWriter::string(QLatin1StringView text)
{
    beforeValue();
    appendLatin1String(m_buffer, text);
    maybeFlush();
    return *this;
}

JsonWriter &JsonWriter::rawPathString(const QByteArray &bytes)
{
    beforeValue();
    appendRawPathString(m_buffer, bytes);
    maybeFlush();
    return *this;
}

JsonWriter &JsonWriter::integer(qint64 value)
{
    beforeValue();
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    m_buffer.append(digits, result.ptr - digits);
    maybeFlush();
    return *this;
}

JsonWriter &JsonWriter::number(double value)
{
    if (!std::isfinite(value))
        return null();
    beforeValue();
    char digits[40];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    m_buffer.append(digits, result.ptr - digits);
    maybeFlush();
    return *this;
}

JsonWriter &JsonWriter::boolean(bool value)
{
    beforeValue();
    if (value)
        m_buffer.append("true", 4);
    else
        m_buffer.append("false", 5);
    maybeFlush();
    return *this;
}

JsonWriter &JsonWriter::null()
{
    beforeValue();
    m_buffer.append("null", 4);
    maybeFlush();
    return *this;
}

JsonWriter &JsonWriter::value(const QJsonValue &json)
{
    switch (json.type()) {
    case QJsonValue::Bool:
        return boolean(json.toBool());
    case QJsonValue::Double: {
        const double number = json.toDouble();
        if (std::trunc(number) == number && std::fabs(number) < 9.0e15)
            return integer(static_cast<qint64>(number));
        return this->number(number);
    }
    case QJsonValue::String:
        return string(json.toString());
    case QJsonValue::Array: {
        beginArray();
        const QJsonArray array = json.toArray();
        for (const QJsonValue &item : array)
            value(item);
        return endArray();
    }
    case QJsonValue::Object: {
        beginObject();
        const QJsonObject object = json.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            key(it.key());
            value(it.value());
        }
        return endObject();
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return null();
}

JsonWriter &JsonWriter::rawValue(QByteArrayView json)
{
    beforeValue();
    m_buffer.append(json.data(), json.size());
    maybeFlush();
    return *this;
}

bool JsonWriter::isComplete() const
{
    return m_rootWritten && m_levels.empty();
}

void JsonWriter::maybeFlush()
{
    if (m_buffer.size() >= kChunkSize) {
        writeOut(m_buffer.constData(), m_buffer.size());
        m_buffer.resize(0);
    }
}

bool JsonWriter::flush()
{
    if (!m_buffer.isEmpty()) {
        writeOut(m_buffer.constData(), m_buffer.size());
        m_buffer.resize(0);
    }
    if (m_sink == Sink::File && std::fflush(m_file) != 0)
        m_error = true;
    return !m_error;
}

void JsonWriter::writeOut(const char *data, qsizetype size)
{
    if (m_error)
        return;
    switch (m_sink) {
    case Sink::Device:
        if (m_device->write(data, size) != size)
            m_error = true;
        return;
    case Sink::File:
        if (std::fwrite(data, 1, size_t(size), m_file) != size_t(size))
            m_error = true;
        return;
    case Sink::Fd:
        while (size > 0) {
            const ssize_t written = ::write(m_fd, data, size_t(size));
            if (written < 0) {
                if (errno == EINTR)
                    continue;
                m_error = true;
                return;
            }
            data += written;
            size -= written;
        }
        return;
    }
}

void JsonWriter::appendString(QByteArray &out, QStringView text)
{
    out.append('"');
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t unit = text[i].unicode();
        if (unit < 0x80U) {
            appendAscii(out, static_cast<unsigned char>(unit));
        } else if (QChar::isHighSurrogate(unit) && i + 1 < size && QChar::isLowSurrogate(text[i + 1].unicode())) {
            appendScalar(out, QChar::surrogateToUcs4(unit, text[i + 1].unicode()));
            ++i;
        } else if (QChar::isSurrogate(unit)) {
            // A lone surrogate has no UTF-8 form; the escape keeps it (fsDecode()d names round-trip).
            appendUnicodeEscape(out, unit);
        } else {
            appendScalar(out, unit);
        }
    }
    out.append('"');
}

void JsonWriter::appendLatin1String(QByteArray &out, QLatin1StringView text)
{
    out.append('"');
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x80U)
            appendAscii(out, byte);
        else
            appendScalar(out, byte);
    }
    out.append('"');
}

void JsonWriter::appendRawPathString(QByteArray &out, const QByteArray &bytes)
{
    out.append('"');
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.constData());
    const qsizetype size = bytes.size();
    qsizetype i = 0;
    while (i < size) {
        // Copy runs that need no escaping in one append: nearly every real file name is one run.
        qsizetype run = i;
        while (run < size && isPlainAscii(data[run]))
            ++run;
        if (run > i) {
            out.append(bytes.constData() + i, run - i);
            i = run;
            if (i == size)
                break;
        }
        const unsigned char c = data[i];
        if (c < 0x80U) {
            appendAscii(out, c);
            ++i;
            continue;
        }
        const int length = files::utf8SequenceLength(data + i, size - i);
        if (length > 0) {
            out.append(bytes.constData() + i, length);
            i += length;
        } else {
            appendUnicodeEscape(out, char16_t(0xDC00U + c));
            ++i;
        }
    }
    out.append('"');
}

} // namespace oncutf::core
