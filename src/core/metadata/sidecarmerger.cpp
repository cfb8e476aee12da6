#include "core/metadata/sidecarmerger.h"

#include <dirent.h>

#include <algorithm>

namespace oncutf::core::metadata {

namespace {

bool extensionIn(const QByteArray &extension, std::initializer_list<const char *> list)
{
    for (const char *candidate : list) {
        if (extension == candidate) {
            return true;
        }
    }
    return false;
}

enum class SidecarKind { None, Xmp, SonyXml };

SidecarKind kindFor(const QByteArray &lowerExtension)
{
    if (extensionIn(lowerExtension, {"cr2", "crw", "nef", "nrw", "arw", "srf", "dng", "orf", "rw2", "pef", "jpg",
                                     "jpeg", "png", "tif", "tiff", "gif", "webp"})) {
        return SidecarKind::Xmp;
    }
    if (extensionIn(lowerExtension, {"mp4", "mov", "mts", "m2ts"})) {
        return SidecarKind::SonyXml;
    }
    return SidecarKind::None;
}

struct SplitName {
    QByteArray dir;
    QByteArray stem;
    QByteArray lowerExtension;
};

SplitName split(const QByteArray &path)
{
    SplitName out;
    const qsizetype slash = path.lastIndexOf('/');
    out.dir = slash < 0 ? QByteArray(".") : (slash == 0 ? QByteArray("/") : path.left(slash));
    const QByteArray name = path.mid(slash + 1);
    const qsizetype dot = name.lastIndexOf('.');
    if (dot > 0) {
        out.stem = name.left(dot);
        out.lowerExtension = name.mid(dot + 1).toLower();
    } else {
        out.stem = name;
    }
    return out;
}

/// A folder's possible sidecars by the stem they belong to: "IMG_1.XMP" under "IMG_1" (kind Xmp),
/// "C0001M01.XML" under "C0001" (kind SonyXml). One listing serves every file of the folder.
struct SidecarIndex {
    QHash<QByteArray, QList<QByteArray>> xmp;
    QHash<QByteArray, QList<QByteArray>> sonyXml;
};

SidecarIndex indexDirectory(const QByteArray &dir)
{
    SidecarIndex index;
    if (DIR *handle = ::opendir(dir.constData())) {
        while (const dirent *entry = ::readdir(handle)) {
            const QByteArray name(entry->d_name);
            if (name.size() > 4 && name.right(4).toLower() == ".xmp") {
                index.xmp[name.left(name.size() - 4)].append(name);
            } else if (name.size() > 7) {
                const QByteArray tail = name.right(7).toLower();
                if (tail == "m01.xml" || tail == "m02.xml") {
                    index.sonyXml[name.left(name.size() - 7)].append(name);
                }
            }
        }
        ::closedir(handle);
    }
    return index;
}

} // namespace

QHash<QByteArray, QList<QByteArray>> SidecarMerger::findSidecars(const QList<QByteArray> &paths)
{
    QHash<QByteArray, QList<QByteArray>> result;
    QHash<QByteArray, SidecarIndex> folders;
    for (const QByteArray &path : paths) {
        const SplitName name = split(path);
        const SidecarKind kind = kindFor(name.lowerExtension);
        if (kind == SidecarKind::None || name.stem.isEmpty()) {
            continue;
        }
        auto folder = folders.find(name.dir);
        if (folder == folders.end()) {
            folder = folders.insert(name.dir, indexDirectory(name.dir));
        }
        const auto &byStem = kind == SidecarKind::Xmp ? folder->xmp : folder->sonyXml;
        const auto it = byStem.constFind(name.stem);
        if (it == byStem.constEnd()) {
            continue;
        }
        QList<QByteArray> found;
        for (const QByteArray &candidate : it.value()) {
            found.append((name.dir == "/" ? QByteArray() : name.dir) + '/' + candidate);
        }
        std::sort(found.begin(), found.end());
        result.insert(path, found);
    }
    return result;
}

int SidecarMerger::merge(QJsonObject &main, const QJsonObject &sidecar)
{
    int added = 0;
    for (auto it = sidecar.begin(); it != sidecar.end(); ++it) {
        const QString &key = it.key();
        if (key == QLatin1String("SourceFile") || key.startsWith(QLatin1String("File:"))
            || key.startsWith(QLatin1String("System:")) || key.startsWith(QLatin1String("ExifTool:"))) {
            continue;
        }
        if (!main.contains(key)) {
            main.insert(key, it.value());
            ++added;
        }
    }
    return added;
}

} // namespace oncutf::core::metadata
