// ctest-timeout: 60
// The recipe editor as a user drives it: every module type's form gives the module a recipe file
// would, a recipe with every key survives setRecipe() -> recipe(), every edit is announced, the
// stack can be added to, reordered, toggled and emptied, and a broken recipe says why.

#include "gui/recipeeditor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

using namespace oncutf;
using core::rename::ConflictPolicy;
using core::rename::CounterScope;
using core::rename::ModuleType;
using core::rename::Recipe;
using core::rename::RecipeModule;

namespace {

Recipe parse(const QByteArray &json)
{
    auto recipe = Recipe::fromJson(json);
    if (!recipe)
        qFatal("bad recipe in the test: %s", qPrintable(recipe.error().message));
    return *recipe;
}

RecipeModule parseModule(const QByteArray &moduleJson)
{
    return parse("{\"modules\": [" + moduleJson + "]}").modules.first();
}

template <typename T>
T *child(QWidget *scope, const QString &name)
{
    auto *w = scope ? scope->findChild<T *>(name) : nullptr;
    if (!w)
        qWarning("no %s named %s", T::staticMetaObject.className(), qPrintable(name));
    return w;
}

} // namespace

class TestRecipeEditor : public QObject {
    Q_OBJECT

private:
    // Sets one widget the way a user would: typing into line edits, spin boxes and editable
    // combos, Space on check boxes, picking a combo entry by its visible text.
    static bool edit(QWidget *form, const QString &name, const QString &value)
    {
        QWidget *w = form->findChild<QWidget *>(name);
        if (!w || !w->isEnabled()) {
            qWarning("widget %s missing or disabled", qPrintable(name));
            return false;
        }
        w->setFocus();
        if (auto *line = qobject_cast<QLineEdit *>(w)) {
            line->selectAll();
            QTest::keyClick(line, Qt::Key_Backspace);
            QTest::keyClicks(line, value);
            return line->text() == value;
        }
        if (auto *spin = qobject_cast<QSpinBox *>(w)) {
            spin->selectAll();
            QTest::keyClicks(spin, value);
            return spin->value() == value.toInt();
        }
        if (auto *box = qobject_cast<QCheckBox *>(w)) {
            const bool wanted = value == QLatin1String("true");
            if (box->isChecked() != wanted)
                QTest::keyClick(box, Qt::Key_Space);
            return box->isChecked() == wanted;
        }
        if (auto *combo = qobject_cast<QComboBox *>(w)) {
            if (combo->isEditable()) {
                combo->lineEdit()->selectAll();
                QTest::keyClick(combo->lineEdit(), Qt::Key_Backspace);
                QTest::keyClicks(combo->lineEdit(), value);
                return combo->currentText() == value;
            }
            const int index = combo->findText(value);
            combo->setCurrentIndex(index);
            return index >= 0;
        }
        qWarning("cannot edit %s", qPrintable(name));
        return false;
    }

    static void addModule(gui::RecipeEditor &editor, ModuleType type)
    {
        auto *types = editor.findChild<QComboBox *>(QStringLiteral("addModuleType"));
        QVERIFY(types);
        types->setCurrentIndex(types->findData(int(type)));
        QTest::mouseClick(editor.findChild<QPushButton *>(QStringLiteral("addModuleButton")), Qt::LeftButton);
    }

    static QString summary(gui::RecipeEditor &editor, int row)
    {
        auto *list = editor.findChild<QListWidget *>(QStringLiteral("moduleList"));
        return list && list->item(row) ? list->item(row)->text() : QString();
    }

    static QPushButton *pushButton(gui::RecipeEditor &editor, const char *name)
    {
        return editor.findChild<QPushButton *>(QLatin1String(name));
    }

private Q_SLOTS:
    void newEditorHoldsOneOriginalName()
    {
        gui::RecipeEditor editor;
        Recipe expected;
        expected.modules = {RecipeModule::make(ModuleType::OriginalName)};
        QCOMPARE(editor.recipe(), expected);
        QCOMPARE(editor.validationError(), QString());
        QCOMPARE(editor.moduleCount(), 1);
        QCOMPARE(summary(editor, 0), QStringLiteral("1. Original name"));
        QVERIFY(!editor.askOnConflict());
    }

