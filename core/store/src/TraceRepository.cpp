#include "sdrt/store/TraceRepository.h"

#include "sdrt/store/Database.h"

#include "Rows.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

namespace sdrt::store {
namespace {

// Counts are those of the traces table (index traces_run), whatever the row says.
constexpr const char *kRunColumns =
    "SELECT r.id, r.model_id, r.prompt_set, r.sampling, r.seed, r.status, coalesce(r.error,''), r.hidden_layers, coalesce(r.shard,''),"
    " (SELECT count(*) FROM traces t WHERE t.run_id = r.id AND t.status = 'ok'),"
    " (SELECT count(*) FROM traces t WHERE t.run_id = r.id AND t.status = 'failed'),"
    " coalesce(r.started_at,''), coalesce(r.finished_at,''), coalesce(r.owner,''), coalesce(r.resumes_run_id,0)"
    " FROM generation_runs r";

constexpr const char *kRunKind = "generation";


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
    r.owner = s.text(13);
    r.resumesRunId = s.int64(14);
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

namespace {

void bindRun(Statement &s, const GenerationRun &r)
{
    s.bind(1, r.modelId).bind(2, r.promptSet).bind(3, r.sampling).bind(4, r.seed).bind(5, r.status).bind(6, r.hiddenLayers);
    if (r.shard.isEmpty())
        s.bind(7, std::nullopt);
    else
        s.bind(7, r.shard);
    if (r.owner.isEmpty())
        s.bind(8, std::nullopt);
    else
        s.bind(8, r.owner);
    if (r.resumesRunId > 0)
        s.bind(9, r.resumesRunId);
    else
        s.bind(9, std::nullopt);
    if (r.error.isEmpty())
        s.bind(10, std::nullopt);
    else
        s.bind(10, r.error);
}

constexpr const char *kInsertRun =
    "INSERT INTO generation_runs (model_id, prompt_set, sampling, seed, status, hidden_layers, shard, owner, resumes_run_id, error,"
    " started_at, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?, coalesce(?11, strftime('%Y-%m-%dT%H:%M:%fZ','now')), ?12)";

} // namespace

QString TraceRepository::storeRoot() const
{
    return QFileInfo(m_db.fileName()).absolutePath();
}

bool TraceRepository::isLive(Id runId) const
{
    return ProcessLock::isHeld(ProcessLock::runLockFile(storeRoot(), QString::fromLatin1(kRunKind), runId));
}

Result<Id> TraceRepository::createRun(const GenerationRun &r)
{
    auto s = m_db.prepare(kInsertRun);
    if (!s)
        return fail(s.error());
    bindRun(*s, r);
    if (r.startedAt.isEmpty())
        s->bind(11, std::nullopt);
    else
        s->bind(11, r.startedAt);
    if (r.finishedAt.isEmpty())
        s->bind(12, std::nullopt);
    else
        s->bind(12, r.finishedAt);
    if (auto x = s->run(); !x)
        return fail(x.error());
    return m_db.lastInsertId();
}

Result<StartedRun> TraceRepository::startRun(const GenerationRun &run, bool exclusive)
{
    if (auto r = reconcileRuns(); !r)
        return fail(r.error());
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    if (exclusive) {
        auto s = m_db.prepare("SELECT id, coalesce(owner,''), coalesce(started_at,'') FROM generation_runs"
                              " WHERE status = 'running' AND model_id = ? ORDER BY id");
        if (!s)
            return fail(s.error());
        s->bind(1, run.modelId);
        for (;;) {
            auto row = s->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            const Id other = s->int64(0);
            if (!isLive(other))
                continue; // died after the reconcile above; the next reconcile marks it
            return fail(QCoreApplication::translate("sdrt::store", "Generation run %1 with the same model is already writing to %2 (%3, started %4). Two runs would do "
                           "the same work: wait for it to finish or cancel it, then run again (completed traces are skipped).")
                            .arg(other)
                            .arg(storeRoot(), s->text(1).isEmpty() ? QCoreApplication::translate("sdrt::store", "another process") : s->text(1), s->text(2)));
        }
    }
    GenerationRun row = run;
    row.status = QStringLiteral("running");
    LockHolder me;
    me.pid = QCoreApplication::applicationPid();
    me.program = ProcessLock::thisProgram();
    row.owner = me.describe();
    auto id = createRun(row);
    if (!id)
        return fail(id.error());
    // Taken before COMMIT: whoever sees the row sees it locked.
    auto lock = ProcessLock::acquire(ProcessLock::runLockFile(storeRoot(), QString::fromLatin1(kRunKind), *id),
                                     QJsonObject{{QStringLiteral("run_id"), qint64(*id)}});
    if (!lock)
        return fail(lock.error());
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    StartedRun started;
    started.id = *id;
    started.lock = std::move(*lock);
    return started;
}

Result<void> TraceRepository::finishRun(Id runId, const QString &status, const QString &error)
{
    auto s = m_db.prepare("UPDATE generation_runs SET status = ?1, error = ?2,"
                          " traces_ok = (SELECT count(*) FROM traces WHERE run_id = ?3 AND status = 'ok'),"
                          " traces_failed = (SELECT count(*) FROM traces WHERE run_id = ?3 AND status = 'failed'),"
                          " finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?3");
    if (!s)
        return fail(s.error());
    s->bind(1, status).bind(3, runId);
    if (error.isEmpty())
        s->bind(2, std::nullopt);
    else
        s->bind(2, error);
    return s->run();
}

Result<void> TraceRepository::updateCounts(Id runId)
{
    auto s = m_db.prepare("UPDATE generation_runs SET traces_ok = (SELECT count(*) FROM traces WHERE run_id = ?1 AND status = 'ok'),"
                          " traces_failed = (SELECT count(*) FROM traces WHERE run_id = ?1 AND status = 'failed') WHERE id = ?1");
    if (!s)
        return fail(s.error());
    s->bind(1, runId);
    return s->run();
}

Result<void> TraceRepository::deleteEmptyRun(Id runId)
{
    auto s = m_db.prepare("DELETE FROM generation_runs WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM traces WHERE run_id = ?1)");
    if (!s)
        return fail(s.error());
    s->bind(1, runId);
    return s->run();
}

Result<std::vector<Id>> TraceRepository::deadRuns()
{
    auto s = m_db.prepare("SELECT id FROM generation_runs WHERE status = 'running'");
    if (!s)
        return fail(s.error());
    std::vector<Id> dead;
    for (;;) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        if (!isLive(s->int64(0)))
            dead.push_back(s->int64(0));
    }
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
    auto u = m_db.prepare("UPDATE generation_runs SET status = 'interrupted', error = ?2,"
                          " traces_ok = (SELECT count(*) FROM traces WHERE run_id = ?1 AND status = 'ok'),"
                          " traces_failed = (SELECT count(*) FROM traces WHERE run_id = ?1 AND status = 'failed'),"
                          " finished_at = coalesce((SELECT max(created_at) FROM traces WHERE run_id = ?1), started_at)"
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
    auto s = m_db.prepare((QByteArray(kRunColumns) + " WHERE r.id = ?").constData());
    if (!s)
        return fail(s.error());
    s->bind(1, runId);
    auto r = rows::readOne<GenerationRun>(*s, readRun);
    if (r && *r && (*r)->status == QLatin1String("running") && !isLive(runId))
        (*r)->status = QStringLiteral("interrupted");
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
            if (run.status == QLatin1String("running") && !isLive(run.id))
                run.status = QStringLiteral("interrupted");
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
