#include "sdrt/teacher/TwoStepRunner.h"

#include "sdrt/assets/ImageLoading.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/Workspace.h"

#include <QCoreApplication>
#include <QImage>

#include <chrono>
#include <cstring>
#include <deque>

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

model::ChatTurn chatTurn(const prompts::RenderedStep &step)
{
    model::ChatTurn turn;
    for (const prompts::RenderedPart &part : step.parts)
        turn.parts.push_back(part.image ? model::ChatPart::imagePart() : model::ChatPart::textPart(part.text.toStdString()));
    turn.assistantPrefix = step.assistantPrefix.toStdString();
    return turn;
}

model::GenerationRequest stepRequest(const prompts::Prompt &prompt, int step, const ItemInput &item, const QString &query1,
                                     std::uint64_t seedOfTrace)
{
    prompts::RenderContext ctx;
    ctx.imageCount = int(item.images.size());
    ctx.question = item.item.question;
    ctx.note = item.item.noteText.trimmed();
    ctx.query1Answer = query1;
    const prompts::RenderedStep r = prompt.render(step, ctx);
    model::GenerationRequest req;
    req.images = item.images;
    req.chat = chatTurn(r);
    req.seed = stepSeed(seedOfTrace, step);
    return req;
}

model::GenerationRequest directRequest(const ItemInput &item)
{
    model::ChatTurn turn;
    turn.parts.assign(item.images.size(), model::ChatPart::imagePart());
    std::string text;
    const QString note = item.item.noteText.trimmed();
    if (!note.isEmpty())
        text += "Note: " + note.toStdString() + "\n";
    text += item.item.question.toStdString();
    turn.parts.push_back(model::ChatPart::textPart(text));
    turn.assistantPrefix = "Answer:";
    model::GenerationRequest req;
    req.images = item.images;
    req.chat = std::move(turn);
    return req;
}

namespace {

// One stream of units through the engine: the traces in flight, the step-2 requests whose step 1
// has ended, and the stop flag the engine polls. Tags: unit * 2 + (step - 1).
class UnitStream {
public:
    using ItemOf = std::function<const ItemInput &(store::Id)>;
    using Finished = std::function<bool(FinishedTrace &&)>;

    UnitStream(const std::vector<WorkUnit> &units, const std::vector<PromptEntry> &prompts, const TwoStepOptions &options,
               const ItemOf &itemOf, std::uint64_t runSeed, const Finished &finished)
        : m_units(units), m_prompts(prompts), m_options(options), m_itemOf(itemOf), m_runSeed(runSeed), m_finished(finished)
    {
        m_capture.layers = options.hiddenLayers;
        m_capture.generatedTokens = true;
    }

    std::atomic_bool &stopFlag() { return m_stop; }

    // The engine's next request: a waiting answer first (it ends a trace), else the next unit's
    // step 1.
    bool next(model::StreamRequest &r)
    {
        if (m_stop)
            return false;
        if (!m_answers.empty()) {
            r = std::move(m_answers.front());
            m_answers.pop_front();
            return true;
        }
        while (m_nextUnit < m_units.size() && !m_stop) {
            if (startUnit(m_nextUnit++, r))
                return true;
        }
        return false;
    }

    void done(std::size_t tag, Expected<model::GenerationOutput, std::string> res)
    {
        const std::size_t i = tag / 2;
        const int step = int(tag % 2) + 1;
        if (!res) {
            failUnit(i, QCoreApplication::translate("sdrt::teacher", "step %1: %2").arg(step).arg(QString::fromStdString(res.error())));
            return;
        }
        if (res->finishReason == "cancelled") {
            m_inFlight.erase(i);
            return;
        }
        if (step == 1)
            analysisEnded(i, *res);
        else
            answerEnded(i, *res);
    }

private:
    // Opens the unit's trace and writes its step-1 request into `r`; false when the unit failed
    // at once (its item cannot be read).
    bool startUnit(std::size_t i, model::StreamRequest &r)
    {
        const WorkUnit &u = m_units[i];
        const ItemInput &item = m_itemOf(u.item);
        const PromptEntry &pe = m_prompts[u.prompt];
        store::Trace &t = m_inFlight[i];
        t.itemId = u.item;
        t.promptId = pe.version.id;
        t.sampleIndex = u.sample;
        t.seed = traceSeed(m_runSeed, item.item.fingerprint.isEmpty() ? QString::number(u.item) : item.item.fingerprint,
                           pe.version.contentHash, u.sample);
        if (!item.error.isEmpty()) {
            failUnit(i, item.error);
            return false;
        }
        r.request = stepRequest(pe.prompt, 1, item, {}, t.seed);
        r.sampling = m_options.sampling.forStep(1);
        r.tag = i * 2;
        return true;
    }

