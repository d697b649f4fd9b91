#pragma once
// What a run's process says on stdout, one JSON object per line: `sdrt distill` and `sdrt eval`
// write it, the workbench (ChildRun and the Distill and Evaluate screens) reads it. The event
// names and fields exist only here: both sides encode and decode through these types, so a
// renamed field cannot drift apart between the writer and the reader.
//
//   {"event":"start", ...DistillStart}      rank 0 of `sdrt distill` once its run row exists
//   {"event":"step", ...DistillStep}        after every optimizer step
//   {"event":"progress", ...EvalProgress}   `sdrt eval`, after every stored batch
//   {"event":"done" | "cancelled", ...}     the last line of a run that ended by itself
//   {"event":"failed","error":"…"}          the last line of a run that failed
//
// A line from an older or newer program with an unknown event decodes as Event::Unknown and is
// ignored; missing fields decode as their defaults.

#include <QJsonObject>
#include <QString>

#include <vector>

namespace sdrt::store::protocol {

enum class Event { Unknown, Start, Step, Progress, Done, Cancelled, Failed };

QString eventName(Event event);
Event eventOf(const QJsonObject &line);
// done, cancelled or failed: the line that ends a run.
bool isFinal(Event event);

// The loss terms of one step (docs/DISTILLATION.md): total, cross-entropy, hidden-state term,
// ensemble entropy.
struct Losses {
    double loss = 0, ce = 0, hidden = 0, entropy = 0;
};

struct DistillStart {
    QString run;
    qint64 runId = 0;
    bool resumed = false;
    int traces = 0;
    int worldSize = 1;
    qint64 trainableParameters = 0;
    qint64 baseParameters = 0;
};

struct DistillStep {
    int step = 0; // steps done
    int steps = 0;
    Losses losses;
    double lr = 0;
    double samplesPerSecond = 0;
    double tokensPerSecond = 0;
    double etaSeconds = 0;
    std::vector<double> ensembleWeights; // per prompt version; empty with the ensemble off
};

// The last line of a distillation that finished (Event::Done) or stopped on request
// (Event::Cancelled: `steps` is where it stopped, the rest is unset).
struct DistillEnd {
    QString run;
    int steps = 0;
    int resumedFrom = 0;
    Losses losses;
    double seconds = 0;
    double samplesPerSecond = 0;
    double tokensPerSecond = 0;
    int worldSize = 1;
    double peakRssMb = 0;
    qint64 trainableParameters = 0;
    qint64 baseParameters = 0;
    qint64 adapterBytes = 0;
    qint64 studentModelId = 0;
    QString warning;
};

struct EvalProgress {
    int done = 0;
    int total = 0;
    int failed = 0;
    double etaSeconds = 0;
};

// The last line of an evaluation (Event::Done or Event::Cancelled). `scores` and
// `costPerAnswer` are the report's tables as printed, read by people and scripts, not by the
// workbench.
struct EvalEnd {
    QString evaluation;
    qint64 evaluationId = 0;
    int items = 0;
    int failed = 0;
    int itemsThisRun = 0;
    double seconds = 0;
    double itemsPerMinute = 0;
    QJsonObject scores;
    QJsonObject costPerAnswer;
};

QJsonObject encode(const DistillStart &start);
QJsonObject encode(const DistillStep &step);
QJsonObject encode(Event doneOrCancelled, const DistillEnd &end);
QJsonObject encode(const EvalProgress &progress);
QJsonObject encode(Event doneOrCancelled, const EvalEnd &end);
QJsonObject encodeFailure(const QString &error);

DistillStart decodeDistillStart(const QJsonObject &line);
DistillStep decodeDistillStep(const QJsonObject &line);
DistillEnd decodeDistillEnd(const QJsonObject &line);
EvalProgress decodeEvalProgress(const QJsonObject &line);
EvalEnd decodeEvalEnd(const QJsonObject &line);
// The error of a failed line (empty for any other).
QString failureOf(const QJsonObject &line);

// Where a run started by the workbench writes: <workspace>/logs/<kind>-<name>.stdout.jsonl (this
// protocol) and .stderr.log (its messages); a new distillation's config waits there as
// distill-<name>.config.json until the run folder exists.
struct RunLogFiles {
    QString stdoutFile;
    QString stderrFile;
    static QString folder(const QString &workspaceRoot);
    static RunLogFiles of(const QString &workspaceRoot, const QString &kind, const QString &name);
    static QString pendingConfig(const QString &workspaceRoot, const QString &runName);
};

} // namespace sdrt::store::protocol
