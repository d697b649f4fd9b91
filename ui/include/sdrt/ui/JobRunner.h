#pragma once
// The one way the GUI runs a long core job (import, teacher run; distillation and evaluation
// later) off the GUI thread. A core job has one shape: a parameters struct with defaults, a
// progress callback and a cancel flag in it, and a Result of a summary or an error message.
// JobRunnerOf<Params, Summary> runs `Result<Summary> job(Params)` on a worker thread, sets the
// cancel flag and relays progress (through the hook `relayCallbacks`) to the GUI thread.
//
// Lifetime: a runner is owned by the widget that started it (its QObject parent). Destroying it
// cancels the job and waits for the thread; queued progress and results addressed to a dead
// runner are dropped by Qt (they are posted with the runner as context), so no result ever
// reaches a dead widget.
//
// Thread rule: create, start, cancel and destroy on the GUI thread; signals arrive there.

#include "sdrt/common/Result.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <utility>

class QThread;

namespace sdrt::ui {

class JobRunner : public QObject {
    Q_OBJECT
public:
    ~JobRunner() override;

    void cancel() { m_cancel = true; }
    bool isRunning() const { return m_thread != nullptr; }
    const QString &lastError() const { return m_error; }

Q_SIGNALS:
    // ok is false when the job failed as a whole (see lastError()).
    void finished(bool ok);

protected:
    explicit JobRunner(QObject *parent) : QObject(parent) {}
    // Runs `work` on a new thread named `name`; `work` returns what then runs on the GUI thread.
    bool launch(const QString &name, std::function<std::function<void()>()> work);
    // Cancels and waits for the thread (derived destructors call it before their members go).
    void stop();
    // Runs `f` on the GUI thread later, unless this runner is gone by then.
    void post(std::function<void()> f);
    void reportFailure(const QString &error);

    std::atomic_bool m_cancel = false;

private:
    QThread *m_thread = nullptr;
    QString m_error;
};

template <typename Params, typename Summary>
class JobRunnerOf : public JobRunner {
public:
    using Job = std::function<Result<Summary>(const Params &)>;

    ~JobRunnerOf() override { stop(); }

    // `params.cancel` (and, through relayCallbacks, its progress callbacks) are set here.
    bool start(Params params)
    {
        if (isRunning())
            return false;
        m_cancel = false;
        m_summary = {};
        params.cancel = &m_cancel;
        relayCallbacks(params);
        return launch(m_name, [this, params = std::move(params)]() -> std::function<void()> {
            auto result = m_job(params);
            return [this, result = std::move(result)]() mutable {
                if (!result) {
                    reportFailure(result.error());
                    return;
                }
                m_summary = std::move(*result);
                Q_EMIT finished(true);
            };
        });
    }
    const Summary &lastSummary() const { return m_summary; }

protected:
    JobRunnerOf(QString name, Job job, QObject *parent) : JobRunner(parent), m_name(std::move(name)), m_job(std::move(job)) {}
    // Sets the job's progress callbacks to relay to signals (with post()).
    virtual void relayCallbacks(Params &params) = 0;

private:
    QString m_name;
    Job m_job;
    Summary m_summary;
};

} // namespace sdrt::ui
