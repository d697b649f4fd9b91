// Parity with the reference implementation: a tiny LLaVA made by Hugging Face transformers
// (tests/model/parity/make_fixture.py) must give the same logits with our runtime.

#include "LlavaModel.h"
#include "SafetensorsTorch.h"

#include <QTest>

#include <torch/torch.h>

using namespace sdrt::model;

class TestModelParity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void logitsMatchTransformers()
    {
        const std::string dir = SDRT_PARITY_FIXTURE;
        auto config = loadLlavaConfig(dir + "/config.json");
        QVERIFY2(config, config ? "" : config.error().c_str());
        auto model = loadLlavaModel(dir, *config, torch::kCPU, torch::kFloat32);
        QVERIFY2(model, model ? "" : model.error().c_str());
        auto inputs = SafetensorsFile::open(dir + "/inputs.safetensors");
        QVERIFY2(inputs, inputs ? "" : inputs.error().c_str());
        auto ids = *loadTensor(*inputs, "input_ids");
        auto pixels = *loadTensor(*inputs, "pixel_values");
        auto expected = *loadTensor(*inputs, "logits");
        c10::InferenceMode guard;
        auto logits = (*model)->forward(ids, pixels, torch::ones_like(ids));
        QCOMPARE(logits.sizes().vec(), expected.sizes().vec());
        const double diff = (logits - expected).abs().max().item<double>();
        qInfo("max |logits - transformers| = %.3g (transformers %s)", diff,
              inputs->metadata().count("transformers") ? inputs->metadata().at("transformers").c_str() : "?");
        QVERIFY2(diff <= 1e-4, std::to_string(diff).c_str());
    }
};

QTEST_GUILESS_MAIN(TestModelParity)
#include "tst_model_parity.moc"
