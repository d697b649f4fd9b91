#include "sdrt/model/Benchmark.h"

#include <chrono>
#include <sys/resource.h>

namespace sdrt::model {
namespace {

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

    // One generate call timed from inside: the first progress report marks the end of the
    // prefill (first token chosen), the last one the end of decoding. Best of `repeats`, after
    // a warm-up call.
    struct Timing {
        double firstToken = 1e30; // seconds from the call to the first token
        double decode = 1e30;     // seconds for the tokens after the first
    };
    auto measure = [&](const std::vector<GenerationRequest> &batch, SamplingParams s) -> Expected<Timing, std::string> {
        Timing best;
        for (int r = 0; r <= params.repeats; ++r) {
            std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now(), first = t0, last = t0;
            GenerateCallbacks cb;
            cb.progress = [&](int step, int) {
                const auto now = std::chrono::steady_clock::now();
                if (step == 1)
                    first = now;
                last = now;
            };
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
    };
    SamplingParams dec = SamplingParams::greedy(params.decodeTokens + 1);
    dec.stopAtEos = false;
    auto b1 = measure({req}, dec);
    if (!b1)
        return unexpected(b1.error());
    f.timeToFirstTokenMs = b1->firstToken * 1000.0;
    f.prefillTokensPerSecond = f.promptTokens / b1->firstToken;
    f.decodeTokensPerSecondB1 = params.decodeTokens / b1->decode;
    auto b8 = measure(std::vector<GenerationRequest>(8, req), dec);
    if (!b8)
        return unexpected(b8.error());
    f.decodeTokensPerSecondB8 = 8.0 * params.decodeTokens / b8->decode;
    SamplingParams noCache = dec;
    noCache.useKvCache = false;
    auto nc = measure({req}, noCache);
    if (!nc)
        return unexpected(nc.error());
    f.decodeNoCacheTokensPerSecondB1 = params.decodeTokens / nc->decode;
    f.kvCacheSpeedup = f.decodeTokensPerSecondB1 / f.decodeNoCacheTokensPerSecondB1;
    struct rusage ru {};
    getrusage(RUSAGE_SELF, &ru);
    f.peakRssMiB = ru.ru_maxrss / 1024.0;
    return f;
}

} // namespace sdrt::model
