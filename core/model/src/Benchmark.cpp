#include "sdrt/model/Benchmark.h"

#include "sdrt/model/CpuLimits.h"
#include "sdrt/model/ImageGrid.h"
#include "sdrt/model/Platform.h"

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>
#include <sys/resource.h>

namespace sdrt::model {
RgbImage benchmarkImage(int size)
{
    return benchmarkImage(size, size);
}

RgbImage benchmarkImage(int width, int height)
{
    RgbImage img;
    img.width = width;
    img.height = height;
    img.pixels.resize(std::size_t(width) * height * 3);
    for (std::size_t i = 0; i < img.pixels.size(); ++i)
        img.pixels[i] = std::uint8_t((i * 37) % 251);
    return img;
}

Expected<std::pair<int, int>, std::string> parseImageSize(const std::string &text)
{
    int w = 0, h = 0;
    char x = 0, rest = 0;
    if (std::sscanf(text.c_str(), "%d%c%d%c", &w, &x, &h, &rest) != 3 || (x != 'x' && x != 'X') || w < 1 || h < 1 || w > 16384 || h > 16384)
        return unexpected("image size \"" + text + "\": give WIDTHxHEIGHT in pixels, e.g. 1344x1008 (1 to 16384 each)");
    return std::make_pair(w, h);
}

std::string benchFiguresJson(const std::string &name, const ModelInfo &info, const ModelBenchFigures &f, double loadSeconds)
{
    const BlasInfo blas = blasInfo();
    const TorchInfo torchI = torchInfo();
    nlohmann::json batches = nlohmann::json::array();
    for (const BatchFigures &b : f.batches)
        batches.push_back({{"batch", b.batch},
                           {"prefill_tokens_per_s", b.prefillTokensPerSecond},
                           {"ttft_ms", b.timeToFirstTokenMs},
                           {"decode_tokens_per_s", b.decodeTokensPerSecond},
                           {"decode_steps_per_s", b.decodeStepsPerSecond},
                           {"bandwidth_share", b.bandwidthShare},
                           {"prefill_gemm_share", b.prefillGemmShare}});
    using GetThreads = int (*)();
    auto blasThreads = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    const nlohmann::json j = {{"model", name},
                              {"runtime", "sdrt"},
                              {"torch", torchI.version},
                              {"device", info.device},
                              {"dtype", info.dtype},
                              {"parameters", f.parameters},
                              {"weight_bytes_per_decode_step", f.decodeWeightBytes},
                              {"load_s", loadSeconds},
                              {"prompt_tokens", f.promptTokens},
                              {"image", std::to_string(f.imageWidth) + "x" + std::to_string(f.imageHeight)},
                              {"image_views", f.imageViews},
                              {"image_tokens", f.imageTokens},
                              {"batches", batches},
                              {"decode_no_cache_b1_tokens_per_s", f.decodeNoCacheTokensPerSecondB1},
                              {"kv_cache_speedup", f.kvCacheSpeedup},
                              {"memory_bandwidth_gb_s", f.memoryBandwidthGBs},
                              {"read_bandwidth_gb_s", f.readBandwidthGBs},
                              {"gemm_peak_gflops", f.gemmPeakGFlops},
                              {"peak_rss_mib", f.peakRssMiB},
                              {"torch_threads", at::get_num_threads()},
                              {"openblas_threads", blasThreads ? blasThreads() : 0},
                              {"blas", blas.library},
                              {"blas_core", blas.core}};
    return j.dump();
}

const BatchFigures *ModelBenchFigures::at(int batch) const
{
    for (const BatchFigures &b : batches)
        if (b.batch == batch)
            return &b;
    return nullptr;
}

double measureCopyBandwidthGBs()
{
    const std::size_t bytes = std::size_t(256) << 20;
    std::vector<char> a(bytes, 1), b(bytes, 0);
    double best = 1e30;
    for (int r = 0; r < 4; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        std::memcpy(r % 2 ? a.data() : b.data(), r % 2 ? b.data() : a.data(), bytes);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    volatile char sink = a[bytes / 2] + b[bytes / 3];
    (void)sink;
    return 2.0 * double(bytes) / best / 1e9;
}

std::int64_t decodeWeightBytes(const ModelInfo &info)
{
    const TextConfig &t = info.config.text;
    const std::int64_t h = t.hiddenSize, q = std::int64_t(t.numHeads) * t.headDim(), kv = std::int64_t(t.numKvHeads) * t.headDim();
    const std::int64_t perLayer = 2 * h * q + 2 * h * kv + 3 * h * t.intermediateSize + 2 * h;
    const std::int64_t params = t.numLayers * perLayer + h + std::int64_t(t.vocabSize) * h;
    const std::int64_t element = (info.dtype == "fp32" || info.dtype == "float32") ? 4 : 2; // fp32, else fp16 / bf16
    return params * element;
}

std::string benchFiguresText(const std::string &name, const ModelInfo &info, const ModelBenchFigures &f, double loadSeconds)
{
    char line[512];
    std::string out;
    std::snprintf(line, sizeof line,
                  "%s on %s %s: %lld parameters, %.1f MiB of weights read per decode step, load %.2f s, prompt %d tokens "
                  "(image %dx%d: %d view(s), %d image tokens), memory bandwidth %.1f GB/s (memcpy, read + write), "
                  "read bandwidth %.1f GB/s (read-only stream), fp32 GEMM peak %.0f GFLOPS (BLAS, 512 rows)\n",
                  name.c_str(), info.device.c_str(), info.dtype.c_str(), static_cast<long long>(f.parameters), f.decodeWeightBytes / 1048576.0,
                  loadSeconds, f.promptTokens, f.imageWidth, f.imageHeight, f.imageViews, f.imageTokens, f.memoryBandwidthGBs, f.readBandwidthGBs,
                  f.gemmPeakGFlops);
    out += line;
    for (const BatchFigures &b : f.batches) {
        std::snprintf(line, sizeof line,
                      "  batch %d: prefill %.0f tok/s (%.1f %% of the GEMM peak) | TTFT %.1f ms | decode %.1f tok/s (%.1f steps/s) | %.1f %% of the "
                      "read-bandwidth limit\n",
                      b.batch, b.prefillTokensPerSecond, 100.0 * b.prefillGemmShare, b.timeToFirstTokenMs, b.decodeTokensPerSecond, b.decodeStepsPerSecond,
                      100.0 * b.bandwidthShare);
        out += line;
    }
    if (f.decodeNoCacheTokensPerSecondB1 > 0) {
        std::snprintf(line, sizeof line, "  decode without KV cache, batch 1: %.1f tok/s (cache speed-up x%.2f)\n", f.decodeNoCacheTokensPerSecondB1,
                      f.kvCacheSpeedup);
        out += line;
    }
    std::snprintf(line, sizeof line, "  peak RSS %.0f MiB\n", f.peakRssMiB);
    return out + line;
}

namespace {

// One generate call timed from inside: the first progress report marks the end of the prefill
// (first token chosen), the last one the end of decoding.
struct Timing {
    double firstToken = 1e30; // seconds from the call to the first token
    double decode = 1e30;     // seconds for the tokens after the first
};

// The best of `repeats` calls of `batch`, after a warm-up call; each computes its prompts whole.
Expected<Timing, std::string> timeGenerate(VlmRuntime &runtime, const std::vector<GenerationRequest> &batch, const SamplingParams &s,
                                           int repeats)
{
    Timing best;
    for (int r = 0; r <= repeats; ++r) {
        std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now(), first = t0, last = t0;
        GenerateCallbacks cb;
        cb.progress = [&](int step, int) {
            const auto now = std::chrono::steady_clock::now();
            if (step == 1)
                first = now;
            last = now;
        };
        runtime.clearPrefixCache();
        auto out = runtime.generate(batch, s, {}, cb);
        for (auto &o : out) {
            if (!o)
                return unexpected(o.error());
        }
        if (r == 0)
            continue; // warm-up
        best.firstToken = std::min(best.firstToken, std::chrono::duration<double>(first - t0).count());
        best.decode = std::min(best.decode, std::chrono::duration<double>(last - first).count());
    }
    return best;
}

// The benchmark's request: an image of the asked size (the vision tower's by default) and text
// of at least params.promptTokens tokens; fills the figures of the prompt and its image.
Expected<GenerationRequest, std::string> benchmarkRequest(VlmRuntime &runtime, const ModelBenchParams &params, ModelBenchFigures &f)
{
    std::string text;
    while (int(runtime.tokenizer().encode(text, false).size()) < params.promptTokens)
        text += " the steel plate has four holes and a crack";
    const LlavaConfig &config = runtime.info().config;
    f.imageWidth = params.imageWidth > 0 ? params.imageWidth : config.vision.imageSize;
    f.imageHeight = params.imageHeight > 0 ? params.imageHeight : config.vision.imageSize;
    const RgbImage image = benchmarkImage(f.imageWidth, f.imageHeight);
    auto tokens = runtime.imageTokens(image);
    auto grid = runtime.imageGrid(image);
    if (!tokens || !grid)
        return unexpected(tokens ? grid.error() : tokens.error());
    f.imageTokens = int(*tokens);
    f.imageViews = config.anyres() ? (*grid)[0] : 1; // LLaVA-NeXT's views; one pass of the image otherwise
    GenerationRequest req = VlmRuntime::chatRequest({image}, "<image>\n" + text);
    auto ids = runtime.promptIds(req);
    if (!ids)
        return unexpected(ids.error());
    f.promptTokens = int(ids->size());
    return req;
}

// A batch's figures from its timing.
BatchFigures batchFigures(int batch, const Timing &t, const ModelBenchParams &params, const ModelBenchFigures &f)
{
    BatchFigures b;
    b.batch = batch;
    b.timeToFirstTokenMs = t.firstToken * 1000.0;
    b.prefillTokensPerSecond = double(batch) * f.promptTokens / t.firstToken;
    b.decodeStepsPerSecond = params.decodeTokens / t.decode;
    b.decodeTokensPerSecond = batch * b.decodeStepsPerSecond;
    // Decode reads the weights once a step: its share of the read stream's speed.
    b.bandwidthShare = f.readBandwidthGBs > 0 ? double(f.decodeWeightBytes) * b.decodeStepsPerSecond / (f.readBandwidthGBs * 1e9) : 0;
    // The prompt pass: the decoder's matrix products over every prompt position of every row
    // (attention scores and the vision tower left out), against the many-row GEMM peak.
    const double decoderParams = double(f.decodeWeightBytes) / f.weightElementBytes - double(f.headParameters);
    const double prefillFlops = 2.0 * decoderParams * f.promptTokens * batch;
    b.prefillGemmShare = f.gemmPeakGFlops > 0 ? prefillFlops / t.firstToken / (f.gemmPeakGFlops * 1e9) : 0;
    return b;
}

} // namespace

Expected<ModelBenchFigures, std::string> benchmarkModel(VlmRuntime &runtime, const ModelBenchParams &params)
{
    ModelBenchFigures f;
    f.parameters = runtime.info().parameters;
    f.decodeWeightBytes = decodeWeightBytes(runtime.info());
    auto req = benchmarkRequest(runtime, params, f);
    if (!req)
        return unexpected(req.error());
    SamplingParams dec = SamplingParams::greedy(params.decodeTokens + 1);
    dec.stopAtEos = false;
    f.memoryBandwidthGBs = measureCopyBandwidthGBs();
    f.readBandwidthGBs = measureReadBandwidthGBs();
    const TextConfig &text = runtime.info().config.text;
    f.gemmPeakGFlops = measureGemmPeakGFlops(text.hiddenSize, text.hiddenSize);
    f.weightElementBytes = (runtime.info().dtype == "fp32" || runtime.info().dtype == "float32") ? 4 : 2;
    f.headParameters = std::int64_t(text.vocabSize) * text.hiddenSize;
    for (int batch : params.batches) {
        if (batch < 1)
            return unexpected("batch sizes must be 1 or more (got " + std::to_string(batch) + ")");
        auto t = timeGenerate(runtime, std::vector<GenerationRequest>(std::size_t(batch), *req), dec, params.repeats);
        if (!t)
            return unexpected(t.error());
        f.batches.push_back(batchFigures(batch, *t, params, f));
    }
    if (params.noCacheBaseline) {
        SamplingParams noCache = dec;
        noCache.useKvCache = false;
        auto nc = timeGenerate(runtime, {*req}, noCache, params.repeats);
        if (!nc)
            return unexpected(nc.error());
        f.decodeNoCacheTokensPerSecondB1 = params.decodeTokens / nc->decode;
        if (const BatchFigures *b1 = f.at(1))
            f.kvCacheSpeedup = b1->decodeTokensPerSecond / f.decodeNoCacheTokensPerSecondB1;
    }
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    f.peakRssMiB = ru.ru_maxrss / 1024.0;
    return f;
}

} // namespace sdrt::model
