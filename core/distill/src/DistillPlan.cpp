#include "DistillPlan.h"

#include "sdrt/store/Workspace.h"

#include <QCoreApplication>
#include <QDateTime>

namespace sdrt::distill {
namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("sdrt::distill", s);
}

Result<store::ModelRecord> findModel(store::Workspace &ws, const QString &nameOrId)
{
    store::ModelRepository models(ws.db());
    bool isId = false;
    const qint64 id = nameOrId.toLongLong(&isId);
    auto found = isId ? models.find(id) : models.findByName(nameOrId);
    if (!found)
        return fail(found.error());
    if (!*found)
        return fail(tr("There is no model \"%1\" in %2. Register it with: sdrt model register %2 DIR --name %1").arg(nameOrId, ws.root()));
    return **found;
}

Result<void> resumedRun(store::Workspace &ws, const QString &name, DistillPlan &plan)
{
    auto r = store::DistillRepository(ws.db()).findByName(name);
    if (!r)
        return fail(r.error());
    if (!*r)
        return fail(tr("There is no distillation run \"%1\" in %2 (sdrt distill-runs %2 lists them).").arg(name, ws.root()));
    plan.existing = **r;
    plan.runName = plan.existing->name;
    auto c = DistillConfig::fromJson(plan.existing->config.toUtf8());
    if (!c)
        return fail(tr("Run \"%1\": %2").arg(plan.runName, c.error()));
    plan.config = *c;
    auto base = findModel(ws, QString::number(plan.existing->baseModelId));
    if (!base)
        return fail(base.error());
    plan.base = *base;
    return {};
}

// Rank 0 checks that a new run's name is free; the other ranks join the run it names.
Result<void> newRun(store::Workspace &ws, const DistillParams &params, DistillPlan &plan)
{
    plan.config = params.config;
    auto base = findModel(ws, params.baseModel);
    if (!base)
        return fail(base.error());
    plan.base = *base;
    plan.runName = params.runName ? params.runName->trimmed()
                                  : QStringLiteral("distill-") + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const QString &name = plan.runName;
    if (name.isEmpty() || name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')) || name.startsWith(QLatin1Char('.')))
        return fail(tr("\"%1\" cannot be a run name (it names a folder under runs/).").arg(name));
    if (params.place.rank != 0)
        return {};
    auto taken = store::DistillRepository(ws.db()).findByName(name);
    if (taken && *taken)
        return fail(tr("A distillation run named \"%1\" already exists; choose another --name, or --resume %1.").arg(name));
    // The student takes the run's name, and a name names one model.
    auto model = store::ModelRepository(ws.db()).findByName(name);
    if (model && *model)
        return fail(tr("A model named \"%1\" already exists (id %2); the student takes its run's name, so choose another --name.")
                        .arg(name)
                        .arg((*model)->id));
    return {};
}

// The trace ids the run started with; unset for a new run on rank 0.
Result<std::optional<std::vector<store::Id>>> lineageOf(store::Workspace &ws, const DistillPlan &plan, int rank)
{
    store::DistillRepository runs(ws.db());
    std::optional<store::DistillRun> known = plan.existing;
    if (!known && rank > 0)
        if (auto r = runs.findByName(plan.runName); r && *r)
            known = **r;
    std::optional<std::vector<store::Id>> ids;
    if (!known)
        return ids;
    auto t = runs.traces(known->id);
    if (!t)
        return fail(t.error());
    if (!t->empty()) {
        ids.emplace();
        for (const auto &rt : *t)
            ids->push_back(rt.traceId);
    }
    return ids;
}

} // namespace

