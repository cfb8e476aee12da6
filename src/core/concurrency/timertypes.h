#pragma once

#include <QString>

namespace oncutf::core::concurrency {

/// What a deferred callback is for. Only used for bookkeeping (generated ids, cancelByType,
/// per-type stats): the type never changes when or in which order a timer fires.
enum class TimerType {
    UiUpdate,
    DragCleanup,
    SelectionUpdate,
    MetadataLoad,
    ScrollAdjust,
    ResizeAdjust,
    PreviewUpdate,
    StatusUpdate,
    Generic,
};
inline constexpr int kTimerTypeCount = 9;

/// A priority is only a default delay in milliseconds (its value); nothing is ordered by it.
enum class TimerPriority {
    Immediate = 0,
    High = 5,
    Normal = 15,
    Low = 50,
    Background = 100,
    Cleanup = 200,
    Delayed = 500,
};

/// Lower-case snake name ("ui_update", "preview_update", ...), used in generated ids and stats.
[[nodiscard]] QString timerTypeName(TimerType type);

/// The default delay a priority stands for.
[[nodiscard]] constexpr int defaultDelayMs(TimerPriority priority)
{
    return static_cast<int>(priority);
}

} // namespace oncutf::core::concurrency
