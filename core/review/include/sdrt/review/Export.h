#pragma once
// Exports of the review results, as JSON Lines (UTF-8, one object per line):
//
// * Llava: one line per approved trace (approved by the session's policy), in the LLaVA
//   conversation format that common fine-tuning tools read:
//     {"id": …, "image": "assets/…png" (or "images": [...] for several),
//      "conversations": [{"from": "human", "value": "<image>\n…question"},
//                        {"from": "gpt", "value": "<step-1 analysis>\nAnswer: <step-2 answer>"}],
//      "sdrt": {provenance}}
//   Image paths are relative to the workspace folder (the tools' image folder).
// * Flat: one line per review row (the whole append-only history, undo and redo rows included)
//   with the trace's provenance (item, prompt version, model, run, sample, answers) and whether
//   the trace is approved now.
//
// Files are written atomically (a failed export leaves no partial file; write errors such as a
// full disk are detected). An export never writes over a file of a workspace (this one or any
// other: the database and its -wal/-shm/-journal, assets/, hidden/, models/, runs/, .locks/), and
// replaces an existing file only when asked to (`overwrite`). A target that is not a regular
// file (a device, a pipe) is written directly, every write checked.

#include "sdrt/common/Result.h"

#include <QString>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::review {

class ReviewSession;

enum class ExportFormat { Llava, Flat };

struct ExportSummary {
    QString path;
    int lines = 0;
};

Result<ExportSummary> exportReviews(store::Workspace &ws, const ReviewSession &session, ExportFormat format, const QString &path,
                                    bool overwrite = false);

// <workspace>/exports/approved-llava-<UTC timestamp>.jsonl or reviews-flat-<…>.jsonl
QString defaultExportPath(const store::Workspace &ws, ExportFormat format);

} // namespace sdrt::review
