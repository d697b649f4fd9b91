#include "sdrt/teacher/Ensemble.h"

#include "sdrt/prompts/Answers.h"

#include <cmath>

namespace sdrt::teacher {

Ensemble ensemble(const std::vector<store::Trace> &traces, const QString &answerType)
{
    Ensemble e;
    for (const store::Trace &t : traces) {
        if (t.status != QLatin1String("ok"))
            continue;
        const QString a = prompts::normaliseAnswer(t.parsedAnswer, answerType);
        if (a.isEmpty())
            continue;
        ++e.votes;
        ++e.counts[a];
        e.weights[a] += std::exp(t.meanLogprob);
    }
    if (e.votes == 0)
        return e;
    for (const auto &[answer, n] : e.counts) {
        if (e.majority.isEmpty() || n > e.counts[e.majority] || (n == e.counts[e.majority] && e.weights[answer] > e.weights[e.majority]))
            e.majority = answer;
    }
    for (const auto &[answer, w] : e.weights) {
        if (e.weighted.isEmpty() || w > e.weights[e.weighted])
            e.weighted = answer;
    }
    e.agreement = double(e.counts[e.majority]) / e.votes;
    return e;
}

} // namespace sdrt::teacher
