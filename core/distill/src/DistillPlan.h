#pragma once
// What a distillation run is, decided before anything is written: its settings, base model and
// name (a new run's from the parameters, a resumed run's from its row), then its data: the
// approved train traces now, or the run's recorded lineage for a resumed run and for every rank
// but 0 (they train exactly the traces rank 0 recorded).

#include "sdrt/common/Result.h"
#include "sdrt/distill/Dataset.h"
#include "sdrt/distill/DistillJob.h"
#include "sdrt/model/Student.h"
#include "sdrt/store/DistillRepository.h"
#include "sdrt/store/ModelRepository.h"

#include <optional>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::distill {

struct DistillPlan {
    DistillConfig config;
    store::ModelRecord base;
    QString runName;
    std::optional<store::DistillRun> existing; // the run being resumed
};

// The run's settings, base model and name, every choice checked: the run or model exists, the
// name can name a folder and is free (a run's and its student's), the base is a base model and
// the batch has a trace for every rank.
Result<DistillPlan> planRun(store::Workspace &ws, const DistillParams &params);

// The run's training data, said through `message`; refused when it is empty, or when a run's
// lineage cannot be read whole any more (its remaining steps would train on other data).
// The student's modules and its training settings, from the run's (resolved) config.
model::StudentSettings studentSettings(const DistillConfig &config, const std::vector<QString> &promptVersions);
model::StudentTrainingSettings trainingSettings(const DistillConfig &config);

Result<Dataset> planData(store::Workspace &ws, const DistillPlan &plan, int rank, const std::function<void(const QString &)> &message);

} // namespace sdrt::distill
