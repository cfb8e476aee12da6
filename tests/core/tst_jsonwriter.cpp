// The streaming JSON writer every CLI command prints through: structure, styles, escaping,
// surrogateescape paths, numbers, and chunked output to QIODevice, FILE* and fd sinks.

#include "core/files/nativepath.h"
#include "core/jsonwriter.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

using oncutf::core::JsonWriter;

namespace {

QByteArray render(JsonWriter::Style style, const std::function<void(JsonWriter &)> &build)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    {
        JsonWriter writer(&buffer, style);
        build(writer);
        if (!writer.isComplete())
            return QByteArray("<incomplete>");
    }
    return buffer.data();
}

void sampleDocument(JsonWriter &w)
{
    w.beginObject();
    w.key(QLatin1StringView("name")).string(QStringLiteral("photo"));
    w.key(QLatin1StringView("list")).beginArray().integer(1).integer(2).endArray();
    w.key(QLatin1StringView("empty")).beginObject().endObject();
    w.key(QLatin1StringView("flag")).boolean(true);
    w.key(QLatin1StringView("none")).null();
    w.endObject();
}

} // namespace

class TestJsonWriter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void styles_data();
    void styles();
    void linesStylePutsTopLevelElementsOnLines();
    void stringEscaping_data();
    void stringEscaping();
    void rawPathStringSurrogateEscape_data();
    void rawPathStringSurrogateEscape();
    void rawPathStringRoundTripsThroughFsDecode();
    void integersAndDoubles();
    void outputParsesWithQJsonDocument();
    void largeOutputIsChunkedToFd();
    void fileSinkWritesEverything();
    void deviceErrorIsReported();
};

void TestJsonWriter::styles_data()
{
    QTest::addColumn<int>("style");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("compact") << int(JsonWriter::Style::Compact)
                             << QByteArray(R"({"name":"photo","list":[1,2],"empty":{},"flag":true,"none":null})");
    QTest::newRow("pretty") << int(JsonWriter::Style::Pretty)
                            << QByteArray("{\n"
                                          "  \"name\": \"photo\",\n"
                                          "  \"list\": [\n"
                                          "    1,\n"
                                          "    2\n"
                                          "  ],\n"
                                          "  \"empty\": {},\n"
                                          "  \"flag\": true,\n"
                                          "  \"none\": null\n"
                                          "}\n");
}

void TestJsonWriter::styles()
{
    QFETCH(int, style);
    QFETCH(QByteArray, expected);
    QCOMPARE(render(JsonWriter::Style(style), sampleDocument), expected);
}

void TestJsonWriter::linesStylePutsTopLevelElementsOnLines()
{
    const QByteArray out = render(JsonWriter::Style::Lines, [](JsonWriter &w) {
        w.beginArray();
        for (int i = 0; i < 3; ++i)
            w.beginObject().field(QLatin1StringView("n"), qint64(i)).endObject();
        w.endArray();
    });
    QCOMPARE(out, QByteArray("[\n{\"n\":0},\n{\"n\":1},\n{\"n\":2}\n]\n"));

    const QByteArray empty = render(JsonWriter::Style::Lines, [](JsonWriter &w) { w.beginArray().endArray(); });
    QCOMPARE(empty, QByteArray("[]\n"));
}

void TestJsonWriter::stringEscaping_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("plain") << QStringLiteral("abc") << QByteArray(R"("abc")");
    QTest::newRow("quote and backslash") << QStringLiteral("a\"b\\c") << QByteArray(R"("a\"b\\c")");
    QTest::newRow("named controls") << QStringLiteral("\n\t\r\b\f") << QByteArray(R"("\n\t\r\b\f")");
    QTest::newRow("other controls") << (QString(QChar(0x01)) + QChar(0x1F)) << QByteArray(R"("\u0001\u001f")");
    QTest::newRow("slash not escaped") << QStringLiteral("a/b") << QByteArray(R"("a/b")");
    QTest::newRow("greek as utf8") << QString::fromUtf8("\xce\xb1") << QByteArray("\"\xce\xb1\"");
    QTest::newRow("emoji as utf8") << QString::fromUtf8("\xf0\x9f\x93\xb7") << QByteArray("\"\xf0\x9f\x93\xb7\"");
    QTest::newRow("lone low surrogate") << QString(QChar(0xDCE9)) << QByteArray(R"("\udce9")");
    QTest::newRow("lone high surrogate") << QString(QChar(0xD83D)) << QByteArray(R"("\ud83d")");
}

void TestJsonWriter::stringEscaping()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, expected);
    QCOMPARE(render(JsonWriter::Style::Compact, [&](JsonWriter &w) { w.string(text); }), expected);
}

void TestJsonWriter::rawPathStringSurrogateEscape_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("expected");

    // What Python's json.dumps(os.fsdecode(bytes), ensure_ascii=False) prints.
    QTest::newRow("ascii") << QByteArray("/p/IMG_1.jpg") << QByteArray(R"("/p/IMG_1.jpg")");
    QTest::newRow("latin1 byte") << QByteArray("/p/caf\xe9.jpg") << QByteArray(R"("/p/caf\udce9.jpg")");
    QTest::newRow("newline and quote") << QByteArray("/p/a\n\"b") << QByteArray(R"("/p/a\n\"b")");
    QTest::newRow("backslash") << QByteArray("/p/a\\b") << QByteArray(R"("/p/a\\b")");
    QTest::newRow("greek kept") << QByteArray("/p/\xce\xb1\xce\xb2") << QByteArray("\"/p/\xce\xb1\xce\xb2\"");
    QTest::newRow("truncated sequence") << QByteArray("\xe2\x82x") << QByteArray(R"("\udce2\udc82x")");
    QTest::newRow("encoded surrogate") << QByteArray("\xed\xa0\x80") << QByteArray(R"("\udced\udca0\udc80")");
    QTest::newRow("leading dash") << QByteArray("/p/-rf.jpg") << QByteArray(R"("/p/-rf.jpg")");
}

