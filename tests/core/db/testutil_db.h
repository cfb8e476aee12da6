#pragma once
// Shared by the tests in tests/core/db: test options for DatabaseManager and small file helpers.

#include "core/db/connection.h"
#include "core/db/databasemanager.h"
#include "core/db/filestamp.h"
#include "core/db/metadatacache.h"
#include "core/db/renamejournal.h"
#include "core/db/sessionstatestore.h"
#include "core/error.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QFile>
#include <QString>

#include <chrono>
#include <memory>

// QCOMPARE prints values through toString(), found by argument-dependent lookup.
namespace oncutf::core {
inline char *toString(ErrorCode code)
{
    return qstrdup(QByteArray("ErrorCode(" + QByteArray::number(int(code)) + ')').constData());
}
} // namespace oncutf::core

namespace oncutf::core::db {
inline char *toString(MetadataMode mode)
{
    return qstrdup(metadataModeName(mode).toUtf8().constData());
}
inline char *toString(BatchKind kind)
{
    return qstrdup(batchKindName(kind).toUtf8().constData());
}
inline char *toString(BatchState state)
{
    return qstrdup(batchStateName(state).toUtf8().constData());
}
inline char *toString(OpState state)
{
    return qstrdup(opStateName(state).toUtf8().constData());
}
inline char *toString(SessionStateStore::Type type)
{
    return qstrdup(QByteArray("Type(" + QByteArray::number(int(type)) + ')').constData());
}
inline char *toString(const FileStamp &stamp)
{
    return qstrdup(QByteArray("FileStamp{" + QByteArray::number(stamp.size) + ", " + QByteArray::number(stamp.mtimeNs)
                              + '}')
                       .constData());
}
} // namespace oncutf::core::db

namespace oncutf::tests {

/// Short lock waits so a test that meets a lock fails or reports within seconds.
inline core::db::DatabaseManager::Options testDbOptions()
{
    core::db::DatabaseManager::Options options;
    options.busyTimeout = std::chrono::milliseconds(50);
    options.lockDeadline = std::chrono::seconds(5);
    options.cacheSizeKiB = 2048;
    return options;
}

/// SHA-256 of a file's bytes (empty when it cannot be read).
inline QByteArray fileDigest(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result();
}

/// A connection that bypasses DatabaseManager (as another process or an older oncutf would).
inline std::shared_ptr<core::db::Connection> rawConnection(const QString &path,
                                                           core::db::Connection::Mode mode
                                                           = core::db::Connection::Mode::ReadWrite)
{
    auto opened = core::db::Connection::open(path, mode);
    return opened ? *opened : nullptr;
}

} // namespace oncutf::tests
