#pragma once
// How a teacher run samples, in one type: what the run asks for, how it is stored with the run
// (JSON in generation_runs.sampling), and the runtime's settings for each of the two steps.
// The seeds: a trace's own seed comes from the run seed, the item's fingerprint, the prompt
// version's content hash and the sample index (traceSeed); each step draws from its own stream
// derived from it (stepSeed), so a trace regenerates alone, in any batch or shard.

#include "sdrt/model/Sampling.h"

#include <QString>

#include <cstdint>

namespace sdrt::teacher {

struct TeacherSampling {
    float temperature = 0.0f; // 0: greedy (then one sample per prompt)
    int topK = 0;             // 0: off
    float topP = 1.0f;        // 1: off
    int step1MaxTokens = 160; // the analysis
    int step2MaxTokens = 24;  // the answer

    // Runtime settings of step 1 or 2.
    model::SamplingParams forStep(int step) const;
    // Why these settings cannot run (empty when they can): the runtime's checks for both steps.
    QString check() const;

    // The stored form. `samples` and `batch` are recorded with it for the record (the batch
    // changes no trace). fromJson() takes the defaults for absent fields (older runs).
    QString toJson(int samples, int batch) const;
    static TeacherSampling fromJson(const QString &json);
    // Whether two stored forms ask for the same traces (the batch size ignored).
    static bool sameTraces(const QString &jsonA, const QString &jsonB);
};

// A trace's seed (positive, it is stored in a signed SQLite integer).
std::uint64_t traceSeed(std::uint64_t runSeed, const QString &itemFingerprint, const QString &promptHash, int sample);
// The random stream of step 1 or 2 of the trace with seed `trace`.
std::uint64_t stepSeed(std::uint64_t trace, int step);

} // namespace sdrt::teacher
