#pragma once
// What counts as approved. A trace is approved when at least `minAccepts` reviewers accept it
// and at most `maxRejects` reject it (maxRejects < 0: rejects do not matter). Only each
// reviewer's current verdict counts; skips count for neither side.
//   "at least one accept and no reject": {1, 0};  "k of n accepts": {k, -1}.

#include "sdrt/common/Result.h"

#include <QString>

namespace sdrt::review {

struct ApprovalPolicy {
    int minAccepts = 1;
    int maxRejects = 0;

    bool approves(int accepts, int rejects) const
    {
        return accepts >= minAccepts && (maxRejects < 0 || rejects <= maxRejects);
    }
    QString describe() const;    // for people, translated
    QString toJson() const;      // {"min_accepts":1,"max_rejects":0}
    static Result<ApprovalPolicy> fromJson(const QString &json);
    // "1,0" or "2,-1" (min accepts, max rejects), as the CLI takes it.
    static Result<ApprovalPolicy> parse(const QString &text);

    bool operator==(const ApprovalPolicy &) const = default;
};

} // namespace sdrt::review
