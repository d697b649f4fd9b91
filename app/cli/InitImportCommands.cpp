#include "cli/Commands.h"

#include "sdrt/assets/ImportJob.h"
#include "sdrt/prompts/PromptLibrary.h"
#include "sdrt/store/Workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace sdrt::cli {

int runInit(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("sdrt::cli", "Create a new workspace folder."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("WS"), QCoreApplication::translate("sdrt::cli", "Workspace folder to create."));
    if (!parseArgs(p, QStringLiteral("sdrt init"), args, 1))
        return 2;
    auto ws = store::Workspace::create(p.positionalArguments().first());
    if (!ws)
        return errorExit(ws.error());
    if (auto lib = prompts::PromptLibrary::loadDir(prompts::PromptLibrary::defaultDir())) {
        if (auto r = lib->registerIn(ws->db()); !r)
            err(r.error());
    }
    out(QCoreApplication::translate("sdrt::cli", "Created workspace %1").arg(ws->root()));
    return 0;
}

int runImport(const QStringList &args)
{
    QCommandLineParser p;
    workspaceCommand(p, QCoreApplication::translate(
        "sdrt::cli", "Import a folder or a JSONL manifest into a workspace. Exit status: 0 all imported, "
                     "1 some items failed, 2 nothing could be imported."));
    p.addPositionalArgument(QStringLiteral("PATH"), QCoreApplication::translate("sdrt::cli", "Folder or manifest.jsonl."));
    QCommandLineOption dpi(QStringLiteral("dpi"), QCoreApplication::translate("sdrt::cli", "Resolution for PDF pages."),
                           QStringLiteral("N"), QStringLiteral("150"));
    QCommandLineOption maxPixels(QStringLiteral("max-pixels"),
                                 QCoreApplication::translate("sdrt::cli", "Largest image or page accepted, in pixels."),
                                 QStringLiteral("N"), QStringLiteral("64000000"));
    QCommandLineOption init(QStringLiteral("init"), QCoreApplication::translate("sdrt::cli", "Create the workspace if it does not exist."));
    p.addOptions({dpi, maxPixels, init});
    if (!parseArgs(p, QStringLiteral("sdrt import"), args, 2))
        return 2;
    const QString wsDir = p.positionalArguments().at(0);
    auto ws = (p.isSet(init) && !store::Workspace::looksLikeWorkspace(wsDir)) ? store::Workspace::create(wsDir)
                                                                             : store::Workspace::open(wsDir);
    if (!ws)
        return errorExit(ws.error());
    assets::ImportParams params;
    params.workspaceRoot = ws->root();
    params.source = p.positionalArguments().at(1);
    bool ok = false;
    params.limits.pdfDpi = p.value(dpi).toInt(&ok);
    if (!ok || params.limits.pdfDpi < 10 || params.limits.pdfDpi > 1200)
        return errorExit(QCoreApplication::translate("sdrt::cli", "--dpi must be between 10 and 1200."));
    params.limits.maxPixels = p.value(maxPixels).toLongLong(&ok);
    if (!ok || params.limits.maxPixels < 1)
        return errorExit(QCoreApplication::translate("sdrt::cli", "--max-pixels must be a positive number."));
    ProgressBar bar(QCoreApplication::translate("sdrt::cli", "import"));
    params.progress = [&bar](const assets::ImportProgress &pr) { bar.update(pr.done, pr.total); };
    auto report = assets::ImportJob(params).run();
    bar.finish();
    if (!report)
        return errorExit(report.error());
    for (const assets::ImportFailure &f : report->failures)
        err(QCoreApplication::translate("sdrt::cli", "failed: %1").arg(f.toString()));
    out(report->summary());
    if (report->failed > 0)
        return report->imported + report->duplicates > 0 ? 1 : 2;
    return 0;
}

} // namespace sdrt::cli
