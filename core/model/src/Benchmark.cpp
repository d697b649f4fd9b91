#include "sdrt/model/Benchmark.h"

#include <chrono>
#include <sys/resource.h>

namespace sdrt::model {
namespace {

double seconds(std::chrono::steady_clock::time_point a)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

RgbImage testImage(int size)
{
    RgbImage img;
    img.width = img.height = size;
    img.pixels.resize(std::size_t(size) * size * 3);
    for (std::size_t i = 0; i < img.pixels.size(); ++i)
        img.pixels[i] = std::uint8_t((i * 37) % 251);
    return img;
}

} // namespace

Expected<ModelBenchFigures, std::string> benchmarkModel(VlmRuntime &runtime, const ModelBenchParams &params)
{
    ModelBenchFigures f;
    f.parameters = runtime.info().parameters;
    std::string text;
    while (int(runtime.tokenizer().encode(text, false).size()) < params.promptTokens)
        text += " the steel plate has four holes and a crack";
    GenerationRequest req{{testImage(runtime.info().config.vision.imageSize)}, runtime.formatChat("<image>\n" + text)};
    auto ids = runtime.promptIds(req);
    if (!ids)
        return unexpected(ids.error());
    f.promptTokens = int(ids->size());

    auto timed = [&](const std::vector<GenerationRequest> &batch, SamplingParams s) -> Expected<double, std::string> {
        double best = 1e30;
        for (int r = 0; r < params.repeats; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            auto out = runtime.generate(batch, s);
            const double dt = seconds(t0);
            for (auto &o : out) {
                if (!o)
                    return unexpected(o.error());
            }
            best = std::min(best, dt);
        }
        return best;
    };
    SamplingParams one = SamplingParams::greedy(1);
    one.stopAtEos = false;
    auto ttft = timed({req}, one);
    if (!ttft)
        return unexpected(ttft.error());
    f.timeToFirstTokenMs = *ttft * 1000.0;
    f.prefillTokensPerSecond = f.promptTokens / *ttft;

    SamplingParams dec = SamplingParams::greedy(params.decodeTokens + 1);
    dec.stopAtEos = false;
    auto b1 = timed({req}, dec);
    if (!b1)
        return unexpected(b1.error());
    f.decodeTokensPerSecondB1 = params.decodeTokens / std::max(1e-9, *b1 - *ttft);
    std::vector<GenerationRequest> eight(8, req);
    auto ttft8 = timed(eight, one);
    auto b8 = timed(eight, dec);
    if (!ttft8 || !b8)
        return unexpected(!ttft8 ? ttft8.error() : b8.error());
    f.decodeTokensPerSecondB8 = 8.0 * params.decodeTokens / std::max(1e-9, *b8 - *ttft8);
    SamplingParams noCache = dec;
    noCache.useKvCache = false;
    auto nc = timed({req}, noCache);
    if (!nc)
        return unexpected(nc.error());
    f.decodeNoCacheTokensPerSecondB1 = params.decodeTokens / std::max(1e-9, *nc - *ttft);
    f.kvCacheSpeedup = f.decodeTokensPerSecondB1 / std::max(1e-9, f.decodeNoCacheTokensPerSecondB1);
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    f.peakRssMiB = ru.ru_maxrss / 1024.0;
    return f;
}

} // namespace sdrt::model
