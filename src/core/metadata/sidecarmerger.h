#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>

namespace oncutf::core::metadata {

/// Companion files that carry metadata for a main file, and the rule that merges theirs in
/// (the original's §6.3, read-only): a same-stem `.xmp` next to RAW, JPEG, PNG, TIFF, GIF and
/// WebP files, and Sony's `<stem>M01.XML` / `<stem>M02.XML` next to MP4, MOV, MTS and M2TS
/// clips (extensions and the XML suffix match without regard to case; the stem exactly).
/// Sidecars are read like any file, through ExifTool (so their keys and values are ExifTool's:
/// "XMP:Creator", "XMP:NonRealTimeMetaDeviceModelName", ...), and a sidecar value is merged
/// only where the main file has no value for that key. Sidecars are never written.
/// Threading: stateless; safe from any thread.
class SidecarMerger final {
public:
    SidecarMerger() = delete;

    /// The sidecars of each of `paths` that exist, by main path; each folder is listed once.
    [[nodiscard]] static QHash<QByteArray, QList<QByteArray>> findSidecars(const QList<QByteArray> &paths);

    /// Adds to `main` every field of `sidecar` it lacks, except the sidecar's own file facts
    /// (File:*, System:*, ExifTool:*, SourceFile). Returns how many fields were added.
    static int merge(QJsonObject &main, const QJsonObject &sidecar);
};

} // namespace oncutf::core::metadata
