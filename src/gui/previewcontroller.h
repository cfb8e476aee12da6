#pragma once

#include "core/files/fileentry.h"
#include "core/rename/previewworker.h"
#include "core/rename/recipe.h"
#include "core/rename/renameinputloader.h"

#include <QDeadlineTimer>
#include <QList>
#include <QObject>

#include <functional>

namespace oncutf::core {
class AppContext;
}
namespace oncutf::core::concurrency {
class WorkerThread;
}

namespace oncutf::gui {

/// Keeps the rename preview in step with the file list and the recipe without ever planning on
/// the GUI thread: every change goes through the TimerManager's PREVIEW_UPDATE timer (300 ms
/// debounce after edits, at once for selection-like changes), then a PreviewWorker plans on its
/// own thread. Each request gets a generation number; a result of an older generation is
/// dropped, never shown, and a running plan made stale by a new request is cancelled.
/// Owner: the MainWindow. Threading: GUI thread; the worker thread is its own.
class PreviewController final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PreviewController)

public:
    static constexpr int kDebounceMs = 300;
    static constexpr auto kTimerId = "preview_update";

    PreviewController(core::AppContext &context, core::rename::RenameInputLoader::Options loaderOptions,
                      QObject *parent = nullptr);
    ~PreviewController() override; // asserts stop() ran or no thread was started

    void setFiles(QList<core::files::FileEntry> files);
    void setRecipe(core::rename::Recipe recipe);
    [[nodiscard]] const core::rename::Recipe &recipe() const { return m_recipe; }

    /// Metadata the window already holds for some of `files` (asked when a plan starts).
    using KnownMetadata = std::function<QHash<QByteArray, core::metadata::MetadataRecord>(
        const QList<core::files::FileEntry> &files)>;
    void setKnownMetadataSource(KnownMetadata source) { m_knownSource = std::move(source); }
    /// False while the window's own metadata job runs: files it has not reached yet are shown
    /// as missing data for a moment instead of being read twice.
    void setReadMissingMetadata(bool read) { m_loaderOptions.readMissingMetadata = read; }

    /// Schedules a new plan: after the debounce delay, or on the next event-loop turn.
    void requestUpdate(bool immediate = false);
    [[nodiscard]] quint64 generation() const { return m_generation; }
    /// A plan is scheduled or being computed.
    [[nodiscard]] bool isBusy() const;
    /// Refuses further requests and cancels the pending and running plan without waiting;
    /// computingStopped() follows once no plan runs (shutdown without freezing the window).
    void halt();
    [[nodiscard]] bool isComputing() const { return m_running != 0; }
    /// halt() and end the thread, waiting up to `deadline`. Idempotent.
    bool stop(QDeadlineTimer deadline);

Q_SIGNALS:
    /// The plan of the newest request (never an older one).
    void planReady(const oncutf::core::rename::RenamePlan &plan, const QStringList &problems);
    void busyChanged(bool busy);
    /// The worker of a plan ended (whether its result was used or not).
    void computingStopped();

private:
    void startPlan();
    void onWorkerFinished();
    void onPlanReady(const core::rename::PreviewResult &result);
    void setBusy(bool busy);

    core::AppContext &m_context;
    core::rename::RenameInputLoader::Options m_loaderOptions;
    KnownMetadata m_knownSource;
    QList<core::files::FileEntry> m_files;
    core::rename::Recipe m_recipe;
    core::concurrency::WorkerThread *m_thread = nullptr;
    quint64 m_generation = 0;     // newest request
    quint64 m_running = 0;        // generation the running worker computes; 0 = none
    bool m_rerun = false;         // a request arrived while a worker ran
    bool m_busy = false;
    bool m_stopped = false;
};

} // namespace oncutf::gui
