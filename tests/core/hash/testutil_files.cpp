#include "testutil_files.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <ftw.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace oncutf::tests {

QByteArray randomBytes(qsizetype size, unsigned seed)
{
    // splitmix64, 8 bytes per step: the fixtures reach megabytes, also under the sanitizers.
    quint64 state = 0x9E3779B97F4A7C15ULL * (quint64(seed) + 1);
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; i += 8) {
        quint64 z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        std::memcpy(bytes.data() + i, &z, std::size_t(qMin<qsizetype>(8, size - i)));
    }
    return bytes;
}

void writeFile(const QByteArray &path, const QByteArray &contents)
{
    const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    QVERIFY2(fd >= 0, path.constData());
    QCOMPARE(::write(fd, contents.constData(), std::size_t(contents.size())), ssize_t(contents.size()));
    QCOMPARE(::close(fd), 0);
}

ByteTempDir::ByteTempDir() : m_dir(std::make_unique<QTemporaryDir>()) {}

ByteTempDir::~ByteTempDir()
{
    if (!m_dir->isValid())
        return;
    // Children before parents, symlinks not followed; QTemporaryDir then finds an empty folder.
    ::nftw(
        path().constData(),
        [](const char *p, const struct stat *, int, struct FTW *ftw) {
            if (ftw->level > 0)
                ::remove(p);
            return 0;
        },
        16, FTW_DEPTH | FTW_PHYS);
}

bool ByteTempDir::isValid() const
{
    return m_dir->isValid();
}

QByteArray ByteTempDir::path() const
{
    return QFile::encodeName(m_dir->path());
}

QByteArray ByteTempDir::file(const QByteArray &name) const
{
    return path() + '/' + name;
}

} // namespace oncutf::tests
