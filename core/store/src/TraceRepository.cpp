#include "sdrt/store/TraceRepository.h"

#include "sdrt/store/Database.h"

#include "Rows.h"
#include "RunLife.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <iterator>

namespace sdrt::store {
namespace {

// Counts are those of the traces table (index traces_run), whatever the row says.
constexpr const char *kRunColumns =
    "SELECT r.id AS id, r.model_id AS model_id, r.prompt_set AS prompt_set, r.sampling AS sampling, r.seed AS seed,"
    " r.status AS status, coalesce(r.error,'') AS error, r.hidden_layers AS hidden_layers, coalesce(r.shard,'') AS shard,"
    " (SELECT count(*) FROM traces t WHERE t.run_id = r.id AND t.status = 'ok') AS traces_ok,"
    " (SELECT count(*) FROM traces t WHERE t.run_id = r.id AND t.status = 'failed') AS traces_failed,"
    " coalesce(r.started_at,'') AS started_at, coalesce(r.finished_at,'') AS finished_at, coalesce(r.owner,'') AS owner,"
    " coalesce(r.resumes_run_id,0) AS resumes_run_id"
    " FROM generation_runs r";

constexpr const char *kRunKind = "generation";

// The stored counts of run ?1, set from its traces (the one place they are computed).
#define SDRT_RUN_COUNTS_FROM_TRACES                                                                                          \
    " traces_ok = (SELECT count(*) FROM traces WHERE run_id = ?1 AND status = 'ok'),"                                       \
    " traces_failed = (SELECT count(*) FROM traces WHERE run_id = ?1 AND status = 'failed')"

constexpr const char *kTraceColumns =
    "SELECT t.id AS id, t.item_id AS item_id, t.prompt_id AS prompt_id, t.run_id AS run_id, coalesce(t.model_id,0) AS model_id,"
    " t.sample_index AS sample_index, coalesce(t.seed,0) AS seed, coalesce(t.step1_text,'') AS step1_text,"
    " coalesce(t.step2_text,'') AS step2_text, coalesce(t.parsed_answer,'') AS parsed_answer,"
    " coalesce(t.step1_tokens,0) AS step1_tokens, coalesce(t.step2_tokens,0) AS step2_tokens,"
    " coalesce(t.step1_prompt_tokens,0) AS step1_prompt_tokens, coalesce(t.step2_prompt_tokens,0) AS step2_prompt_tokens,"
    " coalesce(t.step1_logprob,0) AS step1_logprob, coalesce(t.mean_logprob,0) AS mean_logprob,"
    " coalesce(t.latency_ms,0) AS latency_ms, coalesce(t.finish_reason,'') AS finish_reason, t.status AS status,"
    " coalesce(t.error,'') AS error, coalesce(t.hidden_ref,'') AS hidden_ref, coalesce(t.hidden_bytes,0) AS hidden_bytes,"
    " p.name AS prompt_name, p.version AS prompt_version"
    " FROM traces t JOIN prompts p ON p.id = t.prompt_id";

GenerationRun readRun(const Statement &s)
{
    GenerationRun r;
    r.id = s.int64("id");
    r.modelId = s.int64("model_id");
    r.promptSet = s.text("prompt_set");
    r.sampling = s.text("sampling");
    r.seed = s.int64("seed");
    r.status = runStatusFromName(s.text("status")).value_or(RunStatus::Failed);
    r.error = s.text("error");
    r.hiddenLayers = s.text("hidden_layers");
    r.shard = s.text("shard");
    r.tracesOk = int(s.int64("traces_ok"));
    r.tracesFailed = int(s.int64("traces_failed"));
    r.startedAt = s.text("started_at");
    r.finishedAt = s.text("finished_at");
    r.owner = s.text("owner");
    r.resumesRunId = s.int64("resumes_run_id");
    return r;
}

Trace readTrace(const Statement &s)
{
    Trace t;
    t.id = s.int64("id");
    t.itemId = s.int64("item_id");
    t.promptId = s.int64("prompt_id");
    t.runId = s.int64("run_id");
    t.modelId = s.int64("model_id");
    t.sampleIndex = int(s.int64("sample_index"));
    t.seed = std::uint64_t(s.int64("seed"));
    t.step1Text = s.text("step1_text");
    t.step2Text = s.text("step2_text");
    t.parsedAnswer = s.text("parsed_answer");
    t.step1Tokens = int(s.int64("step1_tokens"));
    t.step2Tokens = int(s.int64("step2_tokens"));
    t.step1PromptTokens = int(s.int64("step1_prompt_tokens"));
    t.step2PromptTokens = int(s.int64("step2_prompt_tokens"));
    t.step1Logprob = s.real("step1_logprob");
    t.meanLogprob = s.real("mean_logprob");
    t.latencyMs = s.real("latency_ms");
    t.finishReason = finishReasonFromName(s.text("finish_reason"));
    t.status = traceStatusFromName(s.text("status")).value_or(TraceStatus::Failed);
    t.error = s.text("error");
    t.hiddenRef = s.text("hidden_ref");
    t.hiddenBytes = s.int64("hidden_bytes");
    t.promptName = s.text("prompt_name");
    t.promptVersion = int(s.int64("prompt_version"));
    return t;
}

} // namespace

QString runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Pending: return QStringLiteral("pending");
    case RunStatus::Running: return QStringLiteral("running");
    case RunStatus::Done: return QStringLiteral("done");
    case RunStatus::Failed: return QStringLiteral("failed");
    case RunStatus::Cancelled: return QStringLiteral("cancelled");
    case RunStatus::Interrupted: return QStringLiteral("interrupted");
    }
    return {};
}

