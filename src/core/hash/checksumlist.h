#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <functional>
#include <optional>

namespace oncutf::core::hash {

/// One line of a checksum list: the expected CRC32 of a file.
struct ChecksumEntry {
    quint32 crc = 0;
    QByteArray path; ///< native bytes, unescaped, as written (relative to the current directory)
    int line = 0;    ///< 1-based line number in the list

    friend bool operator==(const ChecksumEntry &, const ChecksumEntry &) = default;
};

/// What a list held: its entries and the numbers of the lines that were not entries.
struct ParsedChecksumList {
    QList<ChecksumEntry> entries;
    QList<int> malformedLines; ///< 1-based; comments and blank lines are not counted
};

/// The result of checking one entry, as `sha256sum -c` reports it.
struct ChecksumCheck {
    enum class Status { Ok, Failed, Unreadable };
    ChecksumEntry entry;
    Status status = Status::Failed;
    std::optional<quint32> actual; ///< the CRC found, when the file could be read
    std::optional<Error> error;    ///< why the file could not be read
};

/// Writes and reads checksum lists in sha256sum's layout, with CRC32 in place of SHA-256, so that
/// the lists diff cleanly against other tools' and survive any file name:
///   `<8 hex digits>  <path>`
/// A path holding a newline, a carriage return or a backslash is escaped as GNU coreutils 9 does:
/// the line starts with a backslash and those bytes become `\n`, `\r` and `\\`. Parsing accepts
/// what coreutils accepts: leading blanks, upper-case hex, the binary marker `*`, one blank as the
/// separator, CRLF line ends; lines starting with `#` and blank lines are skipped.
/// Threading: stateless and pure; safe from any thread.
class ChecksumList final {
public:
    ChecksumList() = delete;

    using HashFunction = std::function<Result<quint32>(const QByteArray &path)>;

    /// "<crc>  <path>\n", escaped when the path needs it.
    [[nodiscard]] static QByteArray formatLine(quint32 crc, const QByteArray &path);

    /// The `sha256sum -c` report line: "<path>: OK\n", "<path>: FAILED\n" or
    /// "<path>: FAILED open or read\n". As coreutils does there, only a path holding a newline is
    /// escaped (leading backslash).
    [[nodiscard]] static QByteArray formatCheckLine(const QByteArray &path, ChecksumCheck::Status status);

    /// One line without its final newline; nullopt if it is not an entry (entry.line is left 0).
    [[nodiscard]] static std::optional<ChecksumEntry> parseLine(QByteArrayView line);

    /// A whole list.
    [[nodiscard]] static ParsedChecksumList parse(const QByteArray &contents);

    /// Compares an entry with what hashing its file gave.
    [[nodiscard]] static ChecksumCheck check(const ChecksumEntry &entry, const Result<quint32> &actual);

    /// Hashes and checks every entry in order with `hash`.
    [[nodiscard]] static QList<ChecksumCheck> verify(const QList<ChecksumEntry> &entries, const HashFunction &hash);

    /// True if the path needs the escaped form in a checksum line.
    [[nodiscard]] static bool needsEscape(QByteArrayView path);

    /// The path with `\`, newline and carriage return escaped (no leading backslash added).
    [[nodiscard]] static QByteArray escapePath(QByteArrayView path);
};

} // namespace oncutf::core::hash
