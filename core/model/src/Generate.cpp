// Generation: the continuous-batching engine and generate() on top of it.
//
// A few slots decode together. Each round: free slots take the next waiting requests (their
// prompts run through the model together, between the others' decode steps), then one decode
// step feeds every row's newest token, then every row samples. A row that ends hands its result
// over at once and frees its slot for the next request, so no row waits for the longest one.
//
// The keys and values live in a slot cache: per layer one tensor [slots, kvHeads, capacity,
// headDim] reserved ahead (doubling when a row outgrows it), each row written from position 0
// up to its own length. A decode step writes one position per row and attends over the first
// max(length)+1 positions of the storage (a view), masking what lies past a row's own length,
// so no step copies earlier entries. Rows keep the absolute positions they would have alone;
// masked keys get exactly zero weight, so a row's tokens are those of generating it alone (its
// log-probabilities equal up to float rounding: the products have other shapes).

#include "RuntimeImpl.h"
#include "sdrt/model/IncrementalDecoder.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

namespace sdrt::model {

std::pair<const PrefixCache::Entry *, std::int64_t> PrefixCache::find(const std::vector<std::uint64_t> &ids)
{
    Entry *best = nullptr;
    std::int64_t length = 0;
    for (Entry &e : m_entries) {
        const auto n = std::min(e.ids.size(), ids.size());
        std::size_t k = 0;
        while (k < n && e.ids[k] == ids[k])
            ++k;
        if (std::int64_t(k) > length) {
            best = &e;
            length = std::int64_t(k);
        }
    }
    if (best)
        best->lastUse = ++m_clock;
    return {best, length};
}

void PrefixCache::insert(const std::vector<std::uint64_t> &ids, std::vector<torch::Tensor> keys, std::vector<torch::Tensor> values)
{
    for (Entry &e : m_entries) {
        if (e.ids.size() >= ids.size() && std::equal(ids.begin(), ids.end(), e.ids.begin())) {
            e.lastUse = ++m_clock;
            return;
        }
    }
    std::int64_t bytes = 0;
    for (std::size_t l = 0; l < keys.size(); ++l)
        bytes += 2 * keys[l].numel() * std::int64_t(keys[l].element_size());
    if (bytes > m_budget)
        return;
    while (!m_entries.empty() && m_bytes + bytes > m_budget) {
        auto oldest = std::min_element(m_entries.begin(), m_entries.end(), [](const Entry &a, const Entry &b) { return a.lastUse < b.lastUse; });
        m_bytes -= oldest->bytes;
        m_entries.erase(oldest);
    }
    m_entries.push_back({ids, std::move(keys), std::move(values), bytes, ++m_clock});
    m_bytes += bytes;
}

namespace {

// Shorter shared beginnings are not worth a pass of their own.
constexpr std::int64_t kMinReuse = 8;

// 64-bit FNV-1a over an image's size and pixels.
std::uint64_t imageHash(const RgbImage &img)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&h](std::uint64_t byte) {
        h ^= byte;
        h *= 0x100000001b3ull;
    };
    for (int v : {img.width, img.height})
        for (int i = 0; i < 4; ++i)
            mix(std::uint64_t((v >> (8 * i)) & 0xff));
    for (std::uint8_t b : img.pixels)
        mix(b);
    return h;
}

// Each prompt position's identity for the prefix cache: its token id, or for the i-th position
// of an image's block a mix of the image's hash and i (high bit set: never a token id).
std::vector<std::uint64_t> positionIds(const std::vector<int> &prompt, int imageToken, const VlmRuntime::Impl &d,
                                       const std::vector<RgbImage> &images)
{
    std::vector<std::uint64_t> out;
    out.reserve(prompt.size());
    std::size_t image = 0;
    int inBlock = 0, perImage = 0;
    std::uint64_t hash = 0;
    for (int id : prompt) {
        if (id != imageToken) {
            out.push_back(std::uint64_t(std::uint32_t(id)));
            continue;
        }
        if (inBlock == 0) {
            hash = image < images.size() ? imageHash(images[image]) : 0;
            auto n = image < images.size() ? d.imageTokens(images[image]) : Expected<std::int64_t, std::string>(std::int64_t(0));
            perImage = n ? int(*n) : 0;
        }
        out.push_back((hash ^ (0x9E3779B97F4A7C15ull * std::uint64_t(inBlock + 1))) | (1ull << 63));
        if (++inBlock >= perImage) {
            inBlock = 0;
            ++image;
        }
    }
    return out;
}

