// ctest-labels: exiftool
// ctest-timeout: 240
// The metadata loader and worker: routes (cache, in-process, ExifTool), cache rules (changed file
// is a miss, extended never downgraded, partial results cached), sidecars, cancel, and an ExifTool
// process killed in the middle of a load.

#include "core/concurrency/threadpoolmanager.h"
#include "core/concurrency/workerthread.h"
#include "core/db/databasemanager.h"
#include "core/db/metadatacache.h"
#include "core/jsonwriter.h"
#include "core/metadata/exiftoolpool.h"
#include "core/metadata/metadataloader.h"
#include "core/metadata/metadataworker.h"
#include "testutil_fixtures.h"

#include <QBuffer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <memory>

using namespace oncutf::core;
using namespace oncutf::core::metadata;
using oncutf::tests::MetadataFixtures;
using std::chrono::milliseconds;

namespace {

QList<QByteArray> copies(const QByteArray &source, const QString &dir, int count)
{
    QFile in(QString::fromUtf8(source));
    if (!in.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QByteArray bytes = in.readAll();
    QList<QByteArray> out;
    for (int i = 0; i < count; ++i) {
        const QByteArray path = QFile::encodeName(dir) + "/IMG_" + QByteArray::number(i) + ".jpg";
        QFile file(QString::fromUtf8(path));
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
            return {};
        }
        out.append(path);
    }
    return out;
}

// What the CLI prints for a record's fields (JsonWriter, compact).
QByteArray printedForm(const QJsonObject &fields)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    {
        JsonWriter writer(&buffer, JsonWriter::Style::Compact);
        writer.value(fields);
    }
    return buffer.data();
}

QHash<QByteArray, MetadataRecord> byPath(const QList<MetadataRecord> &records)
{
    QHash<QByteArray, MetadataRecord> map;
    for (const MetadataRecord &record : records) {
        map.insert(record.path, record);
    }
    return map;
}

} // namespace

