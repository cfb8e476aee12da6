#include "core/rename/renameplanner.h"

#include "core/files/companiongrouper.h"
#include "core/files/nativepath.h"
#include "core/logging.h"
#include "core/rename/filenamevalidator.h"
#include "core/rename/namebuilder.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QScopeGuard>
#include <QSet>

#include <algorithm>
#include <atomic>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace oncutf::core::rename {

namespace {

constexpr int MaxSuffixAttempts = 9999;

// ---- disk helpers --------------------------------------------------------------------------

QList<QByteArray> listFolder(const QByteArray &folder)
{
    QList<QByteArray> names;
    DIR *dir = ::opendir(folder.constData());
    if (!dir)
        return names;
    while (const dirent *entry = ::readdir(dir)) {
        const char *name = entry->d_name;
        if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))
            continue;
        names.append(QByteArray(name));
    }
    ::closedir(dir);
    return names;
}

QByteArray joinPath(const QByteArray &folder, const QByteArray &name)
{
    const bool slash = !folder.endsWith('/');
    QByteArray path(folder.size() + qsizetype(slash) + name.size(), Qt::Uninitialized);
    char *out = path.data();
    std::memcpy(out, folder.constData(), size_t(folder.size()));
    out += folder.size();
    if (slash)
        *out++ = '/';
    std::memcpy(out, name.constData(), size_t(name.size()));
    return path;
}

QByteArray swapAsciiCase(const QByteArray &name)
{
    QByteArray out = name;
    for (char &c : out) {
        if (c >= 'a' && c <= 'z')
            c = char(c - 'a' + 'A');
        else if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    }
    return out;
}

bool sameFile(const QByteArray &a, const QByteArray &b)
{
    struct stat sa {};
    struct stat sb {};
    return ::lstat(a.constData(), &sa) == 0 && ::lstat(b.constData(), &sb) == 0 && sa.st_dev == sb.st_dev
           && sa.st_ino == sb.st_ino;
}

// See RenamePlanner::isCaseInsensitiveFolder; `names` is the folder's listing.
bool probeCaseInsensitive(const QByteArray &folder, const QList<QByteArray> &names)
{
    struct stat folderStat {};
    if (::stat(folder.constData(), &folderStat) != 0 || !S_ISDIR(folderStat.st_mode))
        return false;

    // 1. Without writing: an existing name with letters, looked up with its case swapped. This
    //    is per folder, which also catches ext4 casefold folders on a case-sensitive file system.
    // Both spellings listed as entries of their own: the folder tells case apart. At most a few
    // names are tried, so a scan of the listing beats hashing it.
    const auto present = [&names](const QByteArray &wanted) {
        return std::any_of(names.cbegin(), names.cend(), [&wanted](const QByteArray &n) { return n == wanted; });
    };
    int tries = 0;
    for (const QByteArray &name : names) {
        const QByteArray swapped = swapAsciiCase(name);
        if (swapped == name)
            continue;
        if (present(swapped))
            return false;
        struct stat st {};
        const QByteArray swappedPath = joinPath(folder, swapped);
        if (::lstat(swappedPath.constData(), &st) == 0 && sameFile(joinPath(folder, name), swappedPath))
            return true;
        if (++tries >= 3)
            return false;
    }
    if (tries > 0)
        return false;

    // 2. No name with letters: a probe file, once per file system (st_dev).
    static QMutex cacheMutex;
    static QHash<dev_t, bool> cache;
    {
        QMutexLocker lock(&cacheMutex);
        const auto it = cache.constFind(folderStat.st_dev);
        if (it != cache.cend())
            return it.value();
    }
    static std::atomic<int> sequence{0};
    const QByteArray probe = QByteArrayLiteral(".oncutf-case-probe-") + QByteArray::number(::getpid()) + '-'
                             + QByteArray::number(sequence.fetch_add(1)) + "-abc";
    const QByteArray probePath = joinPath(folder, probe);
    const int fd = ::open(probePath.constData(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        qCDebug(lcRename) << "cannot probe case sensitivity of" << files::toDisplay(folder)
                          << "(read-only, no name with letters); taking it as case-sensitive";
        return false;
    }
    ::close(fd);
    const bool insensitive = sameFile(probePath, joinPath(folder, probe.toUpper()));
    ::unlink(probePath.constData());
    QMutexLocker lock(&cacheMutex);
    cache.insert(folderStat.st_dev, insensitive);
    return insensitive;
}

// Folding for a case-insensitive file system: ASCII fast path, Unicode case folding otherwise.
QByteArray foldName(const QByteArray &name)
{
    for (const char c : name) {
        if (static_cast<unsigned char>(c) >= 0x80)
            return files::fsEncode(files::fsDecode(name).toCaseFolded());
    }
    return name.toLower();
}

// ---- sorting -------------------------------------------------------------------------------

// A byte string whose plain (memcmp) order is the wanted order: case-folded UTF-8, and for the
// natural sort every digit run becomes '0', its length without leading zeros, then those digits,
// so "file2" < "file10" (digits sort where they did among the other characters).
void appendSortKey(QByteArray &key, const QByteArray &name, bool natural)
{
    bool ascii = true;
    for (const char c : name) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            ascii = false;
            break;
        }
    }
    const QByteArray folded = ascii ? name : files::fsEncode(files::fsDecode(name).toCaseFolded());
    // Written through a pointer into a buffer sized for the worst case (a digit run grows by
    // two bytes), then cut to size: one allocation per key.
    const qsizetype base = key.size();
    const qsizetype n = folded.size();
    key.resize(base + 2 * n + 2);
    char *out = key.data() + base;
    const char *in = folded.constData();
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    for (qsizetype i = 0; i < n;) {
        const char c = in[i];
        if (!natural || c < '0' || c > '9') {
            *out++ = lower(c);
            ++i;
            continue;
        }
        qsizetype end = i;
        while (end < n && in[end] >= '0' && in[end] <= '9')
            ++end;
        qsizetype first = i;
        while (first + 1 < end && in[first] == '0')
            ++first;
        const qsizetype digits = std::min<qsizetype>(end - first, 255);
        *out++ = '0';
        *out++ = char(digits);
        std::memcpy(out, in + first, size_t(digits));
        out += digits;
        i = end;
    }
    key.truncate(out - key.constData());
}

