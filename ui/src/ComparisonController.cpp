#include "sdrt/ui/ComparisonController.h"

#include "sdrt/common/Log.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/review/ReviewMarks.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/WorkspaceSession.h"

namespace sdrt::ui {

ComparisonRunner::ComparisonRunner(QObject *parent)
    : JobRunnerOf(QStringLiteral("compare"), [](const eval::CompareParams &p) { return eval::compareEvaluations(p); }, parent)
{
}

ComparisonController::ComparisonController(WorkspaceSession *session, QObject *parent)
    : QObject(parent), m_session(session), m_runner(new ComparisonRunner(this))
{
    connect(m_runner, &JobRunner::finished, this, [this](bool ok) {
        if (ok)
            m_comparison = std::make_unique<eval::Comparison>(m_runner->lastSummary());
        Q_EMIT compared(ok, ok ? QString() : m_runner->lastError());
    });
    connect(m_session, &WorkspaceSession::closed, this, [this] {
        m_runner->cancel();
        m_comparison.reset();
    });
}

Result<std::vector<EvaluationRow>> ComparisonController::evaluations() const
{
    return m_session->evaluations();
}

bool ComparisonController::compare(const QStringList &names)
{
    if (!m_session->isOpen() || names.size() < 2 || m_runner->isRunning())
        return false;
    eval::CompareParams params;
    params.workspace = m_session->root();
    params.names.assign(names.begin(), names.end());
    return m_runner->start(params);
}

bool ComparisonController::isComparing() const
{
    return m_runner->isRunning();
}

Result<std::pair<QString, int>> ComparisonController::sendToReview(const std::vector<store::Id> &items)
{
    if (!m_comparison || !m_session->isOpen())
        return fail(tr("Nothing is compared."));
    QStringList names;
    for (const QString &n : m_comparison->names)
        names << n;
    const QString source = review::MarkSource::comparison(names);
    auto added = review::markForReview(m_session->workspace()->db(), source, items);
    if (!added)
        return fail(added.error());
    return std::make_pair(source, int(*added));
}

} // namespace sdrt::ui
