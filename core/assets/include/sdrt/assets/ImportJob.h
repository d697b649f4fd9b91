#pragma once
// Imports a folder or a JSONL manifest into a workspace, as one transaction per batch.
// Bad files and lines fail alone with file, line and reason; the rest imports. A cancelled or
// failed batch leaves nothing behind: the transaction rolls back and the files it wrote go.
//
// Thread rule: run() opens its own connection and may run on any thread; progress is called
// on that thread; cancel is polled between items.

#include "sdrt/assets/AssetDecoder.h"
#include "sdrt/common/Result.h"

#include <QString>

#include <atomic>
#include <functional>
#include <vector>

namespace sdrt::assets {

struct ImportProgress {
    int done = 0;
    int total = 0;
    QString current; // label of the item just handled
};

struct ImportParams {
    QString workspaceRoot;
    QString source; // folder or manifest
    DecodeLimits limits;
    std::function<void(const ImportProgress &)> progress;
    const std::atomic_bool *cancel = nullptr;
    // Commits: after this many items or this many milliseconds, whichever comes first, what is
    // done is committed (kept after a kill; a rerun counts it as duplicates and goes on), and
    // other writers get the workspace between two commits. Policy, not tuning: the defaults keep
    // the write lock held well under Database::kBusyTimeoutMs.
    int commitEveryItems = 200;
    int commitEveryMs = 1000;
};

struct ImportFailure {
    QString file;   // relative to the import root, or the manifest name
    int line = 0;   // manifest line, 0 when not from a manifest line
    QString reason;
    QString toString() const;
};

struct ImportReport {
    int imported = 0;
    int duplicates = 0;
    int failed = 0;       // items and lines that were not imported
    bool cancelled = false; // stopped early; what was imported before stays
    // Every bad file and line, in one pass: an item with a truncated PDF and a truncated JPEG
    // fails once (in `failed`) and has both files here.
    std::vector<ImportFailure> failures;
    qint64 batchId = 0;
    QString summary() const;
};

class ImportJob {
public:
    explicit ImportJob(ImportParams params) : m_params(std::move(params)) {}
    // Fails only when the batch as a whole cannot run (workspace unreadable, disk full, ...).
    Result<ImportReport> run();

private:
    ImportParams m_params;
};

} // namespace sdrt::assets