Result<DistillPlan> planRun(store::Workspace &ws, const DistillParams &params)
{
    DistillPlan plan;
    if (auto r = params.resumeRun.isEmpty() ? newRun(ws, params, plan) : resumedRun(ws, params.resumeRun, plan); !r)
        return fail(r.error());
    if (params.place.worldSize > plan.config.batch)
        return fail(tr("%1 processes for a batch of %2: every process needs at least one trace per step. Use at most %2 processes, or a "
                       "larger \"batch\" in the config.")
                        .arg(params.place.worldSize)
                        .arg(plan.config.batch));
    if (plan.base.role != store::ModelRole::Base)
        return fail(tr("Model \"%1\" is a %2; a distillation starts from a base model.").arg(plan.base.name, store::toString(plan.base.role)));
    return plan;
}

model::StudentSettings studentSettings(const DistillConfig &config, const std::vector<QString> &promptVersions)
{
    model::StudentSettings settings;
    settings.layers = config.layers;
    settings.rank = config.rank;
    settings.positions = config.positions;
    settings.adapter = config.adapter;
    settings.skip = config.skip;
    settings.skipRank = config.skipRank;
    settings.ensemble = config.ensemble;
    settings.ensembleConditioned = config.ensembleConditioned;
    settings.seed = config.seed;
    for (const QString &v : promptVersions)
        settings.promptVersions.push_back(v.toStdString());
    return settings;
}

model::StudentTrainingSettings trainingSettings(const DistillConfig &c)
{
    model::StudentTrainingSettings t;
    t.steps = c.steps;
    t.batch = c.batch;
    t.learningRate = c.learningRate;
    t.warmupSteps = c.warmupSteps;
    t.weightDecay = c.weightDecay;
    t.gradClip = c.gradClip;
    t.checkpointEvery = c.checkpointEvery;
    t.seed = c.seed;
    t.crossEntropy = c.crossEntropy;
    t.lambdaHidden = c.lambdaHidden;
    t.hiddenLoss = c.hiddenLoss == HiddenStateLoss::Cosine ? model::HiddenLoss::Cosine : model::HiddenLoss::Mse;
    t.hiddenLayers = c.hiddenLayers;
    t.ensembleEntropy = c.ensembleEntropy;
    return t;
}

Result<Dataset> planData(store::Workspace &ws, const DistillPlan &plan, int rank, const std::function<void(const QString &)> &message)
{
    auto say = [&](const QString &line) {
        if (message)
            message(line);
    };
    std::optional<review::ApprovalPolicy> policy;
    if (plan.config.policy)
        policy = *review::ApprovalPolicy::parse(*plan.config.policy);
    auto lineage = lineageOf(ws, plan, rank);
    if (!lineage)
        return fail(lineage.error());
    const auto &ids = *lineage;
    auto data = buildDataset(ws, plan.base, policy, ids ? 0 : plan.config.maxTraces, ids ? &*ids : nullptr);
    if (!data)
        return fail(data.error());
    if (ids) {
        // A run trains on one set of traces from its first step to its last: the lineage it
        // started with. When some of them cannot be read any more, resuming would train the
        // remaining steps on other data than the first ones; refuse instead.
        if (data->training.examples.size() != ids->size()) {
            QStringList lines{tr("Run \"%1\" trained on %2 traces; %3 of them cannot be used now:")
                                  .arg(plan.runName)
                                  .arg(ids->size())
                                  .arg(ids->size() - data->training.examples.size())};
            for (const QString &problem : data->report.problems)
                lines << QStringLiteral("  ") + problem;
            lines << tr("Resuming would train its remaining steps on other data than its first ones. Restore those files (or start a "
                        "new run).");
            return fail(lines.join(QLatin1Char('\n')));
        }
        say(tr("data: the run's lineage, %1 traces as recorded when it started; reviews made since then do not change a run that is "
               "under way (start a new run to train on the traces approved now).")
                .arg(data->training.examples.size()));
    } else {
        say(tr("data: %1 (policy: %2)").arg(data->report.describe(), data->policy.describe()));
        for (const QString &problem : data->report.problems)
            say(QStringLiteral("  ") + problem);
    }
    if (data->training.examples.empty())
        return fail(tr("No approved traces of the train split with the base model's hidden states: nothing to distil. Review traces "
                       "(accept some) or change the approval policy."));
    return data;
}

} // namespace sdrt::distill
