#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <QStringView>

#include <cstdio>
#include <vector>

class QIODevice;

namespace oncutf::core {

/// A small streaming JSON writer for command output that may hold hundreds of thousands of
/// entries and file names that are not UTF-8 (QJsonDocument needs everything in memory and cannot
/// carry such names). Output is buffered and written in chunks of about 64 KiB, never per value.
///
/// Paths go through rawPathString(), which applies the PEP-383 "surrogateescape" rule (see
/// core/files/nativepath.h): valid UTF-8 is written as is, every other byte 0xXY as the escape
/// \udcXY, so Python's json.load() + os.fsencode() gets the exact bytes back. string() writes a
/// QString the same way (a lone surrogate becomes a \uXXXX escape rather than being replaced).
///
/// Structure is checked with Q_ASSERT (a key only inside an object, a value after each key,
/// balanced containers). Styles: Compact (one line), Pretty (indented by 2, as `python3 -m
/// json.tool` prints it) and Lines (compact, but each element of the top-level container on its
/// own line: grep- and head-friendly listings).
///
/// Owner: the code producing one document (a CLI command). Threading: not thread-safe; one thread.
class JsonWriter final {
public:
    enum class Style { Compact, Pretty, Lines };

    explicit JsonWriter(QIODevice *device, Style style = Style::Compact);
    /// Writes with fwrite; the FILE stays open and owned by the caller.
    explicit JsonWriter(FILE *file, Style style = Style::Compact);
    /// Writes with write(2), retrying on EINTR and short writes; the fd stays owned by the caller.
    explicit JsonWriter(int fd, Style style = Style::Compact);
    /// Flushes what is still buffered.
    ~JsonWriter();

    JsonWriter(const JsonWriter &) = delete;
    JsonWriter &operator=(const JsonWriter &) = delete;

    JsonWriter &beginObject();
    JsonWriter &endObject();
    JsonWriter &beginArray();
    JsonWriter &endArray();

    JsonWriter &key(QStringView name);
    JsonWriter &key(QLatin1StringView name);

    JsonWriter &string(QStringView text);
    JsonWriter &string(QLatin1StringView text);
    /// A byte string (a file name) in the surrogateescape convention.
    JsonWriter &rawPathString(const QByteArray &bytes);
    JsonWriter &integer(qint64 number);
    /// Shortest form that reads back to the same double; NaN and infinities become null.
    JsonWriter &number(double value);
    JsonWriter &boolean(bool value);
    JsonWriter &null();
    /// Any Qt JSON value, objects and arrays written recursively (integral doubles as integers).
    JsonWriter &value(const QJsonValue &json);
    /// A value already in this writer's compact JSON form (the caller vouches for it), copied as
    /// it is: a document prepared elsewhere, e.g. a cached one (metadata/cachejson.h).
    JsonWriter &rawValue(QByteArrayView json);

    /// Shorthands for key(name) + value.
    JsonWriter &field(QLatin1StringView name, QStringView text) { return key(name).string(text); }
    JsonWriter &field(QLatin1StringView name, qint64 number) { return key(name).integer(number); }

    /// Writes the buffer out; false if the sink reported an error (now or before).
    bool flush();
    [[nodiscard]] bool hasError() const { return m_error; }
    /// True when every container opened has been closed and one top-level value was written.
    [[nodiscard]] bool isComplete() const;

    /// Appends the JSON string literal (with quotes) for `bytes` under the surrogateescape rule.
    static void appendRawPathString(QByteArray &out, const QByteArray &bytes);
    /// Appends the JSON string literal (with quotes) for `text`.
    static void appendString(QByteArray &out, QStringView text);
    /// One Unicode scalar value as appendString() prints it inside a string (escaped when JSON
    /// needs it, else UTF-8); cachejson prints cached documents by the same rule.
    static void appendCodePoint(QByteArray &out, char32_t cp);
    static void appendLatin1String(QByteArray &out, QLatin1StringView text);

private:
    enum class Sink { Device, File, Fd };
    struct Level {
        bool isObject;
        bool empty;
        bool expectValue; // objects: a key was written and its value is due
    };

    void beforeValue();
    bool beginKey();
    void endKey();
    void beginContainer(bool isObject, char open);
    void endContainer(bool isObject, char close);
    void newlineAndIndent(qsizetype depth, bool beforeClose = false);
    void maybeFlush();
    void writeOut(const char *data, qsizetype size);

    Sink m_sink;
    QIODevice *m_device = nullptr;
    FILE *m_file = nullptr;
    int m_fd = -1;
    Style m_style;
    QByteArray m_buffer;
    std::vector<Level> m_levels;
    bool m_rootWritten = false;
    bool m_error = false;
};

} // namespace oncutf::core
