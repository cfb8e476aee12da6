#include "core/metadata/exiv2reader.h"

#include "core/logging.h"
#include "core/metadata/cachejson.h"
#include "core/metadata/exiftoolformat.h"

#include <QJsonValue>

// Exiv2 0.27's API hands out std::auto_ptr (Image::AutoPtr); the deprecation is theirs, and this
// file cannot avoid naming it.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <exiv2/exiv2.hpp>
#include <exiv2/webpimage.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <bitset>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace oncutf::core::metadata {

namespace {

// Set by Exiv2's log handler when the current thread's read produced a warning or an error.
// Exiv2 then often carries on with partial data, where ExifTool reports something else; such a
// file goes to ExifTool instead.
thread_local bool t_exiv2Trouble = false;

void exiv2LogHandler(int level, const char * /*message*/)
{
    if (level >= Exiv2::LogMsg::warn) {
        t_exiv2Trouble = true;
    }
}

enum class Container { Jpeg, Png, WebP, Tiff };

// The fields of one file as the reader finds them (keys are static ASCII strings); read() and
// readDocument() make their two forms of it.
struct FieldList {
    std::vector<std::pair<QLatin1StringView, QJsonValue>> entries;

    void insert(QLatin1StringView key, QJsonValue value) { entries.emplace_back(key, std::move(value)); }

    // Keys ascending, each once, the last value given for a key kept (as QJsonObject::insert).
    void settle()
    {
        const auto view = [](QLatin1StringView key) { return std::string_view(key.data(), size_t(key.size())); };
        std::stable_sort(entries.begin(), entries.end(),
                         [&](const auto &a, const auto &b) { return view(a.first) < view(b.first); });
        size_t kept = 0;
        for (size_t i = 0; i < entries.size(); ++i) {
            if (i + 1 < entries.size() && view(entries[i].first) == view(entries[i + 1].first)) {
                continue; // a later value for the same key wins
            }
            if (kept != i) {
                entries[kept] = std::move(entries[i]);
            }
            ++kept;
        }
        entries.erase(entries.begin() + std::ptrdiff_t(kept), entries.end());
    }
};

// Files up to this size are read into memory whole; bigger ones (RAW files, large JPEGs) are
// read by Exiv2 from the file, which touches only the parts holding metadata.
constexpr qint64 kInMemoryLimit = 1024 * 1024;

std::recursive_mutex &xmpToolkitMutex()
{
    static std::recursive_mutex mutex;
    return mutex;
}

// A file descriptor closed on every path.
class Fd final {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd()
    {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    [[nodiscard]] int get() const { return m_fd; }

private:
    int m_fd;
};

bool preadExact(int fd, void *buffer, size_t size, off_t offset)
{
    auto *out = static_cast<char *>(buffer);
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, out + done, size - done, offset + static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        done += static_cast<size_t>(n);
    }
    return true;
}

// The bytes of the file being read: a copy in memory for small files, else the descriptor.
class Source final {
public:
    Source(int fd, qint64 size) : m_fd(fd), m_size(size) {}

    // Reads the whole file in one read(); false if it changed size under us or cannot be read.
    bool load()
    {
        m_bytes.resize(static_cast<size_t>(m_size));
        if (!preadExact(m_fd, m_bytes.data(), m_bytes.size(), 0)) {
            m_bytes.clear();
            return false;
        }
        m_inMemory = true;
        return true;
    }

    [[nodiscard]] bool readAt(void *buffer, size_t size, off_t offset) const
    {
        if (!m_inMemory) {
            return preadExact(m_fd, buffer, size, offset);
        }
        if (offset < 0 || static_cast<quint64>(offset) + size > m_bytes.size()) {
            return false;
        }
        std::memcpy(buffer, m_bytes.data() + offset, size);
        return true;
    }

