#pragma once
// The plan of a teacher run: which prompt versions, which items (this shard's share), and which
// (item, prompt, sample) units are still to do once the completed ones are taken out. Pure
// (planGeneration needs no model and no database), so what a run will do can be tested alone.

#include "sdrt/common/Result.h"
#include "sdrt/prompts/Prompt.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Types.h"

#include <set>
#include <vector>

namespace sdrt::store {
class Database;
}

namespace sdrt::teacher {

struct PromptEntry {
    store::PromptVersion version;
    prompts::Prompt prompt; // the parsed body
};

// The given prompt versions, or (none given) the newest version of every registered prompt,
// each parsed. Fails naming a missing id or a stored body that does not parse.
Result<std::vector<PromptEntry>> loadPromptEntries(store::Database &db, const std::vector<store::Id> &versionIds);

struct WorkUnit {
    store::Id item = 0;      // workspace id
    std::size_t prompt = 0;  // index into the run's prompt entries
    int sample = 0;
    bool operator==(const WorkUnit &o) const { return item == o.item && prompt == o.prompt && sample == o.sample; }
};

struct GenerationPlan {
    std::vector<store::Id> items;  // this shard's items, in id order
    std::vector<WorkUnit> units;   // still to do, item by item, then prompt, then sample
    int skipped = 0;               // units already completed
    // Units [first, first + size) as one batch (the last may be shorter).
    std::vector<WorkUnit> batch(std::size_t first, std::size_t size) const;
};

// `items` in any order (sorted here); the shard takes every shardCount-th from shardIndex;
// `done` holds completed (item, prompt version id, sample) keys.
GenerationPlan planGeneration(std::vector<store::Id> items, const std::vector<store::Id> &promptVersionIds, int samples, int shardIndex,
                              int shardCount, const std::set<store::TraceKey> &done);

} // namespace sdrt::teacher
