#pragma once
// Answer metrics and their statistics (issue 19, point 1 and the tests of point 4). Each metric
// scores one prediction against one or more reference answers; aggregates carry a seeded
// bootstrap 95 % interval over items, and two models on the same items are compared by a paired
// bootstrap of the difference and McNemar's exact test.
//
// Definitions (as the benchmarks that introduced them, our reading where they leave room):
// * exact match: 1 when the prediction equals a reference after the answer rule's
//   normalisation (prompts::normaliseAnswer: lower case, trimmed, trailing full stops removed,
//   first word only for non-text answer types), plus Unicode NFKC (full-width digits and letters
//   of Japanese text compare equal to their ASCII forms); max over references.
// * ANLS (DocVQA): 1 − NL(p, r) with NL the Levenshtein distance over Unicode code points of the
//   lower-cased, trimmed, NFKC strings divided by the longer length; 0 when NL ≥ 0.5; max over
//   references.
// * relaxed accuracy (ChartQA): a numeric reference is met by a numeric prediction within 5 % of
//   it (|p − r| ≤ 0.05·|r|; exactly equal when r = 0); a non-numeric reference needs exact match.
// * yes/no accuracy: the normalised first word must be the reference's yes or no ("y", "true",
//   "はい" count as yes; "n", "false", "いいえ" as no).
// * absolute error: |p − r| for numbers; no value when either side has no number (counted as
//   unparsable, not as an error of 0).
// Numbers are read from the NFKC form: the first decimal number, thousands separators between
// digits dropped ("1,250 mm" → 1250, "５個" → 5).
//
// Thread rule: pure functions.

#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace sdrt::eval {

enum class Metric { ExactMatch, Anls, RelaxedAccuracy, YesNoAccuracy, AbsoluteError };
QString metricName(Metric metric); // exact_match | anls | relaxed_accuracy | yes_no_accuracy | absolute_error
std::optional<Metric> metricFromName(const QString &name);
// The metric an item's answer type calls for: number → relaxed accuracy, yesno → yes/no
// accuracy, text → ANLS, choice and region → exact match.
Metric defaultMetric(const QString &answerType);
bool higherIsBetter(Metric metric); // false for the absolute error

std::optional<double> parseNumber(const QString &text);
std::optional<bool> parseYesNo(const QString &text);
// Levenshtein distance over Unicode code points.
int levenshtein(const QString &a, const QString &b);

double exactMatch(const QString &prediction, const QStringList &references, const QString &answerType);
double anls(const QString &prediction, const QStringList &references, double threshold = 0.5);
double relaxedAccuracy(const QString &prediction, const QStringList &references, double tolerance = 0.05);
double yesNoAccuracy(const QString &prediction, const QStringList &references);
std::optional<double> absoluteError(const QString &prediction, const QStringList &references); // min over references
// One item's score under `metric` (nullopt: absolute error without a number).
std::optional<double> score(Metric metric, const QString &prediction, const QStringList &references, const QString &answerType);

struct Estimate {
    double value = 0; // mean over items
    double low = 0;   // bootstrap 2.5 % percentile
    double high = 0;  // 97.5 %
    int items = 0;
};
// Percentile bootstrap of the mean: `resamples` resamplings of the items with replacement,
// from a SplitMix64 stream seeded with `seed`. Empty input gives items = 0.
Estimate bootstrapMean(const std::vector<double> &values, std::uint64_t seed, int resamples = 2000);

// Per family and overall ("" key = all items).
std::map<QString, Estimate> byFamily(const std::vector<std::pair<QString, double>> &familyScores, std::uint64_t seed,
                                     int resamples = 2000);

struct Difference {
    double value = 0; // mean(b − a) over the common items
    double low = 0, high = 0;
    double pValue = 1; // two-sided paired bootstrap: share of resampled differences on the other side of 0, doubled
    int items = 0;
};
// A bootstrap p-value for people: "< 0.0005" when no resample of 2,000 crossed zero (the value is
// then 0, which only means below 1 / resamples), else three significant digits.
QString formatBootstrapP(double p, int resamples = 2000);
Difference pairedBootstrap(const std::vector<double> &a, const std::vector<double> &b, std::uint64_t seed, int resamples = 2000);

// McNemar's exact test on right/wrong outcomes of two models on the same items: `onlyA` items
// only A gets right, `onlyB` only B; two-sided binomial p-value with p = 0.5 (capped at 1).
double mcnemarExact(int onlyA, int onlyB);

} // namespace sdrt::eval
