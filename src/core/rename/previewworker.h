#pragma once

#include "core/concurrency/worker.h"
#include "core/files/fileentry.h"
#include "core/rename/recipe.h"
#include "core/rename/renameinputloader.h"
#include "core/rename/renameplan.h"

#include <QList>
#include <QMetaType>
#include <QStringList>

namespace oncutf::core::rename {

/// A computed preview: the plan of one request, tagged with the request's generation so the
/// front end can drop a result that a newer edit has made stale.
struct PreviewResult {
    quint64 generation = 0;
    RenamePlan plan;
    QStringList problems; ///< files whose metadata or hash could not be read, "path: message"
    bool cancelled = false;
};

/// Computes the preview of one recipe over a file list off the GUI thread: gathers what the
/// recipe needs (RenameInputLoader: cached metadata and hashes first, fast reads for the rest,
/// never computing hashes) and plans it (RenamePlanner, which also lists the target folders).
/// Emits planReady exactly once unless cancelled before the plan started.
/// Owner: the GUI's PreviewController, through a WorkerThread. Threading: runs on that thread;
/// the pools and caches it uses are shared and thread-safe.
class PreviewWorker final : public concurrency::Worker {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PreviewWorker)

public:
    /// `known`: metadata the front end already holds, by path (never read again).
    PreviewWorker(quint64 generation, QList<files::FileEntry> files, Recipe recipe,
                  RenameInputLoader::Options loaderOptions,
                  QHash<QByteArray, metadata::MetadataRecord> known = {}, QObject *parent = nullptr);
    ~PreviewWorker() override;

Q_SIGNALS:
    void planReady(const oncutf::core::rename::PreviewResult &result);

protected:
    bool execute() override;

private:
    quint64 m_generation;
    QList<files::FileEntry> m_files;
    Recipe m_recipe;
    RenameInputLoader::Options m_loaderOptions;
    QHash<QByteArray, metadata::MetadataRecord> m_known;
};

} // namespace oncutf::core::rename

Q_DECLARE_METATYPE(oncutf::core::rename::PreviewResult)
