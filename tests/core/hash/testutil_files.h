#pragma once

#include <QByteArray>

#include <memory>

class QTemporaryDir;

namespace oncutf::tests {

/// Deterministic pseudo-random bytes.
[[nodiscard]] QByteArray randomBytes(qsizetype size, unsigned seed);

/// Creates or replaces `path` (native bytes) with `contents`; QVERIFY-fails the test on error.
void writeFile(const QByteArray &path, const QByteArray &contents);

/// A fresh temporary folder whose removal also works for names that are not UTF-8 (QTemporaryDir
/// removes through QString and leaves such files behind).
class ByteTempDir final {
public:
    ByteTempDir();
    ~ByteTempDir();
    ByteTempDir(const ByteTempDir &) = delete;
    ByteTempDir &operator=(const ByteTempDir &) = delete;

    [[nodiscard]] bool isValid() const;
    [[nodiscard]] QByteArray path() const;
    /// path() + '/' + name
    [[nodiscard]] QByteArray file(const QByteArray &name) const;

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

} // namespace oncutf::tests