std::optional<RunStatus> runStatusFromName(const QString &name)
{
    for (RunStatus s : {RunStatus::Pending, RunStatus::Running, RunStatus::Done, RunStatus::Failed, RunStatus::Cancelled, RunStatus::Interrupted}) {
        if (runStatusName(s) == name)
            return s;
    }
    return std::nullopt;
}

QString traceStatusName(TraceStatus status)
{
    return status == TraceStatus::Ok ? QStringLiteral("ok") : QStringLiteral("failed");
}

std::optional<TraceStatus> traceStatusFromName(const QString &name)
{
    if (name == QLatin1String("ok"))
        return TraceStatus::Ok;
    if (name == QLatin1String("failed"))
        return TraceStatus::Failed;
    return std::nullopt;
}

QString finishReasonName(FinishReason reason)
{
    switch (reason) {
    case FinishReason::None: return {};
    case FinishReason::Eos: return QStringLiteral("eos");
    case FinishReason::Stop: return QStringLiteral("stop");
    case FinishReason::Length: return QStringLiteral("length");
    }
    return {};
}

FinishReason finishReasonFromName(const QString &name)
{
    for (FinishReason r : {FinishReason::Eos, FinishReason::Stop, FinishReason::Length}) {
        if (finishReasonName(r) == name)
            return r;
    }
    return FinishReason::None;
}

namespace {

// Empty text and 0 ids are stored as NULL.
std::optional<QString> orNull(const QString &text)
{
    return text.isEmpty() ? std::nullopt : std::optional<QString>(text);
}

std::optional<std::int64_t> orNull(Id id)
{
    return id > 0 ? std::optional<std::int64_t>(id) : std::nullopt;
}

constexpr const char *kInsertRun =
    "INSERT INTO generation_runs (model_id, prompt_set, sampling, seed, status, hidden_layers, shard, owner, resumes_run_id, error,"
    " started_at, finished_at) VALUES (:model_id, :prompt_set, :sampling, :seed, :status, :hidden_layers, :shard, :owner,"
    " :resumes_run_id, :error, coalesce(:started_at, strftime('%Y-%m-%dT%H:%M:%fZ','now')), :finished_at)";

} // namespace

QString TraceRepository::storeRoot() const
{
    return QFileInfo(m_db.fileName()).absolutePath();
}

bool TraceRepository::isLive(Id runId) const
{
    return runlife::isLive(m_db, "generation_runs", kRunKind, runId);
}

Result<Id> TraceRepository::createRun(const GenerationRun &r)
{
    auto s = m_db.prepare(kInsertRun);
    if (!s)
        return fail(s.error());
    s->bind(":model_id", r.modelId).bind(":prompt_set", r.promptSet).bind(":sampling", r.sampling).bind(":seed", r.seed)
        .bind(":status", runStatusName(r.status)).bind(":hidden_layers", r.hiddenLayers).bind(":shard", orNull(r.shard))
        .bind(":owner", orNull(r.owner)).bind(":resumes_run_id", orNull(r.resumesRunId)).bind(":error", orNull(r.error))
        .bind(":started_at", orNull(r.startedAt)).bind(":finished_at", orNull(r.finishedAt));
    if (auto x = s->run(); !x)
        return fail(x.error());
    return m_db.lastInsertId();
}

