// sdrt distill: SDRT self-distillation runs (core/distill), one JSON object per line on stdout,
// human messages on stderr; --nproc N starts N local data-parallel ranks (c10d/Gloo).

#include "cli/Commands.h"

#include "sdrt/distill/DistillJob.h"
#include "sdrt/model/Student.h"
#include "sdrt/model/Platform.h"
#include "sdrt/store/DistillRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/RunProtocol.h"
#include "sdrt/store/Workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cstdio>
#include <cstdlib>

namespace sdrt::cli {
namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("sdrt::cli", s);
}

// This process's place in a data-parallel run, from --rank, --world-size, --master-addr and
// --master-port (or RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) and --nproc; nullopt after an
// error on stderr. A port left unset is chosen by the job.
std::optional<distill::DistillPlace> placeOf(const QCommandLineParser &p, const QCommandLineOption &rank, const QCommandLineOption &world,
                                             const QCommandLineOption &addr, const QCommandLineOption &port, int nproc)
{
    auto envOr = [&](const QCommandLineOption &o, const char *env) { return p.isSet(o) ? p.value(o) : qEnvironmentVariable(env); };
    distill::DistillPlace w;
    const QString addrText = envOr(addr, "MASTER_ADDR"), portText = envOr(port, "MASTER_PORT");
    const QString rankText = envOr(rank, "RANK"), worldText = envOr(world, "WORLD_SIZE");
    if (worldText.isEmpty() && !rankText.isEmpty())
        return errorNothing(tr("--rank (or RANK) needs --world-size (or WORLD_SIZE)."));
    if (!worldText.isEmpty()) {
        bool ok1 = true, ok2 = true;
        w.rank = rankText.isEmpty() ? 0 : rankText.toInt(&ok1);
        w.worldSize = worldText.toInt(&ok2);
        if (!ok1 || !ok2 || w.worldSize < 1 || w.rank < 0 || w.rank >= w.worldSize)
            return errorNothing(tr("--rank %1 / --world-size %2: the rank must be a whole number from 0 to world size − 1.").arg(rankText, worldText));
        if (nproc > 1)
            return errorNothing(tr("--nproc starts local ranks itself; do not combine it with --rank/--world-size."));
    }
    if (nproc > 1)
        w.worldSize = nproc; // on loopback
    else if (!addrText.isEmpty())
        w.address = addrText;
    if (w.worldSize > 1 && !portText.isEmpty()) {
        bool ok = false;
        w.port = portText.trimmed().toInt(&ok);
        if (!ok || w.port < 1 || w.port > 65535)
            return errorNothing(tr("--master-port (or MASTER_PORT): \"%1\" is not a port number (1 to 65535).").arg(portText));
    }
    return w;
}

// --nproc: ranks 1..N−1 are this command again, as workers of the run rank 0 created.
QStringList workerArguments(const distill::LocalRank &r)
{
    return {QStringLiteral("distill"), r.workspace, QStringLiteral("--base"), QString::number(r.baseModelId),
            QStringLiteral("--config"), r.configFile, QStringLiteral("--name"), r.runName,
            QStringLiteral("--rank"), QString::number(r.rank), QStringLiteral("--world-size"), QString::number(r.worldSize),
            QStringLiteral("--master-addr"), r.address, QStringLiteral("--master-port"), QString::number(r.port),
            QStringLiteral("--threads"), QString::number(model::configureThreads(0)),
            QStringLiteral("--rendezvous-timeout"), QString::number(r.rendezvousSeconds)};
}

std::optional<distill::DistillConfig> readConfig(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return errorNothing(tr("Cannot read the config %1: %2").arg(file, f.errorString()));
    auto c = distill::DistillConfig::fromJson(f.readAll());
    if (!c)
        return errorNothing(QStringLiteral("%1: %2").arg(file, c.error()));
    return *c;
}

