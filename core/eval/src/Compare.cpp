#include "sdrt/eval/Compare.h"

#include "sdrt/store/EvaluationRepository.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/Workspace.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <map>
#include <set>

namespace sdrt::eval {
namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("sdrt::eval", s);
}

// A text cell. One that starts with = + - @, a tab or a carriage return would be read by a
// spreadsheet program as a formula (CSV injection): as OWASP recommends, it gets a leading
// apostrophe and is quoted, so it shows as the text it is.
QString csvField(const QString &s)
{
    QString v = s;
    static const QString kFormulaStarts = QStringLiteral("=+-@\t\r");
    if (!v.isEmpty() && kFormulaStarts.contains(v.front()))
        v.prepend(QLatin1Char('\''));
    if (v.startsWith(QLatin1Char('\'')) || v.contains(QLatin1Char('"')) || v.contains(QLatin1Char(',')) || v.contains(QLatin1Char('\n')) || v.contains(QLatin1Char('\r'))) {
        v.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        return QLatin1Char('"') + v + QLatin1Char('"');
    }
    return v;
}

QString pct(double v)
{
    return QString::number(v * 100.0, 'f', 1);
}

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

} // namespace

QString toString(ItemChange change)
{
    switch (change) {
    case ItemChange::Improved: return QStringLiteral("improved");
    case ItemChange::Regressed: return QStringLiteral("regressed");
    case ItemChange::Same: return QStringLiteral("same");
    }
    return {};
}

