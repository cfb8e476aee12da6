#include "gui/filetablemodel.h"

#include "core/files/nativepath.h"
#include "core/metadata/fieldregistry.h"

#include <QColor>
#include <QDateTime>
#include <QJsonArray>
#include <QLocale>
#include <QMimeData>
#include <QPainter>
#include <QPixmap>
#include <QUrl>

#include <algorithm>

namespace oncutf::gui {

namespace {

// Status dots drawn once: a filled circle per metadata state, a ring around it when hashed.
QIcon dot(const QColor &fill, bool ring)
{
    QPixmap pixmap(16, 16);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    if (ring) {
        painter.setPen(QPen(QColor(40, 90, 200), 2));
        painter.drawEllipse(QRectF(1.5, 1.5, 13, 13));
    }
    painter.setPen(Qt::NoPen);
    painter.setBrush(fill);
    painter.drawEllipse(QRectF(4, 4, 8, 8));
    return QIcon(pixmap);
}

QString folderOf(const QByteArray &path)
{
    const qsizetype slash = path.lastIndexOf('/');
    return core::files::toDisplay(slash <= 0 ? QByteArrayLiteral("/") : path.left(slash));
}

} // namespace

FileTableModel::FileTableModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_iconNone = dot(QColor(190, 190, 190), false);
    m_iconFast = dot(QColor(60, 170, 80), false);
    m_iconExtended = dot(QColor(30, 110, 40), false);
    m_iconError = dot(QColor(210, 50, 50), false);
    m_iconHashed = dot(QColor(190, 190, 190), true);
}

FileTableModel::~FileTableModel() = default;

int FileTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FileTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : FixedColumns + int(m_metadataColumns.size());
}

QVariant FileTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &r = m_rows.at(index.row());
    const int column = index.column();
    if (role == PathRole)
        return r.entry.path;
    if (column == StatusColumn) {
        if (role == Qt::DecorationRole) {
            if (r.metadata == MetadataState::Error)
                return m_iconError;
            if (r.metadata == MetadataState::None)
                return r.crc ? m_iconHashed : m_iconNone;
            // Fast/extended with a hash: keep the metadata colour, the tooltip tells the rest.
            return r.metadata == MetadataState::Extended ? m_iconExtended : m_iconFast;
        }
        if (role == Qt::ToolTipRole) {
            QString text;
            switch (r.metadata) {
            case MetadataState::None: text = tr("Metadata not loaded (Ctrl+M)"); break;
            case MetadataState::Fast: text = tr("Metadata loaded (fast)"); break;
            case MetadataState::Extended: text = tr("Metadata loaded (extended)"); break;
            case MetadataState::Error: text = tr("Metadata could not be read: %1").arg(r.metadataError); break;
            }
            if (r.crc)
                text += QLatin1Char('\n') + tr("CRC32 %1").arg(*r.crc, 8, 16, QLatin1Char('0'));
            else if (!r.hashError.isEmpty())
                text += QLatin1Char('\n') + tr("Hash failed: %1").arg(r.hashError);
            else
                text += QLatin1Char('\n') + tr("Not hashed (Ctrl+H)");
            return text;
        }
        if (role == SortRole)
            return int(r.metadata) * 2 + (r.crc ? 1 : 0);
        return {};
    }
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole || role == SortRole) {
        switch (column) {
        case NameColumn:
            if (role == Qt::ToolTipRole)
                return core::files::toDisplay(r.entry.path);
            return r.name;
        case SizeColumn:
            if (role == SortRole)
                return r.entry.size;
            return QLocale().formattedDataSize(r.entry.size, 1, QLocale::DataSizeTraditionalFormat);
        case TypeColumn:
            return r.entry.type;
        case ModifiedColumn:
            if (role == SortRole)
                return r.entry.mtimeNs;
            return QDateTime::fromMSecsSinceEpoch(r.entry.mtimeNs / 1000000).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case FolderColumn:
            return r.folder;
        default: {
            const int extra = column - FixedColumns;
            if (extra < 0 || extra >= m_metadataColumns.size())
                return {};
            const QJsonValue value = r.fields.value(m_metadataColumns.at(extra));
            if (role == SortRole && value.isDouble())
                return value.toDouble();
            return core::metadata::FieldRegistry::displayText(value);
        }
        }
    }
    if (role == Qt::TextAlignmentRole && column == SizeColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant FileTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case StatusColumn: return QString();
        case NameColumn: return tr("Filename");
        case SizeColumn: return tr("Size");
        case TypeColumn: return tr("Type");
        case ModifiedColumn: return tr("Modified");
        case FolderColumn: return tr("Folder");
        default: {
            const int extra = section - FixedColumns;
            if (extra < 0 || extra >= m_metadataColumns.size())
                return {};
            return core::metadata::FieldRegistry::describe(m_metadataColumns.at(extra)).displayName;
        }
        }
    }
    if (role == Qt::ToolTipRole) {
        if (section == StatusColumn)
            return tr("Metadata and hash status");
        const int extra = section - FixedColumns;
        if (extra >= 0 && extra < m_metadataColumns.size())
            return m_metadataColumns.at(extra);
    }
    return {};
}