// What a finished rank 0 says: the protocol's last line on stdout, a sentence on stderr.
int reportDistill(const distill::DistillSummary &s, const QString &workspace)
{
    namespace protocol = store::protocol;
    if (s.cancelled) {
        err(tr("Cancelled at step %1; resume with: sdrt distill %2 --resume %3").arg(s.training.stepsDone).arg(workspace, s.run));
        jsonLine(protocol::encode(protocol::Event::Cancelled, distill::distillEnd(s)));
        return 1;
    }
    for (const QString &w : s.warnings)
        err(tr("Warning: %1.").arg(w));
    jsonLine(protocol::encode(protocol::Event::Done, distill::distillEnd(s)));
    err(tr("Student \"%1\" written to %2 (%3 trainable parameters on a base of %4).")
            .arg(s.run, s.adapterFile)
            .arg(s.trainableParameters)
            .arg(s.baseParameters));
    return 0;
}

} // namespace

int runDistill(const QStringList &args)
{
    QCommandLineParser p;
    workspaceCommand(p, tr("Distil approved traces into a student (the frozen base plus SDRT modules).\n"
                                   "stdout: one JSON object per line (step, each loss term, lr, samples/s, ETA; a final summary).\n"
                                   "Config keys (JSON object, any subset; see docs/DISTILLATION.md): ")
                                + distill::DistillConfig::keys().join(QStringLiteral(", ")));
    QCommandLineOption base(QStringLiteral("base"), tr("The base model (name or id in the workspace)."), QStringLiteral("MODEL"));
    QCommandLineOption config(QStringLiteral("config"), tr("Distillation config (JSON); default: every default."), QStringLiteral("FILE"));
    QCommandLineOption name(QStringLiteral("name"), tr("Run name (default: distill-<UTC time>); also the student's name."), QStringLiteral("RUN"));
    QCommandLineOption resume(QStringLiteral("resume"), tr("Resume a cancelled, failed or interrupted run from its last checkpoint."), QStringLiteral("RUN"));
    QCommandLineOption nproc(QStringLiteral("nproc"), tr("Local data-parallel processes."), QStringLiteral("N"), QStringLiteral("1"));
    QCommandLineOption rank(QStringLiteral("rank"), tr("This process's rank (or RANK)."), QStringLiteral("R"));
    QCommandLineOption world(QStringLiteral("world-size"), tr("Number of ranks (or WORLD_SIZE)."), QStringLiteral("N"));
    QCommandLineOption addr(QStringLiteral("master-addr"), tr("Rank 0's address (or MASTER_ADDR)."), QStringLiteral("HOST"));
    QCommandLineOption port(QStringLiteral("master-port"), tr("Rank 0's port (or MASTER_PORT)."), QStringLiteral("PORT"));
    QCommandLineOption threads(QStringLiteral("threads"), tr("Intra-op threads per process (0: cores / processes)."), QStringLiteral("N"), QStringLiteral("0"));
    QCommandLineOption rendezvous(QStringLiteral("rendezvous-timeout"),
                                  tr("Seconds every rank waits for the others (at the start and for each exchange) before it fails."),
                                  QStringLiteral("S"), QStringLiteral("120"));
    p.addOptions({base, config, name, resume, nproc, rank, world, addr, port, threads, rendezvous});
    processArgs(p, QStringList{QStringLiteral("sdrt distill")} + args);
    if (p.positionalArguments().size() != 1 || (p.isSet(resume) == p.isSet(base))) {
        err(tr("Give a workspace and either --base MODEL (a new run) or --resume RUN."));
        err(p.helpText());
        return 2;
    }
    if (p.isSet(resume) && (p.isSet(config) || p.isSet(name)))
        return errorExit(tr("--resume continues a run with its own settings and name; --config and --name apply to a new run only."));
    const auto nprocValue = intOption(p, nproc, 1, 256);
    const auto threadsValue = nprocValue ? intOption(p, threads, 0, 1024) : std::nullopt;
    const auto rendezvousSeconds = threadsValue ? intOption(p, rendezvous, 1, 86400) : std::nullopt;
    if (!rendezvousSeconds)
        return 2;
    auto placed = placeOf(p, rank, world, addr, port, *nprocValue);
    if (!placed)
        return 2;
    model::configureThreads(*threadsValue > 0 ? *threadsValue : std::max(1, model::configureThreads(0) / (*nprocValue > 1 ? *nprocValue : 1)));

    distill::DistillParams dp;
    dp.workspace = p.positionalArguments().first();
    dp.resumeRun = p.value(resume);
    dp.baseModel = p.value(base);
    if (p.isSet(config)) {
        auto c = readConfig(p.value(config));
        if (!c)
            return 2;
        dp.config = *c;
    }
    if (p.isSet(name))
        dp.runName = p.value(name);
    dp.place = *placed;
    dp.localRanks = *nprocValue;
    dp.workerArguments = workerArguments;
    dp.rendezvousSeconds = *rendezvousSeconds;
    dp.cancel = cancelOnSignals();
    dp.message = [](const QString &line) { err(line); };
    dp.started = [](const store::protocol::DistillStart &s) { jsonLine(store::protocol::encode(s)); };
    dp.progress = [](const model::DistillProgress &pr) { jsonLine(store::protocol::encode(distill::distillStep(pr))); };
    auto summary = distill::runDistill(dp);
    if (!summary) {
        err(summary.error());
        if (placed->rank == 0)
            jsonLine(store::protocol::encodeFailure(summary.error()));
        if (distill::rendezvousThreadStuck()) {
            std::fflush(stdout);
            std::fflush(stderr);
            std::_Exit(2); // a thread is stuck in the network library: it cannot be joined
        }
        return 2;
    }
    if (placed->rank != 0)
        return 0;
    return reportDistill(*summary, dp.workspace);
}

