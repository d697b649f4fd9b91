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
    auto modelRecord = store::ModelRepository(src->db()).find(p.modelId);
    if (!modelRecord)
        return fail(modelRecord.error());
    if (!*modelRecord)
        return fail(tr("No model with id %1 in the workspace (sdrt model register).").arg(p.modelId));
    const store::ModelRecord model = **modelRecord;
    auto promptList = loadPromptEntries(src->db(), p.promptIds);
    if (!promptList)
        return fail(promptList.error());
    const std::vector<PromptEntry> &prompts = *promptList;
    std::vector<Id> promptIds;
    std::vector<store::PromptVersion> versions;
    for (const PromptEntry &e : prompts) {
        promptIds.push_back(e.version.id);
        versions.push_back(e.version);
    }
    auto items = chosenItems(*src, p);
    if (!items)
        return fail(items.error());
    if (items->empty())
        return fail(tr("No items match."));
    auto done = store::TraceRepository(src->db()).completed(model.id, promptIds);
    if (!done)
        return fail(done.error());
    GenerationPlan plan = planGeneration(*items, promptIds, p.samples, p.shardIndex, p.shardCount, *done);

    // Where the traces go: the workspace, or a shard folder (whose own completed traces count too).
    auto sink = p.shardDir.isEmpty() ? TraceSink::intoWorkspace(*src) : TraceSink::intoShardFolder(*src, p.shardDir, model, versions, plan.items);
    if (!sink)
        return fail(sink.error());
    TraceSink &out = **sink;
    if (!p.shardDir.isEmpty()) {
        auto shardDone = out.completed(model.id);
        if (!shardDone)
            return fail(shardDone.error());
        done->insert(shardDone->begin(), shardDone->end());
        plan = planGeneration(*items, promptIds, p.samples, p.shardIndex, p.shardCount, *done);
    }
    summary.items = int(plan.items.size());
    summary.planned = int(plan.units.size());
    summary.skipped = plan.skipped;
    if (plan.units.empty()) {
        log->info("generation: nothing to do ({} traces already completed)", summary.skipped);
        return summary;
    }

    // The model, checked against its registration.
    auto runtime = p.loadModel ? p.loadModel(*src, model, p.runtime) : loadRegisteredModel(*src, model, p.runtime);
    if (!runtime)
        return fail(runtime.error());
    model::VlmRuntime &rt = **runtime;
    const int textLayers = rt.info().config.text.numLayers;
    std::vector<int> layers = p.hiddenLayers.empty() ? defaultLayers(textLayers) : p.hiddenLayers;
    for (int l : layers) {
        if (l < 0 || l > textLayers)
            return fail(tr("Hidden-state layer %1 is outside 0..%2 of model \"%3\".").arg(l).arg(textLayers).arg(model.name));
    }
    if (!p.captureHidden)
        layers.clear();
    summary.hiddenLayers = layers;

    // The run record, live while this process holds its lock.
    store::TraceRepository outRuns(out.out().db());
    store::GenerationRun record = runRecord(p, out.modelId(model.id), prompts, layers);
    summary.resumedRun = interruptedTwin(outRuns, record);
    if (summary.resumedRun)
        record.resumesRunId = summary.resumedRun->id;
    auto started = outRuns.startRun(record);
    if (!started)
        return fail(started.error());
    const Id runId = started->id;
    summary.runId = runId;
    if (summary.resumedRun)
        log->info("generation run {} resumes interrupted run {} ({} traces stored)", runId, summary.resumedRun->id, summary.resumedRun->tracesOk);
    log->info("generation run {}: {} items, {} prompts, {} samples, {} traces to do ({} done before), model {} ({})", runId, summary.items,
              prompts.size(), p.samples, plan.units.size(), summary.skipped, model.name.toStdString(), model.contentHash.left(12).toStdString());

    // The runner streams the plan through the engine (p.batch rows at once); finished traces
    // are committed in groups.
    TwoStepOptions options{p.sampling, layers, p.cancel};
    TwoStepRunner runner(rt, prompts, options);
    ItemInputCache itemInputs(*src, std::size_t(std::max(1, p.itemCacheSize)));
    const auto itemOf = [&itemInputs](Id id) -> const ItemInput & { return itemInputs.get(id); };
    int processed = 0;
    QString fatal;
    TraceBatch pending;
    std::vector<std::size_t> pendingUnits;
    auto lastCommit = std::chrono::steady_clock::now();
    auto commit = [&]() -> bool {
        lastCommit = std::chrono::steady_clock::now();
        if (pending.traces.empty())
            return true;
        std::vector<Id> storedItems;
        for (std::size_t k = 0; k < pending.traces.size(); ++k) {
            store::Trace &t = pending.traces[k];
            const WorkUnit &u = plan.units[pendingUnits[k]];
            t.runId = runId;
            t.modelId = model.id;
            if (!t.isOk()) {
                ++summary.failed;
                const PromptEntry &pe = prompts[u.prompt];
                if (summary.failures.size() < p.failuresListed)
                    summary.failures << tr("item %1 (%2), prompt %3 v%4: %5")
                                            .arg(u.item)
                                            .arg(itemOf(u.item).item.externalId.value_or(QString()), pe.version.name)
                                            .arg(pe.version.version)
                                            .arg(t.error);
                log->warn("trace failed: item {}, prompt {}: {}", u.item, pe.version.name.toStdString(), t.error.toStdString());
            }
            if (std::find(storedItems.begin(), storedItems.end(), u.item) == storedItems.end())
                storedItems.push_back(u.item);
        }
        auto added = out.write(pending, model.contentHash);
        if (!added) {
            fatal = added.error();
            return false;
        }
        processed += int(pending.traces.size());
        pending = TraceBatch();
        pendingUnits.clear();
        if (p.stored)
            p.stored(storedItems);
        if (p.progress) {
            GenerationProgress pr;
            pr.done = processed;
            pr.total = summary.planned;
            pr.failed = summary.failed;
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            pr.tracesPerSecond = secs > 0 ? processed / secs : 0;
            pr.etaSeconds = pr.tracesPerSecond > 0 ? (pr.total - pr.done) / pr.tracesPerSecond : 0;
            p.progress(pr);
        }
        return true;
    };
    const bool completed = runner.stream(plan.units, itemOf, p.seed, p.batch, [&](FinishedTrace &&f) {
        if (f.hidden) {
            pending.hidden.push_back({"trace-" + std::to_string(pending.traces.size()), std::move(*f.hidden)});
            pending.hiddenOf.push_back(pending.traces.size());
        }
        pending.traces.push_back(std::move(f.trace));
        pendingUnits.push_back(f.unit);
        const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - lastCommit).count();
        if (int(pending.traces.size()) >= std::max(1, p.commitTraces) || since >= p.commitSeconds)
            return commit();
        return true;
    });
    // What ended before a cancel is kept too (every trace is whole); a failed commit is not retried.
    if (fatal.isEmpty())
        commit();
    summary.cancelled = !completed && fatal.isEmpty();
    summary.engine = runner.engineStats();
    summary.hiddenBytes = out.hiddenBytesWritten();
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const store::RunStatus status = !fatal.isEmpty() ? store::RunStatus::Failed : summary.cancelled ? store::RunStatus::Cancelled : store::RunStatus::Done;
    if (auto r = outRuns.finishRun(runId, status, fatal); !r)
        return fail(r.error());
    // Report what the store holds, not what this process believes it wrote.
    if (auto stored = outRuns.run(runId); stored && *stored) {
        summary.ok = (*stored)->tracesOk;
        summary.failed = (*stored)->tracesFailed;
    }
    summary.tracesPerMinute = summary.seconds > 0 ? 60.0 * (summary.ok + summary.failed) / summary.seconds : 0;
    started->lock.release();
    if (!fatal.isEmpty())
        return fail(fatal);
    log->info("generation run {} {}: {} ok, {} failed in {:.1f} s", runId, store::runStatusName(status).toStdString(), summary.ok, summary.failed, summary.seconds);
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
