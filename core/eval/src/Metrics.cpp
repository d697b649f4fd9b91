#include "sdrt/eval/Metrics.h"

#include "sdrt/common/SplitMix.h"
#include "sdrt/prompts/Answers.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace sdrt::eval {
namespace {

QString nfkc(const QString &s)
{
    return s.normalized(QString::NormalizationForm_KC);
}

std::vector<char32_t> codePoints(const QString &s)
{
    std::vector<char32_t> out;
    for (const char32_t c : s.toUcs4())
        out.push_back(c);
    return out;
}

// Uniform index in [0, n) from a SplitMix64 counter stream.
class Stream {
public:
    explicit Stream(std::uint64_t seed) : m_state(seed) {}
    std::size_t below(std::size_t n)
    {
        m_state = splitmix64(m_state);
        return std::size_t(m_state % std::uint64_t(n));
    }

private:
    std::uint64_t m_state;
};

double percentile(std::vector<double> &sorted, double q)
{
    if (sorted.empty())
        return 0;
    const double pos = q * double(sorted.size() - 1);
    const auto lo = std::size_t(std::floor(pos)), hi = std::size_t(std::ceil(pos));
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - double(lo));
}

} // namespace

QString metricName(Metric m)
{
    switch (m) {
    case Metric::ExactMatch: return QStringLiteral("exact_match");
    case Metric::Anls: return QStringLiteral("anls");
    case Metric::RelaxedAccuracy: return QStringLiteral("relaxed_accuracy");
    case Metric::YesNoAccuracy: return QStringLiteral("yes_no_accuracy");
    case Metric::AbsoluteError: return QStringLiteral("absolute_error");
    }
    return {};
}

std::optional<Metric> metricFromName(const QString &name)
{
    for (Metric m : {Metric::ExactMatch, Metric::Anls, Metric::RelaxedAccuracy, Metric::YesNoAccuracy, Metric::AbsoluteError})
        if (metricName(m) == name)
            return m;
    return std::nullopt;
}

Metric defaultMetric(const QString &answerType)
{
    if (answerType == QLatin1String("number"))
        return Metric::RelaxedAccuracy;
    if (answerType == QLatin1String("yesno"))
        return Metric::YesNoAccuracy;
    if (answerType == QLatin1String("text"))
        return Metric::Anls;
    return Metric::ExactMatch;
}

bool higherIsBetter(Metric m)
{
    return m != Metric::AbsoluteError;
}

std::optional<double> parseNumber(const QString &text)
{
    QString s = nfkc(text);
    static const QRegularExpression thousands(QStringLiteral("(?<=\\d),(?=\\d{3}(\\D|$))"));
    s.remove(thousands);
    static const QRegularExpression number(QStringLiteral("[-+]?(\\d+(\\.\\d+)?|\\.\\d+)([eE][-+]?\\d+)?"));
    const auto m = number.match(s);
    if (!m.hasMatch())
        return std::nullopt;
    bool ok = false;
    const double v = m.captured(0).toDouble(&ok);
    if (!ok || !std::isfinite(v))
        return std::nullopt;
    return v;
}

std::optional<bool> parseYesNo(const QString &text)
{
    const QString w = prompts::normaliseAnswer(nfkc(text), QStringLiteral("yesno"));
    if (w == QLatin1String("yes") || w == QLatin1String("y") || w == QLatin1String("true") || w == QStringLiteral("はい"))
        return true;
    if (w == QLatin1String("no") || w == QLatin1String("n") || w == QLatin1String("false") || w == QStringLiteral("いいえ"))
        return false;
    return std::nullopt;
}