namespace {

// The evaluations being compared, read once: their reports and predictions, and the scores of
// the items every one of them scored.
struct Compared {
    std::vector<std::map<store::Id, store::Prediction>> predictions;
    std::vector<EvalReport> reports;
    std::set<store::Id> common;
    std::vector<std::map<store::Id, ItemScore>> scoreOf; // per evaluation, common items only
};

Result<Compared> readEvaluations(store::Workspace &ws, const std::vector<QString> &names, std::uint64_t seed, Comparison &c)
{
    store::EvaluationRepository repo(ws.db());
    store::ModelRepository models(ws.db());
    Compared d;
    for (const QString &n : names) {
        auto e = repo.findByName(n);
        if (!e)
            return fail(e.error());
        if (!*e)
            return fail(tr("There is no evaluation \"%1\" in %2.").arg(n, ws.root()));
        auto report = evaluationReport(ws, (*e)->id, seed);
        if (!report)
            return fail(report.error());
        auto p = repo.predictions((*e)->id);
        if (!p)
            return fail(p.error());
        std::map<store::Id, store::Prediction> byItem;
        for (auto &x : *p)
            byItem[x.itemId] = x;
        auto m = models.find((*e)->modelId);
        const QString model = m && *m ? (*m)->name : QString::number((*e)->modelId);
        c.names.push_back(n);
        c.labels.push_back(QStringLiteral("%1 (%2, %3)").arg(n, model, store::toString((*e)->mode)));
        d.predictions.push_back(std::move(byItem));
        d.reports.push_back(std::move(*report));
    }
    // Common items: scored in every evaluation.
    for (const ItemScore &s : d.reports[0].scores)
        d.common.insert(s.itemId);
    for (std::size_t i = 1; i < d.reports.size(); ++i) {
        std::set<store::Id> here;
        for (const ItemScore &s : d.reports[i].scores)
            if (d.common.count(s.itemId))
                here.insert(s.itemId);
        d.common.swap(here);
    }
    if (d.common.empty())
        return fail(tr("The evaluations have no scored item in common."));
    d.scoreOf.resize(d.reports.size());
    for (std::size_t i = 0; i < d.reports.size(); ++i)
        for (const ItemScore &s : d.reports[i].scores)
            if (d.common.count(s.itemId))
                d.scoreOf[i][s.itemId] = s;
    return d;
}

// Evaluation i's prediction of an item (an empty one where none is stored).
const store::Prediction &predictionOf(const Compared &d, std::size_t i, store::Id id)
{
    static const store::Prediction none;
    const auto it = d.predictions[i].find(id);
    return it == d.predictions[i].end() ? none : it->second;
}

// Evaluation i's report on the common items only, its cost averaged per answer.
EvalReport commonReport(const Compared &d, std::size_t i, std::uint64_t seed, std::set<QString> &families)
{
    EvalReport r;
    r.evaluationId = d.reports[i].evaluationId;
    r.name = d.reports[i].name;
    for (store::Id id : d.common) {
        r.scores.push_back(d.scoreOf[i].at(id));
        r.count(predictionOf(d, i, id));
        families.insert(d.scoreOf[i].at(id).family);
    }
    r.averageCosts();
    r.byMetric = summarizeScores(r.scores, seed);
    return r;
}

CompareRow compareRow(const Compared &d, const store::Item &item)
{
    CompareRow row;
    row.itemId = item.id;
    row.family = item.taskFamily;
    row.question = item.question;
    row.reference = item.referenceAnswer.value_or(QString());
    std::set<QString> answers;
    for (std::size_t i = 0; i < d.reports.size(); ++i) {
        const store::Prediction &p = predictionOf(d, i, item.id);
        const ItemScore &s = d.scoreOf[i].at(item.id);
        row.answers.push_back(p.ok ? p.parsedAnswer : QString());
        answers.insert(p.ok ? p.parsedAnswer.trimmed().toLower() : QString());
        row.scores.push_back(s.score);
        row.right.push_back(s.right);
        row.traces.push_back(p.trace);
        if (i > 0) {
            const double a = d.scoreOf[0].at(item.id).score.value_or(0), b = s.score.value_or(0);
            const bool better = higherIsBetter(s.metric) ? b > a : b < a;
            const bool worse = higherIsBetter(s.metric) ? b < a : b > a;
            row.change.push_back(better ? ItemChange::Improved : worse ? ItemChange::Regressed : ItemChange::Same);
        }
    }
    row.disagree = answers.size() > 1;
    return row;
}

// Pairs against the first evaluation: the combined score ("score", in [0,1]) per item, over the
// common items or those of one family, by paired bootstrap and McNemar's exact test.
void addDifferences(const Compared &d, std::uint64_t seed, Comparison &c)
{
    std::map<store::Id, QString> familyOf;
    for (const CompareRow &row : c.rows)
        familyOf[row.itemId] = row.family;
    auto combined = [&](std::size_t i, const QString *family) {
        std::vector<double> v;
        for (store::Id id : d.common) {
            if (family && familyOf[id] != *family)
                continue;
            const ItemScore &s = d.scoreOf[i].at(id);
            v.push_back(higherIsBetter(s.metric) ? s.score.value_or(0) : (s.right ? 1.0 : 0.0));
        }
        return v;
    };
    auto mcnemar = [&](std::size_t i, const QString *family) {
        int onlyA = 0, onlyB = 0;
        for (store::Id id : d.common) {
            if (family && familyOf[id] != *family)
                continue;
            const bool a = d.scoreOf[0].at(id).right, b = d.scoreOf[i].at(id).right;
            onlyA += a && !b;
            onlyB += b && !a;
        }
        return mcnemarExact(onlyA, onlyB);
    };
    const auto base = combined(0, nullptr);
    for (std::size_t i = 1; i < d.reports.size(); ++i) {
        c.differences.push_back(pairedBootstrap(base, combined(i, nullptr), seed + i));
        c.mcnemarP.push_back(mcnemar(i, nullptr));
        c.costRatio.push_back(c.reports[i].generations > 0 ? c.reports[0].generations / c.reports[i].generations : 0.0);
        std::vector<FamilyDifference> perFamily;
        for (const QString &f : c.families)
            perFamily.push_back({f, pairedBootstrap(combined(0, &f), combined(i, &f), seed + i), mcnemar(i, &f)});
        c.familyDifferences.push_back(std::move(perFamily));
    }
}

} // namespace

Result<Comparison> compareEvaluations(store::Workspace &ws, const std::vector<QString> &names, std::uint64_t seed)
{
    if (names.size() < 2)
        return fail(tr("A comparison needs at least two evaluations."));
    Comparison c;
    auto d = readEvaluations(ws, names, seed, c);
    if (!d)
        return fail(d.error());
    std::set<QString> families;
    for (std::size_t i = 0; i < d->reports.size(); ++i)
        c.reports.push_back(commonReport(*d, i, seed, families));
    c.families.assign(families.begin(), families.end());
    store::ItemRepository items(ws.db());
    for (store::Id id : d->common) {
        auto item = items.get(id);
        if (!item)
            return fail(item.error());
        c.rows.push_back(compareRow(*d, *item));
    }
    addDifferences(*d, seed, c);
    return c;
}