void TestJsonWriter::rawPathStringSurrogateEscape()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, expected);
    QCOMPARE(render(JsonWriter::Style::Compact, [&](JsonWriter &w) { w.rawPathString(bytes); }), expected);
}

void TestJsonWriter::rawPathStringRoundTripsThroughFsDecode()
{
    // rawPathString(bytes) and string(fsDecode(bytes)) are the same JSON text: the reader may
    // decode with either view.
    const QList<QByteArray> samples{QByteArray("caf\xe9"), QByteArray("\xff\xfe"), QByteArray("\xce\xb1\x80"),
                                    QByteArray("a\x01\x7f b")};
    for (const QByteArray &bytes : samples) {
        const QByteArray raw = render(JsonWriter::Style::Compact, [&](JsonWriter &w) { w.rawPathString(bytes); });
        const QByteArray viaText = render(JsonWriter::Style::Compact, [&](JsonWriter &w) {
            w.string(oncutf::core::files::fsDecode(bytes));
        });
        QCOMPARE(raw, viaText);
    }
}

void TestJsonWriter::integersAndDoubles()
{
    const QByteArray out = render(JsonWriter::Style::Compact, [](JsonWriter &w) {
        w.beginArray()
            .integer(0)
            .integer(-42)
            .integer(std::numeric_limits<qint64>::max())
            .integer(std::numeric_limits<qint64>::min())
            .number(0.1)
            .number(-2.5e-7)
            .number(3.0)
            .number(std::numeric_limits<double>::quiet_NaN())
            .number(std::numeric_limits<double>::infinity())
            .endArray();
    });
    QCOMPARE(out, QByteArray("[0,-42,9223372036854775807,-9223372036854775808,0.1,-2.5e-07,3,null,null]"));
}

void TestJsonWriter::outputParsesWithQJsonDocument()
{
    const QByteArray out = render(JsonWriter::Style::Pretty, [](JsonWriter &w) {
        w.beginArray();
        w.beginObject()
            .field(QLatin1StringView("path"), QStringView(u"/a/b c.jpg"))
            .field(QLatin1StringView("size"), qint64(12345678901))
            .endObject();
        w.beginObject().key(QLatin1StringView("text")).string(QStringLiteral("x\ny\"z")).endObject();
        w.endArray();
    });
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(out, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(doc.array().size(), 2);
    QCOMPARE(doc.array().at(0).toObject().value(QStringLiteral("path")).toString(), QStringLiteral("/a/b c.jpg"));
    QCOMPARE(doc.array().at(0).toObject().value(QStringLiteral("size")).toInteger(), qint64(12345678901));
    QCOMPARE(doc.array().at(1).toObject().value(QStringLiteral("text")).toString(), QStringLiteral("x\ny\"z"));
}

void TestJsonWriter::largeOutputIsChunkedToFd()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray path = QFile::encodeName(dir.filePath(QStringLiteral("out.json")));
    const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    QVERIFY(fd >= 0);

    constexpr int kEntries = 20000;
    qint64 sizeBeforeEnd = 0;
    {
        JsonWriter writer(fd, JsonWriter::Style::Lines);
        writer.beginArray();
        for (int i = 0; i < kEntries; ++i) {
            writer.beginObject()
                .field(QLatin1StringView("i"), qint64(i))
                .key(QLatin1StringView("path"))
                .rawPathString(QByteArray("/photos/IMG_") + QByteArray::number(i) + ".jpg")
                .endObject();
        }
        // The writer streams: most of the document is already in the file before the end.
        struct stat st {};
        QCOMPARE(::fstat(fd, &st), 0);
        sizeBeforeEnd = st.st_size;
        writer.endArray();
        QVERIFY(writer.flush());
        QVERIFY(!writer.hasError());
    }
    ::close(fd);

    QFile file(QString::fromLocal8Bit(path));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray all = file.readAll();
    QVERIFY2(sizeBeforeEnd > all.size() / 2, "output was held in memory instead of streamed");
    const QJsonDocument doc = QJsonDocument::fromJson(all);
    QCOMPARE(doc.array().size(), kEntries);
    QCOMPARE(doc.array().last().toObject().value(QStringLiteral("path")).toString(),
             QStringLiteral("/photos/IMG_%1.jpg").arg(kEntries - 1));
}

void TestJsonWriter::fileSinkWritesEverything()
{
    FILE *file = std::tmpfile();
    QVERIFY(file != nullptr);
    {
        JsonWriter writer(file, JsonWriter::Style::Compact);
        sampleDocument(writer);
    }
    std::rewind(file);
    char buffer[256] = {};
    const size_t n = std::fread(buffer, 1, sizeof buffer - 1, file);
    std::fclose(file);
    QCOMPARE(QByteArray(buffer, qsizetype(n)),
             QByteArray(R"({"name":"photo","list":[1,2],"empty":{},"flag":true,"none":null})"));
}

void TestJsonWriter::deviceErrorIsReported()
{
    QBuffer readOnly;
    readOnly.open(QIODevice::ReadOnly);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("ReadOnly device")));
    JsonWriter writer(&readOnly);
    writer.beginArray().integer(1).endArray();
    QVERIFY(!writer.flush());
    QVERIFY(writer.hasError());
}

QTEST_GUILESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
