#pragma once
// Generated review material for the tests and the review benchmark (test support, not part of
// the app; library sdrt_test_support): items (one shared generated photo, a question, a
// reference answer, a task family), one prompt version per name, one model record, one
// generation run and one completed trace per (item, prompt) whose parsed answer is right or
// wrong by a seeded hash. No model runs: only rows and one PNG.

#include "sdrt/common/Result.h"

#include <QStringList>

#include <cstdint>
#include <functional>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::testing {

struct SyntheticParams {
    int items = 100;
    QStringList prompts = {QStringLiteral("decompose"), QStringLiteral("reasoning-path"), QStringLiteral("text-layout"),
                           QStringLiteral("defect-inspection"), QStringLiteral("count-measure"),
                           QStringLiteral("drawing-note-crosscheck")};
    std::uint32_t seed = 1;
    double wrongShare = 0.3; // share of traces whose answer differs from the reference
    std::function<void(int done, int total)> progress;
};

struct SyntheticSummary {
    int items = 0;
    int traces = 0;
};

Result<SyntheticSummary> addSyntheticTraces(store::Workspace &ws, const SyntheticParams &params);

} // namespace sdrt::testing
