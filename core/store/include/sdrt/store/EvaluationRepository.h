#pragma once
// Evaluation runs and their predictions (schema 6). Same life cycle as every run (ProcessLock.h):
// the evaluating process holds `.locks/eval-run-<id>.lock`; a `running` row whose lock nobody
// holds reads as `interrupted`. Predictions are unique per (evaluation, item): a resumed
// evaluation skips the items it has and never stores one twice.

#include "sdrt/common/Result.h"
#include "sdrt/store/ProcessLock.h"
#include "sdrt/store/TraceRepository.h"

#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace sdrt::store {

class Database;

// How a model answers in an evaluation: directly, through one prompt's two steps, or through the
// two steps of several prompts and a vote over their answers (by count or by log-probability).
// "direct" | "two-step" | "ensemble" and "majority" | "logprob" in the store and on the command line.
enum class EvalMode { Direct, TwoStep, Ensemble };
enum class EnsembleVote { Majority, Logprob };
QString toString(EvalMode mode);
QString toString(EnsembleVote vote);
std::optional<EvalMode> evalModeFromString(const QString &text);
std::optional<EnsembleVote> ensembleVoteFromString(const QString &text);

struct Evaluation {
    Id id = 0;
    QString name;
    Id modelId = 0;
    EvalMode mode = EvalMode::Direct;
    QString promptIds = QStringLiteral("[]"); // JSON list of prompt version ids
    EnsembleVote vote = EnsembleVote::Majority; // ensemble
    QString itemFilter = QStringLiteral("{}"); // JSON {"split", "family", "text", "limit"}
    QString metric;                            // empty: by answer type
    QString sampling = QStringLiteral("{}");
    std::int64_t seed = 1;
    RunStatus status = RunStatus::Running;
    QString error;
    QString startedAt, finishedAt, owner;
};

struct Prediction {
    Id itemId = 0;
    bool ok = true;
    QString answer;       // the model's text
    QString parsedAnswer; // what the metric reads
    QString trace = QStringLiteral("[]"); // JSON, two-step modes: [{prompt, step1, step2, answer}]
    int promptTokens = 0;
    int generatedTokens = 0;
    int generations = 0;
    double latencyMs = 0;
    QString error;
};

class EvaluationRepository {
public:
    explicit EvaluationRepository(Database &db) : m_db(db) {}

    Result<StartedRun> start(const Evaluation &evaluation);
    Result<StartedRun> resume(Id evaluationId);
    Result<void> finish(Id evaluationId, RunStatus status, const QString &error);
    Result<void> addPredictions(Id evaluationId, const std::vector<Prediction> &predictions); // one transaction
    Result<std::vector<Prediction>> predictions(Id evaluationId);
    // Every evaluation's prediction for one item: (evaluation id, prediction), oldest evaluation first.
    Result<std::vector<std::pair<Id, Prediction>>> predictionsOfItem(Id itemId);
    Result<std::set<Id>> doneItems(Id evaluationId);
    Result<int> reconcile();
    Result<std::optional<Evaluation>> find(Id evaluationId);
    Result<std::optional<Evaluation>> findByName(const QString &name);
    Result<std::vector<Evaluation>> list();

private:
    QString storeRoot() const;
    bool isLive(Id id) const;
    Database &m_db;
};

} // namespace sdrt::store
