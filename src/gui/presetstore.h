#pragma once

#include "core/error.h"
#include "core/rename/recipe.h"

#include <QString>
#include <QStringList>

class QSettings;

namespace oncutf::gui {

/// Saves and loads recipes as preset files (the recipe JSON of docs/recipes.md, so the CLI's
/// --recipe reads them too) and keeps the list of recently used presets in QSettings
/// ("presets/recent", most recent first, at most MaxRecent). A successful save() or load() also
/// records the file as recent. Errors carry the file in Error::path (toString() names it).
/// Owner: the main window, which also owns the QSettings it is given (it must outlive the store).
/// Threading: GUI thread only (QSettings is not shared across threads here).
class PresetStore final {
public:
    static constexpr int MaxRecent = 10;

    explicit PresetStore(QSettings &settings);

    /// Writes recipe.toJson() atomically (QSaveFile); refuses a recipe that fails validate().
    [[nodiscard]] core::Status save(const core::rename::Recipe &recipe, const QString &path);
    [[nodiscard]] core::Result<core::rename::Recipe> load(const QString &path);

    /// Most recent first; files that no longer exist are left out.
    [[nodiscard]] QStringList recentPresets() const;
    void addRecent(const QString &path);

    /// <AppDataLocation>/presets, created when missing.
    [[nodiscard]] static QString defaultFolder();

private:
    QSettings &m_settings;
};

} // namespace oncutf::gui
