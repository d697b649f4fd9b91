#include "sdrt/model/Sampling.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace sdrt::model {

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();
}

std::vector<float> logSoftmax(const std::vector<float> &logits)
{
    const float m = *std::max_element(logits.begin(), logits.end());
    double sum = 0;
    for (float x : logits)
        sum += x == kNegInf ? 0.0 : std::exp(double(x) - m);
    const float lse = m + float(std::log(sum));
    std::vector<float> out(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i)
        out[i] = logits[i] - lse;
    return out;
}

std::string checkSampling(const SamplingParams &p)
{
    if (p.maxNewTokens < 1)
        return "the number of new tokens must be at least 1 (got " + std::to_string(p.maxNewTokens) + ")";
    if (!std::isfinite(p.temperature) || p.temperature < 0)
        return "the temperature must be 0 (greedy) or more (got " + std::to_string(p.temperature) + ")";
    if (p.topK < 0)
        return "top-k must be 0 (off) or more (got " + std::to_string(p.topK) + ")";
    if (!std::isfinite(p.topP) || p.topP <= 0 || p.topP > 1)
        return "top-p must be above 0 and at most 1 (got " + std::to_string(p.topP) + ")";
    return {};
}

std::vector<float> softmax(const std::vector<float> &logits)
{
    std::vector<float> out = logSoftmax(logits);
    for (float &x : out)
        x = std::exp(x);
    return out;
}

int argmax(const std::vector<float> &v)
{
    return int(std::max_element(v.begin(), v.end()) - v.begin());
}

void applyTemperature(std::vector<float> &logits, float temperature)
{
    if (temperature <= 0 || temperature == 1.0f)
        return;
    for (float &x : logits)
        x /= temperature;
}

void applyTopK(std::vector<float> &logits, int k)
{
    if (k <= 0 || k >= int(logits.size()))
        return;
    std::vector<float> sorted = logits;
    std::nth_element(sorted.begin(), sorted.begin() + (k - 1), sorted.end(), std::greater<float>());
    const float kth = sorted[std::size_t(k - 1)];
    for (float &x : logits) {
        if (x < kth)
            x = kNegInf;
    }
}

void applyTopP(std::vector<float> &logits, float p)
{
    if (p >= 1.0f || p <= 0.0f)
        return;
    const std::vector<float> probs = softmax(logits);
    std::vector<int> order(logits.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return probs[std::size_t(a)] > probs[std::size_t(b)]; });
    double cumulative = 0;
    std::size_t keep = 0;
    while (keep < order.size()) {
        cumulative += probs[std::size_t(order[keep])];
        ++keep;
        if (cumulative >= p)
            break;
    }
    for (std::size_t i = keep; i < order.size(); ++i)
        logits[std::size_t(order[i])] = kNegInf;
}

int sampleIndex(const std::vector<float> &probs, std::mt19937_64 &rng)
{
    // Our own draw (not std::discrete_distribution) so the same seed gives the same tokens
    // with any standard library.
    const double u = double(rng() >> 11) * (1.0 / 9007199254740992.0);
    double cumulative = 0;
    int last = 0;
    for (std::size_t i = 0; i < probs.size(); ++i) {
        if (probs[i] <= 0)
            continue;
        cumulative += probs[i];
        last = int(i);
        if (u < cumulative)
            return int(i);
    }
    return last;
}

int Sampler::next(std::vector<float> logits, float *logprob)
{
    const std::vector<float> model = logSoftmax(logits);
    int token;
    if (m_params.temperature <= 0.0f) {
        token = argmax(logits);
    } else {
        applyTemperature(logits, m_params.temperature);
        applyTopK(logits, m_params.topK);
        applyTopP(logits, m_params.topP);
        token = sampleIndex(softmax(logits), m_rng);
    }
    if (logprob)
        *logprob = model[std::size_t(token)];
    return token;
}

} // namespace sdrt::model
