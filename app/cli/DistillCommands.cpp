// sdrt distill: SDRT self-distillation runs (core/distill), one JSON object per line on stdout,
// human messages on stderr; --nproc N starts N local data-parallel ranks (c10d/Gloo).

#include "cli/Commands.h"

#include "sdrt/distill/Dataset.h"
#include "sdrt/distill/DistillConfig.h"
#include "sdrt/distill/Student.h"
#include "sdrt/distill/Trainer.h"
#include "sdrt/model/Platform.h"
#include "sdrt/store/DistillRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/teacher/Models.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>

namespace sdrt::cli {
namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("sdrt::cli", s);
}

double peakRssMb()
{
    std::ifstream in("/proc/self/status");
    std::string key;
    while (in >> key) {
        if (key == "VmHWM:") {
            double kb = 0;
            in >> kb;
            return kb / 1024.0;
        }
    }
    return 0;
}

// A port the kernel says is free on loopback now (rank 0 binds it moments later).
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 29500;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = 29500;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 && ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

QJsonObject lossesJson(const distill::DistillProgress &p)
{
    return {{QStringLiteral("loss"), p.loss}, {QStringLiteral("ce"), p.ce}, {QStringLiteral("hidden"), p.hidden},
            {QStringLiteral("entropy"), p.entropy}};
}

std::optional<store::ModelRecord> findModel(store::Workspace &ws, const QString &nameOrId)
{
    store::ModelRepository models(ws.db());
    bool isId = false;
    const qint64 id = nameOrId.toLongLong(&isId);
    auto found = isId ? models.find(id) : models.findByName(nameOrId);
    if (!found) {
        err(found.error());
        return std::nullopt;
    }
    if (!*found) {
        err(tr("There is no model \"%1\" in %2. Register it with: sdrt model register %2 DIR --name %1").arg(nameOrId, ws.root()));
        return std::nullopt;
    }
    return **found;
}

distill::StudentSettings studentSettings(const distill::DistillConfig &cfg, const distill::Dataset &data)
{
    distill::StudentSettings settings;
    settings.layers = cfg.layers;
    settings.rank = cfg.rank;
    settings.positions = cfg.positions;
    settings.adapter = cfg.adapter;
    settings.skip = cfg.skip;
    settings.skipRank = cfg.skipRank;
    settings.ensemble = cfg.ensemble;
    settings.ensembleConditioned = cfg.ensembleConditioned;
    settings.seed = cfg.seed;
    for (const QString &v : data.promptVersions)
        settings.promptVersions.push_back(v.toStdString());
    return settings;
}

// The trace ids a run started with (unset when it has none recorded); false after an error on stderr.
bool lineageOf(store::DistillRepository &runs, store::Id runId, std::optional<std::vector<store::Id>> &ids)
{
    auto t = runs.traces(runId);
    if (!t) {
        err(t.error());
        return false;
    }
    if (!t->empty()) {
        ids.emplace();
        for (const auto &rt : *t)
            ids->push_back(rt.traceId);
    }
    return true;
}

// --nproc: ranks 1..world-1 are this command again, as workers of the run rank 0 created.
Result<std::vector<std::unique_ptr<QProcess>>> startWorkers(const QString &ws, store::Id baseId, const QString &runDir, const QString &runName,
                                                            int world, const QString &addr, const QString &port)
{
    std::vector<std::unique_ptr<QProcess>> workers;
    for (int r = 1; r < world; ++r) {
        auto proc = std::make_unique<QProcess>();
        proc->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        proc->setStandardOutputFile(QProcess::nullDevice());
        QStringList a{QStringLiteral("distill"), ws, QStringLiteral("--base"), QString::number(baseId),
                      QStringLiteral("--config"), QDir(runDir).filePath(QStringLiteral("config.json")), QStringLiteral("--name"), runName,
                      QStringLiteral("--rank"), QString::number(r), QStringLiteral("--world-size"), QString::number(world),
                      QStringLiteral("--master-addr"), addr, QStringLiteral("--master-port"), port,
                      QStringLiteral("--threads"), QString::number(model::configureThreads(0))};
        proc->start(QCoreApplication::applicationFilePath(), a);
        if (!proc->waitForStarted())
            return fail(tr("Cannot start rank %1: %2").arg(r).arg(proc->errorString()));
        workers.push_back(std::move(proc));
    }
    return workers;
}

} // namespace

