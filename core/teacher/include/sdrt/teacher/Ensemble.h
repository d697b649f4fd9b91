#pragma once
// The ensemble of an item's traces: one vote per completed trace with a parsed answer.
// Majority vote (ties: the larger summed weight, then the first answer in sort order);
// log-probability-weighted vote, each trace weighing exp(mean log-probability of its answer
// tokens), i.e. the geometric-mean token probability; agreement = share of votes for the
// majority answer. Answers are compared normalised (prompts/Answers.h).

#include "sdrt/store/TraceRepository.h"

#include <QString>

#include <map>
#include <vector>

namespace sdrt::teacher {

struct Ensemble {
    QString majority;       // normalised answer; empty when no trace voted
    QString weighted;
    double agreement = 0;   // votes for `majority` / votes
    int votes = 0;
    std::map<QString, int> counts;
    std::map<QString, double> weights;
};

Ensemble ensemble(const std::vector<store::Trace> &traces, const QString &answerType);

} // namespace sdrt::teacher
