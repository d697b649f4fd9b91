// Generation's loop: the engine admits waiting requests into free slots, samples each row's next
// token and hands finished rows over (GenerateEngine.h describes the whole engine); and the
// runtime's generate() and generateStream() on top of it.

#include "GenerateEngine.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace sdrt::model {
namespace generation {

void Engine::run()
{
    c10::InferenceMode inference;
    int step = 0;
    bool sampled = admit();
    for (;;) {
        // After every round of sampling: the first marks the first tokens.
        if (sampled && m_callbacks.progress)
            m_callbacks.progress(++step, m_maxNewTokens);
        if (!anyRow())
            break;
        if (m_callbacks.cancel && m_callbacks.cancel->load()) {
            for (std::size_t s = 0; s < m_slots.size(); ++s) {
                if (m_slots[s]) {
                    m_slots[s]->done = false; // ends "cancelled" with what it has
                    finish(s);
                }
            }
            m_cancelled = true;
            break;
        }
        decode();
        admit();
        sampled = true;
    }
}

bool Engine::anyRow() const
{
    return std::any_of(m_slots.begin(), m_slots.end(), [](const std::optional<Row> &r) { return r.has_value(); });
}

std::string Engine::check(const StreamRequest &r, const std::vector<int> &ids) const
{
    if (std::string bad = checkSampling(r.sampling); !bad.empty())
        return bad;
    const int maxContext = d.info.config.text.maxPositionEmbeddings;
    if (int(ids.size()) + r.sampling.maxNewTokens > maxContext)
        return "the prompt has " + std::to_string(ids.size()) + " tokens; with " + std::to_string(r.sampling.maxNewTokens)
               + " new tokens it exceeds the context of " + std::to_string(maxContext);
    for (int l : r.capture.layers) {
        if (l < 0 || l > d.info.config.text.numLayers)
            return "hidden-state layer " + std::to_string(l) + " is outside the decoder (0.." + std::to_string(d.info.config.text.numLayers)
                   + ")";
    }
    return {};
}

bool Engine::admit()
{
    bool sampled = false;
    while (!m_cancelled) {
        std::vector<std::size_t> group;
        for (std::size_t s = 0; s < m_slots.size(); ++s) {
            if (m_slots[s])
                continue;
            std::optional<Row> row;
            for (StreamRequest r; !row && m_stream.next(r); r = StreamRequest()) {
                GenerationRequest &req = r.request;
                auto ids = d.promptIds(req);
                std::string bad = ids ? check(r, *ids) : ids.error();
                if (!bad.empty()) {
                    m_stream.done(r.tag, unexpected(bad));
                    continue;
                }
                const std::uint64_t seed = req.seed ? *req.seed : r.seed;
                row.emplace(Row{.tag = r.tag, .sampling = r.sampling, .capture = r.capture, .prompt = std::move(*ids),
                                .images = std::move(req.images), .sampler = Sampler(r.sampling, seed), .text = IncrementalDecoder(d.tokenizer)});
                row->out.promptTokens = int(row->prompt.size());
                m_maxNewTokens = std::max(m_maxNewTokens, r.sampling.maxNewTokens);
            }
            if (!row)
                break; // nothing waiting
            m_slots[s] = std::move(row);
            group.push_back(s);
        }
        if (group.empty())
            break;
        prefill(group);
        sampled = true;
        // Rows that ended at their first token freed their slots: fill them again.
        if (std::all_of(group.begin(), group.end(), [this](std::size_t s) { return m_slots[s].has_value(); }))
            break;
    }
    return sampled;
}

void Engine::sample(std::size_t slot, const torch::Tensor &logitsRow)
{
    Row &r = *m_slots[slot];
    auto lr = logitsRow.contiguous();
    std::vector<float> row(lr.data_ptr<float>(), lr.data_ptr<float>() + lr.numel());
    if (std::any_of(row.begin(), row.end(), [](float v) { return std::isnan(v) || v == std::numeric_limits<float>::infinity(); })) {
        // Sampling from NaN would pick an arbitrary token and call it an answer.
        r.error = "the model produced non-finite (NaN or infinite) logits at generated token " + std::to_string(r.out.tokens.size() + 1)
                  + " (broken weights, or an overflow in " + d.info.dtype + ")";
        finish(slot);
        return;
    }
    float lp = 0;
    const int token = r.sampler.next(std::move(row), &lp);
    if (token == d.tokenizer.eosId() && r.sampling.stopAtEos) {
        r.done = true;
        r.out.finishReason = "eos";
        finish(slot);
        return;
    }
    r.out.tokens.push_back(token);
    r.out.logprobs.push_back(lp);
    r.pendingFeed = true;
    const std::size_t unchanged = r.text.push(token);
    if (const auto pos = findStopString(r.text.text(), unchanged, r.sampling.stop); pos != std::string::npos) {
        r.out.text = r.text.text().substr(0, pos);
        r.done = true;
        r.out.finishReason = "stop";
    } else if (int(r.out.tokens.size()) >= r.sampling.maxNewTokens) {
        r.done = true;
        r.out.finishReason = "length";
    }
    if (r.done && !r.capturesGenerated())
        finish(slot); // otherwise one more step feeds its last token for the hidden states
}

void Engine::finish(std::size_t slot)
{
    Row r = std::move(*m_slots[slot]);
    m_slots[slot].reset();
    if (!r.error.empty()) {
        m_stream.done(r.tag, unexpected(r.error));
        return;
    }
    if (!r.done)
        r.out.finishReason = "cancelled";
    if (r.out.finishReason != "stop")
        r.out.text = r.text.text();
    if (r.capturesGenerated() && !r.hidden.empty()) {
        auto all = torch::stack(r.hidden, 1); // [L,P,D]
        std::vector<torch::Tensor> perLayer;
        for (std::int64_t l = 0; l < all.size(0); ++l)
            perLayer.push_back(all[l]);
        r.out.generatedHidden = packHidden(r.capture.layers, perLayer);
    }
    m_stream.done(r.tag, std::move(r.out));
}

void Engine::failAll(const std::vector<std::size_t> &slots, const std::string &message)
{
    for (std::size_t s : slots) {
        if (!m_slots[s])
            continue;
        m_slots[s]->error = message;
        finish(s);
    }
}

} // namespace generation

