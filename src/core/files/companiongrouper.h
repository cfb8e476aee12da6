#pragma once

#include <QByteArray>
#include <QList>

namespace oncutf::core::files {

/// Finds the companion files of a folder (§6.3 of the original): files that share a main file's
/// stem and must follow it when it is renamed, each file in at most one set.
///
/// Companions by the main's kind (extension case ignored, the stem compared byte-exact):
/// - video: subtitles .srt .vtt .ass .ssa, .thm, .xmp, and Sony's `<stem>M01.XML` (M00-M99);
/// - RAW: .xmp, .jpg/.jpeg (the RAW+JPG pair), .vrd (Canon), .nxd (Nikon);
/// - other images: .xmp, .aae;
/// - any of these: `<stem>.<main extension>.xmp` (darktable's sidecar naming).
/// One main per set: video over RAW over image, so a RAW+JPG+XMP set has the RAW as its main and
/// the JPG and XMP as companions (the original processed a selected JPG<->RAW pair twice). Equal
/// kinds (IMG.CR2 + IMG.DNG) stay separate mains; a sidecar both could claim goes to the first
/// by name.
/// Owner: the rename planner. Threading: stateless; reentrant.
class CompanionGrouper final {
public:
    CompanionGrouper() = delete;

    struct Link {
        qsizetype main = -1; ///< index of the main file in `names`, -1 when not a companion
        QByteArray tail;     ///< the companion's name after the main's stem (".xmp", "M01.XML")
    };

    /// `names`: the file names of one folder. `mayBeMain[i]`: whether names[i] can lead a set
    /// (files the user is renaming); the others can only follow. One Link per name.
    [[nodiscard]] static QList<Link> group(const QList<QByteArray> &names, const QList<bool> &mayBeMain);

    /// 3 video, 2 RAW, 1 other image, 0 anything else (never a main).
    [[nodiscard]] static int mainPriority(const QByteArray &fileName);
};

} // namespace oncutf::core::files
