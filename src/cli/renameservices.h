#pragma once

#include "core/appservices.h"
#include "core/error.h"
#include "core/rename/renameexecutor.h"

#include <QString>

#include <memory>

namespace oncutf::core {
class AppContext;
}

namespace oncutf::cli {

class CliContext;

/// The services of the rename commands (preview, apply, undo, redo, history, recover) for one
/// run: an AppContext (thread pool) and the core's AppServices over it (database, caches,
/// journal executor, ExifTool pool), all stopped by the context's one shutdown. open() repairs
/// a batch a crash interrupted before anything else runs, telling the user on stderr.
/// shutdown() (also run by the destructor) stops everything in order.
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
    [[nodiscard]] core::db::DatabaseManager &database() { return m_services->database(); }
    [[nodiscard]] core::db::MetadataCache &metadataCache() { return m_services->metadataCache(); }
    [[nodiscard]] core::db::HashCache &hashCache() { return m_services->hashCache(); }
    [[nodiscard]] core::metadata::ExifToolPool &exiftool() { return m_services->exiftool(); }
    [[nodiscard]] core::rename::RenameExecutor &executor() { return m_services->executor(); }

    void shutdown();

private:
    CliContext &m_ctx;
    std::unique_ptr<core::AppContext> m_app;
    std::unique_ptr<core::AppServices> m_services;
};

/// recoverySummary() with the CLI's escaped paths.
QString recoverySummary(const core::rename::RenameExecutor::RecoveryReport &report);

} // namespace oncutf::cli
