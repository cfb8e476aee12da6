#pragma once

#include <QStringList>

namespace oncutf::cli {

class CliContext;

/// `oncutf-cli metadata [--extended] [--fields K1,K2] [--recursive] [--hidden] [--jobs N]
///                      [--no-cache] [--json] [--stats] PATH...`
///
/// Prints the metadata of every file: a PATH that is a folder stands for its files (and those of
/// its sub-folders with --recursive), any other PATH is read as given - a missing file, a FIFO or
/// a folder's odd entry is reported, never skipped. Fast mode reads the common fields in-process
/// (ExifTool for what that reader does not handle); --extended asks ExifTool for everything
/// (`-a -ee`). With --json: one JSON array, one object per file in input order,
/// {"path", "mode": "fast"|"extended", "fields": {"Group:Tag": value, ...}, "error": null|message},
/// values as `exiftool -json -G` prints them (strings or numbers); paths that are not UTF-8 use
/// Python's surrogateescape. Without --json: a block per file, or with --fields a table with one
/// column per field. --fields keeps the listed keys ("EXIF:Make", or a tag name such as "Make"
/// for every group). Results go through the metadata cache (size and mtime must match) unless
/// --no-cache; --stats tells on stderr how many came from the cache, the in-process reader and
/// ExifTool, and how long reading took. Exit code 0 when every file was read or reported, 1 when a folder could not be
/// listed, the output could not be written or the run was cancelled, 2 on a usage error.
/// Threading: main thread, with a QCoreApplication.
int runMetadataCommand(CliContext &ctx, const QStringList &args);

} // namespace oncutf::cli