// ---- planning state ------------------------------------------------------------------------

struct Folder {
    QByteArray path;
    bool caseInsensitive = false;
    QList<QByteArray> diskNames;
    QHash<QByteArray, qsizetype> batchByName; ///< name -> entry, for the files of the batch
    /// Everything known about one name (key) of the folder, in one hash so that each name is
    /// hashed once per question.
    struct Slot {
        qsizetype owner = -1;  ///< item whose current name it is
        qsizetype claim = -1;  ///< unit that will take the name
        qsizetype external = -1; ///< a file that is not in the plan holds it: index in diskNames
    };
    QHash<QByteArray, Slot> slots;

    [[nodiscard]] const Slot *find(const QByteArray &key) const
    {
        const auto it = slots.constFind(key);
        return it == slots.cend() ? nullptr : &it.value();
    }
    [[nodiscard]] bool isExternal(const QByteArray &key) const
    {
        const Slot *slot = find(key);
        return slot && slot->external >= 0;
    }
    [[nodiscard]] qsizetype claimOf(const QByteArray &key) const
    {
        const Slot *slot = find(key);
        return slot ? slot->claim : -1;
    }
    void setClaim(const QByteArray &key, qsizetype unit) { slots[key].claim = unit; }
    void dropClaim(const QByteArray &key, qsizetype unit)
    {
        const auto it = slots.find(key);
        if (it != slots.end() && it->claim == unit)
            it->claim = -1;
    }
    void clearClaims()
    {
        for (Slot &slot : slots)
            slot.claim = -1;
    }

    [[nodiscard]] QByteArray key(const QByteArray &name) const { return caseInsensitive ? foldName(name) : name; }
};

struct Entry {
    QByteArray path;
    QByteArray name;
    int folder = 0;
    qsizetype input = -1;      ///< index in the inputs; -1 for a companion found on disk only
    qsizetype companionOf = -1; ///< entry index of the main
    QByteArray tail;           ///< for companions: the name after the main's stem
    qsizetype nextCompanion = -1; ///< next companion of the same main (entry index)
};

enum class UnitState { Moving, Stationary };

struct Unit {
    qsizetype begin = 0; ///< items [begin, end): the main, then its companions
    qsizetype end = 0;
    int folder = 0;
    UnitState state = UnitState::Moving;
    ItemStatus status = ItemStatus::Ok;
    QString reason;
    QByteArray recipeStem; ///< the stem the recipe made, before any suffix (set when first needed)
};

struct WorkItem {
    QByteArray oldName;
    QByteArray newName;  ///< unit stem + tail, the tail being the last tailSize bytes
    qsizetype tailSize = 0;
    QByteArray foldedOld; ///< the names folded, on a case-insensitive file system only
    QByteArray foldedNew;

    // The names as the folder compares them.
    [[nodiscard]] const QByteArray &oldKey() const { return foldedOld.isNull() ? oldName : foldedOld; }
    [[nodiscard]] const QByteArray &newKey() const { return foldedNew.isNull() ? newName : foldedNew; }
    qsizetype unit = 0;
    bool overwrite = false;
};

QString display(const QByteArray &name)
{
    return files::toDisplay(name);
}

QString plural(qsizetype n, const char *one, const char *many)
{
    return QString::number(n) + QLatin1Char(' ') + QLatin1String(n == 1 ? one : many);
}

class Planning {
public:
    Planning(const Recipe &recipe, const std::function<bool()> &isCancelled)
        : m_recipe(recipe), m_isCancelled(isCancelled)
    {
    }

    RenamePlan run(const QList<RenameInput> &inputs);

private:
    bool cancelled(qsizetype counter) const
    {
        return m_isCancelled && (counter & 1023) == 0 && m_isCancelled();
    }

    void collectEntries(const QList<RenameInput> &inputs);
    void groupCompanions();
    QList<qsizetype> sortedMains(const QList<RenameInput> &inputs) const;
    void buildUnits(const QList<RenameInput> &inputs, const QList<qsizetype> &mains);
    void indexNames();
    void findDuplicates(bool keepFirst);
    std::optional<QString> conflictOf(qsizetype unit) const;
    void makeStationary(qsizetype unit, ItemStatus status, const QString &reason, bool force = false);
    void cascade();
    void resolveSuffixes();
    bool trySuffix(qsizetype unit);
    void setStem(qsizetype unit, const QByteArray &stem);
    RenamePlan finish();

