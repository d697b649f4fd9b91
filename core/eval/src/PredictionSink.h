#pragma once
// Where an evaluation's predictions go: its row (started, or resumed, with its lock), one
// transaction per batch, and the finish. A batch that cannot be stored fails the evaluation, and
// the store says so.

#include "EvalPlan.h"

#include "sdrt/store/EvaluationRepository.h"

#include <memory>
#include <set>

namespace sdrt::eval {

class PredictionSink {
public:
    static Result<std::unique_ptr<PredictionSink>> open(store::Workspace &ws, const EvalPlan &plan);

    store::Id evaluationId() const { return m_started.id; }
    // Items predicted before (a resumed evaluation's), skipped by this run.
    const std::set<store::Id> &done() const { return m_done; }
    Result<void> add(const std::vector<store::Prediction> &batch);
    Result<void> finish(bool cancelled);

private:
    PredictionSink(store::Workspace &ws, store::StartedRun started, std::set<store::Id> done);
    store::EvaluationRepository m_repo;
    store::StartedRun m_started;
    std::set<store::Id> m_done;
};

} // namespace sdrt::eval
