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
    int stepsDone = 0;
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

struct StartedDistillRun {
    Id id = 0;
    ProcessLock lock;
};

class DistillRepository {
public:
    explicit DistillRepository(Database &db) : m_db(db) {}

    // Inserts the run as `running` and takes its lock before COMMIT. Fails when the name is taken.
    Result<StartedDistillRun> start(const DistillRun &run);
    // Takes the lock of an existing run that is not live and marks it `running` again (resume).
    Result<StartedDistillRun> resume(Id runId);
    Result<void> finish(Id runId, RunStatus status, const QString &error, int stepsDone, const QString &finalLossesJson);
    Result<void> setTraces(Id runId, const std::vector<RunTrace> &traces); // replaces them
    Result<std::vector<RunTrace>> traces(Id runId);
    Result<RunLineage> lineage(Id runId);
    // `running` rows whose lock nobody holds become `interrupted`; returns how many.
    Result<int> reconcile();
    Result<std::optional<DistillRun>> find(Id runId);
    Result<std::optional<DistillRun>> findByName(const QString &name);
    Result<std::vector<DistillRun>> list();
    bool isLive(Id runId) const;

private:
    QString storeRoot() const;
    Database &m_db;
};

} // namespace sdrt::store
