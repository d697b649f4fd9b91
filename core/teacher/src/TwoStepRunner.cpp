#include "sdrt/teacher/TwoStepRunner.h"

#include "sdrt/assets/ImageLoading.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/Workspace.h"

#include <QCoreApplication>
#include <QImage>

#include <cstring>

namespace sdrt::teacher {

model::RgbImage toRgbImage(const QImage &image)
{
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    model::RgbImage out;
    out.width = rgb.width();
    out.height = rgb.height();
    out.pixels.resize(std::size_t(out.width) * std::size_t(out.height) * 3);
    for (int y = 0; y < out.height; ++y)
        std::memcpy(out.pixels.data() + std::size_t(y) * std::size_t(out.width) * 3, rgb.constScanLine(y), std::size_t(out.width) * 3);
    return out;
}

ItemInput loadItemInput(store::Workspace &ws, store::Id id)
{
    ItemInput out;
    auto item = store::ItemRepository(ws.db()).get(id);
    if (!item) {
        out.error = item.error();
        return out;
    }
    out.item = std::move(*item);
    for (const store::ItemAsset &a : out.item.assets) {
        if (a.role == store::AssetKind::Note)
            continue;
        auto image = assets::loadImage(ws.absolutePath(a.asset.storedPath));
        if (!image) {
            out.error = QCoreApplication::translate("sdrt::teacher", "asset %1 (%2): %3").arg(a.asset.originalName, a.asset.storedPath, image.error());
            return out;
        }
        out.images.push_back(toRgbImage(*image));
    }
    return out;
}

const ItemInput &ItemInputCache::get(store::Id item)
{
    auto it = m_items.find(item);
    if (it != m_items.end())
        return it->second;
    if (m_items.size() >= std::max<std::size_t>(1, m_capacity))
        m_items.clear();
    return m_items.emplace(item, loadItemInput(m_ws, item)).first->second;
}

model::GenerationRequest stepRequest(const model::VlmRuntime &rt, const prompts::Prompt &prompt, int step, const ItemInput &item,
                                     const QString &query1, std::uint64_t seedOfTrace)
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
    req.seed = stepSeed(seedOfTrace, step);
    return req;
}

model::GenerationRequest directRequest(const model::VlmRuntime &rt, const ItemInput &item)
{
    std::string text;
    for (std::size_t i = 0; i < item.images.size(); ++i)
        text += "<image>\n";
    const QString note = item.item.noteText.trimmed();
    if (!note.isEmpty())
        text += "Note: " + note.toStdString() + "\n";
    text += item.item.question.toStdString();
    model::GenerationRequest req;
    req.images = item.images;
    req.prompt = rt.formatChat(text, "Answer:");
    return req;
}

TwoStepRunner::TwoStepRunner(model::VlmRuntime &runtime, const std::vector<PromptEntry> &prompts, TwoStepOptions options)
    : m_rt(runtime), m_prompts(prompts), m_options(std::move(options))
{
}

