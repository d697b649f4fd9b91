#include "sdrt/teacher/TeacherSampling.h"

#include "sdrt/common/SplitMix.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstring>

namespace sdrt::teacher {
namespace {

std::uint64_t hash64(const QString &text)
{
    const QByteArray h = QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256);
    std::uint64_t v = 0;
    std::memcpy(&v, h.constData(), sizeof v);
    return v;
}

} // namespace

model::SamplingParams TeacherSampling::forStep(int step) const
{
    model::SamplingParams s;
    s.temperature = temperature;
    s.topK = topK;
    s.topP = topP;
    s.maxNewTokens = step == 1 ? step1MaxTokens : step2MaxTokens;
    return s;
}

QString TeacherSampling::check() const
{
    for (int step : {1, 2}) {
        if (const std::string bad = model::checkSampling(forStep(step)); !bad.empty())
            return QString::fromStdString(bad);
    }
    return {};
}

QString TeacherSampling::toJson(int samples, int batch) const
{
    QJsonObject o;
    o[QStringLiteral("temperature")] = double(temperature);
    o[QStringLiteral("top_k")] = topK;
    o[QStringLiteral("top_p")] = double(topP);
    o[QStringLiteral("step1_max_tokens")] = step1MaxTokens;
    o[QStringLiteral("step2_max_tokens")] = step2MaxTokens;
    o[QStringLiteral("samples")] = samples;
    o[QStringLiteral("batch")] = batch;
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

TeacherSampling TeacherSampling::fromJson(const QString &json)
{
    const QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
    TeacherSampling s;
    s.temperature = float(o.value(QStringLiteral("temperature")).toDouble(s.temperature));
    s.topK = o.value(QStringLiteral("top_k")).toInt(s.topK);
    s.topP = float(o.value(QStringLiteral("top_p")).toDouble(s.topP));
    s.step1MaxTokens = o.value(QStringLiteral("step1_max_tokens")).toInt(s.step1MaxTokens);
    s.step2MaxTokens = o.value(QStringLiteral("step2_max_tokens")).toInt(s.step2MaxTokens);
    return s;
}

bool TeacherSampling::sameTraces(const QString &jsonA, const QString &jsonB)
{
    auto withoutBatch = [](const QString &json) {
        QJsonObject o = QJsonDocument::fromJson(json.toUtf8()).object();
        o.remove(QStringLiteral("batch"));
        return o;
    };
    return withoutBatch(jsonA) == withoutBatch(jsonB);
}

std::uint64_t traceSeed(std::uint64_t runSeed, const QString &itemFingerprint, const QString &promptHash, int sample)
{
    return splitmix64(splitmix64(runSeed ^ hash64(itemFingerprint)) ^ hash64(promptHash) ^ (std::uint64_t(sample) * 0xD6E8FEB86659FD93ull))
           & 0x7FFFFFFFFFFFFFFFull;
}

std::uint64_t stepSeed(std::uint64_t trace, int step)
{
    return trace + std::uint64_t(step - 1); // step 1 draws from the trace's seed, step 2 from the next
}

} // namespace sdrt::teacher
