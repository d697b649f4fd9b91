#include "sdrt/eval/EvalJob.h"

#include "AnswerStrategy.h"
#include "EvalPlan.h"
#include "PredictionSink.h"

#include "sdrt/distill/Models.h"
#include "sdrt/prompts/Ensemble.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/teacher/GenerationPlan.h"
#include "sdrt/teacher/TwoStepRunner.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <map>

namespace sdrt::eval {
namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("sdrt::eval", s);
}

// The items of a batch, each with a prediction that already says when its inputs cannot be read.
std::map<store::Id, store::Prediction> emptyPredictions(const std::vector<store::Id> &batch, teacher::ItemInputCache &items)
{
    std::map<store::Id, store::Prediction> byItem;
    for (store::Id id : batch) {
        store::Prediction pr;
        pr.itemId = id;
        if (const teacher::ItemInput &in = items.get(id); !in.error.isEmpty()) {
            pr.ok = false;
            pr.error = in.error;
        }
        byItem[id] = pr;
    }
    return byItem;
}

} // namespace

Result<EvalReport> runEvaluation(const EvalParams &given)
{
    QElapsedTimer wall;
    wall.start();
    auto ws = store::Workspace::open(given.workspace);
    if (!ws)
        return fail(ws.error());
    auto plan = planEvaluation(*ws, given);
    if (!plan)
        return fail(plan.error());
    const EvalParams &p = plan->params;
    auto rt = distill::loadRegisteredModel(*ws, plan->model);
    if (!rt)
        return fail(rt.error());
    auto sink = PredictionSink::open(*ws, *plan);
    if (!sink)
        return fail(sink.error());
    std::vector<store::Id> todo;
    for (const auto &it : plan->items)
        if (!(*sink)->done().count(it.id))
            todo.push_back(it.id);

    teacher::ItemInputCache cache(*ws, std::size_t(std::max(16, p.batch * 2)));
    const auto strategy = AnswerStrategy::forMode(*plan, **rt, cache);
    EvalParams::Progress progress;
    progress.total = int(plan->items.size());
    progress.done = int((*sink)->done().size());
    QElapsedTimer clock;
    clock.start();
    int doneHere = 0;
    bool cancelled = false;
    for (std::size_t first = 0; first < todo.size() && !cancelled; first += std::size_t(p.batch)) {
        const std::vector<store::Id> batch(todo.begin() + long(first), todo.begin() + long(std::min(todo.size(), first + std::size_t(p.batch))));
        QElapsedTimer t;
        t.start();
        auto byItem = emptyPredictions(batch, cache);
        cancelled = (p.cancel && p.cancel->load()) || !strategy->answer(batch, byItem);
        if (cancelled)
            break;
        std::vector<store::Prediction> out;
        for (store::Id id : batch) {
            store::Prediction &pr = byItem[id];
            pr.latencyMs = double(t.elapsed()) / double(batch.size());
            progress.failed += pr.ok ? 0 : 1;
            out.push_back(pr);
        }
        if (auto r = (*sink)->add(out); !r)
            return fail(r.error());
        doneHere += int(batch.size());
        progress.done += int(batch.size());
        progress.etaSeconds = double(clock.elapsed()) / 1000.0 / doneHere * double(todo.size() - std::size_t(doneHere));
        if (p.progress)
            p.progress(progress);
    }
    if (auto r = (*sink)->finish(cancelled); !r)
        return fail(r.error());
    auto report = evaluationReport(*ws, (*sink)->evaluationId(), p.seed);
    if (report) {
        report->cancelled = cancelled;
        report->itemsThisRun = doneHere;
        report->secondsThisRun = double(wall.elapsed()) / 1000.0;
    }
    return report;
}

