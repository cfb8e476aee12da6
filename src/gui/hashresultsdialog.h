#pragma once

#include "core/hash/duplicatefinder.h"
#include "core/hash/foldercomparer.h"

#include <QByteArray>
#include <QDialog>

class QLabel;
class QTreeWidget;

namespace oncutf::gui {

/// The results of "Find duplicates" and "Compare with folder" (Ctrl+L): duplicate groups, or the
/// same / different / only-in-one-folder lists, as a tree of paths; "Reveal" (or a double
/// click) selects the file in the file table. Kept open and refilled by each new result.
/// Owner: the MainWindow (parent). Threading: GUI thread only.
class HashResultsDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HashResultsDialog)

public:
    explicit HashResultsDialog(QWidget *parent = nullptr);
    ~HashResultsDialog() override;

    void showDuplicates(const core::hash::DuplicateReport &report);
    void showComparison(const core::hash::FolderComparison &result, const QString &folderA, const QString &folderB);
    [[nodiscard]] bool hasResults() const { return m_hasResults; }
    /// Number of path rows (duplicates: files in groups).
    [[nodiscard]] int pathCount() const;

Q_SIGNALS:
    void revealRequested(const QByteArray &path);

private:
    void addPaths(const QString &title, const QList<QByteArray> &paths);
    void revealCurrent();

    QLabel *m_summary;
    QTreeWidget *m_tree;
    bool m_hasResults = false;
};

} // namespace oncutf::gui
