// oncutf-cli: the command-line front end. Everything lives in the oncutf_cli library; this file
// only sets up Qt and hands over the raw arguments.

#include "cli/commands.h"
#include "core/files/nativepath.h"

#include <QCoreApplication>
#include <QStringList>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // AppDataLocation becomes $XDG_DATA_HOME/oncutf (no organisation level), the folder the GUI
    // shares for the default database.
    QCoreApplication::setOrganizationName(QString());
    QCoreApplication::setApplicationName(QStringLiteral("oncutf"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ONCUTF_VERSION));

    // argv is decoded from the raw bytes with surrogateescape (QCoreApplication::arguments()
    // would replace bytes that are not UTF-8), so a PATH argument keeps its exact bytes.
    QStringList arguments;
    arguments.reserve(argc);
    for (int i = 0; i < argc; ++i)
        arguments.append(oncutf::core::files::fsDecode(QByteArray(argv[i])));

    return oncutf::cli::runCommandLine(arguments);
}