Result<Comparison> compareEvaluations(const CompareParams &params)
{
    auto ws = store::Workspace::open(params.workspace);
    if (!ws)
        return fail(ws.error());
    if (params.cancel && params.cancel->load())
        return fail(tr("The comparison was cancelled."));
    return compareEvaluations(*ws, params.names, params.seed);
}

QByteArray comparisonCsv(const Comparison &c)
{
    QStringList head{QStringLiteral("item_id"), QStringLiteral("family"), QStringLiteral("question"), QStringLiteral("reference")};
    for (std::size_t i = 0; i < c.names.size(); ++i) {
        head << csvField(c.names[i] + QStringLiteral(" answer")) << csvField(c.names[i] + QStringLiteral(" score"))
             << csvField(c.names[i] + QStringLiteral(" right"));
        if (i > 0)
            head << csvField(c.names[i] + QStringLiteral(" vs ") + c.names[0]);
    }
    head << QStringLiteral("disagree");
    QString out = head.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    for (const CompareRow &r : c.rows) {
        QStringList f{QString::number(r.itemId), csvField(r.family), csvField(r.question), csvField(r.reference)};
        for (std::size_t i = 0; i < c.names.size(); ++i) {
            f << csvField(r.answers[i]) << (r.scores[i] ? QString::number(*r.scores[i], 'g', 6) : QString())
              << (r.right[i] ? QStringLiteral("1") : QStringLiteral("0"));
            if (i > 0)
                f << toString(r.change[i - 1]);
        }
        f << (r.disagree ? QStringLiteral("1") : QStringLiteral("0"));
        out += f.join(QLatin1Char(',')) + QStringLiteral("\r\n");
    }
    // A byte-order mark, so spreadsheet programs read the file as UTF-8 (Japanese intact).
    return QByteArrayLiteral("\xEF\xBB\xBF") + out.toUtf8();
}

namespace {

// One metric's table: a row per family (and "all"), a column per evaluation.
QString htmlScoreTable(const Comparison &c, const QString &metric, const std::map<QString, Estimate> &first, const std::vector<QString> &fams)
{
    QString h;
    h += QStringLiteral("<h2>%1</h2>\n<table><tr><th>%2</th>").arg(esc(metric), esc(tr("family")));
    for (const QString &l : c.labels)
        h += QStringLiteral("<th>%1</th>").arg(esc(l));
    h += QStringLiteral("</tr>\n");
    for (const QString &f : fams) {
        if (!first.count(f))
            continue;
        h += QStringLiteral("<tr><td>%1</td>").arg(esc(f.isEmpty() ? tr("all") : f));
        for (const EvalReport &r : c.reports) {
            auto m = r.byMetric.find(metric);
            if (m == r.byMetric.end() || !m->second.count(f)) {
                h += QStringLiteral("<td></td>");
                continue;
            }
            const Estimate &e = m->second.at(f);
            const bool percent = metric != QLatin1String("absolute_error");
            h += QStringLiteral("<td>%1 [%2, %3] (n=%4)</td>")
                     .arg(percent ? pct(e.value) : QString::number(e.value, 'f', 3), percent ? pct(e.low) : QString::number(e.low, 'f', 3),
                          percent ? pct(e.high) : QString::number(e.high, 'f', 3))
                     .arg(e.items);
        }
        h += QStringLiteral("</tr>\n");
    }
    h += QStringLiteral("</table>\n");
    return h;
}

// One metric's grouped bars: a group per family, a bar per evaluation (values in [0,1] except the error).
QString htmlBars(const Comparison &c, const QString &metric, const std::vector<QString> &fams)
{
    QString h;
    const int groupW = 30 * int(c.reports.size()) + 20, W = 60 + groupW * int(fams.size()), H = 200;
    double top = 1.0;
    if (metric == QLatin1String("absolute_error")) {
        top = 1e-9;
        for (const EvalReport &r : c.reports)
            if (auto m = r.byMetric.find(metric); m != r.byMetric.end())
                for (const auto &[f, e] : m->second)
                    top = std::max(top, e.high);
    }
    static const char *colors[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
    h += QStringLiteral("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%1\" height=\"%2\" role=\"img\">").arg(W).arg(H + 40);
    h += QStringLiteral("<line x1=\"50\" y1=\"%1\" x2=\"%2\" y2=\"%1\" stroke=\"#333\"/>").arg(H).arg(W);
    for (std::size_t g = 0; g < fams.size(); ++g) {
        const int x0 = 60 + int(g) * groupW;
        for (std::size_t i = 0; i < c.reports.size(); ++i) {
            auto m = c.reports[i].byMetric.find(metric);
            if (m == c.reports[i].byMetric.end() || !m->second.count(fams[g]))
                continue;
            const Estimate &e = m->second.at(fams[g]);
            const int bh = int(e.value / top * (H - 10)), x = x0 + int(i) * 30;
            h += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"26\" height=\"%3\" fill=\"%4\"><title>%5: %6</title></rect>")
                     .arg(x).arg(H - bh).arg(bh).arg(QLatin1String(colors[i % 8]), esc(c.labels[i]), QString::number(e.value, 'f', 3));
            const int lo = H - int(e.low / top * (H - 10)), hi = H - int(e.high / top * (H - 10));
            h += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%1\" y2=\"%3\" stroke=\"#000\"/>").arg(x + 13).arg(lo).arg(hi);
        }
        h += QStringLiteral("<text x=\"%1\" y=\"%2\" font-size=\"11\">%3</text>").arg(x0).arg(H + 15).arg(esc(fams[g].isEmpty() ? tr("all") : fams[g]));
    }
    for (std::size_t i = 0; i < c.labels.size(); ++i)
        h += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"10\" height=\"10\" fill=\"%3\"/><text x=\"%4\" y=\"%5\" font-size=\"11\">%6</text>")
                 .arg(60 + int(i) * 180).arg(H + 24).arg(QLatin1String(colors[i % 8])).arg(74 + int(i) * 180).arg(H + 33).arg(esc(c.labels[i]));
    h += QStringLiteral("</svg>\n");
    return h;
}

