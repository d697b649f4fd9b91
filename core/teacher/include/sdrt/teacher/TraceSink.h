#pragma once
// Where a teacher run's traces go: the workspace itself, or a shard folder (a small workspace of
// its own holding copies of the model record, the prompt versions and the items' identities,
// merged later). A sink maps the ids its writer uses (the workspace's, or a shard's for a merge)
// to the ids of its own store, and writes one batch at a time: the batch's hidden states first,
// as one safetensors file written atomically, then its traces in one transaction. A killed run
// therefore leaves at worst an unreferenced hidden-state file, never half a batch.
// mergeShard() writes through a sink too, inside one outer transaction.
//
// Thread rule: a sink and its store belong to the thread that made them.

#include "sdrt/common/Result.h"
#include "sdrt/model/HiddenStateFile.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"

#include <QStringList>

#include <map>
#include <memory>
#include <set>
#include <vector>

namespace sdrt::teacher {

struct TraceBatch {
    std::vector<store::Trace> traces;            // ids in the sink's input space
    std::vector<model::NamedHiddenStates> hidden; // to store as one new file, for...
    std::vector<std::size_t> hiddenOf;           // ...these traces (indices into `traces`)
};

class TraceSink {
public:
    // Into the workspace itself (ids unchanged).
    static Result<std::unique_ptr<TraceSink>> intoWorkspace(store::Workspace &ws);
    // Into the shard folder `dir` (created when missing), for traces of `model` over `items` of
    // the workspace `src` with these prompt versions.
    static Result<std::unique_ptr<TraceSink>> intoShardFolder(store::Workspace &src, const QString &dir, const store::ModelRecord &model,
                                                              const std::vector<store::PromptVersion> &prompts,
                                                              const std::vector<store::Id> &items);
    // Into the workspace `ws`, from the shard folder `shard` (models and prompts by content,
    // items by fingerprint); hidden-state files are copied from the shard. Fails naming an item
    // of the shard the workspace does not have.
    static Result<std::unique_ptr<TraceSink>> fromShardFolder(store::Workspace &ws, store::Workspace &shard);

    store::Workspace &out() { return *m_out; }
    store::Id modelId(store::Id input) const { return mapped(m_models, input); }
    store::Id itemId(store::Id input) const { return mapped(m_items, input); }
    store::Id promptId(store::Id input) const { return mapped(m_prompts, input); }

    // Completed (item, prompt version, sample) keys of `model` held by this sink's store, in
    // input ids (a resumed shard's own completed traces).
    Result<std::set<store::TraceKey>> completed(store::Id model) const;

    // Writes one batch (see above); returns the traces added (completed ones already stored are
    // skipped). `modelHash` names the hidden-state folder, hidden/<hash prefix>/.
    Result<int> write(TraceBatch &batch, const QString &modelHash);
    std::int64_t hiddenBytesWritten() const { return m_hiddenBytes; }

    // The hidden-state files this sink copied (a merge removes them again when it fails).
    const QStringList &copiedFiles() const { return m_copied; }
    void removeCopiedFiles();

private:
    TraceSink() = default;
    static store::Id mapped(const std::map<store::Id, store::Id> &map, store::Id id);

    store::Workspace *m_out = nullptr;
    std::unique_ptr<store::Workspace> m_ownedOut; // a shard folder opened here
    std::map<store::Id, store::Id> m_models, m_items, m_prompts; // input -> out (empty: identity)
    QString m_copyHiddenFrom; // set: traces' hidden files are copied from this store's root
    QStringList m_copied;
    std::int64_t m_hiddenBytes = 0;
};

} // namespace sdrt::teacher
