#include "sdrt/eval/EvalJob.h"

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

QString idsJson(const std::vector<store::Id> &ids)
{
    QJsonArray a;
    for (auto id : ids)
        a.append(qint64(id));
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

std::vector<store::Id> idsFromJson(const QString &json)
{
    std::vector<store::Id> out;
    for (const auto &v : QJsonDocument::fromJson(json.toUtf8()).array())
        out.push_back(v.toInteger());
    return out;
}

QString filterJson(const store::ItemFilter &f, int limit)
{
    return QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("split"), f.split ? store::toString(*f.split) : QString()},
                                                       {QStringLiteral("family"), f.taskFamily},
                                                       {QStringLiteral("text"), f.text},
                                                       {QStringLiteral("limit"), limit}})
                                 .toJson(QJsonDocument::Compact));
}

QString firstLine(const QString &text)
{
    return text.section(QLatin1Char('\n'), 0, 0).trimmed();
}

} // namespace

Result<EvalReport> runEvaluation(const EvalParams &given)
{
    QElapsedTimer wall;
    wall.start();
    EvalParams p = given;
    auto ws = store::Workspace::open(p.workspace);
    if (!ws)
        return fail(ws.error());
    store::EvaluationRepository repo(ws->db());
    std::optional<store::StartedEvaluation> started;
    if (p.resume) {
        auto e = repo.findByName(*p.resume);
        if (!e)
            return fail(e.error());
        if (!*e)
            return fail(tr("There is no evaluation \"%1\" in %2.").arg(*p.resume, ws->root()));
        // A resumed evaluation runs with its stored settings.
        const store::Evaluation &row = **e;
        p.name = row.name;
        p.modelId = row.modelId;
        p.mode = row.mode;
        p.promptIds = idsFromJson(row.promptIds);
        p.vote = row.vote;
        const QJsonObject f = QJsonDocument::fromJson(row.itemFilter.toUtf8()).object();
        p.filter.split = store::splitFromString(f.value(QStringLiteral("split")).toString());
        p.filter.taskFamily = f.value(QStringLiteral("family")).toString();
        p.filter.text = f.value(QStringLiteral("text")).toString();
        p.limit = f.value(QStringLiteral("limit")).toInt();
        p.metric = row.metric.isEmpty() ? std::nullopt : metricFromName(row.metric);
        p.seed = std::uint64_t(row.seed);
    }
    if (p.batch < 1)
        return fail(tr("The batch must be at least 1."));
    auto model = store::ModelRepository(ws->db()).find(p.modelId);
    if (!model)
        return fail(model.error());
    if (!*model)
        return fail(tr("There is no model %1 in the workspace.").arg(p.modelId));
    std::vector<teacher::PromptEntry> prompts;
    if (p.mode != store::EvalMode::Direct) {
        auto entries = teacher::loadPromptEntries(ws->db(), p.promptIds);
        if (!entries)
            return fail(entries.error());
        prompts = std::move(*entries);
        if (prompts.empty())
            return fail(tr("No prompts are registered (sdrt prompts register WS)."));
        if (p.mode == store::EvalMode::TwoStep && prompts.size() != 1)
            return fail(tr("Two-step mode takes exactly one prompt version (%1 given).").arg(prompts.size()));
        p.promptIds.clear();
        for (const auto &e : prompts)
            p.promptIds.push_back(e.version.id);
    }
    store::ItemRepository itemRepo(ws->db());
    auto items = itemRepo.list(p.filter, 0, p.limit > 0 ? p.limit : std::numeric_limits<int>::max());
    if (!items)
        return fail(items.error());
    if (items->empty())
        return fail(tr("No items match the evaluation's split and filter."));
    auto rt = distill::loadRegisteredModel(*ws, **model);
    if (!rt)
        return fail(rt.error());

    if (p.resume) {
        auto s = repo.resume((*repo.findByName(*p.resume))->id);
        if (!s)
            return fail(s.error());
        started = std::move(*s);
    } else {
        if (p.name.trimmed().isEmpty())
            return fail(tr("An evaluation needs a name."));
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
        auto s = repo.start(row);
        if (!s)
            return fail(s.error());
        started = std::move(*s);
    }
    const store::Id evalId = started->id;
    auto done = repo.doneItems(evalId);
    if (!done)
        return fail(done.error());
    std::vector<store::Id> todo;
    for (const auto &it : *items)
        if (!done->count(it.id))
            todo.push_back(it.id);

    teacher::ItemInputCache cache(*ws, std::size_t(std::max(16, p.batch * 2)));
    teacher::TwoStepOptions options;
    options.cancel = p.cancel;
    teacher::TwoStepRunner runner(**rt, prompts, options);
    model::SamplingParams direct;
    direct.maxNewTokens = p.maxNewTokens;
    direct.stop = {"\n"};
    EvalParams::Progress progress;
    progress.total = int(items->size());
    progress.done = int(done->size());
    QElapsedTimer clock;
    clock.start();
    int doneHere = 0;
    bool cancelled = false;
    for (std::size_t first = 0; first < todo.size(); first += std::size_t(p.batch)) {
        if (p.cancel && p.cancel->load()) {
            cancelled = true;
            break;
        }
        const std::vector<store::Id> batch(todo.begin() + long(first), todo.begin() + long(std::min(todo.size(), first + std::size_t(p.batch))));
        QElapsedTimer t;
        t.start();
        std::vector<store::Prediction> out;
        std::map<store::Id, store::Prediction> byItem;
        for (store::Id id : batch) {
            store::Prediction pr;
            pr.itemId = id;
            const teacher::ItemInput &in = cache.get(id);
            if (!in.error.isEmpty()) {
                pr.ok = false;
                pr.error = in.error;
            }
            byItem[id] = pr;
        }
        if (p.mode == store::EvalMode::Direct) {
            std::vector<model::GenerationRequest> reqs;
            std::vector<store::Id> at;
            for (store::Id id : batch) {
                if (!byItem[id].ok)
                    continue;
                reqs.push_back(teacher::directRequest(cache.get(id)));
                at.push_back(id);
            }
            model::GenerateCallbacks cb;
            cb.cancel = p.cancel;
            auto res = (*rt)->generate(reqs, direct, {}, cb);
            for (std::size_t j = 0; j < res.size(); ++j) {
                store::Prediction &pr = byItem[at[j]];
                pr.generations = 1;
                if (!res[j]) {
                    pr.ok = false;
                    pr.error = QString::fromStdString(res[j].error());
                    continue;
                }
                if (res[j]->finishReason == "cancelled") {
                    cancelled = true;
                    break;
                }
                pr.answer = QString::fromStdString(res[j]->text);
                pr.parsedAnswer = firstLine(pr.answer);
                pr.promptTokens = res[j]->promptTokens;
                pr.generatedTokens = int(res[j]->tokens.size());
            }
        } else {
            std::vector<teacher::WorkUnit> units;
            for (store::Id id : batch)
                if (byItem[id].ok)
                    for (std::size_t k = 0; k < prompts.size(); ++k)
                        units.push_back({id, k, 0});
            auto res = runner.run(units, [&](store::Id id) -> const teacher::ItemInput & { return cache.get(id); }, p.seed);
            if (res.cancelled) {
                cancelled = true;
            } else {
                std::map<store::Id, std::vector<store::Trace>> traces;
                for (std::size_t u = 0; u < units.size(); ++u)
                    traces[units[u].item].push_back(res.batch.traces[u]);
                for (auto &[id, list] : traces) {
                    store::Prediction &pr = byItem[id];
                    QJsonArray trace;
                    for (std::size_t k = 0; k < list.size(); ++k) {
                        const store::Trace &t = list[k];
                        pr.generations += t.isOk() ? 2 : (t.step1Text.isEmpty() ? 0 : 1);
                        pr.promptTokens += t.step1PromptTokens + t.step2PromptTokens;
                        pr.generatedTokens += t.step1Tokens + t.step2Tokens;
                        trace.append(QJsonObject{{QStringLiteral("prompt"), QStringLiteral("%1 v%2").arg(prompts[k].version.name).arg(prompts[k].version.version)},
                                                 {QStringLiteral("step1"), t.step1Text},
                                                 {QStringLiteral("step2"), t.step2Text},
                                                 {QStringLiteral("answer"), t.parsedAnswer},
                                                 {QStringLiteral("error"), t.error}});
                    }
                    pr.trace = QString::fromUtf8(QJsonDocument(trace).toJson(QJsonDocument::Compact));
                    if (p.mode == store::EvalMode::TwoStep) {
                        if (!list.front().isOk()) {
                            pr.ok = false;
                            pr.error = list.front().error;
                        } else {
                            pr.answer = list.front().step2Text;
                            pr.parsedAnswer = list.front().parsedAnswer;
                        }
                    } else {
                        const prompts::Ensemble e = prompts::ensemble(list, cache.get(id).item.answerType);
                        if (e.votes == 0) {
                            pr.ok = false;
                            pr.error = tr("no prompt gave an answer");
                        } else {
                            pr.parsedAnswer = p.vote == store::EnsembleVote::Logprob ? e.weighted : e.majority;
                            pr.answer = pr.parsedAnswer;
                        }
                    }
                }
            }
        }
        if (cancelled)
            break;
        const double perItem = double(t.elapsed()) / double(batch.size());
        for (store::Id id : batch) {
            store::Prediction &pr = byItem[id];
            pr.latencyMs = perItem;
            progress.failed += pr.ok ? 0 : 1;
            out.push_back(pr);
        }
        if (auto r = repo.addPredictions(evalId, out); !r) {
            (void)repo.finish(evalId, store::RunStatus::Failed, r.error());
            return fail(r.error());
        }
        doneHere += int(batch.size());
        progress.done += int(batch.size());
        progress.etaSeconds = double(clock.elapsed()) / 1000.0 / doneHere * double(todo.size() - std::size_t(doneHere));
        if (p.progress)
            p.progress(progress);
    }
    if (auto r = repo.finish(evalId, cancelled ? store::RunStatus::Cancelled : store::RunStatus::Done, QString()); !r)
        return fail(r.error());
    auto report = evaluationReport(*ws, evalId, p.seed);
    if (report) {
        report->cancelled = cancelled;
        report->itemsThisRun = doneHere;
        report->secondsThisRun = double(wall.elapsed()) / 1000.0;
    }
    return report;
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
        ++r.items;
        r.failed += p.ok ? 0 : 1;
        r.generations += p.generations;
        r.promptTokens += p.promptTokens;
        r.generatedTokens += p.generatedTokens;
        r.latencyMs += p.latencyMs;
        auto item = items.get(p.itemId);
        if (!item)
            return fail(item.error());
        if (!item->referenceAnswer)
            continue; // nothing to score against
        ItemScore s;
        s.itemId = p.itemId;
        s.family = item->taskFamily;
        s.reference = *item->referenceAnswer;
        s.metric = override.value_or(defaultMetric(item->answerType));
        if (p.ok)
            s.score = score(s.metric, p.parsedAnswer, {s.reference}, item->answerType);
        else if (higherIsBetter(s.metric))
            s.score = 0.0; // a failed answer is a wrong answer
        if (s.score)
            s.right = higherIsBetter(s.metric) ? *s.score >= 0.5 : *s.score == 0;
        r.scores.push_back(s);
    }
    if (r.items > 0) {
        r.generations /= r.items;
        r.promptTokens /= r.items;
        r.generatedTokens /= r.items;
        r.latencyMs /= r.items;
    }
    r.byMetric = summarizeScores(r.scores, seed);
    return r;
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
