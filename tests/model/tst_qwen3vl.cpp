// Qwen3-VL: configuration, image geometry, 3-D positions and the image processor's patch order,
// against hand-computed cases (the arithmetic of Hugging Face's smart_resize, get_rope_index and
// apply_interleaved_mrope, worked through in the comments).

#include "Preprocess.h"
#include "Qwen3VlModel.h"
#include "SafetensorsTorch.h"
#include "sdrt/model/ChatTemplate.h"
#include "sdrt/model/HfTokenizer.h"
#include "sdrt/model/Qwen3Vl.h"
#include "sdrt/model/Runtime.h"
#include "sdrt/model/Safetensors.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/model/Training.h"

#include <nlohmann/json.hpp>

#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

#include <fstream>

using namespace sdrt::model;

namespace {

// The Hub's Qwen3-VL-2B-Instruct config.json, as the checkpoint has it.
nlohmann::json hub2B()
{
    return nlohmann::json::parse(R"({
      "architectures": ["Qwen3VLForConditionalGeneration"], "model_type": "qwen3_vl",
      "image_token_id": 151655, "video_token_id": 151656, "vision_start_token_id": 151652, "vision_end_token_id": 151653,
      "tie_word_embeddings": true,
      "text_config": {"model_type": "qwen3_vl_text", "attention_bias": false, "head_dim": 128, "hidden_act": "silu",
        "hidden_size": 2048, "intermediate_size": 6144, "max_position_embeddings": 262144, "num_attention_heads": 16,
        "num_hidden_layers": 28, "num_key_value_heads": 8, "rms_norm_eps": 1e-06,
        "rope_scaling": {"mrope_interleaved": true, "mrope_section": [24, 20, 20], "rope_type": "default"},
        "rope_theta": 5000000, "tie_word_embeddings": true, "vocab_size": 151936},
      "vision_config": {"model_type": "qwen3_vl", "deepstack_visual_indexes": [5, 11, 17], "depth": 24,
        "hidden_act": "gelu_pytorch_tanh", "hidden_size": 1024, "in_channels": 3, "intermediate_size": 4096, "num_heads": 16,
        "num_position_embeddings": 2304, "out_hidden_size": 2048, "patch_size": 16, "spatial_merge_size": 2, "temporal_patch_size": 2}
    })");
}

std::string writeJson(const QTemporaryDir &dir, const char *name, const nlohmann::json &j)
{
    const std::string path = dir.filePath(QString::fromLatin1(name)).toStdString();
    std::ofstream(path) << j.dump();
    return path;
}

} // namespace

RgbImage gradient(int w, int h, int seed)
{
    RgbImage img;
    img.width = w;
    img.height = h;
    img.pixels.resize(std::size_t(w) * h * 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c)
                img.pixels[std::size_t((y * w + x) * 3 + c)] = std::uint8_t((x * (3 + seed) + y * (5 + c) + seed * 40) % 256);
    return img;
}