    void eachModuleForm_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QStringList>("edits");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<QString>("expectedSummary");

        QTest::newRow("original_name off") << int(ModuleType::OriginalName) << QStringList{"enabled=false"}
                                           << QByteArray(R"({"type": "original_name", "enabled": false})")
                                           << QStringLiteral("2. Original name (off)");
        QTest::newRow("text") << int(ModuleType::Text) << QStringList{"text=_holiday_"}
                              << QByteArray(R"({"type": "text", "text": "_holiday_"})")
                              << QStringLiteral("2. Text \"_holiday_\"");
        QTest::newRow("counter per folder")
            << int(ModuleType::Counter) << QStringList{"start=7", "step=5", "padding=4"}
            << QByteArray(R"({"type": "counter", "start": 7, "step": 5, "padding": 4, "scope": "per_folder"})")
            << QStringLiteral("2. Counter 0007, step 5, per folder");
        QTest::newRow("counter per group")
            << int(ModuleType::Counter) << QStringList{"start=0", "scope=Per group", "groupBy=EXIF:Model"}
            << QByteArray(R"({"type": "counter", "start": 0, "scope": "per_group", "group_by": "EXIF:Model"})")
            << QStringLiteral("2. Counter 000, step 1, per EXIF:Model");
        QTest::newRow("counter global") << int(ModuleType::Counter) << QStringList{"scope=Global", "padding=12"}
                                        << QByteArray(R"({"type": "counter", "padding": 12, "scope": "global"})")
                                        << QStringLiteral("2. Counter 000000000001, step 1, global");
        QTest::newRow("metadata date with fallback")
            << int(ModuleType::Metadata)
            << QStringList{"field=capture_date", "format=%Y-%m-%d", "hasFallback=true", "fallback=undated"}
            << QByteArray(R"({"type": "metadata", "field": "capture_date", "format": "%Y-%m-%d", "fallback": "undated"})")
            << QStringLiteral("2. Metadata capture_date as %Y-%m-%d, else \"undated\"");
        QTest::newRow("metadata empty fallback")
            << int(ModuleType::Metadata) << QStringList{"field=EXIF:Model", "hasFallback=true"}
            << QByteArray(R"({"type": "metadata", "field": "EXIF:Model", "fallback": ""})")
            << QStringLiteral("2. Metadata EXIF:Model, else \"\"");
        QTest::newRow("metadata fallback unticked")
            << int(ModuleType::Metadata)
            << QStringList{"field=Model", "hasFallback=true", "fallback=x", "hasFallback=false"}
            << QByteArray(R"({"type": "metadata", "field": "Model"})") << QStringLiteral("2. Metadata Model");
        QTest::newRow("text_removal")
            << int(ModuleType::TextRemoval) << QStringList{"text=IMG_", "position=At the start", "caseSensitive=true"}
            << QByteArray(R"({"type": "text_removal", "text": "IMG_", "position": "start", "case_sensitive": true})")
            << QStringLiteral("2. Remove \"IMG_\", at the start, case-sensitive");
        QTest::newRow("text_removal defaults")
            << int(ModuleType::TextRemoval) << QStringList{"text=-copy"}
            << QByteArray(R"({"type": "text_removal", "text": "-copy"})")
            << QStringLiteral("2. Remove \"-copy\", at the end");
        QTest::newRow("replace regex")
            << int(ModuleType::Replace)
            << QStringList{"find=(\\d+)_", "replace=n$1", "regex=true", "caseSensitive=false"}
            << QByteArray(R"({"type": "replace", "find": "(\\d+)_", "replace": "n$1", "regex": true, "case_sensitive": false})")
            << QStringLiteral("2. Replace \"(\\d+)_\" with \"n$1\" (regex), any case");
        QTest::newRow("replace plain") << int(ModuleType::Replace) << QStringList{"find= "}
                                       << QByteArray(R"({"type": "replace", "find": " ", "replace": ""})")
                                       << QStringLiteral("2. Replace \" \" with \"\"");
        QTest::newRow("hash") << int(ModuleType::Hash) << QStringList{} << QByteArray(R"({"type": "hash"})")
                              << QStringLiteral("2. CRC32 hash");
        QTest::newRow("substring to end") << int(ModuleType::Substring) << QStringList{"from=4"}
                                          << QByteArray(R"({"type": "substring", "from": 4})")
                                          << QStringLiteral("2. Characters 4 to the end");
        QTest::newRow("substring range") << int(ModuleType::Substring) << QStringList{"from=2", "hasTo=true", "to=8"}
                                         << QByteArray(R"({"type": "substring", "from": 2, "to": 8})")
                                         << QStringLiteral("2. Characters 2 to 8");
    }

    void eachModuleForm()
    {
        QFETCH(int, type);
        QFETCH(QStringList, edits);
        QFETCH(QByteArray, expected);
        QFETCH(QString, expectedSummary);

        gui::RecipeEditor editor;
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QSignalSpy changed(&editor, &gui::RecipeEditor::recipeChanged);

        addModule(editor, ModuleType(type));
        QCOMPARE(editor.moduleCount(), 2);
        QCOMPARE(editor.currentModuleIndex(), 1);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(editor.recipe().modules.at(1), RecipeModule::make(ModuleType(type)));
        QWidget *form = editor.moduleForm(1);
        QVERIFY(form);
        QVERIFY(form->isVisible()); // the selected module's form is the one on screen

        for (const QString &e : std::as_const(edits)) {
            const qsizetype eq = e.indexOf(QLatin1Char('='));
            const int before = int(changed.count());
            QVERIFY2(edit(form, e.left(eq), e.mid(eq + 1)), qPrintable(e));
            QVERIFY2(changed.count() > before, qPrintable(e));
        }

        const Recipe recipe = editor.recipe();
        QCOMPARE(recipe.modules.size(), 2);
        QCOMPARE(recipe.modules.at(0), RecipeModule::make(ModuleType::OriginalName));
        const RecipeModule wanted = parseModule(expected);
        QCOMPARE(recipe.modules.at(1), wanted);
        QCOMPARE(editor.validationError(), QString());
        QCOMPARE(summary(editor, 1), expectedSummary);
    }

    void everyKeySurvivesARoundTrip_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("every key") << QByteArray(R"({
            "modules": [
              {"type": "original_name", "enabled": false},
              {"type": "text", "text": "_x_"},
              {"type": "counter", "start": 7, "step": 3, "padding": 5, "scope": "per_group", "group_by": "capture_date"},
              {"type": "metadata", "field": "EXIF:Model", "format": "%Y", "fallback": "none"},
              {"type": "text_removal", "text": "IMG", "position": "first", "case_sensitive": true},
              {"type": "replace", "find": "(\\d+)_", "replace": "n$1", "regex": true, "case_sensitive": false},
              {"type": "hash", "enabled": false},
              {"type": "substring", "from": 2, "to": 6}
            ],
            "final_transform": {"greeklish": true, "case": "title", "separator": "kebab", "strip_diacritics": true},
            "sort": "capture_date", "sort_reverse": true, "on_conflict": "suffix",
            "companions": false, "windows_safe": true, "suffix": "-{n}"})");
        QTest::newRow("optional keys absent") << QByteArray(R"({
            "modules": [
              {"type": "metadata", "field": "file:mtime"},
              {"type": "counter", "start": 999999999, "step": 1000000, "padding": 1, "scope": "per_extension"},
              {"type": "substring", "from": 100000},
              {"type": "text_removal", "text": "a", "position": "all"}
            ],
            "final_transform": {"case": "upper", "separator": "space"},
            "sort": "natural", "on_conflict": "overwrite"})");
        QTest::newRow("defaults") << QByteArray(R"({"modules": [{"type": "original_name"}], "on_conflict": "skip"})");
    }

    void everyKeySurvivesARoundTrip()
    {
        QFETCH(QByteArray, json);
        const Recipe original = parse(json);

        gui::RecipeEditor editor;
        QSignalSpy changed(&editor, &gui::RecipeEditor::recipeChanged);
        editor.setRecipe(original);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(editor.moduleCount(), int(original.modules.size()));
        QCOMPARE(editor.recipe(), original);
        QCOMPARE(editor.recipe().toJson(), original.toJson());
        QCOMPARE(editor.validationError(), QString());
        QVERIFY(!editor.askOnConflict());

        // And the widgets show it.
        for (int i = 0; i < original.modules.size(); ++i)
            QCOMPARE(child<QCheckBox>(editor.moduleForm(i), QStringLiteral("enabled"))->isChecked(),
                     original.modules.at(i).enabled);
        QCOMPARE(child<QLineEdit>(&editor, QStringLiteral("suffix"))->text(), original.suffix);
    }

    void widgetsShowTheLoadedValues()
    {
        gui::RecipeEditor editor;
        editor.setRecipe(parse(R"({"modules": [
            {"type": "counter", "start": 12, "step": 2, "padding": 6, "scope": "per_group", "group_by": "EXIF:Model"},
            {"type": "metadata", "field": "capture_date", "format": "%y", "fallback": "nodate"},
            {"type": "substring", "from": 1}]})"));
        QWidget *counter = editor.moduleForm(0);
        QCOMPARE(child<QSpinBox>(counter, QStringLiteral("start"))->value(), 12);
        QCOMPARE(child<QSpinBox>(counter, QStringLiteral("padding"))->value(), 6);
        QCOMPARE(child<QComboBox>(counter, QStringLiteral("scope"))->currentText(), QStringLiteral("Per group"));
        QCOMPARE(child<QComboBox>(counter, QStringLiteral("groupBy"))->currentText(), QStringLiteral("EXIF:Model"));
        QVERIFY(child<QComboBox>(counter, QStringLiteral("groupBy"))->isEnabled());
        QWidget *metadata = editor.moduleForm(1);
        QCOMPARE(child<QComboBox>(metadata, QStringLiteral("field"))->currentText(), QStringLiteral("capture_date"));
        QCOMPARE(child<QLineEdit>(metadata, QStringLiteral("fallback"))->text(), QStringLiteral("nodate"));
        QVERIFY(child<QCheckBox>(metadata, QStringLiteral("hasFallback"))->isChecked());
        QWidget *substring = editor.moduleForm(2);
        QVERIFY(!child<QCheckBox>(substring, QStringLiteral("hasTo"))->isChecked());
        QVERIFY(!child<QSpinBox>(substring, QStringLiteral("to"))->isEnabled());
        QVERIFY(!editor.moduleForm(3));
    }

    void changingScopeAwayFromPerGroupDropsGroupBy()
    {
        gui::RecipeEditor editor;
        editor.setRecipe(parse(R"({"modules": [
            {"type": "counter", "scope": "per_group", "group_by": "EXIF:Model"}]})"));
        QWidget *form = editor.moduleForm(0);
        QVERIFY(edit(form, QStringLiteral("scope"), QStringLiteral("Per folder")));
        QVERIFY(!child<QComboBox>(form, QStringLiteral("groupBy"))->isEnabled());
        QCOMPARE(editor.recipe().modules.first().groupBy, QString());
        QCOMPARE(editor.validationError(), QString());
        // Back to per group: the field typed earlier is still there.
        QVERIFY(edit(form, QStringLiteral("scope"), QStringLiteral("Per group")));
        QCOMPARE(editor.recipe().modules.first().groupBy, QStringLiteral("EXIF:Model"));
    }

    void everyEditIsAnnounced()
    {
        gui::RecipeEditor editor;
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setRecipe(parse(R"({"modules": [{"type": "text", "text": "a"}]})"));
        QSignalSpy changed(&editor, &gui::RecipeEditor::recipeChanged);

        // Typing: one signal per keystroke, so the preview can follow (it debounces).
        auto *text = child<QLineEdit>(editor.moduleForm(0), QStringLiteral("text"));
        text->setFocus();
        text->end(false);
        QTest::keyClicks(text, QStringLiteral("bc"));
        QCOMPARE(changed.count(), 2);
        QCOMPARE(editor.recipe().modules.first().text, QStringLiteral("abc"));

        const QList<QPair<QString, QString>> edits = {
            {QStringLiteral("enabled"), QStringLiteral("false")},
            {QStringLiteral("greeklish"), QStringLiteral("true")},
            {QStringLiteral("stripDiacritics"), QStringLiteral("true")},
            {QStringLiteral("caseMode"), QStringLiteral("lower case")},
            {QStringLiteral("separator"), QStringLiteral("snake_case")},
            {QStringLiteral("sort"), QStringLiteral("Size")},
            {QStringLiteral("sortReverse"), QStringLiteral("true")},
            {QStringLiteral("onConflict"), QStringLiteral("Skip")},
            {QStringLiteral("companions"), QStringLiteral("false")},
            {QStringLiteral("windowsSafe"), QStringLiteral("true")},
            {QStringLiteral("suffix"), QStringLiteral("({n})")},
        };
        for (const auto &[name, value] : edits) {
            const int before = int(changed.count());
            QVERIFY2(edit(&editor, name, value), qPrintable(name));
            QVERIFY2(changed.count() > before, qPrintable(name));
        }
        const Recipe r = editor.recipe();
        QVERIFY(!r.modules.first().enabled);
        QVERIFY(r.finalTransform.greeklish);
        QVERIFY(r.finalTransform.stripDiacritics);
        QCOMPARE(r.finalTransform.caseMode, core::rename::CaseMode::Lower);
        QCOMPARE(r.finalTransform.separator, core::rename::SeparatorMode::Snake);
        QCOMPARE(r.sort, core::rename::SortKey::Size);
        QVERIFY(r.sortReverse);
        QCOMPARE(r.onConflict, ConflictPolicy::Skip);
        QVERIFY(!r.companions);
        QVERIFY(r.windowsSafe);
        QCOMPARE(r.suffix, QStringLiteral("({n})"));

        // Selecting another module is not an edit.
        editor.setRecipe(parse(R"({"modules": [{"type": "text", "text": "a"}, {"type": "hash"}]})"));
        changed.clear();
        editor.setCurrentModuleIndex(1);
        QCOMPARE(changed.count(), 0);
        editor.setMetadataFieldSuggestions({QStringLiteral("EXIF:Model")});
        QCOMPARE(changed.count(), 0);
    }

    void addRemoveMoveAndToggle()
    {
        gui::RecipeEditor editor;
        editor.show();
        editor.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&editor)); // shortcuts need the focus
        QSignalSpy changed(&editor, &gui::RecipeEditor::recipeChanged);
        auto *up = pushButton(editor, "moveUpButton");
        auto *down = pushButton(editor, "moveDownButton");
        auto *remove = pushButton(editor, "removeModuleButton");
        auto *list = editor.findChild<QListWidget *>(QStringLiteral("moduleList"));
        const auto types = [&editor] {
            QList<ModuleType> out;
            for (const RecipeModule &m : editor.recipe().modules)
                out.append(m.type);
            return out;
        };

        addModule(editor, ModuleType::Text);
        addModule(editor, ModuleType::Counter);
        QCOMPARE(types(), (QList<ModuleType>{ModuleType::OriginalName, ModuleType::Text, ModuleType::Counter}));
        QCOMPARE(changed.count(), 2);
        QVERIFY(!down->isEnabled()); // the new counter is selected and last
        QVERIFY(up->isEnabled());

        QTest::mouseClick(up, Qt::LeftButton);
        QCOMPARE(types(), (QList<ModuleType>{ModuleType::OriginalName, ModuleType::Counter, ModuleType::Text}));
        QCOMPARE(editor.currentModuleIndex(), 1);
        QCOMPARE(summary(editor, 1), QStringLiteral("2. Counter 001, step 1, per folder"));
        QCOMPARE(changed.count(), 3);

        // The moved module keeps its form and values.
        QVERIFY(edit(editor.moduleForm(2), QStringLiteral("text"), QStringLiteral("_")));
        QCOMPARE(editor.recipe().modules.at(2).text, QStringLiteral("_"));

        // Keyboard: Alt+Up / Alt+Down on the list, Delete removes.
        list->setFocus();
        editor.setCurrentModuleIndex(2);
        QTest::keyClick(list, Qt::Key_Up, Qt::AltModifier);
        QCOMPARE(types(), (QList<ModuleType>{ModuleType::OriginalName, ModuleType::Text, ModuleType::Counter}));
        QCOMPARE(editor.currentModuleIndex(), 1);
        QTest::keyClick(list, Qt::Key_Down, Qt::AltModifier);
        QCOMPARE(types(), (QList<ModuleType>{ModuleType::OriginalName, ModuleType::Counter, ModuleType::Text}));

        editor.setCurrentModuleIndex(0);
        QVERIFY(!up->isEnabled());
        QTest::mouseClick(down, Qt::LeftButton);
        QCOMPARE(types(), (QList<ModuleType>{ModuleType::Counter, ModuleType::OriginalName, ModuleType::Text}));

        // Toggle: the module stays, marked off.
        auto *enabled = child<QCheckBox>(editor.moduleForm(1), QStringLiteral("enabled"));
        QTest::mouseClick(enabled, Qt::LeftButton);
        QVERIFY(!editor.recipe().modules.at(1).enabled);
        QCOMPARE(summary(editor, 1), QStringLiteral("2. Original name (off)"));
        QTest::mouseClick(enabled, Qt::LeftButton);
        QVERIFY(editor.recipe().modules.at(1).enabled);

        editor.setCurrentModuleIndex(1);
        changed.clear();
        QTest::mouseClick(remove, Qt::LeftButton);
        QCOMPARE(types(), (QList<ModuleType>{ModuleType::Counter, ModuleType::Text}));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(editor.currentModuleIndex(), 1);
        QCOMPARE(summary(editor, 1), QStringLiteral("2. Text \"_\""));

        list->setFocus();
        QTest::keyClick(list, Qt::Key_Delete);
        QTest::mouseClick(remove, Qt::LeftButton);
        QCOMPARE(editor.moduleCount(), 0);
        QVERIFY(!remove->isEnabled());
        QVERIFY(!up->isEnabled() && !down->isEnabled());
        QCOMPARE(editor.validationError(), QStringLiteral("modules: expected at least one module"));
        auto *label = child<QLabel>(&editor, QStringLiteral("validationLabel"));
        QVERIFY(label->isVisible());
        QCOMPARE(label->text(), editor.validationError());

        addModule(editor, ModuleType::OriginalName);
        QCOMPARE(editor.validationError(), QString());
        QVERIFY(!label->isVisible());
    }

    void invalidStatesSayWhy_data()
    {
        QTest::addColumn<QByteArray>("module");
        QTest::addColumn<QStringList>("edits");
        QTest::addColumn<QString>("error");
        QTest::addColumn<QStringList>("fix");

        QTest::newRow("text_removal without text")
            << QByteArray(R"({"type": "text_removal", "text": "x"})") << QStringList{"text="}
            << QStringLiteral("modules[0].text: expected the text to remove") << QStringList{"text=y"};
        QTest::newRow("replace without find") << QByteArray(R"({"type": "replace", "find": "x"})")
                                              << QStringList{"find="}
                                              << QStringLiteral("modules[0].find: expected the text or expression to find")
                                              << QStringList{"find=a"};
        // Not a raw string: moc loses the class when a raw string holds "( .
        QTest::newRow("bad regex") << QByteArray("{\"type\": \"replace\", \"find\": \"(a\"}") << QStringList{"regex=true"}
                                   << QStringLiteral("modules[0].find: invalid regular") << QStringList{"regex=false"};
        QTest::newRow("per_group without field")
            << QByteArray(R"({"type": "counter"})") << QStringList{"scope=Per group"}
            << QStringLiteral("modules[0].group_by: required with scope per_group") << QStringList{"groupBy=capture_date"};
        QTest::newRow("metadata without field")
            << QByteArray(R"({"type": "metadata", "field": "x"})") << QStringList{"field="}
            << QStringLiteral("modules[0].field: expected a field name") << QStringList{"field=EXIF:Model"};
        QTest::newRow("format with slash")
            << QByteArray(R"({"type": "metadata", "field": "capture_date"})") << QStringList{"format=%Y/%m"}
            << QStringLiteral("modules[0].format: a file name cannot contain '/'") << QStringList{"format=%Y-%m"};
        QTest::newRow("substring to before from")
            << QByteArray(R"({"type": "substring", "from": 5})") << QStringList{"hasTo=true", "to=3"}
            << QStringLiteral("modules[0].to: must not be less than from (5)") << QStringList{"to=9"};
        QTest::newRow("suffix without {n}") << QByteArray(R"({"type": "original_name"})") << QStringList{"suffix=_copy"}
                                            << QStringLiteral("suffix: must contain {n}") << QStringList{"suffix=_copy{n}"};
    }

    void invalidStatesSayWhy()
    {
        QFETCH(QByteArray, module);
        QFETCH(QStringList, edits);
        QFETCH(QString, error);
        QFETCH(QStringList, fix);

        gui::RecipeEditor editor;
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setRecipe(parse("{\"modules\": [" + module + "]}"));
        auto *label = child<QLabel>(&editor, QStringLiteral("validationLabel"));
        QVERIFY(!label->isVisible());
        const auto apply = [&editor](const QStringList &list) {
            for (const QString &e : list) {
                const qsizetype eq = e.indexOf(QLatin1Char('='));
                const QString name = e.left(eq);
                QWidget *scope = name == QLatin1String("suffix") ? static_cast<QWidget *>(&editor) : editor.moduleForm(0);
                if (!edit(scope, name, e.mid(eq + 1)))
                    return false;
            }
            return true;
        };
        QVERIFY(apply(edits));
        QVERIFY2(editor.validationError().startsWith(error), qPrintable(editor.validationError()));
        QVERIFY(!editor.recipe().validate().ok());
        QVERIFY(label->isVisible());
        QCOMPARE(label->text(), editor.validationError());

        QVERIFY(apply(fix));
        QCOMPARE(editor.validationError(), QString());
        QVERIFY(editor.recipe().validate().ok());
        QVERIFY(!label->isVisible());
    }

    void spinRangesMatchTheRecipeLimits()
    {
        gui::RecipeEditor editor;
        editor.setRecipe(parse(R"({"modules": [{"type": "counter"}, {"type": "substring"}]})"));
        const auto range = [](QWidget *form, const char *name) {
            auto *spin = child<QSpinBox>(form, QLatin1String(name));
            return qMakePair(spin->minimum(), spin->maximum());
        };
        QCOMPARE(range(editor.moduleForm(0), "start"), qMakePair(0, 999999999));
        QCOMPARE(range(editor.moduleForm(0), "step"), qMakePair(1, 1000000));
        QCOMPARE(range(editor.moduleForm(0), "padding"), qMakePair(1, 12));
        QCOMPARE(range(editor.moduleForm(1), "from"), qMakePair(0, 100000));
        QCOMPARE(range(editor.moduleForm(1), "to"), qMakePair(0, 100000));

        // Typing past the limit cannot produce a recipe the engine would refuse.
        auto *padding = child<QSpinBox>(editor.moduleForm(0), QStringLiteral("padding"));
        padding->selectAll();
        QTest::keyClicks(padding, QStringLiteral("13"));
        QVERIFY(padding->value() <= 12);
        QCOMPARE(editor.validationError(), QString());
    }

    void askIsAGuiOnlyPolicy()
    {
        gui::RecipeEditor editor;
        QSignalSpy changed(&editor, &gui::RecipeEditor::recipeChanged);
        auto *policy = child<QComboBox>(&editor, QStringLiteral("onConflict"));
        QStringList items;
        for (int i = 0; i < policy->count(); ++i)
            items << policy->itemText(i);
        QCOMPARE(items, (QStringList{"Fail", "Skip", "Suffix", "Overwrite", "Ask"}));

        QVERIFY(edit(&editor, QStringLiteral("onConflict"), QStringLiteral("Ask")));
        QVERIFY(editor.askOnConflict());
        QCOMPARE(editor.recipe().onConflict, ConflictPolicy::Fail);
        QCOMPARE(changed.count(), 1);

        editor.setAskOnConflict(false);
        QVERIFY(!editor.askOnConflict());
        QCOMPARE(policy->currentText(), QStringLiteral("Fail"));
        editor.setAskOnConflict(true);
        QCOMPARE(policy->currentText(), QStringLiteral("Ask"));

        // A loaded recipe brings its own policy.
        Recipe suffix = editor.recipe();
        suffix.onConflict = ConflictPolicy::Suffix;
        editor.setRecipe(suffix);
        QVERIFY(!editor.askOnConflict());
        QCOMPARE(editor.recipe().onConflict, ConflictPolicy::Suffix);
    }

    void metadataSuggestionsFillTheFieldCombos()
    {
        gui::RecipeEditor editor;
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setRecipe(parse(R"({"modules": [
            {"type": "metadata", "field": "XMP:Title"},
            {"type": "counter", "scope": "per_group", "group_by": "EXIF:Make"}]})"));
        editor.setMetadataFieldSuggestions({QStringLiteral("EXIF:Model"), QStringLiteral("EXIF:Make")});
        auto *field = child<QComboBox>(editor.moduleForm(0), QStringLiteral("field"));
        auto *groupBy = child<QComboBox>(editor.moduleForm(1), QStringLiteral("groupBy"));
        QVERIFY(field->isEditable());
        QVERIFY(field->findText(QStringLiteral("EXIF:Model")) >= 0);
        QVERIFY(field->findText(QStringLiteral("capture_date")) >= 0);
        QVERIFY(field->findText(QStringLiteral("file:mtime")) >= 0);
        QVERIFY(groupBy->findText(QStringLiteral("EXIF:Model")) >= 0);
        // What the user had typed stays.
        QCOMPARE(field->currentText(), QStringLiteral("XMP:Title"));
        QCOMPARE(groupBy->currentText(), QStringLiteral("EXIF:Make"));

        // Modules added later get them too; picking one is an edit.
        addModule(editor, ModuleType::Metadata);
        auto *added = child<QComboBox>(editor.moduleForm(2), QStringLiteral("field"));
        QVERIFY(added->findText(QStringLiteral("EXIF:Make")) >= 0);
        QSignalSpy changed(&editor, &gui::RecipeEditor::recipeChanged);
        added->setCurrentIndex(added->findText(QStringLiteral("EXIF:Make")));
        QVERIFY(changed.count() >= 1);
        QCOMPARE(editor.recipe().modules.at(2).field, QStringLiteral("EXIF:Make"));
    }

    void everyModuleTypeCanBeAdded()
    {
        gui::RecipeEditor editor;
        auto *types = child<QComboBox>(&editor, QStringLiteral("addModuleType"));
        QCOMPARE(types->count(), 8);
        for (int i = 0; i < types->count(); ++i) {
            QCOMPARE(types->itemData(i).toInt(), i); // ModuleType order
            QVERIFY(!types->itemText(i).contains(QLatin1Char('_'))); // readable, not the JSON name
        }
    }
};

QTEST_MAIN(TestRecipeEditor)
#include "tst_recipeeditor.moc"
