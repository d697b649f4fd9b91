#pragma once
// An evaluation run: a registered model (base or student) in one mode over the items of a split
// (or a filter), each answer stored as a prediction with what it cost. Modes:
// * direct: one generation of the plain question (teacher::directRequest), greedy;
// * two-step: one prompt version run two-step (2 generations), its parsed answer;
// * ensemble: every given prompt version two-step (2·K generations), then the vote: the
//   majority of the parsed answers, or the log-probability-weighted one (prompts::Ensemble).
// Items are done in batches, each stored in one transaction; a batch that fails stores its
// items as failed with the reason and the run goes on; a killed run keeps its stored
// predictions and, resumed, does only the rest (nothing is stored twice); cancel ends after the
// batch in flight. Latency per answer is its batch's wall time divided among the batch's items.
//
// Thread rule: runs on the calling thread with its own workspace connection.

#include "sdrt/common/Result.h"
#include "sdrt/eval/Metrics.h"
#include "sdrt/store/EvaluationRepository.h"
#include "sdrt/store/Types.h"

#include <atomic>
#include <functional>
#include <map>
#include <optional>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::eval {

struct EvalParams {
    QString workspace;
    QString name;                       // the evaluation's name (required)
    std::optional<QString> resume;      // resume this evaluation instead of starting one
    store::Id modelId = 0;
    store::EvalMode mode = store::EvalMode::Direct;
    std::vector<store::Id> promptIds;   // two-step: one; ensemble: several (empty: the newest of every prompt)
    store::EnsembleVote vote = store::EnsembleVote::Majority;
    store::ItemFilter filter;           // split, family, text
    int limit = 0;                      // at most this many items (id order); 0: all
    std::optional<Metric> metric;       // override of the per-answer-type metric
    int batch = 8;
    int maxNewTokens = 24;              // direct answers; two-step uses the teacher's budgets
    std::uint64_t seed = 1;
    struct Progress {
        int done = 0, total = 0;        // items, this evaluation (resumed ones included)
        int failed = 0;
        double etaSeconds = 0;
    };
    std::function<void(const Progress &)> progress;
    const std::atomic_bool *cancel = nullptr;
};

struct ItemScore {
    store::Id itemId = 0;
    QString family;
    QString reference;
    Metric metric = Metric::ExactMatch;
    std::optional<double> score;        // nullopt: failed prediction (scored 0 for accuracies) or no number
    bool right = false;                 // score ≥ 0.5 for accuracy-like metrics, error 0 for the absolute error
};

struct EvalReport {
    store::Id evaluationId = 0;
    QString name;
    int items = 0, failed = 0;
    bool cancelled = false;
    std::vector<ItemScore> scores;      // by item id
    // metric name → family ("" = all) → estimate; "score" holds every item under its own
    // (higher-is-better) metric, so families of different answer types add up
    std::map<QString, std::map<QString, Estimate>> byMetric;
    // Cost per answer (means over stored predictions).
    double generations = 0, promptTokens = 0, generatedTokens = 0, latencyMs = 0;
    // This run only (runEvaluation): items it answered and its wall time, model load included.
    int itemsThisRun = 0;
    double secondsThisRun = 0;

    // Counts a stored prediction: an item, a failure, its costs (summed until averageCosts()).
    void count(const store::Prediction &p);
    // The summed costs become means per item.
    void averageCosts();
};

Result<EvalReport> runEvaluation(const EvalParams &params);
// One stored prediction scored as the evaluation's report scores it (`metric` unset: by the
// item's answer type); nullopt when the item has no reference answer.
std::optional<ItemScore> scorePrediction(const store::Prediction &p, const store::Item &item, std::optional<Metric> metric);

// One evaluation's answer to one item, for the review screen ("what did the student answer?").
struct ItemAnswer {
    store::Id evaluationId = 0;
    QString evaluation; // its name
    QString model;      // the evaluated model's name
    store::EvalMode mode = store::EvalMode::Direct;
    store::EnsembleVote vote = store::EnsembleVote::Majority;
    QString answer;     // the answer; the error when it failed
    bool failed = false;
    std::optional<bool> right; // nullopt: no reference answer to judge by
};
// Every evaluation's answer to `itemId`, oldest evaluation first.
Result<std::vector<ItemAnswer>> itemAnswers(store::Workspace &ws, store::Id itemId);
// Per metric (and "score", every item under its own higher-is-better metric) and family.
std::map<QString, std::map<QString, Estimate>> summarizeScores(const std::vector<ItemScore> &scores, std::uint64_t seed);
// The report of a stored evaluation (scores, intervals with `seed`, costs).
Result<EvalReport> evaluationReport(store::Workspace &ws, store::Id evaluationId, std::uint64_t seed = 1);

} // namespace sdrt::eval
