#include "sdrt/ui/EvaluationQueue.h"

#include "sdrt/store/RunProtocol.h"
#include "sdrt/ui/ChildRun.h"
#include "sdrt/ui/RunText.h"
#include "sdrt/ui/WorkspaceSession.h"

#include "sdrt/eval/EvalJob.h"

#include <QDateTime>
#include <QMap>
#include <QSet>

namespace sdrt::ui {
namespace protocol = store::protocol;

EvaluationQueue::EvaluationQueue(WorkspaceSession *session, QObject *parent) : QObject(parent), m_session(session), m_child(new ChildRun(this))
{
    connect(m_child, &ChildRun::jsonLine, this, &EvaluationQueue::onLine);
    connect(m_child, &ChildRun::stderrLine, this, &EvaluationQueue::stderrLine);
    connect(m_child, &ChildRun::finished, this, &EvaluationQueue::onFinished);
}

namespace {

QString modeSlug(QString mode)
{
    return mode.replace(QLatin1Char(':'), QLatin1Char('-'));
}

} // namespace

QStringList EvaluationQueue::namesOf(const Request &request) const
{
    QMap<QString, QString> modelNames;
    if (auto models = m_session->models())
        for (const store::ModelRecord &m : *models)
            modelNames.insert(QString::number(m.id), m.name);
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmm"));
    const bool one = request.modelIds.size() == 1 && request.modes.size() == 1;
    QStringList names;
    for (const QString &id : request.modelIds)
        for (const QString &mode : request.modes) {
            const QString model = modelNames.value(id, QStringLiteral("m%1").arg(id));
            const QString name = request.name.trimmed();
            names << (name.isEmpty() ? QStringLiteral("%1-%2-%3").arg(model, modeSlug(mode), stamp)
                      : one          ? name
                                     : QStringLiteral("%1-%2-%3").arg(name, model, modeSlug(mode)));
        }
    return names;
}

Result<void> EvaluationQueue::enqueue(const Request &request)
{
    const QStringList names = namesOf(request);
    QSet<QString> taken;
    if (auto stored = m_session->evaluations())
        for (const EvaluationRow &r : *stored)
            taken.insert(r.evaluation.name);
    for (const Job &job : m_queue)
        taken.insert(job.name);
    taken.insert(m_current);
    for (const QString &name : names)
        if (taken.contains(name))
            return fail(tr("An evaluation named \"%1\" already exists or is queued. Choose another name.").arg(name));
    int i = 0;
    for (const QString &id : request.modelIds) {
        for (const QString &mode : request.modes) {
            QString modeArg = mode, vote;
            if (mode == QLatin1String("ensemble-logprob")) {
                modeArg = QStringLiteral("ensemble");
                vote = QStringLiteral("logprob");
            }
            const QString name = names[i++];
            QStringList args{QStringLiteral("eval"), m_session->root(), QStringLiteral("--model"), id, QStringLiteral("--mode"), modeArg,
                             QStringLiteral("--split"), request.split, QStringLiteral("--batch"), QString::number(request.batch),
                             QStringLiteral("--name"), name};
            if (!vote.isEmpty())
                args << QStringLiteral("--vote") << vote;
            if (request.limit > 0)
                args << QStringLiteral("--limit") << QString::number(request.limit);
            m_queue.push_back({name, args});
        }
    }
    if (!isRunning())
        startNext();
    else
        Q_EMIT changed(0, 0);
    return {};
}

Result<std::vector<EvaluationQueue::Scored>> EvaluationQueue::scored() const
{
    auto rows = m_session->evaluations();
    if (!rows)
        return fail(rows.error());
    std::vector<Scored> out;
    for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
        Scored s;
        s.row = *it;
        if (it->evaluation.status != store::RunStatus::Running) {
            auto report = eval::evaluationReport(*m_session->workspace(), it->evaluation.id);
            if (!report)
                return fail(report.error());
            s.items = report->items;
            s.failed = report->failed;
            const auto metric = report->byMetric.find(QStringLiteral("score"));
            if (metric != report->byMetric.end())
                if (auto all = metric->second.find(QString()); all != metric->second.end() && all->second.items > 0)
                    s.score = all->second;
        }
        out.push_back(std::move(s));
    }
    return out;
}

void EvaluationQueue::startNext()
{
    while (!m_queue.empty() && !isRunning()) {
        const Job job = m_queue.front();
        m_queue.pop_front();
        const auto logs = protocol::RunLogFiles::of(m_session->root(), QStringLiteral("eval"), job.name);
        if (!m_child->start(job.args, logs.stdoutFile, logs.stderrFile)) {
            m_finishedLines << tr("%1: could not start (%2)").arg(job.name, m_child->errorString());
            continue;
        }
        m_current = job.name;
        m_started << job.name;
        m_status = tr("Evaluation %1: loading the model…").arg(job.name);
    }
    Q_EMIT changed(0, 0);
    if (!isRunning())
        Q_EMIT queueEmpty();
}

void EvaluationQueue::cancel()
{
    m_queue.clear();
    if (isRunning()) {
        m_child->cancel();
        m_status = tr("Evaluation %1: cancelling after the current batch…").arg(m_current);
    }
    Q_EMIT changed(0, 0);
}

bool EvaluationQueue::isRunning() const
{
    return m_child->isRunning();
}

QStringList EvaluationQueue::lines() const
{
    QStringList out = m_finishedLines;
    if (!m_current.isEmpty())
        out << tr("%1: running").arg(m_current);
    for (const Job &job : m_queue)
        out << tr("%1: queued").arg(job.name);
    return out;
}

void EvaluationQueue::onLine(const QJsonObject &line)
{
    if (protocol::eventOf(line) != protocol::Event::Progress)
        return;
    const protocol::EvalProgress p = protocol::decodeEvalProgress(line);
    m_status = tr("Evaluation %1: %2 of %3 items, %4 failed · ETA %5")
                   .arg(m_current)
                   .arg(p.done)
                   .arg(p.total)
                   .arg(p.failed)
                   .arg(formatSeconds(p.etaSeconds));
    Q_EMIT changed(p.done, std::max(1, p.total));
}

// The finished line of the evaluation that just ended with `event`.
QString EvaluationQueue::endLine(protocol::Event event)
{
    const QJsonObject last = m_child->lastEvent();
    if (event == protocol::Event::Done) {
        const protocol::EvalEnd end = protocol::decodeEvalEnd(last);
        return tr("%1: done, %2 items in %3").arg(m_current).arg(end.items).arg(formatSeconds(end.seconds));
    }
    if (event == protocol::Event::Cancelled)
        return tr("%1: cancelled (sdrt eval --resume %1 continues it)").arg(m_current);
    QString why = protocol::failureOf(last);
    if (why.isEmpty())
        why = m_child->lastStderrLine().isEmpty() ? tr("the process exited; the log panel has its messages") : m_child->lastStderrLine();
    return tr("%1: failed — %2").arg(m_current, why);
}

void EvaluationQueue::onFinished()
{
    const protocol::Event event = protocol::eventOf(m_child->lastEvent());
    const bool ok = event == protocol::Event::Done;
    m_finishedLines << endLine(event);
    m_status = m_finishedLines.last();
    if (!ok && event != protocol::Event::Cancelled)
        Q_EMIT errorOccurred(tr("Evaluation %1").arg(m_current), m_status);
    const QString name = m_current;
    m_current.clear();
    Q_EMIT changed(ok ? 1 : 0, 1);
    Q_EMIT evaluationFinished(name, ok);
    startNext();
}

} // namespace sdrt::ui
