#include "core/logging.h"

Q_LOGGING_CATEGORY(lcPool, "oncutf.core.pool", QtWarningMsg)
Q_LOGGING_CATEGORY(lcWorker, "oncutf.core.worker", QtWarningMsg)
Q_LOGGING_CATEGORY(lcTimers, "oncutf.core.timers", QtWarningMsg)
Q_LOGGING_CATEGORY(lcShutdown, "oncutf.core.shutdown", QtWarningMsg)
Q_LOGGING_CATEGORY(lcDb, "oncutf.db", QtWarningMsg)
Q_LOGGING_CATEGORY(lcExifTool, "oncutf.metadata.exiftool", QtWarningMsg)
Q_LOGGING_CATEGORY(lcMetadata, "oncutf.metadata", QtWarningMsg)
Q_LOGGING_CATEGORY(lcHash, "oncutf.hash", QtWarningMsg)
Q_LOGGING_CATEGORY(lcRename, "oncutf.rename", QtWarningMsg)
Q_LOGGING_CATEGORY(lcFiles, "oncutf.files", QtWarningMsg)
