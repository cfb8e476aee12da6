// Database benchmark (issue #3): store 100k metadata rows and 100k hash rows in batched
// transactions, then look every one of them up by path. Goal: each direction under 1 s.
//
//   build/release/bench/bench_db [--benchmark_format=json]
//
// Each store runs on a fresh database in a temporary folder; each lookup opens the filled database
// anew (an empty SQLite page cache, the file in the OS cache), as when a folder is reopened.

#include "core/db/databasemanager.h"
#include "core/db/filestamp.h"
#include "core/db/hashcache.h"
#include "core/db/metadatacache.h"

#include <QByteArray>
#include <QList>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>

#include <memory>

using namespace oncutf::core::db;

namespace {

constexpr int kRows = 100'000;

QByteArray pathOf(int i)
{
    return QByteArrayLiteral("/home/photographer/Pictures/2024/Crete trip/IMG_") + QByteArray::number(100000 + i)
        + QByteArrayLiteral(".JPG");
}

FileStamp stampOf(int i)
{
    return FileStamp{4'000'000 + i, 1'714'550'400'000'000'000LL + qint64(i) * 1'000'003};
}

// About what the fast reader stores per photo.
QByteArray jsonOf(int i)
{
    return QByteArrayLiteral(R"({"EXIF:Make":"FUJIFILM","EXIF:Model":"X-T5","EXIF:LensModel":"XF16-55mmF2.8 R LM WR",)"
                             R"("EXIF:DateTimeOriginal":"2024:05:01 12:00:)")
        + QByteArray::number(i % 60).rightJustified(2, '0')
        + QByteArrayLiteral(R"(","EXIF:ISO":160,"EXIF:FNumber":5.6,"EXIF:ExposureTime":"1/250","EXIF:FocalLength":"23.0 mm",)"
                            R"("File:FileSize":")")
        + QByteArray::number(4'000'000 + i)
        + QByteArrayLiteral(R"(","File:FileType":"JPEG","File:MIMEType":"image/jpeg","File:ImageWidth":7728,)"
                            R"("File:ImageHeight":5152})");
}

QList<MetadataRecord> metadataRecords()
{
    QList<MetadataRecord> records;
    records.reserve(kRows);
    for (int i = 0; i < kRows; ++i)
        records.append({pathOf(i), MetadataMode::Fast, jsonOf(i), stampOf(i)});
    return records;
}

QList<HashRecord> hashRecords()
{
    QList<HashRecord> records;
    records.reserve(kRows);
    for (int i = 0; i < kRows; ++i)
        records.append({pathOf(i), QStringLiteral("CRC32"), QString::number(quint32(i) * 2654435761U, 16).rightJustified(8, u'0'),
                        stampOf(i)});
    return records;
}

QList<MetadataQuery> metadataQueries()
{
    QList<MetadataQuery> queries;
    queries.reserve(kRows);
    for (int i = 0; i < kRows; ++i)
        queries.append({pathOf(i), stampOf(i)});
    return queries;
}

QList<HashQuery> hashQueries()
{
    QList<HashQuery> queries;
    queries.reserve(kRows);
    for (int i = 0; i < kRows; ++i)
        queries.append({pathOf(i), stampOf(i)});
    return queries;
}

std::unique_ptr<DatabaseManager> openDatabase(const QTemporaryDir &dir)
{
    auto db = std::make_unique<DatabaseManager>(dir.filePath(QStringLiteral("oncutf.db")));
    if (!db->open())
        return nullptr;
    return db;
}

void BM_MetadataStore100k(benchmark::State &state)
{
    const QList<MetadataRecord> records = metadataRecords();
    for (auto _ : state) {
        state.PauseTiming();
        QTemporaryDir dir;
        auto db = openDatabase(dir);
        if (!db) {
            state.SkipWithError("cannot open the database");
            return;
        }
        MetadataCache cache(*db);
        state.ResumeTiming();
        if (!cache.putMany(records)) {
            state.SkipWithError("putMany failed");
            return;
        }
        state.PauseTiming();
        (void)db->close();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * kRows);
}

void BM_MetadataLookup100k(benchmark::State &state)
{
    QTemporaryDir dir;
    {
        auto db = openDatabase(dir);
        if (!db || !MetadataCache(*db).putMany(metadataRecords())) {
            state.SkipWithError("cannot fill the database");
            return;
        }
        (void)db->close();
    }
    const QList<MetadataQuery> queries = metadataQueries();
    for (auto _ : state) {
        state.PauseTiming();
        auto db = openDatabase(dir);
        if (!db) {
            state.SkipWithError("cannot open the database");
            return;
        }
        MetadataCache cache(*db);
        state.ResumeTiming();
        auto hits = cache.getMany(queries);
        if (!hits.ok() || hits->size() != kRows) {
            state.SkipWithError("lookup failed or missed rows");
            return;
        }
        state.PauseTiming();
        (void)db->close();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * kRows);
}

void BM_HashStore100k(benchmark::State &state)
{
    const QList<HashRecord> records = hashRecords();
    for (auto _ : state) {
        state.PauseTiming();
        QTemporaryDir dir;
        auto db = openDatabase(dir);
        if (!db) {
            state.SkipWithError("cannot open the database");
            return;
        }
        HashCache cache(*db);
        state.ResumeTiming();
        if (!cache.putMany(records)) {
            state.SkipWithError("putMany failed");
            return;
        }
        state.PauseTiming();
        (void)db->close();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * kRows);
}

void BM_HashLookup100k(benchmark::State &state)
{
    QTemporaryDir dir;
    {
        auto db = openDatabase(dir);
        if (!db || !HashCache(*db).putMany(hashRecords())) {
            state.SkipWithError("cannot fill the database");
            return;
        }
        (void)db->close();
    }
    const QList<HashQuery> queries = hashQueries();
    for (auto _ : state) {
        state.PauseTiming();
        auto db = openDatabase(dir);
        if (!db) {
            state.SkipWithError("cannot open the database");
            return;
        }
        HashCache cache(*db);
        state.ResumeTiming();
        auto hits = cache.getMany(queries, QStringLiteral("CRC32"));
        if (!hits.ok() || hits->size() != kRows) {
            state.SkipWithError("lookup failed or missed rows");
            return;
        }
        state.PauseTiming();
        (void)db->close();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * kRows);
}

} // namespace

BENCHMARK(BM_MetadataStore100k)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_MetadataLookup100k)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_HashStore100k)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_HashLookup100k)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

BENCHMARK_MAIN();
