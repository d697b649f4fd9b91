#pragma once
// One request through the generation engine alone (one slot, KV cache on): its result and the
// engine's figures, for tests of what the engine reuses (prefix cache) and computes.

#include "sdrt/model/Runtime.h"

#include <optional>
#include <utility>

namespace sdrt::testing {

inline std::pair<Expected<model::GenerationOutput, std::string>, model::EngineStats> streamOne(model::VlmRuntime &runtime,
                                                                                              const model::StreamRequest &request)
{
    std::optional<Expected<model::GenerationOutput, std::string>> out;
    bool given = false;
    model::GenerationStream stream;
    stream.next = [&](model::StreamRequest &r) {
        if (given)
            return false;
        given = true;
        r = request;
        return true;
    };
    stream.done = [&](std::size_t, Expected<model::GenerationOutput, std::string> o) { out.emplace(std::move(o)); };
    const model::EngineStats stats = runtime.generateStream(stream, model::EngineOptions{1, true});
    if (!out)
        out.emplace(unexpected(std::string("the engine gave no result")));
    return {std::move(*out), stats};
}

} // namespace sdrt::testing
