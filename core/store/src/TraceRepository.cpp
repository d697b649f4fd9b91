#include "sdrt/store/TraceRepository.h"

#include "sdrt/store/Database.h"

#include "Rows.h"

namespace sdrt::store {
namespace {

constexpr const char *kRunColumns =
    "SELECT id, model_id, prompt_set, sampling, seed, status, coalesce(error,''), hidden_layers, coalesce(shard,''),"
    " traces_ok, traces_failed, coalesce(started_at,''), coalesce(finished_at,'') FROM generation_runs";

constexpr const char *kTraceColumns =
    "SELECT t.id, t.item_id, t.prompt_id, t.run_id, coalesce(t.model_id,0), t.sample_index, coalesce(t.seed,0),"
    " coalesce(t.step1_text,''), coalesce(t.step2_text,''), coalesce(t.parsed_answer,''), coalesce(t.step1_tokens,0),"
    " coalesce(t.step2_tokens,0), coalesce(t.step1_prompt_tokens,0), coalesce(t.step2_prompt_tokens,0),"
    " coalesce(t.step1_logprob,0), coalesce(t.mean_logprob,0), coalesce(t.latency_ms,0), coalesce(t.finish_reason,''),"
    " t.status, coalesce(t.error,''), coalesce(t.hidden_ref,''), coalesce(t.hidden_bytes,0), p.name, p.version"
    " FROM traces t JOIN prompts p ON p.id = t.prompt_id";

GenerationRun readRun(const Statement &s)
{
    GenerationRun r;
    r.id = s.int64(0);
    r.modelId = s.int64(1);
    r.promptSet = s.text(2);
    r.sampling = s.text(3);
    r.seed = s.int64(4);
    r.status = s.text(5);
    r.error = s.text(6);
    r.hiddenLayers = s.text(7);
    r.shard = s.text(8);
    r.tracesOk = int(s.int64(9));
    r.tracesFailed = int(s.int64(10));
    r.startedAt = s.text(11);
    r.finishedAt = s.text(12);
    return r;
}

Trace readTrace(const Statement &s)
{
    Trace t;
    t.id = s.int64(0);
    t.itemId = s.int64(1);
    t.promptId = s.int64(2);
    t.runId = s.int64(3);
    t.modelId = s.int64(4);
    t.sampleIndex = int(s.int64(5));
    t.seed = std::uint64_t(s.int64(6));
    t.step1Text = s.text(7);
    t.step2Text = s.text(8);
    t.parsedAnswer = s.text(9);
    t.step1Tokens = int(s.int64(10));
    t.step2Tokens = int(s.int64(11));
    t.step1PromptTokens = int(s.int64(12));
    t.step2PromptTokens = int(s.int64(13));
    t.step1Logprob = s.real(14);
    t.meanLogprob = s.real(15);
    t.latencyMs = s.real(16);
    t.finishReason = s.text(17);
    t.status = s.text(18);
    t.error = s.text(19);
    t.hiddenRef = s.text(20);
    t.hiddenBytes = s.int64(21);
    t.promptName = s.text(22);
    t.promptVersion = int(s.int64(23));
    return t;
}

} // namespace

Result<Id> TraceRepository::createRun(const GenerationRun &r)
{
    auto s = m_db.prepare("INSERT INTO generation_runs (model_id, prompt_set, sampling, seed, status, hidden_layers, shard, started_at)"
                          " VALUES (?,?,?,?,?,?,?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
    if (!s)
        return fail(s.error());
    s->bind(1, r.modelId).bind(2, r.promptSet).bind(3, r.sampling).bind(4, r.seed).bind(5, r.status).bind(6, r.hiddenLayers);
    if (r.shard.isEmpty())
        s->bind(7, std::nullopt);
    else
        s->bind(7, r.shard);
    if (auto x = s->run(); !x)
        return fail(x.error());
    return m_db.lastInsertId();
}

Result<void> TraceRepository::finishRun(Id runId, const QString &status, const QString &error, int ok, int failed)
{
    auto s = m_db.prepare("UPDATE generation_runs SET status = ?, error = ?, traces_ok = ?, traces_failed = ?,"
                          " finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?");
    if (!s)
        return fail(s.error());
    s->bind(1, status).bind(3, ok).bind(4, failed).bind(5, runId);
    if (error.isEmpty())
        s->bind(2, std::nullopt);
    else
        s->bind(2, error);
    return s->run();
}

Result<std::optional<GenerationRun>> TraceRepository::run(Id runId)
{
    auto s = m_db.prepare((QByteArray(kRunColumns) + " WHERE id = ?").constData());
    if (!s)
        return fail(s.error());
    s->bind(1, runId);
    return rows::readOne<GenerationRun>(*s, readRun);
}

Result<std::vector<GenerationRun>> TraceRepository::runs()
{
    auto s = m_db.prepare((QByteArray(kRunColumns) + " ORDER BY id").constData());
    if (!s)
        return fail(s.error());
    return rows::readAll<GenerationRun>(*s, readRun);
}

Result<int> TraceRepository::insert(const std::vector<Trace> &traces)
{
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto s = m_db.prepare(
        "INSERT INTO traces (item_id, prompt_id, run_id, model_id, sample_index, seed, step1_text, step2_text, parsed_answer,"
        " step1_tokens, step2_tokens, step1_prompt_tokens, step2_prompt_tokens, step1_logprob, mean_logprob, latency_ms,"
        " finish_reason, status, error, hidden_ref, hidden_bytes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT DO NOTHING");
    if (!s)
        return fail(s.error());
    int added = 0;
    for (const Trace &t : traces) {
        s->reset();
        s->bind(1, t.itemId).bind(2, t.promptId).bind(3, t.runId).bind(4, t.modelId).bind(5, t.sampleIndex)
            .bind(6, std::int64_t(t.seed)).bind(7, t.step1Text).bind(8, t.step2Text).bind(9, t.parsedAnswer)
            .bind(10, t.step1Tokens).bind(11, t.step2Tokens).bind(12, t.step1PromptTokens).bind(13, t.step2PromptTokens)
            .bind(14, t.step1Logprob).bind(15, t.meanLogprob).bind(16, t.latencyMs).bind(17, t.finishReason).bind(18, t.status);
        if (t.error.isEmpty())
            s->bind(19, std::nullopt);
        else
            s->bind(19, t.error);
        if (t.hiddenRef.isEmpty())
            s->bind(20, std::nullopt);
        else
            s->bind(20, t.hiddenRef);
        s->bind(21, t.hiddenBytes);
        if (auto r = s->run(); !r)
            return fail(r.error());
        added += m_db.changes() > 0;
    }
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return added;
}

Result<std::set<TraceKey>> TraceRepository::completed(Id modelId, const std::vector<Id> &promptIds)
{
    auto s = m_db.prepare("SELECT item_id, prompt_id, sample_index FROM traces WHERE status = 'ok' AND model_id = ?");
    if (!s)
        return fail(s.error());
    s->bind(1, modelId);
    const std::set<Id> wanted(promptIds.begin(), promptIds.end());
    std::set<TraceKey> out;
    for (;;) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        if (!wanted.empty() && !wanted.count(s->int64(1)))
            continue;
        out.emplace(s->int64(0), s->int64(1), int(s->int64(2)));
    }
    return out;
}

Result<std::vector<Trace>> TraceRepository::forItem(Id itemId, std::optional<Id> modelId)
{
    QByteArray sql = QByteArray(kTraceColumns) + " WHERE t.item_id = ?1";
    if (modelId)
        sql += " AND t.model_id = ?2";
    sql += " AND (t.status = 'ok' OR NOT EXISTS (SELECT 1 FROM traces o WHERE o.item_id = t.item_id AND o.prompt_id = t.prompt_id"
           " AND o.model_id IS t.model_id AND o.sample_index = t.sample_index AND o.status = 'ok'))"
           " ORDER BY p.name, p.version, t.sample_index, t.run_id DESC, t.id";
    auto s = m_db.prepare(sql.constData());
    if (!s)
        return fail(s.error());
    s->bind(1, itemId);
    if (modelId)
        s->bind(2, *modelId);
    return rows::readAll<Trace>(*s, readTrace);
}

Result<std::optional<Trace>> TraceRepository::get(Id traceId)
{
    auto s = m_db.prepare((QByteArray(kTraceColumns) + " WHERE t.id = ?").constData());
    if (!s)
        return fail(s.error());
    s->bind(1, traceId);
    return rows::readOne<Trace>(*s, readTrace);
}

Result<std::vector<Trace>> TraceRepository::forRun(Id runId)
{
    auto s = m_db.prepare((QByteArray(kTraceColumns) + " WHERE t.run_id = ? ORDER BY t.id").constData());
    if (!s)
        return fail(s.error());
    s->bind(1, runId);
    return rows::readAll<Trace>(*s, readTrace);
}

Result<std::int64_t> TraceRepository::count(std::optional<Id> runId, const QString &status)
{
    auto s = m_db.prepare("SELECT count(*) FROM traces WHERE (?1 IS NULL OR run_id = ?1) AND (?2 = '' OR status = ?2)");
    if (!s)
        return fail(s.error());
    if (runId)
        s->bind(1, *runId);
    else
        s->bind(1, std::nullopt);
    s->bind(2, status);
    auto row = s->step();
    if (!row)
        return fail(row.error());
    return s->int64(0);
}

} // namespace sdrt::store