    const Recipe &m_recipe;
    const std::function<bool()> &m_isCancelled;
    QList<Folder> m_folders;
    QList<Entry> m_entries;
    QList<WorkItem> m_items;
    QList<qsizetype> m_itemEntry;
    QList<Unit> m_units;
    QList<qsizetype> m_pendingStationary; ///< units that became stationary, to cascade from
    QList<qsizetype> m_needSuffix;
    bool m_cancelled = false;
};

void Planning::collectEntries(const QList<RenameInput> &inputs)
{
    QHash<QByteArray, int> folderIds;
    m_entries.reserve(inputs.size());
    int lastFolder = -1;
    for (qsizetype i = 0; i < inputs.size(); ++i) {
        const QByteArray &path = inputs.at(i).path;
        const qsizetype slash = path.lastIndexOf('/');
        const qsizetype folderSize = slash <= 0 ? 1 : slash;
        // Batches come folder by folder: compare with the previous folder before hashing.
        int folderId = lastFolder;
        if (folderId < 0 || m_folders.at(folderId).path.size() != folderSize
            || std::memcmp(m_folders.at(folderId).path.constData(), path.constData(), size_t(folderSize)) != 0) {
            const QByteArray folderPath = slash <= 0 ? QByteArrayLiteral("/") : path.left(slash);
            auto it = folderIds.constFind(folderPath);
            if (it == folderIds.cend()) {
                it = folderIds.insert(folderPath, int(m_folders.size()));
                Folder folder;
                folder.path = folderPath;
                if (m_folders.isEmpty()) // most batches are one folder
                    folder.batchByName.reserve(inputs.size() - i);
                m_folders.append(std::move(folder));
            }
            folderId = it.value();
            lastFolder = folderId;
        }
        Entry entry;
        // A view into the input's path (the inputs outlive the plan): no copy per file.
        entry.name = QByteArray::fromRawData(path.constData() + slash + 1, path.size() - slash - 1);
        Folder &folder = m_folders[folderId];
        // One lookup: operator[] adds the name unless it is there (the same file twice is
        // planned once).
        const qsizetype known = folder.batchByName.size();
        qsizetype &slot = folder.batchByName[entry.name];
        if (folder.batchByName.size() == known)
            continue;
        slot = m_entries.size();
        entry.path = path;
        entry.folder = folderId;
        entry.input = i;
        m_entries.append(std::move(entry));
    }
    for (Folder &folder : m_folders) {
        folder.diskNames = listFolder(folder.path);
        folder.caseInsensitive = probeCaseInsensitive(folder.path, folder.diskNames);
    }
}

void Planning::groupCompanions()
{
    // Per folder: the batch files (which may lead a set) and the other files on disk (which may
    // only follow one).
    QList<QList<qsizetype>> entriesByFolder(m_folders.size());
    for (qsizetype e = 0; e < m_entries.size(); ++e)
        entriesByFolder[m_entries.at(e).folder].append(e);
    for (int f = 0; f < m_folders.size(); ++f) {
        const Folder &folder = m_folders.at(f);
        const QList<qsizetype> &batch = entriesByFolder.at(f);
        QList<QByteArray> names;
        names.reserve(batch.size() + folder.diskNames.size());
        for (const qsizetype e : batch)
            names.append(m_entries.at(e).name);
        QList<bool> mayBeMain(names.size(), true);
        for (const QByteArray &name : folder.diskNames) {
            if (!folder.batchByName.contains(name))
                names.append(name);
        }
        mayBeMain.resize(names.size(), false);
        const QList<files::CompanionGrouper::Link> links = files::CompanionGrouper::group(names, mayBeMain);
        for (qsizetype k = 0; k < links.size(); ++k) {
            const auto &link = links.at(k);
            if (link.main < 0)
                continue;
            Q_ASSERT(link.main < batch.size()); // mains are always batch files
            const qsizetype mainEntry = batch.at(link.main);
            if (k < batch.size()) {
                Entry &entry = m_entries[batch.at(k)];
                entry.companionOf = mainEntry;
                entry.tail = link.tail;
            } else {
                Entry entry;
                entry.name = names.at(k);
                entry.path = joinPath(folder.path, entry.name);
                entry.folder = f;
                entry.companionOf = mainEntry;
                entry.tail = link.tail;
                m_entries.append(std::move(entry));
            }
        }
    }
}