int runDistill(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(tr("Distil approved traces into a student (the frozen base plus SDRT modules).\n"
                                   "stdout: one JSON object per line (step, each loss term, lr, samples/s, ETA; a final summary).\n"
                                   "Config keys (JSON object, any subset; see docs/DISTILLATION.md): ")
                                + distill::DistillConfig::keys().join(QStringLiteral(", ")));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("WS"), tr("Workspace folder."));
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
    p.addOptions({base, config, name, resume, nproc, rank, world, addr, port, threads});
    p.process(QStringList{QStringLiteral("sdrt distill")} + args);
    if (p.positionalArguments().size() != 1 || (p.isSet(resume) == p.isSet(base))) {
        err(tr("Give a workspace and either --base MODEL (a new run) or --resume RUN."));
        err(p.helpText());
        return 2;
    }
    auto envOr = [&](const QCommandLineOption &o, const char *env) {
        return p.isSet(o) ? p.value(o) : qEnvironmentVariable(env);
    };
    const auto nprocValue = intOption(p, nproc, 1, 256);
    const auto threadsValue = nprocValue ? intOption(p, threads, 0, 1024) : std::nullopt;
    if (!threadsValue)
        return 2;
    int rankValue = 0, worldValue = 1;
    QString masterAddr = envOr(addr, "MASTER_ADDR"), masterPort = envOr(port, "MASTER_PORT");
    const QString rankText = envOr(rank, "RANK"), worldText = envOr(world, "WORLD_SIZE");
    if (!worldText.isEmpty()) {
        bool ok1 = true, ok2 = true;
        rankValue = rankText.isEmpty() ? 0 : rankText.toInt(&ok1);
        worldValue = worldText.toInt(&ok2);
        if (!ok1 || !ok2 || worldValue < 1 || rankValue < 0 || rankValue >= worldValue) {
            err(tr("--rank %1 / --world-size %2: the rank must be a whole number from 0 to world size − 1.").arg(rankText, worldText));
            return 2;
        }
        if (*nprocValue > 1) {
            err(tr("--nproc starts local ranks itself; do not combine it with --rank/--world-size."));
            return 2;
        }
    }
    if (*nprocValue > 1) {
        worldValue = *nprocValue;
        masterAddr = QStringLiteral("127.0.0.1");
        masterPort = QString::number(freePort());
    }
    if (worldValue > 1 && masterAddr.isEmpty())
        masterAddr = QStringLiteral("127.0.0.1");
    if (worldValue > 1 && masterPort.isEmpty())
        masterPort = QStringLiteral("29500");
    model::configureThreads(*threadsValue > 0 ? *threadsValue : std::max(1, model::configureThreads(0) / (*nprocValue > 1 ? *nprocValue : 1)));

    auto ws = store::Workspace::open(p.positionalArguments().first());
    if (!ws) {
        err(ws.error());
        return 2;
    }
    store::DistillRepository runs(ws->db());

    // The run's settings: a new run's from --base/--config, a resumed run's from its row.
    distill::DistillConfig cfg;
    std::optional<store::ModelRecord> baseModel;
    QString runName;
    std::optional<store::DistillRun> existing;
    if (p.isSet(resume)) {
        auto r = runs.findByName(p.value(resume));
        if (!r) {
            err(r.error());
            return 2;
        }
        if (!*r) {
            err(tr("There is no distillation run \"%1\" in %2 (sdrt distill-runs %2 lists them).").arg(p.value(resume), ws->root()));
            return 2;
        }
        existing = **r;
        runName = existing->name;
        auto c = distill::DistillConfig::fromJson(existing->config.toUtf8());
        if (!c) {
            err(tr("Run \"%1\": %2").arg(runName, c.error()));
            return 2;
        }
        cfg = *c;
        baseModel = findModel(*ws, QString::number(existing->baseModelId));
    } else {
        if (p.isSet(config)) {
            QFile f(p.value(config));
            if (!f.open(QIODevice::ReadOnly)) {
                err(tr("Cannot read the config %1: %2").arg(p.value(config), f.errorString()));
                return 2;
            }
            auto c = distill::DistillConfig::fromJson(f.readAll());
            if (!c) {
                err(QStringLiteral("%1: %2").arg(p.value(config), c.error()));
                return 2;
            }
            cfg = *c;
        }
        baseModel = findModel(*ws, p.value(base));
        runName = p.isSet(name) ? p.value(name).trimmed()
                                : QStringLiteral("distill-") + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        if (runName.isEmpty() || runName.contains(QLatin1Char('/')) || runName.contains(QLatin1Char('\\')) || runName.startsWith(QLatin1Char('.'))) {
            err(tr("\"%1\" cannot be a run name (it names a folder under runs/).").arg(runName));
            return 2;
        }
        if (rankValue == 0) {
            auto taken = runs.findByName(runName);
            if (taken && *taken) {
                err(tr("A distillation run named \"%1\" already exists; choose another --name, or --resume %1.").arg(runName));
                return 2;
            }
        }
    }
    if (!baseModel)
        return 2;
    if (baseModel->role != QLatin1String("base")) {
        err(tr("Model \"%1\" is a %2; a distillation starts from a base model.").arg(baseModel->name, baseModel->role));
        return 2;
    }
    auto rt = teacher::loadRegisteredModel(*ws, *baseModel, {});
    if (!rt) {
        err(rt.error());
        return 2;
    }
    std::optional<review::ApprovalPolicy> policy;
    if (cfg.policy)
        policy = *review::ApprovalPolicy::parse(*cfg.policy);
    // A resumed run, and every rank but 0 of a local run, train on the run's lineage: the
    // traces it started with, whatever the reviews say now.
    std::optional<std::vector<store::Id>> lineageIds;
    {
        std::optional<store::DistillRun> known = existing;
        if (!known && rankValue > 0) {
            if (auto r = runs.findByName(runName); r && *r)
                known = **r;
        }
        if (known && !lineageOf(runs, known->id, lineageIds))
            return 2;
    }
    auto data = distill::buildDataset(*ws, *baseModel, **rt, policy, lineageIds ? 0 : cfg.maxTraces, lineageIds ? &*lineageIds : nullptr);
    if (!data) {
        err(data.error());
        return 2;
    }
    err(tr("data: %1 (policy: %2)").arg(data->report.describe(), data->policy.describe()));
    for (const QString &problem : data->report.problems)
        err(QStringLiteral("  ") + problem);
    if (data->examples.empty()) {
        err(tr("No approved traces of the train split with the base model's hidden states: nothing to distil. Review traces "
               "(accept some) or change the approval policy."));
        return 2;
    }

    const QString runDir = QDir(ws->runsDir()).filePath(runName);
    const QString adapterFile = QDir(runDir).filePath(QStringLiteral("adapter.safetensors"));
    auto student = distill::Student::create(**rt, studentSettings(cfg, *data));
    if (!student) {
        err(QString::fromStdString(student.error()));
        return 2;
    }
    cfg.layers = (*student)->settings().layers; // resolved
    if (cfg.hiddenLayers.empty() && cfg.lambdaHidden > 0)
        cfg.hiddenLayers = data->storedLayers;

    // Rank 0 owns the store: the run row (with its lock), the lineage, the files.
    std::optional<store::StartedDistillRun> started;
    if (rankValue == 0) {
        if (!QDir().mkpath(runDir)) {
            err(tr("Cannot create the folder %1.").arg(runDir));
            return 2;
        }
        store::DistillRun row;
        row.name = runName;
        row.baseModelId = baseModel->id;
        row.config = QString::fromUtf8(cfg.toJson());
        row.policy = data->policy.toJson();
        row.worldSize = worldValue;
        auto s = existing ? runs.resume(existing->id) : runs.start(row);
        if (!s) {
            err(s.error());
            return 2;
        }
        started = std::move(*s);
        QFile cf(QDir(runDir).filePath(QStringLiteral("config.json")));
        if (!cf.open(QIODevice::WriteOnly | QIODevice::Truncate) || cf.write(cfg.toJson()) < 0) {
            err(tr("Cannot write %1.").arg(cf.fileName()));
            (void)runs.finish(started->id, store::RunStatus::Failed, tr("cannot write the config"), 0, {});
            return 2;
        }
        cf.close();
        std::vector<store::RunTrace> lineage;
        for (const auto &e : data->examples)
            lineage.push_back({e.traceId, e.promptId, e.reviewers});
        if (auto r = runs.setTraces(started->id, lineage); !r) {
            err(r.error());
            (void)runs.finish(started->id, store::RunStatus::Failed, r.error(), 0, {});
            return 2;
        }
        jsonLine({{QStringLiteral("event"), QStringLiteral("start")},
                  {QStringLiteral("run"), runName},
                  {QStringLiteral("run_id"), qint64(started->id)},
                  {QStringLiteral("resumed"), bool(existing)},
                  {QStringLiteral("traces"), data->report.used},
                  {QStringLiteral("world_size"), worldValue},
                  {QStringLiteral("trainable_parameters"), qint64((*student)->trainableParameters())},
                  {QStringLiteral("base_parameters"), qint64((*rt)->info().parameters)}});
    }

    // --nproc: the other local ranks are this command again, as workers of this run.
    std::vector<std::unique_ptr<QProcess>> workers;
    if (*nprocValue > 1) {
        auto w = startWorkers(ws->root(), baseModel->id, runDir, runName, worldValue, masterAddr, masterPort);
        if (!w) {
            err(w.error());
            if (started)
                (void)runs.finish(started->id, store::RunStatus::Failed, tr("a worker did not start"), 0, {});
            return 2;
        }
        workers = std::move(*w);
    }
    std::unique_ptr<distill::Communicator> comm;
    if (worldValue > 1) {
        auto c = distill::joinProcessGroup(rankValue, worldValue, masterAddr.toStdString(), masterPort.toInt());
        if (!c) {
            err(QString::fromStdString(c.error()));
            if (started)
                (void)runs.finish(started->id, store::RunStatus::Failed, QString::fromStdString(c.error()), 0, {});
            return 2;
        }
        comm = std::move(*c);
    }

    distill::DistillCallbacks cb;
    cb.cancel = cancelOnSignals();
    if (rankValue == 0) {
        cb.progress = [&](const distill::DistillProgress &pr) {
            QJsonObject o = lossesJson(pr);
            o.insert(QStringLiteral("event"), QStringLiteral("step"));
            o.insert(QStringLiteral("step"), pr.step);
            o.insert(QStringLiteral("steps"), pr.steps);
            o.insert(QStringLiteral("lr"), pr.lr);
            o.insert(QStringLiteral("samples_per_s"), pr.samplesPerSecond);
            o.insert(QStringLiteral("tokens_per_s"), pr.tokensPerSecond);
            o.insert(QStringLiteral("eta_s"), pr.etaSeconds);
            if (!pr.ensembleWeights.empty()) {
                QJsonArray w;
                for (double x : pr.ensembleWeights)
                    w.append(x);
                o.insert(QStringLiteral("ensemble_weights"), w);
            }
            jsonLine(o);
        };
    }
    auto report = distill::trainStudent(**rt, **student, *data, cfg, runDir.toStdString(), cb, comm.get());
    for (auto &w : workers) {
        if (!report) // the others would wait in the all-reduce until its timeout
            w->kill();
        w->waitForFinished(-1);
    }
    if (rankValue != 0)
        return report ? 0 : 2;
    const QString losses = QString::fromUtf8(QJsonDocument(report ? lossesJson(report->last) : QJsonObject()).toJson(QJsonDocument::Compact));
    if (!report) {
        err(QString::fromStdString(report.error()));
        (void)runs.finish(started->id, store::RunStatus::Failed, QString::fromStdString(report.error()), 0, losses);
        jsonLine({{QStringLiteral("event"), QStringLiteral("failed")}, {QStringLiteral("error"), QString::fromStdString(report.error())}});
        return 2;
    }
    if (report->cancelled) {
        (void)runs.finish(started->id, store::RunStatus::Cancelled, QString(), report->stepsDone, losses);
        err(tr("Cancelled at step %1; resume with: sdrt distill %2 --resume %3").arg(report->stepsDone).arg(ws->root(), runName));
        jsonLine({{QStringLiteral("event"), QStringLiteral("cancelled")}, {QStringLiteral("step"), report->stepsDone}});
        return 1;
    }
    if (auto r = (*student)->save(adapterFile.toStdString(), baseModel->contentHash.toStdString()); !r) {
        err(QString::fromStdString(r.error()));
        (void)runs.finish(started->id, store::RunStatus::Failed, QString::fromStdString(r.error()), report->stepsDone, losses);
        return 2;
    }
    // The student: a model of role student pointing at its base and this run.
    store::ModelRepository models(ws->db());
    auto st = models.registerFolder(*ws, runDir, runName, QStringLiteral("student"));
    if (st)
        (void)models.linkStudent(st->id, baseModel->id, started->id);
    else
        err(st.error());
    if (auto r = runs.finish(started->id, store::RunStatus::Done, QString(), report->stepsDone, losses); !r)
        err(r.error());
    QJsonObject done = lossesJson(report->last);
    done.insert(QStringLiteral("event"), QStringLiteral("done"));
    done.insert(QStringLiteral("run"), runName);
    done.insert(QStringLiteral("steps"), report->stepsDone);
    done.insert(QStringLiteral("resumed_from"), report->startStep);
    done.insert(QStringLiteral("seconds"), report->seconds);
    done.insert(QStringLiteral("samples_per_s"), report->samplesPerSecond);
    done.insert(QStringLiteral("tokens_per_s"), report->tokensPerSecond);
    done.insert(QStringLiteral("world_size"), worldValue);
    done.insert(QStringLiteral("peak_rss_mb"), peakRssMb());
    done.insert(QStringLiteral("trainable_parameters"), qint64((*student)->trainableParameters()));
    done.insert(QStringLiteral("base_parameters"), qint64((*rt)->info().parameters));
    done.insert(QStringLiteral("adapter_bytes"), qint64(QFileInfo(adapterFile).size()));
    done.insert(QStringLiteral("student_model_id"), st ? qint64(st->id) : qint64(0));
    jsonLine(done);
    err(tr("Student \"%1\" written to %2 (%3 trainable parameters on a base of %4).")
            .arg(runName, adapterFile)
            .arg((*student)->trainableParameters())
            .arg((*rt)->info().parameters));
    return 0;
}

