#pragma once

#include "core/error.h"

#include <QString>

namespace oncutf::core::db {

class Connection;

/// The numbered schema steps of the oncutf database. `PRAGMA user_version` holds the number of
/// the last step applied; DatabaseManager runs every missing step in order, each in its own
/// transaction, so a database of any older version reaches the latest one (the original ran only
/// the first step of a multi-step upgrade and still stamped the newest number).
/// Threading: stateless; the caller provides the connection and the transaction.
class Migrations final {
public:
    Migrations() = delete;

    /// The schema version this build writes and understands.
    static int latestVersion();
    /// One line on what step `version` adds (for logs and `db info`).
    static QString description(int version);
    /// Runs the DDL of step `version` (1..latestVersion()) inside the caller's transaction; does
    /// not touch user_version.
    static Status applyStep(Connection &connection, int version);
};

} // namespace oncutf::core::db
