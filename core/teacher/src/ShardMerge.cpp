#include "sdrt/teacher/GenerationJob.h"

#include "sdrt/store/Database.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/teacher/TraceSink.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace sdrt::teacher {

Result<int> mergeShard(const QString &workspace, const QString &shardDir)
{
    auto tr = [](const char *text) { return QCoreApplication::translate("sdrt::teacher", text); };
    auto ws = store::Workspace::open(workspace);
    if (!ws)
        return fail(ws.error());
    if (!store::Workspace::looksLikeWorkspace(shardDir))
        return fail(tr("%1 is not a shard folder (no workspace.sqlite).").arg(shardDir));
    auto shard = store::Workspace::open(shardDir);
    if (!shard)
        return fail(shard.error());
    if (QFileInfo(shard->root()).canonicalFilePath() == QFileInfo(ws->root()).canonicalFilePath())
        return fail(tr("%1 is the workspace itself, not a shard folder.").arg(shardDir));
    store::TraceRepository from(shard->db()), to(ws->db());
    auto runs = from.runs();
    if (!runs)
        return fail(runs.error());
    for (const store::GenerationRun &r : *runs) {
        if (r.status == store::RunStatus::Running) // live: its process still writes the shard
            return fail(tr("Run %1 of the shard %2 is still running (%3); merge the shard when it has finished.")
                            .arg(r.id)
                            .arg(shardDir, r.owner));
    }

    // One transaction: a failure anywhere leaves the workspace as it was, and the hidden-state
    // files this merge copied are removed again.
    store::Transaction tx(ws->db());
    if (auto b = tx.begin(); !b)
        return fail(b.error());
    std::unique_ptr<TraceSink> sink;
    auto merged = [&]() -> Result<int> {
        auto made = TraceSink::fromShardFolder(*ws, *shard);
        if (!made)
            return fail(made.error());
        sink = std::move(*made);
        int added = 0;
        for (const store::GenerationRun &r : *runs) {
            auto list = from.forRun(r.id);
            if (!list)
                return fail(list.error());
            store::GenerationRun copy = r;
            copy.modelId = sink->modelId(r.modelId);
            copy.resumesRunId = 0; // an id of the shard's own table
            auto runId = to.createRun(copy);
            if (!runId)
                return fail(runId.error());
            TraceBatch batch;
            batch.traces = std::move(*list);
            for (store::Trace &t : batch.traces)
                t.runId = *runId;
            auto n = sink->write(batch, QString());
            if (!n)
                return fail(n.error());
            added += *n;
            // A run none of whose traces is new (merged before) leaves no row behind.
            if (auto d = to.deleteEmptyRun(*runId); !d)
                return fail(d.error());
            if (auto c = to.updateCounts(*runId); !c)
                return fail(c.error());
        }
        return added;
    }();
    if (!merged || !tx.commit()) {
        const QString error = merged ? ws->db().lastError() : merged.error();
        tx.rollback();
        if (sink)
            sink->removeCopiedFiles();
        return fail(error);
    }
    return *merged;
}

} // namespace sdrt::teacher