std::optional<ItemScore> scorePrediction(const store::Prediction &p, const store::Item &item, std::optional<Metric> metric)
{
    if (!item.referenceAnswer)
        return std::nullopt; // nothing to score against
    ItemScore s;
    s.itemId = p.itemId;
    s.family = item.taskFamily;
    s.reference = *item.referenceAnswer;
    s.metric = metric.value_or(defaultMetric(item.answerType));
    if (p.ok)
        s.score = score(s.metric, p.parsedAnswer, {s.reference}, item.answerType);
    else if (higherIsBetter(s.metric))
        s.score = 0.0; // a failed answer is a wrong answer
    if (s.score)
        s.right = higherIsBetter(s.metric) ? *s.score >= 0.5 : *s.score == 0;
    return s;
}

Result<std::vector<ItemAnswer>> itemAnswers(store::Workspace &ws, store::Id itemId)
{
    auto item = store::ItemRepository(ws.db()).get(itemId);
    if (!item)
        return fail(item.error());
    store::EvaluationRepository repo(ws.db());
    auto preds = repo.predictionsOfItem(itemId);
    if (!preds)
        return fail(preds.error());
    store::ModelRepository models(ws.db());
    std::vector<ItemAnswer> out;
    for (const auto &[evaluationId, p] : *preds) {
        auto e = repo.find(evaluationId);
        if (!e)
            return fail(e.error());
        if (!*e)
            continue;
        ItemAnswer a;
        a.evaluationId = evaluationId;
        a.evaluation = (*e)->name;
        a.mode = (*e)->mode;
        a.vote = (*e)->vote;
        if (auto m = models.find((*e)->modelId); m && *m)
            a.model = (*m)->name;
        a.failed = !p.ok;
        a.answer = p.ok ? p.answer.trimmed() : p.error;
        const std::optional<Metric> metric = (*e)->metric.isEmpty() ? std::nullopt : metricFromName((*e)->metric);
        if (const auto s = scorePrediction(p, *item, metric); s && s->score)
            a.right = s->right;
        out.push_back(std::move(a));
    }
    return out;
}

Result<EvalReport> evaluationReport(store::Workspace &ws, store::Id evaluationId, std::uint64_t seed)
{
    store::EvaluationRepository repo(ws.db());
    auto e = repo.find(evaluationId);
    if (!e)
        return fail(e.error());
    if (!*e)
        return fail(tr("There is no evaluation %1.").arg(evaluationId));
    auto preds = repo.predictions(evaluationId);
    if (!preds)
        return fail(preds.error());
    const std::optional<Metric> override = (*e)->metric.isEmpty() ? std::nullopt : metricFromName((*e)->metric);
    store::ItemRepository items(ws.db());
    EvalReport r;
    r.evaluationId = evaluationId;
    r.name = (*e)->name;
    for (const store::Prediction &p : *preds) {
        r.count(p);
        auto item = items.get(p.itemId);
        if (!item)
            return fail(item.error());
        if (auto s = scorePrediction(p, *item, override))
            r.scores.push_back(*s);
    }
    r.averageCosts();
    r.byMetric = summarizeScores(r.scores, seed);
    return r;
}

void EvalReport::count(const store::Prediction &p)
{
    ++items;
    failed += p.ok ? 0 : 1;
    generations += p.generations;
    promptTokens += p.promptTokens;
    generatedTokens += p.generatedTokens;
    latencyMs += p.latencyMs;
}

void EvalReport::averageCosts()
{
    if (items == 0)
        return;
    generations /= items;
    promptTokens /= items;
    generatedTokens /= items;
    latencyMs /= items;
}

std::map<QString, std::map<QString, Estimate>> summarizeScores(const std::vector<ItemScore> &scores, std::uint64_t seed)
{
    std::map<QString, std::vector<std::pair<QString, double>>> values;
    for (const ItemScore &s : scores) {
        if (!s.score)
            continue;
        values[metricName(s.metric)].push_back({s.family, *s.score});
        if (higherIsBetter(s.metric)) // every item under its own metric, in [0, 1]
            values[QStringLiteral("score")].push_back({s.family, *s.score});
    }
    std::map<QString, std::map<QString, Estimate>> out;
    for (const auto &[metric, list] : values)
        out[metric] = byFamily(list, seed);
    return out;
}

} // namespace sdrt::eval
