#pragma once

#include "core/files/fileentry.h"
#include "core/hash/hashresult.h"
#include "core/metadata/metadatarecord.h"

#include <QAbstractTableModel>
#include <QByteArray>
#include <QHash>
#include <QIcon>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>

namespace oncutf::gui {

/// The files of the open folders as the file table shows them: one row per file with its name,
/// size, type, modification time and folder, a status column (metadata and hash state, by icon
/// and tooltip) and any metadata columns the user picked from the field registry. Rows arrive in
/// batches from the scan and are filled in as metadata and hashes come back from the workers;
/// nothing here reads the disk, so a 100k-row table costs one small struct per row.
/// Owner: the MainWindow. Threading: GUI thread only.
class FileTableModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileTableModel)

public:
    enum Column { StatusColumn, NameColumn, SizeColumn, TypeColumn, ModifiedColumn, FolderColumn, FixedColumns };
    enum class MetadataState { None, Fast, Extended, Error };
    /// Sort key for the proxy (numbers for size and time).
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int PathRole = Qt::UserRole + 2;

    struct Row {
        core::files::FileEntry entry;
        QString name;   ///< display form of the file name
        QString folder; ///< display form of the folder
        MetadataState metadata = MetadataState::None;
        QJsonObject fields;
        QString metadataError;
        std::optional<quint32> crc;
        QString hashError;
    };

    explicit FileTableModel(QObject *parent = nullptr);
    ~FileTableModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;

    void clear();
    /// Adds files; a path already listed is skipped (folders added twice, overlapping scans).
    void appendFiles(const QList<core::files::FileEntry> &files);
    /// Store results; the views hear of them at the next flushChanges(), so a stream of small
    /// batches costs one repaint and one preview request per flush instead of one per batch.
    void applyMetadata(const QList<core::metadata::MetadataRecord> &records);
    void applyHashes(const QList<core::hash::HashResult> &results);
    /// Announces the rows changed since the last flush (dataChanged + fileDataChanged).
    void flushChanges();
    [[nodiscard]] bool hasPendingChanges() const { return m_dirtyLast >= 0; }

    /// Extra columns, by "Group:Tag" key, after the fixed ones.
    void setMetadataColumns(const QStringList &keys);
    [[nodiscard]] const QStringList &metadataColumns() const { return m_metadataColumns; }

    [[nodiscard]] const Row &row(int index) const { return m_rows.at(index); }
    [[nodiscard]] const QList<Row> &rows() const { return m_rows; }
    [[nodiscard]] QList<core::files::FileEntry> entries() const;
    [[nodiscard]] int rowOfPath(const QByteArray &path) const { return m_rowByPath.value(path, -1); }
    [[nodiscard]] qint64 totalBytes() const { return m_totalBytes; }
    [[nodiscard]] int metadataLoadedCount() const { return m_metadataLoaded; }
    [[nodiscard]] int hashedCount() const { return m_hashed; }

Q_SIGNALS:
    /// Metadata or hash state of some rows changed (the preview may now resolve more names).
    void fileDataChanged();
    /// New results are stored and wait for flushChanges() (the owner schedules it).
    void changesPending();

private:
    void markDirty(int first, int last);

    QList<Row> m_rows;
    QHash<QByteArray, int> m_rowByPath;
    QStringList m_metadataColumns;
    qint64 m_totalBytes = 0;
    int m_metadataLoaded = 0;
    int m_hashed = 0;
    int m_dirtyFirst = 0;
    int m_dirtyLast = -1;
    QIcon m_iconNone;
    QIcon m_iconFast;
    QIcon m_iconExtended;
    QIcon m_iconError;
    QIcon m_iconHashed;
};

} // namespace oncutf::gui