Result<StartedRun> TraceRepository::startRun(const GenerationRun &run, bool exclusive)
{
    if (auto r = reconcileRuns(); !r)
        return fail(r.error());
    auto check = [&]() -> Result<void> { return exclusive ? noOtherLiveRun(run.modelId) : Result<void>(); };
    auto insert = [&]() -> Result<Id> {
        GenerationRun row = run;
        row.status = RunStatus::Running;
        row.owner = runlife::owner();
        return createRun(row);
    };
    return runlife::start(m_db, "generation_runs", kRunKind, check, insert);
}

// Two live runs with the same model would do the same work.
Result<void> TraceRepository::noOtherLiveRun(Id modelId)
{
    std::optional<std::tuple<Id, QString, QString>> other; // id, owner, started
    auto read = rows::forEach(m_db.query("SELECT id, coalesce(owner,''), coalesce(started_at,'') FROM generation_runs"
                                         " WHERE status = 'running' AND model_id = ? ORDER BY id",
                                         modelId),
                              [&](const Statement &s) {
                                  // One that died after the reconcile is marked by the next reconcile.
                                  if (!other && isLive(s.int64(0)))
                                      other.emplace(s.int64(0), s.text(1), s.text(2));
                              });
    if (!read)
        return read;
    if (!other)
        return {};
    const auto &[id, owner, started] = *other;
    return fail(QCoreApplication::translate("sdrt::store", "Generation run %1 with the same model is already writing to %2 (%3, started %4). Two runs would do "
                   "the same work: wait for it to finish or cancel it, then run again (completed traces are skipped).")
                    .arg(id)
                    .arg(storeRoot(), owner.isEmpty() ? QCoreApplication::translate("sdrt::store", "another process") : owner, started));
}

Result<void> TraceRepository::finishRun(Id runId, RunStatus status, const QString &error)
{
    return m_db.run("UPDATE generation_runs SET status = ?2, error = ?3," SDRT_RUN_COUNTS_FROM_TRACES
                    ", finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1", runId, runStatusName(status), orNull(error));
}

Result<void> TraceRepository::updateCounts(Id runId)
{
    return m_db.run("UPDATE generation_runs SET" SDRT_RUN_COUNTS_FROM_TRACES " WHERE id = ?1", runId);
}

Result<void> TraceRepository::deleteEmptyRun(Id runId)
{
    return m_db.run("DELETE FROM generation_runs WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM traces WHERE run_id = ?1)", runId);
}

Result<std::vector<Id>> TraceRepository::deadRuns()
{
    auto s = m_db.prepare("SELECT id FROM generation_runs WHERE status = 'running'");
    if (!s)
        return fail(s.error());
    auto running = rows::readAll<Id>(*s, [](const Statement &row) { return row.int64(0); });
    if (!running)
        return fail(running.error());
    std::vector<Id> dead;
    std::copy_if(running->begin(), running->end(), std::back_inserter(dead), [this](Id id) { return !isLive(id); });
    return dead;
}

Result<int> TraceRepository::reconcileRuns()
{
    // Cheap check first, without the write lock: most of the time nothing is running.
    if (auto first = deadRuns(); !first || first->empty())
        return first ? Result<int>(0) : fail(first.error());
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    // Re-read under the write lock: a run that finishes writes its status before it releases
    // its lock, so a run seen here as running without a held lock is really gone.
    auto deadNow = deadRuns();
    if (!deadNow)
        return fail(deadNow.error());
    const std::vector<Id> dead = std::move(*deadNow);
    auto u = m_db.prepare("UPDATE generation_runs SET status = 'interrupted', error = ?2," SDRT_RUN_COUNTS_FROM_TRACES
                          ", finished_at = coalesce((SELECT max(created_at) FROM traces WHERE run_id = ?1), started_at)"
                          " WHERE id = ?1 AND status = 'running'");
    if (!u)
        return fail(u.error());
    for (Id id : dead) {
        u->reset();
        u->bind(1, id).bind(2, QCoreApplication::translate("sdrt::store", "The process running it ended without finishing it (killed or crashed); a rerun with the same "
                                 "settings resumes it."));
        if (auto r = u->run(); !r)
            return fail(r.error());
    }
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    for (Id id : dead)
        QFile::remove(ProcessLock::runLockFile(storeRoot(), QString::fromLatin1(kRunKind), id));
    return int(dead.size());
}

Result<std::optional<GenerationRun>> TraceRepository::run(Id runId)
{
    auto s = m_db.query((QByteArray(kRunColumns) + " WHERE r.id = ?").constData(), runId);
    if (!s)
        return fail(s.error());
    auto r = rows::readOne<GenerationRun>(*s, readRun);
    if (r && *r && (*r)->status == RunStatus::Running && !isLive(runId))
        (*r)->status = RunStatus::Interrupted;
    return r;
}

