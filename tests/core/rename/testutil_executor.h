#pragma once
// Shared by tst_renameexecutor and tst_renamecrash: real files in a folder and their checksums.

#include "core/error.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QMap>
#include <QString>

namespace oncutf::tests {

/// Native bytes of `folder/name`, as the executor takes paths.
inline QByteArray nativePath(const QString &folder, const QString &name)
{
    return QFile::encodeName(QDir::cleanPath(folder + u'/' + name));
}

inline bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(content) == content.size();
}

inline QByteArray digestOf(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha1);
    hash.addData(&file);
    return hash.result().toHex();
}

/// Every file under `folder` (hidden ones and subfolders included), relative path -> checksum.
inline QMap<QString, QByteArray> snapshot(const QString &folder)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    const QDir base(folder);
    while (it.hasNext()) {
        const QString path = it.next();
        files.insert(base.relativeFilePath(path), digestOf(path));
    }
    return files;
}

} // namespace oncutf::tests
