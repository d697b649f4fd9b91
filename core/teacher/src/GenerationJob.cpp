#include "sdrt/teacher/GenerationJob.h"

#include "sdrt/teacher/Models.h"

#include "sdrt/assets/ImageLoading.h"
#include "sdrt/common/Log.h"
#include "sdrt/model/HiddenStateFile.h"
#include "sdrt/prompts/Prompt.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/PromptRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

#include <chrono>
#include <cstring>
#include <map>
#include <optional>

namespace sdrt::teacher {
namespace {

using store::Id;

QString tr(const char *text)
{
    return QCoreApplication::translate("sdrt::teacher", text);
}

std::uint64_t splitmix(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

std::uint64_t hash64(const QString &text)
{
    const QByteArray h = QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256);
    std::uint64_t v = 0;
    std::memcpy(&v, h.constData(), sizeof v);
    return v;
}

struct PromptEntry {
    store::PromptVersion version;
    prompts::Prompt prompt;
};

struct LoadedItem {
    store::Item item;
    std::vector<model::RgbImage> images;
    QString error;
};

Result<model::RgbImage> toRgb(const QString &path)
{
    auto image = assets::loadImage(path);
    if (!image)
        return fail(image.error());
    const QImage rgb = image->convertToFormat(QImage::Format_RGB888);
    model::RgbImage out;
    out.width = rgb.width();
    out.height = rgb.height();
    out.pixels.resize(std::size_t(out.width) * std::size_t(out.height) * 3);
    for (int y = 0; y < out.height; ++y)
        std::memcpy(out.pixels.data() + std::size_t(y) * std::size_t(out.width) * 3, rgb.constScanLine(y), std::size_t(out.width) * 3);
    return out;
}

LoadedItem loadItem(store::Workspace &ws, Id id)
{
    LoadedItem out;
    auto item = store::ItemRepository(ws.db()).get(id);
    if (!item) {
        out.error = item.error();
        return out;
    }
    out.item = std::move(*item);
    for (const store::ItemAsset &a : out.item.assets) {
        if (a.role == store::AssetKind::Note)
            continue;
        auto rgb = toRgb(ws.absolutePath(a.asset.storedPath));
        if (!rgb) {
            out.error = tr("asset %1 (%2): %3").arg(a.asset.originalName, a.asset.storedPath, rgb.error());
            return out;
        }
        out.images.push_back(std::move(*rgb));
    }
    return out;
}

model::GenerationRequest stepRequest(const model::VlmRuntime &rt, const prompts::Prompt &prompt, int step, const LoadedItem &item,
                                     const QString &query1, std::uint64_t seed)
{
    prompts::RenderContext ctx;
    ctx.imageCount = int(item.images.size());
    ctx.question = item.item.question;
    ctx.note = item.item.noteText.trimmed();
    ctx.query1Answer = query1;
    const prompts::RenderedStep r = prompt.render(step, ctx);
    model::GenerationRequest req;
    req.images = item.images;
    req.prompt = rt.formatChat(r.user.toStdString(), r.assistantPrefix.toStdString());
    req.seed = seed;
    return req;
}

QString samplingJson(const GenerationParams &p)
{
    QJsonObject o;
    o[QStringLiteral("temperature")] = double(p.temperature);
    o[QStringLiteral("top_k")] = p.topK;
    o[QStringLiteral("top_p")] = double(p.topP);
    o[QStringLiteral("step1_max_tokens")] = p.step1MaxTokens;
    o[QStringLiteral("step2_max_tokens")] = p.step2MaxTokens;
    o[QStringLiteral("samples")] = p.samples;
    o[QStringLiteral("batch")] = p.batch;
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

model::SamplingParams samplingFrom(const QJsonObject &o, int step)
{
    model::SamplingParams s;
    s.temperature = float(o.value(QStringLiteral("temperature")).toDouble());
    s.topK = o.value(QStringLiteral("top_k")).toInt();
    s.topP = float(o.value(QStringLiteral("top_p")).toDouble(1.0));
    s.maxNewTokens = o.value(step == 1 ? QStringLiteral("step1_max_tokens") : QStringLiteral("step2_max_tokens")).toInt(step == 1 ? GenerationParams{}.step1MaxTokens : GenerationParams{}.step2MaxTokens);
    return s;
}

Result<std::vector<PromptEntry>> loadPrompts(store::Database &db, const std::vector<Id> &wanted)
{
    auto all = store::PromptRepository(db).list();
    if (!all)
        return fail(all.error());
    std::vector<PromptEntry> out;
    std::map<QString, std::size_t> newest;
    for (const store::PromptVersion &v : *all) {
        const bool pick = wanted.empty() || std::find(wanted.begin(), wanted.end(), v.id) != wanted.end();
        if (!pick)
            continue;
        auto parsed = prompts::parsePrompt(v.body, v.name);
        if (!parsed)
            return fail(tr("Stored prompt %1 v%2 does not parse: %3").arg(v.name).arg(v.version).arg(parsed.error()));
        if (wanted.empty()) { // the newest version of each prompt
            auto it = newest.find(v.name);
            if (it != newest.end()) {
                if (out[it->second].version.version < v.version)
                    out[it->second] = {v, std::move(*parsed)};
                continue;
            }
            newest[v.name] = out.size();
        }
        out.push_back({v, std::move(*parsed)});
    }
    for (Id id : wanted) {
        if (std::none_of(out.begin(), out.end(), [id](const PromptEntry &e) { return e.version.id == id; }))
            return fail(tr("No prompt version with id %1 in the workspace.").arg(id));
    }
    if (out.empty())
        return fail(tr("The workspace has no prompts registered (sdrt prompts register WS)."));
    return out;
}

// Whether two runs were asked for with the same settings (the batch size changes no trace).
bool sameSettings(const store::GenerationRun &a, const store::GenerationRun &b)
{
    auto sampling = [](const QString &json) {
        QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
        o.remove(QStringLiteral("batch"));
        return o;
    };
    return a.promptSet == b.promptSet && a.seed == b.seed && a.shard == b.shard && a.hiddenLayers == b.hiddenLayers
           && sampling(a.sampling) == sampling(b.sampling);
}

std::vector<int> defaultLayers(int layers)
{
    if (layers / 2 > 0 && layers / 2 != layers)
        return {layers / 2, layers};
    return {layers};
}

QString relativeHiddenDir(const QString &modelHash)
{
    return QStringLiteral("hidden/") + modelHash.left(12);
}

} // namespace

std::uint64_t traceSeed(std::uint64_t runSeed, const QString &itemFingerprint, const QString &promptHash, int sample)
{
    return splitmix(splitmix(runSeed ^ hash64(itemFingerprint)) ^ hash64(promptHash) ^ (std::uint64_t(sample) * 0xD6E8FEB86659FD93ull))
           & 0x7FFFFFFFFFFFFFFFull; // stored in a signed SQLite integer
}

Result<GenerationSummary> runGeneration(const GenerationParams &p)
{
    const auto start = std::chrono::steady_clock::now();
    auto log = sdrt::log::get("teacher");
    GenerationSummary summary;
    if (p.samples < 1 || p.batch < 1)
        return fail(tr("Samples and batch size must be at least 1."));
    if (p.samples > 1 && p.temperature <= 0)
        return fail(tr("%1 samples per prompt need a temperature above 0 (greedy decoding gives the same trace every time).").arg(p.samples));
    if (p.shardCount < 1 || p.shardIndex < 0 || p.shardIndex >= p.shardCount)
        return fail(tr("Bad shard %1/%2.").arg(p.shardIndex).arg(p.shardCount));
    if (!p.filter.split.isEmpty() && p.filter.split != QLatin1String("train") && p.filter.split != QLatin1String("eval"))
        return fail(tr("Unknown split \"%1\": train or eval.").arg(p.filter.split));
    {
        model::SamplingParams check;
        check.temperature = p.temperature;
        check.topK = p.topK;
        check.topP = p.topP;
        for (int maxTokens : {p.step1MaxTokens, p.step2MaxTokens}) {
            check.maxNewTokens = maxTokens;
            if (const std::string bad = model::checkSampling(check); !bad.empty())
                return fail(tr("Bad sampling settings: %1.").arg(QString::fromStdString(bad)));
        }
    }

    auto src = store::Workspace::open(p.workspace);
    if (!src)
        return fail(src.error());
    auto modelRecord = store::ModelRepository(src->db()).find(p.modelId);
    if (!modelRecord)
        return fail(modelRecord.error());
    if (!*modelRecord)
        return fail(tr("No model with id %1 in the workspace (sdrt model register).").arg(p.modelId));
    const store::ModelRecord model = **modelRecord;
    auto promptList = loadPrompts(src->db(), p.promptIds);
    if (!promptList)
        return fail(promptList.error());
    const std::vector<PromptEntry> &promptEntries = *promptList;

    // Items: the given ids or the filter, in id order, then this shard's share.
    std::vector<Id> itemIds = p.itemIds;
    if (itemIds.empty()) {
        store::ItemRepository items(src->db());
        auto rows = items.list(p.filter, 0, std::numeric_limits<std::int32_t>::max());
        if (!rows)
            return fail(rows.error());
        for (const auto &r : *rows)
            itemIds.push_back(r.id);
    }
    std::sort(itemIds.begin(), itemIds.end());
    std::vector<Id> mine;
    for (std::size_t i = 0; i < itemIds.size(); ++i) {
        if (int(i % std::size_t(p.shardCount)) == p.shardIndex)
            mine.push_back(itemIds[i]);
    }
    summary.items = int(mine.size());

    // Where traces go: the workspace, or a shard folder (a small workspace of its own).
    std::optional<store::Workspace> shardWs;
    if (!p.shardDir.isEmpty()) {
        auto ws = store::Workspace::looksLikeWorkspace(p.shardDir) ? store::Workspace::open(p.shardDir) : store::Workspace::create(p.shardDir);
        if (!ws)
            return fail(ws.error());
        shardWs.emplace(std::move(*ws));
    }
    store::Workspace &out = shardWs ? *shardWs : *src;
    store::TraceRepository outTraces(out.db());
    std::map<Id, Id> itemMap, promptMap; // workspace id -> output id
    Id outModel = model.id;
    if (shardWs) {
        auto m = store::ModelRepository(out.db()).ensure(model);
        if (!m)
            return fail(m.error());
        outModel = *m;
        for (const PromptEntry &e : promptEntries) {
            auto id = store::PromptRepository(out.db()).registerVersion(e.version);
            if (!id)
                return fail(id.error());
            promptMap[e.version.id] = *id;
        }
        store::ItemRepository srcItems(src->db()), outItems(out.db());
        for (Id id : mine) {
            auto item = srcItems.get(id);
            if (!item)
                return fail(item.error());
            auto found = outItems.findByFingerprint(item->fingerprint);
            if (!found)
                return fail(found.error());
            if (*found) {
                itemMap[id] = **found;
                continue;
            }
            item->assets.clear(); // the shard needs the item's identity, not its files
            auto inserted = outItems.insert(*item);
            if (!inserted)
                return fail(inserted.error());
            itemMap[id] = *inserted;
        }
    } else {
        for (Id id : mine)
            itemMap[id] = id;
        for (const PromptEntry &e : promptEntries)
            promptMap[e.version.id] = e.version.id;
    }

    // What is already done: in the workspace, and in the shard folder for a resumed shard.
    std::vector<Id> promptIds;
    for (const PromptEntry &e : promptEntries)
        promptIds.push_back(e.version.id);
    auto done = store::TraceRepository(src->db()).completed(model.id, promptIds);
    if (!done)
        return fail(done.error());
    if (shardWs) {
        auto shardDone = outTraces.completed(outModel);
        if (!shardDone)
            return fail(shardDone.error());
        std::map<Id, Id> itemBack, promptBack;
        for (const auto &[a, b] : itemMap)
            itemBack[b] = a;
        for (const auto &[a, b] : promptMap)
            promptBack[b] = a;
        for (const auto &[item, prompt, sample] : *shardDone) {
            if (itemBack.count(item) && promptBack.count(prompt))
                done->emplace(itemBack[item], promptBack[prompt], sample);
        }
    }

    struct Unit {
        Id item;
        std::size_t prompt;
        int sample;
    };
    std::vector<Unit> units;
    for (Id item : mine) {
        for (std::size_t k = 0; k < promptEntries.size(); ++k) {
            for (int s = 0; s < p.samples; ++s) {
                if (done->count({item, promptEntries[k].version.id, s}))
                    ++summary.skipped;
                else
                    units.push_back({item, k, s});
            }
        }
    }
    summary.planned = int(units.size());
    if (units.empty()) {
        log->info("generation: nothing to do ({} traces already completed)", summary.skipped);
        return summary;
    }

    // The model.
    auto runtime = loadRegisteredModel(*src, model, p.runtime);
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

    store::GenerationRun run;
    run.modelId = outModel;
    QJsonArray promptSet;
    for (const PromptEntry &e : promptEntries) {
        QJsonObject o;
        o[QStringLiteral("name")] = e.version.name;
        o[QStringLiteral("version")] = e.version.version;
        o[QStringLiteral("content_hash")] = e.version.contentHash;
        promptSet.append(o);
    }
    run.promptSet = QString::fromUtf8(QJsonDocument(promptSet).toJson(QJsonDocument::Compact));
    run.sampling = samplingJson(p);
    run.seed = std::int64_t(p.seed & 0x7FFFFFFFFFFFFFFFull);
    QJsonArray layerJson;
    for (int l : layers)
        layerJson.append(l);
    run.hiddenLayers = QString::fromUtf8(QJsonDocument(layerJson).toJson(QJsonDocument::Compact));
    if (p.shardCount > 1)
        run.shard = QStringLiteral("%1/%2").arg(p.shardIndex).arg(p.shardCount);
    // A rerun with the settings of an interrupted run continues it (the resume set above
    // already skips what it stored); the new run names it.
    if (auto previous = outTraces.runs(); previous) {
        for (auto it = previous->rbegin(); it != previous->rend(); ++it) {
            if (it->status == QLatin1String("interrupted") && it->modelId == run.modelId && sameSettings(*it, run)) {
                run.resumesRunId = it->id;
                summary.resumedRun = *it;
                break;
            }
        }
    }
    auto started = outTraces.startRun(run);
    if (!started)
        return fail(started.error());
    const std::optional<Id> runId = started->id;
    summary.runId = *runId;
    if (run.resumesRunId)
        log->info("generation run {} resumes interrupted run {} ({} traces stored)", *runId, run.resumesRunId, summary.resumedRun->tracesOk);
    log->info("generation run {}: {} items, {} prompts, {} samples, {} traces to do ({} done before), model {} ({})", *runId,
              summary.items, promptEntries.size(), p.samples, units.size(), summary.skipped, model.name.toStdString(),
              model.contentHash.left(12).toStdString());

    const QString hiddenDir = relativeHiddenDir(model.contentHash);
    QString fatal;
    if (!layers.empty() && !QDir(out.root()).mkpath(hiddenDir))
        fatal = tr("Cannot create the folder %1.").arg(QDir(out.root()).filePath(hiddenDir));

    model::SamplingParams s1, s2;
    s1.temperature = s2.temperature = p.temperature;
    s1.topK = s2.topK = p.topK;
    s1.topP = s2.topP = p.topP;
    s1.maxNewTokens = p.step1MaxTokens;
    s2.maxNewTokens = p.step2MaxTokens;
    model::GenerateCallbacks callbacks;
    callbacks.cancel = p.cancel;
    model::HiddenCaptureSpec capture;
    capture.layers = layers;
    capture.generatedTokens = true;

    std::map<Id, LoadedItem> cache;
    int processed = 0;
    for (std::size_t b = 0; b < units.size() && fatal.isEmpty(); b += std::size_t(p.batch)) {
        if (p.cancel && p.cancel->load()) {
            summary.cancelled = true;
            break;
        }
        const auto batchStart = std::chrono::steady_clock::now();
        const std::vector<Unit> chunk(units.begin() + long(b), units.begin() + long(std::min(units.size(), b + std::size_t(p.batch))));
        if (cache.size() > 64)
            cache.clear();
        std::vector<store::Trace> traces(chunk.size());
        std::vector<model::GenerationRequest> req1;
        std::vector<std::size_t> at1;
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            const Unit &u = chunk[i];
            if (!cache.count(u.item))
                cache.emplace(u.item, loadItem(*src, u.item));
            const LoadedItem &item = cache.at(u.item);
            const PromptEntry &pe = promptEntries[u.prompt];
            store::Trace &t = traces[i];
            t.itemId = itemMap[u.item];
            t.promptId = promptMap[pe.version.id];
            t.runId = *runId;
            t.modelId = outModel;
            t.sampleIndex = u.sample;
            t.seed = traceSeed(p.seed, item.item.fingerprint.isEmpty() ? QString::number(u.item) : item.item.fingerprint,
                               pe.version.contentHash, u.sample);
            if (!item.error.isEmpty()) {
                t.status = QStringLiteral("failed");
                t.error = item.error;
                continue;
            }
            req1.push_back(stepRequest(rt, pe.prompt, 1, item, {}, t.seed));
            at1.push_back(i);
        }
        bool cancelled = false;
        auto out1 = rt.generate(req1, s1, {}, callbacks);
        std::vector<model::GenerationRequest> req2;
        std::vector<std::size_t> at2;
        for (std::size_t j = 0; j < out1.size(); ++j) {
            const std::size_t i = at1[j];
            store::Trace &t = traces[i];
            if (!out1[j]) {
                t.status = QStringLiteral("failed");
                t.error = tr("step 1: %1").arg(QString::fromStdString(out1[j].error()));
                continue;
            }
            if (out1[j]->finishReason == "cancelled") {
                cancelled = true;
                continue;
            }
            t.step1Text = QString::fromStdString(out1[j]->text);
            t.step1Tokens = int(out1[j]->tokens.size());
            t.step1PromptTokens = out1[j]->promptTokens;
            t.step1Logprob = out1[j]->meanLogprob();
            const Unit &u = chunk[i];
            req2.push_back(stepRequest(rt, promptEntries[u.prompt].prompt, 2, cache.at(u.item), t.step1Text, t.seed + 1));
            at2.push_back(i);
        }
        if (cancelled) {
            summary.cancelled = true;
            break;
        }
        auto out2 = rt.generate(req2, s2, {}, callbacks);
        std::vector<model::NamedHiddenStates> hidden;
        std::vector<std::size_t> hiddenOf;
        for (std::size_t j = 0; j < out2.size(); ++j) {
            const std::size_t i = at2[j];
            store::Trace &t = traces[i];
            if (!out2[j]) {
                t.status = QStringLiteral("failed");
                t.error = tr("step 2: %1").arg(QString::fromStdString(out2[j].error()));
                continue;
            }
            if (out2[j]->finishReason == "cancelled") {
                cancelled = true;
                continue;
            }
            const PromptEntry &pe = promptEntries[chunk[i].prompt];
            t.step2Text = QString::fromStdString(out2[j]->text);
            t.step2Tokens = int(out2[j]->tokens.size());
            t.step2PromptTokens = out2[j]->promptTokens;
            t.meanLogprob = out2[j]->meanLogprob();
            t.finishReason = QString::fromStdString(out2[j]->finishReason);
            t.parsedAnswer = pe.prompt.answerRule.extract(pe.prompt.steps[1].assistantPrefix + t.step2Text);
            t.status = QStringLiteral("ok");
            if (!layers.empty() && !out2[j]->tokens.empty()) {
                // Teacher forcing of the answer tokens in the step-2 context.
                auto scored = rt.score(req2[j], out2[j]->tokens, capture);
                if (!scored) {
                    t.status = QStringLiteral("failed");
                    t.error = tr("hidden states: %1").arg(QString::fromStdString(scored.error()));
                    continue;
                }
                hidden.push_back({"trace-" + std::to_string(i), std::move(scored->hidden)});
                hiddenOf.push_back(i);
            }
        }
        if (cancelled) {
            summary.cancelled = true;
            break;
        }
        if (!hidden.empty()) {
            const QString rel = hiddenDir + QLatin1Char('/') + QUuid::createUuid().toString(QUuid::WithoutBraces) + QStringLiteral(".safetensors");
            auto bytes = model::writeHiddenStateFile(QDir(out.root()).filePath(rel).toStdString(), hidden,
                                                     {{"model_content_hash", model.contentHash.toStdString()},
                                                      {"positions", "step-2 answer tokens as inputs, teacher-forced"}});
            if (!bytes) {
                fatal = tr("Cannot write hidden states: %1").arg(QString::fromStdString(bytes.error()));
                break;
            }
            for (std::size_t h = 0; h < hiddenOf.size(); ++h) {
                traces[hiddenOf[h]].hiddenRef = rel + QLatin1Char('#') + QString::fromStdString(hidden[h].name);
                traces[hiddenOf[h]].hiddenBytes = std::int64_t((*bytes)[h]);
                summary.hiddenBytes += std::int64_t((*bytes)[h]);
            }
        }
        const double batchMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - batchStart).count();
        std::vector<Id> storedItems;
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            traces[i].latencyMs = batchMs / double(chunk.size());
            if (traces[i].status == QLatin1String("ok"))
                ++summary.ok;
            else {
                ++summary.failed;
                if (summary.failures.size() < 20) {
                    const LoadedItem &item = cache.at(chunk[i].item);
                    const PromptEntry &pe = promptEntries[chunk[i].prompt];
                    summary.failures << tr("item %1 (%2), prompt %3 v%4: %5")
                                            .arg(chunk[i].item)
                                            .arg(item.item.externalId.value_or(QString()), pe.version.name)
                                            .arg(pe.version.version)
                                            .arg(traces[i].error);
                }
                log->warn("trace failed: item {}, prompt {}: {}", chunk[i].item, promptEntries[chunk[i].prompt].version.name.toStdString(),
                          traces[i].error.toStdString());
            }
            if (storedItems.empty() || storedItems.back() != chunk[i].item)
                storedItems.push_back(chunk[i].item);
        }
        auto added = outTraces.insert(traces);
        if (!added) {
            fatal = added.error();
            break;
        }
        processed += int(chunk.size());
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
    }
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    summary.tracesPerMinute = summary.seconds > 0 ? 60.0 * (summary.ok + summary.failed) / summary.seconds : 0;
    const QString status = !fatal.isEmpty() ? QStringLiteral("failed") : summary.cancelled ? QStringLiteral("cancelled") : QStringLiteral("done");
    if (auto r = outTraces.finishRun(*runId, status, fatal); !r)
        return fail(r.error());
    // Report what the store holds, not what this process believes it wrote.
    if (auto stored = outTraces.run(*runId); stored && *stored) {
        summary.ok = (*stored)->tracesOk;
        summary.failed = (*stored)->tracesFailed;
    }
    started->lock.release();
    if (!fatal.isEmpty())
        return fail(fatal);
    log->info("generation run {} {}: {} ok, {} failed in {:.1f} s", *runId, status.toStdString(), summary.ok, summary.failed, summary.seconds);
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
    auto promptList = loadPrompts(ws->db(), {t.promptId});
    if (!promptList)
        return fail(promptList.error());
    const prompts::Prompt &prompt = promptList->front().prompt;
    const LoadedItem item = loadItem(*ws, t.itemId);
    if (!item.error.isEmpty())
        return fail(item.error);
    auto runtime = loadRegisteredModel(*ws, **model);
    if (!runtime)
        return fail(runtime.error());
    const QJsonObject sampling = QJsonDocument::fromJson((*run)->sampling.toUtf8()).object();
    auto o1 = (*runtime)->generate({stepRequest(**runtime, prompt, 1, item, {}, t.seed)}, samplingFrom(sampling, 1));
    if (!o1.front())
        return fail(QString::fromStdString(o1.front().error()));
    const QString step1 = QString::fromStdString(o1.front()->text);
    auto o2 = (*runtime)->generate({stepRequest(**runtime, prompt, 2, item, step1, t.seed + 1)}, samplingFrom(sampling, 2));
    if (!o2.front())
        return fail(QString::fromStdString(o2.front().error()));
    return std::make_pair(step1, QString::fromStdString(o2.front()->text));
}

