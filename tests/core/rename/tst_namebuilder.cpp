// What each module, option and final transform makes of a file name, one named row per case;
// metadata values can never smuggle a path, a control character or invalid UTF-8 into a name;
// the validator's rules; companion sets.

#include "core/files/companiongrouper.h"
#include "core/files/nativepath.h"
#include "core/rename/filenamevalidator.h"
#include "core/rename/finaltransform.h"
#include "core/rename/namebuilder.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cstdlib>
#include <ctime>

using namespace oncutf::core::rename;
using oncutf::core::files::CompanionGrouper;

namespace {

// JSON written with single quotes so the tables stay readable.
QByteArray j(const char *singleQuoted)
{
    return QByteArray(singleQuoted).replace('\'', '"');
}

// 2024-06-15 14:30:05.123456789 UTC
constexpr qint64 JuneMtimeNs = 1718461805123456789LL;

RenameInput makeInput(const QByteArray &path, const QByteArray &metadataJson = {})
{
    RenameInput input;
    input.path = path;
    input.mtimeNs = JuneMtimeNs;
    input.ctimeNs = JuneMtimeNs + 86400LL * 1000000000LL;
    if (!metadataJson.isNull()) {
        input.metadata = QJsonDocument::fromJson(metadataJson).object();
        input.metadataLoaded = true;
    }
    return input;
}

Recipe recipeOf(const QByteArray &modules, const QByteArray &transform = {})
{
    QByteArray json = "{\"modules\": " + modules;
    if (!transform.isEmpty())
        json += ", \"final_transform\": " + transform;
    json += '}';
    auto recipe = Recipe::fromJson(json);
    if (!recipe)
        qFatal("bad test recipe %s: %s", json.constData(), qPrintable(recipe.error().message));
    return recipe.value();
}

} // namespace

