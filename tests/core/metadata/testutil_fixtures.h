#pragma once
// Test helpers of the metadata tests: the generated fixture set (tests/data/make_fixtures.py) and
// a reference `exiftool -json -G` run over any files, including names the command line of a Qt
// process cannot carry.

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace oncutf::tests {

struct MetadataFixture {
    QByteArray name; // file name bytes
    QString kind;    // tagged, plain, odd, dir, sidecar
    QByteArray path; // absolute native path
};

class MetadataFixtures final {
public:
    /// Runs the generator into `dir`; false (with `error`) when python3 or exiftool failed.
    bool generate(const QString &dir, QString *error);

    [[nodiscard]] const QList<MetadataFixture> &entries() const { return m_entries; }
    [[nodiscard]] QByteArray path(const QByteArray &name) const;
    [[nodiscard]] QList<QByteArray> paths(const QStringList &kinds) const;

    /// `exiftool <args> -json FILES` in one call; FILES are reached through symlinks with safe
    /// names (the index plus the original extension, so ExifTool's type rules see the same
    /// extension). Returns each file's JSON object by its real path; SourceFile is removed.
    static QHash<QByteArray, QJsonObject> referenceJson(const QList<QByteArray> &paths,
                                                        const QStringList &args, QString *error);

    /// The directory of tests/data/make_fixtures.py.
    static QString generatorPath();

    /// Unlinks the generated files by their exact bytes: QTemporaryDir cannot remove a name that
    /// is not UTF-8 (it decodes and re-encodes it).
    void removeFiles() const;

private:
    QList<MetadataFixture> m_entries;
};

} // namespace oncutf::tests
