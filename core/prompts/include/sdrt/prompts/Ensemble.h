#pragma once
// The ensemble of an item's traces: one vote per completed trace with a parsed answer.
// Majority vote (ties: the larger summed weight, then the first answer in sort order);
// log-probability-weighted vote, each trace weighing exp(mean log-probability of its answer
// tokens), i.e. the geometric-mean token probability; agreement = share of votes for the
// majority answer. Answers are compared normalised (Answers.h), and whether one trace agrees
// with the ensemble is decided here only (Ensemble::agreesWith).

#include "sdrt/store/TraceRepository.h"

#include <QString>

#include <map>
#include <vector>

namespace sdrt::prompts {

// One trace's vote: its parsed answer (as parsed, not normalised) and the mean log-probability
// of its answer tokens.
struct Vote {
    QString answer;
    double meanLogprob = 0;
};

struct Ensemble {
    QString answerType; // how answers are normalised (Answers.h)
    QString majority;   // normalised answer; empty when no trace voted
    QString weighted;
    double agreement = 0; // votes for `majority` / votes
    int votes = 0;
    std::map<QString, int> counts;
    std::map<QString, double> weights;

    // A parsed answer agrees with the ensemble when, normalised, it is the majority answer;
    // never when no trace voted.
    bool agreesWith(const QString &parsedAnswer) const;
};

Ensemble ensemble(const std::vector<Vote> &votes, const QString &answerType);
// The completed (`ok`) traces vote; failed ones do not.
Ensemble ensemble(const std::vector<store::Trace> &traces, const QString &answerType);

} // namespace sdrt::prompts
