#include "core/files/companiongrouper.h"

#include "core/files/filekind.h"

#include <QHash>

namespace oncutf::core::files {

namespace {

QByteArray lowerExtension(const QByteArray &name)
{
    const qsizetype dot = name.lastIndexOf('.');
    if (dot <= 0 || dot == name.size() - 1)
        return {};
    return name.mid(dot + 1).toLower();
}

FileKind kindOf(const QByteArray &lowerExt)
{
    return fileKindForExtension(QString::fromLatin1(lowerExt));
}

bool isSonyXmlTail(const QByteArray &lowerTail)
{
    return lowerTail.size() == 7 && lowerTail.at(0) == 'm' && lowerTail.at(1) >= '0' && lowerTail.at(1) <= '9'
           && lowerTail.at(2) >= '0' && lowerTail.at(2) <= '9' && lowerTail.endsWith(".xml");
}

bool isAllowedTail(FileKind mainKind, const QByteArray &mainLowerExt, const QByteArray &lowerTail)
{
    QByteArray darktable; // IMG_1.CR2.xmp
    darktable.append('.').append(mainLowerExt).append(".xmp");
    if (lowerTail == darktable)
        return true;
    switch (mainKind) {
    case FileKind::Video:
        return lowerTail == ".srt" || lowerTail == ".vtt" || lowerTail == ".ass" || lowerTail == ".ssa"
               || lowerTail == ".thm" || lowerTail == ".xmp" || isSonyXmlTail(lowerTail);
    case FileKind::Raw:
        return lowerTail == ".xmp" || lowerTail == ".jpg" || lowerTail == ".jpeg" || lowerTail == ".vrd"
               || lowerTail == ".nxd";
    case FileKind::Image:
        return lowerTail == ".xmp" || lowerTail == ".aae";
    default:
        return false;
    }
}

} // namespace

int CompanionGrouper::mainPriority(const QByteArray &fileName)
{
    switch (kindOf(lowerExtension(fileName))) {
    case FileKind::Video:
        return 3;
    case FileKind::Raw:
        return 2;
    case FileKind::Image:
        return 1;
    default:
        return 0;
    }
}

QList<CompanionGrouper::Link> CompanionGrouper::group(const QList<QByteArray> &names,
                                                      const QList<bool> &mayBeMain)
{
    // Runs over every file of a folder (100k in one folder is a real case), so: no allocation
    // per file. Keys are QByteArray::fromRawData views into `names`, which outlive this call.
    const qsizetype n = names.size();
    QList<Link> links(n);
    QList<qint8> priority(n, 0);
    QList<qsizetype> dotOf(n, -1);
    QHash<QByteArray, int> priorityByExtension; // raw extension bytes ("JPG", "jpg") -> priority
    QHash<QByteArray, qsizetype> stemHead;      // stem -> a main with that stem
    QList<qsizetype> nextSameStem;              // further mains with the same stem
    QList<bool> sharesStem;                     // a main whose stem another main has too
    // Pass 1: priorities. A companion needs a main of higher priority, so a folder whose files
    // all have one priority (100k JPGs) has no sets at all.
    int lowest = 4;
    int highestMain = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const QByteArray &name = names.at(i);
        const qsizetype dot = name.lastIndexOf('.');
        if (dot <= 0 || dot == name.size() - 1)
            continue;
        dotOf[i] = dot;
        const QByteArray ext = QByteArray::fromRawData(name.constData() + dot + 1, name.size() - dot - 1);
        auto it = priorityByExtension.constFind(ext);
        if (it == priorityByExtension.cend())
            it = priorityByExtension.insert(QByteArray(ext.constData(), ext.size()), mainPriority(name));
        priority[i] = qint8(it.value());
    }
    for (qsizetype i = 0; i < n; ++i) {
        lowest = std::min(lowest, int(priority.at(i)));
        if (mayBeMain.value(i))
            highestMain = std::max(highestMain, int(priority.at(i)));
    }
    if (highestMain == 0 || lowest >= highestMain)
        return links;
    for (qsizetype i = 0; i < n; ++i) {
        const QByteArray &name = names.at(i);
        const qsizetype dot = dotOf.at(i);
        if (priority.at(i) > 0 && mayBeMain.value(i)) {
            if (nextSameStem.isEmpty())
                nextSameStem = QList<qsizetype>(n, -1);
            const QByteArray stem = QByteArray::fromRawData(name.constData(), dot);
            auto head = stemHead.find(stem);
            if (head == stemHead.end()) {
                stemHead.insert(stem, i);
            } else {
                if (sharesStem.isEmpty())
                    sharesStem = QList<bool>(n, false);
                sharesStem[i] = true;
                sharesStem[head.value()] = true;
                nextSameStem[i] = head.value();
                head.value() = i;
            }
        }
    }
    if (stemHead.isEmpty())
        return links;

    const auto mainExtension = [&](qsizetype main) {
        const QByteArray &name = names.at(main);
        return name.mid(dotOf.at(main) + 1).toLower();
    };
    // The best main for file i whose name is stem (the first stemSize bytes) + tail.
    const auto consider = [&](qsizetype i, qsizetype stemSize, qsizetype *best) {
        const QByteArray &name = names.at(i);
        const auto it = stemHead.constFind(QByteArray::fromRawData(name.constData(), stemSize));
        if (it == stemHead.cend())
            return;
        QByteArray lowerTail;
        for (qsizetype main = it.value(); main >= 0; main = nextSameStem.at(main)) {
            if (main == i || priority.at(main) <= priority.at(i))
                continue;
            if (lowerTail.isEmpty())
                lowerTail = name.mid(stemSize).toLower();
            const QByteArray &mainName = names.at(main);
            if (!isAllowedTail(kindOf(mainExtension(main)), mainExtension(main), lowerTail))
                continue;
            if (*best < 0 || priority.at(main) > priority.at(*best)
                || (priority.at(main) == priority.at(*best) && mainName < names.at(*best)))
                *best = main;
        }
    };

    bool any = false;
    for (qsizetype i = 0; i < n; ++i) {
        const QByteArray &name = names.at(i);
        qsizetype best = -1;
        const qsizetype last = dotOf.at(i);
        // A main with a stem of its own can only find itself under that stem.
        const bool soleMain = priority.at(i) > 0 && mayBeMain.value(i) && !sharesStem.value(i);
        if (last > 0) {
            if (!soleMain)
                consider(i, last, &best);
            const qsizetype second = name.lastIndexOf('.', last - 1);
            if (second > 0)
                consider(i, second, &best);
        }
        // Sony: <stem>M01.XML
        if (name.size() > 7 && (name.at(name.size() - 7) == 'M' || name.at(name.size() - 7) == 'm')
            && name.right(4).compare(".xml", Qt::CaseInsensitive) == 0)
            consider(i, name.size() - 7, &best);
        links[i].main = best;
        any = any || best >= 0;
    }
    if (!any)
        return links;

    // A companion of a companion (IMG.JPG.xmp -> IMG.JPG -> IMG.CR2) follows the set's main.
    for (qsizetype i = 0; i < n; ++i) {
        qsizetype root = links.at(i).main;
        int guard = 0;
        while (root >= 0 && links.at(root).main >= 0 && guard++ < 4)
            root = links.at(root).main;
        if (root < 0)
            continue;
        const QByteArray mainStem = names.at(root).left(dotOf.at(root));
        if (!names.at(i).startsWith(mainStem)) {
            links[i].main = -1;
            continue;
        }
        links[i].main = root;
        links[i].tail = names.at(i).mid(mainStem.size());
    }
    return links;
}

} // namespace oncutf::core::files
