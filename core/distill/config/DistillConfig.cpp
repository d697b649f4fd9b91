#include "sdrt/distill/DistillConfig.h"

#include "sdrt/common/JsonKeys.h"
#include "sdrt/review/Policy.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace sdrt::distill {
QString hiddenStateLossName(HiddenStateLoss loss)
{
    return loss == HiddenStateLoss::Cosine ? QStringLiteral("cosine") : QStringLiteral("mse");
}

QStringList DistillConfig::keys()
{
    return {QStringLiteral("steps"),        QStringLiteral("batch"),          QStringLiteral("learning_rate"),
            QStringLiteral("warmup_steps"), QStringLiteral("weight_decay"),   QStringLiteral("grad_clip"),
            QStringLiteral("checkpoint_every"), QStringLiteral("seed"),       QStringLiteral("adapter"),
            QStringLiteral("layers"),       QStringLiteral("rank"),           QStringLiteral("positions"),
            QStringLiteral("skip"),         QStringLiteral("skip_rank"),      QStringLiteral("ensemble"),
            QStringLiteral("ensemble_conditioned"), QStringLiteral("ensemble_entropy"), QStringLiteral("cross_entropy"),
            QStringLiteral("lambda_hidden"), QStringLiteral("hidden_loss"),   QStringLiteral("hidden_layers"),
            QStringLiteral("policy"),       QStringLiteral("max_traces")};
}

namespace {

// The config's JSON object: bare values, syntax errors, duplicate and unknown keys refused by name.
Result<QJsonObject> configObject(const QByteArray &json, const QStringList &known)
{
    // A bare value ("42", "null", "\"x\"") is valid JSON but no config; say so before the JSON
    // parser reports it as a syntax error at its first byte.
    const QByteArray trimmed = json.trimmed();
    if (trimmed.isEmpty())
        return fail(QCoreApplication::translate("sdrt::distill", "The distillation config is empty; it must be a JSON object such as {\"steps\": 200}."));
    if (!trimmed.startsWith('{'))
        return fail(QCoreApplication::translate("sdrt::distill", "The distillation config must be a JSON object such as {\"steps\": 200}, not %1.")
                        .arg(trimmed.startsWith('[')   ? QCoreApplication::translate("sdrt::distill", "a list")
                             : trimmed.startsWith('"') ? QCoreApplication::translate("sdrt::distill", "a string")
                             : trimmed == "null"       ? QCoreApplication::translate("sdrt::distill", "null")
                             : trimmed == "true" || trimmed == "false" ? QCoreApplication::translate("sdrt::distill", "true or false")
                                                                        : QCoreApplication::translate("sdrt::distill", "a number or other bare value")));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError)
        return fail(QCoreApplication::translate("sdrt::distill", "The distillation config is not valid JSON: %1 (at byte %2).").arg(pe.errorString()).arg(pe.offset));
    if (!doc.isObject())
        return fail(QCoreApplication::translate("sdrt::distill", "The distillation config must be a JSON object."));
    if (auto dup = common::findDuplicateKey(std::string_view(json.constData(), std::size_t(json.size()))))
        return fail(QCoreApplication::translate("sdrt::distill", "The distillation config names \"%1\" twice%2; each key may appear once (which value was meant?).")
                        .arg(QString::fromStdString(dup->key), dup->path.empty() ? QString() : QCoreApplication::translate("sdrt::distill", " (in %1)").arg(QString::fromStdString(dup->path))));
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!known.contains(it.key()))
            return fail(QCoreApplication::translate("sdrt::distill", "Unknown key \"%1\" in the distillation config. Known keys: %2.").arg(it.key(), known.join(QStringLiteral(", "))));
    return o;
}

// Reads the config's fields, each checked for its type and range; the first problem is kept.
class Fields {
public:
    explicit Fields(const QJsonObject &o) : m_o(o) {}
    const QString &error() const { return m_error; }

