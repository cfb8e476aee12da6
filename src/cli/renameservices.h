#pragma once

#include "core/error.h"
#include "core/rename/renameexecutor.h"

#include <QString>

#include <memory>

namespace oncutf::core {
class AppContext;
}
namespace oncutf::core::db {
class DatabaseManager;
class HashCache;
class MetadataCache;
}
namespace oncutf::core::metadata {
class ExifToolPool;
}

namespace oncutf::cli {

class CliContext;

/// The services of the rename commands (preview, apply, undo, redo, history, recover) for one
/// run: an AppContext (thread pool), the database with its caches and journal executor, and an
/// ExifTool pool that starts processes only when a file needs one, all registered with the
/// AppContext's shutdown coordinator. open() repairs a batch a crash interrupted before anything
/// else runs (the journal's promise: every file ends under its old or its new name), telling the
/// user on stderr. shutdown() (also run by the destructor) stops everything in order.
/// Owner: the command, on its stack. Threading: main thread.
class RenameServices final {
public:
    explicit RenameServices(CliContext &ctx, int jobs = 0);
    ~RenameServices();
    RenameServices(const RenameServices &) = delete;
    RenameServices &operator=(const RenameServices &) = delete;

    /// Opens the database and runs crash recovery; an error is printed and returned.
    core::Status open(bool recoverInterrupted = true);

    [[nodiscard]] core::AppContext &app() { return *m_app; }
    [[nodiscard]] core::db::DatabaseManager &database() { return *m_database; }
    [[nodiscard]] core::db::MetadataCache &metadataCache() { return *m_metadataCache; }
    [[nodiscard]] core::db::HashCache &hashCache() { return *m_hashCache; }
    [[nodiscard]] core::metadata::ExifToolPool &exiftool() { return *m_exiftool; }
    [[nodiscard]] core::rename::RenameExecutor &executor() { return *m_executor; }

    void shutdown();

private:
    CliContext &m_ctx;
    std::unique_ptr<core::AppContext> m_app;
    std::unique_ptr<core::db::DatabaseManager> m_database;
    std::unique_ptr<core::db::MetadataCache> m_metadataCache;
    std::unique_ptr<core::db::HashCache> m_hashCache;
    std::unique_ptr<core::metadata::ExifToolPool> m_exiftool;
    std::unique_ptr<core::rename::RenameExecutor> m_executor;
};

/// "Recovered batch 12: 340 files put back under their old names." plus a line per file that
/// could not be put back.
QString recoverySummary(const core::rename::RenameExecutor::RecoveryReport &report);

} // namespace oncutf::cli