class TestNameBuilder final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // File times are formatted in local time; pin it so the expected names hold anywhere.
        qputenv("TZ", "UTC");
        tzset();
    }

    void modules_data()
    {
        QTest::addColumn<QByteArray>("modules");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("metadata"); // null: not loaded
        QTest::addColumn<QString>("crc");
        QTest::addColumn<QByteArray>("expected"); // the new file name; empty when missing_data
        QTest::addColumn<QString>("missing");     // part of the missing_data reason

        const QByteArray none;
        const QByteArray img = "/p/IMG_0001.JPG";
        const QByteArray dto = j("{'EXIF:DateTimeOriginal': '2024:06:15 14:30:05'}");
        const auto row = [&](const char *name, const char *modules, const QByteArray &path, const QByteArray &meta,
                             const char *expected, const char *missing = "", const char *crc = "") {
            QTest::newRow(name) << j(modules) << path << meta << QString::fromUtf8(crc) << QByteArray(expected)
                                << QString::fromUtf8(missing);
        };

        // original_name, text, enabled
        row("original name", "[{'type': 'original_name'}]", img, none, "IMG_0001.JPG");
        row("text", "[{'type': 'text', 'text': 'holiday'}]", img, none, "holiday.JPG");
        row("text + original", "[{'type': 'text', 'text': 'holiday_'}, {'type': 'original_name'}]", img, none,
            "holiday_IMG_0001.JPG");
        row("disabled module is skipped", "[{'type': 'text', 'text': 'x', 'enabled': false}, {'type': 'original_name'}]",
            img, none, "IMG_0001.JPG");
        row("unicode text", "[{'type': 'text', 'text': 'Ελλάδα 東京'}]", img, none, "Ελλάδα 東京.JPG");

        // counter
        row("counter defaults", "[{'type': 'counter'}]", img, none, "001.JPG");
        row("counter start step padding", "[{'type': 'counter', 'start': 7, 'step': 3, 'padding': 5}]", img, none,
            "00007.JPG");
        row("counter padding 1", "[{'type': 'counter', 'start': 42, 'padding': 1}]", img, none, "42.JPG");

        // metadata
        row("metadata exact key", "[{'type': 'metadata', 'field': 'EXIF:Model'}]", img,
            j("{'EXIF:Model': 'Canon EOS R5'}"), "Canon EOS R5.JPG");
        row("metadata key any case", "[{'type': 'metadata', 'field': 'exif:model'}]", img,
            j("{'EXIF:Model': 'R5'}"), "R5.JPG");
        row("metadata bare tag prefers EXIF", "[{'type': 'metadata', 'field': 'Model'}]", img,
            j("{'XMP:Model': 'xmp', 'EXIF:Model': 'Canon', 'MakerNotes:Model': 'mn'}"), "Canon.JPG");
        row("metadata bare tag other group", "[{'type': 'metadata', 'field': 'LensModel'}]", img,
            j("{'Composite:LensModel': 'RF 24-70'}"), "RF 24-70.JPG");
        row("metadata number", "[{'type': 'metadata', 'field': 'EXIF:ISO'}]", img, j("{'EXIF:ISO': 400}"), "400.JPG");
        row("date format", "[{'type': 'metadata', 'field': 'EXIF:DateTimeOriginal', 'format': '%Y%m%d_%H%M%S'}]",
            img, dto, "20240615_143005.JPG");
        row("date names and day of year",
            "[{'type': 'metadata', 'field': 'EXIF:DateTimeOriginal', 'format': '%y-%j-%b-%B-%a-%A-%I%p'}]", img, dto,
            "24-167-Jun-June-Sat-Saturday-02PM.JPG");
        row("date %F %T cleaned", "[{'type': 'metadata', 'field': 'EXIF:DateTimeOriginal', 'format': '%F %T'}]", img,
            dto, "2024-06-15 14_30_05.JPG");
        row("date sub-seconds", "[{'type': 'metadata', 'field': 'EXIF:DateTimeOriginal', 'format': '%H%M%S%f'}]", img,
            j("{'EXIF:DateTimeOriginal': '2024:06:15 14:30:05.123'}"), "143005123.JPG");
        row("date offset", "[{'type': 'metadata', 'field': 'EXIF:DateTimeOriginal', 'format': '%H%z'}]", img,
            j("{'EXIF:DateTimeOriginal': '2024:06:15 14:30:05+02:00'}"), "14+0200.JPG");
        row("date without format is the raw value cleaned", "[{'type': 'metadata', 'field': 'EXIF:DateTimeOriginal'}]",
            img, dto, "2024_06_15 14_30_05.JPG");
        row("capture date joins EXIF sub-seconds", "[{'type': 'metadata', 'field': 'capture_date', 'format': '%S_%f'}]",
            img, j("{'EXIF:DateTimeOriginal': '2024:06:15 14:30:05', 'EXIF:SubSecTimeOriginal': '45'}"), "05_45.JPG");
        row("capture date falls back to QuickTime", "[{'type': 'metadata', 'field': 'capture_date', 'format': '%Y%m%d'}]",
            "/p/clip.MP4", j("{'QuickTime:CreateDate': '2024:01:02 03:04:05'}"), "20240102.MP4");
        row("capture date default format", "[{'type': 'metadata', 'field': 'capture_date'}]", img, dto,
            "20240615_143005.JPG");
        row("file mtime", "[{'type': 'metadata', 'field': 'file:mtime', 'format': '%Y%m%d_%H%M%S_%f'}]", img, none,
            "20240615_143005_123.JPG");
        row("file mtime default format", "[{'type': 'metadata', 'field': 'file:mtime'}]", img, none,
            "20240615_143005.JPG");
        row("file ctime", "[{'type': 'metadata', 'field': 'file:ctime', 'format': '%d'}]", img, none, "16.JPG");
        row("fallback when absent", "[{'type': 'metadata', 'field': 'EXIF:Model', 'fallback': 'nocam'}]", img,
            j("{}"), "nocam.JPG");
        row("fallback when not loaded", "[{'type': 'metadata', 'field': 'EXIF:Model', 'fallback': 'nocam'}]", img, none,
            "nocam.JPG");
        row("fallback when not a date",
            "[{'type': 'metadata', 'field': 'EXIF:DateTimeOriginal', 'format': '%Y', 'fallback': 'nodate'}]", img,
            j("{'EXIF:DateTimeOriginal': '0000:00:00 00:00:00'}"), "nodate.JPG");
        row("missing field", "[{'type': 'metadata', 'field': 'EXIF:Model'}]", img, j("{}"), "",
            "no EXIF:Model in the metadata");
        row("metadata not loaded", "[{'type': 'metadata', 'field': 'EXIF:Model'}]", img, none, "",
            "metadata not loaded (needed for EXIF:Model)");
        row("not a date", "[{'type': 'metadata', 'field': 'EXIF:Model', 'format': '%Y'}]", img,
            j("{'EXIF:Model': 'Canon'}"), "", "EXIF:Model is not a date");
        row("no capture date", "[{'type': 'metadata', 'field': 'capture_date'}]", img, j("{'EXIF:Model': 'x'}"), "",
            "no capture date");

        // values that try to escape
        row("value with slash", "[{'type': 'metadata', 'field': 'EXIF:Model'}]", img, j("{'EXIF:Model': 'AC/DC'}"),
            "AC_DC.JPG");
        row("value climbing out", "[{'type': 'text', 'text': 'a_'}, {'type': 'metadata', 'field': 'EXIF:Model'}]", img,
            j("{'EXIF:Model': '../../etc/passwd'}"), "a_etc_passwd.JPG");
        row("value is dot dot", "[{'type': 'metadata', 'field': 'EXIF:Model', 'fallback': 'safe'}]", img,
            j("{'EXIF:Model': '..'}"), "safe.JPG");
        row("value with newline", "[{'type': 'metadata', 'field': 'EXIF:Model'}]", img,
            j("{'EXIF:Model': 'Line1\\nLine2\\r\\n'}"), "Line1 Line2.JPG");
        row("value with control characters", "[{'type': 'metadata', 'field': 'EXIF:Model'}]", img,
            j("{'EXIF:Model': 'a\\u0001\\u007f\\u0085b\\tc'}"), "a b c.JPG");
        row("value with bidi override", "[{'type': 'metadata', 'field': 'EXIF:Model'}]", img,
            j("{'EXIF:Model': 'abc\\u202egpj.exe'}"), "abc gpj.exe.JPG");
        row("value with windows characters", "[{'type': 'metadata', 'field': 'EXIF:Model'}]", img,
            j("{'EXIF:Model': 'a<b>c:d*e?f|g\\\\h\\\"i'}"), "a_b_c_d_e_f_g_h_i.JPG");
        row("value of only separators is missing", "[{'type': 'metadata', 'field': 'EXIF:Model'}]", img,
            j("{'EXIF:Model': ' ./. '}"), "", "EXIF:Model is empty");

        // hash
        row("hash", "[{'type': 'hash'}]", img, none, "deadbeef.JPG", "", "deadbeef");
        row("hash missing", "[{'type': 'original_name'}, {'type': 'hash'}]", img, none, "", "no CRC32", "");

        // text_removal on IMG_test_img_IMG
        const QByteArray t = "/p/IMG_test_img_IMG.jpg";
        row("removal start ci", "[{'type': 'text_removal', 'text': 'img_', 'position': 'start'}]", t, none,
            "test_img_IMG.jpg");
        row("removal start cs no match",
            "[{'type': 'text_removal', 'text': 'img_', 'position': 'start', 'case_sensitive': true}]", t, none,
            "IMG_test_img_IMG.jpg");
        row("removal end", "[{'type': 'text_removal', 'text': '_img'}]", t, none, "IMG_test_img.jpg");
        row("removal first", "[{'type': 'text_removal', 'text': 'img', 'position': 'first'}]", t, none,
            "_test_img_IMG.jpg");
        row("removal all ci", "[{'type': 'text_removal', 'text': 'img', 'position': 'all'}]", t, none, "_test__.jpg");
        row("removal all cs",
            "[{'type': 'text_removal', 'text': 'img', 'position': 'all', 'case_sensitive': true}]", t, none,
            "IMG_test__IMG.jpg");
        row("removal of a space", "[{'type': 'text_removal', 'text': ' ', 'position': 'all'}]", "/p/a b c.jpg", none,
            "abc.jpg");

        // replace
        row("replace literal cs", "[{'type': 'replace', 'find': 'IMG', 'replace': 'Photo'}]", t, none,
            "Photo_test_img_Photo.jpg");
        row("replace literal ci", "[{'type': 'replace', 'find': 'IMG', 'replace': 'Photo', 'case_sensitive': false}]",
            t, none, "Photo_test_Photo_Photo.jpg");
        row("replace literal dollar is literal", "[{'type': 'replace', 'find': 'test', 'replace': '$1'}]", t, none,
            "IMG_$1_img_IMG.jpg");
        row("regex numbered groups",
            "[{'type': 'replace', 'find': '^(\\\\w+)-(\\\\w+)$', 'replace': '$2-$1', 'regex': true}]",
            "/p/alpha-beta.txt", none, "beta-alpha.txt");
        row("regex named groups",
            "[{'type': 'replace', 'find': '^(?<a>\\\\w+)-(?<b>\\\\w+)$', 'replace': '${b}_${a}', 'regex': true}]",
            "/p/alpha-beta.txt", none, "beta_alpha.txt");
        row("regex case-insensitive",
            "[{'type': 'replace', 'find': 'ALPHA', 'replace': 'x', 'regex': true, 'case_sensitive': false}]",
            "/p/alpha-beta.txt", none, "x-beta.txt");
        row("regex every match and $$",
            "[{'type': 'replace', 'find': '[aeiou]', 'replace': '$$', 'regex': true}]", "/p/alpha-beta.txt", none,
            "$lph$-b$t$.txt");
        row("regex no match", "[{'type': 'replace', 'find': 'zzz', 'replace': 'y', 'regex': true}]",
            "/p/alpha-beta.txt", none, "alpha-beta.txt");

        // substring
        row("substring from to", "[{'type': 'substring', 'from': 0, 'to': 3}]", "/p/alpha-beta.txt", none, "alp.txt");
        row("substring from", "[{'type': 'substring', 'from': 6}]", "/p/alpha-beta.txt", none, "beta.txt");
        row("substring past the end", "[{'type': 'substring', 'from': 2, 'to': 99}]", "/p/alpha-beta.txt", none,
            "pha-beta.txt");
        row("substring keeps surrogate pairs whole", "[{'type': 'substring', 'from': 0, 'to': 2}]",
            QByteArray("/p/a\xF0\x9F\x98\x80" "b.txt"), none, "a\xF0\x9F\x98\x80.txt");

        // extension handling
        row("extension not doubled", "[{'type': 'metadata', 'field': 'File:FileName'}]", "/p/x.jpg",
            j("{'File:FileName': 'IMG_1.JPG'}"), "IMG_1.jpg");
        row("extension case kept", "[{'type': 'text', 'text': 'b'}]", "/p/a.JpG", none, "b.JpG");
        row("no extension", "[{'type': 'text', 'text': 'x'}]", "/p/README", none, "x");
        row("hidden file has no extension", "[{'type': 'original_name'}, {'type': 'text', 'text': '_old'}]",
            "/p/.bashrc", none, ".bashrc_old");
        row("only the last extension", "[{'type': 'text', 'text': 'b'}]", "/p/a.tar.gz", none, "b.gz");
        row("undecodable bytes kept exactly", "[{'type': 'original_name'}, {'type': 'text', 'text': '_1'}]",
            QByteArray("/p/caf\xE9.jpg"), none, "caf\xE9_1.jpg");
    }

    void modules()
    {
        QFETCH(QByteArray, modules);
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, metadata);
        QFETCH(QString, crc);
        QFETCH(QByteArray, expected);
        QFETCH(QString, missing);

        RenameInput input = makeInput(path, metadata);
        if (!crc.isEmpty())
            input.crc32 = crc;
        const NameBuilder builder(recipeOf(modules));
        QVERIFY(builder.error().isEmpty());
        const QList<BuiltName> names = builder.build(QList<RenameInput>{input});
        QCOMPARE(names.size(), 1);
        if (missing.isEmpty()) {
            QVERIFY2(names.at(0).missing.isEmpty(), qPrintable(names.at(0).missing));
            QCOMPARE(names.at(0).fileName, expected);
        } else {
            QVERIFY2(names.at(0).missing.contains(missing), qPrintable(names.at(0).missing));
        }
    }

    void transforms_data()
    {
        QTest::addColumn<QByteArray>("transform");
        QTest::addColumn<QString>("stem");
        QTest::addColumn<QString>("expected");

        const auto row = [](const char *name, const char *transform, const char *stem, const char *expected) {
            QTest::newRow(name) << j(transform) << QString::fromUtf8(stem) << QString::fromUtf8(expected);
        };
        row("identity", "{}", "Ab Cd", "Ab Cd");
        row("greeklish xi (the original's bug)", "{'greeklish': true}", "Ξένια ξύλο ταξί", "Xenia xylo taxi");
        row("greeklish digraphs", "{'greeklish': true}", "μπάλα ντομάτα γκολ άγγελος", "bala domata gol agelos");
        row("greeklish capital digraphs", "{'greeklish': true}", "Μπάμπης ΝΤΟΜΑΤΑ Γκάνα", "Babis DOMATA Gana");
        row("greeklish ou", "{'greeklish': true}", "Κουκουβάγια", "Koukouvagia");
        row("greeklish th ch ps", "{'greeklish': true}", "θάλασσα χωριό ψάρι", "thalassa chwrio psari");
        row("greeklish capital th in a capital word", "{'greeklish': true}", "ΘΕΜΑ Θέμα ΧΑΟΣ", "THEMA Thema CHAOS");
        row("greeklish final sigma and dialytika", "{'greeklish': true}", "Ελλάς προϋπόθεση", "Ellas proypothesi");
        row("greeklish leaves latin accents", "{'greeklish': true}", "café Αθήνα", "café Athina");
        row("greeklish then upper", "{'greeklish': true, 'case': 'upper'}", "ψάρι", "PSARI");
        row("lower", "{'case': 'lower'}", "ÀB Cd", "àb cd");
        row("upper", "{'case': 'upper'}", "straße b", "STRASSE B");
        row("upper greek drops tonos", "{'case': 'upper'}", "καλημέρα άνθρωποι", "ΚΑΛΗΜΕΡΑ ΑΝΘΡΩΠΟΙ");
        row("capitalize", "{'case': 'capitalize'}", "hELLO wORLD", "Hello world");
        row("capitalize: the first letter, after digits", "{'case': 'capitalize'}", "2024_HOLIDAY", "2024_Holiday");
        row("title", "{'case': 'title'}", "hello wORLD_foo-bar.baz", "Hello World_Foo-Bar.Baz");
        row("title keeps apostrophes and ordinals", "{'case': 'title'}", "don't 2nd", "Don't 2nd");
        row("snake", "{'separator': 'snake'}", " My file-name  here ", "My_file_name_here");
        row("kebab", "{'separator': 'kebab'}", "My file_name  here", "My-file-name-here");
        row("space", "{'separator': 'space'}", "_a__b-c_", "a b c");
        row("strip diacritics", "{'strip_diacritics': true}", "Crème Brûlée Straße Łódź", "Creme Brulee Strasse Lodz");
        row("strip diacritics greek", "{'strip_diacritics': true}", "Αθήνα", "Αθηνα");
        row("empty result reverts", "{'separator': 'space'}", "___", "___");
        row("all together", "{'greeklish': true, 'case': 'title', 'separator': 'snake', 'strip_diacritics': true}",
            "νέα  φωτογραφία-παραλία", "Nea_Fwtografia_Paralia");
    }

    void transforms()
    {
        QFETCH(QByteArray, transform);
        QFETCH(QString, stem);
        QFETCH(QString, expected);
        QCOMPARE(FinalTransform::apply(stem, recipeOf(j("[{'type': 'hash'}]"), transform).finalTransform), expected);
        // Through the builder: the transform touches the stem only, exactly once.
        const Recipe recipe = recipeOf(j("[{'type': 'original_name'}]"), transform);
        const auto names = NameBuilder(recipe).build(QList<RenameInput>{makeInput("/p/" + stem.toUtf8() + ".JPG")});
        QCOMPARE(names.at(0).fileName, expected.toUtf8() + ".JPG");
    }

    void transformLeavesTheExtension()
    {
        // The final transform is the name's last step and applies to the stem only.
        const Recipe recipe = recipeOf(j("[{'type': 'text', 'text': 'my photo'}]"),
                                       j("{'case': 'upper', 'separator': 'snake'}"));
        const auto names = NameBuilder(recipe).build(QList<RenameInput>{makeInput("/p/x.jpeg")});
        QCOMPARE(names.at(0).fileName, QByteArray("MY_PHOTO.jpeg"));
        QCOMPARE(names.at(0).stem(), QByteArray("MY_PHOTO"));
    }

    void undecodableBytesSurviveTransforms()
    {
        const Recipe recipe = recipeOf(j("[{'type': 'original_name'}]"), j("{'case': 'upper', 'greeklish': true}"));
        const auto names = NameBuilder(recipe).build(QList<RenameInput>{makeInput("/p/caf\xE9-\xFF.jpg")});
        QCOMPARE(names.at(0).fileName, QByteArray("CAF\xE9-\xFF.jpg"));
    }

    void counterScopes_data()
    {
        QTest::addColumn<QByteArray>("modules");
        QTest::addColumn<QList<QByteArray>>("paths");
        QTest::addColumn<QList<QByteArray>>("metadata");
        QTest::addColumn<QList<QByteArray>>("expected");

        const QList<QByteArray> paths = {"/a/1.jpg", "/b/2.jpg", "/a/3.png", "/a/4.JPG"};
        const QList<QByteArray> noMeta(4);
        QTest::newRow("global") << j("[{'type': 'counter', 'scope': 'global', 'padding': 1}]") << paths << noMeta
                                << QList<QByteArray>{"1.jpg", "2.jpg", "3.png", "4.JPG"};
        QTest::newRow("per folder (default)") << j("[{'type': 'counter', 'padding': 1}]") << paths << noMeta
                                              << QList<QByteArray>{"1.jpg", "1.jpg", "2.png", "3.JPG"};
        QTest::newRow("per extension, any case")
            << j("[{'type': 'counter', 'scope': 'per_extension', 'padding': 1}]") << paths << noMeta
            << QList<QByteArray>{"1.jpg", "2.jpg", "1.png", "3.JPG"};
        QTest::newRow("step and start per folder") << j("[{'type': 'counter', 'start': 10, 'step': 10, 'padding': 2}]")
                                                   << paths << noMeta
                                                   << QList<QByteArray>{"10.jpg", "10.jpg", "20.png", "30.JPG"};
        QTest::newRow("per capture day")
            << j("[{'type': 'counter', 'scope': 'per_group', 'group_by': 'capture_date', 'padding': 1}]") << paths
            << QList<QByteArray>{j("{'EXIF:DateTimeOriginal': '2024:06:15 10:00:00'}"),
                                 j("{'EXIF:DateTimeOriginal': '2024:06:15 23:59:59'}"),
                                 j("{'EXIF:DateTimeOriginal': '2024:06:16 00:00:01'}"), j("{}")}
            << QList<QByteArray>{"1.jpg", "2.jpg", "1.png", "1.JPG"};
        QTest::newRow("per date field, by day")
            << j("[{'type': 'counter', 'scope': 'per_group', 'group_by': 'EXIF:CreateDate', 'padding': 1}]") << paths
            << QList<QByteArray>{j("{'EXIF:CreateDate': '2024:06:15 10:00:00'}"),
                                 j("{'EXIF:CreateDate': '2024:06:16 10:00:00'}"),
                                 j("{'EXIF:CreateDate': '2024:06:15 11:00:00'}"), j("{}")}
            << QList<QByteArray>{"1.jpg", "1.jpg", "2.png", "1.JPG"};
        QTest::newRow("per camera")
            << j("[{'type': 'counter', 'scope': 'per_group', 'group_by': 'EXIF:Model', 'padding': 1}]") << paths
            << QList<QByteArray>{j("{'EXIF:Model': 'Canon'}"), j("{'EXIF:Model': 'Nikon'}"),
                                 j("{'EXIF:Model': 'Canon'}"), j("{}")}
            << QList<QByteArray>{"1.jpg", "1.jpg", "2.png", "1.JPG"};
        QTest::newRow("two counters keep their own sequences")
            << j("[{'type': 'counter', 'scope': 'global', 'padding': 1}, {'type': 'text', 'text': '-'},"
                 " {'type': 'counter', 'scope': 'per_extension', 'padding': 1}]")
            << paths << noMeta << QList<QByteArray>{"1-1.jpg", "2-2.jpg", "3-1.png", "4-3.JPG"};
    }

    void counterScopes()
    {
        QFETCH(QByteArray, modules);
        QFETCH(QList<QByteArray>, paths);
        QFETCH(QList<QByteArray>, metadata);
        QFETCH(QList<QByteArray>, expected);
        QList<RenameInput> inputs;
        for (qsizetype i = 0; i < paths.size(); ++i)
            inputs.append(makeInput(paths.at(i), metadata.at(i)));
        const auto names = NameBuilder(recipeOf(modules)).build(inputs);
        QList<QByteArray> got;
        for (const BuiltName &name : names)
            got.append(name.fileName);
        QCOMPARE(got, expected);
    }

    void cleanValue_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << "Canon EOS R5" << "Canon EOS R5";
        QTest::newRow("path") << "/etc/passwd" << "etc_passwd";
        QTest::newRow("parent dirs") << "../../x" << "x";
        QTest::newRow("dot runs") << "a...b..c" << "a.b.c";
        QTest::newRow("nul") << QStringLiteral("a") + QChar(0) + QStringLiteral("b") << "a b";
        QTest::newRow("lone surrogate") << QStringLiteral("a") + QChar(0xDCE9) + QStringLiteral("b") << "a_b";
        QTest::newRow("emoji kept") << QString::fromUtf8("a\xF0\x9F\x98\x80") << QString::fromUtf8("a\xF0\x9F\x98\x80");
        QTest::newRow("line separator") << QStringLiteral("a") + QChar(0x2028) + QStringLiteral("b") << "a b";
        QTest::newRow("zero width space") << QStringLiteral("a") + QChar(0x200B) + QStringLiteral("b") << "a b";
        QTest::newRow("noncharacter") << QStringLiteral("a") + QChar(0xFFFF) << "a";
        QTest::newRow("only dots") << "..." << "";
        QTest::newRow("blank runs") << "  a \t\t b  " << "a b";
    }

    void cleanValue()
    {
        QFETCH(QString, value);
        QFETCH(QString, expected);
        const QString cleaned = NameBuilder::cleanValue(value);
        QCOMPARE(cleaned, expected);
        QVERIFY(!cleaned.contains(QLatin1Char('/')));
        QVERIFY(!cleaned.contains(QLatin1String("..")));
        QVERIFY(oncutf::core::files::isValidUtf8(cleaned.toUtf8()));
    }

    void validator_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<bool>("windowsSafe");
        QTest::addColumn<QString>("problem"); // empty: valid

        QTest::newRow("plain") << QByteArray("IMG_0001.JPG") << false << "";
        QTest::newRow("unicode") << QByteArray("Ελλάδα.jpg") << true << "";
        QTest::newRow("undecodable bytes are a valid POSIX name") << QByteArray("caf\xE9.jpg") << false << "";
        QTest::newRow("empty") << QByteArray() << false << "empty";
        QTest::newRow("dot") << QByteArray(".") << false << "not a file name";
        QTest::newRow("dot dot") << QByteArray("..") << false << "not a file name";
        QTest::newRow("slash") << QByteArray("a/b") << false << "'/'";
        QTest::newRow("nul") << QByteArray("a\0b", 3) << false << "NUL";
        QTest::newRow("newline") << QByteArray("a\nb") << false << "control character 0x0a";
        QTest::newRow("delete") << QByteArray("a\x7f") << false << "control character 0x7f";
        QTest::newRow("C1 control") << QByteArray("a\xC2\x85") << false << "control character U+0085";
        QTest::newRow("255 bytes") << QByteArray(255, 'a') << false << "";
        QTest::newRow("256 bytes") << QByteArray(256, 'a') << false << "256 bytes long";
        QTest::newRow("255 bytes of Greek") << QByteArray("α").repeated(128) << false << "256 bytes long";
        QTest::newRow("colon on POSIX") << QByteArray("a:b") << false << "";
        QTest::newRow("colon on Windows") << QByteArray("a:b") << true << "':'";
        QTest::newRow("backslash on Windows") << QByteArray("a\\b") << true << "'\\'";
        QTest::newRow("question mark on Windows") << QByteArray("a?") << true << "'?'";
        QTest::newRow("trailing dot") << QByteArray("a.") << true << "ends with a dot";
        QTest::newRow("trailing space") << QByteArray("a ") << true << "ends with a space";
        QTest::newRow("trailing dot on POSIX") << QByteArray("a.") << false << "";
        QTest::newRow("CON") << QByteArray("CON") << true << "reserved name";
        QTest::newRow("con.txt") << QByteArray("con.txt") << true << "reserved name";
        QTest::newRow("Nul.tar.gz") << QByteArray("Nul.tar.gz") << true << "reserved name";
        QTest::newRow("com1") << QByteArray("com1.jpg") << true << "reserved name";
        QTest::newRow("LPT9") << QByteArray("LPT9") << true << "reserved name";
        QTest::newRow("COM0 is fine") << QByteArray("COM0.jpg") << true << "";
        QTest::newRow("CONSOLE is fine") << QByteArray("CONSOLE.jpg") << true << "";
        QTest::newRow("CON on POSIX") << QByteArray("CON") << false << "";
    }

    void validator()
    {
        QFETCH(QByteArray, name);
        QFETCH(bool, windowsSafe);
        QFETCH(QString, problem);
        const auto why = FileNameValidator::check(name, windowsSafe);
        if (problem.isEmpty()) {
            QVERIFY2(!why, qPrintable(why.value_or(QString())));
        } else {
            QVERIFY(why);
            QVERIFY2(why->contains(problem), qPrintable(*why));
        }
    }

    void companions_data()
    {
        QTest::addColumn<QList<QByteArray>>("names");
        QTest::addColumn<QList<bool>>("mayBeMain");
        // "companion>main:tail" for every companion; files not listed are not companions
        QTest::addColumn<QStringList>("expected");

        QTest::newRow("RAW + JPG + XMP: RAW leads")
            << QList<QByteArray>{"IMG_1.JPG", "IMG_1.CR2", "IMG_1.xmp"} << QList<bool>{true, true, true}
            << QStringList{"IMG_1.JPG>IMG_1.CR2:.JPG", "IMG_1.xmp>IMG_1.CR2:.xmp"};
        QTest::newRow("JPG + XMP") << QList<QByteArray>{"a.jpg", "a.XMP", "b.xmp"} << QList<bool>{true, true, true}
                                   << QStringList{"a.XMP>a.jpg:.XMP"};
        QTest::newRow("video + Sony XML + subtitles")
            << QList<QByteArray>{"C0001.MP4", "C0001M01.XML", "C0001.srt", "C0001.en.srt", "C0002M01.XML"}
            << QList<bool>{true, true, true, true, true}
            << QStringList{"C0001M01.XML>C0001.MP4:M01.XML", "C0001.srt>C0001.MP4:.srt"};
        QTest::newRow("darktable sidecar of a pair")
            << QList<QByteArray>{"x.NEF", "x.NEF.xmp", "x.JPG", "x.JPG.xmp"} << QList<bool>{true, true, true, true}
            << QStringList{"x.NEF.xmp>x.NEF:.NEF.xmp", "x.JPG>x.NEF:.JPG", "x.JPG.xmp>x.NEF:.JPG.xmp"};
        QTest::newRow("disk-only files follow, never lead")
            << QList<QByteArray>{"IMG_2.JPG", "IMG_2.CR2", "IMG_2.xmp"} << QList<bool>{true, false, false}
            << QStringList{"IMG_2.xmp>IMG_2.JPG:.xmp"};
        QTest::newRow("two RAWs stay apart, the sidecar goes to the first")
            << QList<QByteArray>{"r.DNG", "r.CR2", "r.xmp"} << QList<bool>{true, true, true}
            << QStringList{"r.xmp>r.CR2:.xmp"};
        QTest::newRow("other stems are not companions")
            << QList<QByteArray>{"IMG_1.CR2", "IMG_10.JPG", "img_1.jpg", "IMG_1.txt"} << QList<bool>{true, true, true, true}
            << QStringList{};
    }

    void companions()
    {
        QFETCH(QList<QByteArray>, names);
        QFETCH(QList<bool>, mayBeMain);
        QFETCH(QStringList, expected);
        const auto links = CompanionGrouper::group(names, mayBeMain);
        QStringList got;
        for (qsizetype i = 0; i < links.size(); ++i) {
            if (links.at(i).main >= 0)
                got.append(QString::fromUtf8(names.at(i) + '>' + names.at(links.at(i).main) + ':' + links.at(i).tail));
        }
        got.sort();
        expected.sort();
        QCOMPARE(got, expected);
    }
};

QTEST_GUILESS_MAIN(TestNameBuilder)
#include "tst_namebuilder.moc"
