#include "sdrt/store/DistillRepository.h"

#include "Rows.h"
#include "RunLife.h"
#include "sdrt/store/Database.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <map>

namespace sdrt::store {
namespace {

constexpr const char *kKind = "distill";
constexpr const char *kColumns =
    "SELECT id, name, base_model_id, config, policy, status, coalesce(error,''), started_at, coalesce(finished_at,''),"
    " steps_done, final_losses, world_size, coalesce(owner,''), checkpoint_step FROM distill_runs";

DistillRun readRun(const Statement &s)
{
    DistillRun r;
    r.id = s.int64(0);
    r.name = s.text(1);
    r.baseModelId = s.int64(2);
    r.config = s.text(3);
    r.policy = s.text(4);
    r.status = runStatusFromName(s.text(5)).value_or(RunStatus::Failed);
    r.error = s.text(6);
    r.startedAt = s.text(7);
    r.finishedAt = s.text(8);
    r.stepsDone = int(s.int64(9));
    r.finalLosses = s.text(10);
    r.worldSize = int(s.int64(11));
    r.owner = s.text(12);
    r.checkpointStep = int(s.int64(13));
    return r;
}

} // namespace

QString DistillRepository::storeRoot() const
{
    return runlife::root(m_db);
}

bool DistillRepository::isLive(Id runId) const
{
    return runlife::isLive(m_db, "distill_runs", kKind, runId);
}

Result<void> DistillRepository::requestStop(Id runId)
{
    return runlife::requestStop(m_db, "distill_runs", runId);
}

Result<StartedRun> DistillRepository::start(const DistillRun &run)
{
    if (auto r = reconcile(); !r)
        return fail(r.error());
    auto check = [&]() -> Result<void> {
        auto taken = findByName(run.name);
        if (!taken)
            return fail(taken.error());
        if (*taken)
            return fail(QCoreApplication::translate("sdrt::store", "A distillation run named \"%1\" already exists (run %2, %3). Choose another "
                                                                   "name, or resume it with --resume %1.")
                            .arg(run.name)
                            .arg((*taken)->id)
                            .arg(runStatusName((*taken)->status)));
        return {};
    };
    auto insert = [&]() -> Result<Id> {
        if (auto r = m_db.run("INSERT INTO distill_runs (name, base_model_id, config, policy, status, world_size, owner)"
                              " VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6)",
                              run.name, run.baseModelId, run.config, run.policy, run.worldSize, runlife::owner());
            !r)
            return fail(r.error());
        return m_db.lastInsertId();
    };
    return runlife::start(m_db, "distill_runs", kKind, check, insert);
}

Result<StartedRun> DistillRepository::resume(Id runId)
{
    if (auto r = reconcile(); !r)
        return fail(r.error());
    return runlife::resume(m_db, "distill_runs", kKind, runId, [this](Id id) { return find(id); },
                           {QCoreApplication::translate("sdrt::store", "There is no distillation run %1."),
                            QCoreApplication::translate("sdrt::store", "Distillation run \"%1\" is done; there is nothing to resume."),
                            QCoreApplication::translate("sdrt::store", "Distillation run \"%1\" is still running: %2")});
}

Result<void> DistillRepository::finish(Id runId, RunStatus status, const QString &error, int stepsDone, const QString &finalLossesJson)
{
    auto run = find(runId);
    if (!run)
        return fail(run.error());
    StepsOnDisk disk;
    if (*run)
        disk = distillStepsOnDisk(DistillRunFiles::folder(storeRoot(), (*run)->name));
    return m_db.run("UPDATE distill_runs SET status = ?2, error = ?3, steps_done = ?4, final_losses = ?5, checkpoint_step = ?6,"
                    " finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1",
                    runId, runStatusName(status), error.isEmpty() ? std::optional<QString>() : std::optional<QString>(error), std::max(stepsDone, disk.logged), finalLossesJson.isEmpty() ? QStringLiteral("{}") : finalLossesJson, disk.checkpoint);
}

Result<void> DistillRepository::setTraces(Id runId, const std::vector<RunTrace> &traces)
{
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return r;
    auto del = m_db.query("DELETE FROM run_traces WHERE run_id = ?", runId);
    if (!del)
        return fail(del.error());
    if (auto r = del->run(); !r)
        return r;
    auto s = m_db.prepare("INSERT INTO run_traces (run_id, trace_id, prompt_id, reviewers) VALUES (?1, ?2, ?3, ?4)");
    if (!s)
        return fail(s.error());
    for (const RunTrace &t : traces) {
        s->reset();
        s->bind(1, runId).bind(2, t.traceId).bind(3, t.promptId)
            .bind(4, QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(t.reviewers)).toJson(QJsonDocument::Compact)));
        if (auto r = s->run(); !r)
            return r;
    }
    return tx.commit();
}

Result<std::vector<RunTrace>> DistillRepository::traces(Id runId)
{
    return rows::readAll<RunTrace>(m_db.query("SELECT trace_id, prompt_id, reviewers FROM run_traces WHERE run_id = ? ORDER BY trace_id", runId), [](const Statement &st) {
        RunTrace t;
        t.traceId = st.int64(0);
        t.promptId = st.int64(1);
        for (const auto &v : QJsonDocument::fromJson(st.text(2).toUtf8()).array())
            t.reviewers << v.toString();
        return t;
    });
}

