#include "core/appcontext.h"

namespace oncutf::core {

using concurrency::ShutdownPhase;

AppContext::AppContext(QObject *parent) : AppContext(Options{}, parent) {}

AppContext::AppContext(Options options, QObject *parent)
    : QObject(parent),
      m_coordinator(std::make_unique<concurrency::ShutdownCoordinator>()),
      m_timers(std::make_unique<concurrency::TimerManager>()),
      m_pool(std::make_unique<concurrency::ThreadPoolManager>(options.pool))
{
    m_coordinator->registerParticipant(ShutdownPhase::Timers, m_timers.get());
    m_coordinator->registerParticipant(ShutdownPhase::ThreadPool, m_pool.get());
}

AppContext::~AppContext()
{
    Q_ASSERT_X(isShutDown(), "AppContext", "shutdownSync()/shutdownAsync() must run before destruction");
}

bool AppContext::shutdownSync(bool emergency)
{
    return m_coordinator->shutdownSync(emergency);
}

bool AppContext::shutdownAsync(bool emergency)
{
    return m_coordinator->shutdownAsync(emergency);
}

bool AppContext::isShutDown() const
{
    return m_coordinator->isCompleted();
}

} // namespace oncutf::core
