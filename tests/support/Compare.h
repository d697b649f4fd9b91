#pragma once
// Comparisons of the runtime's float outputs (log-probabilities, hidden states) in tests.

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace sdrt::testing {

// Largest |a_i - b_i| of two equally long vectors (infinity when the lengths differ).
inline double maxGap(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size())
        return std::numeric_limits<double>::infinity();
    double gap = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        gap = std::max(gap, double(std::abs(a[i] - b[i])));
    return gap;
}

} // namespace sdrt::testing