    [[nodiscard]] qint64 size() const { return m_size; }
    [[nodiscard]] bool inMemory() const { return m_inMemory; }
    [[nodiscard]] const Exiv2::byte *data() const { return m_bytes.data(); }

private:
    int m_fd;
    qint64 m_size;
    bool m_inMemory = false;
    std::vector<Exiv2::byte> m_bytes;
};

quint32 be32(const unsigned char *p)
{
    return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
}

quint16 get16(const unsigned char *p, bool littleEndian)
{
    return littleEndian ? quint16(p[0] | (p[1] << 8)) : quint16((p[0] << 8) | p[1]);
}

quint32 get32(const unsigned char *p, bool littleEndian)
{
    return littleEndian ? (quint32(p[0]) | (quint32(p[1]) << 8) | (quint32(p[2]) << 16) | (quint32(p[3]) << 24))
                        : be32(p);
}

// ExifTool's GetFileExtension: the upper-cased text after the last dot of the file name, with
// TIF read as TIFF. Empty when the name has no extension (or ends with a dot).
QByteArray fileExtension(const QByteArray &path)
{
    const qsizetype slash = path.lastIndexOf('/');
    const QByteArray name = path.mid(slash + 1);
    const qsizetype dot = name.lastIndexOf('.');
    if (dot < 0) {
        return {};
    }
    QByteArray ext = name.mid(dot + 1).toUpper();
    if (ext == "TIF") {
        ext = "TIFF";
    }
    return ext;
}

// TIFF-based sub-types ExifTool names after the extension, with their MIME types. Sub-types it
// handles with other tag tables (RW2, DCP, HDP, JXR, WDP, ARQ) are absent: not handled here.
struct TiffSubType {
    const char *type;
    const char *mime;
};
constexpr std::array<TiffSubType, 21> kTiffTypes{{
    {"TIFF", "image/tiff"},
    {"3FR", "image/x-hasselblad-3fr"},
    {"ARW", "image/x-sony-arw"},
    {"CR2", "image/x-canon-cr2"},
    {"DCR", "image/x-kodak-dcr"},
    {"DNG", "image/x-adobe-dng"},
    {"ERF", "image/x-epson-erf"},
    {"GPR", "image/x-gopro-gpr"},
    {"IIQ", "image/x-raw"},
    {"K25", "image/x-kodak-k25"},
    {"KDC", "image/x-kodak-kdc"},
    {"MEF", "image/x-mamiya-mef"},
    {"MOS", "image/x-raw"},
    {"NEF", "image/x-nikon-nef"},
    {"NRW", "image/x-nikon-nrw"},
    {"PEF", "image/x-pentax-pef"},
    {"RWL", "image/x-leica-rwl"},
    {"SR2", "image/x-sony-sr2"},
    {"SRF", "image/x-sony-srf"},
    {"SRW", "image/x-samsung-srw"},
    {"ORF", "image/x-olympus-orf"},
}};

const char *tiffMime(const QByteArray &type)
{
    for (const TiffSubType &t : kTiffTypes) {
        if (type == t.type) {
            return t.mime;
        }
    }
    return nullptr;
}

// Compression values by which ExifTool's IdentifyRawFile recognises a RAW file inside a TIFF.
const char *rawTypeForCompression(long compression)
{
    switch (compression) {
    case 32767: return "ARW";
    case 32770: return "SRW";
    case 32867: return "KDC";
    case 34713: return "NEF";
    case 65000: return "DCR";
    case 65535: return "PEF";
    default: return nullptr;
    }
}

struct Sniffed {
    Container container = Container::Jpeg;
    QByteArray fileType;
    QByteArray mime;
    bool tiffBaseIsTiff = false; // FILE_TYPE 'TIFF' in ExifTool (not ORF)
    bool pngHasExif = false;
};

// Checks the PNG chunk list up to the image data: an animated PNG is ExifTool's "APNG", and an
// eXIf chunk tells whether Exiv2 ought to have found EXIF.
bool sniffPng(const Source &source, Sniffed &out)
{
    qint64 pos = 8;
    for (int chunks = 0; chunks < 256 && pos + 8 <= source.size(); ++chunks) {
        unsigned char header[8];
        if (!source.readAt(header, sizeof header, pos)) {
            return false;
        }
        const quint32 length = be32(header);
        const QByteArray type(reinterpret_cast<const char *>(header + 4), 4);
        if (type == "acTL") {
            return false;
        }
        if (type == "eXIf") {
            out.pngHasExif = true;
        }
        if (type == "IEND") {
            break;
        }
        pos += 12 + qint64(length);
    }
    return true;
}

std::optional<Sniffed> sniff(const QByteArray &path, const Source &source)
{
    std::array<unsigned char, 32> head{};
    const size_t want = static_cast<size_t>(std::min<qint64>(source.size(), qint64(head.size())));
    if (want < 12 || !source.readAt(head.data(), want, 0)) {
        return std::nullopt;
    }
    const QByteArray ext = fileExtension(path);
    Sniffed out;
    if (head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff) {
        // Extensions ExifTool maps to JPEG sub-types get their own FileType.
        if (ext == "JPS" || ext == "MPO" || ext == "THM" || ext == "INSP") {
            return std::nullopt;
        }
        out.container = Container::Jpeg;
        out.fileType = "JPEG";
        out.mime = "image/jpeg";
        return out;
    }
    if (std::memcmp(head.data(), "\x89PNG\r\n\x1a\n", 8) == 0) {
        if (ext == "APNG" || ext == "JNG" || ext == "MNG" || !sniffPng(source, out)) {
            return std::nullopt;
        }
        out.container = Container::Png;
        out.fileType = "PNG";
        out.mime = "image/png";
        return out;
    }
    if (std::memcmp(head.data(), "RIFF", 4) == 0 && std::memcmp(head.data() + 8, "WEBP", 4) == 0) {
        if (ext == "AVI" || ext == "WAV" || ext == "LA" || ext == "OFR" || ext == "PAC"
            || ext == "RIFF" || ext == "WV" || want < 16) {
            return std::nullopt;
        }
        out.container = Container::WebP;
        out.fileType = std::memcmp(head.data() + 12, "VP8X", 4) == 0 ? "Extended WEBP" : "WEBP";
        out.mime = "image/webp";
        return out;
    }
    const bool ii = head[0] == 'I' && head[1] == 'I';
    const bool mm = head[0] == 'M' && head[1] == 'M';
    if (!ii && !mm) {
        return std::nullopt;
    }
    out.container = Container::Tiff;
    const quint16 identifier = get16(head.data() + 2, ii);
    const quint32 ifdOffset = get32(head.data() + 4, ii);
    if (ifdOffset < 8) {
        return std::nullopt;
    }
    if (identifier == 0x4f52 || identifier == 0x5352) {
        if (!(ext.isEmpty() || ext == "ORF" || ext == "TIFF")) {
            return std::nullopt;
        }
        out.fileType = "ORF";
        out.mime = "image/x-olympus-orf";
        return out;
    }
    if (identifier != 0x2a) {
        return std::nullopt; // RW2/RWL, BigTIFF, HD Photo, DCP...
    }
    if (ext == "ORF" || ext == "ORI") {
        return std::nullopt;
    }
    out.tiffBaseIsTiff = true;
    const bool cr2 = ifdOffset >= 16 && std::memcmp(head.data() + 8, "CR\x02\0", 4) == 0;
    if (cr2 && (ext.isEmpty() || ext == "TIFF" || tiffMime(ext) != nullptr)) {
        out.fileType = "CR2";
    } else if (cr2) {
        return std::nullopt;
    } else if (ext.isEmpty() || ext == "TIFF") {
        out.fileType = "TIFF";
    } else if (tiffMime(ext) != nullptr && ext != "ORF") {
        out.fileType = ext;
    } else {
        return std::nullopt;
    }
    out.mime = tiffMime(out.fileType);
    return out;
}

// The EXIF groups (Exiv2's names) in the order ExifTool's priorities resolve a tag found in more
// than one: IFD0 first (its PRIORITY_DIR), then the EXIF and GPS IFDs, then the thumbnail IFD.
enum Slot {
    kMake, kModel, kSoftware, kArtist, kCopyright, kImageDescription, kModifyDate, kOrientation,
    kImageWidth, kImageHeight, kCompression0, kSubfileType0, kHasSubIfd0, kHasThumbOffset0,
    kDateTimeOriginal, kCreateDate, kSubSecTime, kSubSecTimeOriginal, kSubSecTimeDigitized,
    kOffsetTime, kOffsetTimeOriginal, kOffsetTimeDigitized, kExposureTime, kFNumber, kIso,
    kFocalLength, kLensMake, kLensModel,
    kGpsLatitudeRef, kGpsLatitude, kGpsLongitudeRef, kGpsLongitude, kGpsAltitudeRef, kGpsAltitude,
    kSlotCount
};

struct SlotSpec {
    const char *group;
    quint16 tag;
    const char *key; // ExifTool key, or nullptr for values only used to decide the file type
};

constexpr std::array<SlotSpec, kSlotCount> kSlots{{
    {"Image", 0x010f, "EXIF:Make"},
    {"Image", 0x0110, "EXIF:Model"},
    {"Image", 0x0131, "EXIF:Software"},
    {"Image", 0x013b, "EXIF:Artist"},
    {"Image", 0x8298, "EXIF:Copyright"},
    {"Image", 0x010e, "EXIF:ImageDescription"},
    {"Image", 0x0132, "EXIF:ModifyDate"},
    {"Image", 0x0112, "EXIF:Orientation"},
    {"Image", 0x0100, nullptr},
    {"Image", 0x0101, nullptr},
    {"Image", 0x0103, nullptr},
    {"Image", 0x00fe, nullptr},
    {"Image", 0x014a, nullptr},
    {"Image", 0x0201, nullptr},
    {"Photo", 0x9003, "EXIF:DateTimeOriginal"},
    {"Photo", 0x9004, "EXIF:CreateDate"},
    {"Photo", 0x9290, "EXIF:SubSecTime"},
    {"Photo", 0x9291, "EXIF:SubSecTimeOriginal"},
    {"Photo", 0x9292, "EXIF:SubSecTimeDigitized"},
    {"Photo", 0x9010, "EXIF:OffsetTime"},
    {"Photo", 0x9011, "EXIF:OffsetTimeOriginal"},
    {"Photo", 0x9012, "EXIF:OffsetTimeDigitized"},
    {"Photo", 0x829a, "EXIF:ExposureTime"},
    {"Photo", 0x829d, "EXIF:FNumber"},
    {"Photo", 0x8827, "EXIF:ISO"},
    {"Photo", 0x920a, "EXIF:FocalLength"},
    {"Photo", 0xa433, "EXIF:LensMake"},
    {"Photo", 0xa434, "EXIF:LensModel"},
    {"GPSInfo", 0x0001, "EXIF:GPSLatitudeRef"},
    {"GPSInfo", 0x0002, "EXIF:GPSLatitude"},
    {"GPSInfo", 0x0003, "EXIF:GPSLongitudeRef"},
    {"GPSInfo", 0x0004, "EXIF:GPSLongitude"},
    {"GPSInfo", 0x0005, "EXIF:GPSAltitudeRef"},
    {"GPSInfo", 0x0006, "EXIF:GPSAltitude"},
}};

// Rank of the IFD a datum came from; lower wins. Tags of IFD0 and the EXIF/GPS IFDs may also be
// written in other IFDs by odd software; ExifTool then still reports them under EXIF.
int groupRank(const std::string &group, const char *home)
{
    if (group == home) {
        return 0;
    }
    if (group == "Image") {
        return 1;
    }
    if (group == "Photo" || group == "GPSInfo") {
        return 2;
    }
    if (group == "Thumbnail") {
        return 3;
    }
    return -1;
}

// The value as ExifTool's ReadValue produces it for the datum's on-disk format: strings cut at the
// first NUL, 'undef' bytes as they are, numbers joined by spaces, rationals "%.10g".
QByteArray exifToolRawValue(const Exiv2::Exifdatum &datum, bool readAsUndef)
{
    const long count = datum.count();
    const Exiv2::TypeId type = datum.typeId();
    if (type == Exiv2::asciiString || type == Exiv2::undefined || readAsUndef) {
        std::vector<Exiv2::byte> bytes(static_cast<size_t>(datum.size()));
        if (!bytes.empty()) {
            datum.copy(bytes.data(), Exiv2::littleEndian);
        }
        QByteArray value(reinterpret_cast<const char *>(bytes.data()), static_cast<qsizetype>(bytes.size()));
        if (type == Exiv2::asciiString && !readAsUndef) {
            const qsizetype nul = value.indexOf('\0');
            if (nul >= 0) {
                value.truncate(nul);
            }
        }
        return value;
    }
    QByteArrayList parts;
    const Exiv2::Value &value = datum.value();
    for (long i = 0; i < count; ++i) {
        switch (type) {
        case Exiv2::unsignedRational: {
            const auto &list = dynamic_cast<const Exiv2::URationalValue &>(value).value_;
            const Exiv2::URational &r = list.at(static_cast<size_t>(i));
            parts.append(ExifToolFormat::rational(r.first, r.second).toLatin1());
            break;
        }
        case Exiv2::signedRational: {
            const auto &list = dynamic_cast<const Exiv2::RationalValue &>(value).value_;
            const Exiv2::Rational &r = list.at(static_cast<size_t>(i));
            parts.append(ExifToolFormat::rational(r.first, r.second).toLatin1());
            break;
        }
        case Exiv2::tiffFloat:
        case Exiv2::tiffDouble: {
            // Perl prints a number with 15 significant digits.
            const double d = static_cast<double>(value.toFloat(i));
            parts.append(QByteArray::number(d, 'g', 15));
            break;
        }
        case Exiv2::unsignedByte:
        case Exiv2::unsignedShort:
        case Exiv2::unsignedLong:
        case Exiv2::signedByte:
        case Exiv2::signedShort:
        case Exiv2::signedLong:
        case Exiv2::tiffIfd:
            parts.append(QByteArray::number(static_cast<qint64>(value.toLong(i))));
            break;
        default:
            return QByteArray();
        }
    }
    return parts.join(' ');
}

// Copyright's RawConv: the first NUL separates photographer and editor (a newline), a second
// one ends the value, blanks before either go.
QString copyrightValue(QByteArray raw)
{
    qsizetype nul = raw.indexOf('\0');
    if (nul >= 0) {
        qsizetype start = nul;
        while (start > 0 && raw.at(start - 1) == ' ') {
            --start;
        }
        raw.replace(start, nul - start + 1, "\n");
        nul = raw.indexOf('\0', start + 1);
        if (nul >= 0) {
            qsizetype cut = nul;
            while (cut > 0 && raw.at(cut - 1) == ' ') {
                --cut;
            }
            raw.truncate(cut);
        }
    }
    if (raw.endsWith('\n')) {
        raw.chop(1);
    }
    return ExifToolFormat::fixUtf8(raw);
}

QString trimTrailingSpaces(const QString &text)
{
    qsizetype end = text.size();
    while (end > 0 && text.at(end - 1) == QLatin1Char(' ')) {
        --end;
    }
    return text.left(end);
}

} // namespace

