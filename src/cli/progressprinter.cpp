#include "cli/progressprinter.h"

#include <QLocale>

#include <sys/ioctl.h>
#include <unistd.h>

#include <utility>

namespace oncutf::cli {

namespace {

constexpr qint64 kRedrawIntervalMs = 100;
// Erase from the cursor to the end of the line (ANSI EL).
constexpr char kClearLine[] = "\r\033[K";

} // namespace

ProgressPrinter::ProgressPrinter(FILE *stream, bool enabled, QString verb, QString noun)
    : m_stream(stream), m_enabled(enabled), m_verb(std::move(verb)), m_noun(std::move(noun))
{
    m_clock.start();
}

ProgressPrinter::~ProgressPrinter()
{
    finish();
}

void ProgressPrinter::update(qint64 count, const QString &detail)
{
    m_count = count;
    if (!detail.isEmpty())
        m_detail = detail;
    tick();
}

void ProgressPrinter::tick()
{
    if (!m_enabled)
        return;
    const qint64 now = m_clock.elapsed();
    if (now < m_delayMs)
        return;
    if (m_visible && now - m_lastRenderMs < kRedrawIntervalMs)
        return;
    render();
}

void ProgressPrinter::clear()
{
    if (!m_visible)
        return;
    std::fputs(kClearLine, m_stream);
    std::fflush(m_stream);
    m_visible = false;
}

void ProgressPrinter::finish()
{
    clear();
    m_enabled = false;
}

QString ProgressPrinter::formatLine(qint64 count, qint64 elapsedMs, const QString &detail, int width) const
{
    const QLocale locale = QLocale::system();
    const qint64 rate = elapsedMs > 0 ? count * 1000 / elapsedMs : 0;
    QString line = QStringLiteral("%1: %2 %3 (%4/s)")
                       .arg(m_verb, locale.toString(count), m_noun, locale.toString(rate));
    if (!detail.isEmpty() && line.size() + 4 < width) {
        const qsizetype room = width - line.size() - 2;
        QString shown = detail;
        // The detail is usually a file name: a newline or escape sequence in it must not reach
        // the terminal.
        for (QChar &c : shown) {
            if (c.unicode() < 0x20U || c.unicode() == 0x7FU || c.category() == QChar::Other_Format)
                c = QLatin1Char('?');
        }
        if (shown.size() > room)
            shown = QStringLiteral("…") + shown.right(room - 1);
        line += QStringLiteral("  ") + shown;
    }
    if (line.size() > width)
        line.truncate(width);
    return line;
}

int ProgressPrinter::terminalWidth() const
{
    winsize size{};
    if (::ioctl(::fileno(m_stream), TIOCGWINSZ, &size) == 0 && size.ws_col > 1)
        return size.ws_col - 1; // never touch the last column: some terminals wrap there
    return 79;
}

void ProgressPrinter::render()
{
    const qint64 now = m_clock.elapsed();
    const QString line = formatLine(m_count, now, m_detail, terminalWidth());
    const QByteArray bytes = QByteArray(kClearLine) + line.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), m_stream);
    std::fflush(m_stream);
    m_visible = true;
    m_lastRenderMs = now;
}

} // namespace oncutf::cli
