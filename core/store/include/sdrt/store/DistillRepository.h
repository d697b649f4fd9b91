#pragma once
// Distillation runs and their lineage (schema 5): `distill_runs` holds each run's base model,
// config, approval policy, status, timings and final losses; `run_traces` which approved traces
// went in, with their prompt versions and reviewers. Runs follow the life cycle of every run
// (ProcessLock.h): the process training a run holds `.locks/distill-run-<id>.lock` from the
// transaction that creates (or resumes) it until it has written the final status; a `running`
// row whose lock nobody holds reads as `interrupted`.

#include "sdrt/common/Result.h"
#include "sdrt/store/ProcessLock.h"
#include "sdrt/store/TraceRepository.h"

#include <optional>
#include <vector>

namespace sdrt::store {

class Database;

struct DistillRun {
    Id id = 0;
    QString name;
    Id baseModelId = 0;
    QString config = QStringLiteral("{}"); // JSON, every setting
    QString policy = QStringLiteral("{}"); // JSON, ApprovalPolicy::toJson()
    RunStatus status = RunStatus::Running;
    QString error;
    QString startedAt;
    QString finishedAt;
    int stepsDone = 0;      // steps trained (by the log when the process did not say)
    int checkpointStep = 0; // where a resume starts: the step of its last checkpoint
    QString finalLosses = QStringLiteral("{}"); // JSON {"ce":…, "hidden":…, …}
    int worldSize = 1;
    QString owner;
};

struct RunTrace {
    Id traceId = 0;
    Id promptId = 0;
    QStringList reviewers; // who accepted it
};

// Lineage summary: traces per prompt version, reviewer and teacher run.
struct RunLineage {
    int traces = 0;
    std::vector<std::pair<QString, int>> prompts;   // "name v2", count
    std::vector<std::pair<QString, int>> reviewers; // name, accepted traces
    std::vector<std::pair<Id, int>> teacherRuns;    // generation run id, count
};

// A run's files, named in one place: runs/<name>/ with config.json, training_log.jsonl,
// checkpoints/checkpoint.safetensors and, when done, adapter.safetensors.
struct DistillRunFiles {
    static QString folder(const QString &workspaceRoot, const QString &runName);
    static QString config(const QString &runFolder);
    static QString trainingLog(const QString &runFolder);
    static QString checkpoint(const QString &runFolder);
    static QString adapter(const QString &runFolder);
};

// What a run's files say about its progress: the last step in its training log and the step of
// its checkpoint (0 when absent or unreadable).
struct StepsOnDisk {
    int logged = 0;
    int checkpoint = 0;
};
StepsOnDisk distillStepsOnDisk(const QString &runFolder);

class DistillRepository {
public:
    explicit DistillRepository(Database &db) : m_db(db) {}

    // Inserts the run as `running` and takes its lock before COMMIT. Fails when the name is taken.
    Result<StartedRun> start(const DistillRun &run);
    // Takes the lock of an existing run that is not live and marks it `running` again (resume).
    Result<StartedRun> resume(Id runId);
    // The final status. Steps done are what the process says or, when its log shows more (a
    // failure after some steps), the log's; the checkpoint step is read from the run's files.
    Result<void> finish(Id runId, RunStatus status, const QString &error, int stepsDone, const QString &finalLossesJson);
    // The lineage of a new run (once: a resumed run keeps the lineage it started with, so every
    // step of a run trained on the traces its lineage names).
    Result<void> setTraces(Id runId, const std::vector<RunTrace> &traces);
    Result<std::vector<RunTrace>> traces(Id runId);
    Result<RunLineage> lineage(Id runId);
    // `running` rows whose lock nobody holds (and whose process is gone) become `interrupted`,
    // with their steps read from their files; returns how many.
    Result<int> reconcile();
    Result<std::optional<DistillRun>> find(Id runId);
    Result<std::optional<DistillRun>> findByName(const QString &name);
    Result<std::vector<DistillRun>> list();
    bool isLive(Id runId) const;
    // Asks the process that trains the run (this program or another) to stop after its step.
    Result<void> requestStop(Id runId);

private:
    QString storeRoot() const;
    Database &m_db;
};

} // namespace sdrt::store
