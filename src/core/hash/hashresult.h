#pragma once

#include "core/error.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>

#include <optional>

namespace oncutf::core::hash {

/// The CRC32 of one file of a batch, or why there is none.
/// Threading: a plain value; batches travel in queued signals.
struct HashResult {
    int index = -1;             ///< position of the file in the list given to the hasher
    QByteArray path;            ///< native bytes, as given
    qint64 size = -1;           ///< bytes hashed; on error the size stat() saw, -1 if unknown
    qint64 mtimeNs = 0;         ///< modification time the hash belongs to
    std::optional<quint32> crc; ///< set on success
    std::optional<Error> error; ///< set on failure (then crc is empty)
    bool fromCache = false;     ///< taken from the HashCache without reading the file

    [[nodiscard]] bool ok() const { return crc.has_value(); }
};

} // namespace oncutf::core::hash

Q_DECLARE_METATYPE(oncutf::core::hash::HashResult)
