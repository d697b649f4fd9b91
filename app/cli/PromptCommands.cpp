#include "cli/Commands.h"

#include "sdrt/prompts/PromptLibrary.h"
#include "sdrt/store/Workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace sdrt::cli {

int runPrompts(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate(
        "sdrt::cli", "The prompt library.\n  list               the prompts, their versions and hashes\n"
                     "  show NAME          a prompt file\n"
                     "  render NAME        a rendered step (--step, --question, --note, --images, --query1)\n"
                     "  register WS        store the library's versions in a workspace"));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("ACTION"), QStringLiteral("list | show | render | register"));
    QCommandLineOption dir(QStringLiteral("dir"), QCoreApplication::translate("sdrt::cli", "Prompt folder (default: the shipped library)."),
                           QStringLiteral("DIR"), prompts::PromptLibrary::defaultDir());
    QCommandLineOption step(QStringLiteral("step"), QCoreApplication::translate("sdrt::cli", "Step to render (1 or 2)."),
                            QStringLiteral("N"), QStringLiteral("1"));
    QCommandLineOption question(QStringLiteral("question"), QCoreApplication::translate("sdrt::cli", "Question text."), QStringLiteral("TEXT"));
    QCommandLineOption note(QStringLiteral("note"), QCoreApplication::translate("sdrt::cli", "Note text."), QStringLiteral("TEXT"));
    QCommandLineOption images(QStringLiteral("images"), QCoreApplication::translate("sdrt::cli", "Number of images."),
                              QStringLiteral("N"), QStringLiteral("1"));
    QCommandLineOption query1(QStringLiteral("query1"), QCoreApplication::translate("sdrt::cli", "Step-1 answer for step 2."), QStringLiteral("TEXT"));
    p.addOptions({dir, step, question, note, images, query1});
    processArgs(p, QStringList{QStringLiteral("sdrt prompts")} + args);
    const QStringList pos = p.positionalArguments();
    if (pos.isEmpty())
        return errorExit(p.helpText());
    auto lib = prompts::PromptLibrary::loadDir(p.value(dir));
    if (!lib)
        return errorExit(lib.error());
    const QString action = pos.first();
    if (action == QLatin1String("list")) {
        for (const prompts::Prompt &pr : lib->prompts())
            out(QStringLiteral("%1\tv%2\t%3\t%4").arg(pr.name).arg(pr.version).arg(pr.contentHash.left(12), pr.description));
        return 0;
    }
    if ((action == QLatin1String("show") || action == QLatin1String("render")) && pos.size() == 2) {
        const prompts::Prompt *pr = lib->find(pos.at(1));
        if (!pr)
            return errorExit(QCoreApplication::translate("sdrt::cli", "No prompt named \"%1\" in %2.").arg(pos.at(1), p.value(dir)));
        if (action == QLatin1String("show")) {
            out(pr->text);
            return 0;
        }
        prompts::RenderContext ctx;
        ctx.imageCount = p.value(images).toInt();
        ctx.question = p.value(question);
        ctx.note = p.value(note);
        ctx.query1Answer = p.value(query1);
        const int s = p.value(step).toInt();
        if (s != 1 && s != 2)
            return errorExit(QCoreApplication::translate("sdrt::cli", "--step must be 1 or 2."));
        const prompts::RenderedStep r = pr->render(s, ctx);
        out(r.user);
        out(QStringLiteral("--- assistant starts with: %1").arg(r.assistantPrefix));
        return 0;
    }
    if (action == QLatin1String("register") && pos.size() == 2) {
        auto ws = openWorkspace(pos.at(1));
        if (!ws)
            return 2;
        auto ids = lib->registerIn(ws->db());
        if (!ids)
            return errorExit(ids.error());
        out(QCoreApplication::translate("sdrt::cli", "Registered %1 prompt versions.").arg(ids->size()));
        return 0;
    }
    err(p.helpText());
    return 2;
}

} // namespace sdrt::cli
