#pragma once

#include <QByteArray>
#include <QStringList>

namespace oncutf::cli {

class CliContext;

/// `oncutf-cli scan [--recursive] [--hidden] [--follow-symlinks] [--json] PATH...`
///
/// Runs a ScanWorker on a WorkerThread and prints its batches as they arrive: a table
/// `size  mtime (ISO, local)  type  path` with unprintable characters escaped, or with --json one
/// array of {"path", "size", "mtime", "mtime_ns", "type", "kind"} objects, one per line, where path
/// is absolute in the surrogateescape convention and mtime an ISO-8601 UTC string with
/// nanoseconds. Problems go to stderr as `oncutf-cli: scan: <path>: <message>` and do not change
/// the exit code, except that a PATH that does not exist makes it 1 (after listing the others).
/// Cancellable through CliContext::requestCancel() (exit 1).
/// Threading: main thread, with a QCoreApplication (it runs a local event loop).
int runScanCommand(CliContext &ctx, const QStringList &args);

/// "2026-11-27T16:03:07.123456789Z" for nanoseconds since the epoch (UTC).
QByteArray isoUtcFromNanoseconds(qint64 nanoseconds);
/// "2026-11-27T17:03:07" in the local time zone (seconds precision, for the text table).
QByteArray isoLocalFromNanoseconds(qint64 nanoseconds);

} // namespace oncutf::cli
