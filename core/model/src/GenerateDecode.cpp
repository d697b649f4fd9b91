// The engine's decode steps: every row feeds its newest token, through the slot cache or, for
// the benchmark's baseline, with every position computed again (GenerateEngine.h).

#include "GenerateEngine.h"

#include <torch/torch.h>

#include <algorithm>
#include <optional>
#include <set>

namespace sdrt::model::generation {

void Engine::decode()
{
    std::vector<std::size_t> rows;
    for (std::size_t s = 0; s < m_slots.size(); ++s) {
        if (m_slots[s])
            rows.push_back(s);
    }
    const Timer timer(m_stats.decodeSeconds);
    ++m_stats.decodeSteps;
    m_stats.rowSteps += long(rows.size());
    m_stats.slotSteps += long(rows.back() + 1);
    try {
        std::set<int> layers;
        for (std::size_t s : rows) {
            if (m_slots[s]->capturesGenerated())
                layers.insert(m_slots[s]->capture.layers.begin(), m_slots[s]->capture.layers.end());
        }
        HiddenCapture cap;
        cap.layers.assign(layers.begin(), layers.end());
        HiddenCapture *capture = cap.layers.empty() ? nullptr : &cap;
        torch::Tensor h;          // [n, 1, D]
        std::vector<std::int64_t> at(m_slots.size(), -1); // slot -> row of h
        if (m_options.useKvCache)
            h = decodeCached(rows, capture, at);
        else
            h = decodeUncached(rows, capture, at);
        auto logits = d.logits(h.select(1, 0)).to(torch::kCPU, torch::kFloat32);
        for (std::size_t s : rows) {
            Row &r = *m_slots[s];
            const auto b = at[s];
            if (r.capturesGenerated()) {
                std::vector<torch::Tensor> perLayer;
                for (int l : r.capture.layers)
                    perLayer.push_back(cap.states.at(l)[b][0]);
                r.hidden.push_back(torch::stack(perLayer)); // [L,D]
            }
            r.pendingFeed = false;
            ++r.length;
            if (r.done)
                finish(s); // it was fed for its hidden states only
            else
                sample(s, logits[b]);
        }
    } catch (const c10::Error &e) {
        failAll(rows, std::string("generation failed: ") + e.what_without_backtrace());
    }
}

torch::Tensor Engine::decodeCached(const std::vector<std::size_t> &rows, HiddenCapture *capture, std::vector<std::int64_t> &at)
{
    // Slots 0..n-1 run (free ones among them feed padding at position 0; it is overwritten
    // when the slot is filled).
    const auto n = std::int64_t(rows.back() + 1);
    std::vector<std::int64_t> tokens(std::size_t(n), d.padId()), lengths(std::size_t(n), 0), offsets(std::size_t(n), 0);
    std::int64_t attend = 1;
    for (std::size_t s : rows) {
        const Row &r = *m_slots[s];
        tokens[s] = r.out.tokens.back();
        lengths[s] = r.length;
        offsets[s] = r.positionOffset;
        attend = std::max(attend, r.length + 1);
        at[s] = std::int64_t(s);
    }
    m_cache.reserve(attend, d.info.config.text.maxPositionEmbeddings);
    auto length = torch::tensor(lengths, torch::kInt64).to(d.device);
    auto keyMask = (torch::arange(attend, length.options()).unsqueeze(0) <= length.unsqueeze(1)).to(torch::kInt64);
    m_cache.prepare(n, length, attend);
    std::optional<InterventionInput> edit;
    if (d.intervention)
        edit = interventionInput(n, rows);
    auto next = torch::tensor(tokens, torch::kInt64).to(d.device).unsqueeze(1);
    auto positions = (length + torch::tensor(offsets, torch::kInt64).to(d.device)).unsqueeze(1);
    return d.decoder()->forward(d.decoder()->embed_tokens(next), positions, keyMask, &m_cache, capture, edit ? &*edit : nullptr);
}

torch::Tensor Engine::decodeUncached(const std::vector<std::size_t> &rows, HiddenCapture *capture, std::vector<std::int64_t> &at)
{
    const auto n = std::int64_t(rows.size());
    std::int64_t T = 0;
    for (std::size_t s : rows) {
        Row &r = *m_slots[s];
        auto next = torch::tensor(std::vector<std::int64_t>{r.out.tokens.back()}, torch::kInt64).to(d.device);
        r.embeds = torch::cat({r.embeds, d.decoder()->embed_tokens(next)}, 0);
        T = std::max(T, r.embeds.size(0));
    }
    const auto D = rows.empty() ? 0 : m_slots[rows[0]]->embeds.size(1);
    auto embeds = torch::zeros({n, T, D}, m_slots[rows[0]]->embeds.options());
    auto mask = torch::zeros({n, T}, torch::TensorOptions().dtype(torch::kInt64).device(d.device));
    // Each row's positions: its prompt's, then one per generated token after them.
    const auto axes = m_slots[rows[0]]->promptPositions.dim() == 2 ? m_slots[rows[0]]->promptPositions.size(0) : 0;
    auto positions = axes > 0 ? torch::ones({axes, n, T}, mask.options()) : torch::zeros({n, T}, mask.options());
    auto editMask = torch::zeros({n, T}, torch::TensorOptions().dtype(d.dtype).device(d.device));
    for (std::int64_t b = 0; b < n; ++b) {
        const std::size_t s = rows[std::size_t(b)];
        const Row &r = *m_slots[s];
        const auto len = r.embeds.size(0);
        embeds[b].slice(0, T - len).copy_(r.embeds);
        mask[b].slice(0, T - len).fill_(1);
        const auto P = r.promptPositions.size(-1);
        auto generated = torch::arange(P, len, mask.options()) + r.positionOffset;
        auto rowPositions = axes > 0 ? torch::cat({r.promptPositions, generated.unsqueeze(0).expand({axes, len - P})}, 1)
                                     : torch::cat({r.promptPositions, generated}, 0);
        positions.select(-2, b).narrow(-1, T - len, len).copy_(rowPositions);
        // The intervention edits the prompt's last positions and every generated one.
        if (d.intervention) {
            const auto from = std::max<std::int64_t>(0, std::int64_t(r.prompt.size()) - d.intervention->promptPositions());
            editMask[b].slice(0, T - len + from).fill_(1);
        }
        at[s] = b;
    }
    std::optional<InterventionInput> edit;
    if (d.intervention) {
        edit = interventionInput(0, rows);
        edit->edit = editMask;
    }
    // DeepStack features go back in at the prompts' image positions, as in the prompt pass.
    std::optional<DeepstackInput> deepstack;
    std::size_t tapCount = 0; // a row prefilled without any image in its batch has none
    for (std::size_t s : rows)
        tapCount = std::max(tapCount, m_slots[s]->deepstack.size());
    if (tapCount > 0) {
        deepstack = DeepstackInput{torch::zeros({n, T}, torch::TensorOptions().dtype(torch::kBool).device(d.device)), {}};
        std::vector<std::vector<torch::Tensor>> taps(tapCount);
        for (std::int64_t b = 0; b < n; ++b) {
            const Row &r = *m_slots[rows[std::size_t(b)]];
            if (r.deepstack.empty())
                continue; // its prompt has no image tokens
            const auto start = T - r.embeds.size(0);
            auto ids = torch::tensor(std::vector<std::int64_t>(r.prompt.begin(), r.prompt.end()), torch::kInt64).to(d.device);
            deepstack->mask[b].slice(0, start, start + ids.size(0)).copy_(ids == d.info.config.imageTokenIndex);
            for (std::size_t t = 0; t < taps.size(); ++t)
                taps[t].push_back(r.deepstack[t]);
        }
        for (auto &t : taps)
            deepstack->features.push_back(torch::cat(t, 0));
    }
    auto h = d.decoder()->forward(embeds, positions, mask, nullptr, capture, edit ? &*edit : nullptr, deepstack ? &*deepstack : nullptr);
    if (capture) {
        for (auto &[layer, state] : capture->states)
            state = state.slice(1, T - 1);
    }
    return h.slice(1, T - 1);
}

InterventionInput Engine::interventionInput(std::int64_t n, const std::vector<std::size_t> &rows) const
{
    InterventionInput in;
    in.intervention = d.intervention.get();
    const auto D = d.info.config.text.hiddenSize;
    const auto opts = torch::TensorOptions().dtype(d.dtype).device(d.device);
    std::vector<torch::Tensor> visual;
    if (n > 0) {
        for (std::int64_t s = 0; s < n; ++s)
            visual.push_back(m_slots[std::size_t(s)] ? m_slots[std::size_t(s)]->visual : torch::zeros({D}, opts));
    } else {
        for (std::size_t s : rows)
            visual.push_back(m_slots[s]->visual);
    }
    in.visual = torch::stack(visual);
    in.edit = torch::ones({in.visual.size(0), 1}, opts);
    return in;
}

} // namespace sdrt::model::generation
