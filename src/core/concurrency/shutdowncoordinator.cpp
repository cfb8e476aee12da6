#include "core/concurrency/shutdowncoordinator.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QSocketNotifier>
#include <QStringList>
#include <QThread>
#include <QVariantList>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <exception>
#include <utility>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace oncutf::core::concurrency {

using std::chrono::milliseconds;

namespace {

constexpr std::array<milliseconds, kShutdownPhaseCount> kDefaultBudgets{
    milliseconds(500), milliseconds(2000), milliseconds(1000), milliseconds(500), milliseconds(500)};

double toSeconds(std::chrono::steady_clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

QString exceptionText(const std::exception &ex)
{
    const QString what = QString::fromLocal8Bit(ex.what());
    return what.isEmpty() ? QStringLiteral("exception without a message") : what;
}

// The write end of the self-pipe, read by the signal handler. Set once before the handler is
// installed and never changed again.
volatile std::sig_atomic_t g_signalWriteFd = -1;
std::atomic<bool> g_signalHandlersInstalled{false};

extern "C" void oncutfSignalHandler(int signalNumber)
{
    // Only async-signal-safe calls here: write() one byte, keep errno intact.
    const int savedErrno = errno;
    const auto byte = static_cast<unsigned char>(signalNumber);
    [[maybe_unused]] const ssize_t written = ::write(g_signalWriteFd, &byte, 1);
    errno = savedErrno;
}

} // namespace

QString shutdownPhaseName(ShutdownPhase phase)
{
    switch (phase) {
    case ShutdownPhase::Timers:
        return QStringLiteral("TIMERS");
    case ShutdownPhase::ThreadPool:
        return QStringLiteral("THREAD_POOL");
    case ShutdownPhase::Database:
        return QStringLiteral("DATABASE");
    case ShutdownPhase::ExifTool:
        return QStringLiteral("EXIFTOOL");
    case ShutdownPhase::Finalize:
        return QStringLiteral("FINALIZE");
    }
    return QStringLiteral("UNKNOWN");
}

QVariantMap PhaseResult::toVariantMap() const
{
    return {
        {QStringLiteral("phase"), shutdownPhaseName(phase)},
        {QStringLiteral("ok"), ok},
        {QStringLiteral("skipped"), skipped},
        {QStringLiteral("duration"), durationSeconds},
        {QStringLiteral("error"), error},
        {QStringLiteral("warning"), warning},
        {QStringLiteral("health_before"), healthBefore},
    };
}

ShutdownCoordinator::ShutdownCoordinator(QObject *parent)
    : QObject(parent), m_budgets(kDefaultBudgets), m_clock([] { return std::chrono::steady_clock::now(); })
{
}

ShutdownCoordinator::~ShutdownCoordinator()
{
    std::lock_guard lock(m_mutex);
    // An idle coordinator may go (nothing was started); one torn down mid-run would leave
    // components half stopped.
    Q_ASSERT_X(m_state != State::Running, "ShutdownCoordinator::~ShutdownCoordinator",
               "destroyed while a shutdown is running");
}

void ShutdownCoordinator::registerParticipant(ShutdownPhase phase, ShutdownParticipant *participant)
{
    Q_ASSERT(participant);
    if (!participant)
        return;
    {
        std::lock_guard lock(m_mutex);
        if (m_state != State::Idle) {
            qCWarning(lcShutdown) << "shutdown already started; not registering"
                                  << participant->participantName();
            return;
        }
    }
    m_steps[static_cast<std::size_t>(phase)].push_back(
        Step{participant->participantName(), participant, {}});
}

void ShutdownCoordinator::registerCallback(ShutdownPhase phase, const QString &name, StepFunction fn)
{
    Q_ASSERT(fn);
    if (!fn)
        return;
    {
        std::lock_guard lock(m_mutex);
        if (m_state != State::Idle) {
            qCWarning(lcShutdown) << "shutdown already started; not registering" << name;
            return;
        }
    }
    m_steps[static_cast<std::size_t>(phase)].push_back(Step{name, nullptr, std::move(fn)});
}

void ShutdownCoordinator::setPhaseBudget(ShutdownPhase phase, milliseconds budget)
{
    m_budgets[static_cast<std::size_t>(phase)] = std::max(milliseconds(0), budget);
}

milliseconds ShutdownCoordinator::phaseBudget(ShutdownPhase phase) const
{
    return m_budgets[static_cast<std::size_t>(phase)];
}

void ShutdownCoordinator::setClock(Clock clock)
{
    Q_ASSERT(clock);
    if (clock)
        m_clock = std::move(clock);
}

std::chrono::steady_clock::time_point ShutdownCoordinator::now() const
{
    return m_clock();
}

bool ShutdownCoordinator::begin(bool emergency)
{
    Q_ASSERT(thread() == QThread::currentThread());
    {
        std::lock_guard lock(m_mutex);
        if (m_state != State::Idle)
            return false;
        m_state = State::Running;
        m_emergency = emergency;
        m_results.clear();
    }
    m_startedAt = now();
    qCInfo(lcShutdown) << "shutdown started" << (emergency ? "(emergency)" : "");
    return true;
}

bool ShutdownCoordinator::shutdownSync(bool emergency)
{
    if (!begin(emergency))
        return isCompleted();
    for (int index = 0; index < kShutdownPhaseCount; ++index)
        runPhase(index);
    finish();
    return true;
}

bool ShutdownCoordinator::shutdownAsync(bool emergency)
{
    if (!begin(emergency))
        return isCompleted();
    // Queued, so the caller's event handler (a close event, a signal) returns first and each
    // phase gets its own tick.
    QMetaObject::invokeMethod(this, [this] { runNextPhaseAsync(0); }, Qt::QueuedConnection);
    return true;
}

void ShutdownCoordinator::runNextPhaseAsync(int index)
{
    runPhase(index);
    if (index + 1 < kShutdownPhaseCount) {
        QMetaObject::invokeMethod(this, [this, index] { runNextPhaseAsync(index + 1); },
                                  Qt::QueuedConnection);
    } else {
        finish();
    }
}

void ShutdownCoordinator::runPhase(int index)
{
    const auto phase = static_cast<ShutdownPhase>(index);
    const auto slot = static_cast<std::size_t>(index);
    const QString name = shutdownPhaseName(phase);
    bool emergency = false;
    {
        std::lock_guard lock(m_mutex);
        emergency = m_emergency;
    }
    const milliseconds budget = emergency ? m_budgets[slot] / 2 : m_budgets[slot];
    const std::vector<Step> &steps = m_steps[slot];

    Q_EMIT phaseStarted(name);
    PhaseResult result;
    result.phase = phase;

    if (steps.empty()) {
        result.skipped = true;
        qCDebug(lcShutdown) << "phase" << name << "skipped: nothing registered";
    } else {
        if (!emergency) {
            for (const Step &step : steps) {
                if (!step.participant)
                    continue;
                QVariantMap health;
                try {
                    health = step.participant->shutdownHealth();
                } catch (const std::exception &ex) {
                    health.insert(QStringLiteral("error"), exceptionText(ex));
                } catch (...) {
                    health.insert(QStringLiteral("error"), QStringLiteral("unknown exception"));
                }
                if (!health.value(QStringLiteral("healthy"), true).toBool())
                    qCWarning(lcShutdown) << step.name << "unhealthy before" << name << health;
                result.healthBefore.insert(step.name, health);
            }
        }

        const auto start = now();
        QStringList errors;
        for (const Step &step : steps) {
            const auto elapsed = std::chrono::duration_cast<milliseconds>(now() - start);
            const milliseconds remaining = std::max(milliseconds(0), budget - elapsed);
            try {
                const Status status = step.participant ? step.participant->shutdownNow(remaining, emergency)
                                                       : step.fn(remaining, emergency);
                if (!status.ok())
                    errors << step.name + QStringLiteral(": ") + status.error().toString();
            } catch (const std::exception &ex) {
                errors << step.name + QStringLiteral(": ") + exceptionText(ex);
            } catch (...) {
                errors << step.name + QStringLiteral(": unknown exception");
            }
        }
        const auto duration = now() - start;
        result.durationSeconds = toSeconds(duration);
        result.ok = errors.isEmpty();
        result.error = errors.join(QStringLiteral("; "));
        if (duration > budget) {
            result.warning = QStringLiteral("Phase exceeded budget (%1 s > %2 s)")
                                 .arg(result.durationSeconds, 0, 'f', 3)
                                 .arg(toSeconds(budget), 0, 'f', 3);
            qCWarning(lcShutdown) << "phase" << name << result.warning;
        }
        if (!result.ok)
            qCWarning(lcShutdown) << "phase" << name << "failed:" << result.error;
    }

    {
        std::lock_guard lock(m_mutex);
        m_results.append(result);
    }
    Q_EMIT phaseCompleted(name, result.ok);
}

void ShutdownCoordinator::finish()
{
    bool ok = true;
    {
        std::lock_guard lock(m_mutex);
        for (const PhaseResult &result : std::as_const(m_results))
            ok = ok && result.ok;
        m_totalDurationSeconds = toSeconds(now() - m_startedAt);
        m_state = State::Completed;
    }
    qCInfo(lcShutdown) << "shutdown completed" << (ok ? "cleanly" : "with failures");
    Q_EMIT shutdownCompleted(ok);
}

bool ShutdownCoordinator::isRunning() const
{
    std::lock_guard lock(m_mutex);
    return m_state == State::Running;
}

bool ShutdownCoordinator::isCompleted() const
{
    std::lock_guard lock(m_mutex);
    return m_state == State::Completed;
}

QList<PhaseResult> ShutdownCoordinator::results() const
{
    std::lock_guard lock(m_mutex);
    return m_results;
}

QVariantMap ShutdownCoordinator::summary() const
{
    std::lock_guard lock(m_mutex);
    return summaryLocked();
}

QVariantMap ShutdownCoordinator::summaryLocked() const
{
    int successful = 0;
    int failed = 0;
    int skipped = 0;
    QVariantList phases;
    for (const PhaseResult &result : m_results) {
        if (result.skipped)
            ++skipped;
        else if (result.ok)
            ++successful;
        else
            ++failed;
        phases.append(result.toVariantMap());
    }
    return {
        {QStringLiteral("executed"), m_state == State::Completed},
        {QStringLiteral("total_phases"), kShutdownPhaseCount},
        {QStringLiteral("successful_phases"), successful},
        {QStringLiteral("failed_phases"), failed},
        {QStringLiteral("skipped_phases"), skipped},
        {QStringLiteral("total_duration"), m_totalDurationSeconds},
        {QStringLiteral("emergency_mode"), m_emergency},
        {QStringLiteral("phases"), phases},
    };
}

bool ShutdownCoordinator::installSignalHandlers(std::function<void(int signalNumber)> onSignal)
{
    Q_ASSERT(onSignal);
    QCoreApplication *app = QCoreApplication::instance();
    if (!onSignal || !app || app->thread() != QThread::currentThread()) {
        qCWarning(lcShutdown) << "installSignalHandlers needs a callback and the application thread";
        return false;
    }
    if (g_signalHandlersInstalled.exchange(true)) {
        qCWarning(lcShutdown) << "signal handlers are already installed";
        return false;
    }

    int fds[2] = {-1, -1};
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        qCWarning(lcShutdown) << "cannot create the signal pipe:" << qt_error_string(errno);
        g_signalHandlersInstalled = false;
        return false;
    }
    g_signalWriteFd = fds[1];

