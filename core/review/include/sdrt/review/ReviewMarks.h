#pragma once
// Review marks: items put in the review queue's "From …" filter under a source, by the CLI
// (`sdrt eval enqueue`), the Compare screen and the Distill screen alike. A source is stored
// data (the filter's key), so it is English, never translated; each kind of source is named here
// once.

#include "sdrt/common/Result.h"
#include "sdrt/store/Types.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace sdrt::store {
class Database;
}

namespace sdrt::review {

struct MarkSource {
    static QString evaluationErrors(const QString &evaluation);
    static QString evaluationRegressions(const QString &evaluation, const QString &versus);
    static QString comparison(const QStringList &evaluations);
    static QString distillationRun(const QString &run);
};

// Marks `items` under `source` (an item marked twice under one source counts once); returns how
// many marks were new.
Result<int> markForReview(store::Database &db, const QString &source, const std::vector<store::Id> &items,
                          std::optional<store::Id> evaluationId = std::nullopt);

// The items whose traces a distillation run trained on (its lineage), each once, in id order.
Result<std::vector<store::Id>> lineageItems(store::Database &db, store::Id runId);

} // namespace sdrt::review
