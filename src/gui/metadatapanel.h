#pragma once

#include <QJsonObject>
#include <QWidget>

class QLabel;
class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace oncutf::gui {

/// The "Information" panel: the current file's metadata grouped by ExifTool group (EXIF, File,
/// XMP, QuickTime, ...), each key under its readable name, filtered by a search box (key, name
/// or value), and a value copied with Ctrl+C, a double click or the context menu.
/// Owner: the MainWindow. Threading: GUI thread only.
class MetadataPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetadataPanel)

public:
    explicit MetadataPanel(QWidget *parent = nullptr);
    ~MetadataPanel() override;

    /// Shows `fields` of `fileName`; `note` replaces them when there is nothing to show
    /// ("Metadata not loaded: Ctrl+M").
    void showFile(const QString &fileName, const QJsonObject &fields, const QString &note = {});
    void clear();
    /// Copies the selected value to the clipboard; returns it ("" when nothing is selected).
    QString copySelectedValue();
    [[nodiscard]] int visibleFieldCount() const;

private:
    void applyFilter();

    QLabel *m_title;
    QLineEdit *m_search;
    QTreeWidget *m_tree;
};

} // namespace oncutf::gui
