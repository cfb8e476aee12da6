#include "gui/historydialog.h"

#include <QAbstractItemView>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace oncutf::gui {

using core::db::BatchCounts;
using core::db::BatchKind;
using core::db::BatchRecord;
using core::db::BatchState;

HistoryDialog::HistoryDialog(QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("HistoryDialog"));
    setWindowTitle(tr("Rename history"));
    resize(900, 420);

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Every batch of renames, newest first. Undo puts the files of an applied batch back "
                                "under their old names; Redo applies an undone batch again."));
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_table = new QTableWidget(0, ColumnCount);
    m_table->setObjectName(QStringLiteral("historyTable"));
    m_table->setHorizontalHeaderLabels(
        {tr("ID"), tr("Kind"), tr("State"), tr("Started"), tr("Files"), tr("Folder"), tr("Recipe")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(RecipeColumn, QHeaderView::Stretch);
    m_table->setWordWrap(false);
    layout->addWidget(m_table, 1);

    auto *buttons = new QHBoxLayout;
    m_undoButton = new QPushButton(tr("&Undo"));
    m_undoButton->setObjectName(QStringLiteral("undoButton"));
    m_undoButton->setToolTip(tr("Put the files of the selected batch back under their old names "
                                "(files renamed or moved since are left alone and reported)"));
    m_redoButton = new QPushButton(tr("&Redo"));
    m_redoButton->setObjectName(QStringLiteral("redoButton"));
    m_redoButton->setToolTip(tr("Apply the selected undone batch again"));
    auto *closeButton = new QPushButton(tr("&Close"));
    closeButton->setObjectName(QStringLiteral("closeButton"));
    buttons->addWidget(m_undoButton);
    buttons->addWidget(m_redoButton);
    buttons->addStretch(1);
    buttons->addWidget(closeButton);
    layout->addLayout(buttons);

    // Undo and redo must never be the default: Enter in the table should not rename files.
    m_undoButton->setAutoDefault(false);
    m_redoButton->setAutoDefault(false);
    closeButton->setDefault(true);

    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] { updateButtons(); });
    connect(m_undoButton, &QPushButton::clicked, this, [this] {
        if (const int row = selectedRow(); row >= 0 && canUndo(m_batches.at(row)))
            Q_EMIT undoRequested(m_batches.at(row).id);
    });
    connect(m_redoButton, &QPushButton::clicked, this, [this] {
        if (const int row = selectedRow(); row >= 0 && canRedo(m_batches.at(row)))
            Q_EMIT redoRequested(m_batches.at(row).id);
    });
    connect(closeButton, &QPushButton::clicked, this, &QDialog::accept);
    updateButtons();
}

HistoryDialog::~HistoryDialog() = default;

void HistoryDialog::setBatches(const QList<BatchRecord> &batches)
{
    const qint64 selected = selectedBatchId();
    m_batches = batches;
    m_table->clearContents();
    m_table->setRowCount(int(batches.size()));
    for (int row = 0; row < batches.size(); ++row) {
        const BatchRecord &b = batches.at(row);
        const auto set = [this, row](int column, const QString &text, const QString &toolTip = {}) {
            auto *item = new QTableWidgetItem(text);
            item->setToolTip(toolTip.isEmpty() ? text : toolTip);
            m_table->setItem(row, column, item);
            return item;
        };
        auto *id = set(IdColumn, QString::number(b.id));
        id->setData(Qt::UserRole, b.id);
        id->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        set(KindColumn, core::db::batchKindName(b.kind));
        set(StateColumn, core::db::batchStateName(b.state), b.error.isEmpty() ? QString() : b.error);
        const QDateTime started = QDateTime::fromMSecsSinceEpoch(b.createdAtMs).toLocalTime();
        QString startedTip;
        if (b.finishedAtMs)
            startedTip = tr("Finished %1")
                             .arg(QDateTime::fromMSecsSinceEpoch(*b.finishedAtMs).toLocalTime().toString(
                                 QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        set(StartedColumn, started.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), startedTip);
        set(FilesColumn, countsSummary(b.counts));
        set(FolderColumn, b.rootFolder ? QFile::decodeName(*b.rootFolder) : QString());
        set(RecipeColumn, recipeSummary(b));
    }
    if (selected != 0)
        selectBatch(selected);
    updateButtons();
}

qint64 HistoryDialog::selectedBatchId() const
{
    const int row = selectedRow();
    return row >= 0 ? m_batches.at(row).id : 0;
}

void HistoryDialog::selectBatch(qint64 batchId)
{
    for (int row = 0; row < m_batches.size(); ++row) {
        if (m_batches.at(row).id == batchId) {
            m_table->selectRow(row);
            return;
        }
    }
    m_table->clearSelection();
}

bool HistoryDialog::canUndo(const BatchRecord &batch)
{
    return batch.kind != BatchKind::Undo && batch.state == BatchState::Applied;
}

bool HistoryDialog::canRedo(const BatchRecord &batch)
{
    return batch.kind != BatchKind::Undo && batch.state == BatchState::Undone;
}

QString HistoryDialog::recipeSummary(const BatchRecord &batch)
{
    if (batch.kind != BatchKind::Apply) {
        const QString parent = batch.parentBatchId ? QString::number(*batch.parentBatchId) : QStringLiteral("?");
        return batch.kind == BatchKind::Undo ? tr("undo of #%1").arg(parent) : tr("redo of #%1").arg(parent);
    }
    // Read leniently: a recipe recorded by an older version still deserves a summary.
    const QJsonObject recipe = QJsonDocument::fromJson(batch.recipeJson).object();
    QStringList types;
    const QJsonArray modules = recipe.value(QStringLiteral("modules")).toArray();
    for (const QJsonValue &module : modules) {
        const QJsonObject object = module.toObject();
        QString type = object.value(QStringLiteral("type")).toString(QStringLiteral("?"));
        if (!object.value(QStringLiteral("enabled")).toBool(true))
            type += tr(" (off)");
        types.append(type);
    }
    return types.isEmpty() ? QString() : types.join(QStringLiteral(" + "));
}

QString HistoryDialog::countsSummary(const BatchCounts &counts)
{
    QStringList parts;
    const auto part = [&parts](qint64 n, const QString &what) {
        if (n > 0)
            parts.append(QStringLiteral("%1 %2").arg(n).arg(what));
    };
    part(counts.done, tr("done"));
    part(counts.reverted, tr("reverted"));
    part(counts.skipped, tr("skipped"));
    part(counts.failed, tr("failed"));
    part(counts.pending, tr("pending"));
    part(counts.atTemp, tr("at a temporary name"));
    const QString total = QString::number(counts.total);
    return parts.isEmpty() ? total : total + QStringLiteral(" (") + parts.join(QStringLiteral(", ")) + QLatin1Char(')');
}

int HistoryDialog::selectedRow() const
{
    const QList<QTableWidgetSelectionRange> ranges = m_table->selectedRanges();
    if (ranges.isEmpty())
        return -1;
    const int row = ranges.first().topRow();
    return row < m_batches.size() ? row : -1;
}

void HistoryDialog::updateButtons()
{
    const int row = selectedRow();
    m_undoButton->setEnabled(row >= 0 && canUndo(m_batches.at(row)));
    m_redoButton->setEnabled(row >= 0 && canRedo(m_batches.at(row)));
}

} // namespace oncutf::gui
