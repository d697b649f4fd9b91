#pragma once
// The evaluation queue of the open workspace, beside WorkspaceSession: each model × mode is one
// `sdrt eval` child process (ChildRun), run one after another, with progress, ETA and Cancel
// (the current evaluation stops after its batch and can be resumed; the queued ones are
// dropped). The Evaluate screen renders it and sends intents.
//
// Thread rule: the GUI thread.

#include "sdrt/common/Result.h"
#include "sdrt/eval/Metrics.h"
#include "sdrt/store/RunProtocol.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <deque>

namespace sdrt::ui {

class ChildRun;

class EvaluationQueue final : public QObject {
    Q_OBJECT
public:
    // What to evaluate: model ids, mode keys ("direct", "ensemble", "ensemble-logprob",
    // "two-step:<prompt name>"), the split, at most `limit` items (0: all), the batch size.
    struct Request {
        QStringList modelIds;
        QStringList modes;
        QString split = QStringLiteral("eval");
        int limit = 0;
        int batch = 16;
        // The evaluation's name; with several models or modes, each is this name, the model and
        // the mode. Empty: model-mode-<local time>.
        QString name;
    };
    // A stored evaluation with its score (every item under its own metric, with its 95 %
    // bootstrap interval); no score while it runs or when it has no items.
    struct Scored {
        EvaluationRow row;
        std::optional<eval::Estimate> score;
        int items = 0, failed = 0;
    };

    explicit EvaluationQueue(WorkspaceSession *session, QObject *parent = nullptr);

    // Queues one evaluation per model × mode and starts the first when none runs. Refuses
    // (and queues nothing) when a name is taken, saying which.
    Result<void> enqueue(const Request &request);
    // The names `request` gives its evaluations, in queue order.
    QStringList namesOf(const Request &request) const;
    // Every stored evaluation, newest first, with its score (read from the workspace).
    Result<std::vector<Scored>> scored() const;
    void cancel();
    bool isRunning() const;
    bool isEmpty() const { return m_queue.empty() && !isRunning(); }
    int queued() const { return int(m_queue.size()); }
    ChildRun *child() const { return m_child; }
    // Names of the evaluations started (in order), for the Compare screen.
    QStringList started() const { return m_started; }
    // One line per evaluation: this session's finished ones, the running one, the queued ones.
    QStringList lines() const;
    // What the running evaluation is doing, or how the last one ended.
    QString statusText() const { return m_status; }

Q_SIGNALS:
    // lines(), statusText() or the progress changed; total 0 with done 0: busy without a count.
    void changed(int done, int total);
    void errorOccurred(const QString &title, const QString &message);
    void stderrLine(const QString &line);
    void evaluationFinished(const QString &name, bool ok);
    void queueEmpty();

private:
    struct Job {
        QString name;
        QStringList args;
    };
    void startNext();
    void onLine(const QJsonObject &line);
    void onFinished();
    QString endLine(store::protocol::Event event);

    WorkspaceSession *m_session;
    ChildRun *m_child;
    std::deque<Job> m_queue;
    QString m_current;
    QString m_status;
    QStringList m_started;
    QStringList m_finishedLines; // "name: status" of this session's evaluations
};

} // namespace sdrt::ui
