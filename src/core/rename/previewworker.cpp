#include "core/rename/previewworker.h"

#include "core/rename/renameplanner.h"

namespace oncutf::core::rename {

PreviewWorker::PreviewWorker(quint64 generation, QList<files::FileEntry> files, Recipe recipe,
                             RenameInputLoader::Options loaderOptions,
                             QHash<QByteArray, metadata::MetadataRecord> known, QObject *parent)
    : Worker(parent)
    , m_generation(generation)
    , m_files(std::move(files))
    , m_recipe(std::move(recipe))
    , m_loaderOptions(loaderOptions)
    , m_known(std::move(known))
{
    qRegisterMetaType<PreviewResult>("oncutf::core::rename::PreviewResult");
    // The preview never hashes: hashing is an explicit, visible action in the GUI.
    m_loaderOptions.computeMissingHashes = false;
}

PreviewWorker::~PreviewWorker() = default;

bool PreviewWorker::execute()
{
    const auto cancelled = [this] { return isCancelled(); };
    RenameInputLoader::Callbacks callbacks;
    callbacks.isCancelled = cancelled;
    callbacks.progress = [this](const QString &phase, qint64 done, qint64 total) {
        reportProgress(done, total, phase);
    };
    RenameInputLoader loader(m_loaderOptions);
    RenameInputLoader::Outcome loaded = loader.load(m_files, m_recipe, callbacks, m_known);
    if (loaded.cancelled || isCancelled())
        return false;

    PreviewResult result;
    result.generation = m_generation;
    result.problems = std::move(loaded.problems);
    result.plan = RenamePlanner(m_recipe).plan(loaded.inputs, cancelled);
    result.cancelled = isCancelled();
    if (result.cancelled)
        return false;
    Q_EMIT planReady(result);
    return true;
}

} // namespace oncutf::core::rename
