#include "sdrt/distill/DistillJob.h"

#include "DistillPlan.h"
#include "DistillRecorder.h"
#include "Distributed.h"

#include "sdrt/model/Student.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/teacher/Models.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <fstream>

namespace sdrt::distill {
namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("sdrt::distill", s);
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

store::protocol::Losses lossesOf(const model::DistillProgress &p)
{
    return {p.loss, p.ce, p.hidden, p.entropy};
}

// The run row's final_losses column.
QString lossesJson(const model::DistillProgress &p)
{
    return QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("loss"), p.loss},
                                                       {QStringLiteral("ce"), p.ce},
                                                       {QStringLiteral("hidden"), p.hidden},
                                                       {QStringLiteral("entropy"), p.entropy}})
                                 .toJson(QJsonDocument::Compact));
}

// Everything a rank has once its run is settled, before it trains.
struct PreparedRun {
    DistillPlan plan;
    Dataset data;
    std::unique_ptr<model::VlmRuntime> base;
    std::unique_ptr<model::Student> student;
    DistillConfig config; // resolved: layers, hidden layers
    model::StudentTrainingSettings training;
    QByteArray configJson;
    model::RunIdentity identity;
};

// The plan, the base model, the data and a new student, checked as far as the trainer would at
// its first step, so that what it would refuse is refused before the run row and its name are
// taken.
Result<PreparedRun> prepare(store::Workspace &ws, const DistillParams &params)
{
    PreparedRun run;
    auto plan = planRun(ws, params);
    if (!plan)
        return fail(plan.error());
    run.plan = std::move(*plan);
    auto rt = teacher::loadRegisteredModel(ws, run.plan.base, {});
    if (!rt)
        return fail(rt.error());
    run.base = std::move(*rt);
    auto data = planData(ws, run.plan, params.place.rank, params.message);
    if (!data)
        return fail(data.error());
    run.data = std::move(*data);
    run.config = run.plan.config;
    auto student = model::Student::create(*run.base, studentSettings(run.config, run.data.promptVersions));
    if (!student)
        return fail(QString::fromStdString(student.error()));
    run.student = std::move(*student);
    run.config.layers = run.student->settings().layers; // resolved
    if (run.config.hiddenLayers.empty() && run.config.lambdaHidden > 0)
        run.config.hiddenLayers = run.data.training.storedLayers;
    run.training = trainingSettings(run.config);
    if (auto ok = model::checkTrainingSetup(*run.base, run.data.training, run.training, params.place.worldSize); !ok)
        return fail(tr("Cannot distil: %1.").arg(QString::fromStdString(ok.error())));
    run.configJson = run.config.toJson();
    run.identity.run = run.plan.runName.toStdString();
    run.identity.configHash = QCryptographicHash::hash(run.configJson, QCryptographicHash::Sha256).toHex().toStdString();
    run.identity.baseHash = run.plan.base.contentHash.toStdString();
    return run;
}

// The other ranks: started here for a local run, then met at the rendezvous and compared.
Result<std::unique_ptr<model::Communicator>> joinRanks(const DistillParams &params, const PreparedRun &run, const QString &runFolder,
                                                std::unique_ptr<LocalRanks> &local)
{
    const DistillPlace &place = params.place;
    if (params.localRanks > 1) {
        LocalRank spec{0, place.worldSize, place.address, place.port, params.workspace, run.plan.base.id,
                       store::DistillRunFiles::config(runFolder), run.plan.runName, params.rendezvousSeconds};
        auto started = LocalRanks::start(params.workerProgram, params.workerArguments, spec, params.localRanks);
        if (!started)
            return fail(started.error());
        local = std::move(*started);
    }
    if (place.worldSize == 1)
        return std::unique_ptr<model::Communicator>();
    auto comm = joinWithDeadline(place, params.rendezvousSeconds);
    if (!comm)
        return fail(comm.error());
    // Every rank must train the same thing: the same config, base and traces, compared before
    // step 1 (a rank started by hand with another config would train something else while the
    // store records rank 0's settings).
    if (auto same = sameRunOnEveryRank(**comm, run.configJson, run.plan.base.contentHash, run.data); !same)
        return fail(same.error());
    return comm;
}