QList<qsizetype> Planning::sortedMains(const QList<RenameInput> &inputs) const
{
    QList<qsizetype> mains;
    mains.reserve(m_entries.size());
    for (qsizetype e = 0; e < m_entries.size(); ++e) {
        if (m_entries.at(e).companionOf < 0)
            mains.append(e);
    }
    const bool reverse = m_recipe.sortReverse;
    switch (m_recipe.sort) {
    case SortKey::Name:
    case SortKey::Natural: {
        // Folder first (ranked once), then the name: one comparable byte key per file, built
        // once, whose first 8 bytes also sit in an integer so most comparisons are one `<`.
        const bool natural = m_recipe.sort == SortKey::Natural;
        QList<int> folderRank(m_folders.size());
        {
            QList<QByteArray> folderKey(m_folders.size());
            QList<int> order(m_folders.size());
            for (int f = 0; f < m_folders.size(); ++f) {
                appendSortKey(folderKey[f], m_folders.at(f).path, natural);
                order[f] = f;
            }
            std::sort(order.begin(), order.end(), [&](int a, int b) {
                const int c = folderKey.at(a).compare(folderKey.at(b));
                return c != 0 ? c < 0 : m_folders.at(a).path < m_folders.at(b).path;
            });
            for (int r = 0; r < order.size(); ++r)
                folderRank[order.at(r)] = r;
        }
        struct Key {
            quint64 prefix = 0;
            QByteArray bytes;
        };
        QList<Key> key(m_entries.size());
        for (const qsizetype e : mains) {
            Key &k = key[e];
            appendSortKey(k.bytes, m_entries.at(e).name, natural);
            const auto *bytes = reinterpret_cast<const unsigned char *>(k.bytes.constData());
            for (qsizetype i = 0; i < 8; ++i)
                k.prefix = (k.prefix << 8) | (i < k.bytes.size() ? bytes[i] : 0U);
        }
        std::stable_sort(mains.begin(), mains.end(), [&](qsizetype a, qsizetype b) {
            const Entry &ea = m_entries.at(a);
            const Entry &eb = m_entries.at(b);
            int c = 0;
            if (ea.folder != eb.folder)
                c = folderRank.at(ea.folder) < folderRank.at(eb.folder) ? -1 : 1;
            else if (key.at(a).prefix != key.at(b).prefix)
                c = key.at(a).prefix < key.at(b).prefix ? -1 : 1;
            else
                c = key.at(a).bytes.compare(key.at(b).bytes);
            if (c == 0) // names that fold alike: byte order, so the result never depends on input order
                c = ea.name.compare(eb.name);
            return reverse ? c > 0 : c < 0;
        });
        break;
    }
    case SortKey::Mtime:
    case SortKey::Size:
    case SortKey::CaptureDate: {
        QList<qint64> key(m_entries.size(), 0);
        for (const qsizetype e : mains) {
            const RenameInput &input = inputs.at(m_entries.at(e).input);
            qint64 value = 0;
            if (m_recipe.sort == SortKey::Mtime) {
                value = input.mtimeNs;
            } else if (m_recipe.sort == SortKey::Size) {
                value = input.size;
            } else {
                // Camera dates carry no zone, so both sides compare as wall-clock time; a file
                // without one sorts by its modification time.
                const auto date = NameBuilder::captureDate(input);
                value = date ? date->wallClockMsecs() : DateParts::fromFileTime(input.mtimeNs).wallClockMsecs();
            }
            key[e] = value;
        }
        std::stable_sort(mains.begin(), mains.end(), [&](qsizetype a, qsizetype b) {
            const qint64 ka = key.at(a);
            const qint64 kb = key.at(b);
            return reverse ? ka > kb : ka < kb;
        });
        break;
    }
    }
    return mains;
}

void Planning::buildUnits(const QList<RenameInput> &inputs, const QList<qsizetype> &mains)
{
    QList<const RenameInput *> ordered;
    ordered.reserve(mains.size());
    for (const qsizetype e : mains)
        ordered.append(&inputs.at(m_entries.at(e).input));
    const NameBuilder builder(m_recipe);
    const QList<BuiltName> names = builder.build(ordered, m_isCancelled);
    if (names.size() != mains.size()) {
        m_cancelled = true;
        return;
    }

    // Companions of each main, chained through the entries (most files have none).
    QList<qsizetype> firstCompanion;
    for (qsizetype e = m_entries.size() - 1; e >= 0; --e) {
        const qsizetype main = m_entries.at(e).companionOf;
        if (main < 0)
            continue;
        if (firstCompanion.isEmpty())
            firstCompanion = QList<qsizetype>(m_entries.size(), -1);
        m_entries[e].nextCompanion = firstCompanion.at(main);
        firstCompanion[main] = e;
    }
    QList<qsizetype> companions;

    m_units.reserve(mains.size());
    m_items.reserve(m_entries.size());
    m_itemEntry.reserve(m_entries.size());
    const bool windowsSafe = m_recipe.windowsSafe;
    for (qsizetype k = 0; k < mains.size(); ++k) {
        const qsizetype mainEntry = mains.at(k);
        const Entry &main = m_entries.at(mainEntry);
        const BuiltName &built = names.at(k);
        Unit unit;
        unit.begin = m_items.size();
        unit.folder = main.folder;
        const qsizetype unitIndex = m_units.size();

        const auto addItem = [&](qsizetype entryIndex, QByteArray newName, qsizetype tailSize) {
            WorkItem item;
            item.oldName = m_entries.at(entryIndex).name;
            item.newName = std::move(newName);
            item.tailSize = tailSize;
            item.unit = unitIndex;
            m_items.append(std::move(item));
            m_itemEntry.append(entryIndex);
        };
        addItem(mainEntry, built.fileName, built.fileName.size() - built.stemSize);
        if (!firstCompanion.isEmpty() && firstCompanion.at(mainEntry) >= 0) {
            // By name, so the table order is stable.
            companions.clear();
            for (qsizetype c = firstCompanion.at(mainEntry); c >= 0; c = m_entries.at(c).nextCompanion)
                companions.append(c);
            std::sort(companions.begin(), companions.end(),
                      [this](qsizetype a, qsizetype b) { return m_entries.at(a).name < m_entries.at(b).name; });
            const QByteArray stem = built.stem();
            for (const qsizetype c : std::as_const(companions)) {
                const QByteArray &tail = m_entries.at(c).tail;
                addItem(c, stem + tail, tail.size());
            }
        }
        unit.end = m_items.size();

        if (!built.missing.isEmpty()) {
            unit.status = ItemStatus::MissingData;
            unit.reason = built.missing;
        } else if (built.stemSize == 0) {
            unit.status = ItemStatus::Invalid;
            unit.reason = QStringLiteral("the new name is empty (only the extension would remain)");
        } else {
            bool unchanged = true;
            for (qsizetype i = unit.begin; i < unit.end; ++i) {
                const WorkItem &item = m_items.at(i);
                if (const auto why = FileNameValidator::check(item.newName, windowsSafe)) {
                    unit.status = ItemStatus::Invalid;
                    unit.reason = i == unit.begin ? *why
                                                  : QStringLiteral("companion %1: %2").arg(display(item.oldName), *why);
                    break;
                }
                unchanged = unchanged && item.newName == item.oldName;
            }
            if (unit.status == ItemStatus::Ok && unchanged)
                unit.status = ItemStatus::Unchanged;
        }
        if (unit.status != ItemStatus::Ok)
            unit.state = UnitState::Stationary;
        m_units.append(std::move(unit));
        if (cancelled(k + 1)) {
            m_cancelled = true;
            return;
        }
    }
}

