#include "cli/Commands.h"

#include "sdrt/assets/ImportJob.h"
#include "sdrt/demo/FactoryWorld.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/Workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>

namespace sdrt::cli {
namespace {

qint64 folderBytes(const QString &dir)
{
    qint64 total = 0;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        total += QFileInfo(it.next()).size();
    return total;
}

int benchImport(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Import throughput: N generated 64x64 PNG photos into a fresh workspace."));
    p.addHelpOption();
    QCommandLineOption items(QStringLiteral("items"), QStringLiteral("Number of images."), QStringLiteral("N"), QStringLiteral("10000"));
    QCommandLineOption keep(QStringLiteral("keep"), QStringLiteral("Keep the workspace in this folder."), QStringLiteral("DIR"));
    p.addOptions({items, keep});
    processArgs(p, QStringList{QStringLiteral("sdrt bench import")} + args);
    const int n = p.value(items).toInt();

    QTemporaryDir tmp;
    const QString source = tmp.filePath(QStringLiteral("source"));
    const QString wsDir = p.isSet(keep) ? p.value(keep) : tmp.filePath(QStringLiteral("ws"));
    QElapsedTimer t;
    t.start();
    if (auto r = demo::writeSmallPhotos(source, n, 7); !r) {
        err(r.error());
        return 2;
    }
    out(QStringLiteral("generated %1 images (%2 KiB) in %3 s").arg(n).arg(folderBytes(source) / 1024).arg(t.elapsed() / 1000.0, 0, 'f', 2));
    auto ws = store::Workspace::create(wsDir);
    if (!ws) {
        err(ws.error());
        return 2;
    }
    assets::ImportParams params;
    params.workspaceRoot = ws->root();
    params.source = source;
    t.restart();
    auto report = assets::ImportJob(params).run();
    const double seconds = t.elapsed() / 1000.0;
    if (!report) {
        err(report.error());
        return 2;
    }
    out(QStringLiteral("import: %1 imported, %2 duplicates, %3 failed in %4 s = %5 items/s")
            .arg(report->imported)
            .arg(report->duplicates)
            .arg(report->failed)
            .arg(seconds, 0, 'f', 2)
            .arg(report->imported / seconds, 0, 'f', 0));
    t.restart();
    auto again = assets::ImportJob(params).run();
    const double reSeconds = t.elapsed() / 1000.0;
    if (again)
        out(QStringLiteral("re-import (all duplicates): %1 duplicates in %2 s = %3 items/s")
                .arg(again->duplicates)
                .arg(reSeconds, 0, 'f', 2)
                .arg(again->duplicates / reSeconds, 0, 'f', 0));
    out(QStringLiteral("workspace size: %1 MiB (database %2 MiB incl. WAL)")
            .arg(folderBytes(ws->root()) / 1048576.0, 0, 'f', 1)
            .arg((QFileInfo(ws->databasePath()).size() + QFileInfo(ws->databasePath() + QStringLiteral("-wal")).size()) / 1048576.0, 0, 'f', 2));
    return 0;
}

// What verifying a model costs: the full content hash of a model folder (what a load does when
// any file's size, times, inode or device differ from the last verification), and the cheap check
// (the stamps alone) that every other load does.
int benchHash(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Time the content hash of a model folder (every file the runtime reads) and the stamp check."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("Model folder."));
    processArgs(p, QStringList{QStringLiteral("sdrt bench hash")} + args);
    if (p.positionalArguments().size() != 1) {
        err(p.helpText());
        return 2;
    }
    const QString dir = p.positionalArguments().first();
    QElapsedTimer t;
    t.start();
    const QString stamps = store::modelFileStamps(dir);
    const double stampMs = t.nsecsElapsed() / 1e6;
    t.restart();
    auto hash = store::modelContentHash(dir);
    const double seconds = t.nsecsElapsed() / 1e9;
    if (!hash) {
        err(hash.error());
        return 2;
    }
    const qint64 bytes = folderBytes(dir);
    out(QStringLiteral("content hash %1 of %2 GB in %3 s: %4 MB/s; stamp check %5 ms")
            .arg(hash->left(12))
            .arg(bytes / 1e9, 0, 'f', 2)
            .arg(seconds, 0, 'f', 1)
            .arg(bytes / 1e6 / std::max(seconds, 1e-9), 0, 'f', 0)
            .arg(stampMs, 0, 'f', 2));
    return 0;
}

} // namespace

int runBench(const QStringList &args)
{
    if (!args.isEmpty() && args.first() == QLatin1String("import"))
        return benchImport(args.mid(1));
    if (!args.isEmpty() && args.first() == QLatin1String("model"))
        return benchModel(args.mid(1));
    if (!args.isEmpty() && args.first() == QLatin1String("generate"))
        return runBenchGenerate(args.mid(1));
    if (!args.isEmpty() && args.first() == QLatin1String("hash"))
        return benchHash(args.mid(1));
    err(QStringLiteral("usage: sdrt bench import [--items N] | model [--tiny-only] | generate MODEL [--items N] | hash MODEL_DIR"));
    return 2;
}

} // namespace sdrt::cli