// Row `row`'s captured states at `layers`, at the last of a forward's T positions.
HiddenStates lastPosition(const HiddenCapture &cap, const std::vector<int> &layers, std::int64_t row, std::int64_t T)
{
    std::vector<torch::Tensor> perLayer;
    for (int l : layers)
        perLayer.push_back(cap.states.at(l)[row].slice(0, T - 1, T));
    return packHidden(layers, perLayer);
}

class SlotKvCache final : public KvStore {
public:
    SlotKvCache(int layers, int slots, int kvHeads, int headDim, torch::TensorOptions options)
        : m_layers(std::size_t(layers)), m_slots(slots), m_kvHeads(kvHeads), m_headDim(headDim), m_options(options)
    {
    }

    // Storage for at least `positions` per row: grows to max(positions, 2 x capacity, capped at
    // `limit`), copying what is stored once.
    void reserve(std::int64_t positions, std::int64_t limit)
    {
        if (positions <= m_capacity)
            return;
        const std::int64_t capacity = std::max(positions, std::min(2 * m_capacity, limit));
        for (std::size_t l = 0; l < m_layers; ++l) {
            // Zeros, not empty: a masked key gets weight 0, and 0 times a NaN of uninitialised
            // memory would still be NaN.
            auto k = torch::zeros({m_slots, m_kvHeads, capacity, m_headDim}, m_options);
            auto v = torch::zeros_like(k);
            if (m_capacity > 0) {
                k.slice(2, 0, m_capacity).copy_(m_keys[l]);
                v.slice(2, 0, m_capacity).copy_(m_values[l]);
            }
            if (m_keys.size() <= l) {
                m_keys.push_back(k);
                m_values.push_back(v);
            } else {
                m_keys[l] = k;
                m_values[l] = v;
            }
        }
        m_capacity = capacity;
    }
    std::int64_t capacity() const { return m_capacity; }

    // Row `row` of a prefill's cache, positions from..end, into `slot` at 0.
    void put(int slot, const KvCache &prefill, std::int64_t row, std::int64_t from)
    {
        for (std::size_t l = 0; l < m_layers; ++l) {
            const auto k = prefill.keys[l][row].slice(1, from);
            const auto n = k.size(1);
            m_keys[l][slot].slice(1, 0, n).copy_(k);
            m_values[l][slot].slice(1, 0, n).copy_(prefill.values[l][row].slice(1, from));
        }
    }

    // The next forward covers slots 0..rows-1, writes each one's key at writePos[slot] ([rows],
    // int64, on the device) and attends over positions 0..attend-1.
    void prepare(std::int64_t rows, const torch::Tensor &writePos, std::int64_t attend)
    {
        m_rows = torch::arange(rows, writePos.options());
        m_writePos = writePos;
        m_attend = attend;
    }

    std::int64_t pastLength() const override { return m_attend - 1; }

    std::pair<torch::Tensor, torch::Tensor> store(std::size_t layer, const torch::Tensor &k, const torch::Tensor &v) override
    {
        using torch::indexing::Slice;
        const auto rows = m_rows.size(0);
        auto keys = m_keys[layer].slice(0, 0, rows);
        auto values = m_values[layer].slice(0, 0, rows);
        keys.index_put_({m_rows, Slice(), m_writePos}, k.select(2, 0));
        values.index_put_({m_rows, Slice(), m_writePos}, v.select(2, 0));
        return {keys.slice(2, 0, m_attend), values.slice(2, 0, m_attend)};
    }

private:
    std::size_t m_layers;
    std::int64_t m_slots, m_kvHeads, m_headDim;
    torch::TensorOptions m_options;
    std::vector<torch::Tensor> m_keys, m_values;
    std::int64_t m_capacity = 0;
    torch::Tensor m_rows, m_writePos;
    std::int64_t m_attend = 0;
};

// Adds the seconds of its lifetime to `to`.
class Timer {
public:
    explicit Timer(double &to) : m_to(to), m_start(std::chrono::steady_clock::now()) {}
    ~Timer() { m_to += std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count(); }

private:
    double &m_to;
    std::chrono::steady_clock::time_point m_start;
};

