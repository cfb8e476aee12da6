#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>

namespace oncutf::core::metadata::cachejson {

/// The metadata cache's document format (compact JSON text of a record's fields) and a fast path
/// that turns a cached document straight into the text the CLI prints for it, without building a
/// QJsonObject (QJsonDocument::fromJson and the writer's walk over the object were most of a
/// cached re-open). Threading: pure functions, any thread.

/// `fields` as a compact JSON object, keys in QJsonObject order: integral numbers as integers,
/// other numbers in the shortest form that reads back to the same double, strings escaped as
/// JsonWriter escapes them. QJsonDocument::fromJson reads it back to an object with the same
/// keys, strings and numeric values. Written into one pre-sized buffer (QJsonDocument::toJson
/// grows its output by reallocation and allocates per key and value).
[[nodiscard]] QByteArray serialize(const QJsonObject &fields);
/// serialize() appended to `out` (a buffer reused from document to document).
void appendDocument(QByteArray &out, const QJsonObject &fields);
/// One member of such a document, `"key":value`, for a writer that builds the document itself
/// with its keys in ascending order, each once (the in-process reader): `{`, the members
/// separated by `,`, `}` are then exactly serialize() of the object they make.
void appendMember(QByteArray &out, QLatin1StringView key, const QJsonValue &value);

/// Appends to `out` exactly the bytes `JsonWriter::value(QJsonDocument::fromJson(json).object())`
/// writes in compact form, and returns true. Returns false, leaving `out` as it was, for whatever
/// it does not handle itself, where the caller takes the QJsonDocument route (and keeps its
/// verdict on broken documents): not one object, a key that is not printable ASCII or not in
/// strictly ascending order (QJsonObject sorts and deduplicates keys), invalid UTF-8, an escaped
/// surrogate, a non-character, a number outside the double range, nesting deeper than 64.
[[nodiscard]] bool appendPrintForm(QByteArray &out, QByteArrayView json);

} // namespace oncutf::core::metadata::cachejson
