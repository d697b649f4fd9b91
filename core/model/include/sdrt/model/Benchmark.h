#pragma once
// Figures for `sdrt bench model`: throughput and latency of the runtime on one model folder
// (any checkpoint, or the random configs it makes itself), per batch size, and how close decode
// comes to the memory-bandwidth limit.

#include "sdrt/common/Expected.h"
#include "sdrt/model/Runtime.h"

#include <string>
#include <vector>

namespace sdrt::model {

struct ModelBenchParams {
    int promptTokens = 128;           // text tokens after the image
    int decodeTokens = 32;
    std::vector<int> batches{1, 8};   // batch sizes measured
    int repeats = 2;                  // best of, after one warm-up call
    bool noCacheBaseline = true;      // also decode batch 1 without the KV cache
    // The prompt's image, width x height in pixels; 0: a square at the vision tower's size.
    // LLaVA-NeXT turns a large one into several views and thousands of image tokens.
    int imageWidth = 0, imageHeight = 0;
};

struct BatchFigures {
    int batch = 1;
    double prefillTokensPerSecond = 0; // prompt tokens of the whole batch / time to first token
    double timeToFirstTokenMs = 0;
    double decodeTokensPerSecond = 0;  // generated tokens of the whole batch per second
    double decodeStepsPerSecond = 0;
    double bandwidthShare = 0;         // decode weight traffic / measured read bandwidth
    double prefillGemmShare = 0;       // the prompt pass's decoder products (2·params·tokens) / fp32 GEMM peak
};

struct ModelBenchFigures {
    std::int64_t parameters = 0;
    std::int64_t decodeWeightBytes = 0; // weights one decode step reads (decoder + LM head, runtime dtype)
    int promptTokens = 0;               // incl. image tokens
    int imageWidth = 0, imageHeight = 0;
    int imageTokens = 0;                // of the prompt's image
    int imageViews = 1;                 // vision-tower passes of the prompt's image
    std::vector<BatchFigures> batches;
    double decodeNoCacheTokensPerSecondB1 = 0; // 0 when not measured
    double kvCacheSpeedup = 0;                 // decode with / without cache, batch 1
    double memoryBandwidthGBs = 0;             // measured: memcpy traffic (read + write) per second
    double readBandwidthGBs = 0;               // measured: a read-only stream (the limit decode is set against)
    double gemmPeakGFlops = 0;                 // measured: fp32 BLAS at 512 rows on a hidden × hidden weight
    int weightElementBytes = 4;                // of the runtime's dtype
    std::int64_t headParameters = 0;           // the LM head's (read by decode, not by the prompt's positions)
    double peakRssMiB = 0;                     // of the process so far
    // The first batch's figures with this batch size, or null.
    const BatchFigures *at(int batch) const;
};

Expected<ModelBenchFigures, std::string> benchmarkModel(VlmRuntime &runtime, const ModelBenchParams &params);
// The figures as one JSON object (the line `sdrt bench model --json` prints), with the load
// time, the thread settings and the BLAS core, to set side by side with other runtimes.
std::string benchFiguresJson(const std::string &name, const ModelInfo &info, const ModelBenchFigures &figures, double loadSeconds);
// The same as lines for people: a summary line, one line per batch size, the no-cache baseline
// and the peak RSS, each ending in a newline.
std::string benchFiguresText(const std::string &name, const ModelInfo &info, const ModelBenchFigures &figures, double loadSeconds);
// A deterministic RGB test pattern of size × size (the benchmark's and the device check's image).
RgbImage benchmarkImage(int size);
RgbImage benchmarkImage(int width, int height);
// "WxH" → (width, height); an error naming the text otherwise.
Expected<std::pair<int, int>, std::string> parseImageSize(const std::string &text);
// Best of a few copies of a 256 MiB buffer: bytes read plus bytes written per second, in GB/s.
double measureCopyBandwidthGBs();
// Bytes of the weights one decode step reads (the decoder layers, final norm and LM head) in
// the runtime's dtype; the vision tower and projector run at prefill only.
std::int64_t decodeWeightBytes(const ModelInfo &info);

} // namespace sdrt::model
