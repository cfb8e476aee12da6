#pragma once

#include "core/db/renamejournal.h"

#include <QDialog>
#include <QList>

class QPushButton;
class QTableWidget;

namespace oncutf::gui {

/// "Rename history": the journal's batches, newest first as given, one row each (id, kind,
/// state, start time in local time, file counts, folder, the recipe's module types), with Undo
/// for an applied apply/redo batch and Redo for an undone one. The dialog only asks: it emits
/// undoRequested()/redoRequested() and the owner runs the batch and calls setBatches() again.
/// Owner: the main window. Threading: GUI thread only.
class HistoryDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryDialog)

public:
    enum Column { IdColumn, KindColumn, StateColumn, StartedColumn, FilesColumn, FolderColumn, RecipeColumn, ColumnCount };

    explicit HistoryDialog(QWidget *parent = nullptr);
    ~HistoryDialog() override;

    /// Replaces the rows; the selected batch stays selected when it is still listed.
    void setBatches(const QList<core::db::BatchRecord> &batches);
    [[nodiscard]] QList<core::db::BatchRecord> batches() const { return m_batches; }

    /// The selected batch's id, or 0 when nothing is selected.
    [[nodiscard]] qint64 selectedBatchId() const;
    void selectBatch(qint64 batchId);

    [[nodiscard]] static bool canUndo(const core::db::BatchRecord &batch);
    [[nodiscard]] static bool canRedo(const core::db::BatchRecord &batch);
    /// "metadata + text + counter" from a recipe's JSON; "undo of #3" for an undo batch.
    [[nodiscard]] static QString recipeSummary(const core::db::BatchRecord &batch);
    /// "12 (10 done, 2 skipped)".
    [[nodiscard]] static QString countsSummary(const core::db::BatchCounts &counts);

Q_SIGNALS:
    void undoRequested(qint64 batchId);
    void redoRequested(qint64 batchId);

private:
    [[nodiscard]] int selectedRow() const;
    void updateButtons();

    QTableWidget *m_table = nullptr;
    QPushButton *m_undoButton = nullptr;
    QPushButton *m_redoButton = nullptr;
    QList<core::db::BatchRecord> m_batches;
};

} // namespace oncutf::gui
