#pragma once

#include <QStringList>

namespace oncutf::cli {

class CliContext;

/// `oncutf-cli duplicates [--recursive] [--hidden] [--jobs N] [--no-cache] [--json] PATH...`
///
/// Lists groups of byte-identical files among the files under PATH: grouped by size, then CRC32
/// (through the hash cache unless --no-cache), then confirmed byte for byte, so two different
/// files are never reported together even when their CRC32 collide. Text output: one path per
/// line (unprintable characters escaped), a blank line between groups; --json:
/// {"groups": [[path, path, ...], ...]} with paths in the surrogateescape convention. Paths are
/// shown as reached from the PATH arguments. Groups are sorted by their first path, paths within
/// a group in byte order. Files that cannot be read are reported on stderr and left out; exit code
/// 1 then, or after a cancel.
/// Threading: main thread, with a QCoreApplication.
int runDuplicatesCommand(CliContext &ctx, const QStringList &args);

} // namespace oncutf::cli
