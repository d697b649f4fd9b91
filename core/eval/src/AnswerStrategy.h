#pragma once
// How a model answers a batch of items in an evaluation's mode, one strategy per mode: direct
// (the plain question, greedy), two-step (one prompt's two steps; the step-2 answer) and
// ensemble (every prompt's two steps; a vote over their answers by count or by
// log-probability). Each fills the items' predictions: answer, trace, cost.

#include "EvalPlan.h"

#include "sdrt/store/EvaluationRepository.h"
#include "sdrt/teacher/TwoStepRunner.h"

#include <map>
#include <memory>
#include <vector>

namespace sdrt::eval {

class AnswerStrategy {
public:
    virtual ~AnswerStrategy() = default;
    // Answers the items of `batch` whose prediction is still ok; false when the evaluation was
    // cancelled meanwhile (the batch is then not stored).
    virtual bool answer(const std::vector<store::Id> &batch, std::map<store::Id, store::Prediction> &byItem) = 0;

    static std::unique_ptr<AnswerStrategy> forMode(const EvalPlan &plan, model::VlmRuntime &runtime, teacher::ItemInputCache &items);
};

} // namespace sdrt::eval
