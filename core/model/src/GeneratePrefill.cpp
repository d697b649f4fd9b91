// The engine's prompt passes: newly admitted rows run their prompts, left-padded together, or
// alone after the beginning a cached prompt shares with them (GenerateEngine.h).

#include "GenerateEngine.h"

#include <torch/torch.h>

#include <algorithm>
#include <optional>
#include <set>

namespace sdrt::model::generation {
namespace {

// Row `row`'s captured states at `layers`, at the last of a forward's T positions.
HiddenStates lastPosition(const HiddenCapture &cap, const std::vector<int> &layers, std::int64_t row, std::int64_t T)
{
    std::vector<torch::Tensor> perLayer;
    for (int l : layers)
        perLayer.push_back(cap.states.at(l)[row].slice(0, T - 1, T));
    return packHidden(layers, perLayer);
}

} // namespace

void Engine::prefill(const std::vector<std::size_t> &group)
{
    const Timer timer(m_stats.prefillSeconds);
    m_stats.prefillRows += long(group.size());
    std::vector<std::size_t> fresh;
    for (std::size_t s : group) {
        Row &r = *m_slots[s];
        if (reusesPrefixes()) {
            r.positionIds = positionIds(r.prompt, int(d.info.config.imageTokenIndex), d, r.images);
            const auto [entry, shared] = d.prefixes.find(r.positionIds);
            // At least the prompt's last position is computed: its logits give the first token.
            const std::int64_t reuse = std::min<std::int64_t>(shared, std::int64_t(r.prompt.size()) - 1);
            if (entry && reuse >= kMinReuse) {
                prefillAfter(s, *entry, reuse);
                continue;
            }
        }
        fresh.push_back(s);
    }
    if (!fresh.empty())
        prefillTogether(fresh);
}

void Engine::remember(const Row &r, const KvCache &kv, std::int64_t row, std::int64_t from)
{
    if (!reusesPrefixes())
        return;
    std::vector<torch::Tensor> keys, values;
    for (std::size_t l = 0; l < kv.keys.size(); ++l) {
        keys.push_back(kv.keys[l][row].slice(1, from).clone());
        values.push_back(kv.values[l][row].slice(1, from).clone());
    }
    d.prefixes.insert(r.positionIds, std::move(keys), std::move(values));
}

void Engine::prefillAfter(std::size_t slot, const PrefixCache::Entry &entry, std::int64_t reuse)
{
    ++m_stats.prefills;
    try {
        Row &r = *m_slots[slot];
        const auto P = std::int64_t(r.prompt.size());
        const int imageToken = int(d.info.config.imageTokenIndex);
        const auto longOpts = torch::TensorOptions().dtype(torch::kInt64).device(d.device);
        std::vector<const RgbImage *> images;
        for (const auto &img : r.images)
            images.push_back(&img);
        auto ids = torch::tensor(std::vector<std::int64_t>(r.prompt.begin(), r.prompt.end()), torch::kInt64).unsqueeze(0).to(d.device);
        std::vector<std::int64_t> next;
        auto positions = d.positions(ids, torch::ones({1, P}, longOpts), images, &next).narrow(-1, reuse, P - reuse);
        torch::Tensor embeds;
        std::optional<DeepstackInput> deepstack;
        if (std::find(r.prompt.begin() + reuse, r.prompt.end(), imageToken) != r.prompt.end()) {
            // An image block reaches past the shared part: embed the whole prompt, keep the rest.
            const auto visual = d.visual(images);
            embeds = d.embed(ids, visual.features).slice(1, reuse);
            if (auto whole = d.deepstack(ids, visual)) {
                // The features of the image positions past the shared part: the last ones.
                auto mask = whole->mask.slice(1, reuse);
                const auto after = mask.sum().item<std::int64_t>();
                std::vector<torch::Tensor> taps;
                for (const auto &f : whole->features)
                    taps.push_back(f.slice(0, f.size(0) - after));
                deepstack = DeepstackInput{mask, taps};
            }
        } else {
            embeds = d.decoder()->embed_tokens(ids.slice(1, reuse));
        }
        KvCache kv;
        for (std::size_t l = 0; l < entry.keys.size(); ++l) {
            kv.keys.push_back(entry.keys[l].slice(1, 0, reuse).unsqueeze(0));
            kv.values.push_back(entry.values[l].slice(1, 0, reuse).unsqueeze(0));
        }
        HiddenCapture cap;
        if (!r.capture.empty() && r.capture.lastPromptToken)
            cap.layers = r.capture.layers;
        auto hidden = d.decoder()->forward(embeds, positions, torch::ones({1, P}, longOpts), &kv, cap.layers.empty() ? nullptr : &cap, nullptr,
                                           deepstack ? &*deepstack : nullptr);
        const auto T = hidden.size(1);
        auto logits = d.logits(hidden.select(1, T - 1)).to(torch::kCPU, torch::kFloat32);
        if (!cap.layers.empty()) {
            r.out.promptHidden = lastPosition(cap, r.capture.layers, 0, T);
        }
        r.positionOffset = next[0] - P;
        m_stats.prefillTokens += long(P - reuse);
        m_stats.reusedTokens += long(reuse);
        m_cache.reserve(P, d.info.config.text.maxPositionEmbeddings);
        m_cache.put(int(slot), kv, 0, 0);
        remember(r, kv, 0, 0);
        r.length = P;
        r.images.clear();
        r.images.shrink_to_fit();
        sample(slot, logits[0]);
    } catch (const c10::Error &e) {
        failAll({slot}, std::string("generation failed: ") + e.what_without_backtrace());
    }
}

void Engine::prefillTogether(const std::vector<std::size_t> &group)
{
    ++m_stats.prefills;
    try {
        const auto B = std::int64_t(group.size());
        std::int64_t T = 0;
        for (std::size_t s : group)
            T = std::max<std::int64_t>(T, std::int64_t(m_slots[s]->prompt.size()));
        auto ids = torch::full({B, T}, d.padId(), torch::kInt64);
        auto mask = torch::zeros({B, T}, torch::kInt64);
        std::vector<const RgbImage *> images;
        std::vector<int> perRow;
        std::set<int> layers;
        for (std::int64_t b = 0; b < B; ++b) {
            const Row &r = *m_slots[group[std::size_t(b)]];
            const auto off = T - std::int64_t(r.prompt.size());
            ids[b].slice(0, off).copy_(torch::tensor(std::vector<std::int64_t>(r.prompt.begin(), r.prompt.end()), torch::kInt64));
            mask[b].slice(0, off).fill_(1);
            for (const auto &img : r.images)
                images.push_back(&img);
            perRow.push_back(int(r.images.size()));
            m_stats.prefillTokens += long(r.prompt.size());
            if (!r.capture.empty() && r.capture.lastPromptToken)
                layers.insert(r.capture.layers.begin(), r.capture.layers.end());
        }
        ids = ids.to(d.device);
        mask = mask.to(d.device);
        const auto visual = d.visual(images);
        auto embeds = d.embed(ids, visual.features);
        const auto deepstack = d.deepstack(ids, visual);
        std::vector<std::int64_t> next;
        auto positions = d.positions(ids, mask, images, &next);
        HiddenCapture cap;
        cap.layers.assign(layers.begin(), layers.end());
        std::optional<InterventionInput> edit;
        if (d.intervention)
            edit = d.interventionInput(mask, T, visual.features, d.tokensPerRow(images, perRow));
        KvCache prompt;
        auto hidden = d.decoder()->forward(embeds, positions, mask, m_options.useKvCache ? &prompt : nullptr, cap.layers.empty() ? nullptr : &cap,
                                           edit ? &*edit : nullptr, deepstack ? &*deepstack : nullptr);
        auto logits = d.logits(hidden.select(1, T - 1)).to(torch::kCPU, torch::kFloat32);
        if (m_options.useKvCache) {
            std::int64_t longest = 0;
            for (std::size_t s : group)
                longest = std::max<std::int64_t>(longest, std::int64_t(m_slots[s]->prompt.size()));
            m_cache.reserve(longest, d.info.config.text.maxPositionEmbeddings);
        }
        for (std::int64_t b = 0; b < B; ++b) {
            const std::size_t s = group[std::size_t(b)];
            Row &r = *m_slots[s];
            const auto off = T - std::int64_t(r.prompt.size());
            if (!r.capture.empty() && r.capture.lastPromptToken) {
                r.out.promptHidden = lastPosition(cap, r.capture.layers, b, T);
            }
            if (m_options.useKvCache) {
                m_cache.put(int(s), prompt, b, off);
                remember(r, prompt, b, off);
            } else {
                r.embeds = embeds[b].slice(0, off).clone();
                r.promptPositions = positions.select(-2, b).narrow(-1, off, T - off).clone();
                if (deepstack) { // this row's share of the image rows (row-major order)
                    const auto before = deepstack->mask.slice(0, 0, b).sum().item<std::int64_t>();
                    const auto mine = deepstack->mask[b].sum().item<std::int64_t>();
                    for (const auto &f : deepstack->features)
                        r.deepstack.push_back(f.slice(0, before, before + mine).clone());
                }
            }
            r.positionOffset = next[std::size_t(b)] - std::int64_t(r.prompt.size());
            if (edit)
                r.visual = edit->visual[b].clone();
            r.length = std::int64_t(r.prompt.size());
            r.images.clear();
            r.images.shrink_to_fit();
            sample(s, logits[b]);
        }
    } catch (const c10::Error &e) {
        failAll(group, std::string("generation failed: ") + e.what_without_backtrace());
    }
}

} // namespace sdrt::model::generation
