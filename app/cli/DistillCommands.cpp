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
#include "sdrt/store/OutputFile.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/teacher/Models.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
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
#include <future>
#include <thread>

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
                                                            int world, const QString &addr, const QString &port, int rendezvousSeconds)
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
                      QStringLiteral("--threads"), QString::number(model::configureThreads(0)),
                      QStringLiteral("--rendezvous-timeout"), QString::number(rendezvousSeconds)};
        proc->start(QCoreApplication::applicationFilePath(), a);
        if (!proc->waitForStarted())
            return fail(tr("Cannot start rank %1: %2").arg(r).arg(proc->errorString()));
        workers.push_back(std::move(proc));
    }
    return workers;
}

// This process's place in a data-parallel run, from --rank, --world-size, --master-addr and
// --master-port (or RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) and --nproc; nullopt after an
// error on stderr.
struct World {
    int rank = 0, size = 1;
    QString addr, portText;
    int port = 0; // valid when size > 1
};

std::optional<World> worldOf(const QCommandLineParser &p, const QCommandLineOption &rank, const QCommandLineOption &world,
                             const QCommandLineOption &addr, const QCommandLineOption &port, int nproc)
{
    auto envOr = [&](const QCommandLineOption &o, const char *env) { return p.isSet(o) ? p.value(o) : qEnvironmentVariable(env); };
    World w;
    w.addr = envOr(addr, "MASTER_ADDR");
    w.portText = envOr(port, "MASTER_PORT");
    const QString rankText = envOr(rank, "RANK"), worldText = envOr(world, "WORLD_SIZE");
    if (worldText.isEmpty() && !rankText.isEmpty()) {
        err(tr("--rank (or RANK) needs --world-size (or WORLD_SIZE)."));
        return std::nullopt;
    }
    if (!worldText.isEmpty()) {
        bool ok1 = true, ok2 = true;
        w.rank = rankText.isEmpty() ? 0 : rankText.toInt(&ok1);
        w.size = worldText.toInt(&ok2);
        if (!ok1 || !ok2 || w.size < 1 || w.rank < 0 || w.rank >= w.size) {
            err(tr("--rank %1 / --world-size %2: the rank must be a whole number from 0 to world size − 1.").arg(rankText, worldText));
            return std::nullopt;
        }
        if (nproc > 1) {
            err(tr("--nproc starts local ranks itself; do not combine it with --rank/--world-size."));
            return std::nullopt;
        }
    }
    if (nproc > 1) {
        w.size = nproc;
        w.addr = QStringLiteral("127.0.0.1");
        if (w.portText.isEmpty()) // --master-port (or MASTER_PORT) when given, else a free one
            w.portText = QString::number(freePort());
    }
    if (w.size > 1 && w.addr.isEmpty())
        w.addr = QStringLiteral("127.0.0.1");
    if (w.size > 1 && w.portText.isEmpty())
        w.portText = QStringLiteral("29500");
    if (w.size > 1) {
        bool ok = false;
        w.port = w.portText.trimmed().toInt(&ok);
        if (!ok || w.port < 1 || w.port > 65535) {
            err(tr("--master-port (or MASTER_PORT): \"%1\" is not a port number (1 to 65535).").arg(w.portText));
            return std::nullopt;
        }
    }
    return w;
}

// joinProcessGroup() with a deadline of its own: it fails by itself within `seconds`, but a
// network library stuck on a peer that accepts and never answers is not left to hang the run.
Expected<std::unique_ptr<distill::Communicator>, QString> joinWithDeadline(int rank, int world, const QString &addr, int port, int seconds,
                                                                           bool &stuck)
{
    stuck = false;
    using Joined = Expected<std::unique_ptr<distill::Communicator>, std::string>;
    auto promise = std::make_shared<std::promise<Joined>>();
    std::future<Joined> joined = promise->get_future();
    std::thread([promise, rank, world, host = addr.toStdString(), port, seconds] {
        promise->set_value(distill::joinProcessGroup(rank, world, host, port, seconds));
    }).detach();
    if (joined.wait_for(std::chrono::seconds(seconds + 15)) != std::future_status::ready) {
        stuck = true;
        return unexpected(tr("the rendezvous at %1:%2 did not return within %3 s (rank %4 of %5); is another program using the port?")
                              .arg(addr)
                              .arg(port)
                              .arg(seconds + 15)
                              .arg(rank)
                              .arg(world));
    }
    auto c = joined.get();
    if (!c)
        return unexpected(QString::fromStdString(c.error()));
    return std::move(*c);
}

