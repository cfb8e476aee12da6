#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

/// Byte-exact helpers for native (POSIX) paths.
///
/// On Linux a file name is a sequence of bytes, not text: it may hold bytes that are not valid
/// UTF-8 (a name written by an old Windows share, a camera or a broken archive). oncutf must list,
/// store and later rename such a file, so every core path is a QByteArray holding the exact bytes
/// and is never round-tripped through QString, QDir or QFileInfo (which would "repair" it).
///
/// Text appears only at the edges:
/// - for humans, toDisplay() decodes lossily (U+FFFD for broken bytes);
/// - for machines (JSON output, command-line arguments) the PEP-383 "surrogateescape" convention
///   is used, exactly as Python's os.fsdecode()/os.fsencode() on a UTF-8 system: every valid UTF-8
///   sequence decodes to its character, and every byte that is not part of one (0x80..0xFF) becomes
///   the lone surrogate U+DC80..U+DCFF (byte 0xE9 -> U+DCE9, written "\udce9" in JSON). Valid UTF-8
///   never decodes to U+DC80..U+DCFF, so the mapping is reversible: a Python script can do
///   `os.fsencode(json.load(f)[0]["path"])` and get the original bytes back.
///
/// Threading: pure functions, safe from any thread.
namespace oncutf::core::files {

/// Lossy text for display: invalid UTF-8 bytes become U+FFFD. Never use the result as a path.
[[nodiscard]] QString toDisplay(const QByteArray &path);

/// True if `bytes` is strict, well-formed UTF-8 (no overlong forms, no encoded surrogates, nothing
/// above U+10FFFF), as Python's decoder defines it.
[[nodiscard]] bool isValidUtf8(const QByteArray &bytes);

/// Length in bytes of the well-formed UTF-8 sequence that starts at data[0] (1..4), or 0 when the
/// byte at data[0] does not start one. `size` is how many bytes are available.
[[nodiscard]] int utf8SequenceLength(const unsigned char *data, qsizetype size);

/// PEP-383 decode (Python's os.fsdecode): invalid bytes become U+DC80..U+DCFF.
[[nodiscard]] QString fsDecode(const QByteArray &bytes);

/// PEP-383 encode (Python's os.fsencode): the inverse of fsDecode(). A lone surrogate in
/// U+DC80..U+DCFF becomes its byte again; any other lone surrogate (which fsDecode never produces)
/// is encoded as U+FFFD.
[[nodiscard]] QByteArray fsEncode(QStringView text);

/// Absolute form of `path`, byte-exact: a relative path is joined to the current working directory
/// (read with getcwd, not through QDir); then "." and empty components are dropped and ".." removes
/// the previous component lexically (no symlink resolution; ".." at the root stays at the root).
/// The result never ends with '/' except for the root itself. An empty path means the current
/// directory.
[[nodiscard]] QByteArray absolutePath(const QByteArray &path);

/// The last component of `path` (bytes after the last '/'); the path itself if it has none.
[[nodiscard]] QByteArray fileName(const QByteArray &path);

} // namespace oncutf::core::files
