// What generation keeps of keys and values: the slot cache the engine's rows decode in, and the
// prefix cache's entries with the identities of their positions (GenerateEngine.h, RuntimeImpl.h).

#include "GenerateEngine.h"

#include <torch/torch.h>

#include <algorithm>

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

namespace generation {
namespace {

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

} // namespace

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

void SlotKvCache::reserve(std::int64_t positions, std::int64_t limit)
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

void SlotKvCache::put(int slot, const KvCache &prefill, std::int64_t row, std::int64_t from)
{
    for (std::size_t l = 0; l < m_layers; ++l) {
        const auto k = prefill.keys[l][row].slice(1, from);
        const auto n = k.size(1);
        m_keys[l][slot].slice(1, 0, n).copy_(k);
        m_values[l][slot].slice(1, 0, n).copy_(prefill.values[l][row].slice(1, from));
    }
}

void SlotKvCache::prepare(std::int64_t rows, const torch::Tensor &writePos, std::int64_t attend)
{
    m_rows = torch::arange(rows, writePos.options());
    m_writePos = writePos;
    m_attend = attend;
}

std::pair<torch::Tensor, torch::Tensor> SlotKvCache::store(std::size_t layer, const torch::Tensor &k, const torch::Tensor &v)
{
    using torch::indexing::Slice;
    const auto rows = m_rows.size(0);
    auto keys = m_keys[layer].slice(0, 0, rows);
    auto values = m_values[layer].slice(0, 0, rows);
    keys.index_put_({m_rows, Slice(), m_writePos}, k.select(2, 0));
    values.index_put_({m_rows, Slice(), m_writePos}, v.select(2, 0));
    return {keys.slice(2, 0, m_attend), values.slice(2, 0, m_attend)};
}

} // namespace generation
} // namespace sdrt::model