std::unique_ptr<distill::Student> loadStudentAdapter(model::VlmRuntime &rt, const QString &baseDir, const QString &runDir)
{
    auto hash = store::modelContentHash(baseDir);
    if (!hash) {
        err(hash.error());
        return nullptr;
    }
    const QString file = QFileInfo(runDir).isDir() ? QDir(runDir).filePath(QStringLiteral("adapter.safetensors")) : runDir;
    auto st = distill::Student::load(file.toStdString(), rt, hash->toStdString());
    if (!st) {
        err(QString::fromStdString(st.error()));
        return nullptr;
    }
    (*st)->attach(rt);
    return std::move(*st);
}

int runDistillRuns(const QStringList &args)
{
    if (args.size() != 1) {
        err(QStringLiteral("usage: sdrt distill-runs WS"));
        return 2;
    }
    auto ws = store::Workspace::open(args.first());
    if (!ws) {
        err(ws.error());
        return 2;
    }
    store::DistillRepository runs(ws->db());
    auto list = runs.list();
    if (!list) {
        err(list.error());
        return 2;
    }
    for (const auto &r : *list) {
        auto lineage = runs.lineage(r.id);
        QStringList prompts;
        if (lineage)
            for (const auto &[name, n] : lineage->prompts)
                prompts << QStringLiteral("%1×%2").arg(name).arg(n);
        out(QStringLiteral("%1\t%2\t%3\tbase %4\tsteps %5\t%6\t%7 traces: %8%9")
                .arg(r.id)
                .arg(r.name, store::runStatusName(r.status))
                .arg(r.baseModelId)
                .arg(r.stepsDone)
                .arg(r.finalLosses)
                .arg(lineage ? lineage->traces : 0)
                .arg(prompts.join(QStringLiteral(", ")), r.error.isEmpty() ? QString() : QStringLiteral("\t") + r.error));
    }
    return 0;
}

} // namespace sdrt::cli
