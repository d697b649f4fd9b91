#pragma once
// Every trace of a workspace accepted by one reviewer, as a person who read them all would
// record it: for tests that need approved traces whatever a random model answered.

#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/Workspace.h"

#include <QString>

#include <vector>

namespace sdrt::testing {

// The number of traces accepted, or -1 when the workspace or its reviews cannot be opened or
// the verdicts cannot be stored.
inline int acceptEveryTrace(const QString &workspace, const QString &reviewer)
{
    auto ws = store::Workspace::open(workspace);
    if (!ws)
        return -1;
    auto session = review::ReviewSession::load(ws->db());
    if (!session)
        return -1;
    (*session)->setReviewer(reviewer);
    std::vector<store::Id> all;
    for (store::Id item : (*session)->items())
        for (const auto *t : (*session)->traces(item))
            all.push_back(t->traceId);
    if (!(*session)->record(all, {}))
        return -1;
    return int(all.size());
}

} // namespace sdrt::testing
