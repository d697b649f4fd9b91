#pragma once
// A teacher run: chosen items × prompt versions × samples, each run two-step with a registered
// model. Step 1 generates the analysis; step 2 generates the answer with {query1_answer}
// filled in; the prompt's answer rule gives the parsed answer. For every completed trace the
// teacher's hidden states at the chosen decoder layers over the step-2 answer tokens
// (teacher-forced in the step-2 context) are stored as fp16 (model/HiddenStateFile.h), one
// file per batch under <workspace>/hidden/<model hash prefix>/.
//
// Batches run across items with left padding. Each trace has its own seed, derived from the
// run seed, the item's fingerprint, the prompt's content hash and the sample index, so any
// trace can be regenerated alone and a sharded run gives the same traces as a whole one.
// Resumable: completed (item, prompt version, model, sample) are skipped, and a rerun with the
// settings of an interrupted run names it (GenerationSummary::resumedRun). One run per model
// writes a store at a time: a second is refused at once, naming the first (TraceRepository::
// startRun). The summary's ok/failed are the counts the store holds for the run. Per batch, the
// hidden-state file is written atomically before the batch's traces are committed in one
// transaction, so a killed run leaves at worst an unreferenced file, never a half trace.
// A bad item (missing asset, prompt longer than the context) fails alone with its reason.
//
// The job is a short loop over its parts: GenerationPlan.h (what is to do), TwoStepRunner.h
// (units to traces), TraceSink.h (where the traces go, one transaction per batch).
//
// Thread rule: runs on the calling thread (it opens its own connections); callbacks are
// called there; `cancel` is polled during generation and between batches.

#include "sdrt/common/Result.h"
#include "sdrt/model/Runtime.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Types.h"
#include "sdrt/teacher/TeacherSampling.h"

#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::teacher {

struct GenerationProgress {
    int done = 0;      // traces finished (ok or failed) in this run
    int total = 0;     // traces planned in this run (completed ones excluded)
    int failed = 0;
    double tracesPerSecond = 0;
    double etaSeconds = 0;
};

struct GenerationParams {
    QString workspace;
    store::Id modelId = 0;
    std::vector<store::Id> promptIds;   // prompt versions; empty: the newest version of every registered prompt
    std::vector<store::Id> itemIds;     // empty: every item matching `filter`
    store::ItemFilter filter;
    int samples = 1;                    // per prompt and item (more than 1 needs a temperature)
    int batch = 8;                      // rows generated together (continuous batching: a free row takes the next unit)
    TeacherSampling sampling;           // temperature, top-k/p, token budgets of both steps
    std::uint64_t seed = 1;
    bool captureHidden = true;
    std::vector<int> hiddenLayers;      // decoder layers, HF numbering; empty: the middle and the last
    int shardIndex = 0;                 // this process takes items with position % shardCount == shardIndex
    int shardCount = 1;
    QString shardDir;                   // set: write into this shard folder (merged later), not the workspace
    model::RuntimeOptions runtime;
    // Loads the model (unset: loadRegisteredModel, base models only). The CLI and the GUI pass
    // distill::loadRegisteredModel, which loads a student as its base with its adapter.
    std::function<Result<std::unique_ptr<model::VlmRuntime>>(store::Workspace &, const store::ModelRecord &,
                                                             const model::RuntimeOptions &)>
        loadModel;
    // Policy: decoded items kept between batches (units come item by item, so a few suffice),
    // and how many failures the summary lists by name (all are stored with their reasons).
    int itemCacheSize = 64;
    int failuresListed = 20;
    // Policy: finished traces are committed together once this many have ended or this much
    // time has passed (what a crash can lose; the run resumes from what was committed).
    int commitTraces = 32;
    double commitSeconds = 5.0;
    std::function<void(const GenerationProgress &)> progress;
    std::function<void(const std::vector<store::Id> &itemIds)> stored; // after each commit (workspace item ids)
    const std::atomic_bool *cancel = nullptr;
};

struct GenerationSummary {
    store::Id runId = 0;            // in the workspace, or in the shard folder
    int items = 0;                  // items in this run (after filter and shard)
    int planned = 0;                // traces to do
    int skipped = 0;                // already completed before the run
    int ok = 0;
    int failed = 0;
    bool cancelled = false;
    double seconds = 0;
    double tracesPerMinute = 0;
    std::int64_t hiddenBytes = 0;   // fp16 tensor data written
    std::vector<int> hiddenLayers;
    model::EngineStats engine;      // where the model's time went
    QStringList failures;           // "item <id> (<external id>), prompt <name> v<n>: reason", first failuresListed
    // The interrupted run (same model and settings) that this run continues, as it was found.
    std::optional<store::GenerationRun> resumedRun;
};

Result<GenerationSummary> runGeneration(const GenerationParams &params);

// Regenerates one stored trace with its stored seed and run settings; returns (step-1 text,
// step-2 text). For checks: the result equals the stored texts.
Result<std::pair<QString, QString>> regenerateTrace(const QString &workspace, store::Id traceId);

// Copies the traces (and hidden-state files) of a shard folder into the workspace: items by
// fingerprint, prompts by name, version and hash, the model by content hash, through a
// TraceSink in one transaction (a failure leaves the workspace as it was). Traces already
// completed in the workspace are skipped, and a shard run none of whose traces is new leaves no
// run row. Refused while a run of the shard is still running. Returns the traces added.
Result<int> mergeShard(const QString &workspace, const QString &shardDir);

} // namespace sdrt::teacher
