#pragma once
// The VLM runtime façade: load a Hugging Face LLaVA folder, generate in batches with a KV
// cache, score a given continuation (teacher forcing), capture decoder hidden states.
// No torch types here, so the teacher, the CLI and the GUI include it cheaply.
//
// Thread rule: one VlmRuntime serves one thread at a time (it sets InferenceMode itself).

#include "sdrt/common/Expected.h"
#include "sdrt/model/ChatTemplate.h"
#include "sdrt/model/ModelConfig.h"
#include "sdrt/model/Qwen3Vl.h"
#include "sdrt/model/Sampling.h"
#include "sdrt/model/Tokenizer.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sdrt::model {

// An edit of the decoder's residual stream inside the forward (the SDRT student's modules);
// declared in the runtime's private LlavaModel.h, made by core/distill.
class DecoderIntervention;

struct RgbImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels; // RGB, 8 bits, row-major, width*height*3
};

struct GenerationRequest {
    std::vector<RgbImage> images;
    // What the model reads: `chat`, rendered by the checkpoint's chat template
    // (ChatTemplate::render), or without it `prompt` as it is, with the model's image token once
    // per image (raw prompts, tests).
    std::string prompt;
    std::optional<ChatTurn> chat;
    // The request's own random stream; without it, derived from SamplingParams::seed and the
    // request's place in the batch. Set it to regenerate a request alone or in any batch.
    std::optional<std::uint64_t> seed = std::nullopt;
};

// Decoder layers in Hugging Face numbering (0: embeddings, L: final normed output).
struct HiddenCaptureSpec {
    std::vector<int> layers;
    bool lastPromptToken = false; // the prompt's last position
    bool generatedTokens = false; // the positions of the generated tokens (as inputs)
    bool empty() const { return layers.empty() || (!lastPromptToken && !generatedTokens); }
};

// values[(layer * positions + position) * hiddenSize + d], float32.
struct HiddenStates {
    std::vector<int> layers;
    int positions = 0;
    int hiddenSize = 0;
    std::vector<float> values;
};

struct GenerationOutput {
    std::string text;               // generated text, cut before a stop string
    std::vector<int> tokens;        // generated token ids (stop string included, EOS not)
    std::vector<float> logprobs;    // per generated token, under the model distribution
    int promptTokens = 0;           // after image expansion
    std::string finishReason;       // eos | stop | length | cancelled
    HiddenStates promptHidden;      // last prompt token, when asked
    HiddenStates generatedHidden;   // generated tokens, when asked
    double meanLogprob() const;
};

struct ScoreOutput {
    std::vector<int> tokens;     // the continuation's ids
    std::vector<float> logprobs; // log p(token_i | prompt, tokens_<i)
    HiddenStates hidden;         // at the continuation's positions (as inputs)
};

struct GenerateCallbacks {
    std::function<void(int step, int maxSteps)> progress;
    const std::atomic_bool *cancel = nullptr;
};

// Continuous batching: a generation engine of a few slots pulls a request into a slot as soon
// as one is free (its prefill runs between the others' decode steps) and hands each result over
// as soon as its row ends, so a batch never waits for its longest row. `done` may queue further
// requests (a follow-up step), which `next` then returns.
struct StreamRequest {
    GenerationRequest request;
    SamplingParams sampling;  // per request (maxNewTokens, stops, temperature; useKvCache is the engine's)
    HiddenCaptureSpec capture;
    std::uint64_t seed = 0;   // its random stream (request.seed, when set, wins)
    std::size_t tag = 0;      // the caller's name for it, given back with the result
};

struct GenerationStream {
    // The next waiting request, or false when none is waiting now.
    std::function<bool(StreamRequest &)> next;
    std::function<void(std::size_t tag, Expected<GenerationOutput, std::string> result)> done;
};

struct EngineOptions {
    int slots = 8;           // rows decoded together
    bool useKvCache = true;  // false: recompute every row's whole sequence each step (benchmarks)
};

