#pragma once
// The Compare screen's tables as cells, built from core data without widgets: the evaluations
// to choose from, the summary (score ± interval per family for a metric, cost per answer, the
// difference against the first evaluation with its paired-bootstrap interval and p-value, and
// McNemar's exact p) and the per-item table (reference and each evaluation's answer side by
// side, with each one's change against the first), filtered to a kind of row and a family.

#include "sdrt/eval/Compare.h"
#include "sdrt/ui/CellTableModel.h"
#include "sdrt/ui/ComparisonController.h"
#include "sdrt/ui/EvaluationQueue.h"

#include <QCoreApplication>

namespace sdrt::ui {

// Which item rows the table shows.
enum class RowFilter { All, Improved, Regressed, Disagree };

struct ComparisonTables {
    Q_DECLARE_TR_FUNCTIONS(ComparisonTables)
public:
    // Rows keyed by evaluation name, checked when the name is in `checked`.
    static CellTable evaluations(const std::vector<ComparisonController::EvaluationRow> &rows, const QStringList &checked);
    static CellTable summary(const eval::Comparison &c, const QString &metric);
    // The Evaluate screen's list: name, model, mode, split, status, items, score [95 % CI],
    // when it finished (local time); rows keyed by name.
    static CellTable scored(const std::vector<EvaluationQueue::Scored> &rows);
    // Rows keyed by their index in c.rows.
    static CellTable items(const eval::Comparison &c, RowFilter filter, const QString &family);
};

} // namespace sdrt::ui
