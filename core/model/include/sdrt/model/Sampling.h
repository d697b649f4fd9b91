#pragma once
// Token samplers as small units over plain logits (no model needed to test them).
// The log-probability reported for a chosen token is always under the model's own
// distribution (log-softmax of the raw logits), whatever temperature or filter chose it.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace sdrt::model {

struct SamplingParams {
    int maxNewTokens = 64;
    float temperature = 0.0f; // 0: greedy
    int topK = 0;             // 0: off
    float topP = 1.0f;        // 1: off
    std::uint64_t seed = 0;
    std::vector<std::string> stop; // generation ends when the text contains one (cut before it)
    bool stopAtEos = true;         // false: run to maxNewTokens (benchmarks)
    bool useKvCache = true;        // false: recompute the whole sequence every step (benchmarks)
    static SamplingParams greedy(int maxNewTokens = 64)
    {
        SamplingParams p;
        p.maxNewTokens = maxNewTokens;
        return p;
    }
};

// Why `params` cannot be used, or empty when they can: maxNewTokens at least 1, a finite
// temperature of 0 or more, topK 0 or more, topP in (0, 1].
std::string checkSampling(const SamplingParams &params);

std::vector<float> softmax(const std::vector<float> &logits);
std::vector<float> logSoftmax(const std::vector<float> &logits);
int argmax(const std::vector<float> &v);
void applyTemperature(std::vector<float> &logits, float temperature);
// Keeps the k largest logits (ties at the k-th value kept), sets the rest to -inf.
void applyTopK(std::vector<float> &logits, int k);
// Keeps the smallest set of most likely tokens whose probabilities reach p (at least one).
void applyTopP(std::vector<float> &logits, float p);
// Draws an index from probabilities that sum to 1.
int sampleIndex(const std::vector<float> &probs, std::mt19937_64 &rng);

// One sequence's sampler: its own random stream, seeded from the request.
class Sampler {
public:
    Sampler(const SamplingParams &params, std::uint64_t streamSeed) : m_params(params), m_rng(streamSeed) {}
    // Chooses the next token; writes its model log-probability to *logprob.
    int next(std::vector<float> logits, float *logprob);

private:
    SamplingParams m_params;
    std::mt19937_64 m_rng;
};

} // namespace sdrt::model
