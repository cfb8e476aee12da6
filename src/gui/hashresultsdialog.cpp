#include "gui/hashresultsdialog.h"

#include "core/files/nativepath.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace oncutf::gui {

namespace {
constexpr int PathRole = Qt::UserRole + 1;
}

HashResultsDialog::HashResultsDialog(QWidget *parent)
    : QDialog(parent), m_summary(new QLabel(this)), m_tree(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("HashResultsDialog"));
    setWindowTitle(tr("Duplicates and compare"));
    resize(800, 500);
    auto *layout = new QVBoxLayout(this);
    m_summary->setObjectName(QStringLiteral("hashSummary"));
    m_summary->setText(tr("No results yet: use Hash > Find duplicates or Compare with folder."));
    m_tree->setObjectName(QStringLiteral("hashTree"));
    m_tree->setHeaderLabels({tr("File")});
    m_tree->setUniformRowHeights(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *reveal = buttons->addButton(tr("Reveal in table"), QDialogButtonBox::ActionRole);
    reveal->setObjectName(QStringLiteral("revealButton"));
    connect(reveal, &QPushButton::clicked, this, &HashResultsDialog::revealCurrent);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, &HashResultsDialog::revealCurrent);
    layout->addWidget(m_summary);
    layout->addWidget(m_tree, 1);
    layout->addWidget(buttons);
}

HashResultsDialog::~HashResultsDialog() = default;

void HashResultsDialog::addPaths(const QString &title, const QList<QByteArray> &paths)
{
    auto *group = new QTreeWidgetItem(m_tree, {title});
    for (const QByteArray &path : paths) {
        auto *item = new QTreeWidgetItem(group, {core::files::toDisplay(path)});
        item->setData(0, PathRole, path);
    }
    group->setExpanded(paths.size() <= 200);
}

void HashResultsDialog::showDuplicates(const core::hash::DuplicateReport &report)
{
    m_tree->clear();
    m_hasResults = true;
    qsizetype files = 0;
    for (qsizetype g = 0; g < report.groups.size(); ++g) {
        files += report.groups.at(g).size();
        addPaths(tr("Group %1: %2 identical files").arg(g + 1).arg(report.groups.at(g).size()), report.groups.at(g));
    }
    QList<QByteArray> errorPaths;
    for (const auto &error : report.errors) {
        auto *item = new QTreeWidgetItem(m_tree, {tr("Not compared: %1").arg(error.toString())});
        item->setForeground(0, QColor(207, 34, 46));
    }
    QString text = report.groups.isEmpty() ? tr("No duplicates found.")
                                           : tr("%1 groups of identical files (%2 files).").arg(report.groups.size()).arg(files);
    if (!report.errors.isEmpty())
        text += QLatin1Char(' ') + tr("%1 files could not be read.").arg(report.errors.size());
    if (report.cancelled)
        text += QLatin1Char(' ') + tr("Cancelled: the groups shown are exact, others may be missing.");
    m_summary->setText(text);
}

void HashResultsDialog::showComparison(const core::hash::FolderComparison &result, const QString &folderA,
                                       const QString &folderB)
{
    m_tree->clear();
    m_hasResults = true;
    addPaths(tr("Different (%1)").arg(result.different.size()), result.different);
    addPaths(tr("Only in %1 (%2)").arg(folderA).arg(result.onlyInA.size()), result.onlyInA);
    addPaths(tr("Only in %1 (%2)").arg(folderB).arg(result.onlyInB.size()), result.onlyInB);
    addPaths(tr("Same (%1)").arg(result.same.size()), result.same);
    for (const auto &error : result.errors)
        new QTreeWidgetItem(m_tree, {tr("Not compared: %1").arg(error.toString())});
    QString text = tr("%1 vs %2: %3 same, %4 different, %5 only in the first, %6 only in the second.")
                       .arg(folderA, folderB)
                       .arg(result.same.size())
                       .arg(result.different.size())
                       .arg(result.onlyInA.size())
                       .arg(result.onlyInB.size());
    if (result.cancelled)
        text += QLatin1Char(' ') + tr("Cancelled: some files were not compared.");
    m_summary->setText(text);
}

int HashResultsDialog::pathCount() const
{
    int count = 0;
    for (int g = 0; g < m_tree->topLevelItemCount(); ++g)
        count += m_tree->topLevelItem(g)->childCount();
    return count;
}

void HashResultsDialog::revealCurrent()
{
    const QTreeWidgetItem *item = m_tree->currentItem();
    if (!item)
        return;
    const QByteArray path = item->data(0, PathRole).toByteArray();
    if (!path.isEmpty())
        Q_EMIT revealRequested(path);
}

} // namespace oncutf::gui