Qt::ItemFlags FileTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled;
}

QStringList FileTableModel::mimeTypes() const
{
    return {QStringLiteral("text/uri-list")};
}

QMimeData *FileTableModel::mimeData(const QModelIndexList &indexes) const
{
    auto *mime = new QMimeData;
    QList<QUrl> urls;
    QList<int> seen;
    for (const QModelIndex &index : indexes) {
        if (!index.isValid() || seen.contains(index.row()))
            continue;
        seen.append(index.row());
        urls.append(QUrl::fromLocalFile(core::files::fsDecode(m_rows.at(index.row()).entry.path)));
    }
    mime->setUrls(urls);
    return mime;
}

void FileTableModel::clear()
{
    m_dirtyLast = -1;
    beginResetModel();
    m_rows.clear();
    m_rowByPath.clear();
    m_totalBytes = 0;
    m_metadataLoaded = 0;
    m_hashed = 0;
    endResetModel();
}

void FileTableModel::appendFiles(const QList<core::files::FileEntry> &files)
{
    QList<Row> fresh;
    fresh.reserve(files.size());
    for (const auto &entry : files) {
        if (m_rowByPath.contains(entry.path))
            continue;
        Row r;
        r.entry = entry;
        r.name = core::files::toDisplay(core::files::fileName(entry.path));
        r.folder = folderOf(entry.path);
        m_rowByPath.insert(entry.path, int(m_rows.size() + fresh.size()));
        m_totalBytes += entry.size;
        fresh.append(std::move(r));
    }
    if (fresh.isEmpty())
        return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + fresh.size() - 1));
    m_rows.append(std::move(fresh));
    endInsertRows();
}

void FileTableModel::applyMetadata(const QList<core::metadata::MetadataRecord> &records)
{
    int first = int(m_rows.size());
    int last = -1;
    for (const auto &record : records) {
        const int index = m_rowByPath.value(record.path, -1);
        if (index < 0)
            continue;
        Row &r = m_rows[index];
        // An extended record is never replaced by a fast one (as the cache does).
        if (record.ok() && r.metadata == MetadataState::Extended && record.mode == core::metadata::MetadataMode::Fast)
            continue;
        if (r.metadata == MetadataState::None)
            ++m_metadataLoaded; // rows with an answer, good or bad
        if (record.ok()) {
            r.fields = record.fields;
            r.metadataError.clear();
            r.metadata = record.mode == core::metadata::MetadataMode::Extended ? MetadataState::Extended
                                                                                : MetadataState::Fast;
        } else {
            r.metadata = MetadataState::Error;
            r.metadataError = record.error->message;
        }
        first = std::min(first, index);
        last = std::max(last, index);
    }
    if (last >= 0)
        markDirty(first, last);
}

void FileTableModel::applyHashes(const QList<core::hash::HashResult> &results)
{
    int first = int(m_rows.size());
    int last = -1;
    for (const auto &result : results) {
        const int index = m_rowByPath.value(result.path, -1);
        if (index < 0)
            continue;
        Row &r = m_rows[index];
        if (!r.crc && result.crc)
            ++m_hashed;
        r.crc = result.crc;
        r.hashError = result.error ? result.error->message : QString();
        first = std::min(first, index);
        last = std::max(last, index);
    }
    if (last >= 0)
        markDirty(first, last);
}

void FileTableModel::setMetadataColumns(const QStringList &keys)
{
    if (keys == m_metadataColumns)
        return;
    beginResetModel();
    m_metadataColumns = keys;
    endResetModel();
}

QList<core::files::FileEntry> FileTableModel::entries() const
{
    QList<core::files::FileEntry> out;
    out.reserve(m_rows.size());
    for (const Row &r : m_rows)
        out.append(r.entry);
    return out;
}

void FileTableModel::markDirty(int first, int last)
{
    const bool wasClean = m_dirtyLast < 0;
    m_dirtyFirst = wasClean ? first : std::min(m_dirtyFirst, first);
    m_dirtyLast = std::max(m_dirtyLast, last);
    if (wasClean)
        Q_EMIT changesPending();
}

void FileTableModel::flushChanges()
{
    if (m_dirtyLast < 0)
        return;
    const int first = m_dirtyFirst;
    const int last = std::min(m_dirtyLast, int(m_rows.size()) - 1);
    m_dirtyLast = -1;
    if (last < first)
        return;
    // Only the columns results can change: the status icon and the metadata columns.
    Q_EMIT dataChanged(index(first, StatusColumn), index(last, StatusColumn));
    if (!m_metadataColumns.isEmpty())
        Q_EMIT dataChanged(index(first, FixedColumns), index(last, columnCount() - 1));
    Q_EMIT fileDataChanged();
}

} // namespace oncutf::gui