void Planning::indexNames()
{
    for (Folder &folder : m_folders)
        folder.slots.reserve(2 * folder.batchByName.size() + 16); // old names and new ones
    for (qsizetype i = 0; i < m_items.size(); ++i) {
        WorkItem &item = m_items[i];
        Folder &folder = m_folders[m_units.at(item.unit).folder];
        if (folder.caseInsensitive) {
            item.foldedOld = foldName(item.oldName);
            item.foldedNew = foldName(item.newName);
        }
        folder.slots[item.oldKey()].owner = i;
    }
    for (Folder &folder : m_folders) {
        for (qsizetype d = 0; d < folder.diskNames.size(); ++d) {
            Folder::Slot &slot = folder.slots[folder.key(folder.diskNames.at(d))];
            if (slot.owner < 0)
                slot.external = d;
        }
    }
}

void Planning::setStem(qsizetype unitIndex, const QByteArray &stem)
{
    Unit &unit = m_units[unitIndex];
    const Folder &folder = m_folders.at(unit.folder);
    for (qsizetype i = unit.begin; i < unit.end; ++i) {
        WorkItem &item = m_items[i];
        item.newName = stem + item.newName.right(item.tailSize);
        if (folder.caseInsensitive)
            item.foldedNew = foldName(item.newName);
    }
}

// Two or more moving units want one name. keepFirst: the first (in plan order) keeps it and is
// not marked (suffix and overwrite policies); otherwise all are marked duplicate.
void Planning::findDuplicates(bool keepFirst)
{
    for (Folder &folder : m_folders)
        folder.clearClaims();
    QHash<qsizetype, qsizetype> firstRival; // unit -> the unit that claimed its name first
    for (qsizetype u = 0; u < m_units.size(); ++u) {
        const Unit &unit = m_units.at(u);
        if (unit.state != UnitState::Moving)
            continue;
        Folder &folder = m_folders[unit.folder];
        for (qsizetype i = unit.begin; i < unit.end; ++i) {
            Folder::Slot &slot = folder.slots[m_items.at(i).newKey()];
            if (slot.claim < 0) {
                slot.claim = u;
            } else if (slot.claim != u && !firstRival.contains(u)) {
                firstRival.insert(u, slot.claim);
                if (!keepFirst && !firstRival.contains(slot.claim))
                    firstRival.insert(slot.claim, u);
            }
        }
    }
    if (firstRival.isEmpty())
        return;
    for (auto it = firstRival.cbegin(); it != firstRival.cend(); ++it) {
        Unit &unit = m_units[it.key()];
        const Unit &rival = m_units.at(it.value());
        unit.status = ItemStatus::Duplicate;
        unit.reason = QStringLiteral("%1 also wants this name").arg(display(m_items.at(rival.begin).oldName));
    }
}

std::optional<QString> Planning::conflictOf(qsizetype unitIndex) const
{
    const Unit &unit = m_units.at(unitIndex);
    const Folder &folder = m_folders.at(unit.folder);
    for (qsizetype i = unit.begin; i < unit.end; ++i) {
        const WorkItem &item = m_items.at(i);
        const QString who = i == unit.begin ? QString() : QStringLiteral("companion %1: ").arg(display(item.oldName));
        const Folder::Slot *slot = folder.find(item.newKey());
        if (!slot)
            continue;
        if (slot->external >= 0)
            return QString(who + QStringLiteral("%1 already exists").arg(display(folder.diskNames.at(slot->external))));
        if (slot->owner >= 0) {
            const qsizetype ownerUnit = m_items.at(slot->owner).unit;
            if (ownerUnit != unitIndex && m_units.at(ownerUnit).state == UnitState::Stationary)
                return QString(who + QStringLiteral("%1 keeps this name (it is not renamed)")
                                         .arg(display(m_items.at(slot->owner).oldName)));
        }
    }
    return std::nullopt;
}

