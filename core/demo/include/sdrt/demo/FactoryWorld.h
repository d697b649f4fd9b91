#pragma once
// A small synthetic factory: part photos (plates with holes and defects), engineering drawings
// (SVG with dimension callouts and a title block), work-order notes (English or Japanese) and
// questions with reference answers. Deterministic: the same seed gives the same bytes.

#include "sdrt/common/Result.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>

namespace sdrt::demo {

struct MakeDataParams {
    QString dir;
    int items = 40;
    std::uint32_t seed = 1;
    double evalFraction = 0.25;
    std::function<void(int done, int total)> progress;
    const std::atomic_bool *cancel = nullptr;
};

struct MakeDataResult {
    int items = 0;
    QString manifest; // path of manifest.jsonl
};

// Writes photos/, drawings/, notes/ and manifest.jsonl under params.dir.
Result<MakeDataResult> makeData(const MakeDataParams &params);

// `count` small PNG photos (64×64, varied content) under dir, for import benchmarks.
Result<void> writeSmallPhotos(const QString &dir, int count, std::uint32_t seed);

} // namespace sdrt::demo
