#pragma once
// Comparison of two or more evaluations on their common items (issue 19, point 4): per
// evaluation the score ± interval per metric and family and the cost per answer; per later
// evaluation against the first, the paired-bootstrap difference of the combined score and
// McNemar's exact test on right/wrong; and per item the reference, each evaluation's answer and
// trace, and whether it improved or regressed against the first. Written as CSV (per-item rows)
// or as one self-contained HTML page (summary table, inline SVG bar charts, per-item table; no
// network needed to view it). UTF-8 throughout: Japanese text stays intact.
//
// Thread rule: the calling thread, with its own workspace connection.

#include "sdrt/common/Result.h"
#include "sdrt/eval/EvalJob.h"

#include <QString>

#include <atomic>
#include <optional>
#include <vector>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::eval {

// An item against the first evaluation: "improved" | "regressed" | "same" in CSV and HTML.
enum class ItemChange { Improved, Regressed, Same };
QString toString(ItemChange change);

struct CompareRow {
    store::Id itemId = 0;
    QString family, question, reference;
    std::vector<QString> answers;               // per evaluation (empty: failed)
    std::vector<std::optional<double>> scores;  // per evaluation, under the item's metric
    std::vector<bool> right;
    std::vector<QString> traces;                // per evaluation: JSON of the two-step trace ("[]" for direct)
    std::vector<ItemChange> change;             // against the first evaluation, per later one
    bool disagree = false;                      // the evaluations' answers differ
};

// Evaluation i against evaluation 0 on the common items of one task family.
struct FamilyDifference {
    QString family;
    Difference difference; // combined score
    double mcnemarP = 1;
};

struct Comparison {
    std::vector<QString> names;           // evaluation names, in the order given
    std::vector<QString> labels;          // "name (model, mode)"
    std::vector<EvalReport> reports;      // each restricted to the common items
    std::vector<Difference> differences;  // evaluation i (≥ 1) against evaluation 0, combined score
    std::vector<double> mcnemarP;         // same pairs
    std::vector<double> costRatio;        // generations per answer of evaluation 0 / of evaluation i
    std::vector<std::vector<FamilyDifference>> familyDifferences; // same pairs, per family (in `families` order)
    std::vector<QString> families;
    std::vector<CompareRow> rows;         // common items, by id
};

Result<Comparison> compareEvaluations(store::Workspace &ws, const std::vector<QString> &names, std::uint64_t seed = 1);

// The same as a job on a thread of its own (the workbench's worker): it opens its own connection
// to the workspace. The bootstraps take a while on large evaluations; `cancel` is checked before
// they start.
struct CompareParams {
    QString workspace;
    std::vector<QString> names;
    std::uint64_t seed = 1;
    const std::atomic_bool *cancel = nullptr;
};
Result<Comparison> compareEvaluations(const CompareParams &params);
// UTF-8 with a byte-order mark; text cells that a spreadsheet would run as a formula (starting
// with = + - @, tab or carriage return) are neutralised with a leading apostrophe.
QByteArray comparisonCsv(const Comparison &c);
QByteArray comparisonHtml(const Comparison &c);

} // namespace sdrt::eval
