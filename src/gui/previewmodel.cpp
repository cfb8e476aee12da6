#include "gui/previewmodel.h"

#include "core/files/nativepath.h"

#include <QColor>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QStringList>

namespace oncutf::gui {

using core::rename::ItemAction;
using core::rename::ItemStatus;

namespace {

QIcon statusIcon(ItemStatus status)
{
    QPixmap pixmap(16, 16);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(PreviewModel::statusColor(status));
    if (status == ItemStatus::Ok || status == ItemStatus::Unchanged) {
        painter.drawEllipse(QRectF(3, 3, 10, 10));
    } else {
        // Problems get a warning triangle, so colour is never the only cue.
        const QPointF triangle[3] = {QPointF(8, 1.5), QPointF(15, 14.5), QPointF(1, 14.5)};
        painter.drawPolygon(triangle, 3);
        painter.setPen(QPen(Qt::white, 2));
        painter.drawLine(QPointF(8, 6), QPointF(8, 10));
        painter.drawPoint(QPointF(8, 12.5));
    }
    return QIcon(pixmap);
}

QString nameOf(const QByteArray &path)
{
    return core::files::toDisplay(core::files::fileName(path));
}

} // namespace

PreviewModel::PreviewModel(QObject *parent) : QAbstractTableModel(parent)
{
    for (int i = 0; i < 6; ++i)
        m_icons[i] = statusIcon(ItemStatus(i));
}

PreviewModel::~PreviewModel() = default;

QColor PreviewModel::statusColor(ItemStatus status)
{
    switch (status) {
    case ItemStatus::Ok: return QColor(46, 160, 67);
    case ItemStatus::Unchanged: return QColor(150, 150, 150);
    case ItemStatus::Invalid: return QColor(207, 34, 46);
    case ItemStatus::Duplicate: return QColor(219, 109, 0);
    case ItemStatus::Conflict: return QColor(188, 76, 0);
    case ItemStatus::MissingData: return QColor(130, 80, 223);
    }
    return {};
}

int PreviewModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_plan.items.size());
}

int PreviewModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PreviewModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_plan.items.size())
        return {};
    const core::rename::PlanItem &item = m_plan.items.at(index.row());
    switch (role) {
    case StatusRole:
        return core::rename::itemStatusName(item.status);
    case OldPathRole:
        return item.oldPath;
    case Qt::DecorationRole:
        if (index.column() == StatusColumn)
            return m_icons[int(item.status)];
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case StatusColumn: {
            QString text = core::rename::itemStatusName(item.status);
            if (item.action == ItemAction::Skip)
                text += tr(" (skipped)");
            else if (item.action == ItemAction::Overwrite)
                text += tr(" (overwrite)");
            if (item.companionOf)
                text += tr(" (companion)");
            return text;
        }
        case OldNameColumn: return nameOf(item.oldPath);
        case NewNameColumn: return nameOf(item.newPath);
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == NewNameColumn && item.status != ItemStatus::Ok)
            return statusColor(item.status);
        return {};
    case Qt::ToolTipRole: {
        QString text = core::files::toDisplay(item.oldPath) + QStringLiteral("\n→ ") + core::files::toDisplay(item.newPath);
        if (!item.reason.isEmpty())
            text += QStringLiteral("\n") + item.reason;
        if (item.companionOf && *item.companionOf < m_plan.items.size())
            text += QStringLiteral("\n") + tr("Follows %1").arg(nameOf(m_plan.items.at(*item.companionOf).oldPath));
        return text;
    }
    default:
        return {};
    }
}

QVariant PreviewModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StatusColumn: return tr("Status");
    case OldNameColumn: return tr("Old name");
    case NewNameColumn: return tr("New name");
    }
    return {};
}

void PreviewModel::setPlan(core::rename::RenamePlan plan)
{
    beginResetModel();
    m_plan = std::move(plan);
    m_hasPlan = true;
    endResetModel();
}

void PreviewModel::clear()
{
    beginResetModel();
    m_plan = {};
    m_hasPlan = false;
    endResetModel();
}

QString PreviewModel::summaryText() const
{
    if (!m_hasPlan)
        return tr("No preview");
    const core::rename::PlanSummary &s = m_plan.summary;
    const QLocale locale;
    QStringList parts;
    const auto add = [&](qsizetype count, const QString &what) {
        if (count > 0)
            parts.append(QStringLiteral("%1 %2").arg(locale.toString(qlonglong(count)), what));
    };
    add(s.ok, tr("ok"));
    add(s.unchanged, tr("unchanged"));
    add(s.invalid, tr("invalid"));
    add(s.duplicate, tr("duplicate"));
    add(s.conflict, tr("conflict"));
    add(s.missingData, tr("missing data"));
    add(s.skipped, tr("skipped"));
    QString text = tr("%1 files").arg(locale.toString(qlonglong(s.total)));
    if (!parts.isEmpty())
        text += QStringLiteral(": ") + parts.join(QStringLiteral(", "));
    return text;
}

} // namespace oncutf::gui
