#pragma once

#include <QStringList>

namespace oncutf::cli {

class CliContext;

/// `oncutf-cli compare [--recursive] [--hidden] [--jobs N] [--no-cache] [--json] DIR_A DIR_B`
///
/// Compares the files of two folders matched by their path relative to each folder (files of
/// sub-folders too with --recursive): `same` (same size and CRC32), `different`, `only-in-a`,
/// `only-in-b`. Pairs of different sizes are decided without reading them; hashes go through the
/// hash cache unless --no-cache. Text output: one line per path in byte order, `<status>  <path>`
/// with the status padded to 10 columns and unprintable characters escaped; --json:
/// {"same": [...], "different": [...], "only_in_a": [...], "only_in_b": [...]}, each a sorted list
/// of relative paths in the surrogateescape convention. Exit code 0 when the comparison completed
/// (whatever it found), 1 if a file could not be read or listed, a DIR is not a folder, or after a
/// cancel.
/// Threading: main thread, with a QCoreApplication.
int runCompareCommand(CliContext &ctx, const QStringList &args);

} // namespace oncutf::cli