    // Parented to the application: it lives (and the read end stays open) for the process.
    auto *notifier = new QSocketNotifier(fds[0], QSocketNotifier::Read, app);
    QObject::connect(notifier, &QSocketNotifier::activated, notifier,
                     [readFd = fds[0], callback = std::move(onSignal)] {
                         unsigned char buffer[16];
                         for (;;) {
                             const ssize_t count = ::read(readFd, buffer, sizeof buffer);
                             if (count <= 0)
                                 break;
                             for (ssize_t i = 0; i < count; ++i) {
                                 const int signalNumber = buffer[i];
                                 qCInfo(lcShutdown) << "received signal" << signalNumber;
                                 try {
                                     callback(signalNumber);
                                 } catch (const std::exception &ex) {
                                     qCCritical(lcShutdown) << "signal callback threw:" << exceptionText(ex);
                                 } catch (...) {
                                     qCCritical(lcShutdown) << "signal callback threw";
                                 }
                             }
                         }
                     });

    struct sigaction action {};
    action.sa_handler = oncutfSignalHandler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (const int signalNumber : {SIGINT, SIGTERM}) {
        if (::sigaction(signalNumber, &action, nullptr) != 0) {
            qCWarning(lcShutdown) << "sigaction failed for signal" << signalNumber << ":"
                                  << qt_error_string(errno);
            return false;
        }
    }
    return true;
}

} // namespace oncutf::core::concurrency
