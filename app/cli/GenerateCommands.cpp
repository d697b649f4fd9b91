#include "cli/Commands.h"

#include "sdrt/prompts/Answers.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/PromptRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/prompts/Ensemble.h"
#include "sdrt/distill/Models.h"
#include "sdrt/teacher/GenerationJob.h"
#include "sdrt/teacher/Models.h"

#include "sdrt/assets/ImportJob.h"
#include "sdrt/demo/FactoryWorld.h"
#include "sdrt/model/Platform.h"
#include "sdrt/model/Runtime.h"
#include "sdrt/prompts/PromptLibrary.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTemporaryDir>

#include <csignal>

namespace sdrt::cli {

// A model by id or name.
Result<store::Id> resolveModel(store::Database &db, const QString &spec)
{
    store::ModelRepository models(db);
    bool isNumber = false;
    const store::Id id = spec.toLongLong(&isNumber);
    if (isNumber) {
        auto m = models.find(id);
        if (!m)
            return fail(m.error());
        if (*m)
            return id;
    }
    auto m = models.findByName(spec);
    if (!m)
        return fail(m.error());
    if (!*m)
        return fail(QCoreApplication::translate("sdrt::cli", "No model \"%1\" in the workspace (register one with sdrt model register WS DIR).").arg(spec));
    return (*m)->id;
}

// Prompt versions by name (newest version) or name:version.
Result<std::vector<store::Id>> resolvePrompts(store::Database &db, const QString &spec)
{
    std::vector<store::Id> out;
    if (spec.isEmpty())
        return out;
    store::PromptRepository repo(db);
    auto newest = repo.newestVersions();
    if (!newest)
        return fail(newest.error());
    for (const QString &part : spec.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString name = part.section(QLatin1Char(':'), 0, 0).trimmed();
        const int version = part.contains(QLatin1Char(':')) ? part.section(QLatin1Char(':'), 1).toInt() : 0;
        std::optional<store::PromptVersion> found;
        if (version > 0) {
            auto v = repo.find(name, version);
            if (!v)
                return fail(v.error());
            found = *v;
        } else {
            for (const store::PromptVersion &v : *newest)
                if (v.name == name)
                    found = v;
        }
        if (!found)
            return fail(QCoreApplication::translate("sdrt::cli", "No prompt \"%1\" in the workspace (register the library with sdrt prompts register WS).").arg(part));
        out.push_back(found->id);
    }
    return out;
}

namespace {


// The prompt ensemble of each item of a run and its accuracy against the reference answers.
// Fails only when the workspace cannot be read.
int printEnsembles(const QString &wsDir, const teacher::GenerationParams &gp)
{
    auto ws = openWorkspace(wsDir);
    if (!ws)
        return 2;
    store::ItemRepository items(ws->db());
    store::TraceRepository traces(ws->db());
    auto rows = items.list(gp.filter, 0, std::numeric_limits<std::int32_t>::max());
    if (!rows)
        return errorExit(rows.error());
    std::set<store::Id> chosen(gp.itemIds.begin(), gp.itemIds.end());
    int withReference = 0, majorityRight = 0, weightedRight = 0;
    double agreement = 0;
    int voted = 0;
    for (const auto &r : *rows) {
        if (!chosen.empty() && !chosen.count(r.id))
            continue;
        auto item = items.get(r.id);
        auto list = item ? traces.forItem(r.id, gp.modelId) : Result<std::vector<store::Trace>>(fail(item.error()));
        if (!item || !list) {
            err(QCoreApplication::translate("sdrt::cli", "item %1 left out of the ensemble summary: %2").arg(r.id).arg(!item ? item.error() : list.error()));
            continue;
        }
        const prompts::Ensemble e = prompts::ensemble(*list, item->answerType);
        if (e.votes == 0)
            continue;
        ++voted;
        agreement += e.agreement;
        QString line = QStringLiteral("item %1 %2: majority \"%3\" (%4/%5, agreement %6), weighted \"%7\"")
                           .arg(r.id)
                           .arg(item->externalId.value_or(QString()), e.majority)
                           .arg(e.counts.at(e.majority))
                           .arg(e.votes)
                           .arg(e.agreement, 0, 'f', 2)
                           .arg(e.weighted);
        if (item->referenceAnswer && !item->referenceAnswer->isEmpty()) {
            ++withReference;
            const bool m = prompts::answersMatch(e.majority, *item->referenceAnswer, item->answerType);
            const bool w = prompts::answersMatch(e.weighted, *item->referenceAnswer, item->answerType);
            majorityRight += m;
            weightedRight += w;
            line += QStringLiteral(", reference \"%1\" %2").arg(*item->referenceAnswer, m ? QCoreApplication::translate("sdrt::cli", "(majority right)") : QCoreApplication::translate("sdrt::cli", "(majority wrong)"));
        }
        out(line);
    }
    if (voted > 0)
        out(QCoreApplication::translate("sdrt::cli", "ensemble over %1 items: mean agreement %2; against the reference (%3 items): majority vote %4%, weighted vote %5%")
                .arg(voted)
                .arg(agreement / voted, 0, 'f', 3)
                .arg(withReference)
                .arg(withReference ? 100.0 * majorityRight / withReference : 0, 0, 'f', 1)
                .arg(withReference ? 100.0 * weightedRight / withReference : 0, 0, 'f', 1));
    return 0;
}

// sdrt generate's options.
struct GenerateOptions {
    QCommandLineOption model{QStringLiteral("model"), QCoreApplication::translate("sdrt::cli", "Model name or id."), QStringLiteral("M")};
    QCommandLineOption promptsOpt{QStringLiteral("prompts"), QCoreApplication::translate("sdrt::cli", "Comma-separated prompt names (name or name:version); default all."), QStringLiteral("LIST")};
    QCommandLineOption split{QStringLiteral("split"), QCoreApplication::translate("sdrt::cli", "train or eval; default both."), QStringLiteral("S")};
    QCommandLineOption family{QStringLiteral("family"), QCoreApplication::translate("sdrt::cli", "Task family."), QStringLiteral("F")};
    QCommandLineOption text{QStringLiteral("text"), QCoreApplication::translate("sdrt::cli", "Only items whose question, answer or note contains this text."), QStringLiteral("T")};
    QCommandLineOption limit{QStringLiteral("limit"), QCoreApplication::translate("sdrt::cli", "At most this many items (the first in id order)."), QStringLiteral("N")};
    QCommandLineOption samples{QStringLiteral("samples"), QCoreApplication::translate("sdrt::cli", "Samples per prompt."), QStringLiteral("K"), QStringLiteral("1")};
    QCommandLineOption batch{QStringLiteral("batch"), QCoreApplication::translate("sdrt::cli", "Rows generated together (a finished row takes the next work at once)."), QStringLiteral("B"), QStringLiteral("8")};
    QCommandLineOption commit{QStringLiteral("commit-every"), QCoreApplication::translate("sdrt::cli", "Store finished traces in groups of this many (or every 5 s); a crash loses at most one group."), QStringLiteral("N"), QString::number(teacher::GenerationParams{}.commitTraces)};
    QCommandLineOption temperature{QStringLiteral("temperature"), QCoreApplication::translate("sdrt::cli", "Sampling temperature; 0 is greedy."), QStringLiteral("X"), QStringLiteral("0")};
    QCommandLineOption topK{QStringLiteral("top-k"), QCoreApplication::translate("sdrt::cli", "top-k (0: off)."), QStringLiteral("K"), QStringLiteral("0")};
    QCommandLineOption topP{QStringLiteral("top-p"), QCoreApplication::translate("sdrt::cli", "top-p (1: off)."), QStringLiteral("P"), QStringLiteral("1")};
    QCommandLineOption seed{QStringLiteral("seed"), QCoreApplication::translate("sdrt::cli", "Run seed."), QStringLiteral("S"), QStringLiteral("1")};
    QCommandLineOption step1{QStringLiteral("step1-tokens"), QCoreApplication::translate("sdrt::cli", "Most new tokens of the analysis."), QStringLiteral("N"), QString::number(teacher::TeacherSampling{}.step1MaxTokens)};
    QCommandLineOption step2{QStringLiteral("step2-tokens"), QCoreApplication::translate("sdrt::cli", "Most new tokens of the answer."), QStringLiteral("N"), QString::number(teacher::TeacherSampling{}.step2MaxTokens)};
    QCommandLineOption layers{QStringLiteral("layers"), QCoreApplication::translate("sdrt::cli", "Decoder layers for hidden states (comma-separated; default middle and last)."), QStringLiteral("L")};
    QCommandLineOption noHidden{QStringLiteral("no-hidden"), QCoreApplication::translate("sdrt::cli", "Do not store hidden states.")};
    QCommandLineOption shard{QStringLiteral("shard"), QCoreApplication::translate("sdrt::cli", "i/N: take every N-th item starting at i (0-based)."), QStringLiteral("i/N")};
    QCommandLineOption outDir{QStringLiteral("out"), QCoreApplication::translate("sdrt::cli", "With --shard: write into this shard folder (then sdrt merge)."), QStringLiteral("DIR")};
    QCommandLineOption device{QStringLiteral("device"), QCoreApplication::translate("sdrt::cli", "cpu, cuda[:N] or auto."), QStringLiteral("D"), QStringLiteral("auto")};
    QCommandLineOption quiet{QStringLiteral("quiet"), QCoreApplication::translate("sdrt::cli", "No per-item ensemble lines.")};
};

// The model, prompts and items of a run; false after an error on stderr.
bool chooseWork(const QCommandLineParser &p, const GenerateOptions &o, const std::optional<int> &limitValue, teacher::GenerationParams &gp)
{
    auto ws = openWorkspace(gp.workspace);
    if (!ws)
        return false;
    auto m = resolveModel(ws->db(), p.value(o.model));
    if (!m)
        return errorFalse(m.error());
    gp.modelId = *m;
    auto pr = resolvePrompts(ws->db(), p.value(o.promptsOpt));
    if (!pr)
        return errorFalse(pr.error());
    gp.promptIds = *pr;
    gp.filter.split = store::splitFromString(p.value(o.split));
    gp.filter.taskFamily = p.value(o.family);
    gp.filter.text = p.value(o.text);
    if (p.isSet(o.limit)) {
        auto rows = store::ItemRepository(ws->db()).list(gp.filter, 0, *limitValue);
        if (!rows)
            return errorFalse(rows.error());
        for (const auto &r : *rows)
            gp.itemIds.push_back(r.id);
        if (gp.itemIds.empty())
            return errorFalse(QCoreApplication::translate("sdrt::cli", "No items match."));
    }
    return true;
}

// --shard i/N; false after an error on stderr.
bool shardOf(const QString &text, teacher::GenerationParams &gp)
{
    const QStringList parts = text.split(QLatin1Char('/'));
    bool ok1 = false, ok2 = false;
    if (parts.size() == 2) {
        gp.shardIndex = parts[0].toInt(&ok1);
        gp.shardCount = parts[1].toInt(&ok2);
    }
    if (!ok1 || !ok2)
        return errorFalse(QCoreApplication::translate("sdrt::cli", "--shard takes i/N, for example 0/2."));
    return true;
}

// What a teacher run did, on stdout (failures on stderr).
void printSummary(const teacher::GenerationSummary &s)
{
    if (s.resumedRun)
        out(QCoreApplication::translate("sdrt::cli", "run %1 resumes interrupted run %2 (%3 ok and %4 failed traces stored when it stopped)")
                .arg(s.runId)
                .arg(s.resumedRun->id)
                .arg(s.resumedRun->tracesOk)
                .arg(s.resumedRun->tracesFailed));
    for (const QString &f : s.failures)
        err(QCoreApplication::translate("sdrt::cli", "failed: %1").arg(f));
    QString layersText;
    for (int l : s.hiddenLayers)
        layersText += (layersText.isEmpty() ? QString() : QStringLiteral(",")) + QString::number(l);
    out(QCoreApplication::translate("sdrt::cli", "run %1%2: %3 items, %4 traces planned (%5 already done), %6 ok, %7 failed in %8 s (%9 traces/min)")
            .arg(s.runId)
            .arg(s.cancelled ? QCoreApplication::translate("sdrt::cli", " (cancelled)") : QString())
            .arg(s.items)
            .arg(s.planned)
            .arg(s.skipped)
            .arg(s.ok)
            .arg(s.failed)
            .arg(s.seconds, 0, 'f', 1)
            .arg(s.tracesPerMinute, 0, 'f', 1));
    if (s.ok > 0 && !s.hiddenLayers.empty())
        out(QCoreApplication::translate("sdrt::cli", "hidden states: layers %1, %2 bytes per trace (fp16), %3 MiB in all")
                .arg(layersText)
                .arg(double(s.hiddenBytes) / s.ok, 0, 'f', 0)
                .arg(double(s.hiddenBytes) / (1 << 20), 0, 'f', 2));
}

int generate(const QStringList &args)
{
    QCommandLineParser p;
    workspaceCommand(p, QCoreApplication::translate("sdrt::cli", "Run the prompt library two-step over items with a registered model and store the traces "
                                  "(with hidden states). Rerunning resumes: completed traces are skipped. Ctrl+C cancels."));
    const GenerateOptions o;
    p.addOptions({o.model, o.promptsOpt, o.split, o.family, o.text, o.limit, o.samples, o.batch, o.commit, o.temperature, o.topK, o.topP, o.seed,
                  o.step1, o.step2, o.layers, o.noHidden, o.shard, o.outDir, o.device, o.quiet});
    processArgs(p, QStringList{QStringLiteral("sdrt generate")} + args);
    if (p.positionalArguments().size() != 1 || !p.isSet(o.model))
        return errorExit(p.helpText());
    const QString wsDir = p.positionalArguments().first();
    teacher::GenerationParams gp;
    gp.loadModel = distill::loadRegisteredModel; // students too
    gp.workspace = wsDir;
    // Every number is checked before anything runs: a typo is an error, not a default.
    const auto samplesValue = intOption(p, o.samples, 1, 1000);
    const auto batchValue = samplesValue ? intOption(p, o.batch, 1, 4096) : std::nullopt;
    const auto commitValue = batchValue ? intOption(p, o.commit, 1, 1 << 20) : std::nullopt;
    const auto temperatureValue = commitValue ? realOption(p, o.temperature, 0, 100) : std::nullopt;
    const auto topKValue = temperatureValue ? intOption(p, o.topK, 0) : std::nullopt;
    const auto topPValue = topKValue ? realOption(p, o.topP, 0, 1, false) : std::nullopt;
    const auto seedValue = topPValue ? seedOption(p, o.seed) : std::nullopt;
    const auto step1Value = seedValue ? intOption(p, o.step1, 1, 1 << 20) : std::nullopt;
    const auto step2Value = step1Value ? intOption(p, o.step2, 1, 1 << 20) : std::nullopt;
    if (!step2Value)
        return 2;
    std::optional<int> limitValue;
    if (p.isSet(o.limit) && !(limitValue = intOption(p, o.limit, 1)))
        return 2;
    if (p.isSet(o.layers)) {
        auto list = intListOption(p, o.layers, 0, 100000);
        if (!list)
            return 2;
        gp.hiddenLayers = *list;
    }
    if (p.isSet(o.split) && !store::splitFromString(p.value(o.split)))
        return errorExit(QCoreApplication::translate("sdrt::cli", "--split: \"%1\" is not a split (train or eval).").arg(p.value(o.split)));
    if (!chooseWork(p, o, limitValue, gp))
        return 2;
    gp.samples = *samplesValue;
    gp.batch = *batchValue;
    gp.commitTraces = *commitValue;
    gp.sampling.temperature = float(*temperatureValue);
    gp.sampling.topK = *topKValue;
    gp.sampling.topP = float(*topPValue);
    gp.seed = *seedValue;
    gp.sampling.step1MaxTokens = *step1Value;
    gp.sampling.step2MaxTokens = *step2Value;
    gp.captureHidden = !p.isSet(o.noHidden);
    if (p.isSet(o.shard) && !shardOf(p.value(o.shard), gp))
        return 2;
    gp.shardDir = p.value(o.outDir);
    gp.runtime.device = p.value(o.device).toStdString();
    ProgressBar bar(QCoreApplication::translate("sdrt::cli", "generate"));
    gp.progress = [&bar](const teacher::GenerationProgress &pr) {
        bar.update(pr.done, pr.total, QStringLiteral("%1 traces/s, %2 failed").arg(pr.tracesPerSecond, 0, 'f', 2).arg(pr.failed));
    };
    gp.cancel = cancelOnSignals();
    auto summary = teacher::runGeneration(gp);
    bar.finish();
    if (!summary)
        return errorExit(summary.error());
    const auto &s = *summary;
    printSummary(s);

    // The ensemble per item (workspace runs only; a shard is summarised after merging).
    if (gp.shardDir.isEmpty() && !p.isSet(o.quiet)) {
        if (const int rc = printEnsembles(wsDir, gp); rc != 0)
            return rc;
    }
    if (s.cancelled)
        return 1;
    return s.failed > 0 ? 1 : 0;
}

int merge(const QStringList &args)
{
    QCommandLineParser p;
    workspaceCommand(p, QCoreApplication::translate("sdrt::cli", "Merge shard folders made by sdrt generate --shard i/N --out DIR into the workspace."));
    p.addPositionalArgument(QStringLiteral("SHARD"), QCoreApplication::translate("sdrt::cli", "Shard folders."), QStringLiteral("SHARD..."));
    processArgs(p, QStringList{QStringLiteral("sdrt merge")} + args);
    if (p.positionalArguments().size() < 2)
        return errorExit(p.helpText());
    int total = 0;
    for (const QString &dir : p.positionalArguments().mid(1)) {
        auto n = teacher::mergeShard(p.positionalArguments().first(), dir);
        if (!n)
            return errorExit(n.error());
        out(QCoreApplication::translate("sdrt::cli", "%1: %2 traces added").arg(dir).arg(*n));
        total += *n;
    }
    out(QCoreApplication::translate("sdrt::cli", "merged: %1 traces added").arg(total));
    return 0;
}

// Traces per minute of a model on generated demo items at batch 1 and batch 8, and hidden-state
// bytes per trace. Every run starts from an empty workspace (nothing is skipped).

} // namespace

int runGenerate(const QStringList &args)
{
    return generate(args);
}

int runMerge(const QStringList &args)
{
    return merge(args);
}

// sdrt runs WS: the generation runs with their status and stored counts. A run whose process
// is gone is shown (and stored) as interrupted.
int runRuns(const QStringList &args)
{
    QCommandLineParser p;
    workspaceCommand(p, QCoreApplication::translate("sdrt::cli", "List the workspace's teacher runs: status, model, counts of the traces "
                                                                         "stored, times. A run whose process died shows as interrupted."));
    if (!parseArgs(p, QStringLiteral("sdrt runs"), args, 1))
        return 2;
    auto ws = openWorkspace(p.positionalArguments().first());
    if (!ws)
        return 2;
    store::TraceRepository traces(ws->db());
    if (auto r = traces.reconcileRuns(); !r)
        return errorExit(r.error());
    auto runs = traces.runs();
    if (!runs)
        return errorExit(runs.error());
    store::ModelRepository models(ws->db());
    out(QCoreApplication::translate("sdrt::cli", "run\tstatus\tmodel\tok\tfailed\tshard\tstarted\tfinished\tnote"));
    for (const store::GenerationRun &r : *runs) {
        auto m = models.find(r.modelId);
        const QString model = m && *m ? (**m).name : QString::number(r.modelId);
        QString note;
        if (r.resumesRunId)
            note = QCoreApplication::translate("sdrt::cli", "resumes run %1").arg(r.resumesRunId);
        if (r.status == store::RunStatus::Running)
            note += (note.isEmpty() ? QString() : QStringLiteral("; ")) + r.owner;
        else if (!r.error.isEmpty())
            note += (note.isEmpty() ? QString() : QStringLiteral("; ")) + r.error;
        out(QStringLiteral("%1\t%2\t%3\t%4\t%5\t%6\t%7\t%8\t%9")
                .arg(r.id)
                .arg(store::runStatusName(r.status), model)
                .arg(r.tracesOk)
                .arg(r.tracesFailed)
                .arg(r.shard.isEmpty() ? QStringLiteral("-") : r.shard, r.startedAt, r.finishedAt.isEmpty() ? QStringLiteral("-") : r.finishedAt,
                     note));
    }
    return 0;
}


} // namespace sdrt::cli