void Exiv2Reader::initialize()
{
    static std::once_flag once;
    std::call_once(once, [] {
        Exiv2::LogMsg::setLevel(Exiv2::LogMsg::warn);
        Exiv2::LogMsg::setHandler(exiv2LogHandler);
        // Adobe's XMP toolkit inside Exiv2 is not thread-safe: Exiv2 brackets every use of it
        // with this lock when one is given (a JPEG with an XMP packet parses it on read).
        Exiv2::XmpParser::initialize(
            [](void *data, bool lock) {
                auto *mutex = static_cast<std::recursive_mutex *>(data);
                if (lock) {
                    mutex->lock();
                } else {
                    mutex->unlock();
                }
            },
            &xmpToolkitMutex());
    });
}

// The tags the loop over a file's EXIF looks at: the slots' and Compression (0x0103, SubIFDs
// and the thumbnail IFD).
static const std::bitset<65536> kWantedTags = [] {
    std::bitset<65536> wanted;
    for (const SlotSpec &slot : kSlots) {
        wanted.set(slot.tag);
    }
    wanted.set(0x0103);
    return wanted;
}();

const QStringList &Exiv2Reader::keys()
{
    static const QStringList all = [] {
        QStringList list{QStringLiteral("File:FileSize"), QStringLiteral("File:FileModifyDate"),
                         QStringLiteral("File:FileType"), QStringLiteral("File:MIMEType"),
                         QStringLiteral("File:ImageWidth"), QStringLiteral("File:ImageHeight"),
                         QStringLiteral("PNG:ImageWidth"), QStringLiteral("PNG:ImageHeight"),
                         QStringLiteral("RIFF:ImageWidth"), QStringLiteral("RIFF:ImageHeight"),
                         QStringLiteral("EXIF:ImageWidth"), QStringLiteral("EXIF:ImageHeight")};
        for (const SlotSpec &slot : kSlots) {
            if (slot.key != nullptr) {
                list.append(QString::fromLatin1(slot.key));
            }
        }
        return list;
    }();
    return all;
}

