#pragma once

#include "core/error.h"
#include "core/rename/recipe.h"

#include <QList>
#include <QStringView>

namespace oncutf::core::rename {

/// Compiles the CLI's `--template` shorthand into recipe modules, for quick use without a file:
///   {name}                               original_name
///   {counter[:padding[:start[:step[:scope]]]]}  counter (defaults 3, 1, 1, per_folder)
///   {date[:format]}                      metadata capture_date (EXIF:DateTimeOriginal, then the
///                                        other capture dates), default format %Y%m%d_%H%M%S
///   {meta:FIELD[:format]}                metadata FIELD ("EXIF:Model", "Model"); the format
///                                        starts at the first ":%"
///   {mtime[:format]} {ctime[:format]}    metadata file:mtime / file:ctime
///   {hash}                               the CRC32
///   anything else                        literal text; "{{" and "}}" are literal braces
/// Example: "{date:%Y%m%d}_{counter:3}_{name}". Errors name the 1-based column.
/// Owner: the CLI (and the GUI's quick-template field). Threading: stateless; reentrant.
class TemplateCompiler final {
public:
    TemplateCompiler() = delete;

    [[nodiscard]] static Result<QList<RecipeModule>> compileModules(QStringView text);
    /// A default recipe (sort name, on_conflict fail, companions on) with the compiled modules.
    [[nodiscard]] static Result<Recipe> compile(QStringView text);
};

} // namespace oncutf::core::rename
