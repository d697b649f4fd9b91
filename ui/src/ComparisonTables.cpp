#include "sdrt/ui/ComparisonTables.h"

#include "sdrt/ui/RunText.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace sdrt::ui {
namespace {

QString pct(double v)
{
    return QString::number(100.0 * v, 'f', 1);
}

QString interval(double value, double low, double high)
{
    return QStringLiteral("%1 [%2, %3]").arg(pct(value), pct(low), pct(high));
}

Cell text(const QString &t)
{
    Cell c;
    c.text = t;
    return c;
}

// The family difference of evaluation `i` (> 0) against the first, as a tooltip.
QString familyDifferenceTip(const eval::Comparison &c, std::size_t i, const QString &family)
{
    if (i == 0 || family.isEmpty() || c.familyDifferences.size() < i)
        return {};
    for (const eval::FamilyDifference &fd : c.familyDifferences[i - 1])
        if (fd.family == family)
            return ComparisonTables::tr("Score vs the first evaluation on %1: %2 [%3, %4], paired bootstrap p %5, McNemar p %6")
                .arg(family, pct(fd.difference.value), pct(fd.difference.low), pct(fd.difference.high))
                .arg(eval::formatBootstrapP(fd.difference.pValue))
                .arg(fd.mcnemarP, 0, 'g', 3);
    return {};
}

// The columns after the families: cost, then the difference against the first evaluation.
void appendCostAndDifference(const eval::Comparison &c, std::size_t i, std::vector<Cell> &row)
{
    const eval::EvalReport &r = c.reports[i];
    row.push_back(text(QString::number(r.generations, 'f', 1)));
    row.push_back(text(QStringLiteral("%1 / %2").arg(r.promptTokens, 0, 'f', 0).arg(r.generatedTokens, 0, 'f', 1)));
    row.push_back(text(QString::number(r.latencyMs, 'f', 0)));
    if (i == 0) {
        for (int k = 0; k < 4; ++k)
            row.push_back(text(QStringLiteral("–")));
        return;
    }
    const eval::Difference &d = c.differences[i - 1];
    // This one's cost in units of the first's: 12.0× reads "twelve times the cost".
    const eval::EvalReport &first = c.reports[0];
    Cell cost = text(first.generations > 0 ? ComparisonTables::tr("%1×").arg(r.generations / first.generations, 0, 'f', 1) : QStringLiteral("–"));
    cost.toolTip = ComparisonTables::tr("%1 generations per answer against %2 for %3").arg(r.generations, 0, 'f', 1).arg(first.generations, 0, 'f', 1).arg(c.labels[0]);
    row.push_back(cost);
    row.push_back(text(interval(d.value, d.low, d.high)));
    row.push_back(text(eval::formatBootstrapP(d.pValue)));
    row.push_back(text(QString::number(c.mcnemarP[i - 1], 'g', 3)));
}

bool shown(const eval::CompareRow &row, RowFilter filter, const QString &family)
{
    if (!family.isEmpty() && row.family != family)
        return false;
    switch (filter) {
    case RowFilter::All: return true;
    case RowFilter::Disagree: return row.disagree;
    case RowFilter::Improved: return std::count(row.change.begin(), row.change.end(), eval::ItemChange::Improved) > 0;
    case RowFilter::Regressed: return std::count(row.change.begin(), row.change.end(), eval::ItemChange::Regressed) > 0;
    }
    return true;
}

QString changeText(eval::ItemChange change)
{
    switch (change) {
    case eval::ItemChange::Improved: return ComparisonTables::tr("improved");
    case eval::ItemChange::Regressed: return ComparisonTables::tr("regressed");
    case eval::ItemChange::Same: break;
    }
    return ComparisonTables::tr("same");
}

} // namespace

CellTable ComparisonTables::evaluations(const std::vector<ComparisonController::EvaluationRow> &rows, const QStringList &checked)
{
    CellTable t;
    t.headers = QStringList{tr("Evaluation"), tr("Model"), tr("Mode"), tr("Status")};
    for (const auto &[e, model] : rows) {
        Cell name = text(e.name);
        name.key = e.name;
        name.checked = checked.contains(e.name);
        Cell status = text(runStatusText(e.status));
        status.toolTip = e.error;
        t.rows.push_back({name, text(model), text(evalModeText(e.mode, e.vote)), status});
    }
    return t;
}