void Planning::makeStationary(qsizetype unitIndex, ItemStatus status, const QString &reason, bool force)
{
    Unit &unit = m_units[unitIndex];
    if (unit.state == UnitState::Stationary)
        return;
    unit.state = UnitState::Stationary;
    if (unit.status == ItemStatus::Ok || force) {
        unit.status = status;
        unit.reason = reason;
    }
    // Its targets are no longer taken.
    Folder &folder = m_folders[unit.folder];
    for (qsizetype i = unit.begin; i < unit.end; ++i)
        folder.dropClaim(m_items.at(i).newKey(), unitIndex);
    m_pendingStationary.append(unitIndex);
}

// A unit that stays keeps its old names occupied: whoever planned to take one of them now
// conflicts. Skip and overwrite skip it in turn (and so on, to a fixed point); suffix looks for
// another name. Each unit becomes stationary at most once, so this is O(n) overall.
void Planning::cascade()
{
    const bool suffix = m_recipe.onConflict == ConflictPolicy::Suffix;
    while (!m_pendingStationary.isEmpty()) {
        const qsizetype s = m_pendingStationary.takeLast();
        const Unit &stationary = m_units.at(s);
        Folder &folder = m_folders[stationary.folder];
        for (qsizetype i = stationary.begin; i < stationary.end; ++i) {
            const qsizetype u = folder.claimOf(m_items.at(i).oldKey());
            if (u < 0 || u == s)
                continue;
            if (m_units.at(u).state != UnitState::Moving)
                continue;
            const QString reason = QStringLiteral("%1 keeps this name (it is not renamed)")
                                       .arg(display(m_items.at(i).oldName));
            if (suffix) {
                Unit &unit = m_units[u];
                if (unit.status == ItemStatus::Ok) {
                    unit.status = ItemStatus::Conflict;
                    unit.reason = reason;
                }
                for (qsizetype j = unit.begin; j < unit.end; ++j)
                    folder.dropClaim(m_items.at(j).newKey(), u);
                if (!trySuffix(u))
                    makeStationary(u, ItemStatus::Conflict, reason + QStringLiteral("; no free suffixed name"), true);
            } else {
                makeStationary(u, ItemStatus::Conflict, reason, true);
            }
        }
    }
}

bool Planning::trySuffix(qsizetype unitIndex)
{
    Unit &unit = m_units[unitIndex];
    const Folder &folder = m_folders.at(unit.folder);
    if (unit.recipeStem.isNull()) {
        const WorkItem &main = m_items.at(unit.begin);
        unit.recipeStem = main.newName.left(main.newName.size() - main.tailSize);
    }
    const QByteArray baseStem = unit.recipeStem;
    // A unit suffixed before and pushed out again by the cascade starts over from its base.
    if (const qsizetype was = unit.reason.indexOf(QLatin1String("; renamed to ")); was >= 0)
        unit.reason.truncate(was);
    const qsizetype marker = m_recipe.suffix.indexOf(QLatin1String("{n}"));
    const QByteArray before = files::fsEncode(QStringView(m_recipe.suffix).left(marker));
    const QByteArray after = files::fsEncode(QStringView(m_recipe.suffix).mid(marker + 3));
    for (int n = 1; n <= MaxSuffixAttempts; ++n) {
        const QByteArray stem = baseStem + before + QByteArray::number(n) + after;
        bool free = true;
        for (qsizetype i = unit.begin; i < unit.end && free; ++i) {
            const WorkItem &item = m_items.at(i);
            const QByteArray name = stem + item.newName.right(item.tailSize);
            if (!FileNameValidator::isValid(name, m_recipe.windowsSafe)) {
                return false; // longer suffixes will not fit either
            }
            const QByteArray key = folder.key(name);
            const Folder::Slot *slot = folder.find(key);
            if (!slot)
                continue;
            if (slot->external >= 0 || slot->claim >= 0) {
                free = false;
                break;
            }
            if (slot->owner >= 0) {
                const qsizetype ownerUnit = m_items.at(slot->owner).unit;
                if (ownerUnit != unitIndex && m_units.at(ownerUnit).state == UnitState::Stationary)
                    free = false;
            }
        }
        if (!free)
            continue;
        setStem(unitIndex, stem);
        Folder &claimFolder = m_folders[unit.folder];
        for (qsizetype i = unit.begin; i < unit.end; ++i)
            claimFolder.setClaim(m_items.at(i).newKey(), unitIndex);
        unit.reason = unit.reason + QStringLiteral("; renamed to %1 instead").arg(display(m_items.at(unit.begin).newName));
        return true;
    }
    return false;
}