Result<int> mergeShard(const QString &workspace, const QString &shardDir)
{
    auto ws = store::Workspace::open(workspace);
    if (!ws)
        return fail(ws.error());
    if (!store::Workspace::looksLikeWorkspace(shardDir))
        return fail(tr("%1 is not a shard folder (no workspace.sqlite).").arg(shardDir));
    auto shard = store::Workspace::open(shardDir);
    if (!shard)
        return fail(shard.error());
    if (QFileInfo(shard->root()).canonicalFilePath() == QFileInfo(ws->root()).canonicalFilePath())
        return fail(tr("%1 is the workspace itself, not a shard folder.").arg(shardDir));
    store::TraceRepository from(shard->db()), to(ws->db());
    auto runs = from.runs();
    if (!runs)
        return fail(runs.error());
    for (const store::GenerationRun &r : *runs) {
        if (r.status == QLatin1String("running")) // live: its process still writes the shard
            return fail(tr("Run %1 of the shard %2 is still running (%3); merge the shard when it has finished.")
                            .arg(r.id)
                            .arg(shardDir, r.owner));
    }

    // One transaction: a failure anywhere leaves the workspace as it was (and the hidden-state
    // files this merge copied are removed again).
    QStringList copiedFiles;
    auto undoFiles = [&copiedFiles] {
        for (const QString &f : copiedFiles)
            QFile::remove(f);
    };
    store::Transaction tx(ws->db());
    if (auto b = tx.begin(); !b)
        return fail(b.error());
    auto merged = [&]() -> Result<int> {
        // Models and prompts by content, items by fingerprint.
        std::map<Id, Id> modelMap, promptMap, itemMap;
        auto models = store::ModelRepository(shard->db()).list();
        if (!models)
            return fail(models.error());
        for (const auto &m : *models) {
            auto id = store::ModelRepository(ws->db()).ensure(m);
            if (!id)
                return fail(id.error());
            modelMap[m.id] = *id;
        }
        auto promptRows = store::PromptRepository(shard->db()).list();
        if (!promptRows)
            return fail(promptRows.error());
        for (const auto &pv : *promptRows) {
            auto id = store::PromptRepository(ws->db()).registerVersion(pv);
            if (!id)
                return fail(id.error());
            promptMap[pv.id] = *id;
        }
        store::ItemRepository shardItems(shard->db()), wsItems(ws->db());
        auto rows = shardItems.list({}, 0, std::numeric_limits<std::int32_t>::max());
        if (!rows)
            return fail(rows.error());
        for (const auto &r : *rows) {
            auto item = shardItems.get(r.id);
            if (!item)
                return fail(item.error());
            auto found = wsItems.findByFingerprint(item->fingerprint);
            if (!found)
                return fail(found.error());
            if (!*found)
                return fail(tr("Item \"%1\" of the shard is not in the workspace %2 (fingerprint %3); merge a shard into the workspace it was made from.")
                                .arg(item->externalId.value_or(item->question), workspace, item->fingerprint.left(12)));
            itemMap[r.id] = **found;
        }
        int added = 0;
        for (const store::GenerationRun &r : *runs) {
            auto list = from.forRun(r.id);
            if (!list)
                return fail(list.error());
            std::vector<store::Trace> traces = std::move(*list);
            store::GenerationRun copy = r;
            copy.modelId = modelMap[r.modelId];
            copy.resumesRunId = 0; // an id of the shard's own table
            auto runId = to.createRun(copy);
            if (!runId)
                return fail(runId.error());
            for (store::Trace &t : traces) {
                t.itemId = itemMap[t.itemId];
                t.promptId = promptMap[t.promptId];
                t.modelId = modelMap[t.modelId];
                t.runId = *runId;
                if (!t.hiddenRef.isEmpty()) {
                    const QString rel = t.hiddenRef.section(QLatin1Char('#'), 0, 0);
                    const QString target = ws->absolutePath(rel);
                    if (!QFileInfo::exists(target)) {
                        QDir().mkpath(QFileInfo(target).absolutePath());
                        if (!QFile::copy(shard->absolutePath(rel), target))
                            return fail(tr("Cannot copy %1 to %2.").arg(shard->absolutePath(rel), target));
                        copiedFiles << target;
                    }
                }
            }
            auto n = to.insert(traces);
            if (!n)
                return fail(n.error());
            added += *n;
            // A run none of whose traces is new (merged before) leaves no row behind.
            if (auto d = to.deleteEmptyRun(*runId); !d)
                return fail(d.error());
            if (auto c = to.updateCounts(*runId); !c)
                return fail(c.error());
        }
        return added;
    }();
    if (!merged) {
        tx.rollback();
        undoFiles();
        return fail(merged.error());
    }
    if (auto c = tx.commit(); !c) {
        undoFiles();
        return fail(c.error());
    }
    return *merged;
}

} // namespace sdrt::teacher
