#include "PredictionSink.h"

#include "sdrt/store/Workspace.h"
#include "sdrt/teacher/TwoStepRunner.h"

#include <QCoreApplication>

namespace sdrt::eval {

PredictionSink::PredictionSink(store::Workspace &ws, store::StartedRun started, std::set<store::Id> done)
    : m_repo(ws.db()), m_started(std::move(started)), m_done(std::move(done))
{
}

namespace {

// A new evaluation's row, with its settings.
Result<store::StartedRun> startRow(store::EvaluationRepository &repo, const EvalParams &p)
{
    if (p.name.trimmed().isEmpty())
        return fail(QCoreApplication::translate("sdrt::eval", "An evaluation needs a name."));
    store::Evaluation row;
    row.name = p.name.trimmed();
    row.modelId = p.modelId;
    row.mode = p.mode;
    row.promptIds = idsJson(p.promptIds);
    row.vote = p.vote;
    row.itemFilter = filterJson(p.filter, p.limit);
    row.metric = p.metric ? metricName(*p.metric) : QString();
    row.sampling = teacher::TeacherSampling{}.toJson(1, p.batch);
    row.seed = std::int64_t(p.seed);
    return repo.start(row);
}

} // namespace

Result<std::unique_ptr<PredictionSink>> PredictionSink::open(store::Workspace &ws, const EvalPlan &plan)
{
    store::EvaluationRepository repo(ws.db());
    auto started = plan.resumeId ? repo.resume(plan.resumeId) : startRow(repo, plan.params);
    if (!started)
        return fail(started.error());
    auto done = repo.doneItems(started->id);
    if (!done)
        return fail(done.error());
    return std::unique_ptr<PredictionSink>(new PredictionSink(ws, std::move(*started), std::move(*done)));
}

Result<void> PredictionSink::add(const std::vector<store::Prediction> &batch)
{
    if (auto r = m_repo.addPredictions(evaluationId(), batch); !r) {
        if (auto f = m_repo.finish(evaluationId(), store::RunStatus::Failed, r.error()); !f)
            return fail(QCoreApplication::translate("sdrt::eval", "%1 (and the evaluation could not be marked failed: %2)").arg(r.error(), f.error()));
        return fail(r.error());
    }
    return {};
}

Result<void> PredictionSink::finish(bool cancelled)
{
    return m_repo.finish(evaluationId(), cancelled ? store::RunStatus::Cancelled : store::RunStatus::Done, QString());
}

} // namespace sdrt::eval
