#include "sdrt/prompts/Ensemble.h"

#include "sdrt/prompts/Answers.h"

#include <cmath>

namespace sdrt::prompts {

bool Ensemble::agreesWith(const QString &parsedAnswer) const
{
    return !majority.isEmpty() && normaliseAnswer(parsedAnswer, answerType) == majority;
}

Ensemble ensemble(const std::vector<Vote> &votes, const QString &answerType)
{
    Ensemble e;
    e.answerType = answerType;
    for (const Vote &v : votes) {
        const QString a = normaliseAnswer(v.answer, answerType);
        if (a.isEmpty())
            continue;
        ++e.votes;
        ++e.counts[a];
        e.weights[a] += std::exp(v.meanLogprob);
    }
    if (e.votes == 0)
        return e;
    for (const auto &[answer, n] : e.counts) {
        if (e.majority.isEmpty() || n > e.counts[e.majority] ||
            (n == e.counts[e.majority] && e.weights[answer] > e.weights[e.majority]))
            e.majority = answer;
    }
    for (const auto &[answer, w] : e.weights) {
        if (e.weighted.isEmpty() || w > e.weights[e.weighted])
            e.weighted = answer;
    }
    e.agreement = double(e.counts[e.majority]) / e.votes;
    return e;
}

Ensemble ensemble(const std::vector<store::Trace> &traces, const QString &answerType)
{
    std::vector<Vote> votes;
    votes.reserve(traces.size());
    for (const store::Trace &t : traces)
        if (t.isOk())
            votes.push_back({t.parsedAnswer, t.meanLogprob});
    return ensemble(votes, answerType);
}

} // namespace sdrt::prompts
