#include "core/files/filekind.h"

#include <QHash>

namespace oncutf::core::files {

namespace {

const QHash<QString, FileKind> &extensionTable()
{
    static const QHash<QString, FileKind> table = [] {
        QHash<QString, FileKind> t;
        const auto add = [&t](FileKind kind, std::initializer_list<const char16_t *> extensions) {
            for (const char16_t *ext : extensions)
                t.insert(QString::fromUtf16(ext), kind);
        };
        add(FileKind::Image, {u"jpg", u"jpeg", u"jpe", u"jfif", u"png", u"gif", u"bmp", u"tif", u"tiff",
                              u"webp", u"heic", u"heif", u"avif", u"jxl", u"psd", u"jp2", u"ico"});
        // The RAW list of the original's companion rules, plus the other common camera formats.
        add(FileKind::Raw, {u"cr2", u"cr3", u"crw", u"nef", u"nrw", u"arw", u"srf", u"sr2", u"dng",
                            u"orf", u"rw2", u"pef", u"raf", u"srw", u"3fr", u"erf", u"kdc", u"mrw",
                            u"x3f", u"iiq", u"rwl", u"mos", u"raw"});
        add(FileKind::Video, {u"mp4", u"mov", u"mts", u"m2ts", u"avi", u"mkv", u"wmv", u"m4v", u"mpg",
                              u"mpeg", u"webm", u"3gp", u"flv", u"vob", u"ts", u"mxf", u"insv"});
        add(FileKind::Audio, {u"mp3", u"wav", u"flac", u"aac", u"m4a", u"ogg", u"oga", u"opus", u"wma",
                              u"aif", u"aiff", u"alac", u"ape", u"wv", u"mka"});
        add(FileKind::Sidecar, {u"xmp", u"thm", u"aae", u"vrd", u"nxd", u"srt", u"vtt", u"ass", u"ssa"});
        return t;
    }();
    return table;
}

} // namespace

FileKind fileKindForExtension(QStringView lowerExtension)
{
    if (lowerExtension.isEmpty())
        return FileKind::Other;
    const auto &table = extensionTable();
    const auto it = table.constFind(lowerExtension.toString());
    return it == table.cend() ? FileKind::Other : it.value();
}

QString fileKindName(FileKind kind)
{
    switch (kind) {
    case FileKind::Image:
        return QStringLiteral("image");
    case FileKind::Raw:
        return QStringLiteral("raw");
    case FileKind::Video:
        return QStringLiteral("video");
    case FileKind::Audio:
        return QStringLiteral("audio");
    case FileKind::Sidecar:
        return QStringLiteral("sidecar");
    case FileKind::Other:
        break;
    }
    return QStringLiteral("other");
}

} // namespace oncutf::core::files
