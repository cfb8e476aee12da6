// The metadata cache's document format (core/metadata/cachejson.h): a document written by
// serialize() reads back to the same printed fields, and appendPrintForm() gives byte for byte what
// the CLI printed before it existed (QJsonDocument::fromJson + JsonWriter::value), or declines and
// leaves its output alone.

#include "core/jsonwriter.h"
#include "core/metadata/cachejson.h"
#include "core/metadata/metadataloader.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <limits>

using namespace oncutf::core;
using namespace oncutf::core::metadata;

namespace {

// What the CLI writes for an object (compact, as a nested value of its Lines output).
QByteArray printed(const QJsonObject &object)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    {
        JsonWriter writer(&buffer, JsonWriter::Style::Compact);
        writer.value(object);
    }
    return buffer.data();
}

// The old route: parse, then print; empty when QJsonDocument refuses the document.
QByteArray printedThroughQt(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return {};
    }
    return printed(document.object());
}

QJsonObject sampleFields(bool loneSurrogate = false)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("EXIF:Make"), QStringLiteral("Canon"));
    fields.insert(QStringLiteral("EXIF:FNumber"), 2.8);
    fields.insert(QStringLiteral("EXIF:ISO"), 400);
    fields.insert(QStringLiteral("EXIF:Artist"), QStringLiteral("Ζωή Χατζή © 😀"));
    fields.insert(QStringLiteral("EXIF:GPSLatitude"), QStringLiteral("40 deg 38' 24.00\""));
    fields.insert(QStringLiteral("EXIF:ImageDescription"), QStringLiteral("tab\there\nnew line \\ slash / bell \a del \x7f"));
    if (loneSurrogate) {
        fields.insert(QStringLiteral("File:Lone"), QString(QChar(0xDC80)));
    }
    fields.insert(QStringLiteral("File:Big"), qint64(1) << 60);
    fields.insert(QStringLiteral("File:Huge"), 1.0e300);
    fields.insert(QStringLiteral("File:Tiny"), 1.0e-300);
    fields.insert(QStringLiteral("File:Negative"), -0.0);
    fields.insert(QStringLiteral("File:Whole"), 3.0);
    fields.insert(QStringLiteral("File:Edge"), 9.0e15);
    fields.insert(QStringLiteral("File:Flag"), true);
    fields.insert(QStringLiteral("File:Nothing"), QJsonValue::Null);
    fields.insert(QStringLiteral("XMP:Subject"), QJsonArray{QStringLiteral("a"), 1, 2.5, QJsonArray{}, QJsonObject{}});
    fields.insert(QStringLiteral("XMP:Nested"), QJsonObject{{QStringLiteral("b"), 1}, {QStringLiteral("a"), QStringLiteral("x")}});
    fields.insert(QStringLiteral("Composite:Empty"), QString());
    return fields;
}

} // namespace

