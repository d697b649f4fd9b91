#include "cli/Commands.h"

#include "sdrt/demo/FactoryWorld.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace sdrt::cli {

int runDemo(const QStringList &args)
{
    if (args.isEmpty() || args.first() != QLatin1String("make-data")) {
        err(QStringLiteral("usage: sdrt demo make-data DIR [--items N] [--seed S]"));
        return 2;
    }
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("sdrt::cli", "Write a synthetic factory data set (photos, drawings, notes, manifest.jsonl)."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QCoreApplication::translate("sdrt::cli", "Output folder."));
    QCommandLineOption items(QStringLiteral("items"), QCoreApplication::translate("sdrt::cli", "Number of items."), QStringLiteral("N"), QStringLiteral("40"));
    QCommandLineOption seed(QStringLiteral("seed"), QCoreApplication::translate("sdrt::cli", "Random seed."), QStringLiteral("S"), QStringLiteral("1"));
    p.addOptions({items, seed});
    p.process(QStringList{QStringLiteral("sdrt demo make-data")} + args.mid(1));
    if (p.positionalArguments().size() != 1) {
        err(p.helpText());
        return 2;
    }
    demo::MakeDataParams params;
    params.dir = p.positionalArguments().first();
    params.items = p.value(items).toInt();
    params.seed = p.value(seed).toUInt();
    ProgressBar bar(QCoreApplication::translate("sdrt::cli", "make-data"));
    params.progress = [&bar](int done, int total) { bar.update(done, total); };
    auto r = demo::makeData(params);
    bar.finish();
    if (!r) {
        err(r.error());
        return 2;
    }
    out(QCoreApplication::translate("sdrt::cli", "Wrote %1 items; manifest: %2").arg(r->items).arg(r->manifest));
    return 0;
}

} // namespace sdrt::cli