std::unique_ptr<model::Student> loadStudentAdapter(model::VlmRuntime &rt, const QString &baseDir, const QString &runDir)
{
    auto hash = store::modelContentHash(baseDir);
    if (!hash) {
        err(hash.error());
        return nullptr;
    }
    const QString file = QFileInfo(runDir).isDir() ? QDir(runDir).filePath(QStringLiteral("adapter.safetensors")) : runDir;
    auto st = model::Student::load(file.toStdString(), rt, hash->toStdString());
    if (!st) {
        err(QString::fromStdString(st.error()));
        return nullptr;
    }
    (*st)->attach(rt);
    return std::move(*st);
}

int runDistillRuns(const QStringList &args)
{
    QCommandLineParser p;
    workspaceCommand(p, tr("List the workspace's distillation runs: status, base model, steps done and the step of the last "
                                   "checkpoint, final losses, lineage."));
    if (!parseArgs(p, QStringLiteral("sdrt distill-runs"), args, 1))
        return 2;
    auto ws = openWorkspace(p.positionalArguments().first());
    if (!ws)
        return 2;
    store::DistillRepository runs(ws->db());
    auto list = runs.list();
    if (!list)
        return errorExit(list.error());
    for (const auto &r : *list) {
        auto lineage = runs.lineage(r.id);
        QStringList prompts;
        if (lineage)
            for (const auto &[name, n] : lineage->prompts)
                prompts << QStringLiteral("%1×%2").arg(name).arg(n);
        const QString steps = r.status == store::RunStatus::Done || r.checkpointStep == r.stepsDone
                                  ? QString::number(r.stepsDone)
                                  : tr("%1 (resumes from its checkpoint at %2)").arg(r.stepsDone).arg(r.checkpointStep);
        out(QStringLiteral("%1\t%2\t%3\tbase %4\tsteps %5\t%6\t%7 traces: %8%9")
                .arg(r.id)
                .arg(r.name, store::runStatusName(r.status))
                .arg(r.baseModelId)
                .arg(steps)
                .arg(r.finalLosses)
                .arg(lineage ? lineage->traces : 0)
                .arg(prompts.join(QStringLiteral(", ")), r.error.isEmpty() ? QString() : QStringLiteral("\t") + r.error));
    }
    return 0;
}

} // namespace sdrt::cli
