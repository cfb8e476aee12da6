#pragma once

#include <QElapsedTimer>
#include <QString>

#include <cstdio>

namespace oncutf::cli {

/// One progress line on a terminal, rewritten in place with \r: "scanning: 12,345 files
/// (45,678/s)  <detail>". Shown only when enabled (stderr is a TTY and --quiet is off) and only once
/// the work has lasted longer than the delay (1 s), so quick commands print nothing; redrawn at
/// most every 100 ms; cleared by clear() before other output and by finish().
///
/// Owner: a CLI command, on its stack. Threading: main thread only (fed from queued signals).
class ProgressPrinter final {
public:
    ProgressPrinter(FILE *stream, bool enabled, QString verb = QStringLiteral("scanning"),
                    QString noun = QStringLiteral("files"));
    ~ProgressPrinter();

    ProgressPrinter(const ProgressPrinter &) = delete;
    ProgressPrinter &operator=(const ProgressPrinter &) = delete;

    /// `count` items done so far; `detail` (a folder, a file) is shown after the rate, shortened
    /// from the left to fit the terminal. An empty detail keeps the previous one.
    void update(qint64 count, const QString &detail = QString());
    /// Redraws with the last values if due (for a periodic timer while no update arrives).
    void tick();
    /// Erases the line if it is shown; the next update draws it again.
    void clear();
    /// Erases the line for good.
    void finish();

    [[nodiscard]] bool isVisible() const { return m_visible; }
    /// For tests: how long the work must last before the line appears (default 1000 ms).
    void setDelay(qint64 milliseconds) { m_delayMs = milliseconds; }

    /// The line that would be drawn for these values, cut to `width` columns.
    [[nodiscard]] QString formatLine(qint64 count, qint64 elapsedMs, const QString &detail, int width) const;

private:
    [[nodiscard]] int terminalWidth() const;
    void render();

    FILE *m_stream;
    bool m_enabled;
    QString m_verb;
    QString m_noun;
    QElapsedTimer m_clock;
    qint64 m_delayMs = 1000;
    qint64 m_lastRenderMs = -1;
    bool m_visible = false;
    qint64 m_count = 0;
    QString m_detail;
};

} // namespace oncutf::cli