class TestMetadataLoader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_fixtureDir.isValid());
        QString error;
        QVERIFY2(m_fixtures.generate(m_fixtureDir.path(), &error), qPrintable(error));
    }

    void cleanupTestCase() { m_fixtures.removeFiles(); }

    void init()
    {
        QVERIFY(m_dbDir.isValid());
        m_database = std::make_unique<db::DatabaseManager>(m_dbDir.path() + QStringLiteral("/test-%1.db").arg(++m_dbCounter));
        m_cache = std::make_unique<db::MetadataCache>(*m_database);
        concurrency::PoolConfig config;
        config.minWorkers = 2;
        config.maxWorkers = 2;
        m_pool = std::make_unique<concurrency::ThreadPoolManager>(config);
        m_exiftool = std::make_unique<ExifToolPool>(ExifToolOptions{}, 2);
    }

    void cleanup()
    {
        QVERIFY(m_pool->shutdownNow(milliseconds(5000), false));
        QVERIFY(m_exiftool->shutdownNow(milliseconds(5000), false));
        QVERIFY(m_database->shutdownNow(milliseconds(5000), false));
        m_pool.reset();
        m_exiftool.reset();
        m_cache.reset();
        m_database.reset();
    }

    void everyFileGetsARecordByTheRightRoute()
    {
        const QList<QByteArray> files = m_fixtures.paths({QStringLiteral("tagged"), QStringLiteral("plain"),
                                                          QStringLiteral("odd"), QStringLiteral("dir")})
            << QByteArray("/nonexistent/missing.jpg");
        MetadataLoader loader(options());
        QList<MetadataRecord> streamed;
        MetadataLoader::Callbacks callbacks;
        callbacks.resultsReady = [&](const QList<MetadataRecord> &batch) { streamed.append(batch); };
        const MetadataLoader::Outcome outcome = loader.run(files, MetadataMode::Fast, callbacks);
        QVERIFY(!outcome.cancelled);
        QCOMPARE(outcome.records.size(), files.size());
        QCOMPARE(streamed.size(), files.size());
        for (qsizetype i = 0; i < files.size(); ++i) {
            QCOMPARE(outcome.records.at(i).index, i);
            QCOMPARE(outcome.records.at(i).path, files.at(i));
        }
        const auto records = byPath(outcome.records);
        // In-process: the JPEGs (whatever their names), PNG, WebP, TIFF; ExifTool: the rest.
        const MetadataRecord &canon = records.value(m_fixtures.path("canon_r5.jpg"));
        QCOMPARE(canon.fields.value(QStringLiteral("EXIF:Make")).toString(), QStringLiteral("Canon"));
        QVERIFY(!canon.fields.contains(QStringLiteral("ExifTool:ExifToolVersion")));
        const MetadataRecord &newline = records.value(m_fixtures.path("new\nline.jpg"));
        QCOMPARE(newline.fields.value(QStringLiteral("EXIF:Model")).toString(), QStringLiteral("Canon EOS R5"));
        const MetadataRecord &empty = records.value(m_fixtures.path("empty.jpg"));
        QVERIFY(empty.ok());
        QCOMPARE(empty.fields.value(QStringLiteral("ExifTool:Error")).toString(), QStringLiteral("File is empty"));
        const MetadataRecord &video = records.value(m_fixtures.path("C0001.MP4"));
        QCOMPARE(video.fields.value(QStringLiteral("File:FileType")).toString(), QStringLiteral("MP4"));
        QVERIFY(!records.value(m_fixtures.path("folder.jpg")).ok());
        QCOMPARE(records.value(m_fixtures.path("folder.jpg")).error->code, ErrorCode::InvalidArgument);
        QCOMPARE(records.value("/nonexistent/missing.jpg").error->code, ErrorCode::NotFound);
        QVERIFY(outcome.readInProcess >= 25);
        QVERIFY(outcome.readByExifTool >= 6);
        QCOMPARE(outcome.cacheHits, 0);
        QVERIFY(outcome.cached > 0);
    }

    void sidecarsFillWhatTheFileLacks()
    {
        MetadataLoader loader(options());
        const QList<QByteArray> files{m_fixtures.path("with_sidecar.jpg"), m_fixtures.path("C0001.MP4")};
        const MetadataLoader::Outcome outcome = loader.run(files, MetadataMode::Fast, {});
        QCOMPARE(outcome.records.size(), 2);
        QCOMPARE(outcome.sidecars, 2);
        const QJsonObject photo = outcome.records.at(0).fields;
        QCOMPARE(photo.value(QStringLiteral("EXIF:Make")).toString(), QStringLiteral("Canon"));
        QCOMPARE(photo.value(QStringLiteral("XMP:Creator")).toString(), QStringLiteral("Sidecar Person"));
        QCOMPARE(photo.value(QStringLiteral("XMP:DateTimeOriginal")).toString(), QStringLiteral("2020:05:06 07:08:09.25+03:00"));
        QCOMPARE(photo.value(QStringLiteral("File:FileType")).toString(), QStringLiteral("JPEG")); // not the sidecar's
        const QJsonObject clip = outcome.records.at(1).fields;
        QCOMPARE(clip.value(QStringLiteral("XMP:NonRealTimeMetaDeviceModelName")).toString(), QStringLiteral("ILCE-7SM3"));
        QCOMPARE(clip.value(QStringLiteral("File:FileType")).toString(), QStringLiteral("MP4"));

        // Second time everything, sidecars included, comes from the cache, merged the same way.
        const MetadataLoader::Outcome again = loader.run(files, MetadataMode::Fast, {});
        QCOMPARE(again.cacheHits, 4);
        QCOMPARE(again.records.at(0).fields, photo);
        QCOMPARE(again.records.at(1).fields, clip);
    }

    void cacheHitsMissesAndNoDowngrade()
    {
        QTemporaryDir dir;
        const QList<QByteArray> files = copies(m_fixtures.path("nikon_z6.jpg"), dir.path(), 50);
        QCOMPARE(files.size(), 50);
        MetadataLoader loader(options());
        const MetadataLoader::Outcome first = loader.run(files, MetadataMode::Fast, {});
        QCOMPARE(first.readInProcess, 50);
        QCOMPARE(first.cached, 50);

        // A changed file (same size, new mtime) is a miss; the others hit.
        struct timespec times[2] = {{0, UTIME_OMIT}, {1700000000, 123}};
        QCOMPARE(::utimensat(AT_FDCWD, files.at(7).constData(), times, 0), 0);
        const MetadataLoader::Outcome second = loader.run(files, MetadataMode::Fast, {});
        QCOMPARE(second.cacheHits, 49);
        QCOMPARE(second.readInProcess, 1);
        QCOMPARE(second.records.at(7).fields.value(QStringLiteral("File:FileModifyDate")).toString().left(10),
                 QStringLiteral("2023:11:14"));
        for (qsizetype i = 0; i < files.size(); ++i) {
            if (i != 7) {
                QCOMPARE(second.records.at(i).fields, first.records.at(i).fields);
            }
        }

        // Extended replaces fast; a later fast request gets the extended entry, never a downgrade.
        const QList<QByteArray> few = files.mid(0, 5);
        const MetadataLoader::Outcome extended = loader.run(few, MetadataMode::Extended, {});
        QCOMPARE(extended.readByExifTool, 5);
        QVERIFY(extended.records.at(0).fields.contains(QStringLiteral("ExifTool:ExifToolVersion")));
        const MetadataLoader::Outcome fastAgain = loader.run(few, MetadataMode::Fast, {});
        QCOMPARE(fastAgain.cacheHits, 5);
        QCOMPARE(fastAgain.records.at(0).mode, MetadataMode::Extended);
        QCOMPARE(fastAgain.records.at(0).fields, extended.records.at(0).fields);
        const auto stored = m_cache->get(files.at(0), *db::FileStamp::of(files.at(0)), db::MetadataMode::Extended);
        QVERIFY(stored && stored->has_value());
    }

    // Acceptance: an ExifTool process killed in the middle of a load; every file still has metadata.
    void killedExifToolLosesNoFile()
    {
        QTemporaryDir dir;
        const QList<QByteArray> files = copies(m_fixtures.path("canon_r5.jpg"), dir.path(), 120);
        MetadataLoader loader(options());
        qsizetype seen = 0;
        pid_t killed = -1;
        MetadataLoader::Callbacks callbacks;
        callbacks.resultsReady = [&](const QList<MetadataRecord> &batch) {
            seen += batch.size();
            if (killed < 0 && seen >= 30 && !m_exiftool->processIds().isEmpty()) {
                killed = m_exiftool->processIds().first();
                ::kill(killed, SIGKILL);
            }
        };
        const MetadataLoader::Outcome outcome = loader.run(files, MetadataMode::Extended, callbacks);
        QVERIFY(killed > 0);
        QVERIFY(outcome.exiftoolRestarts >= 1);
        QCOMPARE(outcome.records.size(), files.size());
        for (const MetadataRecord &record : outcome.records) {
            QVERIFY2(record.ok(), record.path.constData());
            QCOMPARE(record.fields.value(QStringLiteral("EXIF:Make")).toString(), QStringLiteral("Canon"));
        }
    }

    void cancelKeepsAndCachesPartialResults()
    {
        QTemporaryDir dir;
        const QList<QByteArray> files = copies(m_fixtures.path("sony_minimal.jpg"), dir.path(), 200);
        MetadataLoader loader(options());
        qsizetype seen = 0;
        MetadataLoader::Callbacks callbacks;
        callbacks.resultsReady = [&](const QList<MetadataRecord> &batch) { seen += batch.size(); };
        callbacks.isCancelled = [&] { return seen >= 20; };
        const MetadataLoader::Outcome outcome = loader.run(files, MetadataMode::Extended, callbacks);
        QVERIFY(outcome.cancelled);
        QVERIFY(outcome.records.size() >= 20);
        QVERIFY2(outcome.records.size() < files.size(), qPrintable(QString::number(outcome.records.size())));
        QCOMPARE(outcome.cached, outcome.records.size());
        const auto count = m_cache->count();
        QVERIFY(count);
        QCOMPARE(*count, qint64(outcome.records.size()));
    }

    // Records are stored while the rest is read, a transaction per cacheStoreBatch records: every
    // record exactly once, whatever the batch size, and a second run gets all of them back.
    void storesWhileReadingInBatches_data()
    {
        QTest::addColumn<int>("batch");
        QTest::newRow("one per transaction") << 1;
        QTest::newRow("7") << 7;
        QTest::newRow("all at the end") << 100000;
    }

    void storesWhileReadingInBatches()
    {
        QFETCH(int, batch);
        QTemporaryDir dir;
        const QList<QByteArray> files = copies(m_fixtures.path("canon_r5.jpg"), dir.path(), 120);
        QCOMPARE(files.size(), 120);
        MetadataLoader::Options storing = options();
        storing.cacheStoreBatch = batch;
        storing.readerFilesPerTask = 4;
        MetadataLoader loader(storing);
        const MetadataLoader::Outcome first = loader.run(files, MetadataMode::Fast, {});
        QCOMPARE(first.readInProcess, 120);
        QCOMPARE(first.cached, 120);
        QVERIFY(!first.cacheError);
        const auto count = m_cache->count();
        QVERIFY(count);
        QCOMPARE(*count, qint64(120));
        const MetadataLoader::Outcome again = loader.run(files, MetadataMode::Fast, {});
        QCOMPARE(again.cacheHits, 120);
        QCOMPARE(again.cached, 0);
        for (qsizetype i = 0; i < files.size(); ++i) {
            QCOMPARE(again.records.at(i).fields, first.records.at(i).fields);
        }
    }

    // printForm: a requested file without sidecars comes as its fields' printed form and no
    // fields, both when read now (the reader writes text, never an object) and as a cache hit
    // (unparsed); the cache then holds the same documents as a run without it. Not where
    // sidecars are merged (the file that takes them and the sidecars themselves are parsed).
    void printForm()
    {
        const QList<QByteArray> files = m_fixtures.paths({QStringLiteral("tagged"), QStringLiteral("plain"),
                                                          QStringLiteral("odd"), QStringLiteral("sidecar")});
        QVERIFY(files.contains(m_fixtures.path("with_sidecar.jpg")));
        QVERIFY(files.contains(m_fixtures.path("C0001.MP4")));
        MetadataLoader::Options uncached = options();
        uncached.cache = nullptr;
        const MetadataLoader::Outcome reference = MetadataLoader(uncached).run(files, MetadataMode::Fast, {});
        QCOMPARE(reference.records.size(), files.size());

        MetadataLoader::Options printing = options();
        printing.printForm = true;
        for (const char *round : {"read now", "cache hits"}) {
            const MetadataLoader::Outcome outcome = MetadataLoader(printing).run(files, MetadataMode::Fast, {});
            QCOMPARE(outcome.records.size(), files.size());
            QCOMPARE(outcome.cacheHits > 0, std::strcmp(round, "cache hits") == 0);
            int printed = 0;
            int parsed = 0;
            for (qsizetype i = 0; i < files.size(); ++i) {
                const MetadataRecord &expected = reference.records.at(i);
                const MetadataRecord &now = outcome.records.at(i);
                QCOMPARE(now.ok(), expected.ok());
                if (!now.printedFields.isEmpty()) {
                    ++printed;
                    QVERIFY2(now.fields.isEmpty(), round);
                    QCOMPARE(now.printedFields, printedForm(expected.fields));
                } else {
                    ++parsed;
                    QCOMPARE(now.fields, expected.fields);
                }
            }
            QVERIFY2(printed >= m_fixtures.paths({QStringLiteral("tagged")}).size() - 1, round);
            // The two files with sidecars and their sidecars, at least.
            QVERIFY2(parsed >= 4, qPrintable(QString::number(parsed)));
            const auto byName = byPath(outcome.records);
            QVERIFY(byName.value(m_fixtures.path("with_sidecar.jpg")).printedFields.isEmpty());
            QCOMPARE(byName.value(m_fixtures.path("with_sidecar.jpg")).fields.value(QStringLiteral("XMP:Creator")).toString(),
                     QStringLiteral("Sidecar Person"));
            QVERIFY(byName.value(m_fixtures.path("C0001.MP4")).printedFields.isEmpty());
        }
        // What the printing run stored reads back as the fields themselves.
        const MetadataLoader::Outcome again = MetadataLoader(options()).run(files, MetadataMode::Fast, {});
        QVERIFY(again.cacheHits > 0);
        for (qsizetype i = 0; i < files.size(); ++i) {
            QCOMPARE(again.records.at(i).fields, reference.records.at(i).fields);
        }
    }

    void workerReportsProgressAndFinishes()
    {
        QTemporaryDir dir;
        const QList<QByteArray> files = copies(m_fixtures.path("canon_r5.jpg"), dir.path(), 30);
        auto *worker = new MetadataWorker(files, MetadataMode::Fast, options());
        worker->setProgressInterval(milliseconds(0));
        QSignalSpy results(worker, &MetadataWorker::resultsReady);
        QSignalSpy progress(worker, &concurrency::Worker::progress);
        concurrency::WorkerThread thread(QStringLiteral("tst-metadata"));
        QSignalSpy finished(&thread, &concurrency::WorkerThread::workerFinished);
        thread.start(worker);
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().first().toBool(), true);
        qsizetype records = 0;
        for (const QList<QVariant> &emitted : std::as_const(results)) {
            records += emitted.first().value<QList<MetadataRecord>>().size();
        }
        QCOMPARE(records, files.size());
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(0).toLongLong(), qint64(files.size()));
        QCOMPARE(progress.last().at(1).toLongLong(), qint64(files.size()));
        QVERIFY(thread.stop(QDeadlineTimer(10000)));
    }

private:
    MetadataLoader::Options options() const
    {
        MetadataLoader::Options options;
        options.pool = m_pool.get();
        options.exiftool = m_exiftool.get();
        options.cache = m_cache.get();
        options.racyWindow = milliseconds(0); // the fixtures were written a moment ago
        return options;
    }

    QTemporaryDir m_fixtureDir;
    QTemporaryDir m_dbDir;
    int m_dbCounter = 0;
    MetadataFixtures m_fixtures;
    std::unique_ptr<db::DatabaseManager> m_database;
    std::unique_ptr<db::MetadataCache> m_cache;
    std::unique_ptr<concurrency::ThreadPoolManager> m_pool;
    std::unique_ptr<ExifToolPool> m_exiftool;
};

QTEST_GUILESS_MAIN(TestMetadataLoader)
#include "tst_metadataloader.moc"
