#pragma once
// Figures for `sdrt bench model`: throughput and latency of the runtime on one model folder.

#include "sdrt/common/Expected.h"
#include "sdrt/model/Runtime.h"

#include <string>

namespace sdrt::model {

struct ModelBenchParams {
    int promptTokens = 128; // text tokens after the image
    int decodeTokens = 32;
    int repeats = 2;        // best of
};

struct ModelBenchFigures {
    std::int64_t parameters = 0;
    int promptTokens = 0;            // incl. image tokens
    double prefillTokensPerSecond = 0;
    double timeToFirstTokenMs = 0;
    double decodeTokensPerSecondB1 = 0;
    double decodeTokensPerSecondB8 = 0;
    double decodeNoCacheTokensPerSecondB1 = 0;
    double kvCacheSpeedup = 0;       // decode with / without cache, batch 1
    double peakRssMiB = 0;           // of the process so far
};

Expected<ModelBenchFigures, std::string> benchmarkModel(VlmRuntime &runtime, const ModelBenchParams &params);

} // namespace sdrt::model
