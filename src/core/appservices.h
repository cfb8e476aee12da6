#pragma once

#include "core/error.h"
#include "core/rename/renameexecutor.h"

#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace oncutf::core {

class AppContext;

namespace db {
class DatabaseManager;
class HashCache;
class MetadataCache;
} // namespace db

namespace metadata {
class ExifToolPool;
}

/// The persistent services both front ends open on top of an AppContext: the database with its
/// metadata and hash caches, the rename executor (journal, history, undo) and an ExifTool pool
/// that starts processes only when a file needs one. The database and the ExifTool pool are
/// registered with the AppContext's coordinator (DATABASE and EXIFTOOL phases), so the
/// context's one shutdown stops them in the decided order.
/// open() repairs a batch a crash interrupted before anything else runs, and says what it did.
/// Owner: the CLI's RenameServices, the GUI's main() (or a test); it must be destroyed before
/// the AppContext, after the context's shutdown ran.
/// Threading: created and opened on the main thread. The caches and the pool are thread-safe;
/// executor() belongs to the main thread (a worker thread makes its own RenameExecutor over
/// database(), which hands each thread its own connection).
class AppServices final {
public:
    AppServices(AppContext &app, QString databasePath, int exiftoolProcesses);
    ~AppServices();
    AppServices(const AppServices &) = delete;
    AppServices &operator=(const AppServices &) = delete;

    struct OpenReport {
        /// The database was damaged and set aside, or similar: tell the user.
        std::optional<QString> databaseNotice;
        /// A batch a crash interrupted was rolled back (only when one was found).
        std::optional<rename::RenameExecutor::RecoveryReport> recovery;
    };
    /// Opens the database and, with `recoverInterrupted`, repairs an interrupted batch;
    /// `beforeRecovery` runs once an interrupted batch was found, before the (possibly long)
    /// repair starts, so the user can be told first.
    Result<OpenReport> open(bool recoverInterrupted = true, const std::function<void()> &beforeRecovery = {});

    [[nodiscard]] AppContext &app() { return m_app; }
    [[nodiscard]] db::DatabaseManager &database() { return *m_database; }
    [[nodiscard]] db::MetadataCache &metadataCache() { return *m_metadataCache; }
    [[nodiscard]] db::HashCache &hashCache() { return *m_hashCache; }
    [[nodiscard]] metadata::ExifToolPool &exiftool() { return *m_exiftool; }
    [[nodiscard]] rename::RenameExecutor &executor() { return *m_executor; }

private:
    AppContext &m_app;
    std::unique_ptr<db::DatabaseManager> m_database;
    std::unique_ptr<db::MetadataCache> m_metadataCache;
    std::unique_ptr<db::HashCache> m_hashCache;
    std::unique_ptr<metadata::ExifToolPool> m_exiftool;
    std::unique_ptr<rename::RenameExecutor> m_executor;
};

/// "Recovered batch 12: 340 files put back under their old names." plus a line per file that
/// could not be put back, its path shown by `showPath` (default: invalid bytes as U+FFFD).
[[nodiscard]] QString recoverySummary(const rename::RenameExecutor::RecoveryReport &report,
                                      const std::function<QString(const QByteArray &)> &showPath = {});

} // namespace oncutf::core
