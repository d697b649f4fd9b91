// A distillation run's settings: every key is optional with a documented default; unknown keys,
// wrong types and values out of range are refused by name; the JSON round-trips.

#include "sdrt/distill/DistillConfig.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace sdrt;

class TestDistillConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void configRefusesUnknownKeysAndBadValues()
    {
        auto ok = distill::DistillConfig::fromJson(R"({"steps": 5, "layers": [1], "hidden_loss": "cosine"})");
        QVERIFY(ok);
        QCOMPARE(ok->steps, 5);
        QCOMPARE(ok->batch, distill::DistillConfig{}.batch);
        QCOMPARE(ok->hiddenLoss, distill::HiddenStateLoss::Cosine);
        QCOMPARE(QJsonDocument::fromJson(ok->toJson()).object().value(QStringLiteral("hidden_loss")).toString(), QStringLiteral("cosine"));
        auto unknown = distill::DistillConfig::fromJson(R"({"stepz": 5})");
        QVERIFY(!unknown);
        QVERIFY(unknown.error().contains(QStringLiteral("stepz")));
        QVERIFY(!distill::DistillConfig::fromJson(R"({"steps": -1})"));
        QVERIFY(!distill::DistillConfig::fromJson(R"({"steps": 2.5})"));
        QVERIFY(!distill::DistillConfig::fromJson(R"({"learning_rate": "fast"})"));
        QVERIFY(!distill::DistillConfig::fromJson(R"({"hidden_loss": "l1"})"));
        QVERIFY(!distill::DistillConfig::fromJson(R"({"adapter": false, "skip": false})"));
        QVERIFY(!distill::DistillConfig::fromJson(R"([1,2])"));
        QVERIFY(!distill::DistillConfig::fromJson("{"));
        auto again = distill::DistillConfig::fromJson(ok->toJson());
        QVERIFY(again);
        QCOMPARE(again->layers, std::vector<int>{1});
    }
};

QTEST_GUILESS_MAIN(TestDistillConfig)
#include "tst_distill_config.moc"
