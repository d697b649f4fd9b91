#include "AnswerStrategy.h"

#include "sdrt/prompts/Ensemble.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace sdrt::eval {
namespace {

QString firstLine(const QString &text)
{
    return text.section(QLatin1Char('\n'), 0, 0).trimmed();
}

class DirectAnswers final : public AnswerStrategy {
public:
    DirectAnswers(const EvalPlan &plan, model::VlmRuntime &runtime, teacher::ItemInputCache &items)
        : m_cancel(plan.params.cancel), m_runtime(runtime), m_items(items)
    {
        m_sampling.maxNewTokens = plan.params.maxNewTokens;
        m_sampling.stop = {"\n"};
    }

    bool answer(const std::vector<store::Id> &batch, std::map<store::Id, store::Prediction> &byItem) override
    {
        std::vector<model::GenerationRequest> requests;
        std::vector<store::Id> at;
        for (store::Id id : batch) {
            if (!byItem[id].ok)
                continue;
            requests.push_back(teacher::directRequest(m_items.get(id)));
            at.push_back(id);
        }
        model::GenerateCallbacks callbacks;
        callbacks.cancel = m_cancel;
        auto results = m_runtime.generate(requests, m_sampling, {}, callbacks);
        for (std::size_t j = 0; j < results.size(); ++j) {
            store::Prediction &pr = byItem[at[j]];
            pr.generations = 1;
            if (!results[j]) {
                pr.ok = false;
                pr.error = QString::fromStdString(results[j].error());
                continue;
            }
            if (results[j]->finishReason == "cancelled")
                return false;
            pr.answer = QString::fromStdString(results[j]->text);
            pr.parsedAnswer = firstLine(pr.answer);
            pr.promptTokens = results[j]->promptTokens;
            pr.generatedTokens = int(results[j]->tokens.size());
        }
        return true;
    }

private:
    const std::atomic_bool *m_cancel;
    model::VlmRuntime &m_runtime;
    teacher::ItemInputCache &m_items;
    model::SamplingParams m_sampling;
};

// The modes that run the teacher's two steps: every prompt of the plan on every item, the traces
// kept in the prediction; the answer is decided per mode.
class StepwiseAnswers : public AnswerStrategy {
public:
    StepwiseAnswers(const EvalPlan &plan, model::VlmRuntime &runtime, teacher::ItemInputCache &items)
        : m_plan(plan), m_items(items), m_runner(runtime, plan.prompts, options(plan))
    {
    }

    bool answer(const std::vector<store::Id> &batch, std::map<store::Id, store::Prediction> &byItem) override
    {
        std::vector<teacher::WorkUnit> units;
        for (store::Id id : batch)
            if (byItem[id].ok)
                for (std::size_t k = 0; k < m_plan.prompts.size(); ++k)
                    units.push_back({id, k, 0});
        auto res = m_runner.run(units, [&](store::Id id) -> const teacher::ItemInput & { return m_items.get(id); }, m_plan.params.seed);
        if (res.cancelled)
            return false;
        std::map<store::Id, std::vector<store::Trace>> traces;
        for (std::size_t u = 0; u < units.size(); ++u)
            traces[units[u].item].push_back(res.batch.traces[u]);
        for (auto &[id, list] : traces) {
            store::Prediction &pr = byItem[id];
            recordTraces(pr, list);
            decide(pr, list, m_items.get(id).item.answerType);
        }
        return true;
    }

protected:
    virtual void decide(store::Prediction &pr, const std::vector<store::Trace> &traces, const QString &answerType) const = 0;
    const EvalPlan &m_plan;

private:
    static teacher::TwoStepOptions options(const EvalPlan &plan)
    {
        teacher::TwoStepOptions o;
        o.cancel = plan.params.cancel;
        return o;
    }

    void recordTraces(store::Prediction &pr, const std::vector<store::Trace> &list) const
    {
        QJsonArray trace;
        for (std::size_t k = 0; k < list.size(); ++k) {
            const store::Trace &t = list[k];
            pr.generations += t.isOk() ? 2 : (t.step1Text.isEmpty() ? 0 : 1);
            pr.promptTokens += t.step1PromptTokens + t.step2PromptTokens;
            pr.generatedTokens += t.step1Tokens + t.step2Tokens;
            const auto &version = m_plan.prompts[k].version;
            trace.append(QJsonObject{{QStringLiteral("prompt"), QStringLiteral("%1 v%2").arg(version.name).arg(version.version)},
                                     {QStringLiteral("step1"), t.step1Text},
                                     {QStringLiteral("step2"), t.step2Text},
                                     {QStringLiteral("answer"), t.parsedAnswer},
                                     {QStringLiteral("error"), t.error}});
        }
        pr.trace = QString::fromUtf8(QJsonDocument(trace).toJson(QJsonDocument::Compact));
    }

    teacher::ItemInputCache &m_items;
    teacher::TwoStepRunner m_runner;
};

class TwoStepAnswers final : public StepwiseAnswers {
public:
    using StepwiseAnswers::StepwiseAnswers;

private:
    void decide(store::Prediction &pr, const std::vector<store::Trace> &traces, const QString &) const override
    {
        if (!traces.front().isOk()) {
            pr.ok = false;
            pr.error = traces.front().error;
            return;
        }
        pr.answer = traces.front().step2Text;
        pr.parsedAnswer = traces.front().parsedAnswer;
    }
};

class EnsembleAnswers final : public StepwiseAnswers {
public:
    using StepwiseAnswers::StepwiseAnswers;

private:
    void decide(store::Prediction &pr, const std::vector<store::Trace> &traces, const QString &answerType) const override
    {
        const prompts::Ensemble e = prompts::ensemble(traces, answerType);
        if (e.votes == 0) {
            pr.ok = false;
            pr.error = QCoreApplication::translate("sdrt::eval", "no prompt gave an answer");
            return;
        }
        pr.parsedAnswer = m_plan.params.vote == store::EnsembleVote::Logprob ? e.weighted : e.majority;
        pr.answer = pr.parsedAnswer;
    }
};

} // namespace

std::unique_ptr<AnswerStrategy> AnswerStrategy::forMode(const EvalPlan &plan, model::VlmRuntime &runtime, teacher::ItemInputCache &items)
{
    switch (plan.params.mode) {
    case store::EvalMode::Direct: return std::make_unique<DirectAnswers>(plan, runtime, items);
    case store::EvalMode::TwoStep: return std::make_unique<TwoStepAnswers>(plan, runtime, items);
    case store::EvalMode::Ensemble: return std::make_unique<EnsembleAnswers>(plan, runtime, items);
    }
    return nullptr;
}

} // namespace sdrt::eval
