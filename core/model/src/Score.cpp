// Teacher forcing: the log-probabilities (and hidden states) of given continuations after their
// prompts, one prompt at a time or several left-padded into one forward.

#include "RuntimeImpl.h"

#include <torch/torch.h>

#include <algorithm>
#include <optional>

namespace sdrt::model {
namespace {

// A teacher-forced row's outputs: log p of each continuation token from the logits at the
// positions before it, and the captured states at its own positions. `hidden` is the decoder
// output of the row [T, D]; the continuation starts at `start` (> 0).
ScoreOutput scoredRow(const VlmRuntime::Impl &d, const torch::Tensor &hidden, const HiddenCapture &cap, std::int64_t row,
                      std::int64_t start, const std::vector<int> &continuation)
{
    const auto N = std::int64_t(continuation.size());
    auto logits = d.logits(hidden.slice(0, start - 1, start + N - 1)).to(torch::kCPU, torch::kFloat32); // [N,V]
    auto logp = torch::log_softmax(logits, -1);
    auto target = torch::tensor(std::vector<std::int64_t>(continuation.begin(), continuation.end()), torch::kInt64);
    auto chosen = logp.gather(1, target.unsqueeze(1)).squeeze(1).contiguous();
    ScoreOutput out;
    out.tokens = continuation;
    out.logprobs.assign(chosen.data_ptr<float>(), chosen.data_ptr<float>() + N);
    if (!cap.layers.empty()) {
        std::vector<torch::Tensor> perLayer;
        for (int l : cap.layers)
            perLayer.push_back(cap.states.at(l)[row].slice(0, start, start + N));
        out.hidden = packHidden(cap.layers, perLayer);
    }
    return out;
}

// Why `continuation` cannot be scored after a prompt of `promptTokens` tokens, or empty.
std::string unscorable(const VlmRuntime::Impl &d, std::size_t promptTokens, const std::vector<int> &continuation)
{
    if (continuation.empty())
        return "the continuation to score is empty";
    const int maxContext = d.info.config.text.maxPositionEmbeddings;
    if (promptTokens + continuation.size() > std::size_t(maxContext))
        return "prompt and continuation have " + std::to_string(promptTokens + continuation.size()) + " tokens, over the context of "
               + std::to_string(maxContext);
    for (int t : continuation) {
        if (t < 0 || t >= d.info.config.text.vocabSize)
            return "continuation token " + std::to_string(t) + " is outside the vocabulary";
    }
    return {};
}

// A row of a batch to score: its request's index, prompt and continuation ids, the prompt's length.
struct ScoreRow {
    std::size_t index;
    std::vector<std::int64_t> ids;
    std::int64_t promptLength;
};

// The rows that can be scored; the others' results say why not.
std::vector<ScoreRow> scorableRows(const VlmRuntime::Impl &d, const std::vector<GenerationRequest> &prompts,
                                   const std::vector<std::vector<int>> &continuations,
                                   std::vector<Expected<ScoreOutput, std::string>> &results)
{
    std::vector<ScoreRow> rows;
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        auto ids = d.promptIds(prompts[i]);
        const auto &cont = continuations[i];
        if (!ids) {
            results[i] = unexpected(ids.error());
            continue;
        }
        if (std::string bad = unscorable(d, ids->size(), cont); !bad.empty()) {
            results[i] = unexpected(bad);
            continue;
        }
        ScoreRow r{i, std::vector<std::int64_t>(ids->begin(), ids->end()), std::int64_t(ids->size())};
        r.ids.insert(r.ids.end(), cont.begin(), cont.end());
        rows.push_back(std::move(r));
    }
    return rows;
}

// One forward over `rows` left-padded, each row's result from its part of it.
void scoreTogether(const VlmRuntime::Impl &d, const std::vector<ScoreRow> &rows, const std::vector<GenerationRequest> &prompts,
                   const std::vector<std::vector<int>> &continuations, const HiddenCaptureSpec &capture,
                   std::vector<Expected<ScoreOutput, std::string>> &results)
{
    try {
        const auto B = std::int64_t(rows.size());
        std::int64_t T = 0;
        for (const ScoreRow &r : rows)
            T = std::max<std::int64_t>(T, std::int64_t(r.ids.size()));
        auto input = torch::full({B, T}, d.padId(), torch::kInt64);
        auto mask = torch::zeros({B, T}, torch::kInt64);
        std::vector<const RgbImage *> images;
        for (std::int64_t b = 0; b < B; ++b) {
            const ScoreRow &r = rows[std::size_t(b)];
            const auto off = T - std::int64_t(r.ids.size());
            input[b].slice(0, off).copy_(torch::tensor(r.ids, torch::kInt64));
            mask[b].slice(0, off).fill_(1);
            for (const auto &img : prompts[r.index].images)
                images.push_back(&img);
        }
        input = input.to(d.device);
        mask = mask.to(d.device);
        const auto visual = d.visual(images);
        auto embeds = d.embed(input, visual.features);
        const auto deepstack = d.deepstack(input, visual);
        HiddenCapture cap;
        cap.layers = capture.layers;
        const bool capturing = !capture.layers.empty();
        auto hidden = d.decoder()->forward(embeds, d.positions(input, mask, images), mask, nullptr, capturing ? &cap : nullptr, nullptr,
                                           deepstack ? &*deepstack : nullptr);
        for (std::int64_t b = 0; b < B; ++b) {
            const ScoreRow &r = rows[std::size_t(b)];
            const auto off = T - std::int64_t(r.ids.size());
            results[r.index] = scoredRow(d, hidden[b], cap, b, off + r.promptLength, continuations[r.index]);
        }
    } catch (const c10::Error &e) {
        for (const ScoreRow &r : rows)
            results[r.index] = unexpected(std::string("scoring failed: ") + e.what_without_backtrace());
    } catch (const std::out_of_range &) {
        for (const ScoreRow &r : rows)
            results[r.index] = unexpected(std::string("scoring failed: a captured layer is outside the decoder"));
    }
}

} // namespace

