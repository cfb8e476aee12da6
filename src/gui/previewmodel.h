#pragma once

#include "core/rename/renameplan.h"

#include <QAbstractTableModel>
#include <QIcon>

namespace oncutf::gui {

/// The rename preview as a table: old name -> new name per file, the status by icon and colour
/// and the reason as tooltip, in the plan's (numbering) order. Replaced wholesale by each new
/// plan; rows are formatted lazily in data(), so a 100k-file plan costs no widget and no string
/// until a row is shown.
/// Owner: the MainWindow. Threading: GUI thread only.
class PreviewModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PreviewModel)

public:
    enum Column { StatusColumn, OldNameColumn, NewNameColumn, ColumnCount };
    static constexpr int StatusRole = Qt::UserRole + 1; ///< itemStatusName() of the row
    static constexpr int OldPathRole = Qt::UserRole + 2;

    explicit PreviewModel(QObject *parent = nullptr);
    ~PreviewModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setPlan(core::rename::RenamePlan plan);
    void clear();
    [[nodiscard]] const core::rename::RenamePlan &plan() const { return m_plan; }
    [[nodiscard]] bool hasPlan() const { return m_hasPlan; }

    /// "1,200 files: 1,180 to rename, 15 unchanged, 3 duplicates, 2 conflicts" (zero counts left out).
    [[nodiscard]] QString summaryText() const;
    [[nodiscard]] static QColor statusColor(core::rename::ItemStatus status);

private:
    core::rename::RenamePlan m_plan;
    bool m_hasPlan = false;
    QIcon m_icons[6];
};

} // namespace oncutf::gui