double maxDiff(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

class TestQwen3Vl : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::string m_tiny;

private Q_SLOTS:
    void initTestCase()
    {
        m_tiny = m_tmp.filePath(QStringLiteral("tiny")).toStdString();
        auto c = makeTinyQwen3Vl(m_tiny, {});
        QVERIFY2(c, c ? "" : c.error().c_str());
    }

    void readsTheHubConfig()
    {
        QTemporaryDir dir;
        auto c = loadQwen3VlConfig(writeJson(dir, "config.json", hub2B()));
        QVERIFY2(c, c ? "" : c.error().c_str());
        QCOMPARE(c->text.hiddenSize, 2048);
        QCOMPARE(c->text.headDim, 128);
        QCOMPARE(c->text.numKvHeads, 8);
        QCOMPARE(c->text.ropeTheta, 5000000.0);
        QCOMPARE(c->text.mropeSection, (std::array<int, 3>{24, 20, 20}));
        QCOMPARE(c->vision.deepstackVisualIndexes, (std::vector<int>{5, 11, 17}));
        QCOMPARE(c->vision.outHiddenSize, 2048);
        QVERIFY(c->tied());
        // Qwen3-VL-2B: 2.13 billion parameters with the tied head (the published size).
        QVERIFY2(c->parameterCount() > 2'100'000'000 && c->parameterCount() < 2'200'000'000, std::to_string(c->parameterCount()).c_str());
        // The weights' memory for the Hub's sizes (2B as above; 4B and 8B with their text and
        // vision shapes), printed for the docs.
        auto four = *c, eight = *c;
        four.text.hiddenSize = four.vision.outHiddenSize = 2560;
        four.text.intermediateSize = 9728;
        four.text.numLayers = 36;
        four.text.numHeads = 32;
        eight.text.hiddenSize = eight.vision.outHiddenSize = 4096;
        eight.text.intermediateSize = 12288;
        eight.text.numLayers = 36;
        eight.text.numHeads = 32;
        eight.tieWordEmbeddings = eight.text.tieWordEmbeddings = false;
        eight.vision.depth = 27;
        eight.vision.hiddenSize = 1152;
        eight.vision.intermediateSize = 4304;
        eight.vision.deepstackVisualIndexes = {8, 16, 24};
        for (const auto &[name, cfg] : {std::pair<const char *, const Qwen3VlConfig *>{"2B", &*c}, {"4B", &four}, {"8B", &eight}}) {
            QVERIFY(validate(*cfg));
            qInfo("Qwen3-VL-%s: %.2f billion parameters, weights %.1f GiB in fp32, %.1f GiB in bf16", name, double(cfg->parameterCount()) / 1e9,
                  double(qwen3VlWeightBytes(*cfg, "fp32")) / double(1ll << 30), double(qwen3VlWeightBytes(*cfg, "bf16")) / double(1ll << 30));
        }
        // transformers 5's rope_parameters, with rope_theta inside.
        auto j = hub2B();
        j["text_config"].erase("rope_scaling");
        j["text_config"].erase("rope_theta");
        j["text_config"]["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 1000000.0}, {"mrope_section", {32, 16, 16}}};
        auto v5 = loadQwen3VlConfig(writeJson(dir, "v5.json", j));
        QVERIFY2(v5, v5 ? "" : v5.error().c_str());
        QCOMPARE(v5->text.ropeTheta, 1000000.0);
        QCOMPARE(v5->text.mropeSection, (std::array<int, 3>{32, 16, 16}));
        // Absent keys take Hugging Face's class defaults.
        auto bare = loadQwen3VlConfig(writeJson(dir, "bare.json", {{"model_type", "qwen3_vl"}, {"text_config", {{"hidden_size", 3584}}},
                                                                   {"vision_config", nlohmann::json::object()}}));
        QVERIFY2(bare, bare ? "" : bare.error().c_str());
        QCOMPARE(bare->vision.depth, 27);
        QCOMPARE(bare->vision.hiddenSize, 1152);
        QCOMPARE(bare->vision.deepstackVisualIndexes, (std::vector<int>{8, 16, 24}));
        QCOMPARE(bare->text.numKvHeads, 32);
        QCOMPARE(bare->imageTokenId, std::int64_t(151655));
        // A config written by us reads back the same.
        auto again = loadQwen3VlConfig(writeJson(dir, "again.json", nlohmann::json::parse(qwen3VlConfigJson(*c))));
        QVERIFY2(again, again ? "" : again.error().c_str());
        QCOMPARE(again->parameterCount(), c->parameterCount());
    }

    void badConfigsAreRefusedByName_data()
    {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("expected");
        QTest::newRow("moe") << R"({"model_type": "qwen3_vl_moe"})" << "qwen3_vl_moe";
        QTest::newRow("other family") << R"({"model_type": "qwen2_5_vl"})" << "model_type \"qwen2_5_vl\" is not Qwen3-VL";
        QTest::newRow("mrope sum") << R"({"text_config": {"rope_scaling": {"rope_type": "default", "mrope_section": [24, 20, 10]}}})"
                                   << "must add up to head_dim / 2 = 64";
        QTest::newRow("mrope too wide") << R"({"text_config": {"rope_scaling": {"rope_type": "default", "mrope_section": [16, 24, 24]}}})"
                                        << "do not fit in head_dim / 2";
        QTest::newRow("rope type") << R"({"text_config": {"rope_scaling": {"rope_type": "yarn", "mrope_section": [24, 20, 20]}}})"
                                   << "rope_type \"yarn\" is not supported";
        QTest::newRow("out hidden") << R"({"vision_config": {"out_hidden_size": 1024}})" << "out_hidden_size 1024 must equal text_config.hidden_size 2048";
        QTest::newRow("deepstack") << R"({"vision_config": {"deepstack_visual_indexes": [5, 11, 24]}})" << "24 is not a vision block (0..23)";
        QTest::newRow("positions") << R"({"vision_config": {"num_position_embeddings": 2300}})" << "2300 is not a square";
        QTest::newRow("wrong type") << R"({"text_config": {"hidden_size": "2048"}})" << "text_config.hidden_size has the wrong type (string)";
        QTest::newRow("heads") << R"({"text_config": {"num_key_value_heads": 5}})" << "multiple of num_key_value_heads";
        QTest::newRow("image token") << R"({"image_token_id": 200000})" << "image_token_id 200000 is outside the vocabulary of 151936";
        QTest::newRow("no vision") << R"({"vision_config": null})" << "needs text_config and vision_config objects";
    }

    void badConfigsAreRefusedByName()
    {
        QFETCH(QString, patch);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        auto j = hub2B();
        j.merge_patch(nlohmann::json::parse(patch.toStdString()));
        const std::string path = writeJson(dir, "config.json", j);
        auto c = loadQwen3VlConfig(path);
        QVERIFY(!c);
        QVERIFY2(QString::fromStdString(c.error()).contains(expected), c.error().c_str());
        QVERIFY2(c.error().rfind(path, 0) == 0, "the message names the file");
    }

    void readsTheProcessorConfig()
    {
        QTemporaryDir dir;
        const nlohmann::json hub = {{"size", {{"longest_edge", 16777216}, {"shortest_edge", 65536}}}, {"patch_size", 16}, {"temporal_patch_size", 2},
                                    {"merge_size", 2}, {"image_mean", {0.5, 0.5, 0.5}}, {"image_std", {0.5, 0.5, 0.5}},
                                    {"processor_class", "Qwen3VLProcessor"}, {"image_processor_type", "Qwen2VLImageProcessorFast"}};
        auto p = loadQwen3VlProcessorConfig(writeJson(dir, "p.json", hub));
        QVERIFY2(p, p ? "" : p.error().c_str());
        QCOMPARE(p->minPixels, std::int64_t(65536));
        QCOMPARE(p->maxPixels, std::int64_t(16777216));
        QCOMPARE(p->factor(), 32);
        QCOMPARE(p->mean[1], 0.5);
        // min_pixels / max_pixels override size.
        auto over = hub;
        over["min_pixels"] = 1024;
        over["max_pixels"] = 4096;
        QCOMPARE(loadQwen3VlProcessorConfig(writeJson(dir, "o.json", over))->maxPixels, std::int64_t(4096));
        auto bilinear = hub;
        bilinear["resample"] = 2;
        auto refused = loadQwen3VlProcessorConfig(writeJson(dir, "b.json", bilinear));
        QVERIFY(!refused);
        QVERIFY2(refused.error().find("resample 2 is not supported") != std::string::npos, refused.error().c_str());
        auto clip = hub;
        clip["image_processor_type"] = "CLIPImageProcessor";
        QVERIFY(!loadQwen3VlProcessorConfig(writeJson(dir, "c.json", clip)));
        auto c = loadQwen3VlConfig(writeJson(dir, "config.json", hub2B()));
        QVERIFY(checkProcessorFits(*p, *c));
        auto qwen2 = *p;
        qwen2.patchSize = 14;
        QVERIFY(!checkProcessorFits(qwen2, *c));
    }

    void smartResizeFollowsTheProcessor_data()
    {
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("outHeight");
        QTest::addColumn<int>("outWidth");
        // factor 32, 65,536 to 16,777,216 pixels (the Hub's Qwen3-VL processor).
        QTest::newRow("already multiples") << 480 << 640 << 480 << 640;
        // 80/32 = 2.5 rounds to even: 2 → 64 (not 96); 1008/32 = 31.5 → 32 → 1024. 64·1024 = 65,536: not below the minimum.
        QTest::newRow("ties to even") << 80 << 1008 << 64 << 1024;
        QTest::newRow("full HD") << 1080 << 1920 << 1088 << 1920; // 33.75 → 34
        // 160·192 = 30,720 < 65,536: beta = sqrt(65536 / 30000) = 1.4780; ceil(150·β/32) = 7, ceil(200·β/32) = 10.
        QTest::newRow("grow to the minimum") << 150 << 200 << 224 << 320;
        // 4992·8000 > 16,777,216: beta = sqrt(40e6 / 16777216) = 1.5441; floor(5000/β/32) = 101, floor(8000/β/32) = 161.
        QTest::newRow("shrink to the maximum") << 5000 << 8000 << 3232 << 5152;
        // Both sides round to 0: beta = sqrt(65536 / 100) = 25.6; ceil(10·25.6/32) = 8.
        QTest::newRow("tiny") << 10 << 10 << 256 << 256;
        QTest::newRow("A4 portrait, 100 dpi") << 1169 << 827 << 1184 << 832;
        QTest::newRow("A4 portrait, 300 dpi") << 3508 << 2480 << 3520 << 2496;
        QTest::newRow("aspect 200") << 1 << 200 << 32 << 3648;
    }

    void smartResizeFollowsTheProcessor()
    {
        QFETCH(int, height);
        QFETCH(int, width);
        QFETCH(int, outHeight);
        QFETCH(int, outWidth);
        auto r = smartResize(height, width, 32, 65536, 16777216);
        QVERIFY2(r, r ? "" : r.error().c_str());
        QCOMPARE(r->height, outHeight);
        QCOMPARE(r->width, outWidth);
    }

    void imageGeometry()
    {
        auto aspect = smartResize(1, 201, 32, 65536, 16777216);
        QVERIFY(!aspect);
        QVERIFY2(aspect.error().find("aspect ratio is over 200") != std::string::npos, aspect.error().c_str());
        QVERIFY(!smartResize(0, 10, 32, 65536, 16777216));
        // Qwen2-VL's own limits (factor 28, 3,136 to 1,003,520): 476·644 is within, so only rounding.
        QCOMPARE(smartResize(480, 640, 28, 3136, 1003520)->height, 476);
        QCOMPARE(smartResize(480, 640, 28, 3136, 1003520)->width, 644);
        Qwen3VlConfig c;
        c.vision.patchSize = 16;
        const auto p = defaultQwen3VlProcessor(c);
        // 640x480: 30 x 40 patches, merged 2x2: 300 tokens.
        auto g = imageGrid(p, 480, 640);
        QVERIFY(g);
        QCOMPARE(*g, (ImageGridThw{1, 30, 40}));
        QCOMPARE(imageTokens(*g, 2), std::int64_t(300));
        // An A4 page at 100 dpi: 1184 x 832 → 74 x 52 patches, 962 tokens.
        QCOMPARE(imageTokens(*imageGrid(p, 1169, 827), 2), std::int64_t(962));
    }

    void positionsOnTextImageText()
    {
        // "a b <vision_start> [image: grid 1 x 4 x 6 → 2 x 3 merged] <vision_end> c": text 0, 1, 2;
        // the image starts at 3 with (t, h, w) = (3, 3 + row, 3 + column); the next text is at
        // 3 + max(1, 2, 3) = 6, then 7; a generated token continues at 8.
        constexpr int I = 900, VS = 901, VE = 902;
        const std::vector<int> ids = {10, 11, VS, I, I, I, I, I, I, VE, 12};
        auto r = ropeIndex(ids, {{1, 4, 6}}, I, 2);
        QVERIFY2(r, r ? "" : r.error().c_str());
        QCOMPARE(r->axes[0], (std::vector<std::int64_t>{0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7}));
        QCOMPARE(r->axes[1], (std::vector<std::int64_t>{0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7}));
        QCOMPARE(r->axes[2], (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7}));
        QCOMPARE(r->next, std::int64_t(8));
        // Two images: the second starts after the first's largest position.
        auto two = ropeIndex({VS, I, I, VE, VS, I, I, I, I, VE}, {{1, 2, 4}, {1, 4, 4}}, I, 2);
        QVERIFY2(two, two ? "" : two.error().c_str());
        // <vs> 0; image 1 (1 x 2 merged) at 1: w 1, 2; <ve> 3; <vs> 4; image 2 (2 x 2) at 5; <ve> 7.
        QCOMPARE(two->axes[2], (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 5, 6, 7}));
        QCOMPARE(two->axes[1], (std::vector<std::int64_t>{0, 1, 1, 3, 4, 5, 5, 6, 6, 7}));
        QCOMPARE(two->axes[0], (std::vector<std::int64_t>{0, 1, 1, 3, 4, 5, 5, 5, 5, 7}));
        QCOMPARE(two->next, std::int64_t(8));
        // Text only: 0..n-1 on all axes.
        auto text = ropeIndex({5, 6, 7}, {}, I, 2);
        QCOMPARE(text->axes[1], (std::vector<std::int64_t>{0, 1, 2}));
        QCOMPARE(text->next, std::int64_t(3));
        // Mismatches are refused with the counts.
        auto shortRun = ropeIndex({VS, I, I, I, VE}, {{1, 4, 4}}, I, 2);
        QVERIFY(!shortRun);
        QVERIFY2(shortRun.error().find("image 1 has 3 image tokens in the prompt but its grid (1 x 4 x 4 patches) needs 4") != std::string::npos,
                 shortRun.error().c_str());
        QVERIFY(!ropeIndex({VS, I, VE}, {}, I, 2));
        QVERIFY(!ropeIndex({1, 2}, {{1, 2, 2}}, I, 2));
    }

    void interleavedFrequencies()
    {
        // [24, 20, 20] over 64 frequencies: height 1, 4, …, 58; width 2, 5, …, 59; time the rest
        // (0, 3, …, 57 and 60–63).
        const auto axes = mropeAxes(128, {24, 20, 20});
        QCOMPARE(int(axes.size()), 64);
        QCOMPARE(std::count(axes.begin(), axes.end(), 0), std::ptrdiff_t(24));
        QCOMPARE(std::count(axes.begin(), axes.end(), 1), std::ptrdiff_t(20));
        QCOMPARE(std::count(axes.begin(), axes.end(), 2), std::ptrdiff_t(20));
        QCOMPARE((std::vector<int>(axes.begin(), axes.begin() + 7)), (std::vector<int>{0, 1, 2, 0, 1, 2, 0}));
        QCOMPARE(axes[58], 1);
        QCOMPARE(axes[59], 2);
        QCOMPARE((std::vector<int>(axes.begin() + 60, axes.end())), (std::vector<int>{0, 0, 0, 0}));
        // A small head: [2, 1, 1] over 4 frequencies → time, height, time, time.
        QCOMPARE(mropeAxes(8, {2, 1, 1}), (std::vector<int>{0, 1, 2, 0}));
    }

    void patchesInTheProcessorsOrder()
    {
        // A 64 x 64 image whose red channel is its row, green its column and blue 7: no resize
        // (multiples of 32), no rescale or normalisation, so values can be traced.
        RgbImage img;
        img.width = img.height = 64;
        img.pixels.resize(64 * 64 * 3);
        for (int y = 0; y < 64; ++y)
            for (int x = 0; x < 64; ++x) {
                img.pixels[std::size_t((y * 64 + x) * 3)] = std::uint8_t(y);
                img.pixels[std::size_t((y * 64 + x) * 3 + 1)] = std::uint8_t(x);
                img.pixels[std::size_t((y * 64 + x) * 3 + 2)] = 7;
            }
        Qwen3VlConfig c;
        c.vision.patchSize = 16;
        auto p = defaultQwen3VlProcessor(c);
        p.minPixels = 1024;
        p.doRescale = p.doNormalize = false;
        ImageGridThw grid;
        const auto rows = preprocessQwen2Vl(img, p, grid);
        QCOMPARE(grid, (ImageGridThw{1, 4, 4}));
        QCOMPARE(rows.sizes().vec(), (std::vector<std::int64_t>{16, 3 * 2 * 16 * 16}));
        // Row k: merge window (br, bc) of the 2 x 2 windows, then (ir, ic) inside it. Within a row:
        // channel, frame, then the patch's 16 x 16 pixels.
        for (int k = 0; k < 16; ++k) {
            const int window = k / 4, br = window / 2, bc = window % 2, ir = (k % 4) / 2, ic = k % 2;
            const int top = (br * 2 + ir) * 16, left = (bc * 2 + ic) * 16;
            const auto row = rows[k].view({3, 2, 16, 16});
            QCOMPARE(row[0][0][0][0].item<float>(), float(top));
            QCOMPARE(row[1][0][0][0].item<float>(), float(left));
            QCOMPARE(row[0][1][15][3].item<float>(), float(top + 15)); // the second frame repeats the first
            QCOMPARE(row[1][1][15][3].item<float>(), float(left + 3));
            QCOMPARE(row[2][1][9][9].item<float>(), 7.0f);
        }
        // With rescale and normalisation: (v / 255 - 0.5) / 0.5.
        p.doRescale = p.doNormalize = true;
        const auto normed = preprocessQwen2Vl(img, p, grid);
        QVERIFY(std::abs(normed[5].view({3, 2, 16, 16})[2][0][0][0].item<float>() - float((7.0 / 255.0 - 0.5) / 0.5)) < 1e-7f);
        // 640 x 480 with the Hub's settings: 1,200 rows of 1,536 values.
        RgbImage photo;
        photo.width = 640;
        photo.height = 480;
        photo.pixels.assign(640 * 480 * 3, 100);
        const auto big = preprocessQwen2Vl(photo, defaultQwen3VlProcessor(c), grid);
        QCOMPARE(big.sizes().vec(), (std::vector<std::int64_t>{1200, 1536}));
    }

    // ---- the tiny checkpoint and its network ----

    void tinyCheckpointHasTheFamilysFiles()
    {
        auto c = loadQwen3VlConfig(m_tiny + "/config.json");
        QVERIFY2(c, c ? "" : c.error().c_str());
        auto p = loadQwen3VlProcessorConfig(m_tiny + "/preprocessor_config.json");
        QVERIFY2(p, p ? "" : p.error().c_str());
        QVERIFY(checkProcessorFits(*p, *c));
        auto tok = HfTokenizer::load(m_tiny);
        QVERIFY2(tok, tok ? "" : tok.error().c_str());
        // The special tokens are single tokens with the config's ids; Japanese round-trips.
        auto ids = tok->encode("<|vision_start|><|image_pad|><|vision_end|>穴はいくつ？ holes", false);
        QVERIFY(ids);
        QCOMPARE((*ids)[0], int(c->visionStartTokenId));
        QCOMPARE((*ids)[1], int(c->imageTokenId));
        QCOMPARE((*ids)[2], int(c->visionEndTokenId));
        QCOMPARE(tok->decode(*ids, false), std::string("<|vision_start|><|image_pad|><|vision_end|>穴はいくつ？ holes"));
        // Its ChatML template writes the image part as Qwen3-VL's does.
        auto tmpl = ChatTemplate::forModel(m_tiny, {});
        QVERIFY2(tmpl, tmpl ? "" : tmpl.error().c_str());
        QCOMPARE(*tmpl->render({partsFromMarkedText("<image>\nHow many holes?"), "Answer:"}),
                 std::string("<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>How many holes?<|im_end|>\n<|im_start|>assistant\nAnswer:"));
    }

    void textOnlyMultimodalRotaryIsPlainRotary()
    {
        auto pos = torch::arange(0, 40, torch::kInt64).view({2, 20});
        auto [c1, s1] = rotaryCosSin(pos, 32, 5e6, torch::kFloat32);
        auto [c3, s3] = multimodalRotaryCosSin(pos.unsqueeze(0).expand({3, 2, 20}), 32, 5e6, {6, 5, 5}, torch::kFloat32);
        QCOMPARE(maxDiff(c1, c3), 0.0);
        QCOMPARE(maxDiff(s1, s3), 0.0);
        // With different axes, frequency 1 follows height and 2 width.
        auto p3 = torch::stack({torch::zeros({1, 1}, torch::kInt64), torch::full({1, 1}, 5, torch::kInt64), torch::full({1, 1}, 9, torch::kInt64)});
        auto [c, s] = multimodalRotaryCosSin(p3, 32, 10000.0, {6, 5, 5}, torch::kFloat32);
        const double f1 = 1.0 / std::pow(10000.0, 2.0 / 32), f2 = 1.0 / std::pow(10000.0, 4.0 / 32);
        QVERIFY(std::abs(c[0][0][1].item<double>() - std::cos(5 * f1)) < 1e-6);
        QVERIFY(std::abs(c[0][0][2].item<double>() - std::cos(9 * f2)) < 1e-6);
        QCOMPARE(c[0][0][0].item<double>(), 1.0);             // time, position 0
        QCOMPARE(c[0][0][16 + 1].item<double>(), c[0][0][1].item<double>()); // second half repeats the first
    }

    void networkRunsAndBatchesEqualSingleRuns()
    {
        torch::NoGradGuard noGrad;
        auto c = loadQwen3VlConfig(m_tiny + "/config.json");
        auto p = loadQwen3VlProcessorConfig(m_tiny + "/preprocessor_config.json");
        auto net = loadQwen3VlNetwork(m_tiny, *c, torch::kCPU, torch::kFloat32);
        QVERIFY2(net, net ? "" : net.error().c_str());
        const int I = int(c->imageTokenId), VS = int(c->visionStartTokenId), VE = int(c->visionEndTokenId);
        // Two images of different sizes, each in its own prompt: text, image, text.
        std::vector<RgbImage> images = {gradient(64, 48, 1), gradient(40, 120, 2)};
        std::vector<torch::Tensor> rows;
        std::vector<ImageGridThw> grids;
        std::vector<std::vector<int>> prompts;
        for (std::size_t k = 0; k < images.size(); ++k) {
            ImageGridThw g;
            rows.push_back(preprocessQwen2Vl(images[k], *p, g));
            grids.push_back(g);
            std::vector<int> ids = {5, 6, VS};
            ids.insert(ids.end(), std::size_t(imageTokens(g, 2)), I);
            ids.insert(ids.end(), {VE, 7, 8, 9 + int(k)});
            prompts.push_back(ids);
        }
        QVERIFY(prompts[0].size() != prompts[1].size());
        std::vector<torch::Tensor> alone;
        for (std::size_t k = 0; k < prompts.size(); ++k) {
            auto ids = torch::tensor(std::vector<std::int64_t>(prompts[k].begin(), prompts[k].end())).unsqueeze(0);
            auto logits = (*net)->forward(ids, torch::ones_like(ids), rows[k], {grids[k]});
            QCOMPARE(logits.size(1), ids.size(1));
            QCOMPARE(logits.size(2), std::int64_t(c->text.vocabSize));
            QVERIFY(torch::isfinite(logits).all().item<bool>());
            alone.push_back(logits[0]);
        }
        // Left-padded together: each row's logits equal its own.
        const auto T = std::int64_t(std::max(prompts[0].size(), prompts[1].size()));
        auto ids = torch::zeros({2, T}, torch::kInt64), mask = torch::zeros({2, T}, torch::kInt64);
        for (std::int64_t b = 0; b < 2; ++b) {
            const auto &pr = prompts[std::size_t(b)];
            const auto off = T - std::int64_t(pr.size());
            ids[b].slice(0, off).copy_(torch::tensor(std::vector<std::int64_t>(pr.begin(), pr.end())));
            mask[b].slice(0, off).fill_(1);
        }
        auto batch = (*net)->forward(ids, mask, torch::cat(rows, 0), grids);
        for (std::int64_t b = 0; b < 2; ++b) {
            const auto n = alone[std::size_t(b)].size(0);
            const double gap = maxDiff(batch[b].slice(0, T - n), alone[std::size_t(b)]);
            QVERIFY2(gap < 1e-4, std::to_string(gap).c_str());
        }
        // The images matter: another image gives other logits after it.
        auto other = (*net)->forward(torch::tensor(std::vector<std::int64_t>(prompts[0].begin(), prompts[0].end())).unsqueeze(0),
                                     torch::ones({1, std::int64_t(prompts[0].size())}, torch::kInt64),
                                     preprocessQwen2Vl(gradient(64, 48, 7), *p, grids[0]), {grids[0]});
        QVERIFY(maxDiff(other[0].slice(0, -1), alone[0].slice(0, -1)) > 1e-3);
        // A prompt whose image tokens do not match its grid is refused.
        bool refused = false;
        try {
            auto shortIds = torch::tensor(std::vector<std::int64_t>{5, VS, I, I, VE});
            (*net)->forward(shortIds.unsqueeze(0), torch::ones({1, 5}, torch::kInt64), rows[0], {grids[0]});
        } catch (const c10::Error &) {
            refused = true;
        }
        QVERIFY(refused);
    }

    void attentionInBlocksIsTheSame()
    {
        // Queries taken in blocks (as for a large image or a long prompt) give the same logits.
        torch::NoGradGuard noGrad;
        auto c = loadQwen3VlConfig(m_tiny + "/config.json");
        auto p = loadQwen3VlProcessorConfig(m_tiny + "/preprocessor_config.json");
        auto net = loadQwen3VlNetwork(m_tiny, *c, torch::kCPU, torch::kFloat32);
        QVERIFY(net);
        ImageGridThw g;
        auto rows = preprocessQwen2Vl(gradient(120, 90, 4), *p, g);
        std::vector<std::int64_t> ids = {5, 6, c->visionStartTokenId};
        ids.insert(ids.end(), std::size_t(imageTokens(g, 2)), c->imageTokenId);
        ids.insert(ids.end(), {c->visionEndTokenId, 7, 8});
        auto t = torch::tensor(ids).unsqueeze(0);
        auto whole = (*net)->forward(t, torch::ones_like(t), rows, {g});
        const auto saved = kAttentionScoresBytes;
        kAttentionScoresBytes = 4096; // a few query rows per block
        auto blocks = (*net)->forward(t, torch::ones_like(t), rows, {g});
        kAttentionScoresBytes = saved;
        const double gap = maxDiff(whole, blocks);
        QVERIFY2(gap < 1e-5, std::to_string(gap).c_str());
    }

    void missingAndMisshapedTensorsAreListed()
    {
        const std::string dir = m_tmp.filePath(QStringLiteral("broken")).toStdString();
        QVERIFY(makeTinyQwen3Vl(dir, {}));
        auto c = loadQwen3VlConfig(dir + "/config.json");
        // Drop one tensor and reshape another.
        auto st = SafetensorsFile::open(dir + "/model.safetensors");
        QVERIFY(st);
        std::vector<std::pair<std::string, torch::Tensor>> kept;
        for (const auto &t : st->tensors()) {
            if (t.name == "model.visual.deepstack_merger_list.1.linear_fc2.weight")
                continue;
            auto value = loadTensor(*st, t.name);
            QVERIFY(value);
            if (t.name == "model.language_model.layers.0.self_attn.q_norm.weight")
                *value = torch::ones({7});
            kept.emplace_back(t.name, *value);
        }
        QVERIFY(writeSafetensors(dir + "/model.safetensors", kept, {{"format", "pt"}}));
        auto net = loadQwen3VlNetwork(dir, *c, torch::kCPU, torch::kFloat32);
        QVERIFY(!net);
        QVERIFY2(net.error().find("missing tensors (1):\n    model.visual.deepstack_merger_list.1.linear_fc2.weight") != std::string::npos,
                 net.error().c_str());
        QVERIFY2(net.error().find("model.language_model.layers.0.self_attn.q_norm.weight: expected [32], found [7]") != std::string::npos,
                 net.error().c_str());
    }

    // ---- through the shared runtime ----

    void runtimeGeneratesExactlyAsTheNetwork()
    {
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY2(rt, rt ? "" : rt.error().c_str());
        QCOMPARE((*rt)->info().family, std::string("Qwen3-VL"));
        QVERIFY2((*rt)->info().chatTemplate.source().find("tokenizer_config.json") != std::string::npos, (*rt)->info().chatTemplate.source().c_str());
        const std::vector<GenerationRequest> reqs = {
            VlmRuntime::chatRequest({gradient(64, 48, 1)}, "<image>\nHow many holes does the part have?", "Answer:"),
            VlmRuntime::chatRequest({gradient(40, 120, 2), gradient(90, 30, 3)}, "<image>\n<image>\nDoes the drawing match? 図面と一致しますか？"),
            VlmRuntime::chatRequest({}, "What material does the note say? SUS304"),
        };
        SamplingParams greedy = SamplingParams::greedy(8);
        greedy.stopAtEos = false;
        auto batch = (*rt)->generate(reqs, greedy);
        // Each row equals the request alone, and the whole-sequence path (no KV cache).
        SamplingParams uncached = greedy;
        uncached.useKvCache = false;
        auto whole = (*rt)->generate(reqs, uncached);
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            QVERIFY2(batch[i], batch[i] ? "" : batch[i].error().c_str());
            auto alone = (*rt)->generate({reqs[i]}, greedy);
            QVERIFY(alone[0] && whole[i]);
            QCOMPARE(batch[i]->tokens, alone[0]->tokens);
            QCOMPARE(whole[i]->tokens, alone[0]->tokens);
            for (std::size_t k = 0; k < alone[0]->logprobs.size(); ++k) {
                QVERIFY(std::abs(batch[i]->logprobs[k] - alone[0]->logprobs[k]) < 1e-4f);
                QVERIFY(std::abs(whole[i]->logprobs[k] - alone[0]->logprobs[k]) < 1e-4f);
            }
        }
        // The cached decode continues each row's positions after its images (the rope delta):
        // the network run over prompt + generated tokens at once picks the same tokens.
        torch::NoGradGuard noGrad;
        auto c = loadQwen3VlConfig(m_tiny + "/config.json");
        auto p = loadQwen3VlProcessorConfig(m_tiny + "/preprocessor_config.json");
        auto net = loadQwen3VlNetwork(m_tiny, *c, torch::kCPU, torch::kFloat32);
        QVERIFY(net);
        for (std::size_t i = 0; i < 2; ++i) {
            auto prompt = (*rt)->promptIds(reqs[i]);
            QVERIFY(prompt);
            std::vector<std::int64_t> all(prompt->begin(), prompt->end());
            all.insert(all.end(), batch[i]->tokens.begin(), batch[i]->tokens.end());
            std::vector<torch::Tensor> rows;
            std::vector<ImageGridThw> grids;
            for (const auto &img : reqs[i].images) {
                ImageGridThw g;
                rows.push_back(preprocessQwen2Vl(img, *p, g));
                grids.push_back(g);
            }
            auto ids = torch::tensor(all).unsqueeze(0);
            auto logits = (*net)->forward(ids, torch::ones_like(ids), torch::cat(rows, 0), grids)[0];
            const auto P = std::int64_t(prompt->size());
            for (std::size_t k = 0; k < batch[i]->tokens.size(); ++k)
                QCOMPARE(int(logits[P - 1 + std::int64_t(k)].argmax().item<std::int64_t>()), batch[i]->tokens[k]);
        }
        // Teacher forcing gives the generation's log-probabilities; hidden states have the decoder's width.
        HiddenCaptureSpec capture;
        capture.layers = {1, 3};
        auto scored = (*rt)->score(reqs[0], batch[0]->tokens, capture);
        QVERIFY2(scored, scored ? "" : scored.error().c_str());
        for (std::size_t k = 0; k < scored->logprobs.size(); ++k)
            QVERIFY(std::abs(scored->logprobs[k] - batch[0]->logprobs[k]) < 1e-4f);
        QCOMPARE(scored->hidden.hiddenSize, c->text.hiddenSize);
        QCOMPARE(scored->hidden.positions, int(batch[0]->tokens.size()));
        auto scoredBatch = (*rt)->scoreBatch({reqs[0], reqs[1]}, {batch[0]->tokens, batch[1]->tokens});
        QVERIFY(scoredBatch[0] && scoredBatch[1]);
        for (std::size_t k = 0; k < batch[1]->tokens.size(); ++k)
            QVERIFY(std::abs(scoredBatch[1]->logprobs[k] - batch[1]->logprobs[k]) < 1e-4f);
        // A video placeholder and a mismatched image count are refused by name.
        auto video = (*rt)->generate({GenerationRequest{{}, "<|vision_start|><|video_pad|><|vision_end|>What happens?"}}, greedy);
        QVERIFY(!video[0]);
        QVERIFY2(video[0].error().find("video inputs are not supported") != std::string::npos, video[0].error().c_str());
        auto missing = (*rt)->generate({VlmRuntime::chatRequest({}, "<image>\nNo image given")}, greedy);
        QVERIFY(!missing[0]);
    }

    void prefixCacheIsExact()
    {
        RuntimeOptions off;
        off.prefixCacheMiB = 0;
        auto plain = VlmRuntime::load(m_tiny, off);
        auto cached = VlmRuntime::load(m_tiny);
        QVERIFY(plain && cached);
        const RgbImage a = gradient(64, 48, 1);
        // The same image and beginning, then different questions; then the same prompt again.
        const std::vector<GenerationRequest> reqs = {
            VlmRuntime::chatRequest({a}, "<image>\nHow many holes does the part have?"),
            VlmRuntime::chatRequest({a}, "<image>\nWhere is the defect? 欠陥"),
            VlmRuntime::chatRequest({a}, "<image>\nHow many holes does the part have?"),
        };
        SamplingParams greedy = SamplingParams::greedy(6);
        greedy.stopAtEos = false;
        for (const auto &req : reqs) {
            auto x = (*plain)->generate({req}, greedy);
            auto y = (*cached)->generate({req}, greedy);
            QVERIFY(x[0] && y[0]);
            QCOMPARE(y[0]->tokens, x[0]->tokens);
            for (std::size_t k = 0; k < x[0]->logprobs.size(); ++k)
                QVERIFY(std::abs(y[0]->logprobs[k] - x[0]->logprobs[k]) < 1e-4f);
        }
    }

    void memoryAndPrecision()
    {
        // On the CPU a model over the allowed memory is refused with the estimate and the bf16 figure.
        RuntimeOptions tight;
        tight.device = "cpu";
        tight.memoryBudgetMiB = 1;
        auto refused = VlmRuntime::load(m_tiny, tight);
        QVERIFY(!refused);
        QVERIFY2(refused.error().find("in bf16 it needs about") != std::string::npos, refused.error().c_str());
        // bf16 runs (positions' weights and the decoder in bf16, rotary angles in float32) and
        // gives the fp32 model's greedy tokens on this prompt.
        RuntimeOptions bf16;
        bf16.device = "cpu";
        bf16.dtype = "bf16";
        auto half = VlmRuntime::load(m_tiny, bf16);
        auto full = VlmRuntime::load(m_tiny);
        QVERIFY2(half, half ? "" : half.error().c_str());
        QVERIFY(full);
        SamplingParams greedy = SamplingParams::greedy(4);
        greedy.stopAtEos = false;
        const auto req = VlmRuntime::chatRequest({gradient(64, 48, 1)}, "<image>\nHow many holes does the part have?");
        auto a = (*half)->generate({req}, greedy);
        auto b = (*full)->generate({req}, greedy);
        QVERIFY2(a[0], a[0] ? "" : a[0].error().c_str());
        QVERIFY(b[0]);
        QCOMPARE(a[0]->tokens.front(), b[0]->tokens.front());
    }

    void wholeModelTrainingAndSavingAreRefusedByName()
    {
        // Whole-model training and saving are LLaVA's (the demo teacher); a Qwen3-VL is refused
        // by name, not trained or written wrongly. Its students are adapters (tst_distill).
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        TrainParams params;
        params.steps = 1;
        params.batchSize = 1;
        auto trained = train(**rt, 1, [](int) { return TrainingExample{}; }, params);
        QVERIFY(!trained);
        QVERIFY2(trained.error().find("implemented for LLaVA") != std::string::npos, trained.error().c_str());
        const std::string out = m_tmp.filePath(QStringLiteral("saved")).toStdString();
        auto saved = (*rt)->save(out);
        QVERIFY(!saved);
        QVERIFY2(saved.error().find("Qwen3-VL") != std::string::npos, saved.error().c_str());
        QVERIFY(!QFileInfo::exists(QString::fromStdString(out + "/model.safetensors")));
    }

    void folderMismatchesAreRefused()
    {
        const std::string dir = m_tmp.filePath(QStringLiteral("mismatch")).toStdString();
        QVERIFY(makeTinyQwen3Vl(dir, {}));
        auto j = nlohmann::json::parse(std::ifstream(dir + "/config.json"));
        j["image_token_id"] = j["video_token_id"];
        std::ofstream(dir + "/config.json") << j.dump();
        auto rt = VlmRuntime::load(dir);
        QVERIFY(!rt);
        QVERIFY2(rt.error().find("image_token_id is") != std::string::npos && rt.error().find("<|image_pad|>") != std::string::npos,
                 rt.error().c_str());
        j["image_token_id"] = j["vision_end_token_id"].get<int>() + 3;
        std::ofstream(dir + "/config.json") << j.dump();
        auto p = nlohmann::json::parse(std::ifstream(dir + "/preprocessor_config.json"));
        p["patch_size"] = 14;
        std::ofstream(dir + "/preprocessor_config.json") << p.dump();
        auto rt2 = VlmRuntime::load(dir);
        QVERIFY(!rt2);
        QVERIFY2(rt2.error().find("preprocessor_config.json: the image processor cuts 14-pixel patches") != std::string::npos, rt2.error().c_str());
        j["model_type"] = "qwen3_vl_moe";
        std::ofstream(dir + "/config.json") << j.dump();
        auto moe = VlmRuntime::load(dir);
        QVERIFY(!moe);
        QVERIFY2(moe.error().find("qwen3_vl_moe") != std::string::npos, moe.error().c_str());
    }
};

QTEST_APPLESS_MAIN(TestQwen3Vl)
#include "tst_qwen3vl.moc"
