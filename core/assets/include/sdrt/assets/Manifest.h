#pragma once
// What an import is asked to bring in, before any file is read: items from a JSONL manifest
// (one item per line) or from a plain folder (files grouped by name stem).
//
// Manifest line:
//   {"id": "W-001", "question": "How many holes?", "answer": "4", "answer_type": "number",
//    "task_family": "counting", "split": "train", "tags": ["line-3"],
//    "assets": [{"path": "photos/p1.jpg", "role": "photo"}, {"path": "dwg/p1.pdf", "role": "drawing"}],
//    "note": "text of the note"  or  "note": {"path": "notes/p1.txt"}}
// Paths are relative to the manifest's folder and may not leave it. No string (value or field
// name) may hold half a UTF-16 surrogate pair ("\ud800" alone): the line is refused, naming the
// field. An "id" repeated with the same content is a duplicate (counted at import); with other
// content the later line is refused, naming both lines.

#include "sdrt/common/Result.h"
#include "sdrt/store/Types.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace sdrt::assets {

struct AssetSpec {
    QString path;      // absolute, inside the import root
    QString relative;  // as written, for messages
    store::AssetKind role = store::AssetKind::Photo;
};

struct ItemSpec {
    int line = 0;            // manifest line (1-based), 0 for folder items
    QString label;           // for messages: "manifest.jsonl:12" or the stem
    std::optional<QString> externalId;
    QString question;
    std::optional<QString> referenceAnswer;
    QString answerType = QStringLiteral("text");
    QString taskFamily;
    store::Split split = store::Split::Train;
    QStringList tags;
    std::vector<AssetSpec> assets;
    std::optional<QString> noteText;  // inline note
    std::optional<AssetSpec> noteFile;
};

struct SpecProblem {
    QString file;
    int line = 0;
    QString reason;
};

struct ImportPlan {
    QString root;                 // the folder paths are relative to
    std::vector<ItemSpec> items;
    std::vector<SpecProblem> problems; // lines or files that cannot become items
};

// Resolves `relative` inside `root`; refuses absolute paths, '..' and symlinks leading out.
Result<QString> resolveInside(const QString &root, const QString &relative);

Result<ImportPlan> planFromManifest(const QString &manifestPath);
Result<ImportPlan> planFromFolder(const QString &folder);
// A folder with a manifest.jsonl at its top uses the manifest; a .jsonl file is a manifest.
Result<ImportPlan> planImport(const QString &path);

const QStringList &answerTypes();

} // namespace sdrt::assets
