#include "sdrt/review/Agreement.h"

#include <cmath>

namespace sdrt::review {

std::optional<double> cohenKappa(const std::vector<std::pair<bool, bool>> &pairs)
{
    if (pairs.empty())
        return std::nullopt;
    const double n = double(pairs.size());
    double agree = 0, aYes = 0, bYes = 0;
    for (const auto &[a, b] : pairs) {
        agree += a == b;
        aYes += a;
        bYes += b;
    }
    const double po = agree / n;
    const double pe = (aYes / n) * (bYes / n) + (1 - aYes / n) * (1 - bYes / n);
    if (std::abs(1 - pe) < 1e-12)
        return std::nullopt;
    return (po - pe) / (1 - pe);
}

std::optional<double> fleissKappa(const std::vector<std::vector<int>> &counts)
{
    if (counts.empty() || counts.front().empty())
        return std::nullopt;
    const std::size_t k = counts.front().size();
    int raters = 0;
    for (int c : counts.front())
        raters += c;
    if (raters < 2)
        return std::nullopt;
    const double N = double(counts.size()), n = double(raters);
    std::vector<double> columnTotals(k, 0);
    double pBar = 0;
    for (const auto &row : counts) {
        int sum = 0;
        double squares = 0;
        for (std::size_t j = 0; j < k; ++j) {
            sum += row[j];
            squares += double(row[j]) * row[j];
            columnTotals[j] += row[j];
        }
        if (row.size() != k || sum != raters)
            return std::nullopt;
        pBar += (squares - n) / (n * (n - 1));
    }
    pBar /= N;
    double pe = 0;
    for (double t : columnTotals)
        pe += (t / (N * n)) * (t / (N * n));
    if (std::abs(1 - pe) < 1e-12)
        return std::nullopt;
    return (pBar - pe) / (1 - pe);
}

} // namespace sdrt::review
