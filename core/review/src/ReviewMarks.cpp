#include "sdrt/review/ReviewMarks.h"

#include "sdrt/store/DistillRepository.h"
#include "sdrt/store/ReviewRepository.h"
#include "sdrt/store/TraceRepository.h"

#include <algorithm>

namespace sdrt::review {

QString MarkSource::evaluationErrors(const QString &evaluation)
{
    return QStringLiteral("evaluation %1: wrong answers").arg(evaluation);
}

QString MarkSource::evaluationRegressions(const QString &evaluation, const QString &versus)
{
    return QStringLiteral("evaluation %1: regressions vs %2").arg(evaluation, versus);
}

QString MarkSource::comparison(const QStringList &evaluations)
{
    return QStringLiteral("comparison %1").arg(evaluations.join(QStringLiteral(" vs ")));
}

QString MarkSource::distillationRun(const QString &run)
{
    return QStringLiteral("distillation run %1").arg(run);
}

Result<int> markForReview(store::Database &db, const QString &source, const std::vector<store::Id> &items, std::optional<store::Id> evaluationId)
{
    return store::ReviewRepository(db).addMarks(items, source, evaluationId);
}

Result<std::vector<store::Id>> lineageItems(store::Database &db, store::Id runId)
{
    auto traces = store::DistillRepository(db).traces(runId);
    if (!traces)
        return fail(traces.error());
    store::TraceRepository traceRepo(db);
    std::vector<store::Id> items;
    for (const store::RunTrace &t : *traces) {
        auto trace = traceRepo.get(t.traceId);
        if (!trace)
            return fail(trace.error());
        if (*trace)
            items.push_back((*trace)->itemId);
    }
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    return items;
}

} // namespace sdrt::review
