#include "gui/presetstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>

namespace oncutf::gui {

using core::ErrorCode;
using core::makeError;
using core::rename::Recipe;

namespace {

const QString RecentKey = QStringLiteral("presets/recent");

// One spelling per file, so the same preset reached through "./x.json" and "/home/u/x.json" is
// one recent entry.
QString canonical(const QString &path)
{
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

ErrorCode codeOf(QFileDevice::FileError error)
{
    switch (error) {
    case QFileDevice::PermissionsError:
        return ErrorCode::PermissionDenied;
    case QFileDevice::OpenError:
    case QFileDevice::ReadError:
    case QFileDevice::WriteError:
    case QFileDevice::ResourceError:
    default:
        return ErrorCode::Io;
    }
}

} // namespace

PresetStore::PresetStore(QSettings &settings) : m_settings(settings) {}

core::Status PresetStore::save(const Recipe &recipe, const QString &path)
{
    const QString file = canonical(path);
    if (const core::Status valid = recipe.validate(); !valid)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("not saved, the recipe is not valid: ") + valid.error().message, file);
    const QFileInfo info(file);
    if (!QDir().mkpath(info.absolutePath()))
        return makeError(ErrorCode::Io, QStringLiteral("cannot create the folder ") + info.absolutePath(), file);

    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly))
        return makeError(codeOf(out.error()), QStringLiteral("cannot write the preset: ") + out.errorString(), file);
    const QByteArray json = recipe.toJson();
    if (out.write(json) != json.size() || !out.commit())
        return makeError(codeOf(out.error()), QStringLiteral("cannot write the preset: ") + out.errorString(), file);
    addRecent(file);
    return {};
}

core::Result<Recipe> PresetStore::load(const QString &path)
{
    const QString file = canonical(path);
    QFile in(file);
    if (!in.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("no such preset file"), file);
    if (!in.open(QIODevice::ReadOnly))
        return makeError(codeOf(in.error()), QStringLiteral("cannot read the preset: ") + in.errorString(), file);
    auto recipe = Recipe::fromJson(in.readAll());
    if (!recipe)
        return makeError(recipe.error().code, QStringLiteral("not a valid preset: ") + recipe.error().message, file);
    addRecent(file);
    return recipe;
}

QStringList PresetStore::recentPresets() const
{
    QStringList out;
    const QStringList stored = m_settings.value(RecentKey).toStringList();
    for (const QString &path : stored) {
        if (out.size() >= MaxRecent)
            break;
        if (QFileInfo(path).isFile() && !out.contains(path))
            out.append(path);
    }
    return out;
}

void PresetStore::addRecent(const QString &path)
{
    const QString file = canonical(path);
    QStringList list = recentPresets();
    list.removeAll(file);
    list.prepend(file);
    while (list.size() > MaxRecent)
        list.removeLast();
    m_settings.setValue(RecentKey, list);
}

QString PresetStore::defaultFolder()
{
    const QString folder =
        QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/presets");
    QDir().mkpath(folder);
    return folder;
}

} // namespace oncutf::gui
