#include "sdrt/store/RunProtocol.h"

#include <QDir>
#include <QJsonArray>

#include <array>
#include <utility>

namespace sdrt::store::protocol {
namespace {

// Field names, each spelt once.
constexpr auto kEvent = QLatin1StringView("event");
constexpr auto kRun = QLatin1StringView("run");
constexpr auto kRunId = QLatin1StringView("run_id");
constexpr auto kResumed = QLatin1StringView("resumed");
constexpr auto kTraces = QLatin1StringView("traces");
constexpr auto kWorldSize = QLatin1StringView("world_size");
constexpr auto kTrainable = QLatin1StringView("trainable_parameters");
constexpr auto kBaseParameters = QLatin1StringView("base_parameters");
constexpr auto kStep = QLatin1StringView("step");
constexpr auto kSteps = QLatin1StringView("steps");
constexpr auto kLoss = QLatin1StringView("loss");
constexpr auto kCe = QLatin1StringView("ce");
constexpr auto kHidden = QLatin1StringView("hidden");
constexpr auto kEntropy = QLatin1StringView("entropy");
constexpr auto kLr = QLatin1StringView("lr");
constexpr auto kSamplesPerS = QLatin1StringView("samples_per_s");
constexpr auto kTokensPerS = QLatin1StringView("tokens_per_s");
constexpr auto kEta = QLatin1StringView("eta_s");
constexpr auto kEnsembleWeights = QLatin1StringView("ensemble_weights");
constexpr auto kResumedFrom = QLatin1StringView("resumed_from");
constexpr auto kSeconds = QLatin1StringView("seconds");
constexpr auto kPeakRss = QLatin1StringView("peak_rss_mb");
constexpr auto kAdapterBytes = QLatin1StringView("adapter_bytes");
constexpr auto kStudentModelId = QLatin1StringView("student_model_id");
constexpr auto kWarning = QLatin1StringView("warning");
constexpr auto kDone = QLatin1StringView("done");
constexpr auto kTotal = QLatin1StringView("total");
constexpr auto kFailed = QLatin1StringView("failed");
constexpr auto kEvaluation = QLatin1StringView("evaluation");
constexpr auto kEvaluationId = QLatin1StringView("evaluation_id");
constexpr auto kItems = QLatin1StringView("items");
constexpr auto kItemsThisRun = QLatin1StringView("items_this_run");
constexpr auto kItemsPerMin = QLatin1StringView("items_per_min");
constexpr auto kScores = QLatin1StringView("scores");
constexpr auto kCost = QLatin1StringView("cost_per_answer");
constexpr auto kError = QLatin1StringView("error");

constexpr std::array<std::pair<Event, QLatin1StringView>, 6> kEvents{{
    {Event::Start, QLatin1StringView("start")},
    {Event::Step, QLatin1StringView("step")},
    {Event::Progress, QLatin1StringView("progress")},
    {Event::Done, QLatin1StringView("done")},
    {Event::Cancelled, QLatin1StringView("cancelled")},
    {Event::Failed, QLatin1StringView("failed")},
}};

QJsonObject withEvent(Event event, QJsonObject o)
{
    o.insert(kEvent, eventName(event));
    return o;
}

void insertLosses(QJsonObject &o, const Losses &l)
{
    o.insert(kLoss, l.loss);
    o.insert(kCe, l.ce);
    o.insert(kHidden, l.hidden);
    o.insert(kEntropy, l.entropy);
}

Losses lossesOf(const QJsonObject &o)
{
    return {o.value(kLoss).toDouble(), o.value(kCe).toDouble(), o.value(kHidden).toDouble(), o.value(kEntropy).toDouble()};
}

} // namespace

QString eventName(Event event)
{
    for (const auto &[e, name] : kEvents)
        if (e == event)
            return name;
    return QString();
}

Event eventOf(const QJsonObject &line)
{
    const QString name = line.value(kEvent).toString();
    for (const auto &[e, text] : kEvents)
        if (name == text)
            return e;
    return Event::Unknown;
}

bool isFinal(Event event)
{
    return event == Event::Done || event == Event::Cancelled || event == Event::Failed;
}

QJsonObject encode(const DistillStart &s)
{
    return withEvent(Event::Start, {{kRun, s.run},
                                    {kRunId, s.runId},
                                    {kResumed, s.resumed},
                                    {kTraces, s.traces},
                                    {kWorldSize, s.worldSize},
                                    {kTrainable, s.trainableParameters},
                                    {kBaseParameters, s.baseParameters}});
}

DistillStart decodeDistillStart(const QJsonObject &o)
{
    DistillStart s;
    s.run = o.value(kRun).toString();
    s.runId = o.value(kRunId).toInteger();
    s.resumed = o.value(kResumed).toBool();
    s.traces = o.value(kTraces).toInt();
    s.worldSize = o.value(kWorldSize).toInt(1);
    s.trainableParameters = o.value(kTrainable).toInteger();
    s.baseParameters = o.value(kBaseParameters).toInteger();
    return s;
}

QJsonObject encode(const DistillStep &s)
{
    QJsonObject o{{kStep, s.step}, {kSteps, s.steps},          {kLr, s.lr},
                  {kSamplesPerS, s.samplesPerSecond}, {kTokensPerS, s.tokensPerSecond}, {kEta, s.etaSeconds}};
    insertLosses(o, s.losses);
    if (!s.ensembleWeights.empty()) {
        QJsonArray w;
        for (double x : s.ensembleWeights)
            w.append(x);
        o.insert(kEnsembleWeights, w);
    }
    return withEvent(Event::Step, o);
}

DistillStep decodeDistillStep(const QJsonObject &o)
{
    DistillStep s;
    s.step = o.value(kStep).toInt();
    s.steps = o.value(kSteps).toInt();
    s.losses = lossesOf(o);
    s.lr = o.value(kLr).toDouble();
    s.samplesPerSecond = o.value(kSamplesPerS).toDouble();
    s.tokensPerSecond = o.value(kTokensPerS).toDouble();
    s.etaSeconds = o.value(kEta).toDouble();
    for (const QJsonValue &v : o.value(kEnsembleWeights).toArray())
        s.ensembleWeights.push_back(v.toDouble());
    return s;
}

QJsonObject encode(Event doneOrCancelled, const DistillEnd &e)
{
    if (doneOrCancelled == Event::Cancelled) // where it stopped; the run resumes from its checkpoint
        return withEvent(Event::Cancelled, {{kStep, e.steps}});
    QJsonObject o{{kRun, e.run},
                  {kSteps, e.steps},
                  {kResumedFrom, e.resumedFrom},
                  {kSeconds, e.seconds},
                  {kSamplesPerS, e.samplesPerSecond},
                  {kTokensPerS, e.tokensPerSecond},
                  {kWorldSize, e.worldSize},
                  {kPeakRss, e.peakRssMb},
                  {kTrainable, e.trainableParameters},
                  {kBaseParameters, e.baseParameters},
                  {kAdapterBytes, e.adapterBytes},
                  {kStudentModelId, e.studentModelId}};
    insertLosses(o, e.losses);
    if (!e.warning.isEmpty())
        o.insert(kWarning, e.warning);
    return withEvent(Event::Done, o);
}

DistillEnd decodeDistillEnd(const QJsonObject &o)
{
    DistillEnd e;
    e.run = o.value(kRun).toString();
    e.steps = o.value(eventOf(o) == Event::Cancelled ? kStep : kSteps).toInt();
    e.resumedFrom = o.value(kResumedFrom).toInt();
    e.losses = lossesOf(o);
    e.seconds = o.value(kSeconds).toDouble();
    e.samplesPerSecond = o.value(kSamplesPerS).toDouble();
    e.tokensPerSecond = o.value(kTokensPerS).toDouble();
    e.worldSize = o.value(kWorldSize).toInt(1);
    e.peakRssMb = o.value(kPeakRss).toDouble();
    e.trainableParameters = o.value(kTrainable).toInteger();
    e.baseParameters = o.value(kBaseParameters).toInteger();
    e.adapterBytes = o.value(kAdapterBytes).toInteger();
    e.studentModelId = o.value(kStudentModelId).toInteger();
    e.warning = o.value(kWarning).toString();
    return e;
}

QJsonObject encode(const EvalProgress &p)
{
    return withEvent(Event::Progress, {{kDone, p.done}, {kTotal, p.total}, {kFailed, p.failed}, {kEta, p.etaSeconds}});
}

EvalProgress decodeEvalProgress(const QJsonObject &o)
{
    return {o.value(kDone).toInt(), o.value(kTotal).toInt(), o.value(kFailed).toInt(), o.value(kEta).toDouble()};
}

QJsonObject encode(Event doneOrCancelled, const EvalEnd &e)
{
    return withEvent(doneOrCancelled == Event::Cancelled ? Event::Cancelled : Event::Done,
                     {{kEvaluation, e.evaluation},
                      {kEvaluationId, e.evaluationId},
                      {kItems, e.items},
                      {kFailed, e.failed},
                      {kItemsThisRun, e.itemsThisRun},
                      {kSeconds, e.seconds},
                      {kItemsPerMin, e.itemsPerMinute},
                      {kScores, e.scores},
                      {kCost, e.costPerAnswer}});
}

EvalEnd decodeEvalEnd(const QJsonObject &o)
{
    EvalEnd e;
    e.evaluation = o.value(kEvaluation).toString();
    e.evaluationId = o.value(kEvaluationId).toInteger();
    e.items = o.value(kItems).toInt();
    e.failed = o.value(kFailed).toInt();
    e.itemsThisRun = o.value(kItemsThisRun).toInt();
    e.seconds = o.value(kSeconds).toDouble();
    e.itemsPerMinute = o.value(kItemsPerMin).toDouble();
    e.scores = o.value(kScores).toObject();
    e.costPerAnswer = o.value(kCost).toObject();
    return e;
}

QJsonObject encodeFailure(const QString &error)
{
    return withEvent(Event::Failed, {{kError, error}});
}

QString failureOf(const QJsonObject &line)
{
    return eventOf(line) == Event::Failed ? line.value(kError).toString() : QString();
}

QString RunLogFiles::folder(const QString &workspaceRoot)
{
    return QDir(workspaceRoot).filePath(QStringLiteral("logs"));
}

RunLogFiles RunLogFiles::of(const QString &workspaceRoot, const QString &kind, const QString &name)
{
    const QDir logs(folder(workspaceRoot));
    return {logs.filePath(QStringLiteral("%1-%2.stdout.jsonl").arg(kind, name)), logs.filePath(QStringLiteral("%1-%2.stderr.log").arg(kind, name))};
}

QString RunLogFiles::pendingConfig(const QString &workspaceRoot, const QString &runName)
{
    return QDir(folder(workspaceRoot)).filePath(QStringLiteral("distill-%1.config.json").arg(runName));
}

} // namespace sdrt::store::protocol
