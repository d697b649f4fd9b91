// sdrt eval: evaluation runs (core/eval) of a base model or a student, JSON lines on stdout.

#include "cli/Commands.h"

#include "sdrt/eval/Compare.h"
#include "sdrt/eval/EvalJob.h"
#include "sdrt/review/Export.h"
#include "sdrt/review/ReviewMarks.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/EvaluationRepository.h"
#include "sdrt/store/OutputFile.h"
#include "sdrt/store/RunProtocol.h"
#include "sdrt/store/Workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <csignal>
#include <set>
#include <cstdio>

namespace sdrt::cli {
namespace {

// An evaluation that did not finish covers only the items it answered; comparisons and review
// marks from it are allowed, with this said on stderr.
void warnIfUnfinished(const store::Evaluation &e)
{
    if (e.status == store::RunStatus::Done)
        return;
    err(QCoreApplication::translate("sdrt::cli", "Warning: evaluation \"%1\" is %2, not done: it covers only the items it answered (sdrt eval WS --resume %1 finishes it).")
            .arg(e.name, store::runStatusName(e.status)));
}

} // namespace

// sdrt eval enqueue WS EVAL [--regressions-vs OTHER]: the items EVAL got wrong (or got wrong
// where OTHER was right) are marked for review under "evaluation EVAL: …".
int runEnqueue(const QStringList &args)
{
    QCommandLineParser p;
    workspaceCommand(p, QCoreApplication::translate("sdrt::cli", "Mark an evaluation's wrong answers (or its regressions against another evaluation) for review: the review "
                                   "queue can then show just those items."));
    p.addPositionalArgument(QStringLiteral("EVAL"), QCoreApplication::translate("sdrt::cli", "Evaluation name."));
    QCommandLineOption vs(QStringLiteral("regressions-vs"), QCoreApplication::translate("sdrt::cli", "Only items this other evaluation got right."), QStringLiteral("EVAL"));
    p.addOption(vs);
    if (!parseArgs(p, QStringLiteral("sdrt eval enqueue"), args, 2))
        return 2;
    auto ws = openWorkspace(p.positionalArguments().first());
    if (!ws)
        return 2;
    store::EvaluationRepository repo(ws->db());
    auto reportOf = [&](const QString &name) -> std::optional<eval::EvalReport> {
        auto e = repo.findByName(name);
        if (!e)
            return errorNothing(e.error());
        if (!*e)
            return errorNothing(QCoreApplication::translate("sdrt::cli", "There is no evaluation \"%1\" in %2.").arg(name, ws->root()));
        warnIfUnfinished(**e);
        auto r = eval::evaluationReport(*ws, (*e)->id);
        if (!r)
            return errorNothing(r.error());
        return *r;
    };
    const QString name = p.positionalArguments().at(1);
    if (p.isSet(vs) && p.value(vs) == name)
        return errorExit(QCoreApplication::translate("sdrt::cli", "--regressions-vs names \"%1\" itself; an evaluation has no regressions against itself. Name another evaluation.").arg(name));
    auto report = reportOf(name);
    if (!report)
        return 2;
    std::set<store::Id> rightInOther;
    QString source = review::MarkSource::evaluationErrors(name);
    if (p.isSet(vs)) {
        auto other = reportOf(p.value(vs));
        if (!other)
            return 2;
        for (const auto &s : other->scores)
            if (s.right)
                rightInOther.insert(s.itemId);
        source = review::MarkSource::evaluationRegressions(name, p.value(vs));
    }
    std::vector<store::Id> items;
    for (const auto &s : report->scores)
        if (!s.right && (!p.isSet(vs) || rightInOther.count(s.itemId)))
            items.push_back(s.itemId);
    auto added = review::markForReview(ws->db(), source, items, report->evaluationId);
    if (!added)
        return errorExit(added.error());
    auto session = review::ReviewSession::load(ws->db());
    int withTraces = 0;
    if (session) {
        review::QueueFilter f;
        f.mark = source;
        withTraces = int((*session)->queue(f).size());
    }
    out(QCoreApplication::translate("sdrt::cli", "Marked %1 items for review as \"%2\" (%3 new); %4 of them have traces to review (review queue filter \"from\": %2).")
            .arg(items.size())
            .arg(source)
            .arg(*added)
            .arg(withTraces));
    return 0;
}

namespace {

// sdrt eval's options.
struct EvalOptions {
    QCommandLineOption model{QStringLiteral("model"), QCoreApplication::translate("sdrt::cli", "Model name or id (a student answers through its adapter)."), QStringLiteral("M")};
    QCommandLineOption mode{QStringLiteral("mode"), QCoreApplication::translate("sdrt::cli", "direct, two-step:PROMPT (name or name:version) or ensemble."), QStringLiteral("MODE"),
                            QStringLiteral("direct")};
    QCommandLineOption prompts{QStringLiteral("prompts"), QCoreApplication::translate("sdrt::cli", "Ensemble prompts, comma separated (default: the newest of every prompt)."),
                               QStringLiteral("LIST")};
    QCommandLineOption vote{QStringLiteral("vote"), QCoreApplication::translate("sdrt::cli", "Ensemble vote: majority or logprob."), QStringLiteral("V"), QStringLiteral("majority")};
    QCommandLineOption split{QStringLiteral("split"), QCoreApplication::translate("sdrt::cli", "train or eval."), QStringLiteral("S"), QStringLiteral("eval")};
    QCommandLineOption family{QStringLiteral("family"), QCoreApplication::translate("sdrt::cli", "Only this task family."), QStringLiteral("F")};
    QCommandLineOption limit{QStringLiteral("limit"), QCoreApplication::translate("sdrt::cli", "At most this many items (the first in id order; default: all)."), QStringLiteral("N")};
    QCommandLineOption metric{QStringLiteral("metric"),
                              QCoreApplication::translate("sdrt::cli", "Score every item with this metric: exact_match, anls, relaxed_accuracy, yes_no_accuracy, absolute_error."),
                              QStringLiteral("M")};
    QCommandLineOption name{QStringLiteral("name"), QCoreApplication::translate("sdrt::cli", "Evaluation name (default: eval-<UTC time>)."), QStringLiteral("NAME")};
    QCommandLineOption resume{QStringLiteral("resume"), QCoreApplication::translate("sdrt::cli", "Resume an interrupted or cancelled evaluation (only the missing items run)."),
                              QStringLiteral("NAME")};
    QCommandLineOption batch{QStringLiteral("batch"), QCoreApplication::translate("sdrt::cli", "Items per batch."), QStringLiteral("N"), QStringLiteral("8")};
    QCommandLineOption seed{QStringLiteral("seed"), QCoreApplication::translate("sdrt::cli", "Seed of the two-step samples and of the bootstrap."), QStringLiteral("S"), QStringLiteral("1")};
};

// --mode and --prompts of a new evaluation; false after an error on stderr.
bool modeOf(const QCommandLineParser &p, const EvalOptions &o, store::Database &db, eval::EvalParams &ep)
{
    const QString modeText = p.value(o.mode);
    Result<std::vector<store::Id>> ids = std::vector<store::Id>();
    if (modeText.startsWith(QLatin1String("two-step:"))) {
        ep.mode = store::EvalMode::TwoStep;
        ids = resolvePrompts(db, modeText.mid(9));
    } else if (auto m = store::evalModeFromString(modeText); m && *m != store::EvalMode::TwoStep) {
        ep.mode = *m;
        if (ep.mode == store::EvalMode::Ensemble && p.isSet(o.prompts))
            ids = resolvePrompts(db, p.value(o.prompts));
    } else {
        err(QCoreApplication::translate("sdrt::cli", "--mode: \"%1\" is not direct, two-step:PROMPT or ensemble.").arg(modeText));
        return false;
    }
    if (!ids)
        return errorFalse(ids.error());
    ep.promptIds = *ids;
    return true;
}

// What a new evaluation is: its model, mode, vote, items, metric and name; false after an error
// on stderr.
bool newEvaluation(const QCommandLineParser &p, const EvalOptions &o, eval::EvalParams &ep)
{
    auto ws = openWorkspace(ep.workspace);
    if (!ws)
        return false;
    auto m = resolveModel(ws->db(), p.value(o.model));
    if (!m)
        return errorFalse(m.error());
    ep.modelId = *m;
    if (!modeOf(p, o, ws->db(), ep))
        return false;
    const auto voteValue = store::ensembleVoteFromString(p.value(o.vote));
    if (!voteValue)
        return errorFalse(QCoreApplication::translate("sdrt::cli", "--vote: \"%1\" is not majority or logprob.").arg(p.value(o.vote)));
    ep.vote = *voteValue;
    ep.filter.split = store::splitFromString(p.value(o.split));
    if (!ep.filter.split)
        return errorFalse(QCoreApplication::translate("sdrt::cli", "--split: \"%1\" is not train or eval.").arg(p.value(o.split)));
    ep.filter.taskFamily = p.value(o.family);
    if (p.isSet(o.metric)) {
        ep.metric = eval::metricFromName(p.value(o.metric));
        if (!ep.metric)
            return errorFalse(QCoreApplication::translate("sdrt::cli", "--metric: \"%1\" is not a metric (exact_match, anls, relaxed_accuracy, yes_no_accuracy, absolute_error).").arg(p.value(o.metric)));
    }
    ep.name = p.isSet(o.name) ? p.value(o.name) : QStringLiteral("eval-") + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    return true;
}

// The last protocol line on stdout and the scores on stderr; the exit status.
int reportEvaluation(const eval::EvalReport &report, const QString &workspace)
{
    QJsonObject scores;
    for (const auto &[metricName, families] : report.byMetric) {
        QJsonObject fam;
        for (const auto &[f, e] : families)
            fam.insert(f.isEmpty() ? QStringLiteral("all") : f,
                       QJsonObject{{QStringLiteral("value"), e.value}, {QStringLiteral("low"), e.low}, {QStringLiteral("high"), e.high},
                                   {QStringLiteral("items"), e.items}});
        scores.insert(metricName, fam);
    }
    store::protocol::EvalEnd end;
    end.evaluation = report.name;
    end.evaluationId = report.evaluationId;
    end.items = report.items;
    end.failed = report.failed;
    end.itemsThisRun = report.itemsThisRun;
    end.seconds = report.secondsThisRun;
    end.itemsPerMinute = report.secondsThisRun > 0 ? 60.0 * report.itemsThisRun / report.secondsThisRun : 0.0;
    end.scores = scores;
    end.costPerAnswer = QJsonObject{{QStringLiteral("generations"), report.generations},
                                    {QStringLiteral("prompt_tokens"), report.promptTokens},
                                    {QStringLiteral("generated_tokens"), report.generatedTokens},
                                    {QStringLiteral("latency_ms"), report.latencyMs}};
    jsonLine(store::protocol::encode(report.cancelled ? store::protocol::Event::Cancelled : store::protocol::Event::Done, end));
    for (const auto &[metricName, families] : report.byMetric)
        for (const auto &[f, e] : families)
            err(QStringLiteral("%1\t%2\t%3 [%4, %5]\t%6 items")
                    .arg(metricName, f.isEmpty() ? QStringLiteral("all") : f)
                    .arg(e.value, 0, 'f', 3)
                    .arg(e.low, 0, 'f', 3)
                    .arg(e.high, 0, 'f', 3)
                    .arg(e.items));
    if (report.cancelled) {
        err(QCoreApplication::translate("sdrt::cli", "Cancelled; resume with: sdrt eval %1 --resume %2").arg(workspace, report.name));
        return 1;
    }
    return report.failed > 0 ? 1 : 0;
}

} // namespace

int runEval(const QStringList &args)
{
    if (!args.isEmpty() && args.first() == QLatin1String("enqueue"))
        return runEnqueue(args.mid(1));
    QCommandLineParser p;
    workspaceCommand(p, QCoreApplication::translate("sdrt::cli", "Evaluate a model (base or student) on a split: answers stored with their cost, scores per task family "
                                   "with bootstrap 95 % intervals. stdout: one JSON object per line."));
    const EvalOptions o;
    p.addOptions({o.model, o.mode, o.prompts, o.vote, o.split, o.family, o.limit, o.metric, o.name, o.resume, o.batch, o.seed});
    processArgs(p, QStringList{QStringLiteral("sdrt eval")} + args);
    if (p.positionalArguments().size() != 1 || p.isSet(o.resume) == p.isSet(o.model)) {
        err(QCoreApplication::translate("sdrt::cli", "Give a workspace and either --model M (a new evaluation) or --resume NAME."));
        err(p.helpText());
        return 2;
    }
    // Unset means every item; 0 is an error, not another way to say "all".
    const auto limitValue = p.isSet(o.limit) ? intOption(p, o.limit, 1) : std::optional<int>(0);
    const auto batchValue = limitValue ? intOption(p, o.batch, 1, 4096) : std::nullopt;
    const auto seedValue = batchValue ? seedOption(p, o.seed) : std::nullopt;
    if (!seedValue)
        return 2;
    eval::EvalParams ep;
    ep.workspace = p.positionalArguments().first();
    ep.batch = *batchValue;
    ep.seed = *seedValue;
    ep.limit = *limitValue;
    if (p.isSet(o.resume))
        ep.resume = p.value(o.resume);
    else if (!newEvaluation(p, o, ep))
        return 2;
    ep.cancel = cancelOnSignals();
    ep.progress = [](const eval::EvalParams::Progress &pr) {
        jsonLine(store::protocol::encode(store::protocol::EvalProgress{pr.done, pr.total, pr.failed, pr.etaSeconds}));
    };
    auto report = eval::runEvaluation(ep);
    if (!report) {
        err(report.error());
        jsonLine(store::protocol::encodeFailure(report.error()));
        return 2;
    }
    return reportEvaluation(*report, ep.workspace);
}

namespace {

// The comparison as text: the scores per metric and family, then each difference against the
// first evaluation.
void printComparison(const eval::Comparison &c)
{
    out(QCoreApplication::translate("sdrt::cli", "%1 common items").arg(c.rows.size()));
    for (std::size_t i = 0; i < c.labels.size(); ++i)
        out(QStringLiteral("[%1] %2").arg(i).arg(c.labels[i]));
    for (const auto &[metric, first] : c.reports[0].byMetric) {
        for (const auto &[family, unused] : first) {
            QString line = QStringLiteral("%1\t%2").arg(metric, family.isEmpty() ? QStringLiteral("all") : family);
            for (const auto &r : c.reports) {
                auto m = r.byMetric.find(metric);
                if (m != r.byMetric.end() && m->second.count(family)) {
                    const auto &e = m->second.at(family);
                    line += QStringLiteral("\t%1 [%2, %3]").arg(e.value, 0, 'f', 3).arg(e.low, 0, 'f', 3).arg(e.high, 0, 'f', 3);
                } else {
                    line += QStringLiteral("\t-");
                }
            }
            out(line);
        }
    }
    for (std::size_t i = 1; i < c.reports.size(); ++i) {
        const auto &d = c.differences[i - 1];
        out(QCoreApplication::translate("sdrt::cli", "[%1] − [0]: score %2 [%3, %4], paired bootstrap p %5, McNemar exact p %6; generations per answer %7 ([0]: %8; [0] / [%1] = %9)")
                .arg(i)
                .arg(d.value, 0, 'f', 3)
                .arg(d.low, 0, 'f', 3)
                .arg(d.high, 0, 'f', 3)
                .arg(eval::formatBootstrapP(d.pValue))
                .arg(c.mcnemarP[i - 1], 0, 'g', 3)
                .arg(c.reports[i].generations, 0, 'f', 1)
                .arg(c.reports[0].generations, 0, 'f', 1)
                .arg(c.costRatio[i - 1], 0, 'f', 2));
        for (const eval::FamilyDifference &fd : c.familyDifferences[i - 1])
            out(QCoreApplication::translate("sdrt::cli", "    %1: %2 [%3, %4], paired bootstrap p %5, McNemar exact p %6")
                    .arg(fd.family)
                    .arg(fd.difference.value, 0, 'f', 3)
                    .arg(fd.difference.low, 0, 'f', 3)
                    .arg(fd.difference.high, 0, 'f', 3)
                    .arg(eval::formatBootstrapP(fd.difference.pValue))
                    .arg(fd.mcnemarP, 0, 'g', 3));
    }
}

} // namespace

int runCompare(const QStringList &args)
{
    QCommandLineParser p;
    workspaceCommand(p, QCoreApplication::translate("sdrt::cli", "Compare evaluations on their common items: score ± interval per metric and family, cost per answer, "
                                   "the significance of each difference against the first (paired bootstrap, McNemar's exact test)."));
    p.addPositionalArgument(QStringLiteral("EVAL"), QCoreApplication::translate("sdrt::cli", "Two or more evaluation names; the first is the reference."), QStringLiteral("EVAL..."));
    QCommandLineOption csv(QStringLiteral("csv"), QCoreApplication::translate("sdrt::cli", "Write the per-item rows as CSV."), QStringLiteral("FILE"));
    QCommandLineOption html(QStringLiteral("html"), QCoreApplication::translate("sdrt::cli", "Write a self-contained HTML report."), QStringLiteral("FILE"));
    QCommandLineOption force(QStringLiteral("force"), QCoreApplication::translate("sdrt::cli", "Replace existing files."));
    QCommandLineOption seed(QStringLiteral("seed"), QCoreApplication::translate("sdrt::cli", "Seed of the bootstrap."), QStringLiteral("S"), QStringLiteral("1"));
    p.addOptions({csv, html, force, seed});
    processArgs(p, QStringList{QStringLiteral("sdrt compare")} + args);
    if (p.positionalArguments().size() < 3)
        return errorExit(p.helpText());
    const auto seedValue = seedOption(p, seed);
    if (!seedValue)
        return 2;
    for (const QCommandLineOption *o : {&csv, &html}) {
        if (!p.isSet(*o))
            continue;
        if (const QString why = store::checkExportTarget(p.value(*o), p.isSet(force)); !why.isEmpty())
            return errorExit(QStringLiteral("--%1: %2").arg(o->names().first(), why));
    }
    if (p.isSet(csv) && p.isSet(html) && store::writtenPath(p.value(csv)) == store::writtenPath(p.value(html)))
        return errorExit(QCoreApplication::translate("sdrt::cli", "--csv and --html name the same file (%1); give each its own.").arg(p.value(csv)));
    auto ws = openWorkspace(p.positionalArguments().first());
    if (!ws)
        return 2;
    const QStringList names = p.positionalArguments().mid(1);
    for (const QString &n : names) {
        store::EvaluationRepository repo(ws->db());
        if (auto e = repo.findByName(n); e && *e)
            warnIfUnfinished(**e);
    }
    auto c = eval::compareEvaluations(*ws, std::vector<QString>(names.begin(), names.end()), *seedValue);
    if (!c)
        return errorExit(c.error());
    printComparison(*c);
    auto write = [&](const QCommandLineOption &o, const QByteArray &data) {
        if (auto w = store::writeExport(p.value(o), data, p.isSet(force)); !w)
            return errorFalse(w.error());
        out(QCoreApplication::translate("sdrt::cli", "wrote %1").arg(p.value(o)));
        return true;
    };
    if (p.isSet(csv) && !write(csv, eval::comparisonCsv(*c)))
        return 2;
    if (p.isSet(html) && !write(html, eval::comparisonHtml(*c)))
        return 2;
    return 0;
}

} // namespace sdrt::cli
