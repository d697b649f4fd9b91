// Parity with the reference implementation: a tiny Qwen3-VL made by Hugging Face transformers
// (tests/model/parity/make_qwen3vl_fixture.py) must give the processor's pixel values and the
// model's logits and greedy continuation with our runtime.

#include "Preprocess.h"
#include "Qwen3VlModel.h"
#include "SafetensorsTorch.h"

#include <QTest>

#include <torch/torch.h>

using namespace sdrt::model;

class TestQwen3VlParity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesTransformers()
    {
        const std::string dir = SDRT_QWEN3VL_PARITY_FIXTURE;
        auto config = loadQwen3VlConfig(dir + "/config.json");
        QVERIFY2(config, config ? "" : config.error().c_str());
        auto processor = loadQwen3VlProcessorConfig(dir + "/preprocessor_config.json");
        QVERIFY2(processor, processor ? "" : processor.error().c_str());
        auto net = loadQwen3VlNetwork(dir, *config, torch::kCPU, torch::kFloat32);
        QVERIFY2(net, net ? "" : net.error().c_str());
        auto inputs = SafetensorsFile::open(dir + "/inputs.safetensors");
        QVERIFY2(inputs, inputs ? "" : inputs.error().c_str());
        auto rgb = *loadTensor(*inputs, "image_rgb");
        auto expectedPixels = *loadTensor(*inputs, "pixel_values");
        auto grid = *loadTensor(*inputs, "image_grid_thw");
        auto ids = *loadTensor(*inputs, "input_ids");
        auto expected = *loadTensor(*inputs, "logits");
        auto generated = *loadTensor(*inputs, "generated");
        RgbImage image;
        image.height = int(rgb.size(0));
        image.width = int(rgb.size(1));
        image.pixels.assign(rgb.data_ptr<std::uint8_t>(), rgb.data_ptr<std::uint8_t>() + rgb.numel());
        ImageGridThw g;
        auto pixels = preprocessQwen2Vl(image, *processor, g);
        const auto thw = grid[0].to(torch::kInt64).contiguous();
        QCOMPARE((std::vector<std::int64_t>{g.t, g.h, g.w}),
                 (std::vector<std::int64_t>(thw.data_ptr<std::int64_t>(), thw.data_ptr<std::int64_t>() + thw.numel())));
        const double pixelDiff = (pixels - expectedPixels).abs().max().item<double>();
        qInfo("max |pixel_values - processor| = %.3g", pixelDiff);
        QVERIFY2(pixelDiff <= 1e-6, std::to_string(pixelDiff).c_str());
        c10::InferenceMode guard;
        auto logits = (*net)->forward(ids, torch::ones_like(ids), expectedPixels, {g});
        QCOMPARE(logits.sizes().vec(), expected.sizes().vec());
        const double diff = (logits - expected).abs().max().item<double>();
        qInfo("max |logits - transformers| = %.3g (transformers %s)", diff,
              inputs->metadata().count("transformers") ? inputs->metadata().at("transformers").c_str() : "?");
        QVERIFY2(diff <= 1e-4, std::to_string(diff).c_str());
        // Greedy continuation by whole-sequence forwards (the runtime's cached decode equals
        // these, tst_qwen3vl).
        auto seq = ids;
        for (std::int64_t k = 0; k < generated.size(0); ++k) {
            auto next = (*net)->forward(seq, torch::ones_like(seq), expectedPixels, {g})[0][-1].argmax().view({1, 1});
            QCOMPARE(next.item<std::int64_t>(), generated[k].item<std::int64_t>());
            seq = torch::cat({seq, next}, 1);
        }
    }
};

QTEST_GUILESS_MAIN(TestQwen3VlParity)
#include "tst_qwen3vl_parity.moc"
