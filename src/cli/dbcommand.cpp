#include "cli/dbcommand.h"

#include "cli/clicontext.h"
#include "core/db/backupmanager.h"
#include "core/db/databasemaintenance.h"
#include "core/db/databasemanager.h"
#include "core/files/nativepath.h"
#include "core/jsonwriter.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <chrono>

namespace oncutf::cli {

namespace {

using core::JsonWriter;
using core::db::DatabaseInfo;
using core::db::DatabaseMaintenance;
using core::db::DatabaseManager;

const QStringList kActions{QStringLiteral("check"), QStringLiteral("backup"), QStringLiteral("vacuum"),
                           QStringLiteral("info")};

int fail(const CliContext &ctx, const core::Error &error)
{
    ctx.warn(error.toString());
    return kExitFailure;
}

QString printable(const QString &path)
{
    return CliContext::printablePath(core::files::fsEncode(path));
}

int runCheck(CliContext &ctx, DatabaseManager &db, bool json)
{
    auto problems = DatabaseMaintenance(db).check();
    if (!problems.ok())
        return fail(ctx, problems.error());
    if (json) {
        JsonWriter writer(ctx.out(), JsonWriter::Style::Pretty);
        writer.beginObject().key(QLatin1StringView("ok")).boolean(problems->isEmpty());
        writer.key(QLatin1StringView("problems")).beginArray();
        for (const QString &problem : std::as_const(*problems))
            writer.string(problem);
        writer.endArray().endObject();
        writer.flush();
        ctx.print(QStringLiteral("\n"));
    } else if (problems->isEmpty()) {
        ctx.print(QStringLiteral("ok\n"));
    } else {
        for (const QString &problem : std::as_const(*problems))
            ctx.print(problem + QLatin1Char('\n'));
    }
    return problems->isEmpty() ? kExitSuccess : kExitFailure;
}

int runBackup(CliContext &ctx, DatabaseManager &db, bool json)
{
    core::db::BackupManager backups(db);
    auto path = backups.backupNow();
    if (!path.ok())
        return fail(ctx, path.error());
    if (json) {
        JsonWriter writer(ctx.out(), JsonWriter::Style::Pretty);
        writer.beginObject().key(QLatin1StringView("path")).rawPathString(core::files::fsEncode(*path));
        writer.key(QLatin1StringView("kept")).integer(backups.keepCount()).endObject();
        writer.flush();
        ctx.print(QStringLiteral("\n"));
    } else {
        ctx.print(printable(*path) + QLatin1Char('\n'));
    }
    return kExitSuccess;
}

int runVacuum(CliContext &ctx, DatabaseManager &db, bool json)
{
    DatabaseMaintenance maintenance(db);
    auto before = maintenance.info();
    if (!before.ok())
        return fail(ctx, before.error());
    if (const core::Status vacuumed = maintenance.vacuum(); !vacuumed)
        return fail(ctx, vacuumed.error());
    auto after = maintenance.info();
    if (!after.ok())
        return fail(ctx, after.error());
    if (json) {
        JsonWriter writer(ctx.out(), JsonWriter::Style::Pretty);
        writer.beginObject()
            .field(QLatin1StringView("size_before"), before->sizeBytes)
            .field(QLatin1StringView("size_after"), after->sizeBytes)
            .endObject();
        writer.flush();
        ctx.print(QStringLiteral("\n"));
    } else {
        ctx.print(QStringLiteral("vacuumed: %1 bytes -> %2 bytes\n").arg(before->sizeBytes).arg(after->sizeBytes));
    }
    return kExitSuccess;
}

void printInfoJson(const CliContext &ctx, const DatabaseInfo &info)
{
    JsonWriter writer(ctx.out(), JsonWriter::Style::Pretty);
    writer.beginObject();
    writer.key(QLatin1StringView("path")).rawPathString(core::files::fsEncode(info.path));
    writer.field(QLatin1StringView("schema_version"), info.schemaVersion);
    writer.field(QLatin1StringView("latest_schema_version"), info.latestSchemaVersion);
    writer.field(QLatin1StringView("size_bytes"), info.sizeBytes);
    writer.field(QLatin1StringView("file_bytes"), info.fileBytes);
    writer.field(QLatin1StringView("wal_bytes"), info.walBytes);
    writer.field(QLatin1StringView("page_size"), info.pageSize);
    writer.field(QLatin1StringView("page_count"), info.pageCount);
    writer.field(QLatin1StringView("free_pages"), info.freePages);
    writer.field(QLatin1StringView("journal_mode"), info.journalMode);
    writer.key(QLatin1StringView("read_only")).boolean(info.readOnly);
    writer.key(QLatin1StringView("counts")).beginObject();
    for (const auto &[table, rows] : info.counts)
        writer.key(table).integer(rows);
    writer.endObject();
    writer.endObject();
    writer.flush();
    ctx.print(QStringLiteral("\n"));
}

void printInfoText(const CliContext &ctx, const DatabaseInfo &info)
{
    QString text;
    text += QStringLiteral("path            %1\n").arg(printable(info.path));
    text += QStringLiteral("schema version  %1 (this oncutf: %2)\n").arg(info.schemaVersion).arg(info.latestSchemaVersion);
    text += QStringLiteral("size            %1 bytes (database %2, WAL %3)\n")
                .arg(info.sizeBytes)
                .arg(info.fileBytes)
                .arg(info.walBytes);
    text += QStringLiteral("journal mode    %1\n").arg(info.journalMode);
    text += QStringLiteral("pages           %1 of %2 bytes, %3 free\n").arg(info.pageCount).arg(info.pageSize).arg(info.freePages);
    text += QStringLiteral("read-only       %1\n").arg(info.readOnly ? QStringLiteral("yes") : QStringLiteral("no"));
    text += QStringLiteral("rows\n");
    for (const auto &[table, rows] : info.counts)
        text += QStringLiteral("  %1%2\n").arg(table, -16).arg(rows);
    ctx.print(text);
}

int runInfo(CliContext &ctx, DatabaseManager &db, bool json)
{
    auto info = DatabaseMaintenance(db).info();
    if (!info.ok())
        return fail(ctx, info.error());
    if (json)
        printInfoJson(ctx, *info);
    else
        printInfoText(ctx, *info);
    return kExitSuccess;
}

} // namespace

int runDbCommand(CliContext &ctx, const QStringList &args)
{
    const QCommandLineOption jsonOption(QStringList{QStringLiteral("json")},
                                        QStringLiteral("Print the result as one JSON object."));
    const QList<QCommandLineOption> options{jsonOption};
    QCommandLineParser parser;
    if (const auto exitCode = ctx.parseCommandArguments(parser, options, args))
        return *exitCode;
    const QStringList positional = parser.positionalArguments();
    if (positional.isEmpty())
        return ctx.usageError(QStringLiteral("missing ACTION (one of %1)").arg(kActions.join(QStringLiteral(", "))));
    if (positional.size() > 1)
        return ctx.usageError(QStringLiteral("expected one ACTION, got '%1'").arg(positional.join(u' ')));
    const QString action = positional.first();
    if (!kActions.contains(action))
        return ctx.usageError(
            QStringLiteral("unknown ACTION '%1' (one of %2)").arg(action, kActions.join(QStringLiteral(", "))));
    const bool json = parser.isSet(jsonOption);

    const QString path = ctx.databasePath();
    // Asking about a database never creates one.
    if (!QFileInfo::exists(path))
        return fail(ctx, core::makeError(core::ErrorCode::NotFound, QStringLiteral("no database here yet"), path));

    DatabaseManager db(path);
    int exitCode = kExitFailure;
    if (const core::Status opened = db.open(); !opened) {
        exitCode = fail(ctx, opened.error());
    } else {
        if (const auto notice = db.takeRecoveryNotice())
            ctx.warn(*notice);
        if (action == QLatin1String("check"))
            exitCode = runCheck(ctx, db, json);
        else if (action == QLatin1String("backup"))
            exitCode = runBackup(ctx, db, json);
        else if (action == QLatin1String("vacuum"))
            exitCode = runVacuum(ctx, db, json);
        else
            exitCode = runInfo(ctx, db, json);
    }
    if (const core::Status closed = db.close(); !closed && exitCode == kExitSuccess)
        exitCode = fail(ctx, closed.error());
    return exitCode;
}

} // namespace oncutf::cli
