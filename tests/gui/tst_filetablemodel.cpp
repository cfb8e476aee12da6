// ctest-timeout: 60
// The file table's model: rows appear once per path, results are stored at once but announced
// only on flush (one repaint per flush, not per batch), an extended record is never replaced by
// a fast one, errors show in the status tooltip, and metadata columns show registry names.

#include "gui/filetablemodel.h"

#include <QSignalSpy>
#include <QTest>

using namespace oncutf;
using gui::FileTableModel;

namespace {

core::files::FileEntry entry(const char *path, qint64 size = 10)
{
    core::files::FileEntry e;
    e.path = QByteArray(path);
    e.size = size;
    e.type = QStringLiteral("jpg");
    return e;
}

core::metadata::MetadataRecord record(const char *path, core::metadata::MetadataMode mode, const QString &model)
{
    core::metadata::MetadataRecord r;
    r.path = QByteArray(path);
    r.mode = mode;
    r.fields.insert(QStringLiteral("EXIF:Model"), model);
    return r;
}

} // namespace

class TestFileTableModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rowsAreUniqueByPath()
    {
        FileTableModel model;
        model.appendFiles({entry("/p/a.jpg"), entry("/p/b.jpg")});
        model.appendFiles({entry("/p/b.jpg"), entry("/p/c.jpg", 5)});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.totalBytes(), qint64(25));
        QCOMPARE(model.rowOfPath("/p/c.jpg"), 2);
        QCOMPARE(model.data(model.index(2, FileTableModel::NameColumn)).toString(), QStringLiteral("c.jpg"));
        QCOMPARE(model.data(model.index(2, FileTableModel::FolderColumn)).toString(), QStringLiteral("/p"));
    }

    void resultsAreAnnouncedOnFlushOnly()
    {
        FileTableModel model;
        model.appendFiles({entry("/p/a.jpg"), entry("/p/b.jpg"), entry("/p/c.jpg")});
        QSignalSpy pending(&model, &FileTableModel::changesPending);
        QSignalSpy changed(&model, &FileTableModel::dataChanged);
        QSignalSpy fileData(&model, &FileTableModel::fileDataChanged);
        using core::metadata::MetadataMode;
        model.applyMetadata({record("/p/a.jpg", MetadataMode::Fast, QStringLiteral("R5"))});
        model.applyMetadata({record("/p/c.jpg", MetadataMode::Fast, QStringLiteral("R6"))});
        QCOMPARE(pending.count(), 1); // one request to flush, however many batches
        QCOMPARE(changed.count(), 0);
        QVERIFY(model.hasPendingChanges());
        model.flushChanges();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(fileData.count(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 0);
        QCOMPARE(changed.first().at(1).toModelIndex().row(), 2);
        QVERIFY(!model.hasPendingChanges());
        model.flushChanges();
        QCOMPARE(changed.count(), 1); // nothing new, nothing announced
        QCOMPARE(model.metadataLoadedCount(), 2);
    }

    void extendedIsNeverDowngradedAndErrorsShow()
    {
        FileTableModel model;
        model.appendFiles({entry("/p/a.jpg"), entry("/p/b.jpg")});
        using core::metadata::MetadataMode;
        model.applyMetadata({record("/p/a.jpg", MetadataMode::Extended, QStringLiteral("ext"))});
        model.applyMetadata({record("/p/a.jpg", MetadataMode::Fast, QStringLiteral("fast"))});
        QCOMPARE(model.row(0).metadata, FileTableModel::MetadataState::Extended);
        QCOMPARE(model.row(0).fields.value(QStringLiteral("EXIF:Model")).toString(), QStringLiteral("ext"));
        core::metadata::MetadataRecord bad;
        bad.path = "/p/b.jpg";
        bad.error = core::Error{core::ErrorCode::Internal, QStringLiteral("truncated file"), {}};
        model.applyMetadata({bad});
        QCOMPARE(model.row(1).metadata, FileTableModel::MetadataState::Error);
        const QString tip = model.data(model.index(1, FileTableModel::StatusColumn), Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("truncated file")), qPrintable(tip));
        QCOMPARE(model.metadataLoadedCount(), 2);

        core::hash::HashResult hash;
        hash.path = "/p/a.jpg";
        hash.crc = 0xdeadbeefU;
        model.applyHashes({hash});
        QCOMPARE(model.hashedCount(), 1);
        QVERIFY(model.data(model.index(0, FileTableModel::StatusColumn), Qt::ToolTipRole).toString().contains(QStringLiteral("deadbeef")));
    }

    void metadataColumnsShowRegistryNamesAndValues()
    {
        FileTableModel model;
        model.appendFiles({entry("/p/a.jpg")});
        model.setMetadataColumns({QStringLiteral("EXIF:Model")});
        QCOMPARE(model.columnCount(), FileTableModel::FixedColumns + 1);
        QVERIFY(!model.headerData(FileTableModel::FixedColumns, Qt::Horizontal).toString().isEmpty());
        model.applyMetadata({record("/p/a.jpg", core::metadata::MetadataMode::Fast, QStringLiteral("EOS R5"))});
        model.flushChanges();
        QCOMPARE(model.data(model.index(0, FileTableModel::FixedColumns)).toString(), QStringLiteral("EOS R5"));
    }
};

QTEST_MAIN(TestFileTableModel)
#include "tst_filetablemodel.moc"
