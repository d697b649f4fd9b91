// sdrt: the command-line interface. Parsing and wiring only; the work is in core/.

#include "Translations.h"
#include "cli/Commands.h"

#include "sdrt/common/Log.h"

#include <QGuiApplication>

#include <QDir>

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace {

void usage()
{
    sdrt::cli::err(QCoreApplication::translate(
        "sdrt::cli",
        "usage: sdrt COMMAND [ARGS]\n\n"
        "  init WS                    create a workspace\n"
        "  import WS PATH             import a folder or manifest.jsonl\n"
        "  prompts list|show|render|register\n"
        "  demo make-data DIR         write a synthetic factory data set\n"
        "  model make-tiny|info|generate|register|list   the VLM runtime, models in a workspace\n"
        "  generate WS --model M      run the prompt library two-step over items (traces)\n"
        "  merge WS SHARD...          merge shard folders of sdrt generate --shard\n"
        "  runs WS                    teacher runs: status (interrupted when the process died), counts\n"
        "  review accept-matching WS  simulated reviewer: accept the traces whose answer matches the reference\n"
        "  distill WS --base M        distil approved traces into a student (--resume RUN, --nproc N)\n"
        "  distill-runs WS            distillation runs: status, steps, final losses, lineage\n"
        "  eval WS --model M          evaluate a model or student: scores with intervals, cost per answer\n"
        "  compare WS EVAL EVAL...    compare evaluations: differences, significance, cost; --csv, --html\n"
        "  export WS [--format llava|flat]   approved traces / every review, as JSON Lines\n"
        "  bench import|model|generate   benchmarks\n\n"
        "Run 'sdrt COMMAND --help' for a command's options."));
}

// The command's exit status (2 for an unknown command).
int dispatch(const QString &command, const QStringList &args)
{
    if (command == QLatin1String("init"))
        return sdrt::cli::runInit(args);
    if (command == QLatin1String("import"))
        return sdrt::cli::runImport(args);
    if (command == QLatin1String("prompts"))
        return sdrt::cli::runPrompts(args);
    if (command == QLatin1String("demo"))
        return sdrt::cli::runDemo(args);
    if (command == QLatin1String("model"))
        return sdrt::cli::runModel(args);
    if (command == QLatin1String("generate"))
        return sdrt::cli::runGenerate(args);
    if (command == QLatin1String("merge"))
        return sdrt::cli::runMerge(args);
    if (command == QLatin1String("runs"))
        return sdrt::cli::runRuns(args);
    if (command == QLatin1String("distill"))
        return sdrt::cli::runDistill(args);
    if (command == QLatin1String("distill-runs"))
        return sdrt::cli::runDistillRuns(args);
    if (command == QLatin1String("compare"))
        return sdrt::cli::runCompare(args);
    if (command == QLatin1String("eval"))
        return sdrt::cli::runEval(args);
    if (command == QLatin1String("review"))
        return sdrt::cli::runReview(args);
    if (command == QLatin1String("export"))
        return sdrt::cli::runExport(args);
    if (command == QLatin1String("bench"))
        return sdrt::cli::runBench(args);
    sdrt::cli::err(QCoreApplication::translate("sdrt::cli", "Unknown command \"%1\".").arg(command));
    usage();
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    // PDF and SVG rendering need a GUI application for fonts; the CLI never opens a window.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Qt wants a private runtime folder; shells without a login session (CI, ssh) lack one.
    if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        const QByteArray dir = QDir::tempPath().toLocal8Bit() + "/sdrt-runtime-" + QByteArray::number(getuid());
        ::mkdir(dir.constData(), 0700);
        qputenv("XDG_RUNTIME_DIR", dir);
    }
    QGuiApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sdrt"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SDRT_VERSION));
    sdrt::app::installTranslations(app, qEnvironmentVariable("SDRT_LANGUAGE"));
    sdrt::log::setStderrLevel(spdlog::level::warn);

    QStringList args = QCoreApplication::arguments().mid(1);
    if (args.isEmpty() || args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")) {
        usage();
        return args.isEmpty() ? 2 : 0;
    }
    const QString command = args.takeFirst();
    const int code = dispatch(command, args);
    sdrt::cli::writeExitStatus(code);
    return code;
}
