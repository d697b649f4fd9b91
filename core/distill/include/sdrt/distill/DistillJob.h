#pragma once
// The distillation job: one SDRT self-distillation run on a workspace's approved traces, new or
// resumed, trained in this process or as one rank of a data-parallel run. `sdrt distill` parses
// its arguments into DistillParams, calls runDistill() and prints what it reports; the
// workbench starts that command as a child process (its crash boundary), so both run this job.
//
// The job is split by what changes for different reasons (src/):
//   DistillPlan      what the run is: its config, base model, name, resume point and data
//                    (a resumed run, and every rank but 0, train on the run's recorded lineage);
//   DistillRecorder  what the store keeps of it: the run row and its lock, config.json, the
//                    lineage, the finish and the student's registration (every result checked);
//   the trainer      the training itself (core/model StudentTraining.h);
//   Distributed      the local ranks it starts, the rendezvous and the check that every rank
//                    trains the same run.
// Only rank 0 writes to the store and the run folder.
//
// Thread rule: the calling thread; the callbacks are called there; cancel is polled per step
// and the run ends `cancelled`, resumable from its checkpoint.

#include "sdrt/common/Result.h"
#include "sdrt/distill/DistillConfig.h"
#include "sdrt/model/StudentTraining.h"
#include "sdrt/store/RunProtocol.h"
#include "sdrt/store/Types.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <optional>

namespace sdrt::distill {

// This process's place in a data-parallel run.
struct DistillPlace {
    int rank = 0;
    int worldSize = 1;
    QString address = QStringLiteral("127.0.0.1"); // rank 0's, for the rendezvous
    int port = 0;                                  // 0: 29500, or a free port for local ranks
};

// How a rank started by this process is told its part: the job fills everything but the
// program's own syntax, which the caller (the CLI) writes in `arguments`.
struct LocalRank {
    int rank = 0;
    int worldSize = 1;
    QString address;
    int port = 0;
    QString workspace;
    store::Id baseModelId = 0;
    QString configFile; // the run's config.json, as rank 0 wrote it
    QString runName;
    int rendezvousSeconds = 120;
};

struct DistillParams {
    QString workspace;
    // A new run: the base model (name or id), the settings and the run's name (unset:
    // distill-<UTC time>); the student takes the run's name.
    QString baseModel;
    DistillConfig config;
    std::optional<QString> runName;
    // Or: resume this run (cancelled, failed or interrupted) with its own settings and name.
    QString resumeRun;

    DistillPlace place;
    // > 1: this process is rank 0 and starts ranks 1..localRanks−1 as `program arguments(rank)`.
    int localRanks = 1;
    QString workerProgram;                                  // default: this program
    std::function<QStringList(const LocalRank &)> workerArguments;
    int rendezvousSeconds = 120; // every rank waits this long for the others, at the start and per exchange

    std::function<void(const store::protocol::DistillStart &)> started; // rank 0, once the run row exists
    std::function<void(const model::DistillProgress &)> progress;             // rank 0, per step
    std::function<void(const QString &)> message;                       // for people: data, warnings
    const std::atomic_bool *cancel = nullptr;
};

struct DistillSummary {
    QString run;
    store::Id runId = 0; // 0 on ranks other than 0
    QString adapterFile;
    bool cancelled = false;
    int worldSize = 1;
    model::DistillReport training;
    qint64 trainableParameters = 0;
    qint64 baseParameters = 0;
    qint64 adapterBytes = 0;
    store::Id studentModelId = 0; // 0 when cancelled, on other ranks, or when registration failed
    QStringList warnings;         // said and recorded, but the run is done
};

Result<DistillSummary> runDistill(const DistillParams &params);

// The protocol line of a finished or cancelled run (Event::Done or Event::Cancelled).
store::protocol::DistillEnd distillEnd(const DistillSummary &summary);
store::protocol::DistillStep distillStep(const model::DistillProgress &progress);

// True once a rendezvous thread is stuck inside the network library: it cannot be joined, so
// the process must end with std::_Exit after reporting (sdrt distill does).
bool rendezvousThreadStuck();

} // namespace sdrt::distill