// The ranks compare what they are about to train: config, base model and the traces in order.
Expected<void, QString> sameRunOnEveryRank(distill::Communicator &comm, const QByteArray &configJson, const QString &baseHash,
                                           const distill::Dataset &data)
{
    QCryptographicHash traces(QCryptographicHash::Sha256);
    for (const auto &e : data.examples)
        traces.addData(QByteArray::number(qint64(e.traceId)) + ',');
    const QString mine = QStringLiteral("%1 %2 %3")
                             .arg(QString::fromLatin1(QCryptographicHash::hash(configJson, QCryptographicHash::Sha256).toHex().left(16)),
                                  baseHash.left(16), QString::fromLatin1(traces.result().toHex().left(16)));
    auto all = comm.allGather(mine.toStdString());
    if (!all)
        return unexpected(tr("the ranks could not compare their settings: %1").arg(QString::fromStdString(all.error())));
    const QStringList reference = QString::fromStdString(all->at(0)).split(QLatin1Char(' '));
    QStringList problems;
    for (std::size_t r = 1; r < all->size(); ++r) {
        const QStringList other = QString::fromStdString(all->at(r)).split(QLatin1Char(' '));
        QStringList what;
        if (other.value(0) != reference.value(0))
            what << tr("config");
        if (other.value(1) != reference.value(1))
            what << tr("base model");
        if (other.value(2) != reference.value(2))
            what << tr("training traces");
        if (!what.isEmpty())
            problems << tr("rank %1's %2").arg(r).arg(what.join(QStringLiteral(", ")));
    }
    if (!problems.isEmpty())
        return unexpected(tr("the ranks would not train the same run: %1 differ from rank 0's. Every rank needs the same workspace, "
                             "base model, config and approvals; no rank trains.")
                              .arg(problems.join(QStringLiteral("; "))));
    return {};
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
    if (p.isSet(resume) && (p.isSet(config) || p.isSet(name))) {
        err(tr("--resume continues a run with its own settings and name; --config and --name apply to a new run only."));
        return 2;
    }
    const auto nprocValue = intOption(p, nproc, 1, 256);
    const auto threadsValue = nprocValue ? intOption(p, threads, 0, 1024) : std::nullopt;
    const auto rendezvousSeconds = threadsValue ? intOption(p, rendezvous, 1, 86400) : std::nullopt;
    if (!rendezvousSeconds)
        return 2;
    const auto placed = worldOf(p, rank, world, addr, port, *nprocValue);
    if (!placed)
        return 2;
    const int rankValue = placed->rank, worldValue = placed->size, portValue = placed->port;
    const QString masterAddr = placed->addr, masterPort = placed->portText;
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
            // The student takes the run's name, and a name names one model.
            auto model = store::ModelRepository(ws->db()).findByName(runName);
            if (model && *model) {
                err(tr("A model named \"%1\" already exists (id %2); the student takes its run's name, so choose another --name.")
                        .arg(runName)
                        .arg((*model)->id));
                return 2;
            }
        }
    }
    if (worldValue > cfg.batch) {
        err(tr("%1 processes for a batch of %2: every process needs at least one trace per step. Use at most %2 processes, or a larger "
               "\"batch\" in the config.")
                .arg(worldValue)
                .arg(cfg.batch));
        return 2;
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
    auto data = distill::buildDataset(*ws, *baseModel, policy, lineageIds ? 0 : cfg.maxTraces, lineageIds ? &*lineageIds : nullptr);
    if (!data) {
        err(data.error());
        return 2;
    }
    if (lineageIds) {
        // A run trains on one set of traces from its first step to its last: the lineage it
        // started with. When some of them cannot be read any more, resuming would train the
        // remaining steps on other data than the first ones; refuse instead.
        if (data->examples.size() != lineageIds->size()) {
            err(tr("Run \"%1\" trained on %2 traces; %3 of them cannot be used now:").arg(runName).arg(lineageIds->size()).arg(lineageIds->size() - data->examples.size()));
            for (const QString &problem : data->report.problems)
                err(QStringLiteral("  ") + problem);
            err(tr("Resuming would train its remaining steps on other data than its first ones. Restore those files (or start a new run)."));
            return 2;
        }
        err(tr("data: the run's lineage, %1 traces as recorded when it started; reviews made since then do not change a run that is "
               "under way (start a new run to train on the traces approved now).")
                .arg(data->examples.size()));
    } else {
        err(tr("data: %1 (policy: %2)").arg(data->report.describe(), data->policy.describe()));
        for (const QString &problem : data->report.problems)
            err(QStringLiteral("  ") + problem);
    }
    if (data->examples.empty()) {
        err(tr("No approved traces of the train split with the base model's hidden states: nothing to distil. Review traces "
               "(accept some) or change the approval policy."));
        return 2;
    }

    const QString runDir = store::DistillRunFiles::folder(ws->root(), runName);
    const QString adapterFile = store::DistillRunFiles::adapter(runDir);
    auto student = distill::Student::create(**rt, studentSettings(cfg, *data));
    if (!student) {
        err(QString::fromStdString(student.error()));
        return 2;
    }
    cfg.layers = (*student)->settings().layers; // resolved
    if (cfg.hiddenLayers.empty() && cfg.lambdaHidden > 0)
        cfg.hiddenLayers = data->storedLayers;
    // What the trainer would refuse at its first step is refused before the run row and its name
    // are taken.
    if (auto ok = distill::checkTrainingSetup(**rt, *data, cfg, worldValue); !ok) {
        err(tr("Cannot distil: %1.").arg(QString::fromStdString(ok.error())));
        return 2;
    }
    const QByteArray configJson = cfg.toJson();
    distill::RunIdentity identity;
    identity.run = runName.toStdString();
    identity.configHash = QCryptographicHash::hash(configJson, QCryptographicHash::Sha256).toHex().toStdString();
    identity.baseHash = baseModel->contentHash.toStdString();

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
        row.config = QString::fromUtf8(configJson);
        row.policy = data->policy.toJson();
        row.worldSize = worldValue;
        auto s = existing ? runs.resume(existing->id) : runs.start(row);
        if (!s) {
            err(s.error());
            return 2;
        }
        started = std::move(*s);
        if (auto w = store::writeWorkspaceFile(store::DistillRunFiles::config(runDir), configJson); !w) {
            err(w.error());
            (void)runs.finish(started->id, store::RunStatus::Failed, w.error(), 0, {});
            return 2;
        }
        if (!existing) { // a resumed run keeps the lineage it started with
            std::vector<store::RunTrace> lineage;
            for (const auto &e : data->examples)
                lineage.push_back({e.traceId, e.promptId, e.reviewers});
            if (auto r = runs.setTraces(started->id, lineage); !r) {
                err(r.error());
                (void)runs.finish(started->id, store::RunStatus::Failed, r.error(), 0, {});
                return 2;
            }
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
        auto w = startWorkers(ws->root(), baseModel->id, runDir, runName, worldValue, masterAddr, masterPort, *rendezvousSeconds);
        if (!w) {
            err(w.error());
            if (started)
                (void)runs.finish(started->id, store::RunStatus::Failed, tr("a worker did not start"), 0, {});
            return 2;
        }
        workers = std::move(*w);
    }
    // A failure before training: said with the rank, recorded by rank 0, the local workers stopped.
    auto failBeforeTraining = [&](const QString &why) {
        err(worldValue > 1 ? tr("rank %1: %2").arg(rankValue).arg(why) : why);
        if (started)
            (void)runs.finish(started->id, store::RunStatus::Failed, why, 0, {});
        for (auto &w : workers) {
            w->kill();
            w->waitForFinished(5000);
        }
        return 2;
    };
    std::unique_ptr<distill::Communicator> comm;
    if (worldValue > 1) {
        bool stuck = false;
        auto c = joinWithDeadline(rankValue, worldValue, masterAddr, portValue, *rendezvousSeconds, stuck);
        if (!c) {
            const int code = failBeforeTraining(c.error());
            if (stuck) {
                std::fflush(stdout);
                std::fflush(stderr);
                std::_Exit(code); // a thread is stuck in the network library: it cannot be joined
            }
            return code;
        }
        comm = std::move(*c);
        // Every rank must train the same thing: the same config, base and traces, compared before
        // step 1 (a rank started by hand with another config would train something else while the
        // store records rank 0's settings).
        if (auto same = sameRunOnEveryRank(*comm, configJson, baseModel->contentHash, *data); !same)
            return failBeforeTraining(same.error());
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
    auto report = distill::trainStudent(**rt, **student, *data, cfg, runDir.toStdString(), cb, comm.get(), identity);
    for (auto &w : workers) {
        if (!report) // the others would wait in the all-reduce until its timeout
            w->kill();
        w->waitForFinished(-1);
    }
    if (rankValue != 0) {
        if (!report)
            err(tr("rank %1: %2").arg(rankValue).arg(QString::fromStdString(report.error())));
        return report ? 0 : 2;
    }
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
    auto st = models.registerStudent(*ws, runDir, runName, baseModel->id, started->id);
    if (!st)
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
    if (!report->warning.empty()) {
        done.insert(QStringLiteral("warning"), QString::fromStdString(report->warning));
        err(tr("Warning: %1.").arg(QString::fromStdString(report->warning)));
    }
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
    QCommandLineParser p;
    p.setApplicationDescription(tr("List the workspace's distillation runs: status, base model, steps done and the step of the last "
                                   "checkpoint, final losses, lineage."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("WS"), tr("Workspace folder."));
    processArgs(p, QStringList{QStringLiteral("sdrt distill-runs")} + args);
    if (p.positionalArguments().size() != 1) {
        err(p.helpText());
        return 2;
    }
    auto ws = store::Workspace::open(p.positionalArguments().first());
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
