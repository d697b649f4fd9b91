#include "sdrt/teacher/GenerationJob.h"

#include "sdrt/common/Log.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/teacher/GenerationPlan.h"
#include "sdrt/teacher/Models.h"
#include "sdrt/teacher/TraceSink.h"
#include "sdrt/teacher/TwoStepRunner.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>
#include <limits>

namespace sdrt::teacher {
namespace {

using store::Id;

QString tr(const char *text)
{
    return QCoreApplication::translate("sdrt::teacher", text);
}

QString checkParams(const GenerationParams &p)
{
    if (p.samples < 1 || p.batch < 1)
        return tr("Samples and batch size must be at least 1.");
    if (p.samples > 1 && p.sampling.temperature <= 0)
        return tr("%1 samples per prompt need a temperature above 0 (greedy decoding gives the same trace every time).").arg(p.samples);
    if (p.shardCount < 1 || p.shardIndex < 0 || p.shardIndex >= p.shardCount)
        return tr("Bad shard %1/%2.").arg(p.shardIndex).arg(p.shardCount);
    if (const QString bad = p.sampling.check(); !bad.isEmpty())
        return tr("Bad sampling settings: %1.").arg(bad);
    return {};
}

Result<std::vector<Id>> chosenItems(store::Workspace &ws, const GenerationParams &p)
{
    if (!p.itemIds.empty())
        return p.itemIds;
    auto rows = store::ItemRepository(ws.db()).list(p.filter, 0, std::numeric_limits<std::int32_t>::max());
    if (!rows)
        return fail(rows.error());
    std::vector<Id> ids;
    for (const auto &r : *rows)
        ids.push_back(r.id);
    return ids;
}

std::vector<int> defaultLayers(int layers)
{
    if (layers / 2 > 0 && layers / 2 != layers)
        return {layers / 2, layers};
    return {layers};
}

QString jsonText(const QJsonValue &v)
{
    return QString::fromUtf8(v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                         : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
}

// The run record: what was asked for, as stored with the run.
store::GenerationRun runRecord(const GenerationParams &p, Id modelId, const std::vector<PromptEntry> &prompts, const std::vector<int> &layers)
{
    store::GenerationRun run;
    run.modelId = modelId;
    QJsonArray promptSet;
    for (const PromptEntry &e : prompts)
        promptSet.append(QJsonObject{{QStringLiteral("name"), e.version.name},
                                     {QStringLiteral("version"), e.version.version},
                                     {QStringLiteral("content_hash"), e.version.contentHash}});
    run.promptSet = jsonText(promptSet);
    run.sampling = p.sampling.toJson(p.samples, p.batch);
    run.seed = std::int64_t(p.seed & 0x7FFFFFFFFFFFFFFFull);
    QJsonArray layerJson;
    for (int l : layers)
        layerJson.append(l);
    run.hiddenLayers = jsonText(layerJson);
    if (p.shardCount > 1)
        run.shard = QStringLiteral("%1/%2").arg(p.shardIndex).arg(p.shardCount);
    return run;
}

// The newest interrupted run asked for with the same settings, which this run continues.
std::optional<store::GenerationRun> interruptedTwin(store::TraceRepository &runs, const store::GenerationRun &run)
{
    auto previous = runs.runs();
    if (!previous)
        return std::nullopt;
    for (auto it = previous->rbegin(); it != previous->rend(); ++it) {
        if (it->status == store::RunStatus::Interrupted && it->modelId == run.modelId && it->promptSet == run.promptSet && it->seed == run.seed
            && it->shard == run.shard && it->hiddenLayers == run.hiddenLayers && TeacherSampling::sameTraces(it->sampling, run.sampling))
            return *it;
    }
    return std::nullopt;
}

// What a run has to do: the model, its prompt versions, the plan (traces completed before are
// skipped) and the sink the traces go to.
struct GenerationWork {
    store::ModelRecord model;
    std::vector<PromptEntry> prompts;
    GenerationPlan plan;
    std::unique_ptr<TraceSink> sink;
};

Result<GenerationWork> planWork(store::Workspace &src, const GenerationParams &p)
{
    GenerationWork work;
    auto modelRecord = store::ModelRepository(src.db()).find(p.modelId);
    if (!modelRecord)
        return fail(modelRecord.error());
    if (!*modelRecord)
        return fail(tr("No model with id %1 in the workspace (sdrt model register).").arg(p.modelId));
    work.model = **modelRecord;
    auto promptList = loadPromptEntries(src.db(), p.promptIds);
    if (!promptList)
        return fail(promptList.error());
    work.prompts = std::move(*promptList);
    std::vector<Id> promptIds;
    std::vector<store::PromptVersion> versions;
    for (const PromptEntry &e : work.prompts) {
        promptIds.push_back(e.version.id);
        versions.push_back(e.version);
    }
    auto items = chosenItems(src, p);
    if (!items)
        return fail(items.error());
    if (items->empty())
        return fail(tr("No items match."));
    auto done = store::TraceRepository(src.db()).completed(work.model.id, promptIds);
    if (!done)
        return fail(done.error());
    work.plan = planGeneration(*items, promptIds, p.samples, p.shardIndex, p.shardCount, *done);

    // Where the traces go: the workspace, or a shard folder (whose own completed traces count too).
    auto sink = p.shardDir.isEmpty() ? TraceSink::intoWorkspace(src)
                                     : TraceSink::intoShardFolder(src, p.shardDir, work.model, versions, work.plan.items);
    if (!sink)
        return fail(sink.error());
    work.sink = std::move(*sink);
    if (!p.shardDir.isEmpty()) {
        auto shardDone = work.sink->completed(work.model.id);
        if (!shardDone)
            return fail(shardDone.error());
        done->insert(shardDone->begin(), shardDone->end());
        work.plan = planGeneration(*items, promptIds, p.samples, p.shardIndex, p.shardCount, *done);
    }
    return work;
}

// The decoder layers whose hidden states are stored: those asked for (checked against the model)
// or the default ones; none when hidden states are not captured.
Result<std::vector<int>> hiddenLayersOf(const GenerationParams &p, model::VlmRuntime &rt, const store::ModelRecord &model)
{
    const int textLayers = rt.info().config.text.numLayers;
    std::vector<int> layers = p.hiddenLayers.empty() ? defaultLayers(textLayers) : p.hiddenLayers;
    for (int l : layers) {
        if (l < 0 || l > textLayers)
            return fail(tr("Hidden-state layer %1 is outside 0..%2 of model \"%3\".").arg(l).arg(textLayers).arg(model.name));
    }
    if (!p.captureHidden)
        layers.clear();
    return layers;
}

// The run record, live while this process holds its lock; it names the interrupted run it
// continues (summary.resumedRun).
Result<store::StartedRun> startRun(store::TraceRepository &runs, const GenerationParams &p, const GenerationWork &work,
                                   GenerationSummary &summary)
{
    store::GenerationRun record = runRecord(p, work.sink->modelId(work.model.id), work.prompts, summary.hiddenLayers);
    summary.resumedRun = interruptedTwin(runs, record);
    if (summary.resumedRun)
        record.resumesRunId = summary.resumedRun->id;
    auto started = runs.startRun(record);
    if (!started)
        return fail(started.error());
    summary.runId = started->id;
    auto log = sdrt::log::get("teacher");
    if (summary.resumedRun)
        log->info("generation run {} resumes interrupted run {} ({} traces stored)", summary.runId, summary.resumedRun->id,
                  summary.resumedRun->tracesOk);
    log->info("generation run {}: {} items, {} prompts, {} samples, {} traces to do ({} done before), model {} ({})", summary.runId,
              summary.items, work.prompts.size(), p.samples, work.plan.units.size(), summary.skipped, work.model.name.toStdString(),
              work.model.contentHash.left(12).toStdString());
    return started;
}

// Finished traces on their way to the sink: gathered, then committed together once the policy
// says so (GenerationParams::commitTraces, commitSeconds). A commit counts and lists the failed
// traces, writes the batch through the sink and tells the caller what is stored and how far the
// run is.
class TraceCommits {
public:
    using Clock = std::chrono::steady_clock;
    TraceCommits(const GenerationParams &p, const GenerationWork &work, ItemInputCache &items, GenerationSummary &summary,
                 Clock::time_point start)
        : m_p(p), m_work(work), m_items(items), m_summary(summary), m_start(start)
    {
    }

    // False: a commit failed (fatal() says why) and the run stops.
    bool add(FinishedTrace &&f)
    {
        if (f.hidden) {
            m_pending.hidden.push_back({"trace-" + std::to_string(m_pending.traces.size()), std::move(*f.hidden)});
            m_pending.hiddenOf.push_back(m_pending.traces.size());
        }
        m_pending.traces.push_back(std::move(f.trace));
        m_pendingUnits.push_back(f.unit);
        const double since = std::chrono::duration<double>(Clock::now() - m_lastCommit).count();
        if (int(m_pending.traces.size()) >= std::max(1, m_p.commitTraces) || since >= m_p.commitSeconds)
            return commit();
        return true;
    }

    bool commit()
    {
        m_lastCommit = Clock::now();
        if (m_pending.traces.empty())
            return true;
        std::vector<Id> storedItems;
        for (std::size_t k = 0; k < m_pending.traces.size(); ++k) {
            store::Trace &t = m_pending.traces[k];
            const WorkUnit &u = m_work.plan.units[m_pendingUnits[k]];
            t.runId = m_summary.runId;
            t.modelId = m_work.model.id;
            if (!t.isOk())
                countFailure(t, u);
            if (std::find(storedItems.begin(), storedItems.end(), u.item) == storedItems.end())
                storedItems.push_back(u.item);
        }
        auto added = m_work.sink->write(m_pending, m_work.model.contentHash);
        if (!added) {
            m_fatal = added.error();
            return false;
        }
        m_processed += int(m_pending.traces.size());
        m_pending = TraceBatch();
        m_pendingUnits.clear();
        if (m_p.stored)
            m_p.stored(storedItems);
        if (m_p.progress)
            reportProgress();
        return true;
    }

    const QString &fatal() const { return m_fatal; }

private:
    void countFailure(const store::Trace &t, const WorkUnit &u)
    {
        ++m_summary.failed;
        const PromptEntry &pe = m_work.prompts[u.prompt];
        if (m_summary.failures.size() < m_p.failuresListed)
            m_summary.failures << QCoreApplication::translate("sdrt::teacher", "item %1 (%2), prompt %3 v%4: %5")
                                      .arg(u.item)
                                      .arg(m_items.get(u.item).item.externalId.value_or(QString()), pe.version.name)
                                      .arg(pe.version.version)
                                      .arg(t.error);
        sdrt::log::get("teacher")->warn("trace failed: item {}, prompt {}: {}", u.item, pe.version.name.toStdString(),
                                        t.error.toStdString());
    }

    void reportProgress()
    {
        GenerationProgress pr;
        pr.done = m_processed;
        pr.total = m_summary.planned;
        pr.failed = m_summary.failed;
        const double secs = std::chrono::duration<double>(Clock::now() - m_start).count();
        pr.tracesPerSecond = secs > 0 ? m_processed / secs : 0;
        pr.etaSeconds = pr.tracesPerSecond > 0 ? (pr.total - pr.done) / pr.tracesPerSecond : 0;
        m_p.progress(pr);
    }

    const GenerationParams &m_p;
    const GenerationWork &m_work;
    ItemInputCache &m_items;
    GenerationSummary &m_summary;
    Clock::time_point m_start;
    Clock::time_point m_lastCommit = Clock::now();
    TraceBatch m_pending;
    std::vector<std::size_t> m_pendingUnits; // the plan's unit of each pending trace
    int m_processed = 0;
    QString m_fatal;
};

// The run row's final status. The summary's counts become what the store holds for the run, not
// what this process believes it wrote.
Result<store::RunStatus> finishRun(store::TraceRepository &runs, const QString &fatal, GenerationSummary &summary)
{
    const store::RunStatus status = !fatal.isEmpty()    ? store::RunStatus::Failed
                                    : summary.cancelled ? store::RunStatus::Cancelled
                                                        : store::RunStatus::Done;
    if (auto r = runs.finishRun(summary.runId, status, fatal); !r)
        return fail(r.error());
    if (auto stored = runs.run(summary.runId); stored && *stored) {
        summary.ok = (*stored)->tracesOk;
        summary.failed = (*stored)->tracesFailed;
    }
    summary.tracesPerMinute = summary.seconds > 0 ? 60.0 * (summary.ok + summary.failed) / summary.seconds : 0;
    return status;
}

} // namespace

Result<GenerationSummary> runGeneration(const GenerationParams &p)
{
    const auto start = std::chrono::steady_clock::now();
    auto log = sdrt::log::get("teacher");
    GenerationSummary summary;
    if (const QString bad = checkParams(p); !bad.isEmpty())
        return fail(bad);

    // What there is to do.
    auto src = store::Workspace::open(p.workspace);
    if (!src)
        return fail(src.error());
    auto work = planWork(*src, p);
    if (!work)
        return fail(work.error());
    const GenerationPlan &plan = work->plan;
    summary.items = int(plan.items.size());
    summary.planned = int(plan.units.size());
    summary.skipped = plan.skipped;
    if (plan.units.empty()) {
        log->info("generation: nothing to do ({} traces already completed)", summary.skipped);
        return summary;
    }

    // The model, checked against its registration.
    const store::ModelRecord &model = work->model;
    auto runtime = p.loadModel ? p.loadModel(*src, model, p.runtime) : loadRegisteredModel(*src, model, p.runtime);
    if (!runtime)
        return fail(runtime.error());
    auto layers = hiddenLayersOf(p, **runtime, model);
    if (!layers)
        return fail(layers.error());
    summary.hiddenLayers = *layers;

    store::TraceRepository outRuns(work->sink->out().db());
    auto started = startRun(outRuns, p, *work, summary);
    if (!started)
        return fail(started.error());

    // The runner streams the plan through the engine (p.batch rows at once); finished traces
    // are committed in groups.
    TwoStepRunner runner(**runtime, work->prompts, TwoStepOptions{p.sampling, summary.hiddenLayers, p.cancel});
    ItemInputCache itemInputs(*src, std::size_t(std::max(1, p.itemCacheSize)));
    const auto itemOf = [&itemInputs](Id id) -> const ItemInput & { return itemInputs.get(id); };
    TraceCommits commits(p, *work, itemInputs, summary, start);
    const bool completed =
        runner.stream(plan.units, itemOf, p.seed, p.batch, [&commits](FinishedTrace &&f) { return commits.add(std::move(f)); });
    // What ended before a cancel is kept too (every trace is whole); a failed commit is not retried.
    if (commits.fatal().isEmpty())
        commits.commit();
    const QString fatal = commits.fatal();
    summary.cancelled = !completed && fatal.isEmpty();
    summary.engine = runner.engineStats();
    summary.hiddenBytes = work->sink->hiddenBytesWritten();
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto status = finishRun(outRuns, fatal, summary);
    if (!status)
        return fail(status.error());
    started->lock.release();
    if (!fatal.isEmpty())
        return fail(fatal);
    log->info("generation run {} {}: {} ok, {} failed in {:.1f} s", summary.runId, store::runStatusName(*status).toStdString(), summary.ok,
              summary.failed, summary.seconds);
    return summary;
}

Result<std::pair<QString, QString>> regenerateTrace(const QString &workspace, Id traceId)
{
    auto ws = store::Workspace::open(workspace);
    if (!ws)
        return fail(ws.error());
    store::TraceRepository traces(ws->db());
    auto trace = traces.get(traceId);
    if (!trace)
        return fail(trace.error());
    if (!*trace)
        return fail(tr("No trace with id %1.").arg(traceId));
    const store::Trace &t = **trace;
    auto run = traces.run(t.runId);
    if (!run || !*run)
        return fail(run ? tr("The run of trace %1 is missing.").arg(traceId) : run.error());
    auto model = store::ModelRepository(ws->db()).find(t.modelId);
    if (!model || !*model)
        return fail(model ? tr("The model of trace %1 is missing.").arg(traceId) : model.error());
    auto promptList = loadPromptEntries(ws->db(), {t.promptId});
    if (!promptList)
        return fail(promptList.error());
    const ItemInput item = loadItemInput(*ws, t.itemId);
    if (!item.error.isEmpty())
        return fail(item.error);
    auto runtime = loadRegisteredModel(*ws, **model);
    if (!runtime)
        return fail(runtime.error());
    const TeacherSampling sampling = TeacherSampling::fromJson((*run)->sampling);
    const prompts::Prompt &prompt = promptList->front().prompt;
    auto o1 = (*runtime)->generate({stepRequest(prompt, 1, item, {}, t.seed)}, sampling.forStep(1));
    if (!o1.front())
        return fail(QString::fromStdString(o1.front().error()));
    const QString step1 = QString::fromStdString(o1.front()->text);
    auto o2 = (*runtime)->generate({stepRequest(prompt, 2, item, step1, t.seed)}, sampling.forStep(2));
    if (!o2.front())
        return fail(QString::fromStdString(o2.front().error()));
    return std::make_pair(step1, QString::fromStdString(o2.front()->text));
}

} // namespace sdrt::teacher
