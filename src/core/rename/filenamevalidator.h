#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace oncutf::core::rename {

/// Decides whether a new file name (one path component, native bytes) may be used, and says why
/// not in plain words. The POSIX rules always apply: not empty, no '/' or NUL, not "." or "..",
/// at most 255 bytes, no control characters (C0, DEL, C1). With `windowsSafe` the name must also
/// be usable on Windows and on FAT/exFAT/NTFS media: none of <>:"\|?*, no trailing dot or space,
/// and not a reserved device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9; any case, with or without
/// an extension, since Windows reserves "con.txt" too).
/// Owner: the rename planner; also usable by the GUI to validate typed text.
/// Threading: stateless; every function is reentrant.
class FileNameValidator final {
public:
    FileNameValidator() = delete;

    static constexpr qsizetype MaxNameBytes = 255;

    /// Why `name` is not a usable file name, or nullopt when it is.
    [[nodiscard]] static std::optional<QString> check(const QByteArray &name, bool windowsSafe);
    [[nodiscard]] static bool isValid(const QByteArray &name, bool windowsSafe)
    {
        return !check(name, windowsSafe).has_value();
    }
};

} // namespace oncutf::core::rename