Result<RunLineage> DistillRepository::lineage(Id runId)
{
    RunLineage out;
    auto s = m_db.query("SELECT p.name || ' v' || p.version, t.run_id, rt.reviewers FROM run_traces rt"
                        " JOIN prompts p ON p.id = rt.prompt_id JOIN traces t ON t.id = rt.trace_id WHERE rt.run_id = ?"
                        " ORDER BY rt.trace_id", runId);
    std::map<QString, int> prompts, reviewers;
    std::map<Id, int> runs;
    auto counted = rows::forEach(std::move(s), [&](const Statement &row) {
        ++out.traces;
        ++prompts[row.text(0)];
        ++runs[row.int64(1)];
        for (const auto &v : QJsonDocument::fromJson(row.text(2).toUtf8()).array())
            ++reviewers[v.toString()];
    });
    if (!counted)
        return fail(counted.error());
    out.prompts.assign(prompts.begin(), prompts.end());
    out.reviewers.assign(reviewers.begin(), reviewers.end());
    out.teacherRuns.assign(runs.begin(), runs.end());
    return out;
}

Result<int> DistillRepository::reconcile()
{
    auto dead = runlife::reconcile(m_db, "distill_runs", kKind);
    if (!dead)
        return fail(dead.error());
    // A killed process said nothing: its files say how far it got.
    for (const Id id : *dead) {
        auto run = find(id);
        if (!run)
            return fail(run.error());
        if (!*run)
            continue;
        const StepsOnDisk disk = distillStepsOnDisk(DistillRunFiles::folder(storeRoot(), (*run)->name));
        auto s = m_db.query("UPDATE distill_runs SET steps_done = max(steps_done, ?2), checkpoint_step = ?3 WHERE id = ?1",
                            id, disk.logged, disk.checkpoint);
        if (!s)
            return fail(s.error());
        if (auto r = s->run(); !r)
            return fail(r.error());
    }
    return int(dead->size());
}

QString DistillRunFiles::folder(const QString &workspaceRoot, const QString &runName)
{
    return QDir(QDir(workspaceRoot).filePath(QStringLiteral("runs"))).filePath(runName);
}

QString DistillRunFiles::config(const QString &runFolder)
{
    return QDir(runFolder).filePath(QStringLiteral("config.json"));
}

QString DistillRunFiles::trainingLog(const QString &runFolder)
{
    return QDir(runFolder).filePath(QStringLiteral("training_log.jsonl"));
}

QString DistillRunFiles::checkpoint(const QString &runFolder)
{
    return QDir(runFolder).filePath(QStringLiteral("checkpoints/checkpoint.safetensors"));
}

QString DistillRunFiles::adapter(const QString &runFolder)
{
    return QDir(runFolder).filePath(QStringLiteral("adapter.safetensors"));
}

StepsOnDisk distillStepsOnDisk(const QString &runFolder)
{
    StepsOnDisk out;
    QFile log(DistillRunFiles::trainingLog(runFolder));
    if (log.open(QIODevice::ReadOnly)) {
        while (!log.atEnd()) {
            const QJsonObject o = QJsonDocument::fromJson(log.readLine()).object(); // a line cut by a kill reads as {}
            out.logged = std::max(out.logged, o.value(QStringLiteral("step")).toInt());
        }
    }
    // The checkpoint's safetensors header: 8 bytes of length (little-endian), then JSON whose
    // "__metadata__" holds {"step": "<n>"}.
    QFile ckpt(DistillRunFiles::checkpoint(runFolder));
    if (ckpt.open(QIODevice::ReadOnly)) {
        const QByteArray len = ckpt.read(8);
        if (len.size() == 8) {
            quint64 n = 0;
            for (int i = 7; i >= 0; --i)
                n = (n << 8) | quint8(len[i]);
            if (n > 0 && n < (16u << 20)) {
                const QJsonObject header = QJsonDocument::fromJson(ckpt.read(qint64(n))).object();
                out.checkpoint = header.value(QStringLiteral("__metadata__")).toObject().value(QStringLiteral("step")).toString().toInt();
            }
        }
    }
    return out;
}

Result<std::optional<DistillRun>> DistillRepository::find(Id runId)
{
    return rows::readOne<DistillRun>(m_db.query((QByteArray(kColumns) + " WHERE id = ?").constData(), runId), readRun);
}

Result<std::optional<DistillRun>> DistillRepository::findByName(const QString &name)
{
    return rows::readOne<DistillRun>(m_db.query((QByteArray(kColumns) + " WHERE name = ?").constData(), name), readRun);
}

Result<std::vector<DistillRun>> DistillRepository::list()
{
    if (auto r = reconcile(); !r)
        return fail(r.error());
    auto s = m_db.prepare((QByteArray(kColumns) + " ORDER BY id").constData());
    if (!s)
        return fail(s.error());
    return rows::readAll<DistillRun>(*s, readRun);
}

} // namespace sdrt::store
