#pragma once
// Teacher runs and their traces. A trace is one prompt version run two-step on one item by one
// model (sample k): both steps' texts, the parsed answer and full provenance (model, prompt
// version, run with its sampling parameters, the trace's own seed, token counts, mean
// log-probabilities, latency, why generation stopped, status and error). Completed traces are
// unique per (item, prompt version, model, sample): a resumed or merged run adds nothing twice.

#include "sdrt/common/Result.h"
#include "sdrt/store/ProcessLock.h"
#include "sdrt/store/Types.h"

#include <optional>
#include <set>
#include <tuple>

namespace sdrt::store {

class Database;

// Life cycle of a run (DESIGN: the same for every kind of run); text only in the store.
enum class RunStatus { Pending, Running, Done, Failed, Cancelled, Interrupted };
QString runStatusName(RunStatus status);
std::optional<RunStatus> runStatusFromName(const QString &name);

enum class TraceStatus { Ok, Failed };
QString traceStatusName(TraceStatus status);
std::optional<TraceStatus> traceStatusFromName(const QString &name);

// Why step 2 stopped: the end-of-text token, a stop string, the token budget.
enum class FinishReason { None, Eos, Stop, Length };
QString finishReasonName(FinishReason reason); // "" for None
FinishReason finishReasonFromName(const QString &name);

struct GenerationRun {
    Id id = 0;
    Id modelId = 0;
    QString promptSet = QStringLiteral("[]");    // JSON: [{"name":…,"version":…,"id":…}]
    QString sampling = QStringLiteral("{}");     // JSON: temperature, top_k, top_p, max tokens…
    std::int64_t seed = 0;
    // Interrupted: the process died while the run was running (see the life cycle below).
    RunStatus status = RunStatus::Running;
    QString error;
    QString hiddenLayers = QStringLiteral("[]"); // JSON list of decoder layers (HF numbering)
    QString shard;                               // "i/N", empty for a whole run
    int tracesOk = 0;     // read: what the traces table holds for the run, never a belief
    int tracesFailed = 0;
    QString startedAt;
    QString finishedAt;
    QString owner;        // the process that ran it (LockHolder::describe())
    Id resumesRunId = 0;  // the interrupted run this one continues; 0: none
};

// A run being written by this process: its row is `running` and its lock is held until the
// object dies (then a row still `running` is found interrupted by everyone else).
struct StartedRun {
    Id id = 0;
    ProcessLock lock;
};

struct Trace {
    Id id = 0;
    Id itemId = 0;
    Id promptId = 0;
    Id runId = 0;
    Id modelId = 0;
    int sampleIndex = 0;
    std::uint64_t seed = 0;        // the trace's own random stream (both steps)
    QString step1Text;
    QString step2Text;
    QString parsedAnswer;
    int step1Tokens = 0;           // generated
    int step2Tokens = 0;
    int step1PromptTokens = 0;     // after image expansion
    int step2PromptTokens = 0;
    double step1Logprob = 0;       // mean log-probability of the step-1 tokens
    double meanLogprob = 0;        // mean log-probability of the step-2 (answer) tokens
    double latencyMs = 0;          // both steps: its share of the run's time (from the trace that ended before it to its own end)
    FinishReason finishReason = FinishReason::None; // of step 2
    TraceStatus status = TraceStatus::Ok;
    bool isOk() const { return status == TraceStatus::Ok; }
    QString error;
    QString hiddenRef;             // "<workspace-relative file>#<tensor name>", see HiddenStore.h
    std::int64_t hiddenBytes = 0;
    // Filled when read (joined), not written:
    QString promptName;
    int promptVersion = 0;
};

using TraceKey = std::tuple<Id, Id, int>; // item, prompt version, sample

class TraceRepository {
public:
    explicit TraceRepository(Database &db) : m_db(db) {}

    // Run life cycle (DESIGN: one for every kind of run). startRun() marks dead runs
    // interrupted, then, in one transaction, inserts the run as `running` and takes its lock
    // (ProcessLock::runLockFile(…, "generation", id)) before the row becomes visible, so no other
    // process ever sees a fresh run without its lock. With `exclusive`, it is refused when a live
    // run of the same model is writing this store (the message names that run and its process).
    // finishRun() writes the final status with counts derived from the traces table; the caller
    // releases the lock after it (StartedRun's destructor).
    Result<StartedRun> startRun(const GenerationRun &run, bool exclusive = true);
    Result<void> finishRun(Id runId, RunStatus status, const QString &error);
    // Every `running` run whose lock nobody holds becomes `interrupted`, its counts and
    // finished_at (its last trace's time) derived from the traces stored. Returns how many.
    Result<int> reconcileRuns();
    // A row for a run made elsewhere (a merged shard run): inserted with the given status,
    // started and finished times, no lock. updateCounts() then stores the counts of its traces;
    // deleteEmptyRun() removes it again when no trace of it was stored.
    Result<Id> createRun(const GenerationRun &run);
    Result<void> updateCounts(Id runId);
    Result<void> deleteEmptyRun(Id runId);
    // Rows as stored, except that a `running` run whose lock is not held reads as
    // `interrupted`, and the counts are those of the traces table.
    Result<std::optional<GenerationRun>> run(Id runId);
    Result<std::vector<GenerationRun>> runs();
    // Whether the process running `runId` is alive (its lock is held).
    bool isLive(Id runId) const;

    // Inserts in one transaction. A completed trace whose (item, prompt, model, sample) is
    // already completed is skipped (returned count excludes it).
    Result<int> insert(const std::vector<Trace> &traces);

    // Completed (status ok) keys of a model, optionally limited to some prompt versions.
    Result<std::set<TraceKey>> completed(Id modelId, const std::vector<Id> &promptIds = {});

    // Traces of an item, newest run first within a prompt; failed traces are listed only when
    // the same (prompt, model, sample) has no completed one.
    Result<std::vector<Trace>> forItem(Id itemId, std::optional<Id> modelId = std::nullopt);
    Result<std::optional<Trace>> get(Id traceId);
    Result<std::vector<Trace>> forRun(Id runId); // in id order
    Result<std::int64_t> count(std::optional<Id> runId = std::nullopt, std::optional<TraceStatus> status = std::nullopt);

private:
    QString storeRoot() const; // the folder of the database (workspace or shard folder)
    Result<std::vector<Id>> deadRuns(); // `running` rows whose lock nobody holds
    Result<void> noOtherLiveRun(Id modelId);
    Database &m_db;
};

} // namespace sdrt::store
