#pragma once
// What an evaluation is, decided before anything is written: its settings (a resumed one's from
// its row), the model, the prompt versions of a two-step or ensemble mode and the items.

#include "sdrt/common/Result.h"
#include "sdrt/eval/EvalJob.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/teacher/GenerationPlan.h"

#include <vector>

namespace sdrt::eval {

struct EvalPlan {
    EvalParams params; // resolved: a resumed evaluation's stored settings, the prompt ids used
    store::Id resumeId = 0; // the evaluation resumed (0: a new one)
    store::ModelRecord model;
    std::vector<teacher::PromptEntry> prompts; // empty for direct answers
    std::vector<store::ItemSummary> items;
};

Result<EvalPlan> planEvaluation(store::Workspace &ws, const EvalParams &given);

// The evaluation row's JSON columns.
QString idsJson(const std::vector<store::Id> &ids);
QString filterJson(const store::ItemFilter &f, int limit);

} // namespace sdrt::eval
