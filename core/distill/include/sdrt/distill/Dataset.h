#pragma once
// The training data of a distillation run, read from a workspace: the approved traces (under the
// workspace's approval policy or the one given) of items in the `train` split, made by the base
// model, each with the item's images and plain direct question, the trace's prompt version, its
// answer y_k (the step-2 answer) and where the teacher's hidden states over y_k are stored.
// Traces that cannot be used are counted by reason in the report, never silently used: not in
// the train split, made by another model, hidden states missing, made by another model's
// weights (the file's content hash), or unreadable.
//
// Thread rule: built on the calling thread from its own workspace connection.

#include "sdrt/common/Result.h"
#include "sdrt/model/StudentTraining.h"
#include "sdrt/review/Policy.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/Types.h"

#include <QStringList>

#include <optional>
#include <vector>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::distill {

// Where a training example came from: the same index as its example in Dataset::training.
struct TraceSource {
    store::Id itemId = 0;
    store::Id promptId = 0;
    store::Id teacherRunId = 0;
    QStringList reviewers; // who accepted the trace
};

struct DatasetReport {
    int approved = 0;        // approved traces under the policy (any split, any model)
    int used = 0;
    int notTrainSplit = 0;
    int otherModel = 0;      // made by another model than the base
    int missingHidden = 0;   // no hidden states stored, or the file is gone
    int hiddenOtherModel = 0; // the file's content hash is not the base model's
    int unreadable = 0;      // item or hidden-state file cannot be read
    int cappedOut = 0;       // left out by max_traces
    QStringList problems;    // the first few reasons, naming the trace
    QString describe() const;
};

struct Dataset {
    model::StudentData training;                // the examples, in trace id order, and the layers every one stores
    std::vector<TraceSource> sources;           // same order as training.examples
    std::vector<QString> promptVersions;        // "name vN", index = StudentExample::promptIndex
    std::vector<store::Id> promptIds;           // same order
    review::ApprovalPolicy policy;
    DatasetReport report;
};

// The direct questions are chat turns; the base model's chat template renders them when they
// run. With `traceIds` (a run's lineage, when it resumes or when another rank joins it),
// exactly those traces are taken, approved now or not, so every rank and every restart trains
// on the same data.
Result<Dataset> buildDataset(store::Workspace &ws, const store::ModelRecord &base,
                             const std::optional<review::ApprovalPolicy> &policy = std::nullopt, int maxTraces = 0,
                             const std::vector<store::Id> *traceIds = nullptr);

} // namespace sdrt::distill
