#include "core/db/migrations.h"

#include "core/db/connection.h"

#include <array>

namespace oncutf::core::db {

namespace {

struct Step {
    const char *description;
    const char *sql;
};

// Never edit a step that has shipped: add a new one. Timestamps are UTC milliseconds since the
// epoch; paths are BLOBs of the native bytes; nanosecond mtimes keep a changed file a cache miss.
constexpr std::array kSteps{
    Step{
        "file identities, metadata cache, hash cache",
        R"sql(
CREATE TABLE files (
    id         INTEGER PRIMARY KEY,
    path       BLOB    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE metadata_cache (
    file_id    INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,
    mode       TEXT    NOT NULL CHECK (mode IN ('fast', 'extended')),
    json       TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    mtime_ns   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE hash_cache (
    file_id    INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    algorithm  TEXT    NOT NULL CHECK (algorithm = upper(algorithm) AND algorithm <> ''),
    value      TEXT    NOT NULL,
    size       INTEGER NOT NULL,
    mtime_ns   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (file_id, algorithm)
) WITHOUT ROWID;
)sql",
    },
    Step{
        "rename journal and history (batches and their operations)",
        R"sql(
CREATE TABLE rename_batches (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('apply', 'undo', 'redo')),
    state           TEXT    NOT NULL CHECK (state IN ('planned', 'applying', 'applied', 'rolling_back',
                                                      'rolled_back', 'failed', 'undone')),
    recipe_json     TEXT,
    root_folder     BLOB,
    parent_batch_id INTEGER REFERENCES rename_batches(id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    error           TEXT
);
CREATE TABLE rename_ops (
    id           INTEGER PRIMARY KEY,
    batch_id     INTEGER NOT NULL REFERENCES rename_batches(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    file_id      INTEGER REFERENCES files(id) ON DELETE SET NULL,
    old_path     BLOB    NOT NULL,
    temp_path    BLOB,
    new_path     BLOB    NOT NULL,
    holding_path BLOB,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'at_temp', 'done', 'reverted', 'skipped',
                                                   'failed')),
    error        TEXT,
    updated_at   INTEGER NOT NULL,
    UNIQUE (batch_id, seq)
);
)sql",
    },
    Step{
        "session state; indexes for recovery, undo links, file deletion and duplicate lookups",
        R"sql(
CREATE TABLE session_state (
    key        TEXT    PRIMARY KEY NOT NULL,
    value      TEXT,
    value_type TEXT    NOT NULL CHECK (value_type IN ('string', 'bool', 'int', 'float', 'json')),
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX rename_batches_unfinished ON rename_batches(state)
    WHERE state IN ('planned', 'applying', 'rolling_back');
CREATE INDEX rename_batches_parent ON rename_batches(parent_batch_id);
CREATE INDEX rename_ops_file ON rename_ops(file_id);
CREATE INDEX hash_cache_value ON hash_cache(algorithm, value);
)sql",
    },
};

} // namespace

int Migrations::latestVersion()
{
    return static_cast<int>(kSteps.size());
}

QString Migrations::description(int version)
{
    if (version < 1 || version > latestVersion())
        return {};
    return QString::fromUtf8(kSteps[static_cast<std::size_t>(version - 1)].description);
}

Status Migrations::applyStep(Connection &connection, int version)
{
    if (version < 1 || version > latestVersion())
        return makeError(ErrorCode::Internal, QStringLiteral("no schema step %1").arg(version), connection.path());
    return connection.exec(kSteps[static_cast<std::size_t>(version - 1)].sql);
}

} // namespace oncutf::core::db
