#include "gui/metadatapanel.h"

#include "core/metadata/fieldregistry.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace oncutf::gui {


MetadataPanel::MetadataPanel(QWidget *parent)
    : QWidget(parent), m_title(new QLabel(this)), m_search(new QLineEdit(this)), m_tree(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("metadataPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title->setObjectName(QStringLiteral("metadataTitle"));
    m_title->setWordWrap(true);
    m_search->setObjectName(QStringLiteral("metadataSearch"));
    m_search->setPlaceholderText(tr("Search metadata"));
    m_search->setClearButtonEnabled(true);
    m_tree->setObjectName(QStringLiteral("metadataTree"));
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Key"), tr("Value")});
    m_tree->header()->resizeSection(0, 140);
    m_tree->setUniformRowHeights(true);
    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *copy = new QAction(tr("Copy value"), m_tree);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    m_tree->addAction(copy);
    connect(copy, &QAction::triggered, this, [this] { copySelectedValue(); });
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, [this] { copySelectedValue(); });
    connect(m_search, &QLineEdit::textChanged, this, &MetadataPanel::applyFilter);
    layout->addWidget(m_title);
    layout->addWidget(m_search);
    layout->addWidget(m_tree, 1);
    clear();
}

MetadataPanel::~MetadataPanel() = default;

void MetadataPanel::clear()
{
    m_tree->clear();
    m_title->setText(tr("No file selected"));
}

void MetadataPanel::showFile(const QString &fileName, const QJsonObject &fields, const QString &note)
{
    m_tree->setUpdatesEnabled(false);
    m_tree->clear();
    m_title->setText(note.isEmpty() ? fileName : fileName + QStringLiteral("\n") + note);
    QMap<QString, QTreeWidgetItem *> groups;
    for (auto it = fields.constBegin(); it != fields.constEnd(); ++it) {
        const QString &key = it.key();
        const qsizetype colon = key.indexOf(QLatin1Char(':'));
        const QString group = colon > 0 ? key.left(colon) : tr("Other");
        QTreeWidgetItem *parentItem = groups.value(group);
        if (!parentItem) {
            parentItem = new QTreeWidgetItem(m_tree, {group});
            parentItem->setFirstColumnSpanned(true);
            groups.insert(group, parentItem);
        }
        const auto info = core::metadata::FieldRegistry::describe(key);
        auto *item = new QTreeWidgetItem(parentItem, {info.displayName, core::metadata::FieldRegistry::displayText(it.value())});
        item->setToolTip(0, key);
        item->setToolTip(1, item->text(1));
        item->setData(0, Qt::UserRole, key);
    }
    m_tree->expandAll();
    applyFilter();
    m_tree->setUpdatesEnabled(true);
}

void MetadataPanel::applyFilter()
{
    const QString needle = m_search->text().trimmed();
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        QTreeWidgetItem *group = m_tree->topLevelItem(g);
        int shown = 0;
        for (int i = 0; i < group->childCount(); ++i) {
            QTreeWidgetItem *item = group->child(i);
            const bool match = needle.isEmpty() || item->text(0).contains(needle, Qt::CaseInsensitive)
                               || item->text(1).contains(needle, Qt::CaseInsensitive)
                               || item->data(0, Qt::UserRole).toString().contains(needle, Qt::CaseInsensitive);
            item->setHidden(!match);
            shown += match ? 1 : 0;
        }
        group->setHidden(shown == 0);
    }
}

int MetadataPanel::visibleFieldCount() const
{
    int count = 0;
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g) {
        const QTreeWidgetItem *group = m_tree->topLevelItem(g);
        for (int i = 0; i < group->childCount(); ++i)
            count += group->child(i)->isHidden() ? 0 : 1;
    }
    return count;
}

QString MetadataPanel::copySelectedValue()
{
    const QTreeWidgetItem *item = m_tree->currentItem();
    if (!item || item->childCount() > 0)
        return {};
    const QString value = item->text(1);
    QApplication::clipboard()->setText(value);
    return value;
}

} // namespace oncutf::gui
