#include "sdrt/store/EvaluationRepository.h"

#include "Rows.h"
#include "RunLife.h"

#include <QCoreApplication>

namespace sdrt::store {

QString toString(EvalMode mode)
{
    switch (mode) {
    case EvalMode::Direct: return QStringLiteral("direct");
    case EvalMode::TwoStep: return QStringLiteral("two-step");
    case EvalMode::Ensemble: return QStringLiteral("ensemble");
    }
    return {};
}

QString toString(EnsembleVote vote)
{
    return vote == EnsembleVote::Logprob ? QStringLiteral("logprob") : QStringLiteral("majority");
}

std::optional<EvalMode> evalModeFromString(const QString &text)
{
    for (EvalMode m : {EvalMode::Direct, EvalMode::TwoStep, EvalMode::Ensemble})
        if (text == toString(m))
            return m;
    return std::nullopt;
}

std::optional<EnsembleVote> ensembleVoteFromString(const QString &text)
{
    for (EnsembleVote v : {EnsembleVote::Majority, EnsembleVote::Logprob})
        if (text == toString(v))
            return v;
    return std::nullopt;
}
namespace {

constexpr const char *kKind = "eval";
constexpr const char *kColumns =
    "SELECT id, name, model_id, mode, prompt_ids, vote, item_filter, coalesce(metric,''), sampling, seed, status,"
    " coalesce(error,''), started_at, coalesce(finished_at,''), coalesce(owner,'') FROM evaluations";

Evaluation readEvaluation(const Statement &s)
{
    Evaluation e;
    e.id = s.int64(0);
    e.name = s.text(1);
    e.modelId = s.int64(2);
    e.mode = evalModeFromString(s.text(3)).value_or(EvalMode::Direct);
    e.promptIds = s.text(4);
    e.vote = ensembleVoteFromString(s.text(5)).value_or(EnsembleVote::Majority);
    e.itemFilter = s.text(6);
    e.metric = s.text(7);
    e.sampling = s.text(8);
    e.seed = s.int64(9);
    e.status = runStatusFromName(s.text(10)).value_or(RunStatus::Failed);
    e.error = s.text(11);
    e.startedAt = s.text(12);
    e.finishedAt = s.text(13);
    e.owner = s.text(14);
    return e;
}

std::optional<QString> orNull(const QString &s)
{
    return s.isEmpty() ? std::nullopt : std::optional<QString>(s);
}

} // namespace

QString EvaluationRepository::storeRoot() const
{
    return runlife::root(m_db);
}

bool EvaluationRepository::isLive(Id id) const
{
    return runlife::isLive(m_db, "evaluations", kKind, id);
}

Result<StartedRun> EvaluationRepository::start(const Evaluation &e)
{
    if (auto r = reconcile(); !r)
        return fail(r.error());
    auto check = [&]() -> Result<void> {
        auto taken = findByName(e.name);
        if (!taken)
            return fail(taken.error());
        if (*taken)
            return fail(QCoreApplication::translate("sdrt::store", "An evaluation named \"%1\" already exists (%2). Choose another name, or resume "
                                                                   "it with --resume %1.")
                            .arg(e.name, runStatusName((*taken)->status)));
        return {};
    };
    auto insert = [&]() -> Result<Id> {
        if (auto r = m_db.run("INSERT INTO evaluations (name, model_id, mode, prompt_ids, vote, item_filter, metric, sampling, seed, status, owner)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'running', ?10)",
                              e.name, e.modelId, toString(e.mode), e.promptIds, toString(e.vote), e.itemFilter, orNull(e.metric), e.sampling,
                              e.seed, runlife::owner());
            !r)
            return fail(r.error());
        return m_db.lastInsertId();
    };
    return runlife::start(m_db, "evaluations", kKind, check, insert);
}

Result<StartedRun> EvaluationRepository::resume(Id id)
{
    if (auto r = reconcile(); !r)
        return fail(r.error());
    return runlife::resume(m_db, "evaluations", kKind, id, [this](Id evaluation) { return find(evaluation); },
                           {QCoreApplication::translate("sdrt::store", "There is no evaluation %1."),
                            QCoreApplication::translate("sdrt::store", "Evaluation \"%1\" is done; there is nothing to resume."),
                            QCoreApplication::translate("sdrt::store", "Evaluation \"%1\" is still running: %2")});
}

Result<void> EvaluationRepository::finish(Id id, RunStatus status, const QString &error)
{
    return m_db.run("UPDATE evaluations SET status = ?2, error = ?3, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1",
                    id, runStatusName(status), orNull(error));
}

Result<void> EvaluationRepository::addPredictions(Id id, const std::vector<Prediction> &predictions)
{
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return r;
    auto s = m_db.prepare("INSERT INTO predictions (evaluation_id, item_id, status, answer, parsed_answer, trace, prompt_tokens, generated_tokens,"
                          " generations, latency_ms, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!s)
        return fail(s.error());
    for (const Prediction &p : predictions) {
        s->reset();
        s->bind(1, id).bind(2, p.itemId).bind(3, p.ok ? "ok" : "failed").bind(4, p.answer).bind(5, p.parsedAnswer)
            .bind(6, p.trace.isEmpty() ? QStringLiteral("[]") : p.trace).bind(7, p.promptTokens).bind(8, p.generatedTokens)
            .bind(9, p.generations).bind(10, p.latencyMs).bind(11, orNull(p.error));
        if (auto r = s->run(); !r)
            return r;
    }
    return tx.commit();
}

namespace {

constexpr const char *kPredictionColumns = "SELECT item_id, status, coalesce(answer,''), coalesce(parsed_answer,''), trace, prompt_tokens, generated_tokens,"
                                           " generations, latency_ms, coalesce(error,''), evaluation_id FROM predictions";

Prediction readPrediction(const Statement &st)
{
    Prediction p;
    p.itemId = st.int64(0);
    p.ok = st.text(1) == QLatin1String("ok");
    p.answer = st.text(2);
    p.parsedAnswer = st.text(3);
    p.trace = st.text(4);
    p.promptTokens = int(st.int64(5));
    p.generatedTokens = int(st.int64(6));
    p.generations = int(st.int64(7));
    p.latencyMs = st.real(8);
    p.error = st.text(9);
    return p;
}

} // namespace

Result<std::vector<Prediction>> EvaluationRepository::predictions(Id id)
{
    return rows::readAll<Prediction>(m_db.query((QByteArray(kPredictionColumns) + " WHERE evaluation_id = ? ORDER BY item_id").constData(), id),
                                     readPrediction);
}

Result<std::vector<std::pair<Id, Prediction>>> EvaluationRepository::predictionsOfItem(Id itemId)
{
    return rows::readAll<std::pair<Id, Prediction>>(
        m_db.query((QByteArray(kPredictionColumns) + " WHERE item_id = ? ORDER BY evaluation_id").constData(), itemId),
        [](const Statement &st) { return std::pair<Id, Prediction>(st.int64(10), readPrediction(st)); });
}

Result<std::set<Id>> EvaluationRepository::doneItems(Id id)
{
    std::set<Id> out;
    auto read = rows::forEach(m_db.query("SELECT item_id FROM predictions WHERE evaluation_id = ?", id),
                              [&](const Statement &s) { out.insert(s.int64(0)); });
    if (!read)
        return fail(read.error());
    return out;
}

Result<int> EvaluationRepository::reconcile()
{
    auto dead = runlife::reconcile(m_db, "evaluations", kKind);
    if (!dead)
        return fail(dead.error());
    return int(dead->size());
}

Result<std::optional<Evaluation>> EvaluationRepository::find(Id id)
{
    return rows::readOne<Evaluation>(m_db.query((QByteArray(kColumns) + " WHERE id = ?").constData(), id), readEvaluation);
}

Result<std::optional<Evaluation>> EvaluationRepository::findByName(const QString &name)
{
    return rows::readOne<Evaluation>(m_db.query((QByteArray(kColumns) + " WHERE name = ?").constData(), name), readEvaluation);
}

Result<std::vector<Evaluation>> EvaluationRepository::list()
{
    if (auto r = reconcile(); !r)
        return fail(r.error());
    auto s = m_db.prepare((QByteArray(kColumns) + " ORDER BY id").constData());
    if (!s)
        return fail(s.error());
    return rows::readAll<Evaluation>(*s, readEvaluation);
}

} // namespace sdrt::store
