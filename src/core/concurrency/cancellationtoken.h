#pragma once

#include <atomic>
#include <memory>
#include <utility>

namespace oncutf::core::concurrency {

/// Cooperative cancellation for one piece of work. A cheap, copyable handle: every copy shares
/// one flag, so the ThreadPoolManager (or any owner) can cancel() while the task polls
/// isCancelled() between steps. Cancelling never interrupts code; the task decides when to stop.
/// Threading: every method is safe from any thread (the flag is a std::atomic<bool>).
class CancellationToken final {
public:
    /// A token with its own fresh flag (not cancelled).
    CancellationToken() : m_flag(std::make_shared<std::atomic<bool>>(false)) {}

    /// Shares an existing flag. The pool uses this to keep the flag inside its task record,
    /// so a submitted task costs one allocation, not two.
    explicit CancellationToken(std::shared_ptr<std::atomic<bool>> flag) : m_flag(std::move(flag)) {}

    [[nodiscard]] bool isCancelled() const { return m_flag->load(std::memory_order_acquire); }
    void cancel() { m_flag->store(true, std::memory_order_release); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};

} // namespace oncutf::core::concurrency
