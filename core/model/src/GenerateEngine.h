#pragma once
// The continuous-batching generation engine (VlmRuntime::generateStream, generate): its rows,
// its slot cache and its loop. Private to core/model; the engine's own parts live in
// Generate.cpp (the loop: admitting requests, sampling, handing results over),
// GeneratePrefill.cpp (the prompt passes), GenerateDecode.cpp (the decode steps) and
// GenerateCache.cpp (the slot cache, and the prefix cache's keys).
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
//
// Thread rule: an Engine runs inside one generateStream() call, on its caller's thread.

#include "RuntimeImpl.h"
#include "sdrt/model/IncrementalDecoder.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <optional>

namespace sdrt::model::generation {

// Shorter shared beginnings are not worth a pass of their own.
constexpr std::int64_t kMinReuse = 8;

// Each prompt position's identity for the prefix cache: its token id, or for the i-th position
// of an image's block a mix of the image's hash and i (high bit set: never a token id).
std::vector<std::uint64_t> positionIds(const std::vector<int> &prompt, int imageToken, const VlmRuntime::Impl &d,
                                       const std::vector<RgbImage> &images);

class SlotKvCache final : public KvStore {
public:
    SlotKvCache(int layers, int slots, int kvHeads, int headDim, torch::TensorOptions options)
        : m_layers(std::size_t(layers)), m_slots(slots), m_kvHeads(kvHeads), m_headDim(headDim), m_options(options)
    {
    }

    // Storage for at least `positions` per row: grows to max(positions, 2 x capacity, capped at
    // `limit`), copying what is stored once.
    void reserve(std::int64_t positions, std::int64_t limit);
    std::int64_t capacity() const { return m_capacity; }
    // Row `row` of a prefill's cache, positions from..end, into `slot` at 0.
    void put(int slot, const KvCache &prefill, std::int64_t row, std::int64_t from);
    // The next forward covers slots 0..rows-1, writes each one's key at writePos[slot] ([rows],
    // int64, on the device) and attends over positions 0..attend-1.
    void prepare(std::int64_t rows, const torch::Tensor &writePos, std::int64_t attend);

    std::int64_t pastLength() const override { return m_attend - 1; }
    std::pair<torch::Tensor, torch::Tensor> store(std::size_t layer, const torch::Tensor &k, const torch::Tensor &v) override;

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

// A request in a slot, from its admission to its result.
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

    // Until the stream has nothing waiting and every row has ended (or cancel).
    void run();

private:
    // --- The loop (Generate.cpp) ---
    bool anyRow() const;
    // Why the request cannot run, or empty.
    std::string check(const StreamRequest &r, const std::vector<int> &ids) const;
    // Fills free slots with waiting requests and runs their prompts; true when a row sampled.
    bool admit();
    // The row's next token from its logits [V].
    void sample(std::size_t slot, const torch::Tensor &logitsRow);
    // Hands the row's result over and frees its slot.
    void finish(std::size_t slot);
    void failAll(const std::vector<std::size_t> &slots, const std::string &message);

    // --- Prompt passes (GeneratePrefill.cpp) ---
    bool reusesPrefixes() const { return m_options.useKvCache && d.prefixes.enabled() && !d.intervention; }
    // The prompts of newly admitted rows: a row that begins like a cached prompt computes only
    // the rest, alone; the others run left-padded in one forward.
    void prefill(const std::vector<std::size_t> &group);
    // Keeps row `row` of a prompt pass's cache (positions from..end) for later prompts.
    void remember(const Row &r, const KvCache &kv, std::int64_t row, std::int64_t from);
    // A row whose first `reuse` positions are those of `entry`: only the rest runs.
    void prefillAfter(std::size_t slot, const PrefixCache::Entry &entry, std::int64_t reuse);
    // Rows without a cached beginning, left-padded into one forward.
    void prefillTogether(const std::vector<std::size_t> &group);

    // --- Decode steps (GenerateDecode.cpp) ---
    // One step for every row: feeds its newest token.
    void decode();
    torch::Tensor decodeCached(const std::vector<std::size_t> &rows, HiddenCapture *capture, std::vector<std::int64_t> &at);
    // Every position of every row again (the benchmark baseline).
    torch::Tensor decodeUncached(const std::vector<std::size_t> &rows, HiddenCapture *capture, std::vector<std::int64_t> &at);
    // A decode step's intervention inputs: slots 0..n-1 (n > 0), or the given rows in order.
    InterventionInput interventionInput(std::int64_t n, const std::vector<std::size_t> &rows) const;

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

} // namespace sdrt::model::generation