CellTable ComparisonTables::scored(const std::vector<EvaluationQueue::Scored> &rows)
{
    CellTable t;
    t.headers = QStringList{tr("Evaluation"), tr("Model"), tr("Mode"), tr("Split"), tr("Status"), tr("Items"), tr("Score [95 % CI]"), tr("Finished")};
    for (const EvaluationQueue::Scored &r : rows) {
        const store::Evaluation &e = r.row.evaluation;
        Cell name = text(e.name);
        name.key = e.name;
        Cell status = text(runStatusText(e.status));
        status.toolTip = e.error;
        const QString split = QJsonDocument::fromJson(e.itemFilter.toUtf8()).object().value(QStringLiteral("split")).toString();
        Cell items = text(r.failed > 0 ? tr("%1 (%2 failed)").arg(r.items).arg(r.failed) : QString::number(r.items));
        Cell score = text(r.score ? interval(r.score->value, r.score->low, r.score->high) : QStringLiteral("–"));
        score.toolTip = tr("Every item under its own metric (higher is better), with the 95 % bootstrap interval");
        Cell finished = text(localTime(e.finishedAt.isEmpty() ? e.startedAt : e.finishedAt));
        finished.toolTip = tr("started %1").arg(localTime(e.startedAt));
        t.rows.push_back({name, text(r.row.modelName), text(evalModeText(e.mode, e.vote)), text(split.isEmpty() ? tr("all") : split), status, items,
                          score, finished});
    }
    return t;
}

CellTable ComparisonTables::summary(const eval::Comparison &c, const QString &metric)
{
    CellTable t;
    QStringList families{QString()};
    for (const QString &f : c.families)
        families << f;
    t.headers << tr("Evaluation");
    for (const QString &f : families)
        t.headers << (f.isEmpty() ? tr("all") : f);
    t.headers << tr("Generations / answer") << tr("Tokens in / out") << tr("ms / answer") << tr("× the cost of %1").arg(c.labels.empty() ? QString() : c.labels[0])
              << tr("Δ score vs first [95 % CI]") << tr("p (paired bootstrap)") << tr("p (McNemar)");
    for (std::size_t i = 0; i < c.reports.size(); ++i) {
        std::vector<Cell> row{text(c.labels[i])};
        const auto m = c.reports[i].byMetric.find(metric);
        for (const QString &f : families) {
            const bool has = m != c.reports[i].byMetric.end() && m->second.count(f);
            Cell cell = text(has ? interval(m->second.at(f).value, m->second.at(f).low, m->second.at(f).high) : QStringLiteral("–"));
            cell.toolTip = familyDifferenceTip(c, i, f);
            row.push_back(cell);
        }
        appendCostAndDifference(c, i, row);
        t.rows.push_back(std::move(row));
    }
    return t;
}

CellTable ComparisonTables::items(const eval::Comparison &c, RowFilter filter, const QString &family)
{
    CellTable t;
    t.headers = QStringList{tr("Item"), tr("Family"), tr("Question"), tr("Reference")};
    for (const QString &n : c.names)
        t.headers << n;
    for (std::size_t i = 1; i < c.names.size(); ++i)
        t.headers << tr("%1 vs %2").arg(c.names[i], c.names[0]);
    for (std::size_t r = 0; r < c.rows.size(); ++r) {
        const eval::CompareRow &cr = c.rows[r];
        if (!shown(cr, filter, family))
            continue;
        Cell id = text(QString::number(cr.itemId));
        id.key = qint64(r);
        Cell question = text(cr.question);
        question.toolTip = cr.question;
        std::vector<Cell> row{id, text(cr.family), question, text(cr.reference)};
        for (std::size_t i = 0; i < cr.answers.size(); ++i) {
            Cell answer = text(cr.answers[i].isEmpty() ? tr("(failed)") : cr.answers[i]);
            answer.foreground = cr.right[i] ? QColor(0x1b, 0x7a, 0x2e) : QColor(0xb0, 0x20, 0x20);
            row.push_back(answer);
        }
        for (const eval::ItemChange ch : cr.change)
            row.push_back(text(changeText(ch)));
        t.rows.push_back(std::move(row));
    }
    return t;
}

} // namespace sdrt::ui
