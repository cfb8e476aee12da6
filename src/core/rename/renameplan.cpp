#include "core/rename/renameplan.h"

namespace oncutf::core::rename {

QString itemStatusName(ItemStatus status)
{
    switch (status) {
    case ItemStatus::Ok:
        return QStringLiteral("ok");
    case ItemStatus::Unchanged:
        return QStringLiteral("unchanged");
    case ItemStatus::Invalid:
        return QStringLiteral("invalid");
    case ItemStatus::Duplicate:
        return QStringLiteral("duplicate");
    case ItemStatus::Conflict:
        return QStringLiteral("conflict");
    case ItemStatus::MissingData:
        return QStringLiteral("missing_data");
    }
    return QStringLiteral("ok");
}

QString itemActionName(ItemAction action)
{
    switch (action) {
    case ItemAction::None:
        return QStringLiteral("none");
    case ItemAction::Rename:
        return QStringLiteral("rename");
    case ItemAction::Overwrite:
        return QStringLiteral("overwrite");
    case ItemAction::Skip:
        return QStringLiteral("skip");
    }
    return QStringLiteral("none");
}

QString conflictPolicyName(ConflictPolicy policy)
{
    switch (policy) {
    case ConflictPolicy::Fail:
        return QStringLiteral("fail");
    case ConflictPolicy::Skip:
        return QStringLiteral("skip");
    case ConflictPolicy::Suffix:
        return QStringLiteral("suffix");
    case ConflictPolicy::Overwrite:
        return QStringLiteral("overwrite");
    }
    return QStringLiteral("fail");
}

std::optional<ConflictPolicy> conflictPolicyFromString(const QString &text)
{
    for (const ConflictPolicy policy :
         {ConflictPolicy::Fail, ConflictPolicy::Skip, ConflictPolicy::Suffix, ConflictPolicy::Overwrite}) {
        if (text == conflictPolicyName(policy))
            return policy;
    }
    return std::nullopt;
}

} // namespace oncutf::core::rename