// The differences against the first evaluation, overall and per family.
QString htmlDifferences(const Comparison &c)
{
    QString h;
    h += QStringLiteral("<h2>%1</h2>\n<table><tr><th>%2</th><th>%3</th><th>%4</th><th>%5</th><th>%6</th></tr>\n")
             .arg(esc(tr("Differences against the first evaluation")), esc(tr("evaluation")), esc(tr("score difference [95 % interval]")),
                  esc(tr("paired bootstrap p")), esc(tr("McNemar exact p")), esc(tr("generations per answer (first / this)")));
    for (std::size_t i = 1; i < c.reports.size(); ++i) {
        const Difference &d = c.differences[i - 1];
        h += QStringLiteral("<tr><td>%1</td><td>%2 [%3, %4]</td><td>%5</td><td>%6</td><td>%7 / %8 = %9×</td></tr>\n")
                 .arg(esc(c.labels[i]), pct(d.value), pct(d.low), pct(d.high), formatBootstrapP(d.pValue), QString::number(c.mcnemarP[i - 1], 'g', 3))
                 .arg(c.reports[0].generations, 0, 'f', 1)
                 .arg(c.reports[i].generations, 0, 'f', 1)
                 .arg(c.costRatio[i - 1], 0, 'f', 1);
    }
    h += QStringLiteral("</table>\n");
    if (!c.families.empty() && c.reports.size() > 1 && c.familyDifferences.size() + 1 == c.reports.size()) {
        h += QStringLiteral("<h2>%1</h2>\n<table><tr><th>%2</th><th>%3</th><th>%4</th><th>%5</th><th>%6</th></tr>\n")
                 .arg(esc(tr("Differences by task family")), esc(tr("evaluation")), esc(tr("family")), esc(tr("score difference [95 % interval]")),
                      esc(tr("paired bootstrap p")), esc(tr("McNemar exact p")));
        for (std::size_t i = 1; i < c.reports.size(); ++i)
            for (const FamilyDifference &fd : c.familyDifferences[i - 1])
                h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3 [%4, %5]</td><td>%6</td><td>%7</td></tr>\n")
                         .arg(esc(c.labels[i]), esc(fd.family), pct(fd.difference.value), pct(fd.difference.low), pct(fd.difference.high),
                              formatBootstrapP(fd.difference.pValue), QString::number(fd.mcnemarP, 'g', 3));
        h += QStringLiteral("</table>\n");
    }
    return h;
}