// Where an engine's time went (for benchmarks and run summaries).
struct EngineStats {
    double prefillSeconds = 0, decodeSeconds = 0;
    long prefills = 0;        // prompt passes (several admitted rows can share one)
    long prefillRows = 0;
    long prefillTokens = 0;   // prompt positions computed
    long reusedTokens = 0;    // prompt positions taken from the prefix cache instead
    long decodeSteps = 0;
    long rowSteps = 0;        // rows fed, summed over the steps (tokens decoded)
    long slotSteps = 0;       // slots the steps ran (rows plus free slots among them)
    EngineStats &operator+=(const EngineStats &o);
    double rowsPerStep() const { return decodeSteps ? double(rowSteps) / double(decodeSteps) : 0.0; }
};

struct RuntimeOptions {
    std::string device = "auto"; // cpu | cuda[:N] | auto
    std::string dtype = "auto";  // auto (fp32 on CPU, bf16 on CUDA) | fp32 | fp16 | bf16
    int threads = 0;             // compute threads (configureThreads); 0: the number of cores
    // Policy: views that run through the vision tower together (an image is one view; with
    // LLaVA-NeXT, 1 + its grid's; an image's views stay in one pass). A batch of requests can
    // hold many; this bounds the activation memory of one pass; the features do not depend on it.
    int imageChunk = 16;
    // Policy: memory for the keys and values of recent prompts, so a prompt that begins like one
    // before (the same images and text: every prompt and both steps of a teacher run on one
    // item) computes only what follows the shared part. 0: off.
    int prefixCacheMiB = 512;
    // On the CPU, load refuses a model whose estimate (estimateMemory) exceeds this; 0: the
    // memory available on the machine (MemAvailable).
    int memoryBudgetMiB = 0;
};

// What a model takes in memory: its weights in the runtime's dtype, and the keys, values and
// activations of one prompt of up to 4,096 tokens (its context, when shorter).
struct MemoryEstimate {
    std::int64_t parameters = 0;
    int bytesPerParameter = 4;
    std::int64_t weightBytes = 0;
    int contextTokens = 0;
    std::int64_t workingBytes = 0;
    std::int64_t totalBytes = 0;
};
// `parameters`: the network's count when it is not the LLaVA config's (another family).
MemoryEstimate estimateMemory(const LlavaConfig &config, const std::string &dtype, std::int64_t parameters = 0);
// MemAvailable of /proc/meminfo in bytes (0 where unknown).
std::int64_t availableMemoryBytes();

struct ModelInfo {
    std::string dir;
    LlavaConfig config;
    PreprocessorConfig preprocessor;
    ChatTemplate chatTemplate; // the checkpoint's, or its architecture's default (source() says which)
    // The family: "LLaVA 1.5", "LLaVA-NeXT" or "Qwen3-VL". For Qwen3-VL, `config` holds its
    // decoder's shape (text, image_token_index) and these its own configuration.
    std::string family;
    std::optional<Qwen3VlConfig> qwen3vl;
    Qwen3VlProcessorConfig qwen3vlProcessor;
    std::int64_t parameters = 0;
    std::string device;
    std::string dtype;
    int tokenizerVocab = 0;
    std::vector<std::string> weightFiles;
};

class VlmRuntime {
public:
    // Loads config.json, preprocessor_config.json, tokenizer.model (+ added tokens) and the
    // safetensors weights (single file or shards); every problem is one clear message.
    static Expected<std::unique_ptr<VlmRuntime>, std::string> load(const std::string &dir, const RuntimeOptions &options = {});
    // What load() checks without building the model or reading the weights' data: config,
    // preprocessor, tokenizer, and every safetensors file's header (offsets, dtypes, sizes), with
    // the same messages. `parameters` counts the stored tensors' elements. For registering a
    // model folder cheaply, whatever its size.
    static Expected<ModelInfo, std::string> inspect(const std::string &dir);
    ~VlmRuntime();