    void integer(const char *key, int &out, int min, int max)
    {
        const QJsonValue v = value(key);
        if (v.isUndefined())
            return;
        const double d = v.toDouble(std::nan(""));
        if (!v.isDouble() || d != std::floor(d) || d < min || d > max)
            m_error = QCoreApplication::translate("sdrt::distill", "\"%1\" must be a whole number from %2 to %3.").arg(QLatin1String(key)).arg(min).arg(max);
        else
            out = int(d);
    }
    void real(const char *key, double &out, double min, double max)
    {
        const QJsonValue v = value(key);
        if (v.isUndefined())
            return;
        const double d = v.toDouble(std::nan(""));
        if (!v.isDouble() || !std::isfinite(d) || d < min || d > max)
            m_error = QCoreApplication::translate("sdrt::distill", "\"%1\" must be a number from %2 to %3.").arg(QLatin1String(key)).arg(min).arg(max);
        else
            out = d;
    }
    void boolean(const char *key, bool &out)
    {
        const QJsonValue v = value(key);
        if (v.isUndefined())
            return;
        if (!v.isBool())
            m_error = QCoreApplication::translate("sdrt::distill", "\"%1\" must be true or false.").arg(QLatin1String(key));
        else
            out = v.toBool();
    }
    void seed(const char *key, std::uint64_t &out)
    {
        const QJsonValue v = value(key);
        if (v.isUndefined())
            return;
        const double d = v.toDouble(-1);
        if (!v.isDouble() || d != std::floor(d) || d < 0 || d > 9007199254740991.0)
            m_error = QCoreApplication::translate("sdrt::distill", "\"%1\" must be a whole number from 0.").arg(QLatin1String(key));
        else
            out = std::uint64_t(d);
    }
    void layers(const char *key, std::vector<int> &out)
    {
        const QJsonValue v = value(key);
        if (v.isUndefined())
            return;
        if (!v.isArray()) {
            m_error = QCoreApplication::translate("sdrt::distill", "\"%1\" must be a list of layer numbers.").arg(QLatin1String(key));
            return;
        }
        out.clear();
        for (const QJsonValue &e : v.toArray()) {
            const double d = e.toDouble(-1);
            if (!e.isDouble() || d != std::floor(d) || d < 0 || d > 4096) {
                m_error = QCoreApplication::translate("sdrt::distill", "\"%1\" must be a list of layer numbers (whole numbers from 0).").arg(QLatin1String(key));
                return;
            }
            if (std::find(out.begin(), out.end(), int(d)) != out.end()) {
                m_error = QCoreApplication::translate("sdrt::distill", "\"%1\" names layer %2 twice; each layer may appear once.").arg(QLatin1String(key)).arg(int(d));
                return;
            }
            out.push_back(int(d));
        }
    }

private:
    // Undefined once a problem is found: the first one is said.
    QJsonValue value(const char *key) const { return m_error.isEmpty() ? m_o.value(QLatin1String(key)) : QJsonValue(QJsonValue::Undefined); }

    const QJsonObject &m_o;
    QString m_error;
};

// hidden_loss and policy: words and the approval policy's own syntax.
Result<void> readChoices(const QJsonObject &o, DistillConfig &c)
{
    if (o.contains(QStringLiteral("hidden_loss"))) {
        const QString loss = o.value(QStringLiteral("hidden_loss")).toString();
        if (loss == hiddenStateLossName(HiddenStateLoss::Mse))
            c.hiddenLoss = HiddenStateLoss::Mse;
        else if (loss == hiddenStateLossName(HiddenStateLoss::Cosine))
            c.hiddenLoss = HiddenStateLoss::Cosine;
        else
            return fail(QCoreApplication::translate("sdrt::distill", "\"hidden_loss\" must be \"mse\" or \"cosine\"."));
    }
    if (o.contains(QStringLiteral("policy")) && !o.value(QStringLiteral("policy")).isNull()) {
        const QString p = o.value(QStringLiteral("policy")).toString();
        if (auto parsed = review::ApprovalPolicy::parse(p); !parsed)
            return fail(QCoreApplication::translate("sdrt::distill", "\"policy\": %1").arg(parsed.error()));
        c.policy = p;
    }
    return {};
}

} // namespace