EngineStats &EngineStats::operator+=(const EngineStats &o)
{
    prefillSeconds += o.prefillSeconds;
    decodeSeconds += o.decodeSeconds;
    prefills += o.prefills;
    prefillRows += o.prefillRows;
    prefillTokens += o.prefillTokens;
    reusedTokens += o.reusedTokens;
    decodeSteps += o.decodeSteps;
    rowSteps += o.rowSteps;
    slotSteps += o.slotSteps;
    return *this;
}

EngineStats VlmRuntime::generateStream(const GenerationStream &stream, const EngineOptions &engine, const GenerateCallbacks &callbacks)
{
    generation::Engine e(*d, stream, engine, callbacks);
    e.run();
    return e.stats();
}

std::vector<Expected<GenerationOutput, std::string>> VlmRuntime::generate(const std::vector<GenerationRequest> &requests,
                                                                          const SamplingParams &sampling,
                                                                          const HiddenCaptureSpec &capture,
                                                                          const GenerateCallbacks &callbacks, int maxBatch)
{
    std::vector<Expected<GenerationOutput, std::string>> results(requests.size(), unexpected(std::string("not run")));
    if (const std::string bad = checkSampling(sampling); !bad.empty()) {
        for (auto &r : results)
            r = unexpected(bad);
        return results;
    }
    if (requests.empty())
        return results;
    std::size_t pulled = 0;
    GenerationStream stream;
    stream.next = [&](StreamRequest &r) {
        if (pulled == requests.size())
            return false;
        const std::size_t i = pulled++;
        r.request = requests[i];
        r.sampling = sampling;
        r.capture = capture;
        // Each request has its own random stream, so a batch gives the same text as single runs.
        r.seed = sampling.seed + 0x9E3779B97F4A7C15ull * (i + 1);
        r.tag = i;
        return true;
    };
    stream.done = [&](std::size_t tag, Expected<GenerationOutput, std::string> result) { results[tag] = std::move(result); };
    EngineOptions engine;
    engine.slots = maxBatch > 0 ? std::min(maxBatch, int(requests.size())) : int(requests.size());
    engine.useKvCache = sampling.useKvCache;
    generateStream(stream, engine, callbacks);
    for (std::size_t i = pulled; i < requests.size(); ++i) {
        GenerationOutput cancelled;
        cancelled.finishReason = "cancelled";
        results[i] = std::move(cancelled);
    }
    return results;
}

} // namespace sdrt::model