    const ModelInfo &info() const;
    const Tokenizer &tokenizer() const;
    // A request for the user turn `user` with its images marked "<image>" (partsFromMarkedText),
    // rendered through the model's chat template when it runs.
    static GenerationRequest chatRequest(std::vector<RgbImage> images, const std::string &user, const std::string &assistantPrefix = {});
    // An image's grid as the family counts it (Qwen3-VL: t, h, w in patches; LLaVA: views, patch
    // rows, patch columns) and the tokens it becomes in the decoder's input.
    Expected<std::array<int, 3>, std::string> imageGrid(const RgbImage &image) const;
    Expected<std::int64_t, std::string> imageTokens(const RgbImage &image) const;
    // The text the model reads for `request` (its chat turn rendered, or its raw prompt).
    Expected<std::string, std::string> promptText(const GenerationRequest &request) const;

    // Batch generation through the continuous-batching engine, at most `maxBatch` rows at once
    // (0: every request at once). Each result is that of the request generated alone with the
    // same seed (up to float rounding). A request that cannot run (image count, context length)
    // fails alone; the others run. Cancelled: rows in flight end "cancelled" with what they
    // have, requests not started come back "cancelled" and empty.
    std::vector<Expected<GenerationOutput, std::string>> generate(const std::vector<GenerationRequest> &requests,
                                                                  const SamplingParams &sampling,
                                                                  const HiddenCaptureSpec &capture = {},
                                                                  const GenerateCallbacks &callbacks = {}, int maxBatch = 0);

    // The engine itself: runs until `stream` has nothing waiting and every row has ended.
    // progress(step, maxNewTokens) follows every sampling round (the first marks the first
    // tokens); cancel ends the rows in flight "cancelled" and pulls no more requests.
    EngineStats generateStream(const GenerationStream &stream, const EngineOptions &engine, const GenerateCallbacks &callbacks = {});

    // Teacher forcing: log-probabilities (and hidden states) of `continuation` after the prompt.
    Expected<ScoreOutput, std::string> score(const GenerationRequest &prompt, const std::vector<int> &continuation,
                                             const HiddenCaptureSpec &capture = {});
    // The same for several prompts at once: one left-padded forward pass. Each row's values equal
    // score() of that row alone (up to float rounding); a row that cannot be scored fails alone.
    // With an intervention set, rows are scored one at a time (its positions follow one prompt end).
    std::vector<Expected<ScoreOutput, std::string>> scoreBatch(const std::vector<GenerationRequest> &prompts,
                                                               const std::vector<std::vector<int>> &continuations,
                                                               const HiddenCaptureSpec &capture = {});

    // Every later generate() and score() runs through this intervention (nullptr: none, the
    // base model as loaded). The base weights are untouched.
    void setIntervention(std::shared_ptr<DecoderIntervention> intervention);
    bool hasIntervention() const;

    // Forgets the cached prompt beginnings (RuntimeOptions::prefixCacheMiB), so the next
    // prompts are computed whole (benchmarks of the prompt pass).
    void clearPrefixCache();

    // Writes the model folder (config, preprocessor, tokenizer files and model.safetensors).
    Expected<void, std::string> save(const std::string &dir) const;

    // Prompt token ids after image expansion (for tests and token accounting).
    Expected<std::vector<int>, std::string> promptIds(const GenerationRequest &request) const;

    struct Impl;

private:
    friend struct RuntimeAccess; // the runtime's own training code (src/RuntimeImpl.h)
    explicit VlmRuntime(std::unique_ptr<Impl> impl);
    static Expected<void, std::string> checkFolder(const std::string &dir, Impl &impl);
    static Expected<void, std::string> checkQwen3VlFolder(const std::string &dir, Impl &impl);
    std::unique_ptr<Impl> d;
};

// Gives `threads` compute threads (0: the number of cores) to where the matrix products run:
// with OpenBLAS, OpenBLAS's threads (unless OPENBLAS_NUM_THREADS is set) and one LibTorch
// intra-op thread; otherwise LibTorch's intra-op pool. Returns the compute threads.
int configureThreads(int threads);

} // namespace sdrt::model
