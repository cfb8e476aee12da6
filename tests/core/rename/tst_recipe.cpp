// The recipe format shared by the CLI, GUI presets and history: the issue's example parses,
// every key round-trips, every mistake is reported with the key that holds it, and the
// --template shorthand compiles to the same modules.

#include "core/rename/recipe.h"
#include "core/rename/templatecompiler.h"

#include <QTest>

using namespace oncutf::core::rename;

namespace {

// JSON written with single quotes, so that the tables stay readable (and free of raw strings,
// which moc's tokenizer does not understand).
QByteArray j(const char *singleQuoted)
{
    return QByteArray(singleQuoted).replace('\'', '"');
}

} // namespace

class TestRecipe final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void issueExampleParses()
    {
        const QByteArray json = j("{ "
            "'modules': [ "
            "{'type': 'metadata', 'field': 'EXIF:DateTimeOriginal', 'format': '%Y%m%d_%H%M%S'}, "
            "{'type': 'text', 'text': '_'}, "
            "{'type': 'counter', 'start': 1, 'step': 1, 'padding': 3, 'scope': 'per_folder'}, "
            "{'type': 'text', 'text': '_'}, "
            "{'type': 'original_name'} "
            "], "
            "'final_transform': {'greeklish': false, 'case': 'original', 'separator': 'as_is'}, "
            "'sort': 'name', "
            "'on_conflict': 'fail', "
            "'companions': true "
            "}");
        const auto recipe = Recipe::fromJson(json);
        QVERIFY2(recipe.ok(), qPrintable(recipe.ok() ? QString() : recipe.error().message));
        QCOMPARE(recipe->modules.size(), 5);
        QCOMPARE(recipe->modules.at(0).type, ModuleType::Metadata);
        QCOMPARE(recipe->modules.at(0).field, QStringLiteral("EXIF:DateTimeOriginal"));
        QCOMPARE(recipe->modules.at(2).padding, 3);
        QCOMPARE(recipe->modules.at(2).scope, CounterScope::PerFolder);
        QCOMPARE(recipe->onConflict, ConflictPolicy::Fail);
        QVERIFY(recipe->companions);
        QCOMPARE(recipe->requiredMetadataFields(), QStringList{QStringLiteral("EXIF:DateTimeOriginal")});
        QVERIFY(!recipe->needsHash());
        QVERIFY(!recipe->needsCaptureDate());
    }

    void defaults()
    {
        const auto recipe = Recipe::fromJson(j("{'modules': [{'type': 'counter'}, {'type': 'replace', 'find': 'a'}, "
            "{'type': 'text_removal', 'text': 'x'}]}"));
        QVERIFY(recipe.ok());
        QCOMPARE(recipe->modules.at(0).start, qint64(1));
        QCOMPARE(recipe->modules.at(0).step, qint64(1));
        QCOMPARE(recipe->modules.at(0).padding, 3);
        QCOMPARE(recipe->modules.at(0).scope, CounterScope::PerFolder);
        QVERIFY(recipe->modules.at(1).caseSensitive);  // replace: case-sensitive by default
        QVERIFY(!recipe->modules.at(1).regex);
        QVERIFY(!recipe->modules.at(2).caseSensitive); // text_removal: not
        QCOMPARE(recipe->modules.at(2).position, RemovalPosition::End);
        QCOMPARE(recipe->onConflict, ConflictPolicy::Fail);
        QCOMPARE(recipe->sort, SortKey::Name);
        QVERIFY(recipe->companions);
        QVERIFY(!recipe->windowsSafe);
        QCOMPARE(recipe->suffix, QStringLiteral("_{n}"));
    }

    void roundTrip()
    {
        const QByteArray json = j("{ "
            "'modules': [ "
            "{'type': 'original_name', 'enabled': false}, "
            "{'type': 'text', 'text': 'Ελλάδα {x}'}, "
            "{'type': 'counter', 'start': 0, 'step': 5, 'padding': 6, 'scope': 'per_group', 'group_by': 'capture_date'}, "
            "{'type': 'counter', 'scope': 'per_extension'}, "
            "{'type': 'metadata', 'field': 'Model', 'fallback': ''}, "
            "{'type': 'metadata', 'field': 'file:mtime', 'format': '%y%j'}, "
            "{'type': 'text_removal', 'text': 'IMG_', 'position': 'first', 'case_sensitive': true}, "
            "{'type': 'replace', 'find': '^(?<a>\\\\w+)-(\\\\w+)$', 'replace': '$2-${a}', 'regex': true, 'case_sensitive': false}, "
            "{'type': 'hash'}, "
            "{'type': 'substring', 'from': 2, 'to': 8}, "
            "{'type': 'substring', 'from': 1} "
            "], "
            "'final_transform': {'greeklish': true, 'case': 'title', 'separator': 'kebab', 'strip_diacritics': true}, "
            "'sort': 'capture_date', 'sort_reverse': true, 'on_conflict': 'suffix', 'companions': false, "
            "'windows_safe': true, 'suffix': ' ({n})' "
            "}");
        const auto first = Recipe::fromJson(json);
        QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().message));
        const auto second = Recipe::fromJson(first->toJson());
        QVERIFY2(second.ok(), qPrintable(second.ok() ? QString() : second.error().message));
        QVERIFY(*first == *second);
        QCOMPARE(second->toJson(), first->toJson());
        QVERIFY(!second->modules.at(0).enabled);
        QCOMPARE(second->modules.at(4).fallback, std::optional<QString>(QString()));
        QVERIFY(!second->modules.at(9 + 1).to.has_value());
        QCOMPARE(second->finalTransform.separator, SeparatorMode::Kebab);
        QVERIFY(second->needsHash());
        QVERIFY(second->needsCaptureDate());
        const QStringList fields = second->requiredMetadataFields();
        QVERIFY(fields.contains(QStringLiteral("EXIF:DateTimeOriginal"))); // capture_date group and sort
        QVERIFY(fields.contains(QStringLiteral("Model")));
        QVERIFY(!fields.contains(QStringLiteral("file:mtime")));
        QCOMPARE(fields.count(QStringLiteral("EXIF:DateTimeOriginal")), 1);
    }

    void disabledModulesNeedNothing()
    {
        const auto recipe = Recipe::fromJson(j("{'modules': [{'type': 'hash', 'enabled': false}, "
            "{'type': 'metadata', 'field': 'EXIF:Model', 'enabled': false}, {'type': 'original_name'}]}"));
        QVERIFY(recipe.ok());
        QVERIFY(!recipe->needsHash());
        QVERIFY(recipe->requiredMetadataFields().isEmpty());
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");

        QTest::newRow("not json") << QByteArray("{") << "not valid JSON";
        QTest::newRow("not an object") << QByteArray("[]") << "a recipe is a JSON object";
        QTest::newRow("no modules") << QByteArray("{}") << "modules: missing";
        QTest::newRow("empty modules") << (j("{'modules': []}")) << "modules: expected at least one module";
        QTest::newRow("unknown top key") << (j("{'modules': [{'type': 'hash'}], 'sorting': 'name'}"))
                                         << "sorting: unknown key";
        QTest::newRow("unknown module key") << (j("{'modules': [{'type': 'text', 'text': 'a', 'colour': 1}]}"))
                                            << "modules[0].colour: unknown key";
        QTest::newRow("key of another type") << (j("{'modules': [{'type': 'hash', 'padding': 3}]}"))
                                             << "modules[0].padding: unknown key";
        QTest::newRow("unknown type") << (j("{'modules': [{'type': 'emoji'}]}"))
                                      << "modules[0].type: unknown module type \"emoji\"";
        QTest::newRow("missing type") << (j("{'modules': [{'text': 'a'}]}")) << "modules[0].type: expected one of";
        QTest::newRow("padding too big")
            << (j("{'modules': [{'type': 'text', 'text': 'a'}, {'type': 'hash'}, {'type': 'counter', 'padding': 13}]}"))
            << "modules[2].padding: expected a number from 1 to 12";
        QTest::newRow("padding not a number") << (j("{'modules': [{'type': 'counter', 'padding': '3'}]}"))
                                              << "modules[0].padding: expected a number from 1 to 12";
        QTest::newRow("fractional step") << (j("{'modules': [{'type': 'counter', 'step': 1.5}]}"))
                                         << "modules[0].step: expected a number from 1 to 1000000";
        QTest::newRow("negative start") << (j("{'modules': [{'type': 'counter', 'start': -1}]}"))
                                        << "modules[0].start: expected a number from 0 to 999999999";
        QTest::newRow("bad scope") << (j("{'modules': [{'type': 'counter', 'scope': 'daily'}]}"))
                                   << "modules[0].scope: expected one of global, per_folder, per_extension, per_group";
        QTest::newRow("per_group without group_by") << (j("{'modules': [{'type': 'counter', 'scope': 'per_group'}]}"))
                                                    << "modules[0].group_by: required with scope per_group";
        QTest::newRow("text missing") << (j("{'modules': [{'type': 'text'}]}")) << "modules[0].text: missing";
        QTest::newRow("text not string") << (j("{'modules': [{'type': 'text', 'text': 5}]}"))
                                         << "modules[0].text: expected a string";
        QTest::newRow("metadata without field") << (j("{'modules': [{'type': 'metadata'}]}"))
                                                << "modules[0].field: missing";
        QTest::newRow("bad date directive") << (j("{'modules': [{'type': 'metadata', 'field': 'file:mtime', 'format': '%Y%Q'}]}"))
                                            << "modules[0].format: unknown directive %Q at column 3";
        QTest::newRow("slash in format") << (j("{'modules': [{'type': 'metadata', 'field': 'file:mtime', 'format': '%Y/%m'}]}"))
                                         << "modules[0].format: a file name cannot contain '/'";
        QTest::newRow("bad position") << (j("{'modules': [{'type': 'text_removal', 'text': 'a', 'position': 'middle'}]}"))
                                      << "modules[0].position: expected one of start, end, first, all";
        QTest::newRow("empty removal") << (j("{'modules': [{'type': 'text_removal', 'text': ''}]}"))
                                       << "modules[0].text: expected the text to remove";
        QTest::newRow("bad regex") << (j("{'modules': [{'type': 'replace', 'find': '[a', 'regex': true}]}"))
                                   << "modules[0].find: invalid regular expression at column";
        QTest::newRow("missing group") << (j("{'modules': [{'type': 'replace', 'find': 'a(b)', 'replace': '$2', 'regex': true}]}"))
                                       << "modules[0].replace: the expression has no group 2";
        QTest::newRow("unknown named group") << (j("{'modules': [{'type': 'replace', 'find': 'a(?<x>b)', 'replace': '${y}', 'regex': true}]}"))
                                             << "modules[0].replace: the expression has no group named \"y\"";
        QTest::newRow("substring to before from") << (j("{'modules': [{'type': 'substring', 'from': 5, 'to': 2}]}"))
                                                  << "modules[0].to: must not be less than from (5)";
        QTest::newRow("bad case") << (j("{'modules': [{'type': 'hash'}], 'final_transform': {'case': 'shout'}}"))
                                  << "final_transform.case: expected one of original, lower, upper, capitalize, title";
        QTest::newRow("unknown transform key") << (j("{'modules': [{'type': 'hash'}], 'final_transform': {'greek': true}}"))
                                               << "final_transform.greek: unknown key";
        QTest::newRow("bad policy") << (j("{'modules': [{'type': 'hash'}], 'on_conflict': 'rename'}"))
                                    << "on_conflict: expected one of fail, skip, suffix, overwrite";
        QTest::newRow("bad sort") << (j("{'modules': [{'type': 'hash'}], 'sort': 'random'}"))
                                  << "sort: expected one of name, natural, mtime, size, capture_date";
        QTest::newRow("companions not bool") << (j("{'modules': [{'type': 'hash'}], 'companions': 'yes'}"))
                                             << "companions: expected true or false";
        QTest::newRow("suffix without n") << (j("{'modules': [{'type': 'hash'}], 'suffix': '_copy'}"))
                                          << "suffix: must contain {n}";
        QTest::newRow("future version") << (j("{'version': 2, 'modules': [{'type': 'hash'}]}"))
                                        << "version: expected a number from 1 to 1";
    }

    void errors()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        const auto recipe = Recipe::fromJson(json);
        QVERIFY(!recipe.ok());
        QVERIFY2(recipe.error().message.startsWith(message), qPrintable(recipe.error().message));
    }

    void templates_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("modules"); // the recipe modules it must equal

        QTest::newRow("issue example") << "{date:%Y%m%d}_{counter:3}_{name}"
                                       << (j("[{'type': 'metadata', 'field': 'capture_date', 'format': '%Y%m%d'}, "
            "{'type': 'text', 'text': '_'}, {'type': 'counter', 'padding': 3}, "
            "{'type': 'text', 'text': '_'}, {'type': 'original_name'}]"));
        QTest::newRow("counter all options") << "{counter:4:10:5:global}"
                                             << (j("[{'type': 'counter', 'padding': 4, 'start': 10, 'step': 5, 'scope': 'global'}]"));
        QTest::newRow("date default") << "{date}" << (j("[{'type': 'metadata', 'field': 'capture_date'}]"));
        QTest::newRow("meta group tag") << "{meta:EXIF:Model}" << (j("[{'type': 'metadata', 'field': 'EXIF:Model'}]"));
        QTest::newRow("meta with format") << "{meta:EXIF:CreateDate:%H:%M}"
                                          << (j("[{'type': 'metadata', 'field': 'EXIF:CreateDate', 'format': '%H:%M'}]"));
        QTest::newRow("bare tag") << "{meta:Model}" << (j("[{'type': 'metadata', 'field': 'Model'}]"));
        QTest::newRow("mtime ctime hash") << "{mtime:%Y}{ctime}{hash}"
                                          << (j("[{'type': 'metadata', 'field': 'file:mtime', 'format': '%Y'}, "
            "{'type': 'metadata', 'field': 'file:ctime'}, {'type': 'hash'}]"));
        QTest::newRow("escaped braces") << "{{a}}_{name}"
                                        << (j("[{'type': 'text', 'text': '{a}_'}, {'type': 'original_name'}]"));
        QTest::newRow("literal only") << "photo" << (j("[{'type': 'text', 'text': 'photo'}]"));
    }

    void templates()
    {
        QFETCH(QString, text);
        QFETCH(QByteArray, modules);
        const auto compiled = TemplateCompiler::compile(text);
        QVERIFY2(compiled.ok(), qPrintable(compiled.ok() ? QString() : compiled.error().message));
        const auto expected = Recipe::fromJson(j("{'modules': ") + modules + "}");
        QVERIFY2(expected.ok(), qPrintable(expected.ok() ? QString() : expected.error().message));
        QCOMPARE(compiled->modules.size(), expected->modules.size());
        for (qsizetype i = 0; i < expected->modules.size(); ++i)
            QVERIFY2(compiled->modules.at(i) == expected->modules.at(i), qPrintable(QString::number(i)));
        // A compiled template is a full recipe: it serializes and parses back.
        const auto again = Recipe::fromJson(compiled->toJson());
        QVERIFY(again.ok());
        QVERIFY(*again == *compiled);
    }

    void templateErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown token") << "ab{foo}" << "template column 3: unknown token {foo}";
        QTest::newRow("unclosed") << "x_{name" << "template column 3: '{' is not closed";
        QTest::newRow("lone close") << "x}y" << "template column 2: a lone '}'";
        QTest::newRow("nested") << "{na{me}" << "template column 4: '{' inside a token";
        QTest::newRow("bad padding") << "{counter:0}" << "template column 10: counter padding: expected a number from 1 to 12";
        QTest::newRow("bad counter scope") << "{counter:3:1:1:per_group}" << "template column 10: counter scope";
        QTest::newRow("bad date format") << "{date:%Y%k}" << "template column 7: unknown directive %k at column 3";
        QTest::newRow("name with options") << "{name:3}" << "template column 1: {name} takes no options";
        QTest::newRow("meta without field") << "{meta}" << "template column 1: {meta:FIELD} needs a field";
        QTest::newRow("empty") << "" << "the template is empty";
    }

    void templateErrors()
    {
        QFETCH(QString, text);
        QFETCH(QString, message);
        const auto compiled = TemplateCompiler::compile(text);
        QVERIFY(!compiled.ok());
        QVERIFY2(compiled.error().message.startsWith(message), qPrintable(compiled.error().message));
    }

    void policyNames()
    {
        for (const auto policy : {ConflictPolicy::Fail, ConflictPolicy::Skip, ConflictPolicy::Suffix, ConflictPolicy::Overwrite})
            QCOMPARE(conflictPolicyFromString(conflictPolicyName(policy)), std::optional<ConflictPolicy>(policy));
        QVERIFY(!conflictPolicyFromString(QStringLiteral("rename")));
        QCOMPARE(itemStatusName(ItemStatus::MissingData), QStringLiteral("missing_data"));
        QCOMPARE(itemStatusName(ItemStatus::Unchanged), QStringLiteral("unchanged"));
        QCOMPARE(itemActionName(ItemAction::Overwrite), QStringLiteral("overwrite"));
        QCOMPARE(itemActionName(ItemAction::None), QStringLiteral("none"));
    }
};

QTEST_GUILESS_MAIN(TestRecipe)
#include "tst_recipe.moc"
