#pragma once

#include "core/rename/recipe.h"

#include <QList>
#include <QStringList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QStackedWidget;

namespace oncutf::gui {

class ModuleForm;

/// Edits a rename recipe: an ordered stack of modules (a list of summaries on the left, the
/// selected module's form on the right), the final transform and the options. Every form shows
/// every key of its module type; widgets carry the C++ member names as objectNames so tests and
/// style sheets can find them (scope searches to moduleForm(i), several forms share names).
/// recipe() is rebuilt from the widgets on each call; when it does not pass Recipe::validate()
/// the reason is shown in the red "validationLabel" and returned by validationError().
/// The GUI-only conflict policy "Ask" is reported by askOnConflict(); recipe().onConflict is then
/// Fail, so a plan made from it refuses rather than guesses, and the window asks per row.
/// Owner: the main window (a child widget). Threading: GUI thread only.
class RecipeEditor final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecipeEditor)

public:
    explicit RecipeEditor(QWidget *parent = nullptr);
    ~RecipeEditor() override;

    [[nodiscard]] core::rename::Recipe recipe() const;
    /// Rebuilds every widget from `recipe` (the conflict policy included, which clears "Ask":
    /// call setAskOnConflict() afterwards to keep it) and emits recipeChanged() once.
    void setRecipe(const core::rename::Recipe &recipe);

    [[nodiscard]] bool askOnConflict() const;
    void setAskOnConflict(bool ask);

    /// Keys offered by the metadata "field" and counter "groupBy" combos (they stay editable).
    void setMetadataFieldSuggestions(const QStringList &keys);

    /// "" when recipe().validate() passes, else its message (also shown in "validationLabel").
    [[nodiscard]] QString validationError() const;

    [[nodiscard]] int moduleCount() const;
    /// The form of module `index` (objectName "moduleForm"), nullptr when out of range.
    [[nodiscard]] QWidget *moduleForm(int index) const;
    [[nodiscard]] int currentModuleIndex() const;
    void setCurrentModuleIndex(int index);

Q_SIGNALS:
    /// After every user edit (and once per setRecipe()); the preview debounces on it.
    void recipeChanged();

private:
    void buildUi();
    void addModule(const core::rename::RecipeModule &module);
    void addModuleOfSelectedType();
    void removeCurrentModule();
    void moveCurrentModule(int delta);
    void syncSelection();
    void refreshSummaries();
    void updateButtons();
    void onEdited();
    [[nodiscard]] QStringList fieldSuggestions() const;
    [[nodiscard]] QStringList groupSuggestions() const;

    QListWidget *m_moduleList = nullptr;
    QStackedWidget *m_stack = nullptr;
    QWidget *m_emptyPage = nullptr;
    QComboBox *m_addType = nullptr;
    QPushButton *m_addButton = nullptr;
    QPushButton *m_removeButton = nullptr;
    QPushButton *m_upButton = nullptr;
    QPushButton *m_downButton = nullptr;

    QCheckBox *m_greeklish = nullptr;
    QComboBox *m_caseMode = nullptr;
    QComboBox *m_separator = nullptr;
    QCheckBox *m_stripDiacritics = nullptr;

    QComboBox *m_sort = nullptr;
    QCheckBox *m_sortReverse = nullptr;
    QComboBox *m_onConflict = nullptr;
    QCheckBox *m_companions = nullptr;
    QCheckBox *m_windowsSafe = nullptr;
    QLineEdit *m_suffix = nullptr;

    QLabel *m_validationLabel = nullptr;

    /// Module forms in recipe order (the stack's own order is irrelevant).
    QList<ModuleForm *> m_forms;
    QStringList m_suggestions;
    /// Set while widgets are filled in code, so only user edits emit recipeChanged().
    bool m_updating = false;
};

} // namespace oncutf::gui
