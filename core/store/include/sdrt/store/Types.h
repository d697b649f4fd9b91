#pragma once
// Rows of the workspace, as the rest of the program sees them.

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <vector>

namespace sdrt::store {

using Id = std::int64_t;

enum class AssetKind { Photo, Drawing, Note };
QString toString(AssetKind kind);
std::optional<AssetKind> assetKindFromString(const QString &s);

// Which part of the data an item belongs to: distillation trains on `train`, evaluations measure
// on `eval`. "train" | "eval" in manifests, the store and on the command line.
enum class Split { Train, Eval };
QString toString(Split split);
std::optional<Split> splitFromString(const QString &s);

struct Asset {
    Id id = 0;
    AssetKind kind = AssetKind::Photo;
    QString originalName;          // file name as imported (may be Japanese)
    QString sha256;                // of the original file's bytes
    int page = 0;                  // 0: the whole file; 1..n: page of a PDF
    QString storedPath;            // workspace-relative; what viewers show
    std::optional<QString> sourcePath; // workspace-relative original when storedPath is a rendering
    QString mime;
    std::int64_t sizeBytes = 0;
    std::optional<int> width;
    std::optional<int> height;
    std::optional<int> dpi;
};

struct ItemAsset {
    Asset asset;
    AssetKind role = AssetKind::Photo;
    int order = 0;
};

struct Item {
    Id id = 0;
    std::optional<QString> externalId;
    QString question;
    std::optional<QString> referenceAnswer;
    QString answerType = QStringLiteral("text");
    QString taskFamily;
    Split split = Split::Train;
    QStringList tags;
    QString noteText;              // copy of the note's text, for search and display
    QString fingerprint;
    std::vector<ItemAsset> assets; // filled by ItemRepository::get
};

// What the item list shows per row.
struct ItemSummary {
    Id id = 0;
    QString question;
    QString taskFamily;
    Split split = Split::Train;
    QString answerType;
    int assetCount = 0;
};

struct ItemFilter {
    std::optional<Split> split; // unset: any
    QString taskFamily;   // empty: any
    QString text;         // substring of question, answer or note text; empty: any
};

struct PromptVersion {
    Id id = 0;
    QString name;
    int version = 1;
    QString contentHash;
    QString description;
    QString body;
};

} // namespace sdrt::store
