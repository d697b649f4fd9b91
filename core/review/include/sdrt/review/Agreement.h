#pragma once
// Inter-reviewer agreement on accept/reject verdicts. Skips and missing verdicts are left out:
// a trace counts for a set of reviewers only when every one of them accepted or rejected it.
// Two reviewers: Cohen's kappa; three or more: Fleiss' kappa. Kappa is undefined (nullopt) when
// chance agreement is total (every verdict the same category) or no trace qualifies.

#include <optional>
#include <utility>
#include <vector>

namespace sdrt::review {

enum class AgreementMethod { CohenKappa, FleissKappa };

// Cohen's kappa from paired binary ratings (true = accept).
std::optional<double> cohenKappa(const std::vector<std::pair<bool, bool>> &pairs);

// Fleiss' kappa from per-subject category counts; every row must sum to the same rater count.
std::optional<double> fleissKappa(const std::vector<std::vector<int>> &counts);

} // namespace sdrt::review