    // Step 1 ended: its analysis is kept and the unit's step 2 waits for a row.
    void analysisEnded(std::size_t i, const model::GenerationOutput &res)
    {
        store::Trace &t = m_inFlight.at(i);
        const WorkUnit &u = m_units[i];
        t.step1Text = QString::fromStdString(res.text);
        t.step1Tokens = int(res.tokens.size());
        t.step1PromptTokens = res.promptTokens;
        t.step1Logprob = res.meanLogprob();
        model::StreamRequest r;
        r.request = stepRequest(m_prompts[u.prompt].prompt, 2, m_itemOf(u.item), t.step1Text, t.seed);
        r.sampling = m_options.sampling.forStep(2);
        if (!m_capture.layers.empty())
            r.capture = m_capture;
        r.tag = i * 2 + 1;
        m_answers.push_back(std::move(r));
    }

    // Step 2 ended: the trace is whole, with its parsed answer and hidden states.
    void answerEnded(std::size_t i, model::GenerationOutput &res)
    {
        store::Trace &t = m_inFlight.at(i);
        const PromptEntry &pe = m_prompts[m_units[i].prompt];
        t.step2Text = QString::fromStdString(res.text);
        t.step2Tokens = int(res.tokens.size());
        t.step2PromptTokens = res.promptTokens;
        t.meanLogprob = res.meanLogprob();
        t.finishReason = store::finishReasonFromName(QString::fromStdString(res.finishReason));
        t.parsedAnswer = pe.prompt.answerRule.extract(pe.prompt.steps[1].assistantPrefix + t.step2Text);
        t.status = store::TraceStatus::Ok;
        std::optional<model::HiddenStates> hidden;
        if (!m_capture.layers.empty() && !res.tokens.empty())
            hidden = std::move(res.generatedHidden);
        hand(i, std::move(hidden));
    }

    void failUnit(std::size_t unit, const QString &error)
    {
        store::Trace &t = m_inFlight.at(unit);
        t.status = store::TraceStatus::Failed;
        t.error = error;
        hand(unit, std::nullopt);
    }

    // Hands the ended trace over; once the receiver says stop, nothing more is handed over.
    void hand(std::size_t unit, std::optional<model::HiddenStates> hidden)
    {
        auto it = m_inFlight.find(unit);
        FinishedTrace f{unit, std::move(it->second), std::move(hidden)};
        m_inFlight.erase(it);
        const auto now = std::chrono::steady_clock::now();
        f.trace.latencyMs = std::chrono::duration<double, std::milli>(now - m_lastEnd).count();
        m_lastEnd = now;
        if (!m_stopped && !m_finished(std::move(f))) {
            m_stopped = true;
            m_stop = true;
        }
    }

    const std::vector<WorkUnit> &m_units;
    const std::vector<PromptEntry> &m_prompts;
    const TwoStepOptions &m_options;
    const ItemOf &m_itemOf;
    const std::uint64_t m_runSeed;
    const Finished &m_finished;
    model::HiddenCaptureSpec m_capture;
    std::map<std::size_t, store::Trace> m_inFlight;
    std::deque<model::StreamRequest> m_answers; // step-2 requests whose step 1 has ended
    std::size_t m_nextUnit = 0;
    std::atomic_bool m_stop{false};
    bool m_stopped = false; // the receiver said stop
    std::chrono::steady_clock::time_point m_lastEnd = std::chrono::steady_clock::now();
};

} // namespace

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
    std::vector<std::optional<model::HiddenStates>> hidden(units.size());
    const int slots = m_options.slots > 0 ? m_options.slots : int(std::max<std::size_t>(1, units.size()));
    out.cancelled = !stream(units, itemOf, runSeed, slots, [&](FinishedTrace &&f) {
        traces[f.unit] = std::move(f.trace);
        hidden[f.unit] = std::move(f.hidden);
        return true;
    });
    for (std::size_t i = 0; i < units.size(); ++i) {
        if (hidden[i]) {
            out.batch.hidden.push_back({"trace-" + std::to_string(i), std::move(*hidden[i])});
            out.batch.hiddenOf.push_back(i);
        }
    }
    return out;
}

bool TwoStepRunner::stream(const std::vector<WorkUnit> &units, const std::function<const ItemInput &(store::Id)> &itemOf,
                           std::uint64_t runSeed, int slots, const std::function<bool(FinishedTrace &&)> &finished)
{
    UnitStream unitStream(units, m_prompts, m_options, itemOf, runSeed, finished);
    model::GenerationStream s;
    s.next = [&unitStream](model::StreamRequest &r) { return unitStream.next(r); };
    s.done = [&unitStream](std::size_t tag, Expected<model::GenerationOutput, std::string> res) { unitStream.done(tag, std::move(res)); };
    std::atomic_bool &stop = unitStream.stopFlag();
    model::GenerateCallbacks callbacks;
    callbacks.cancel = &stop;
    // The engine polls one flag: the caller's cancel joins ours after every round.
    callbacks.progress = [this, &stop](int, int) {
        if (m_options.cancel && m_options.cancel->load())
            stop = true;
    };
    if (m_options.cancel && m_options.cancel->load())
        return false;
    m_stats += m_rt.generateStream(s, model::EngineOptions{std::max(1, slots), true}, callbacks);
    return !stop && !(m_options.cancel && m_options.cancel->load());
}

} // namespace sdrt::teacher