Result<DistillConfig> DistillConfig::fromJson(const QByteArray &json)
{
    auto o = configObject(json, keys());
    if (!o)
        return fail(o.error());
    DistillConfig c;
    Fields f(*o);
    f.integer("steps", c.steps, 1, 10000000);
    f.integer("batch", c.batch, 1, 65536);
    f.real("learning_rate", c.learningRate, 0, 10);
    f.integer("warmup_steps", c.warmupSteps, 0, 10000000);
    f.real("weight_decay", c.weightDecay, 0, 10);
    f.real("grad_clip", c.gradClip, 0, 1e6);
    f.integer("checkpoint_every", c.checkpointEvery, 1, 10000000);
    f.seed("seed", c.seed);
    f.boolean("adapter", c.adapter);
    f.layers("layers", c.layers);
    f.integer("rank", c.rank, 1, 4096);
    f.integer("positions", c.positions, 1, 1000000);
    f.boolean("skip", c.skip);
    f.integer("skip_rank", c.skipRank, 1, 4096);
    f.boolean("ensemble", c.ensemble);
    f.boolean("ensemble_conditioned", c.ensembleConditioned);
    f.real("ensemble_entropy", c.ensembleEntropy, 0, 100);
    f.boolean("cross_entropy", c.crossEntropy);
    f.real("lambda_hidden", c.lambdaHidden, 0, 1e6);
    f.layers("hidden_layers", c.hiddenLayers);
    f.integer("max_traces", c.maxTraces, 0, 100000000);
    if (!f.error().isEmpty())
        return fail(f.error());
    if (auto r = readChoices(*o, c); !r)
        return fail(r.error());
    if (!c.adapter && !c.skip)
        return fail(QCoreApplication::translate("sdrt::distill", "Both the adapter and the skip connection are off: the student would have nothing to train."));
    if (!c.crossEntropy && c.lambdaHidden <= 0)
        return fail(QCoreApplication::translate("sdrt::distill", "Both loss terms are off (cross_entropy false and lambda_hidden 0)."));
    return c;
}

QByteArray DistillConfig::toJson() const
{
    auto list = [](const std::vector<int> &v) {
        QJsonArray a;
        for (int x : v)
            a.append(x);
        return a;
    };
    QJsonObject o{{QStringLiteral("steps"), steps},
                  {QStringLiteral("batch"), batch},
                  {QStringLiteral("learning_rate"), learningRate},
                  {QStringLiteral("warmup_steps"), warmupSteps},
                  {QStringLiteral("weight_decay"), weightDecay},
                  {QStringLiteral("grad_clip"), gradClip},
                  {QStringLiteral("checkpoint_every"), checkpointEvery},
                  {QStringLiteral("seed"), double(seed)},
                  {QStringLiteral("adapter"), adapter},
                  {QStringLiteral("layers"), list(layers)},
                  {QStringLiteral("rank"), rank},
                  {QStringLiteral("positions"), positions},
                  {QStringLiteral("skip"), skip},
                  {QStringLiteral("skip_rank"), skipRank},
                  {QStringLiteral("ensemble"), ensemble},
                  {QStringLiteral("ensemble_conditioned"), ensembleConditioned},
                  {QStringLiteral("ensemble_entropy"), ensembleEntropy},
                  {QStringLiteral("cross_entropy"), crossEntropy},
                  {QStringLiteral("lambda_hidden"), lambdaHidden},
                  {QStringLiteral("hidden_loss"), hiddenStateLossName(hiddenLoss)},
                  {QStringLiteral("hidden_layers"), list(hiddenLayers)},
                  {QStringLiteral("policy"), policy ? QJsonValue(*policy) : QJsonValue(QJsonValue::Null)},
                  {QStringLiteral("max_traces"), maxTraces}};
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

} // namespace sdrt::distill