struct Row {
    std::size_t tag = 0;
    SamplingParams sampling;
    HiddenCaptureSpec capture;
    std::vector<int> prompt; // ids after image expansion
    std::vector<RgbImage> images; // until its prompt has run
    std::vector<std::uint64_t> positionIds; // the prompt positions' identities (prefix cache)
    Sampler sampler;
    IncrementalDecoder text; // out.text is set from it when the row ends
    GenerationOutput out;
    bool done = false;
    bool pendingFeed = false;          // the last sampled token is not yet fed through the model
    std::vector<torch::Tensor> hidden; // per generated token: [layers, D]
    std::string error;                 // set: the row failed
    std::int64_t length = 0;           // positions in the cache (prompt + tokens fed)
    // The rotary position of cache position p is p + positionOffset (a family whose prompt
    // positions run ahead of its token count, such as Qwen3-VL's images, has an offset).
    std::int64_t positionOffset = 0;
    torch::Tensor promptPositions; // without a KV cache: the prompt's positions ([P] or [3, P])
    std::vector<torch::Tensor> deepstack; // without a KV cache: the DeepStack features of its image tokens, per tap
    torch::Tensor embeds;              // without a KV cache: every position's input embedding [n, D]
    torch::Tensor visual;              // with an intervention: the pooled visual tokens [D]

    bool capturesGenerated() const { return !capture.empty() && capture.generatedTokens; }
};

class Engine {
public:
    Engine(VlmRuntime::Impl &d, const GenerationStream &stream, const EngineOptions &options, const GenerateCallbacks &callbacks)
        : d(d), m_stream(stream), m_options(options), m_callbacks(callbacks), m_slots(std::size_t(std::max(1, options.slots))),
          m_cache(d.info.config.text.numLayers, std::max(1, options.slots), d.info.config.text.numKvHeads, d.info.config.text.headDim(),
                  torch::TensorOptions().dtype(d.dtype).device(d.device))
    {
    }

    const EngineStats &stats() const { return m_stats; }

    void run()
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

private:
    bool anyRow() const
    {
        return std::any_of(m_slots.begin(), m_slots.end(), [](const std::optional<Row> &r) { return r.has_value(); });
    }

    // Why the request cannot run, or empty.
    std::string check(const StreamRequest &r, const std::vector<int> &ids) const
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

    // Fills free slots with waiting requests and runs their prompts; true when a row sampled.
    bool admit()
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

    bool reusesPrefixes() const { return m_options.useKvCache && d.prefixes.enabled() && !d.intervention; }

    // The prompts of newly admitted rows: a row that begins like a cached prompt computes only
    // the rest, alone; the others run left-padded in one forward.
    void prefill(const std::vector<std::size_t> &group)
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

    // Keeps row `row` of a prompt pass's cache (positions from..end) for later prompts.
    void remember(const Row &r, const KvCache &kv, std::int64_t row, std::int64_t from)
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

    // A row whose first `reuse` positions are those of `entry`: only the rest runs.
    void prefillAfter(std::size_t slot, const PrefixCache::Entry &entry, std::int64_t reuse)
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

    // Rows without a cached beginning, left-padded into one forward.
    void prefillTogether(const std::vector<std::size_t> &group)
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

    // One step for every row: feeds its newest token.
    void decode()
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

    torch::Tensor decodeCached(const std::vector<std::size_t> &rows, HiddenCapture *capture, std::vector<std::int64_t> &at)
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

    // Every position of every row again (the benchmark baseline).
    torch::Tensor decodeUncached(const std::vector<std::size_t> &rows, HiddenCapture *capture, std::vector<std::int64_t> &at)
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

    // A decode step's intervention inputs: slots 0..n-1 (n > 0), or the given rows in order.
    InterventionInput interventionInput(std::int64_t n, const std::vector<std::size_t> &rows) const
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

    // The row's next token from its logits [V].
    void sample(std::size_t slot, const torch::Tensor &logitsRow)
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

    // Hands the row's result over and frees its slot.
    void finish(std::size_t slot)
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

    void failAll(const std::vector<std::size_t> &slots, const std::string &message)
    {
        for (std::size_t s : slots) {
            if (!m_slots[s])
                continue;
            m_slots[s]->error = message;
            finish(s);
        }
    }

    VlmRuntime::Impl &d;
    const GenerationStream &m_stream;
    EngineOptions m_options;
    const GenerateCallbacks &m_callbacks;
    std::vector<std::optional<Row>> m_slots;
    SlotKvCache m_cache;
    EngineStats m_stats;
    int m_maxNewTokens = 0;
    bool m_cancelled = false;
};

} // namespace

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
    Engine e(*d, stream, engine, callbacks);
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