TwoStepRunner::Output TwoStepRunner::run(const std::vector<WorkUnit> &units, const std::function<const ItemInput &(store::Id)> &itemOf,
                                         std::uint64_t runSeed)
{
    Output out;
    std::vector<store::Trace> &traces = out.batch.traces;
    traces.resize(units.size());
    model::GenerateCallbacks callbacks;
    callbacks.cancel = m_options.cancel;

    // Step 1: the analysis.
    std::vector<model::GenerationRequest> req1;
    std::vector<std::size_t> at1;
    for (std::size_t i = 0; i < units.size(); ++i) {
        const WorkUnit &u = units[i];
        const ItemInput &item = itemOf(u.item);
        const PromptEntry &pe = m_prompts[u.prompt];
        store::Trace &t = traces[i];
        t.itemId = u.item;
        t.promptId = pe.version.id;
        t.sampleIndex = u.sample;
        t.seed = traceSeed(runSeed, item.item.fingerprint.isEmpty() ? QString::number(u.item) : item.item.fingerprint,
                           pe.version.contentHash, u.sample);
        if (!item.error.isEmpty()) {
            t.status = store::TraceStatus::Failed;
            t.error = item.error;
            continue;
        }
        req1.push_back(stepRequest(m_rt, pe.prompt, 1, item, {}, t.seed));
        at1.push_back(i);
    }
    auto out1 = m_rt.generate(req1, m_options.sampling.forStep(1), {}, callbacks);

    // Step 2: the answer, given the analysis.
    std::vector<model::GenerationRequest> req2;
    std::vector<std::size_t> at2;
    for (std::size_t j = 0; j < out1.size(); ++j) {
        store::Trace &t = traces[at1[j]];
        if (!out1[j]) {
            t.status = store::TraceStatus::Failed;
            t.error = QCoreApplication::translate("sdrt::teacher", "step 1: %1").arg(QString::fromStdString(out1[j].error()));
            continue;
        }
        if (out1[j]->finishReason == "cancelled") {
            out.cancelled = true;
            return out;
        }
        t.step1Text = QString::fromStdString(out1[j]->text);
        t.step1Tokens = int(out1[j]->tokens.size());
        t.step1PromptTokens = out1[j]->promptTokens;
        t.step1Logprob = out1[j]->meanLogprob();
        const WorkUnit &u = units[at1[j]];
        req2.push_back(stepRequest(m_rt, m_prompts[u.prompt].prompt, 2, itemOf(u.item), t.step1Text, t.seed));
        at2.push_back(at1[j]);
    }
    auto out2 = m_rt.generate(req2, m_options.sampling.forStep(2), {}, callbacks);

    model::HiddenCaptureSpec capture;
    capture.layers = m_options.hiddenLayers;
    capture.generatedTokens = true;
    std::vector<std::size_t> toScore; // j: answers whose hidden states are captured
    for (std::size_t j = 0; j < out2.size(); ++j) {
        const std::size_t i = at2[j];
        store::Trace &t = traces[i];
        if (!out2[j]) {
            t.status = store::TraceStatus::Failed;
            t.error = QCoreApplication::translate("sdrt::teacher", "step 2: %1").arg(QString::fromStdString(out2[j].error()));
            continue;
        }
        if (out2[j]->finishReason == "cancelled") {
            out.cancelled = true;
            return out;
        }
        const PromptEntry &pe = m_prompts[units[i].prompt];
        t.step2Text = QString::fromStdString(out2[j]->text);
        t.step2Tokens = int(out2[j]->tokens.size());
        t.step2PromptTokens = out2[j]->promptTokens;
        t.meanLogprob = out2[j]->meanLogprob();
        t.finishReason = store::finishReasonFromName(QString::fromStdString(out2[j]->finishReason));
        t.parsedAnswer = pe.prompt.answerRule.extract(pe.prompt.steps[1].assistantPrefix + t.step2Text);
        t.status = store::TraceStatus::Ok;
        if (!capture.layers.empty() && !out2[j]->tokens.empty())
            toScore.push_back(j);
    }
    // Teacher forcing of the answer tokens in the step-2 context, the batch's answers in one pass.
    std::vector<model::GenerationRequest> prompts;
    std::vector<std::vector<int>> continuations;
    for (std::size_t j : toScore) {
        prompts.push_back(req2[j]);
        continuations.push_back(out2[j]->tokens);
    }
    auto scored = m_rt.scoreBatch(prompts, continuations, capture);
    for (std::size_t k = 0; k < toScore.size(); ++k) {
        const std::size_t i = at2[toScore[k]];
        store::Trace &t = traces[i];
        if (!scored[k]) {
            t.status = store::TraceStatus::Failed;
            t.error = QCoreApplication::translate("sdrt::teacher", "hidden states: %1").arg(QString::fromStdString(scored[k].error()));
            continue;
        }
        out.batch.hidden.push_back({"trace-" + std::to_string(i), std::move(scored[k]->hidden)});
        out.batch.hiddenOf.push_back(i);
    }
    return out;
}

} // namespace sdrt::teacher
