#include "gui/progresspanel.h"

#include "gui/jobcontroller.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QToolButton>

namespace oncutf::gui {

ProgressPanel::ProgressPanel(JobController &jobs, QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_bar(new QProgressBar(this))
    , m_detail(new QLabel(this))
    , m_cancel(new QToolButton(this))
{
    setObjectName(QStringLiteral("progressPanel"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_bar->setMaximumWidth(220);
    m_bar->setTextVisible(false);
    m_detail->setObjectName(QStringLiteral("progressDetail"));
    m_cancel->setObjectName(QStringLiteral("cancelJobButton"));
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop the running job at a safe point (Esc)"));
    layout->addWidget(m_title);
    layout->addWidget(m_bar);
    layout->addWidget(m_detail);
    layout->addWidget(m_cancel);
    hide();

    connect(m_cancel, &QToolButton::clicked, &jobs, &JobController::cancel);
    connect(&jobs, &JobController::jobStarted, this, &ProgressPanel::onStarted);
    connect(&jobs, &JobController::progress, this, &ProgressPanel::onProgress);
    connect(&jobs, &JobController::sizeProgress, this, &ProgressPanel::onSizeProgress);
    connect(&jobs, &JobController::idle, this, &QWidget::hide);
}

ProgressPanel::~ProgressPanel() = default;

void ProgressPanel::onStarted(const QString &title)
{
    m_title->setText(title);
    m_current = m_total = m_bytesDone = m_bytesTotal = 0;
    m_item.clear();
    m_clock.start();
    m_bar->setRange(0, 0); // busy until the first progress value
    refresh();
    show();
}

void ProgressPanel::onProgress(qint64 current, qint64 total, const QString &item)
{
    m_current = current;
    m_total = total;
    m_item = item;
    refresh();
}

void ProgressPanel::onSizeProgress(qint64 done, qint64 total)
{
    m_bytesDone = done;
    m_bytesTotal = total;
    refresh();
}

QString ProgressPanel::progressText() const
{
    const QLocale locale;
    QStringList parts;
    if (m_total > 0)
        parts.append(tr("%1 / %2").arg(locale.toString(m_current), locale.toString(m_total)));
    if (m_bytesTotal > 0)
        parts.append(tr("%1 / %2 MB")
                         .arg(double(m_bytesDone) / 1e6, 0, 'f', 1)
                         .arg(double(m_bytesTotal) / 1e6, 0, 'f', 1));
    // Bytes predict the time left better than file counts when both are known.
    const double fraction = m_bytesTotal > 0 ? double(m_bytesDone) / double(m_bytesTotal)
                            : m_total > 0    ? double(m_current) / double(m_total)
                                             : 0.0;
    const qint64 elapsed = m_clock.isValid() ? m_clock.elapsed() : 0;
    if (fraction > 0.02 && fraction < 1.0 && elapsed > 1000) {
        const qint64 leftSeconds = qint64(double(elapsed) * (1.0 - fraction) / fraction / 1000.0) + 1;
        parts.append(leftSeconds >= 120 ? tr("about %1 min left").arg(leftSeconds / 60)
                                        : tr("about %1 s left").arg(leftSeconds));
    }
    return parts.join(QStringLiteral(" · "));
}

void ProgressPanel::refresh()
{
    if (m_bytesTotal > 0) {
        m_bar->setRange(0, 1000);
        m_bar->setValue(int(m_bytesDone * 1000 / m_bytesTotal));
    } else if (m_total > 0) {
        m_bar->setRange(0, 1000);
        m_bar->setValue(int(m_current * 1000 / m_total));
    }
    m_detail->setText(progressText());
    m_detail->setToolTip(m_item);
}

} // namespace oncutf::gui
