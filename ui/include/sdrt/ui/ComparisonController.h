#pragma once
// The comparisons of the open workspace, beside WorkspaceSession: the evaluations that can be
// compared, one comparison computed on a worker thread (eval::compareEvaluations with its
// bootstraps, on a connection of its own), the comparison shown, and sending its items to the
// review queue. The Compare screen renders the comparison and sends intents.
//
// Thread rule: the GUI thread; `compared` arrives there.

#include "sdrt/common/Result.h"
#include "sdrt/eval/Compare.h"
#include "sdrt/store/EvaluationRepository.h"
#include "sdrt/ui/JobRunner.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QObject>
#include <QStringList>

#include <memory>
#include <vector>

namespace sdrt::ui {


// eval::compareEvaluations on a worker thread.
class ComparisonRunner final : public JobRunnerOf<eval::CompareParams, eval::Comparison> {
    Q_OBJECT
public:
    explicit ComparisonRunner(QObject *parent = nullptr);

private:
    void relayCallbacks(eval::CompareParams &) override {}
};

class ComparisonController final : public QObject {
    Q_OBJECT
public:
    using EvaluationRow = ui::EvaluationRow;

    explicit ComparisonController(WorkspaceSession *session, QObject *parent = nullptr);

    WorkspaceSession *session() const { return m_session; }
    // Every evaluation (those whose process died marked interrupted first).
    Result<std::vector<EvaluationRow>> evaluations() const;
    // Starts comparing `names` (at least two); `compared` follows. False when one is running.
    bool compare(const QStringList &names);
    bool isComparing() const;
    // The last comparison that finished (nullptr before the first, or after the workspace closed).
    const eval::Comparison *comparison() const { return m_comparison.get(); }
    // Marks these items for review under a source naming the comparison; returns the source
    // and how many marks were new.
    Result<std::pair<QString, int>> sendToReview(const std::vector<store::Id> &items);

Q_SIGNALS:
    // ok: comparison() holds the new one; else `error` says why.
    void compared(bool ok, const QString &error);

private:
    WorkspaceSession *m_session;
    ComparisonRunner *m_runner;
    std::unique_ptr<eval::Comparison> m_comparison;
};

} // namespace sdrt::ui
