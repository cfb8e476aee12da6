#include "testutil_db.h"

#include "core/db/databasemanager.h"
#include "core/db/metadatacache.h"
#include "core/db/sessionstatestore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <random>

using namespace oncutf::core;
using namespace oncutf::core::db;
using oncutf::tests::testDbOptions;

namespace {

QByteArray garbage(qsizetype size, unsigned seed)
{
    std::mt19937 gen(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &c : bytes)
        c = static_cast<char>(gen() & 0xffU);
    return bytes;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

QStringList movedAside(const QString &folder)
{
    return QDir(folder).entryList({QStringLiteral("oncutf.db.corrupt-*")}, QDir::Files, QDir::Name);
}

} // namespace

class TstDbCorruption : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void garbageFileIsMovedAsideAndReplaced();
    void damagedTablePageIsFoundByQuickCheck();
    void walFileMovesWithTheDatabase();
    void emptyFileIsAnEmptyDatabaseNotCorruption();
    void healthyDatabaseGivesNoNotice();
};

void TstDbCorruption::garbageFileIsMovedAsideAndReplaced()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("oncutf.db"));
    const QByteArray junk = garbage(64 * 1024, 1);
    QVERIFY(writeFile(path, junk));
    QFile keep(dir.filePath(QStringLiteral("unrelated.txt")));
    QVERIFY(keep.open(QIODevice::WriteOnly));
    keep.write("mine");
    keep.close();

    DatabaseManager db(path, testDbOptions());
    const Status opened = db.open();
    QVERIFY2(opened, opened ? "" : qPrintable(opened.error().toString()));
    QCOMPARE(db.schemaVersion(), DatabaseManager::latestSchemaVersion());

    const QStringList aside = movedAside(dir.path());
    QCOMPARE(aside.size(), 1);
    QVERIFY2(QRegularExpression(QStringLiteral(R"(^oncutf\.db\.corrupt-\d{8}-\d{6}$)")).match(aside.first()).hasMatch(),
             qPrintable(aside.first()));
    // Moved, not deleted: the bytes are all still there.
    QFile moved(dir.filePath(aside.first()));
    QVERIFY(moved.open(QIODevice::ReadOnly));
    QCOMPARE(moved.readAll(), junk);
    QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("unrelated.txt"))));

    const std::optional<QString> notice = db.takeRecoveryNotice();
    QVERIFY(notice.has_value());
    QVERIFY2(notice->contains(aside.first()), qPrintable(*notice));
    QVERIFY2(notice->contains(QStringLiteral("moved aside")), qPrintable(*notice));
    QVERIFY2(notice->contains(QStringLiteral("Nothing was deleted")), qPrintable(*notice));
    QVERIFY(!db.takeRecoveryNotice().has_value()); // told once

    // The fresh database works.
    QVERIFY(SessionStateStore(db).setString(QStringLiteral("k"), QStringLiteral("v")));
    QVERIFY(db.close());
}

void TstDbCorruption::damagedTablePageIsFoundByQuickCheck()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("oncutf.db"));
    qint64 rootPage = 0;
    qint64 pageSize = 0;
    {
        DatabaseManager db(path, testDbOptions());
        QList<MetadataRecord> records;
        for (int i = 0; i < 300; ++i)
            records.append({"/p/" + QByteArray::number(i), MetadataMode::Fast, QByteArray(200, 'm'), {i, i}});
        QVERIFY(MetadataCache(db).putMany(records));
        QVERIFY(db.read([&](Connection &c) -> Status {
            auto root = c.queryInt("SELECT rootpage FROM sqlite_master WHERE name = 'metadata_cache'");
            auto size = c.queryInt("PRAGMA page_size");
            if (!root || !size)
                return makeError(ErrorCode::Internal, QStringLiteral("no root page"));
            rootPage = *root;
            pageSize = *size;
            return {};
        }));
        QVERIFY(db.close());
    }
    // The header stays valid; only the table's root page is overwritten.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.seek((rootPage - 1) * pageSize));
    file.write(garbage(pageSize, 2));
    file.close();

    DatabaseManager db(path, testDbOptions());
    QVERIFY(db.open());
    // The damaged file, with the -wal/-shm files SQLite keeps next to it.
    const QStringList aside = movedAside(dir.path());
    QVERIFY(!aside.isEmpty());
    for (const QString &name : aside)
        QVERIFY2(name == aside.first() || name == aside.first() + QStringLiteral("-wal")
                     || name == aside.first() + QStringLiteral("-shm"),
                 qPrintable(aside.join(u' ')));
    const auto notice = db.takeRecoveryNotice();
    QVERIFY(notice.has_value());
    QCOMPARE(MetadataCache(db).count().value(), 0);
    QVERIFY(db.close());
}

void TstDbCorruption::walFileMovesWithTheDatabase()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("oncutf.db"));
    QVERIFY(writeFile(path, garbage(8192, 3)));
    const QByteArray wal = garbage(4096, 4);
    QVERIFY(writeFile(path + QStringLiteral("-wal"), wal));

    DatabaseManager db(path, testDbOptions());
    QVERIFY(db.open());
    const QStringList aside = movedAside(dir.path());
    QVERIFY(aside.size() >= 2);
    QVERIFY(aside.contains(aside.first() + QStringLiteral("-wal")));
    QFile movedWal(dir.filePath(aside.first() + QStringLiteral("-wal")));
    QVERIFY(movedWal.open(QIODevice::ReadOnly));
    QCOMPARE(movedWal.readAll(), wal);
    QVERIFY(db.takeRecoveryNotice().has_value());
    QVERIFY(SessionStateStore(db).setBool(QStringLiteral("fresh"), true));
    QVERIFY(db.close());
}

void TstDbCorruption::emptyFileIsAnEmptyDatabaseNotCorruption()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("oncutf.db"));
    QVERIFY(writeFile(path, QByteArray()));
    DatabaseManager db(path, testDbOptions());
    QVERIFY(db.open());
    QVERIFY(!db.takeRecoveryNotice().has_value());
    QVERIFY(movedAside(dir.path()).isEmpty());
    QVERIFY(db.close());
}

void TstDbCorruption::healthyDatabaseGivesNoNotice()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("oncutf.db"));
    {
        DatabaseManager db(path, testDbOptions());
        QVERIFY(SessionStateStore(db).setInt(QStringLiteral("n"), 5));
        QVERIFY(db.close());
    }
    DatabaseManager db(path, testDbOptions());
    QVERIFY(db.open());
    QVERIFY(!db.takeRecoveryNotice().has_value());
    QCOMPARE(SessionStateStore(db).integer(QStringLiteral("n"))->value_or(0), 5);
    QVERIFY(movedAside(dir.path()).isEmpty());
    QVERIFY(db.close());
}

QTEST_GUILESS_MAIN(TstDbCorruption)
#include "tst_dbcorruption.moc"
