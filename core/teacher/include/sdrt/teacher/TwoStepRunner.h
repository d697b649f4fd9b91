#pragma once
// The model work of a teacher run: work units to traces. For each unit, step 1 generates the
// analysis, step 2 the answer with {query1_answer} filled in, the prompt's answer rule gives the
// parsed answer, and (when layers are asked for) the answer tokens are teacher-forced in the
// step-2 context to capture hidden states. A unit that cannot run (an unreadable asset, a prompt
// longer than the context, non-finite logits) becomes a failed trace with the reason; the rest
// of the batch runs.
//
// Thread rule: the runner uses its runtime on the calling thread; `cancel` is polled during
// generation.

#include "sdrt/model/Runtime.h"
#include "sdrt/store/Types.h"
#include "sdrt/teacher/GenerationPlan.h"
#include "sdrt/teacher/TeacherSampling.h"
#include "sdrt/teacher/TraceSink.h"

class QImage;

#include <atomic>
#include <functional>
#include <map>
#include <optional>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::teacher {

// An item as a run needs it: its row and decoded images, or why it cannot run.
struct ItemInput {
    store::Item item;
    std::vector<model::RgbImage> images; // photos and drawings, in the item's order (notes are text)
    QString error;                       // set: the unit fails with this reason
};

// RGB8 pixels of an image (any QImage format).
model::RgbImage toRgbImage(const QImage &image);
ItemInput loadItemInput(store::Workspace &ws, store::Id item);

// Items of a run, decoded once and kept for the next batches. `capacity` is policy: how many
// decoded items stay in memory (a batch's units come item by item, so a handful is enough).
class ItemInputCache {
public:
    ItemInputCache(store::Workspace &ws, std::size_t capacity) : m_ws(ws), m_capacity(capacity) {}
    const ItemInput &get(store::Id item);

private:
    store::Workspace &m_ws;
    std::size_t m_capacity;
    std::map<store::Id, ItemInput> m_items;
};

// A rendered prompt step as the chat turn the model's template receives.
model::ChatTurn chatTurn(const prompts::RenderedStep &step);

// The request of one step of a prompt on an item (the note follows the images as the prompt
// says; `query1` fills {query1_answer} in step 2) as a chat turn the model's template renders.
model::GenerationRequest stepRequest(const prompts::Prompt &prompt, int step, const ItemInput &item, const QString &query1,
                                     std::uint64_t traceSeed);

// The plain direct question of an item, as a student answers it in one generation: the item's
// images, the note ("Note: …") when it has one, the question, and the assistant turn opened
// with "Answer:", as a chat turn the model's template renders.
model::GenerationRequest directRequest(const ItemInput &item);

struct TwoStepOptions {
    TeacherSampling sampling;
    std::vector<int> hiddenLayers; // HF numbering; empty: no hidden states
    const std::atomic_bool *cancel = nullptr;
    int slots = 0; // rows the engine decodes together; 0: every unit of run() at once
};

// A unit's trace as it ends, with the hidden states of its answer when they were captured.
struct FinishedTrace {
    std::size_t unit = 0; // index into the units given
    store::Trace trace;
    std::optional<model::HiddenStates> hidden;
};

class TwoStepRunner {
public:
    TwoStepRunner(model::VlmRuntime &runtime, const std::vector<PromptEntry> &prompts, TwoStepOptions options);

    struct Output {
        TraceBatch batch;       // one trace per unit (item and prompt ids of the workspace)
        bool cancelled = false; // then `batch` is incomplete and must not be stored
    };
    // `runSeed` and each item's fingerprint give every trace its seed (traceSeed).
    Output run(const std::vector<WorkUnit> &units, const std::function<const ItemInput &(store::Id)> &item, std::uint64_t runSeed);

    // The same as a stream through the runtime's continuous-batching engine, `slots` rows at
    // once: units start as slots free up, a unit's step 2 is queued the moment its step 1 ends,
    // and the answer's hidden states are captured while step 2 generates (no second pass).
    // `finished` gets each trace as it ends; returning false stops the stream (no unit starts
    // any more, rows in flight end "cancelled" and are not handed over). Returns false when it
    // was cancelled or stopped.
    bool stream(const std::vector<WorkUnit> &units, const std::function<const ItemInput &(store::Id)> &item, std::uint64_t runSeed, int slots,
                const std::function<bool(FinishedTrace &&)> &finished);

    // Where the engine's time went, summed over every stream() so far.
    const model::EngineStats &engineStats() const { return m_stats; }

private:
    model::VlmRuntime &m_rt;
    const std::vector<PromptEntry> &m_prompts;
    TwoStepOptions m_options;
    model::EngineStats m_stats;
};

} // namespace sdrt::teacher
