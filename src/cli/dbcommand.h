#pragma once

#include <QStringList>

namespace oncutf::cli {

class CliContext;

/// `oncutf-cli db check|backup|vacuum|info [--json]` on the database of the global --db option
/// (else $ONCUTF_DB, else the platform data folder).
///
/// - check: full integrity and reference check; prints "ok" (exit 0) or one problem per line
///   (exit 1).
/// - backup: an online backup into `<dbdir>/backups/` (the newest 2 are kept); prints its path.
/// - vacuum: compacts the file and truncates the WAL; prints the sizes before and after.
/// - info: path, size (database + WAL), schema version, row counts, page size, journal mode. With
///   --json: {"path", "schema_version", "latest_schema_version", "size_bytes", "file_bytes",
///   "wal_bytes", "page_size", "page_count", "free_pages", "journal_mode", "read_only",
///   "counts": {"files", "metadata", "hashes", "batches", "operations", "session_state"}}.
///
/// A database that does not exist is reported, never created. A damaged database is moved aside
/// by the open (the notice goes to stderr); a folder given as the database, one from a newer
/// oncutf, one locked by another process or a full disk are reported in plain words with exit 1.
/// Threading: main thread.
int runDbCommand(CliContext &ctx, const QStringList &args);

} // namespace oncutf::cli