Result<std::vector<GenerationRun>> TraceRepository::runs()
{
    auto s = m_db.prepare((QByteArray(kRunColumns) + " ORDER BY r.id").constData());
    if (!s)
        return fail(s.error());
    auto r = rows::readAll<GenerationRun>(*s, readRun);
    if (r) {
        for (GenerationRun &run : *r) {
            if (run.status == RunStatus::Running && !isLive(run.id))
                run.status = RunStatus::Interrupted;
        }
    }
    return r;
}

Result<int> TraceRepository::insert(const std::vector<Trace> &traces)
{
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto s = m_db.prepare(
        "INSERT INTO traces (item_id, prompt_id, run_id, model_id, sample_index, seed, step1_text, step2_text, parsed_answer,"
        " step1_tokens, step2_tokens, step1_prompt_tokens, step2_prompt_tokens, step1_logprob, mean_logprob, latency_ms,"
        " finish_reason, status, error, hidden_ref, hidden_bytes) VALUES (:item_id, :prompt_id, :run_id, :model_id, :sample_index,"
        " :seed, :step1_text, :step2_text, :parsed_answer, :step1_tokens, :step2_tokens, :step1_prompt_tokens, :step2_prompt_tokens,"
        " :step1_logprob, :mean_logprob, :latency_ms, :finish_reason, :status, :error, :hidden_ref, :hidden_bytes)"
        " ON CONFLICT DO NOTHING");
    if (!s)
        return fail(s.error());
    int added = 0;
    for (const Trace &t : traces) {
        s->reset();
        s->bind(":item_id", t.itemId).bind(":prompt_id", t.promptId).bind(":run_id", t.runId).bind(":model_id", t.modelId)
            .bind(":sample_index", t.sampleIndex).bind(":seed", std::int64_t(t.seed)).bind(":step1_text", t.step1Text)
            .bind(":step2_text", t.step2Text).bind(":parsed_answer", t.parsedAnswer).bind(":step1_tokens", t.step1Tokens)
            .bind(":step2_tokens", t.step2Tokens).bind(":step1_prompt_tokens", t.step1PromptTokens)
            .bind(":step2_prompt_tokens", t.step2PromptTokens).bind(":step1_logprob", t.step1Logprob).bind(":mean_logprob", t.meanLogprob)
            .bind(":latency_ms", t.latencyMs).bind(":finish_reason", finishReasonName(t.finishReason))
            .bind(":status", traceStatusName(t.status)).bind(":error", orNull(t.error)).bind(":hidden_ref", orNull(t.hiddenRef))
            .bind(":hidden_bytes", t.hiddenBytes);
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
    auto s = m_db.query("SELECT item_id, prompt_id, sample_index FROM traces WHERE status = 'ok' AND model_id = ?", modelId);
    if (!s)
        return fail(s.error());
    auto keys = rows::readAll<TraceKey>(*s, [](const Statement &row) { return TraceKey{row.int64(0), row.int64(1), int(row.int64(2))}; });
    if (!keys)
        return fail(keys.error());
    const std::set<Id> wanted(promptIds.begin(), promptIds.end());
    std::set<TraceKey> out;
    for (const TraceKey &k : *keys) {
        if (wanted.empty() || wanted.count(std::get<1>(k)))
            out.insert(k);
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
    auto s = m_db.query(sql.constData(), itemId);
    if (!s)
        return fail(s.error());
    if (modelId)
        s->bind(2, *modelId);
    return rows::readAll<Trace>(*s, readTrace);
}

Result<std::optional<Trace>> TraceRepository::get(Id traceId)
{
    return rows::readOne<Trace>(m_db.query((QByteArray(kTraceColumns) + " WHERE t.id = ?").constData(), traceId), readTrace);
}

Result<std::vector<Trace>> TraceRepository::forRun(Id runId)
{
    return rows::readAll<Trace>(m_db.query((QByteArray(kTraceColumns) + " WHERE t.run_id = ? ORDER BY t.id").constData(), runId), readTrace);
}

Result<std::int64_t> TraceRepository::count(std::optional<Id> runId, std::optional<TraceStatus> status)
{
    auto s = m_db.prepare("SELECT count(*) FROM traces WHERE (?1 IS NULL OR run_id = ?1) AND (?2 = '' OR status = ?2)");
    if (!s)
        return fail(s.error());
    if (runId)
        s->bind(1, *runId);
    else
        s->bind(1, std::nullopt);
    s->bind(2, status ? traceStatusName(*status) : QString());
    return rows::integer(std::move(s));
}

} // namespace sdrt::store

#undef SDRT_RUN_COUNTS_FROM_TRACES
