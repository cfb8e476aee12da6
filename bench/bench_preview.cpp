// bench_preview [FILES]: the rename planner alone (what the live preview recomputes after every
// edit) on FILES (default 100,000) empty files in one real folder, with the 5 modules of
// bench/bench_rename.sh: the file date, text, a per-folder counter, text, a literal replace, and an
// upper-case final transform. The folder is really listed for conflicts and probed for case
// sensitivity, as in use. Goal (issue #6): under 0.3 s for 100k files. Median of 5 runs.
// A plain timed program: bench/bench_rename.sh prints its line next to the end-to-end figures.

#include "core/rename/recipe.h"
#include "core/rename/renameinput.h"
#include "core/rename/renameplanner.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace oncutf::core::rename;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int count = argc > 1 ? std::max(1, atoi(argv[1])) : 100'000;
    QTemporaryDir dir;
    if (!dir.isValid())
        return 1;
    const QByteArray folder = QFile::encodeName(dir.path());
    QList<RenameInput> inputs;
    inputs.reserve(count);
    const qint64 base = 1'700'000'000LL * 1'000'000'000LL;
    for (int i = 0; i < count; ++i) {
        RenameInput input;
        input.path = folder + "/file" + QByteArray::number(i).rightJustified(6, '0') + ".dat";
        QFile touch(QFile::decodeName(input.path));
        if (!touch.open(QIODevice::WriteOnly))
            return 1;
        input.mtimeNs = base + qint64(i) * 1'000'000'000LL;
        inputs.append(std::move(input));
    }

    auto recipe = Recipe::fromJson(R"({"modules": [
        {"type": "metadata", "field": "file:mtime", "format": "%Y%m%d"},
        {"type": "text", "text": "_"},
        {"type": "counter", "start": 1, "step": 1, "padding": 6, "scope": "per_folder"},
        {"type": "text", "text": "_"},
        {"type": "replace", "find": "file", "replace": "img", "regex": false, "case_sensitive": true}],
        "final_transform": {"case": "upper"}})");
    if (!recipe) {
        std::fprintf(stderr, "recipe: %s\n", qPrintable(recipe.error().message));
        return 1;
    }
    const RenamePlanner planner(*recipe);
    std::vector<double> seconds;
    RenamePlan plan;
    for (int run = 0; run < 5; ++run) {
        const auto start = std::chrono::steady_clock::now();
        plan = planner.plan(inputs);
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    std::printf("%-66s %8.3f s  %s (%lld ok)\n", qPrintable(QStringLiteral("planner alone (bench_preview), 5 modules, %1 files").arg(count)),
                seconds[seconds.size() / 2], seconds[seconds.size() / 2] < 0.3 ? "goal < 0.3 s met" : "goal < 0.3 s NOT met",
                static_cast<long long>(plan.summary.ok));
    return plan.summary.ok == count ? 0 : 1;
}