Expected<ScoreOutput, std::string> VlmRuntime::score(const GenerationRequest &prompt, const std::vector<int> &continuation,
                                                     const HiddenCaptureSpec &capture)
{
    c10::InferenceMode inference;
    auto ids = d->promptIds(prompt);
    if (!ids)
        return unexpected(ids.error());
    if (std::string bad = unscorable(*d, ids->size(), continuation); !bad.empty())
        return unexpected(bad);
    const auto P = std::int64_t(ids->size());
    try {
        std::vector<std::int64_t> all(ids->begin(), ids->end());
        all.insert(all.end(), continuation.begin(), continuation.end());
        auto input = torch::tensor(all, torch::kInt64).unsqueeze(0).to(d->device);
        auto mask = torch::ones_like(input);
        std::vector<const RgbImage *> images;
        for (const auto &img : prompt.images)
            images.push_back(&img);
        const auto visual = d->visual(images);
        const auto &features = visual.features;
        auto embeds = d->embed(input, features);
        const auto deepstack = d->deepstack(input, visual);
        HiddenCapture cap;
        cap.layers = capture.layers;
        const bool capturing = !capture.layers.empty();
        std::optional<InterventionInput> edit;
        if (d->intervention)
            edit = d->interventionInput(mask, P, features, {features.defined() ? features.size(0) : 0});
        auto hidden = d->decoder()->forward(embeds, d->positions(input, mask, images), mask, nullptr, capturing ? &cap : nullptr,
                                            edit ? &*edit : nullptr, deepstack ? &*deepstack : nullptr);
        return scoredRow(*d, hidden[0], cap, 0, P, continuation);
    } catch (const c10::Error &e) {
        return unexpected(std::string("scoring failed: ") + e.what_without_backtrace());
    } catch (const std::out_of_range &) {
        return unexpected(std::string("scoring failed: a captured layer is outside the decoder"));
    }
}

std::vector<Expected<ScoreOutput, std::string>> VlmRuntime::scoreBatch(const std::vector<GenerationRequest> &prompts,
                                                                      const std::vector<std::vector<int>> &continuations,
                                                                      const HiddenCaptureSpec &capture)
{
    std::vector<Expected<ScoreOutput, std::string>> results(prompts.size(), unexpected(std::string("not run")));
    if (continuations.size() != prompts.size()) {
        for (auto &r : results)
            r = unexpected(std::string("scoreBatch: as many continuations as prompts are needed"));
        return results;
    }
    if (d->intervention || prompts.size() == 1) {
        for (std::size_t i = 0; i < prompts.size(); ++i)
            results[i] = score(prompts[i], continuations[i], capture);
        return results;
    }
    c10::InferenceMode inference;
    const std::vector<ScoreRow> rows = scorableRows(*d, prompts, continuations, results);
    if (!rows.empty())
        scoreTogether(*d, rows, prompts, continuations, capture, results);
    return results;
}

} // namespace sdrt::model