namespace {

std::optional<FieldList> collect(const QByteArray &path)
{
    Exiv2Reader::initialize();
    const Fd fd(::open(path.constData(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) {
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return std::nullopt;
    }
    Source source(fd.get(), st.st_size);
    // A small file costs one read() in memory, where Exiv2 reading it by name opens it again
    // (three more opens, a stat and many small reads per file).
    if (st.st_size <= kInMemoryLimit && !source.load()) {
        return std::nullopt;
    }
    const std::optional<Sniffed> sniffed = sniff(path, source);
    if (!sniffed) {
        return std::nullopt;
    }

    std::array<const Exiv2::Exifdatum *, kSlotCount> found{};
    std::array<int, kSlotCount> rank{};
    std::vector<long> subIfdCompressions;
    long thumbnailCompression = -1;
    long pixelWidth = 0;
    long pixelHeight = 0;
    FieldList fields;
    fields.entries.reserve(40);
    t_exiv2Trouble = false;
    try {
        Exiv2::Image::AutoPtr image;
        if (source.inMemory()) {
            image = Exiv2::ImageFactory::open(source.data(), static_cast<long>(source.size()));
        } else {
            // Exiv2 opens by name: give it the file already opened and checked above, so a name
            // replaced in between (by a FIFO that would block) cannot be read instead.
            static const bool haveProcFd = ::access("/proc/self/fd", X_OK) == 0;
            const std::string name = haveProcFd ? "/proc/self/fd/" + std::to_string(fd.get())
                                                : std::string(path.constData(), static_cast<size_t>(path.size()));
            image = Exiv2::ImageFactory::open(name);
        }
        if (image.get() == nullptr) {
            return std::nullopt;
        }
        const int type = image->imageType();
        const bool typeMatches = (sniffed->container == Container::Jpeg && type == Exiv2::ImageType::jpeg)
            || (sniffed->container == Container::Png && type == Exiv2::ImageType::png)
            || (sniffed->container == Container::WebP && type == Exiv2::ImageType::webp)
            || (sniffed->container == Container::Tiff
                && (type == Exiv2::ImageType::tiff || type == Exiv2::ImageType::cr2
                    || type == Exiv2::ImageType::orf));
        if (!typeMatches) {
            return std::nullopt;
        }
        image->readMetadata();
        if (t_exiv2Trouble) {
            return std::nullopt;
        }
        pixelWidth = image->pixelWidth();
        pixelHeight = image->pixelHeight();
        const Exiv2::ExifData &exif = image->exifData();
        if (sniffed->container == Container::Png && sniffed->pngHasExif && exif.empty()) {
            return std::nullopt;
        }
        for (const Exiv2::Exifdatum &datum : exif) {
            const quint16 tag = datum.tag();
            // Most of a file's tags fill no slot: skip them before their group name is built.
            if (!kWantedTags.test(tag)) {
                continue;
            }
            const std::string group = datum.groupName();
            if (tag == 0x0103 && group.rfind("SubImage", 0) == 0) {
                subIfdCompressions.push_back(datum.count() > 0 ? datum.toLong(0) : -1);
                continue;
            }
            if (tag == 0x0103 && group == "Thumbnail") {
                thumbnailCompression = datum.count() > 0 ? datum.toLong(0) : -1;
                continue;
            }
            for (size_t i = 0; i < kSlots.size(); ++i) {
                if (kSlots[i].tag != tag) {
                    continue;
                }
                // The bookkeeping slots (no key) only count in IFD0.
                const int r = kSlots[i].key == nullptr ? (group == "Image" ? 0 : -1)
                                                       : groupRank(group, kSlots[i].group);
                if (r < 0) {
                    continue;
                }
                if (found[i] == nullptr || r < rank[i]) {
                    found[i] = &datum;
                    rank[i] = r;
                }
            }
        }

        auto rawOf = [&](Slot slot) { return exifToolRawValue(*found[slot], slot == kCopyright); };
        auto textOf = [&](Slot slot) { return ExifToolFormat::fixUtf8(rawOf(slot)); };
        auto numberOf = [&](Slot slot) -> long {
            return found[slot] != nullptr && found[slot]->count() > 0 ? found[slot]->toLong(0) : -1;
        };
        auto put = [&](Slot slot, const QString &printed) {
            fields.insert(QLatin1StringView(kSlots[slot].key), ExifToolFormat::jsonValue(printed));
        };

        for (size_t i = 0; i < kSlots.size(); ++i) {
            const auto slot = static_cast<Slot>(i);
            if (found[slot] == nullptr || kSlots[slot].key == nullptr) {
                continue;
            }
            switch (slot) {
            case kMake:
            case kModel:
            case kSoftware:
            case kArtist:
                put(slot, ExifToolFormat::trimTrailingWhitespace(textOf(slot)));
                break;
            case kCopyright:
                put(slot, copyrightValue(rawOf(slot)));
                break;
            case kSubSecTime:
            case kSubSecTimeOriginal:
            case kSubSecTimeDigitized:
                put(slot, trimTrailingSpaces(textOf(slot)));
                break;
            case kExposureTime:
                put(slot, ExifToolFormat::exposureTime(textOf(slot)));
                break;
            case kFNumber:
                put(slot, ExifToolFormat::fNumber(textOf(slot)));
                break;
            case kFocalLength:
                put(slot, ExifToolFormat::focalLength(textOf(slot)));
                break;
            case kIso:
                put(slot, ExifToolFormat::isoList(textOf(slot)));
                break;
            case kOrientation:
                put(slot, ExifToolFormat::orientation(textOf(slot)));
                break;
            case kGpsLatitudeRef:
            case kGpsLongitudeRef:
                put(slot, ExifToolFormat::gpsRef(textOf(slot)));
                break;
            case kGpsLatitude:
            case kGpsLongitude:
                put(slot, ExifToolFormat::gpsCoordinate(textOf(slot)));
                break;
            case kGpsAltitudeRef:
                put(slot, ExifToolFormat::gpsAltitudeRef(textOf(slot)));
                break;
            case kGpsAltitude:
                put(slot, ExifToolFormat::gpsAltitude(textOf(slot)));
                break;
            default:
                put(slot, textOf(slot));
                break;
            }
        }

        QByteArray fileType = sniffed->fileType;
        if (sniffed->container == Container::Tiff) {
            // ExifTool's content-based overrides of the extension's type (IdentifyRawFile, SetARW,
            // the NRW test), in the order it meets the tags.
            bool identified = false;
            long compressionMember = -1;
            auto identify = [&](long compression) {
                if (sniffed->tiffBaseIsTiff && !identified) {
                    if (const char *raw = rawTypeForCompression(compression)) {
                        fileType = raw;
                        identified = true;
                    }
                }
                compressionMember = compression;
            };
            const QString make = found[kMake] != nullptr ? ExifToolFormat::trimTrailingWhitespace(textOf(kMake)) : QString();
            if (found[kCompression0] != nullptr) {
                identify(numberOf(kCompression0));
            }
            if (found[kHasSubIfd0] != nullptr && sniffed->tiffBaseIsTiff && make.startsWith(QLatin1String("SONY"))
                && numberOf(kSubfileType0) == 1 && compressionMember == 6) {
                return std::nullopt; // ARW or SR2, decided by Sony maker notes
            }
            for (const long c : subIfdCompressions) {
                identify(c);
            }
            if (found[kHasThumbOffset0] != nullptr && fileType == "NEF" && compressionMember == 6) {
                fileType = "NRW";
            }
            if (thumbnailCompression >= 0) {
                identify(thumbnailCompression);
            }
            if (found[kImageWidth] != nullptr) {
                fields.insert(QLatin1StringView("EXIF:ImageWidth"), ExifToolFormat::jsonValue(textOf(kImageWidth)));
            }
            if (found[kImageHeight] != nullptr) {
                fields.insert(QLatin1StringView("EXIF:ImageHeight"), ExifToolFormat::jsonValue(textOf(kImageHeight)));
            }
        } else if (pixelWidth > 0 && pixelHeight > 0) {
            const Container container = sniffed->container;
            fields.insert(container == Container::Jpeg  ? QLatin1StringView("File:ImageWidth")
                              : container == Container::Png ? QLatin1StringView("PNG:ImageWidth")
                                                            : QLatin1StringView("RIFF:ImageWidth"),
                          QJsonValue(static_cast<double>(pixelWidth)));
            fields.insert(container == Container::Jpeg  ? QLatin1StringView("File:ImageHeight")
                              : container == Container::Png ? QLatin1StringView("PNG:ImageHeight")
                                                            : QLatin1StringView("RIFF:ImageHeight"),
                          QJsonValue(static_cast<double>(pixelHeight)));
        }
        const char *mime = sniffed->container == Container::Tiff ? tiffMime(fileType) : sniffed->mime.constData();
        fields.insert(QLatin1StringView("File:FileType"), QString::fromLatin1(fileType));
        fields.insert(QLatin1StringView("File:MIMEType"), QString::fromLatin1(mime != nullptr ? mime : "application/unknown"));
    } catch (...) {
        // Exiv2 reports corrupt input by throwing; such a file belongs to ExifTool.
        return std::nullopt;
    }
    if (t_exiv2Trouble) {
        return std::nullopt;
    }
    fields.insert(QLatin1StringView("File:FileSize"), ExifToolFormat::fileSize(st.st_size));
    fields.insert(QLatin1StringView("File:FileModifyDate"), ExifToolFormat::unixTimeLocal(st.st_mtime));
    fields.settle();
    return fields;
}

} // namespace

std::optional<QJsonObject> Exiv2Reader::read(const QByteArray &path)
{
    std::optional<FieldList> fields = collect(path);
    if (!fields) {
        return std::nullopt;
    }
    QJsonObject object;
    for (const auto &[key, value] : fields->entries) {
        object.insert(key, value);
    }
    return object;
}

std::optional<QByteArray> Exiv2Reader::readDocument(const QByteArray &path)
{
    std::optional<FieldList> fields = collect(path);
    if (!fields) {
        return std::nullopt;
    }
    QByteArray document;
    document.reserve(qsizetype(64 + fields->entries.size() * 48));
    document.append('{');
    for (size_t i = 0; i < fields->entries.size(); ++i) {
        if (i > 0) {
            document.append(',');
        }
        cachejson::appendMember(document, fields->entries[i].first, fields->entries[i].second);
    }
    document.append('}');
    return document;
}

} // namespace oncutf::core::metadata
