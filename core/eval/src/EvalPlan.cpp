#include "EvalPlan.h"

#include "sdrt/store/EvaluationRepository.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/Workspace.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <limits>

namespace sdrt::eval {
namespace {

QString tr(const char *s)
{
    return QCoreApplication::translate("sdrt::eval", s);
}

std::vector<store::Id> idsFromJson(const QString &json)
{
    std::vector<store::Id> out;
    for (const auto &v : QJsonDocument::fromJson(json.toUtf8()).array())
        out.push_back(v.toInteger());
    return out;
}

// A resumed evaluation runs with its stored settings.
Result<store::Id> storedSettings(store::Workspace &ws, const QString &name, EvalParams &p)
{
    auto e = store::EvaluationRepository(ws.db()).findByName(name);
    if (!e)
        return fail(e.error());
    if (!*e)
        return fail(tr("There is no evaluation \"%1\" in %2.").arg(name, ws.root()));
    const store::Evaluation &row = **e;
    p.name = row.name;
    p.modelId = row.modelId;
    p.mode = row.mode;
    p.promptIds = idsFromJson(row.promptIds);
    p.vote = row.vote;
    const QJsonObject f = QJsonDocument::fromJson(row.itemFilter.toUtf8()).object();
    p.filter.split = store::splitFromString(f.value(QStringLiteral("split")).toString());
    p.filter.taskFamily = f.value(QStringLiteral("family")).toString();
    p.filter.text = f.value(QStringLiteral("text")).toString();
    p.limit = f.value(QStringLiteral("limit")).toInt();
    p.metric = row.metric.isEmpty() ? std::nullopt : metricFromName(row.metric);
    p.seed = std::uint64_t(row.seed);
    return row.id;
}

Result<void> choosePrompts(store::Workspace &ws, EvalPlan &plan)
{
    EvalParams &p = plan.params;
    if (p.mode == store::EvalMode::Direct)
        return {};
    auto entries = teacher::loadPromptEntries(ws.db(), p.promptIds);
    if (!entries)
        return fail(entries.error());
    plan.prompts = std::move(*entries);
    if (plan.prompts.empty())
        return fail(tr("No prompts are registered (sdrt prompts register WS)."));
    if (p.mode == store::EvalMode::TwoStep && plan.prompts.size() != 1)
        return fail(tr("Two-step mode takes exactly one prompt version (%1 given).").arg(plan.prompts.size()));
    p.promptIds.clear();
    for (const auto &e : plan.prompts)
        p.promptIds.push_back(e.version.id);
    return {};
}

} // namespace

QString idsJson(const std::vector<store::Id> &ids)
{
    QJsonArray a;
    for (auto id : ids)
        a.append(qint64(id));
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

QString filterJson(const store::ItemFilter &f, int limit)
{
    return QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("split"), f.split ? store::toString(*f.split) : QString()},
                                                       {QStringLiteral("family"), f.taskFamily},
                                                       {QStringLiteral("text"), f.text},
                                                       {QStringLiteral("limit"), limit}})
                                 .toJson(QJsonDocument::Compact));
}

Result<EvalPlan> planEvaluation(store::Workspace &ws, const EvalParams &given)
{
    EvalPlan plan;
    plan.params = given;
    EvalParams &p = plan.params;
    if (p.resume) {
        auto id = storedSettings(ws, *p.resume, p);
        if (!id)
            return fail(id.error());
        plan.resumeId = *id;
    }
    if (p.batch < 1)
        return fail(tr("The batch must be at least 1."));
    auto model = store::ModelRepository(ws.db()).find(p.modelId);
    if (!model)
        return fail(model.error());
    if (!*model)
        return fail(tr("There is no model %1 in the workspace.").arg(p.modelId));
    plan.model = **model;
    if (auto r = choosePrompts(ws, plan); !r)
        return fail(r.error());
    auto items = store::ItemRepository(ws.db()).list(p.filter, 0, p.limit > 0 ? p.limit : std::numeric_limits<int>::max());
    if (!items)
        return fail(items.error());
    if (items->empty())
        return fail(tr("No items match the evaluation's split and filter."));
    plan.items = std::move(*items);
    return plan;
}

} // namespace sdrt::eval