// The cost per answer of each evaluation.
QString htmlCost(const Comparison &c)
{
    QString h;
    h += QStringLiteral("<table><tr><th>%1</th><th>%2</th><th>%3</th><th>%4</th><th>%5</th></tr>\n")
             .arg(esc(tr("evaluation")), esc(tr("generations")), esc(tr("prompt tokens")), esc(tr("generated tokens")), esc(tr("ms per answer")));
    for (std::size_t i = 0; i < c.reports.size(); ++i)
        h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td></tr>\n")
                 .arg(esc(c.labels[i]))
                 .arg(c.reports[i].generations, 0, 'f', 2)
                 .arg(c.reports[i].promptTokens, 0, 'f', 1)
                 .arg(c.reports[i].generatedTokens, 0, 'f', 1)
                 .arg(c.reports[i].latencyMs, 0, 'f', 1);
    h += QStringLiteral("</table>\n");
    return h;
}

// Every common item: the reference and each evaluation's answer, its trace folded.
QString htmlItems(const Comparison &c)
{
    QString h;
    h += QStringLiteral("<h2>%1</h2>\n<table><tr><th>%2</th><th>%3</th><th>%4</th><th>%5</th>")
             .arg(esc(tr("Items")), esc(tr("item")), esc(tr("family")), esc(tr("question")), esc(tr("reference")));
    for (const QString &l : c.labels)
        h += QStringLiteral("<th>%1</th>").arg(esc(l));
    h += QStringLiteral("</tr>\n");
    for (const CompareRow &r : c.rows) {
        h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td>").arg(r.itemId).arg(esc(r.family), esc(r.question), esc(r.reference));
        for (std::size_t i = 0; i < c.names.size(); ++i) {
            const QString cls = i == 0 ? QString() : toString(r.change[i - 1]);
            h += QStringLiteral("<td class=\"%1\">%2").arg(cls, esc(r.answers[i]));
            const QJsonArray trace = QJsonDocument::fromJson(r.traces[i].toUtf8()).array();
            if (!trace.isEmpty()) {
                h += QStringLiteral("<details><summary>%1</summary>").arg(esc(tr("trace")));
                for (const auto &t : trace) {
                    const QJsonObject o = t.toObject();
                    h += QStringLiteral("<p><b>%1</b></p><pre>%2</pre><pre>%3</pre>")
                             .arg(esc(o.value(QStringLiteral("prompt")).toString()), esc(o.value(QStringLiteral("step1")).toString()),
                                  esc(o.value(QStringLiteral("step2")).toString()));
                }
                h += QStringLiteral("</details>");
            }
            h += QStringLiteral("</td>");
        }
        h += QStringLiteral("</tr>\n");
    }
    return h;
}

} // namespace

QByteArray comparisonHtml(const Comparison &c)
{
    QString h;
    h += QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%1</title>\n").arg(esc(tr("Evaluation comparison")));
    h += QStringLiteral("<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin:1em 0}"
                        "td,th{border:1px solid #bbb;padding:3px 6px;vertical-align:top}th{background:#eee}"
                        ".improved{background:#d8f5d8}.regressed{background:#f7d6d6}details{max-width:40em}"
                        "pre{white-space:pre-wrap;margin:0}</style></head><body>\n");
    h += QStringLiteral("<h1>%1</h1>\n<p>%2</p>\n").arg(esc(tr("Evaluation comparison")), esc(tr("%1 common items.").arg(c.rows.size())));
    // Summary: per metric, family rows, evaluation columns, and the bars.
    std::vector<QString> fams(c.families.begin(), c.families.end());
    fams.push_back(QString());
    for (const auto &[metric, first] : c.reports[0].byMetric)
        h += htmlScoreTable(c, metric, first, fams) + htmlBars(c, metric, fams);
    h += htmlDifferences(c) + htmlCost(c) + htmlItems(c);
    h += QStringLiteral("</table>\n</body></html>\n");
    return h.toUtf8();
}

} // namespace sdrt::eval
