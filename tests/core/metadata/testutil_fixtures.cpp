#include "testutil_fixtures.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>

#include <unistd.h>

namespace oncutf::tests {

QString MetadataFixtures::generatorPath()
{
    return QStringLiteral(ONCUTF_SOURCE_DIR "/tests/data/make_fixtures.py");
}

bool MetadataFixtures::generate(const QString &dir, QString *error)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral("python3"), {generatorPath(), dir});
    if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit
        || process.exitCode() != 0) {
        *error = QStringLiteral("fixture generator failed: ") + QString::fromLocal8Bit(process.readAll());
        return false;
    }
    QFile manifest(dir + QStringLiteral("/manifest.json"));
    if (!manifest.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("no manifest.json");
        return false;
    }
    const QByteArray base = QFile::encodeName(dir);
    const QJsonArray list = QJsonDocument::fromJson(manifest.readAll()).array();
    for (const QJsonValue &value : list) {
        const QJsonObject entry = value.toObject();
        MetadataFixture fixture;
        fixture.name = QByteArray::fromHex(entry.value(QStringLiteral("name_hex")).toString().toLatin1());
        fixture.kind = entry.value(QStringLiteral("kind")).toString();
        fixture.path = base + '/' + fixture.name;
        m_entries.append(fixture);
    }
    return !m_entries.isEmpty();
}

QByteArray MetadataFixtures::path(const QByteArray &name) const
{
    for (const MetadataFixture &fixture : m_entries) {
        if (fixture.name == name) {
            return fixture.path;
        }
    }
    return {};
}

void MetadataFixtures::removeFiles() const
{
    for (const MetadataFixture &fixture : m_entries) {
        if (fixture.kind != QLatin1String("dir")) {
            ::unlink(fixture.path.constData());
        }
    }
}

QList<QByteArray> MetadataFixtures::paths(const QStringList &kinds) const
{
    QList<QByteArray> out;
    for (const MetadataFixture &fixture : m_entries) {
        if (kinds.contains(fixture.kind)) {
            out.append(fixture.path);
        }
    }
    return out;
}

QHash<QByteArray, QJsonObject> MetadataFixtures::referenceJson(const QList<QByteArray> &paths,
                                                               const QStringList &args, QString *error)
{
    QHash<QByteArray, QJsonObject> result;
    QTemporaryDir aliases;
    if (!aliases.isValid()) {
        *error = QStringLiteral("no temporary directory");
        return result;
    }
    QHash<QString, QByteArray> byAlias;
    QStringList arguments = args;
    arguments << QStringLiteral("-json") << QStringLiteral("-charset") << QStringLiteral("filename=UTF8");
    for (qsizetype i = 0; i < paths.size(); ++i) {
        const QByteArray &real = paths.at(i);
        const QByteArray name = real.mid(real.lastIndexOf('/') + 1);
        const qsizetype dot = name.lastIndexOf('.');
        const QByteArray alias = QByteArray::number(i) + (dot >= 0 ? name.mid(dot) : QByteArray());
        const QString aliasPath = aliases.path() + QLatin1Char('/') + QString::fromLatin1(alias);
        if (::symlink(real.constData(), QFile::encodeName(aliasPath).constData()) != 0) {
            *error = QStringLiteral("symlink failed");
            return {};
        }
        byAlias.insert(aliasPath, real);
        arguments << aliasPath;
    }
    QProcess process;
    process.start(QStringLiteral("exiftool"), arguments);
    if (!process.waitForFinished(120000)) {
        *error = QStringLiteral("exiftool did not finish");
        return {};
    }
    const QJsonArray list = QJsonDocument::fromJson(process.readAllStandardOutput()).array();
    for (const QJsonValue &value : list) {
        QJsonObject object = value.toObject();
        const QString source = object.take(QStringLiteral("SourceFile")).toString();
        if (byAlias.contains(source)) {
            result.insert(byAlias.value(source), object);
        }
    }
    return result;
}

} // namespace oncutf::tests
