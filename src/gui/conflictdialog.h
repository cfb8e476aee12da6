#pragma once

#include <QDialog>

class QCheckBox;
class QLabel;
class QPushButton;

namespace oncutf::gui {

/// The question asked for one problem row when the conflict policy is "Ask": the old name, the
/// name it wants and why it cannot have it, and what to do - Skip, Overwrite (the file holding
/// the name is parked in the holding folder and comes back on undo), Suffix, Skip all, or Cancel
/// the whole rename (also Esc and closing the window). "Apply to all remaining conflicts" makes
/// the choice stick for the rest of the batch; the caller stops asking then.
/// Owner: the main window (one dialog reused per row, shown with exec()). Threading: GUI thread only.
class ConflictDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConflictDialog)

public:
    enum class Choice { Skip, Overwrite, Suffix, SkipAll, Cancel };
    Q_ENUM(Choice)

    explicit ConflictDialog(QWidget *parent = nullptr);
    ~ConflictDialog() override;

    /// Fills in one row (`index` is 1-based, of `total` problem rows) and resets the answer to
    /// Cancel and "apply to all" to unticked.
    void setConflict(const QString &oldName, const QString &newName, const QString &reason, int index, int total);

    [[nodiscard]] Choice choice() const { return m_choice; }
    [[nodiscard]] bool applyToAll() const;

public Q_SLOTS:
    void reject() override;

private:
    void choose(Choice choice);

    QLabel *m_progress = nullptr;
    QLabel *m_oldName = nullptr;
    QLabel *m_newName = nullptr;
    QLabel *m_reason = nullptr;
    QCheckBox *m_applyToAll = nullptr;
    QPushButton *m_skip = nullptr;
    Choice m_choice = Choice::Cancel;
};

} // namespace oncutf::gui
