#pragma once

#include <QString>
#include <QStringView>

namespace oncutf::core::files {

/// What a file is, judged from its extension alone (no content sniffing: the scan must stay
/// cheap). Sidecars are the companion files the rename engine moves along with a main file
/// (XMP, THM, subtitles, Canon VRD, Nikon NXD, Apple AAE).
/// Threading: plain values and pure functions, safe from any thread.
enum class FileKind { Image, Raw, Video, Audio, Sidecar, Other };

/// The kind for a lower-case extension without the dot ("jpg", "cr2"); Other when unknown.
[[nodiscard]] FileKind fileKindForExtension(QStringView lowerExtension);

/// The stable name used in JSON and the database: image, raw, video, audio, sidecar, other.
[[nodiscard]] QString fileKindName(FileKind kind);

} // namespace oncutf::core::files