class TestCacheJson final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // A stored document reads back (through Qt, as the cache lookup reads it) to fields the CLI
    // prints exactly as it prints the fields that were stored.
    void serializeReadsBackToTheSamePrint()
    {
        const QJsonObject fields = sampleFields();
        const QByteArray document = cachejson::serialize(fields);
        QCOMPARE(MetadataLoader::toCacheJson(fields), document);
        const auto back = MetadataLoader::fromCacheJson(document);
        QVERIFY(back.has_value());
        QCOMPARE(printed(*back), printed(fields));
        QCOMPARE(back->keys(), fields.keys());
        // 64-bit integers stay whole.
        QCOMPARE(back->value(QStringLiteral("File:Big")).toInteger(), qint64(1) << 60);
        QCOMPARE(cachejson::serialize(QJsonObject()), QByteArray("{}"));
        // A lone surrogate (a name decoded with surrogateescape) is kept as its escape: Qt reads
        // it back to the same value, or refuses the document and the file is read again; never a
        // different value.
        const QJsonObject odd = sampleFields(true);
        const auto oddBack = MetadataLoader::fromCacheJson(cachejson::serialize(odd));
        if (oddBack) {
            QCOMPARE(printed(*oddBack), printed(odd));
        }
    }

    void printFormEqualsTheParsedPrint_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("expectHandled"); // false: left to the parse route
        QTest::newRow("serialized sample") << cachejson::serialize(sampleFields()) << true;
        QTest::newRow("Qt's own compact form") << QJsonDocument(sampleFields()).toJson(QJsonDocument::Compact) << true;
        QTest::newRow("Qt's indented form") << QJsonDocument(sampleFields()).toJson(QJsonDocument::Indented) << true;
        QTest::newRow("empty object") << QByteArray("{}") << true;
        QTest::newRow("spaces") << QByteArray(" { \"a\" : [ 1 , 2 ] ,\n\t\"b\" : { } } \n") << true;
        QTest::newRow("escapes") << QByteArray("{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\u0001\\u001f\\u007f\"}") << true;
        QTest::newRow("integers") << QByteArray("{\"a\":0,\"b\":-0,\"c\":9007199254740993,\"d\":-9223372036854775808,\"e\":9223372036854775807}") << true;
        QTest::newRow("integer beyond 64 bits") << QByteArray("{\"a\":123456789012345678901234567890}") << true;
        QTest::newRow("doubles") << QByteArray("{\"a\":2.8,\"b\":1e-7,\"c\":1E+21,\"d\":-0.0,\"e\":0.1,\"f\":123456.0,\"g\":9e15,\"h\":8.999999999999999e15}") << true;
        QTest::newRow("literals") << QByteArray("{\"a\":true,\"b\":false,\"c\":null,\"d\":[true,null,false]}") << true;
        QTest::newRow("nested") << QByteArray("{\"a\":{\"b\":{\"c\":[[],[{}],{\"d\":\"e\"}]}}}") << true;
        QTest::newRow("utf-8") << QByteArray("{\"a\":\"\xce\x96\xcf\x89\xce\xae \xc2\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac\"}") << true;
        // Declined (the parse route decides, as before):
        QTest::newRow("lone surrogate, serialized") << cachejson::serialize(sampleFields(true)) << false;
        QTest::newRow("keys out of order") << QByteArray("{\"b\":1,\"a\":2}") << false;
        QTest::newRow("duplicate keys") << QByteArray("{\"a\":1,\"a\":2}") << false;
        QTest::newRow("non-ASCII key") << QByteArray("{\"\xc3\xa9\":1}") << false;
        QTest::newRow("escaped key") << QByteArray("{\"\\u0061\":1}") << false;
        QTest::newRow("escaped surrogate pair") << QByteArray("{\"a\":\"\\ud83d\\ude00\"}") << false;
        QTest::newRow("lone surrogate escape") << QByteArray("{\"a\":\"\\udc80\"}") << false;
        QTest::newRow("invalid UTF-8") << QByteArray("{\"a\":\"\xff\"}") << false;
        QTest::newRow("overlong UTF-8") << QByteArray("{\"a\":\"\xc0\xaf\"}") << false;
        QTest::newRow("encoded surrogate") << QByteArray("{\"a\":\"\xed\xa0\x80\"}") << false;
        QTest::newRow("raw control character") << QByteArray("{\"a\":\"x\ty\"}") << false;
        QTest::newRow("number out of range") << QByteArray("{\"a\":1e400}") << false;
        QTest::newRow("leading zero") << QByteArray("{\"a\":01}") << false;
        QTest::newRow("bare dot") << QByteArray("{\"a\":1.}") << false;
        QTest::newRow("truncated") << QByteArray("{\"a\":\"b\"") << false;
        QTest::newRow("garbage after") << QByteArray("{\"a\":1}x") << false;
        QTest::newRow("array at top") << QByteArray("[1,2]") << false;
        QTest::newRow("empty") << QByteArray() << false;
        QTest::newRow("trailing comma") << QByteArray("{\"a\":1,}") << false;
        QTest::newRow("too deep") << (QByteArray("{\"a\":") + QByteArray(100, '[') + QByteArray(100, ']') + '}') << false;
    }

    void printFormEqualsTheParsedPrint()
    {
        QFETCH(QByteArray, json);
        QFETCH(bool, expectHandled);
        const QByteArray expected = printedThroughQt(json);
        QByteArray out("prefix");
        const bool handled = cachejson::appendPrintForm(out, json);
        if (handled) {
            // Never accepts what Qt refuses; when it accepts, the very bytes of the old route.
            QVERIFY2(!expected.isEmpty(), json.constData());
            QCOMPARE(out, QByteArray("prefix") + expected);
        } else {
            QCOMPARE(out, QByteArray("prefix"));
        }
        QCOMPARE(handled, expectHandled);
    }
};

QTEST_GUILESS_MAIN(TestCacheJson)
#include "tst_cachejson.moc"