void Planning::resolveSuffixes()
{
    // Units that keep their recipe name claim it first; the others then search around them.
    for (qsizetype u = 0; u < m_units.size(); ++u) {
        Unit &unit = m_units[u];
        if (unit.state != UnitState::Moving)
            continue;
        if (unit.status == ItemStatus::Duplicate) {
            m_needSuffix.append(u);
            continue;
        }
        if (const auto why = conflictOf(u)) {
            unit.status = ItemStatus::Conflict;
            unit.reason = *why;
            m_needSuffix.append(u);
        }
    }
    for (Folder &folder : m_folders)
        folder.clearClaims();
    QSet<qsizetype> waiting(m_needSuffix.cbegin(), m_needSuffix.cend());
    for (qsizetype u = 0; u < m_units.size(); ++u) {
        const Unit &unit = m_units.at(u);
        if (unit.state != UnitState::Moving || waiting.contains(u))
            continue;
        Folder &folder = m_folders[unit.folder];
        for (qsizetype i = unit.begin; i < unit.end; ++i)
            folder.setClaim(m_items.at(i).newKey(), u);
    }
    for (const qsizetype u : std::as_const(m_needSuffix)) {
        if (!trySuffix(u))
            makeStationary(u, m_units.at(u).status, m_units.at(u).reason + QStringLiteral("; no free suffixed name"));
    }
    // Every stationary unit (unchanged, invalid, missing data, unsuffixable) keeps its names.
    for (qsizetype u = 0; u < m_units.size(); ++u) {
        if (m_units.at(u).state == UnitState::Stationary)
            m_pendingStationary.append(u);
    }
    cascade();
}

RenamePlan Planning::run(const QList<RenameInput> &inputs)
{
    RenamePlan plan;
    plan.policy = m_recipe.onConflict;
    if (const Status status = m_recipe.validate(); !status) {
        for (const RenameInput &input : inputs) {
            PlanItem item;
            item.oldPath = input.path;
            item.newPath = input.path;
            item.status = ItemStatus::Invalid;
            item.action = ItemAction::Skip;
            item.reason = QStringLiteral("recipe: ") + status.error().message;
            plan.items.append(std::move(item));
            ++plan.summary.invalid;
            ++plan.summary.skipped;
        }
        plan.summary.total = plan.items.size();
        plan.refusal = QStringLiteral("The recipe is not valid: ") + status.error().message;
        return plan;
    }

    QElapsedTimer timer;
    timer.start();
    qint64 phases[6] = {};
    collectEntries(inputs);
    phases[0] = timer.nsecsElapsed();
    if (m_recipe.companions)
        groupCompanions();
    phases[1] = timer.nsecsElapsed();
    const QList<qsizetype> mains = sortedMains(inputs);
    phases[2] = timer.nsecsElapsed();
    buildUnits(inputs, mains);
    phases[3] = timer.nsecsElapsed();
    if (m_cancelled || (m_isCancelled && m_isCancelled())) {
        plan.refusal = QStringLiteral("cancelled");
        return plan;
    }
    indexNames();
    phases[4] = timer.nsecsElapsed();
    const auto logPhases = qScopeGuard([&] {
        phases[5] = timer.nsecsElapsed();
        qCDebug(lcRename, "plan of %lld files (ms): list %.1f, companions %.1f, sort %.1f, names %.1f, "
                          "index %.1f, policy+items %.1f",
                qlonglong(inputs.size()), double(phases[0]) / 1e6, double(phases[1] - phases[0]) / 1e6,
                double(phases[2] - phases[1]) / 1e6, double(phases[3] - phases[2]) / 1e6,
                double(phases[4] - phases[3]) / 1e6, double(phases[5] - phases[4]) / 1e6);
    });

    switch (m_recipe.onConflict) {
    case ConflictPolicy::Fail:
        // Report first-order problems only: nothing will move, so no cascade is meaningful.
        findDuplicates(false);
        for (qsizetype u = 0; u < m_units.size(); ++u) {
            Unit &unit = m_units[u];
            if (unit.state != UnitState::Moving || unit.status != ItemStatus::Ok)
                continue;
            if (const auto why = conflictOf(u)) {
                unit.status = ItemStatus::Conflict;
                unit.reason = *why;
            }
        }
        break;
    case ConflictPolicy::Skip:
    case ConflictPolicy::Overwrite: {
        const bool overwrite = m_recipe.onConflict == ConflictPolicy::Overwrite;
        findDuplicates(overwrite);
        for (qsizetype u = 0; u < m_units.size(); ++u) {
            if (m_units.at(u).state == UnitState::Stationary)
                m_pendingStationary.append(u);
            else if (m_units.at(u).status == ItemStatus::Duplicate)
                makeStationary(u, ItemStatus::Duplicate, m_units.at(u).reason);
        }
        // Claims of the units still moving, for the cascade.
        for (Folder &folder : m_folders)
            folder.clearClaims();
        for (qsizetype u = 0; u < m_units.size(); ++u) {
            const Unit &unit = m_units.at(u);
            if (unit.state != UnitState::Moving)
                continue;
            Folder &folder = m_folders[unit.folder];
            for (qsizetype i = unit.begin; i < unit.end; ++i)
                folder.setClaim(m_items.at(i).newKey(), u);
        }
        for (qsizetype u = 0; u < m_units.size(); ++u) {
            if (m_units.at(u).state != UnitState::Moving)
                continue;
            const Unit &unit = m_units.at(u);
            const Folder &folder = m_folders.at(unit.folder);
            bool external = false;
            for (qsizetype i = unit.begin; i < unit.end && !external; ++i)
                external = folder.isExternal(m_items.at(i).newKey());
            if (!external)
                continue;
            const auto why = conflictOf(u);
            if (overwrite) {
                Unit &w = m_units[u];
                w.status = ItemStatus::Conflict;
                w.reason = *why + QStringLiteral("; it is replaced (kept in the holding folder for undo)");
                for (qsizetype i = w.begin; i < w.end; ++i)
                    m_items[i].overwrite = folder.isExternal(m_items.at(i).newKey());
            } else {
                makeStationary(u, ItemStatus::Conflict, *why);
            }
        }
        cascade();
        break;
    }
    case ConflictPolicy::Suffix:
        findDuplicates(true);
        resolveSuffixes();
        break;
    }
    return finish();
}

