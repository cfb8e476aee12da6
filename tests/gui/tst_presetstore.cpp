// ctest-timeout: 60
// Presets on disk: a saved recipe loads back equal (and is a recipe file the CLI reads), broken
// files are refused with the file named, and the recent list keeps the last ten that still exist.

#include "gui/presetstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace oncutf;
using core::rename::ModuleType;
using core::rename::Recipe;
using core::rename::RecipeModule;

namespace {

Recipe sampleRecipe()
{
    Recipe recipe;
    RecipeModule date = RecipeModule::make(ModuleType::Metadata);
    date.field = QStringLiteral("capture_date");
    date.format = QStringLiteral("%Y%m%d");
    date.fallback = QStringLiteral("undated");
    RecipeModule counter = RecipeModule::make(ModuleType::Counter);
    counter.padding = 4;
    counter.scope = core::rename::CounterScope::Global;
    recipe.modules = {date, counter, RecipeModule::make(ModuleType::OriginalName)};
    recipe.finalTransform.caseMode = core::rename::CaseMode::Lower;
    recipe.onConflict = core::rename::ConflictPolicy::Suffix;
    recipe.suffix = QStringLiteral("-{n}");
    return recipe;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class TestPresetStore : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;

    QString path(const QString &name) const { return m_dir->filePath(name); }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_settings = std::make_unique<QSettings>(path(QStringLiteral("settings.ini")), QSettings::IniFormat);
    }

    void cleanup()
    {
        m_settings.reset();
        m_dir.reset();
    }

    void saveThenLoadGivesTheSameRecipe()
    {
        gui::PresetStore store(*m_settings);
        const QString file = path(QStringLiteral("nested/folder/by date.json"));
        const core::Status saved = store.save(sampleRecipe(), file);
        QVERIFY2(saved.ok(), qPrintable(saved.ok() ? QString() : saved.error().toString()));
        QVERIFY(QFileInfo::exists(file));

        const auto loaded = store.load(file);
        QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().toString()));
        QCOMPARE(*loaded, sampleRecipe());

        // The file is the recipe format itself, so `oncutf-cli --recipe` takes a preset as is.
        QFile raw(file);
        QVERIFY(raw.open(QIODevice::ReadOnly));
        QCOMPARE(raw.readAll(), sampleRecipe().toJson());
        // Saving and loading both make it recent.
        QCOMPARE(store.recentPresets(), QStringList{file});
    }

    void savingAgainReplacesTheFileAndLeavesNoTemporary()
    {
        gui::PresetStore store(*m_settings);
        const QString file = path(QStringLiteral("p.json"));
        QVERIFY(store.save(sampleRecipe(), file).ok());
        Recipe other = sampleRecipe();
        other.modules.removeFirst();
        QVERIFY(store.save(other, file).ok());
        QCOMPARE(*store.load(file), other);
        QStringList entries = QDir(m_dir->path()).entryList(QDir::Files | QDir::Hidden);
        entries.removeAll(QStringLiteral("settings.ini"));
        QCOMPARE(entries, QStringList{QStringLiteral("p.json")});
    }

    void anInvalidRecipeIsNotSaved()
    {
        gui::PresetStore store(*m_settings);
        const QString file = path(QStringLiteral("empty.json"));
        const core::Status saved = store.save(Recipe{}, file);
        QVERIFY(!saved.ok());
        QCOMPARE(saved.error().path, file);
        QVERIFY(saved.error().message.contains(QLatin1String("modules: expected at least one module")));
        QVERIFY(!QFileInfo::exists(file));
        QVERIFY(store.recentPresets().isEmpty());
    }

    void brokenFilesAreRefusedNamingTheFile_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("reason");
        QTest::newRow("not json") << QByteArray("{\"modules\": [") << QStringLiteral("not valid JSON");
        QTest::newRow("not an object") << QByteArray("[1, 2]") << QStringLiteral("a recipe is a JSON object");
        QTest::newRow("unknown key") << QByteArray(R"({"modules": [{"type": "text", "text": "a", "txet": "b"}]})")
                                     << QStringLiteral("modules[0].txet: unknown key");
        QTest::newRow("bad value") << QByteArray(R"({"modules": [{"type": "counter", "padding": 40}]})")
                                   << QStringLiteral("modules[0].padding: expected a number from 1 to 12");
        QTest::newRow("empty file") << QByteArray() << QStringLiteral("not valid JSON");
    }

    void brokenFilesAreRefusedNamingTheFile()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, reason);
        gui::PresetStore store(*m_settings);
        const QString file = path(QStringLiteral("broken.json"));
        QVERIFY(writeFile(file, content));
        const auto loaded = store.load(file);
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().path, file);
        QVERIFY2(loaded.error().message.contains(reason), qPrintable(loaded.error().message));
        QVERIFY(loaded.error().toString().startsWith(file + QStringLiteral(": ")));
        QVERIFY(store.recentPresets().isEmpty()); // a file that failed is not offered again
    }

    void aMissingFileIsNotFound()
    {
        gui::PresetStore store(*m_settings);
        const QString file = path(QStringLiteral("gone.json"));
        const auto loaded = store.load(file);
        QVERIFY(!loaded.ok());
        QCOMPARE(loaded.error().code, core::ErrorCode::NotFound);
        QCOMPARE(loaded.error().path, file);
    }

    void recentListOrderLimitAndMissingFiles()
    {
        QStringList files;
        {
            gui::PresetStore store(*m_settings);
            for (int i = 0; i < 12; ++i) {
                files << path(QStringLiteral("preset%1.json").arg(i));
                QVERIFY(writeFile(files.last(), "{}"));
                store.addRecent(files.last());
            }
            QStringList expected;
            for (int i = 11; i >= 2; --i)
                expected << files.at(i);
            QCOMPARE(store.recentPresets(), expected); // newest first, at most ten

            // Using an older one again moves it to the front, once.
            store.addRecent(files.at(5));
            QCOMPARE(store.recentPresets().first(), files.at(5));
            QCOMPARE(store.recentPresets().count(files.at(5)), 1);
            QCOMPARE(store.recentPresets().size(), 10);

            // A relative spelling of the same file is the same entry.
            const QString before = QDir::currentPath();
            QVERIFY(QDir::setCurrent(m_dir->path()));
            store.addRecent(QStringLiteral("./preset7.json"));
            QVERIFY(QDir::setCurrent(before));
            QCOMPARE(store.recentPresets().first(), files.at(7));
            QCOMPARE(store.recentPresets().count(files.at(7)), 1);

            // A file deleted since is dropped.
            QVERIFY(QFile::remove(files.at(9)));
            QVERIFY(!store.recentPresets().contains(files.at(9)));
            QCOMPARE(store.recentPresets().size(), 9);
        }
        // Stored in the settings under presets/recent, so the next start sees the same list.
        m_settings->sync();
        QSettings reopened(path(QStringLiteral("settings.ini")), QSettings::IniFormat);
        QVERIFY(reopened.contains(QStringLiteral("presets/recent")));
        gui::PresetStore again(reopened);
        QCOMPARE(again.recentPresets().first(), files.at(7));
        QCOMPARE(again.recentPresets().size(), 9);
    }

    void defaultFolderIsCreatedUnderAppData()
    {
        const QString folder = gui::PresetStore::defaultFolder();
        QVERIFY(folder.endsWith(QLatin1String("/presets")));
        QVERIFY(folder.startsWith(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));
        QVERIFY(QFileInfo(folder).isDir());
    }
};

QTEST_GUILESS_MAIN(TestPresetStore)
#include "tst_presetstore.moc"
