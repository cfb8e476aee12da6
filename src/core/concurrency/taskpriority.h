#pragma once

#include <QString>

namespace oncutf::core::concurrency {

/// How urgently the ThreadPoolManager runs a task: a lower value runs first. The values match
/// the Python original (CRITICAL=1 ... BACKGROUND=5) so logs and stats read the same.
/// Threading: a plain value.
enum class TaskPriority { Critical = 1, High = 2, Normal = 3, Low = 4, Background = 5 };

inline constexpr int kTaskPriorityCount = 5;

/// 0 for Critical ... 4 for Background: the index into per-priority arrays such as
/// PoolStats::queuedPerPriority.
[[nodiscard]] constexpr int priorityIndex(TaskPriority priority)
{
    return static_cast<int>(priority) - 1;
}

[[nodiscard]] constexpr TaskPriority priorityFromIndex(int index)
{
    return static_cast<TaskPriority>(index + 1);
}

/// The upper-case name used in logs, stats maps and the CLI ("CRITICAL", ..., "BACKGROUND").
[[nodiscard]] inline QString priorityName(TaskPriority priority)
{
    switch (priority) {
    case TaskPriority::Critical:
        return QStringLiteral("CRITICAL");
    case TaskPriority::High:
        return QStringLiteral("HIGH");
    case TaskPriority::Normal:
        return QStringLiteral("NORMAL");
    case TaskPriority::Low:
        return QStringLiteral("LOW");
    case TaskPriority::Background:
        return QStringLiteral("BACKGROUND");
    }
    return QStringLiteral("UNKNOWN");
}

} // namespace oncutf::core::concurrency