int levenshtein(const QString &a, const QString &b)
{
    const auto x = codePoints(a), y = codePoints(b);
    std::vector<int> prev(y.size() + 1), cur(y.size() + 1);
    for (std::size_t j = 0; j <= y.size(); ++j)
        prev[j] = int(j);
    for (std::size_t i = 1; i <= x.size(); ++i) {
        cur[0] = int(i);
        for (std::size_t j = 1; j <= y.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[y.size()];
}

double exactMatch(const QString &prediction, const QStringList &references, const QString &answerType)
{
    const QString p = prompts::normaliseAnswer(nfkc(prediction), answerType);
    if (p.isEmpty())
        return 0;
    for (const QString &r : references)
        if (p == prompts::normaliseAnswer(nfkc(r), answerType))
            return 1;
    return 0;
}

double anls(const QString &prediction, const QStringList &references, double threshold)
{
    const QString p = nfkc(prediction).toLower().trimmed();
    double best = 0;
    for (const QString &ref : references) {
        const QString r = nfkc(ref).toLower().trimmed();
        const int longest = std::max(int(p.toUcs4().size()), int(r.toUcs4().size()));
        if (longest == 0) {
            best = std::max(best, 1.0);
            continue;
        }
        const double nl = double(levenshtein(p, r)) / double(longest);
        best = std::max(best, nl < threshold ? 1.0 - nl : 0.0);
    }
    return best;
}

double relaxedAccuracy(const QString &prediction, const QStringList &references, double tolerance)
{
    const auto p = parseNumber(prediction);
    for (const QString &r : references) {
        const auto rv = parseNumber(r);
        if (!rv) {
            if (exactMatch(prediction, {r}, QStringLiteral("text")) > 0)
                return 1;
            continue;
        }
        if (!p)
            continue;
        if (*rv == 0 ? *p == 0 : std::abs(*p - *rv) <= tolerance * std::abs(*rv) + 1e-12 * std::abs(*rv))
            return 1;
    }
    return 0;
}

double yesNoAccuracy(const QString &prediction, const QStringList &references)
{
    const auto p = parseYesNo(prediction);
    if (!p)
        return 0;
    for (const QString &r : references)
        if (parseYesNo(r) == p)
            return 1;
    return 0;
}

std::optional<double> absoluteError(const QString &prediction, const QStringList &references)
{
    const auto p = parseNumber(prediction);
    if (!p)
        return std::nullopt;
    std::optional<double> best;
    for (const QString &r : references) {
        if (const auto rv = parseNumber(r))
            best = std::min(best.value_or(INFINITY), std::abs(*p - *rv));
    }
    return best;
}

std::optional<double> score(Metric metric, const QString &prediction, const QStringList &references, const QString &answerType)
{
    switch (metric) {
    case Metric::ExactMatch: return exactMatch(prediction, references, answerType);
    case Metric::Anls: return anls(prediction, references);
    case Metric::RelaxedAccuracy: return relaxedAccuracy(prediction, references);
    case Metric::YesNoAccuracy: return yesNoAccuracy(prediction, references);
    case Metric::AbsoluteError: return absoluteError(prediction, references);
    }
    return std::nullopt;
}

Estimate bootstrapMean(const std::vector<double> &values, std::uint64_t seed, int resamples)
{
    Estimate e;
    e.items = int(values.size());
    if (values.empty())
        return e;
    double sum = 0;
    for (double v : values)
        sum += v;
    e.value = sum / double(values.size());
    Stream rng(seed);
    std::vector<double> means;
    means.reserve(std::size_t(std::max(1, resamples)));
    for (int b = 0; b < resamples; ++b) {
        double s = 0;
        for (std::size_t i = 0; i < values.size(); ++i)
            s += values[rng.below(values.size())];
        means.push_back(s / double(values.size()));
    }
    std::sort(means.begin(), means.end());
    e.low = percentile(means, 0.025);
    e.high = percentile(means, 0.975);
    return e;
}

std::map<QString, Estimate> byFamily(const std::vector<std::pair<QString, double>> &familyScores, std::uint64_t seed, int resamples)
{
    std::map<QString, std::vector<double>> groups;
    for (const auto &[family, v] : familyScores) {
        groups[family].push_back(v);
        groups[QString()].push_back(v);
    }
    std::map<QString, Estimate> out;
    std::uint64_t k = 0;
    for (const auto &[family, values] : groups)
        out[family] = bootstrapMean(values, splitmix64(seed + ++k), resamples);
    return out;
}

Difference pairedBootstrap(const std::vector<double> &a, const std::vector<double> &b, std::uint64_t seed, int resamples)
{
    Difference d;
    const std::size_t n = std::min(a.size(), b.size());
    d.items = int(n);
    if (n == 0)
        return d;
    std::vector<double> diff(n);
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        diff[i] = b[i] - a[i];
        sum += diff[i];
    }
    d.value = sum / double(n);
    Stream rng(seed);
    std::vector<double> means;
    int below = 0, above = 0;
    for (int r = 0; r < resamples; ++r) {
        double s = 0;
        for (std::size_t i = 0; i < n; ++i)
            s += diff[rng.below(n)];
        const double m = s / double(n);
        means.push_back(m);
        below += m <= 0;
        above += m >= 0;
    }
    std::sort(means.begin(), means.end());
    d.low = percentile(means, 0.025);
    d.high = percentile(means, 0.975);
    d.pValue = std::min(1.0, 2.0 * double(std::min(below, above)) / double(std::max(1, resamples)));
    return d;
}

double mcnemarExact(int onlyA, int onlyB)
{
    const int n = onlyA + onlyB;
    if (n == 0)
        return 1;
    const int k = std::min(onlyA, onlyB);
    // Σ_{i=0..k} C(n,i) / 2^n, in logs so large n stays exact enough.
    double tail = 0;
    for (int i = 0; i <= k; ++i)
        tail += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) - n * std::log(2.0));
    return std::min(1.0, 2.0 * tail);
}

QString formatBootstrapP(double p, int resamples)
{
    if (p <= 0)
        return QStringLiteral("< %1").arg(1.0 / resamples, 0, 'g', 2);
    return QString::number(p, 'g', 3);
}


} // namespace sdrt::eval
