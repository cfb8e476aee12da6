#include "core/hash/checksumlist.h"

#include "core/hash/crc32.h"

namespace oncutf::core::hash {

namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

std::optional<QByteArray> unescapePath(QByteArrayView escaped)
{
    QByteArray path;
    path.reserve(escaped.size());
    for (qsizetype i = 0; i < escaped.size(); ++i) {
        const char c = escaped[i];
        if (c != '\\') {
            path.append(c);
            continue;
        }
        if (++i == escaped.size())
            return std::nullopt;
        switch (escaped[i]) {
        case '\\':
            path.append('\\');
            break;
        case 'n':
            path.append('\n');
            break;
        case 'r':
            path.append('\r');
            break;
        default:
            return std::nullopt;
        }
    }
    return path;
}

} // namespace

bool ChecksumList::needsEscape(QByteArrayView path)
{
    for (const char c : path) {
        if (c == '\\' || c == '\n' || c == '\r')
            return true;
    }
    return false;
}

QByteArray ChecksumList::escapePath(QByteArrayView path)
{
    QByteArray out;
    out.reserve(path.size() + 8);
    for (const char c : path) {
        switch (c) {
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        default:
            out.append(c);
            break;
        }
    }
    return out;
}

QByteArray ChecksumList::formatLine(quint32 crc, const QByteArray &path)
{
    const bool escape = needsEscape(path);
    QByteArray line;
    line.reserve(path.size() + 12);
    if (escape)
        line.append('\\');
    line.append(Crc32::toHex(crc));
    line.append("  ");
    line.append(escape ? escapePath(path) : path);
    line.append('\n');
    return line;
}

QByteArray ChecksumList::formatCheckLine(const QByteArray &path, ChecksumCheck::Status status)
{
    QByteArray line;
    if (path.contains('\n')) {
        line.append('\\');
        line.append(escapePath(path));
    } else {
        line.append(path);
    }
    switch (status) {
    case ChecksumCheck::Status::Ok:
        line.append(": OK\n");
        break;
    case ChecksumCheck::Status::Failed:
        line.append(": FAILED\n");
        break;
    case ChecksumCheck::Status::Unreadable:
        line.append(": FAILED open or read\n");
        break;
    }
    return line;
}

std::optional<ChecksumEntry> ChecksumList::parseLine(QByteArrayView line)
{
    if (line.endsWith('\r'))
        line.chop(1);
    qsizetype i = 0;
    while (i < line.size() && isBlank(line[i]))
        ++i;
    const bool escaped = i < line.size() && line[i] == '\\';
    if (escaped)
        ++i;
    const auto crc = Crc32::fromHex(line.sliced(i, qMin<qsizetype>(8, line.size() - i)));
    if (!crc)
        return std::nullopt;
    i += 8;
    if (i >= line.size() || !isBlank(line[i]))
        return std::nullopt;
    ++i;
    // Two-space text mode or " *" binary mode; a single blank (BSD reversed style) also works.
    if (i + 1 < line.size() && (line[i] == ' ' || line[i] == '*'))
        ++i;
    const QByteArrayView rawPath = line.sliced(i);
    if (rawPath.isEmpty())
        return std::nullopt;

    ChecksumEntry entry;
    entry.crc = *crc;
    if (escaped) {
        auto path = unescapePath(rawPath);
        if (!path)
            return std::nullopt;
        entry.path = std::move(*path);
    } else {
        entry.path = rawPath.toByteArray();
    }
    return entry;
}

ParsedChecksumList ChecksumList::parse(const QByteArray &contents)
{
    ParsedChecksumList parsed;
    int number = 0;
    qsizetype start = 0;
    while (start < contents.size()) {
        qsizetype end = contents.indexOf('\n', start);
        if (end < 0)
            end = contents.size();
        const QByteArrayView line = QByteArrayView(contents).sliced(start, end - start);
        start = end + 1;
        ++number;

        QByteArrayView trimmed = line;
        while (!trimmed.isEmpty() && (isBlank(trimmed.front()) || trimmed.front() == '\r'))
            trimmed = trimmed.sliced(1);
        if (trimmed.isEmpty() || trimmed.front() == '#')
            continue;

        if (auto entry = parseLine(line)) {
            entry->line = number;
            parsed.entries.append(std::move(*entry));
        } else {
            parsed.malformedLines.append(number);
        }
    }
    return parsed;
}

ChecksumCheck ChecksumList::check(const ChecksumEntry &entry, const Result<quint32> &actual)
{
    ChecksumCheck result;
    result.entry = entry;
    if (!actual) {
        result.status = ChecksumCheck::Status::Unreadable;
        result.error = actual.error();
        return result;
    }
    result.actual = *actual;
    result.status = *actual == entry.crc ? ChecksumCheck::Status::Ok : ChecksumCheck::Status::Failed;
    return result;
}

QList<ChecksumCheck> ChecksumList::verify(const QList<ChecksumEntry> &entries, const HashFunction &hash)
{
    QList<ChecksumCheck> results;
    results.reserve(entries.size());
    for (const ChecksumEntry &entry : entries)
        results.append(check(entry, hash(entry.path)));
    return results;
}

} // namespace oncutf::core::hash
