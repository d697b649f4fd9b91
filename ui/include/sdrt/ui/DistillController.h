#pragma once
// The distillation runs of the open workspace, beside WorkspaceSession: the runs table
// (DistillRunsModel), the base models a run can start from, the approved traces a policy gives,
// one run trained at a time by a child process (`sdrt distill`, the core distillation job, in a
// process of its own so a crash never takes the GUI down), a run's lineage and marking its items
// for review. The Distill screen renders what it says and sends it intents; it holds no
// repository.
//
// Thread rule: the GUI thread, with the session's connection.

#include "sdrt/common/Result.h"
#include "sdrt/review/Policy.h"
#include "sdrt/store/DistillRepository.h"

#include <QJsonObject>
#include <QObject>

#include <optional>
#include <utility>
#include <vector>

namespace sdrt::ui {

class ChildRun;
class DistillRunsModel;
class WorkspaceSession;

class DistillController final : public QObject {
    Q_OBJECT
public:
    explicit DistillController(WorkspaceSession *session, QObject *parent = nullptr);

    WorkspaceSession *session() const { return m_session; }
    DistillRunsModel *runs() const { return m_runs; }
    ChildRun *child() const { return m_child; }
    bool isRunning() const;
    // The run the child trains (the last one started or resumed here).
    const QString &childRun() const { return m_childRun; }

    // Models a run can start from: (name, id), base models only.
    std::vector<std::pair<QString, store::Id>> baseModels() const;
    // How many traces are approved under `policy` (unset: the workspace's), as a sentence.
    QString approvedSummary(const std::optional<review::ApprovalPolicy> &policy) const;
    std::optional<store::DistillRun> run(const QString &name) const;
    std::optional<store::RunLineage> lineage(const QString &name) const;
    // Whether a process trains the run now (this controller's child or another program).
    bool isLive(const QString &name) const;
    QString trainingLogFile(const QString &name) const;

    // Runs whose process died become interrupted, then the table is filled again.
    void reloadRuns();
    // Starts `sdrt distill` for a new run with the given config (JSON) on `processes` local ranks.
    Result<void> start(store::Id baseModel, const QString &name, const QByteArray &configJson, int processes);
    // Resumes a cancelled, failed or interrupted run from its checkpoint.
    Result<void> resume(const QString &name);
    // Stops the run `name` after its current step: this screen's child, or a run another
    // process trains (one an earlier window left running), by the identity its row records.
    Result<void> cancel(const QString &name);
    // A run that a process trains now (this controller's child first), or empty.
    QString liveRun() const;
    // Marks the items of the run's traces for review; returns the review source it used.
    Result<QString> markLineageForReview(const QString &name);

Q_SIGNALS:
    void childLine(const QJsonObject &line);
    void childFinished();
    void stderrLine(const QString &line);
    void errorOccurred(const QString &title, const QString &message);

private:
    Result<void> launch(const QStringList &args, const QString &name);
    store::Database *db() const;

    WorkspaceSession *m_session;
    DistillRunsModel *m_runs;
    ChildRun *m_child;
    QString m_childRun;
};

} // namespace sdrt::ui
