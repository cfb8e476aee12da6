// ctest-labels: rename
// ctest-timeout: 60
// The preview worker plans off the GUI thread with what the window already knows: metadata given
// as "known" is used without reading the file, and with reading switched off a file without it
// is flagged missing_data instead of being read. Its result carries the request's generation.

#include "core/concurrency/workerthread.h"
#include "core/files/filescanner.h"
#include "core/rename/previewworker.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace oncutf::core;
using namespace oncutf::core::rename;

namespace {

QList<files::FileEntry> makeFiles(const QTemporaryDir &dir, const QStringList &names)
{
    for (const QString &name : names) {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::WriteOnly))
            qFatal("cannot create %s", qPrintable(file.fileName()));
    }
    return files::FileScanner().scanAll({QFile::encodeName(dir.path())}).entries;
}

Recipe byDate()
{
    Recipe recipe;
    RecipeModule date = RecipeModule::make(ModuleType::Metadata);
    date.field = QStringLiteral("EXIF:DateTimeOriginal");
    date.format = QStringLiteral("%Y%m%d");
    recipe.modules = {date};
    return recipe;
}

PreviewResult run(PreviewWorker *worker)
{
    concurrency::WorkerThread thread(QStringLiteral("test-preview"));
    QSignalSpy ready(worker, &PreviewWorker::planReady);
    QSignalSpy finished(&thread, &concurrency::WorkerThread::workerFinished);
    thread.start(worker);
    if (!finished.wait(20000))
        qFatal("the preview worker did not finish");
    thread.stop(QDeadlineTimer(5000));
    return ready.isEmpty() ? PreviewResult{} : ready.first().first().value<PreviewResult>();
}

} // namespace

class TestPreviewWorker : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void knownMetadataIsUsedWithoutReading()
    {
        QTemporaryDir dir;
        // Plain text files: no reader could find a date in them, so a date proves "known" was used.
        const auto files = makeFiles(dir, {QStringLiteral("a.txt"), QStringLiteral("b.txt")});
        QCOMPARE(files.size(), 2);
        QHash<QByteArray, metadata::MetadataRecord> known;
        metadata::MetadataRecord record;
        record.path = files.first().path;
        record.fields.insert(QStringLiteral("EXIF:DateTimeOriginal"), QStringLiteral("2024:06:12 10:15:00"));
        known.insert(record.path, record);

        RenameInputLoader::Options options; // no pool, no ExifTool: a read would fail, not guess
        options.readMissingMetadata = false;
        const PreviewResult result = run(new PreviewWorker(7, files, byDate(), options, known));
        QCOMPARE(result.generation, quint64(7));
        QCOMPARE(result.plan.items.size(), 2);
        QCOMPARE(result.plan.items.at(0).status, ItemStatus::Ok);
        QCOMPARE(QFile::decodeName(result.plan.items.at(0).newPath).section(QLatin1Char('/'), -1), QStringLiteral("20240612.txt"));
        QCOMPARE(result.plan.items.at(1).status, ItemStatus::MissingData);
        QVERIFY(!result.plan.runnable);
    }

    void plansWithoutMetadataNeedNoReads()
    {
        QTemporaryDir dir;
        const auto files = makeFiles(dir, {QStringLiteral("x.txt"), QStringLiteral("y.txt")});
        Recipe recipe;
        RecipeModule text = RecipeModule::make(ModuleType::Text);
        text.text = QStringLiteral("new_");
        recipe.modules = {text, RecipeModule::make(ModuleType::OriginalName)};
        const PreviewResult result = run(new PreviewWorker(1, files, recipe, {}));
        QCOMPARE(result.plan.summary.ok, 2);
        QVERIFY(result.plan.runnable);
        QVERIFY(result.problems.isEmpty());
    }

    void cancelledBeforeStartEmitsNothing()
    {
        QTemporaryDir dir;
        const auto files = makeFiles(dir, {QStringLiteral("x.txt")});
        auto *worker = new PreviewWorker(3, files, byDate(), {});
        worker->cancel();
        concurrency::WorkerThread thread(QStringLiteral("test-preview"));
        QSignalSpy ready(worker, &PreviewWorker::planReady);
        QSignalSpy finished(&thread, &concurrency::WorkerThread::workerFinished);
        thread.start(worker);
        QVERIFY(finished.wait(20000));
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY(ready.isEmpty()); // a cancelled (stale) plan is never delivered
        thread.stop(QDeadlineTimer(5000));
    }
};

QTEST_MAIN(TestPreviewWorker)
#include "tst_previewworker.moc"