RenamePlan Planning::finish()
{
    RenamePlan plan;
    plan.policy = m_recipe.onConflict;
    plan.items.reserve(m_items.size());
    plan.moves.reserve(m_items.size());
    PlanSummary &summary = plan.summary;
    const bool fail = m_recipe.onConflict == ConflictPolicy::Fail;
    for (qsizetype u = 0; u < m_units.size(); ++u) {
        const Unit &unit = m_units.at(u);
        const QByteArray &folder = m_folders.at(unit.folder).path;
        for (qsizetype i = unit.begin; i < unit.end; ++i) {
            const WorkItem &work = m_items.at(i);
            PlanItem item;
            const Entry &entry = m_entries.at(m_itemEntry.at(i));
            item.oldPath = entry.path;
            item.input = entry.input;
            // A row without a name (missing data) shows its old one.
            item.newPath = work.newName == work.oldName || unit.status == ItemStatus::MissingData
                               ? item.oldPath
                               : joinPath(folder, work.newName);
            item.status = unit.status;
            item.reason = unit.reason;
            if (i != unit.begin) {
                item.companionOf = unit.begin;
                if (unit.status != ItemStatus::Ok && unit.status != ItemStatus::Unchanged
                    && !item.reason.startsWith(QLatin1String("companion ")))
                    item.reason = QStringLiteral("follows %1: %2").arg(display(m_items.at(unit.begin).oldName),
                                                                          unit.reason);
            }
            if (unit.status == ItemStatus::Unchanged) {
                item.action = ItemAction::None;
            } else if (unit.state == UnitState::Stationary || (fail && unit.status != ItemStatus::Ok)) {
                item.action = ItemAction::Skip;
            } else {
                item.action = work.overwrite ? ItemAction::Overwrite : ItemAction::Rename;
            }
            switch (item.status) {
            case ItemStatus::Ok:
                ++summary.ok;
                break;
            case ItemStatus::Unchanged:
                ++summary.unchanged;
                break;
            case ItemStatus::Invalid:
                ++summary.invalid;
                break;
            case ItemStatus::Duplicate:
                ++summary.duplicate;
                break;
            case ItemStatus::Conflict:
                ++summary.conflict;
                break;
            case ItemStatus::MissingData:
                ++summary.missingData;
                break;
            }
            if (item.action == ItemAction::Skip)
                ++summary.skipped;
            if (item.action == ItemAction::Rename || item.action == ItemAction::Overwrite)
                plan.moves.append(Move{item.oldPath, item.newPath, item.action == ItemAction::Overwrite});
            plan.items.append(std::move(item));
        }
    }
    summary.total = plan.items.size();

    const qsizetype problems = summary.invalid + summary.duplicate + summary.conflict + summary.missingData;
    if (fail && problems > 0) {
        QStringList parts;
        if (summary.invalid)
            parts.append(plural(summary.invalid, "invalid", "invalid"));
        if (summary.duplicate)
            parts.append(plural(summary.duplicate, "duplicate", "duplicates"));
        if (summary.conflict)
            parts.append(plural(summary.conflict, "conflict", "conflicts"));
        if (summary.missingData)
            parts.append(plural(summary.missingData, "missing data", "missing data"));
        plan.moves.clear();
        summary.toRename = 0;
        plan.refusal = parts.join(QStringLiteral(", "))
                       + QStringLiteral("; nothing is renamed (on_conflict is fail; choose skip, suffix or "
                                        "overwrite, or change the recipe)");
        plan.runnable = false;
        return plan;
    }
    summary.toRename = plan.moves.size();
    if (plan.moves.isEmpty() && summary.skipped > 0) {
        plan.refusal = QStringLiteral("nothing to rename: %1 skipped").arg(summary.skipped);
        plan.runnable = false;
        return plan;
    }
    plan.runnable = true;
    return plan;
}

} // namespace

RenamePlanner::RenamePlanner(Recipe recipe) : m_recipe(std::move(recipe)) {}

RenamePlan RenamePlanner::plan(const QList<RenameInput> &inputs, const std::function<bool()> &isCancelled) const
{
    Planning planning(m_recipe, isCancelled);
    return planning.run(inputs);
}

bool RenamePlanner::isCaseInsensitiveFolder(const QByteArray &folder)
{
    return probeCaseInsensitive(folder, listFolder(folder));
}

} // namespace oncutf::core::rename
