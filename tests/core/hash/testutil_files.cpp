#include "testutil_files.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <ftw.h>
#include <unistd.h>

#include <cstdio>
#include <random>

namespace oncutf::tests {

QByteArray randomBytes(qsizetype size, unsigned seed)
{
    std::mt19937 gen(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (char &c : bytes)
        c = static_cast<char>(gen() & 0xFFU);
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