// Rank 0 after training: the adapter saved, the student registered, the run finished.
Result<DistillSummary> finishRun(PreparedRun &run, DistillRecorder &recorder, const model::DistillReport &report, DistillSummary summary)
{
    const QString losses = lossesJson(report.last);
    if (report.cancelled) {
        if (auto r = recorder.cancelled(report.stepsDone, losses); !r)
            return fail(r.error());
        summary.cancelled = true;
        return summary;
    }
    if (auto r = run.student->save(summary.adapterFile.toStdString(), run.plan.base.contentHash.toStdString()); !r)
        return fail(recorder.failed(QString::fromStdString(r.error()), report.stepsDone, losses));
    summary.adapterBytes = QFileInfo(summary.adapterFile).size();
    QString warning;
    auto student = recorder.done(report.stepsDone, losses, warning);
    if (!student)
        return fail(student.error());
    summary.studentModelId = *student;
    if (!warning.isEmpty())
        summary.warnings << warning;
    if (!report.warning.empty())
        summary.warnings << QString::fromStdString(report.warning);
    return summary;
}

} // namespace

Result<DistillSummary> runDistill(const DistillParams &given)
{
    DistillParams params = given;
    if (params.place.port == 0) // a local run takes a free port; a run across machines, c10d's usual one
        params.place.port = params.localRanks > 1 ? freeLoopbackPort() : 29500;
    auto ws = store::Workspace::open(params.workspace);
    if (!ws)
        return fail(ws.error());
    auto run = prepare(*ws, params);
    if (!run)
        return fail(run.error());
    const int rank = params.place.rank, world = params.place.worldSize;
    const QString runFolder = store::DistillRunFiles::folder(ws->root(), run->plan.runName);
    std::unique_ptr<DistillRecorder> recorder;
    if (rank == 0) {
        auto started = DistillRecorder::start(*ws, run->plan, run->data, run->configJson, world);
        if (!started)
            return fail(started.error());
        recorder = std::move(*started);
        if (params.started)
            params.started({run->plan.runName, qint64(recorder->runId()), bool(run->plan.existing), run->data.report.used, world,
                            qint64(run->student->trainableParameters()), qint64(run->base->info().parameters)});
    }
    // A failure from here on is said with the rank, recorded by rank 0; the local ranks are
    // stopped when `local` goes.
    auto failed = [&](const QString &why) {
        const QString said = world > 1 ? tr("rank %1: %2").arg(rank).arg(why) : why;
        return fail(recorder ? recorder->failed(said) : said);
    };
    std::unique_ptr<LocalRanks> local;
    auto comm = joinRanks(params, *run, runFolder, local);
    if (!comm)
        return failed(comm.error());

    model::DistillCallbacks callbacks;
    callbacks.cancel = params.cancel;
    if (rank == 0)
        callbacks.progress = params.progress;
    const model::StudentTrainingFiles files{QFile::encodeName(store::DistillRunFiles::checkpoint(runFolder)).toStdString(),
                                            QFile::encodeName(store::DistillRunFiles::trainingLog(runFolder)).toStdString()};
    auto report = model::trainStudent(*run->base, *run->student, run->data.training, run->training, files, callbacks, comm->get(),
                               run->identity);
    if (local) {
        if (!report) // the others would wait in the all-reduce until its timeout
            local->kill();
        local->wait();
    }
    if (!report) {
        const QString why = QString::fromStdString(report.error());
        if (rank != 0)
            return fail(tr("rank %1: %2").arg(rank).arg(why));
        return fail(recorder->failed(why, 0, QStringLiteral("{}")));
    }
    DistillSummary summary;
    summary.run = run->plan.runName;
    summary.adapterFile = store::DistillRunFiles::adapter(runFolder);
    summary.worldSize = world;
    summary.training = *report;
    summary.trainableParameters = run->student->trainableParameters();
    summary.baseParameters = run->base->info().parameters;
    if (rank != 0) {
        summary.cancelled = report->cancelled;
        return summary;
    }
    summary.runId = recorder->runId();
    return finishRun(*run, *recorder, *report, std::move(summary));
}

store::protocol::DistillStep distillStep(const model::DistillProgress &p)
{
    return {p.step, p.steps, lossesOf(p), p.lr, p.samplesPerSecond, p.tokensPerSecond, p.etaSeconds, p.ensembleWeights};
}

store::protocol::DistillEnd distillEnd(const DistillSummary &s)
{
    store::protocol::DistillEnd e;
    e.run = s.run;
    e.steps = s.training.stepsDone;
    e.resumedFrom = s.training.startStep;
    e.losses = lossesOf(s.training.last);
    e.seconds = s.training.seconds;
    e.samplesPerSecond = s.training.samplesPerSecond;
    e.tokensPerSecond = s.training.tokensPerSecond;
    e.worldSize = s.worldSize;
    e.peakRssMb = peakRssMb();
    e.trainableParameters = s.trainableParameters;
    e.baseParameters = s.baseParameters;
    e.adapterBytes = s.adapterBytes;
    e.studentModelId = s.studentModelId;
    e.warning = s.warnings.join(QStringLiteral("; "));
    return e;
}

} // namespace sdrt::distill
