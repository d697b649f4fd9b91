// LLaVA-NeXT (LLaVA 1.6) in the runtime: the anyres geometry against hand-computed cases, the
// views an image becomes, the packing of their features (against a plain loop over the
// reference's layout), configs as Hugging Face writes them with their defaults, the memory
// estimate on the 7B checkpoint's config, chat templates, Mistral's sliding window, and
// generation / scoring / batching / prefix cache / training / saving on the tiny stand-in
// (makeTinyModel(TinyModelParams::llavaNext()), the model `sdrt model make-tiny --next` writes).

#include "ChatText.h"
#include "LlavaModel.h"
#include "Preprocess.h"
#include "SafetensorsTorch.h"
#include "sdrt/model/ChatTemplate.h"
#include "sdrt/model/ImageGrid.h"
#include "sdrt/model/Runtime.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/model/Training.h"
#include "Compare.h"
#include "StreamOne.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>

using namespace sdrt::model;
using sdrt::testing::chatText;
using sdrt::testing::maxGap;
namespace fs = std::filesystem;

namespace {

void writeText(const std::string &path, const std::string &text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

nlohmann::json readJson(const std::string &path)
{
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

RgbImage gradient(int w, int h, int seed)
{
    RgbImage img;
    img.width = w;
    img.height = h;
    img.pixels.resize(std::size_t(w) * h * 3);
    for (std::size_t i = 0; i < img.pixels.size(); ++i)
        img.pixels[i] = std::uint8_t((i * 7 + std::size_t(seed) * 31 + i / std::size_t(3 * w) * 5) % 256);
    return img;
}

RgbImage solid(int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b)
{
    RgbImage img;
    img.width = w;
    img.height = h;
    for (int i = 0; i < w * h; ++i)
        img.pixels.insert(img.pixels.end(), {r, g, b});
    return img;
}

// The LLaVA-1.6 geometry: 336-pixel views of 14-pixel patches, llava-v1.6-mistral-7b's grid.
LlavaConfig nextGeometry()
{
    LlavaConfig c;
    c.modelType = "llava_next";
    c.vision.imageSize = 336;
    c.vision.patchSize = 14;
    c.imageGridPinpoints = {{336, 672}, {672, 336}, {672, 672}, {1008, 336}, {336, 1008}};
    return c;
}

// config.json of llava-hf/llava-v1.6-mistral-7b-hf as Hugging Face writes it: a sparse
// text_config whose absent fields take MistralConfig's defaults.
std::string mistral7bConfig(int imageTokenIndex = 32000)
{
    nlohmann::json j = {
        {"architectures", {"LlavaNextForConditionalGeneration"}},
        {"ignore_index", -100},
        {"image_grid_pinpoints", {{336, 672}, {672, 336}, {672, 672}, {1008, 336}, {336, 1008}}},
        {"image_token_index", imageTokenIndex},
        {"model_type", "llava_next"},
        {"projector_hidden_act", "gelu"},
        {"text_config",
         {{"_name_or_path", "mistralai/Mistral-7B-Instruct-v0.2"},
          {"architectures", {"MistralForCausalLM"}},
          {"intermediate_size", 14336},
          {"max_position_embeddings", 32768},
          {"model_type", "mistral"},
          {"num_key_value_heads", 8},
          {"rms_norm_eps", 1e-05},
          {"rope_theta", 1000000.0},
          {"sliding_window", nullptr},
          {"torch_dtype", "bfloat16"},
          {"vocab_size", 32064}}},
        {"torch_dtype", "float16"},
        {"use_image_newline_parameter", true},
        {"vision_config",
         {{"hidden_size", 1024},
          {"image_size", 336},
          {"intermediate_size", 4096},
          {"model_type", "clip_vision_model"},
          {"num_attention_heads", 16},
          {"num_hidden_layers", 24},
          {"patch_size", 14},
          {"projection_dim", 768},
          {"vocab_size", 32000}}},
        {"vision_feature_layer", -2},
        {"vision_feature_select_strategy", "default"},
        {"vocab_size", 32064},
    };
    return j.dump(2);
}


} // namespace

class TestLlavaNext : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::string m_next;  // the real LLaVA-1.6 image geometry (336-pixel views, thousands of image tokens)
    std::string m_small; // the same architecture with 32-pixel views of 8-pixel patches (16 features a view), for speed

    // An image's token count under the small model.
    int smallTokens(const RgbImage &img) { return loadLlavaConfig(m_small + "/config.json")->imageTokens(img.height, img.width); }

    std::string copyOfNext(const char *name)
    {
        const std::string dir = m_tmp.filePath(QString::fromLatin1(name)).toStdString();
        fs::create_directories(dir);
        for (const auto &e : fs::directory_iterator(m_next))
            fs::copy_file(e.path(), dir + "/" + e.path().filename().string(), fs::copy_options::overwrite_existing);
        return dir;
    }

private Q_SLOTS:
    void initTestCase()
    {
        configureThreads(0);
        m_next = m_tmp.filePath(QStringLiteral("next")).toStdString();
        auto c = makeTinyModel(m_next, TinyModelParams::llavaNext());
        QVERIFY2(c, c ? "" : c.error().c_str());
        TinyModelParams small = TinyModelParams::llavaNext();
        small.imageSize = 32;
        small.patchSize = 8;
        small.gridPinpoints = {{32, 64}, {64, 32}, {64, 64}, {96, 32}, {32, 96}};
        small.maxPositions = 2048;
        m_small = m_tmp.filePath(QStringLiteral("next-small")).toStdString();
        auto s = makeTinyModel(m_small, small);
        QVERIFY2(s, s ? "" : s.error().c_str());
    }

    // ---- geometry (ImageGrid.h), every figure worked out by hand in docs/LLAVA_NEXT.md ----

    void gridGeometryHandCases_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::addColumn<QList<int>>("best");    // height, width
        QTest::addColumn<QList<int>>("resized"); // height, width
        QTest::addColumn<QList<int>>("pad");     // top, bottom, left, right
        QTest::addColumn<QList<int>>("grid");    // rows, cols
        QTest::addColumn<QList<int>>("unpadded"); // first row, first col, height, width (feature cells)
        QTest::addColumn<int>("tokens");
        // A 4:3 photo: 672x672 keeps all 307,200 pixels (336x672 only 150,528); 672x504 inside,
        // 84 rows of padding above and below; features 48x48 → rows 6..41; 576 + 36 x 49.
        QTest::newRow("640x480 photo") << 640 << 480 << QList<int>{672, 672} << QList<int>{504, 672} << QList<int>{84, 84, 0, 0}
                                       << QList<int>{2, 2} << QList<int>{6, 0, 36, 48} << 2340;
        // A strip: 336x1008 keeps 200,000 (min with the original), 336x672 only 90,048;
        // ceil(200 x 1.008) = 202 rows; 14 of 24 feature rows (int(200 x 0.072) = 14); 576 + 14 x 73.
        QTest::newRow("1000x200 strip") << 1000 << 200 << QList<int>{336, 1008} << QList<int>{202, 1008} << QList<int>{67, 67, 0, 0}
                                        << QList<int>{1, 3} << QList<int>{5, 0, 14, 72} << 1598;
        // Exactly one view: every pinpoint keeps all 112,896 pixels; the first with the least
        // waste is 336x672 (height 336, width 672); 168 columns of padding each side.
        QTest::newRow("336x336 square") << 336 << 336 << QList<int>{336, 672} << QList<int>{336, 336} << QList<int>{0, 0, 168, 168}
                                        << QList<int>{1, 2} << QList<int>{0, 12, 24, 24} << 1176;
        // An A4 page at 100 dpi: 672x672 (475x672 kept); ceil(827 x 672/1169) = 476 columns,
        // 98 of padding each side; int(827 x 48/1169) = 33 → 7 columns cut each side; 576 + 48 x 35.
        QTest::newRow("827x1169 portrait page") << 827 << 1169 << QList<int>{672, 672} << QList<int>{672, 476} << QList<int>{0, 0, 98, 98}
                                                << QList<int>{2, 2} << QList<int>{0, 7, 48, 34} << 2256;
        // A pinpoint's own shape: nothing padded, nothing cut; 576 + 24 x 49.
        QTest::newRow("672x336 exact fit") << 672 << 336 << QList<int>{336, 672} << QList<int>{336, 672} << QList<int>{0, 0, 0, 0}
                                           << QList<int>{1, 2} << QList<int>{0, 0, 24, 48} << 1752;
    }

    void gridGeometryHandCases()
    {
        QFETCH(int, width);
        QFETCH(int, height);
        QFETCH(QList<int>, best);
        QFETCH(QList<int>, resized);
        QFETCH(QList<int>, pad);
        QFETCH(QList<int>, grid);
        QFETCH(QList<int>, unpadded);
        QFETCH(int, tokens);
        const LlavaConfig c = nextGeometry();
        const AnyresLayout l = anyresLayout(c, height, width);
        QCOMPARE((QList<int>{l.best.height, l.best.width}), best);
        QCOMPARE((QList<int>{l.resized.height, l.resized.width}), resized);
        QCOMPARE((QList<int>{l.padTop, l.padBottom, l.padLeft, l.padRight}), pad);
        QCOMPARE((QList<int>{l.rows, l.cols}), grid);
        QCOMPARE((QList<int>{l.unpadTop, l.unpadLeft, l.unpaddedHeight, l.unpaddedWidth}), unpadded);
        QCOMPARE(l.baseTokens, 576);
        QCOMPARE(l.tokens(), tokens);
        QCOMPARE(c.imageTokens(height, width), tokens);
        QCOMPARE(l.views(), 1 + grid[0] * grid[1]);
        // LLaVA 1.5 gives one view of 576 whatever the size.
        LlavaConfig v15 = c;
        v15.modelType = "llava";
        QCOMPARE(v15.imageTokens(height, width), 576);
    }

    void bestResolutionPrefersKeptPixelsThenLessPadding()
    {
        const std::vector<GridPinpoint> grid = {{336, 672}, {672, 336}, {672, 672}, {1008, 336}, {336, 1008}};
        // A tall narrow image: 1008x336 keeps the most.
        QCOMPARE(selectBestResolution({1000, 300}, grid), (PixelSize{1008, 336}));
        // A small image fits every pinpoint whole: the smallest canvas (least padding) wins,
        // and of two equal ones the first listed.
        QCOMPARE(selectBestResolution({100, 150}, grid), (PixelSize{336, 672}));
        QCOMPARE(selectBestResolution({150, 100}, grid), (PixelSize{336, 672}));
        // The resize keeps the aspect ratio, one side on the canvas.
        QCOMPARE(patchOutputSize({480, 640}, {672, 672}), (PixelSize{504, 672}));
        QCOMPARE(patchOutputSize({1169, 827}, {672, 672}), (PixelSize{672, 476}));
    }

    // ---- views ----

    void viewsAreTheResizedPaddedImageCutIntoSquares()
    {
        // A solid colour survives resizing exactly, so every pixel of every view is known: the
        // colour inside the resized image, black (0 before normalising) in the padding.
        const LlavaConfig c = nextGeometry();
        const PreprocessorConfig pre = defaultPreprocessor(c);
        const RgbImage img = solid(640, 480, 200, 100, 50);
        auto views = preprocessAnyres(img, c, pre);
        QCOMPARE(views.sizes().vec(), (std::vector<std::int64_t>{5, 3, 336, 336}));
        auto mean = torch::tensor({pre.mean[0], pre.mean[1], pre.mean[2]}, torch::kFloat64).to(torch::kFloat32).view({3, 1, 1});
        auto stdev = torch::tensor({pre.std[0], pre.std[1], pre.std[2]}, torch::kFloat64).to(torch::kFloat32).view({3, 1, 1});
        auto pixels = (views * stdev + mean) * 255.0; // back to 0..255
        auto colour = torch::tensor({200.0f, 100.0f, 50.0f}).view({3, 1, 1});
        auto near = [](const torch::Tensor &a, const torch::Tensor &b) { return (a - b).abs().max().item<double>() < 1e-3; };
        // The whole image, squashed to 336x336: all colour.
        QVERIFY(near(pixels[0], colour.expand({3, 336, 336})));
        // Rows 0..83 of the canvas are padding, 84..587 the image, 588..671 padding: in the top
        // views rows 0..83 are black and 84..335 colour; in the bottom views rows 0..251
        // colour and 252..335 black.
        for (int v : {1, 2}) {
            QVERIFY(near(pixels[v].slice(1, 0, 84), torch::zeros({3, 84, 336})));
            QVERIFY(near(pixels[v].slice(1, 84), colour.expand({3, 252, 336})));
        }
        for (int v : {3, 4}) {
            QVERIFY(near(pixels[v].slice(1, 0, 252), colour.expand({3, 252, 336})));
            QVERIFY(near(pixels[v].slice(1, 252), torch::zeros({3, 84, 336})));
        }
        // A portrait page is padded at the sides: 98 columns each.
        auto page = (preprocessAnyres(solid(827, 1169, 10, 20, 30), c, pre) * stdev + mean) * 255.0;
        QCOMPARE(page.size(0), 5);
        auto ink = torch::tensor({10.0f, 20.0f, 30.0f}).view({3, 1, 1});
        QVERIFY(near(page[1].slice(2, 0, 98), torch::zeros({3, 336, 98})));
        QVERIFY(near(page[1].slice(2, 98), ink.expand({3, 336, 238})));
        QVERIFY(near(page[4].slice(2, 238), torch::zeros({3, 336, 98})));
    }

    void viewsTileTheCanvasRowByRow()
    {
        // With a textured image the grid views put side by side are the canvas itself.
        const LlavaConfig c = nextGeometry();
        PreprocessorConfig pre = defaultPreprocessor(c);
        pre.doNormalize = false;
        pre.doRescale = false;
        const RgbImage img = gradient(1000, 200, 3);
        const AnyresLayout l = anyresLayout(c, 200, 1000);
        auto views = preprocessAnyres(img, c, pre);
        QCOMPARE(views.size(0), 4);
        auto canvas = anyresCanvas(img, l)[0];
        QCOMPARE(canvas.sizes().vec(), (std::vector<std::int64_t>{3, 336, 1008}));
        for (int col = 0; col < 3; ++col)
            QCOMPARE((views[1 + col] - canvas.slice(2, col * 336, (col + 1) * 336)).abs().max().item<double>(), 0.0);
        // The image part of the canvas is the bicubic resize of the original to 202x1008.
        auto resized = resizeBicubic(imageTensor(img), 202, 1008)[0];
        QCOMPARE((canvas.slice(1, 67, 67 + 202) - resized).abs().max().item<double>(), 0.0);
    }

    void resizeMatchesPil()
    {
        // The reference resizes with PIL (bicubic on the 8-bit image); its outputs for two test
        // images, one of noise and one of ramps with hard edges, up, down and squashed, are in
        // the fixture. Ours gives the same value everywhere.
        auto file = SafetensorsFile::open(SDRT_PIL_FIXTURE);
        QVERIFY2(file, file ? "" : file.error().c_str());
        int compared = 0;
        for (const char *name : {"noise", "edges"}) {
            auto src = loadTensor(*file, name);
            QVERIFY(src);
            RgbImage img;
            img.height = int(src->size(0));
            img.width = int(src->size(1));
            auto bytes = src->contiguous();
            img.pixels.assign(bytes.data_ptr<std::uint8_t>(), bytes.data_ptr<std::uint8_t>() + bytes.numel());
            for (const auto &t : file->tensors()) {
                if (t.name.rfind(std::string(name) + "@", 0) != 0)
                    continue;
                auto pil = loadTensor(*file, t.name)->to(torch::kFloat32).permute({2, 0, 1});
                auto ours = resizeBicubic(imageTensor(img), int(pil.size(1)), int(pil.size(2)))[0];
                const auto gap = (ours - pil).abs();
                const double worst = gap.max().item<double>();
                const double share = (gap > 0).to(torch::kFloat32).mean().item<double>();
                QVERIFY2(worst == 0, (t.name + ": max " + std::to_string(worst) + ", share " + std::to_string(share)).c_str());
                ++compared;
            }
        }
        QCOMPARE(compared, 10);
    }

    // ---- packing (pack_image_features) ----

    void packingFollowsTheReferenceLayout_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("height");
        QTest::newRow("640x480") << 640 << 480;
        QTest::newRow("1000x200") << 1000 << 200;
        QTest::newRow("336x336") << 336 << 336;
        QTest::newRow("827x1169") << 827 << 1169;
    }

    void packingFollowsTheReferenceLayout()
    {
        // Each view feature says where it comes from (view, row, column in the view); the packed
        // sequence must be the base view, then the unpadded feature map row by row, each row
        // ended by image_newline, as a plain loop over the reference's layout writes it.
        QFETCH(int, width);
        QFETCH(int, height);
        const LlavaConfig c = nextGeometry();
        const AnyresLayout l = anyresLayout(c, height, width);
        const int side = 24;
        auto views = torch::zeros({l.views(), side * side, 3});
        for (int v = 0; v < l.views(); ++v)
            for (int p = 0; p < side * side; ++p) {
                views[v][p][0] = v;
                views[v][p][1] = p / side;
                views[v][p][2] = p % side;
            }
        auto newline = torch::full({3}, -1.0f);
        auto packed = packAnyres(views, l, newline);
        QCOMPARE(packed.size(0), std::int64_t(l.tokens()));
        std::vector<float> expected;
        for (int p = 0; p < side * side; ++p)
            expected.insert(expected.end(), {0.0f, float(p / side), float(p % side)});
        for (int r = l.unpadTop; r < l.unpadTop + l.unpaddedHeight; ++r) {
            for (int col = l.unpadLeft; col < l.unpadLeft + l.unpaddedWidth; ++col) {
                const int view = 1 + (r / side) * l.cols + col / side;
                expected.insert(expected.end(), {float(view), float(r % side), float(col % side)});
            }
            expected.insert(expected.end(), {-1.0f, -1.0f, -1.0f});
        }
        auto flat = packed.contiguous();
        const std::vector<float> got(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
        QCOMPARE(got.size(), expected.size());
        QCOMPARE(maxGap(got, expected), 0.0);
    }

    // ---- configs ----

    void huggingFaceConfigWithItsDefaults()
    {
        const std::string dir = m_tmp.filePath(QStringLiteral("cfg7b")).toStdString();
        fs::create_directories(dir);
        writeText(dir + "/config.json", mistral7bConfig());
        auto c = loadLlavaConfig(dir + "/config.json");
        QVERIFY2(c, c ? "" : c.error().c_str());
        QVERIFY(c->anyres());
        QCOMPARE(c->text.modelType, std::string("mistral"));
        QCOMPARE(c->text.hiddenSize, 4096);  // MistralConfig default
        QCOMPARE(c->text.numLayers, 32);     // default
        QCOMPARE(c->text.numHeads, 32);      // default
        QCOMPARE(c->text.numKvHeads, 8);
        QCOMPARE(c->text.headDim(), 128);
        QCOMPARE(c->text.slidingWindow, 0);  // null: no window
        QCOMPARE(c->text.ropeTheta, 1e6);
        QCOMPARE(c->text.rmsNormEps, 1e-5);
        QCOMPARE(c->text.maxPositionEmbeddings, 32768);
        QCOMPARE(c->vision.hiddenSize, 1024);
        QCOMPARE(c->vision.layerNormEps, 1e-5); // CLIPVisionConfig default
        QCOMPARE(int(c->imageGridPinpoints.size()), 5);
        QCOMPARE(c->viewTokens(), 576);
        QCOMPARE(c->imageTokens(480, 640), 2340);
        // 7,566,747,648 parameters: Mistral-7B with a 32,064 vocabulary (7,242,256,384), CLIP
        // ViT-L/14-336 (303,507,456), the projector (20,979,712) and image_newline (4,096).
        QCOMPARE(c->parameterCount(), std::int64_t(7566747648LL));
        const MemoryEstimate bf16 = estimateMemory(*c, "bf16");
        QCOMPARE(bf16.weightBytes, std::int64_t(15133495296LL));
        QCOMPARE(estimateMemory(*c, "fp32").weightBytes, std::int64_t(30266990592LL));
        QVERIFY(bf16.totalBytes > bf16.weightBytes);
        // Mistral's own defaults when the text config says nothing: a 4,096 window, 8 kv heads.
        auto j = nlohmann::json::parse(mistral7bConfig());
        j["text_config"] = {{"model_type", "mistral"}};
        j["image_token_index"] = 10; // inside the default 32,000 vocabulary
        writeText(dir + "/config.json", j.dump());
        auto d = loadLlavaConfig(dir + "/config.json");
        QVERIFY2(d, d ? "" : d.error().c_str());
        QCOMPARE(d->text.slidingWindow, 4096);
        QCOMPARE(d->text.intermediateSize, 14336);
        QCOMPARE(d->text.vocabSize, 32000);
        QCOMPARE(d->text.rmsNormEps, 1e-6);
        // A llama text config gets LlamaConfig's: kv heads = heads, no window.
        j["text_config"] = {{"model_type", "llama"}, {"num_attention_heads", 40}, {"hidden_size", 5120}};
        writeText(dir + "/config.json", j.dump());
        auto e = loadLlavaConfig(dir + "/config.json");
        QVERIFY2(e, e ? "" : e.error().c_str());
        QCOMPARE(e->text.numKvHeads, 40);
        QCOMPARE(e->text.slidingWindow, 0);
        QCOMPARE(e->text.intermediateSize, 11008);
    }

    void badConfigsAreRefusedWithTheReason_data()
    {
        QTest::addColumn<QString>("edit");
        QTest::addColumn<QString>("expected");
        QTest::newRow("other architecture") << R"({"model_type": "llava_onevision"})" << "model_type \"llava_onevision\" is not one";
        QTest::newRow("full strategy") << R"({"vision_feature_select_strategy": "full"})" << "needs vision_feature_select_strategy \"default\"";
        QTest::newRow("pinpoint not a multiple") << R"({"image_grid_pinpoints": [[336, 700]]})" << "[336, 700] must be positive multiples";
        QTest::newRow("pinpoints not pairs") << R"({"image_grid_pinpoints": [336, 672]})" << "list of [height, width] pairs";
        QTest::newRow("qwen text") << R"({"text_config": {"model_type": "qwen2"}})" << "\"qwen2\" is not supported";
        QTest::newRow("rope scaling") << R"({"text_config": {"model_type": "llama", "rope_scaling": {"type": "linear", "factor": 2}}})"
                                      << "rope_scaling is set";
        QTest::newRow("several feature layers") << R"({"vision_feature_layer": [-2, -5]})" << "vision_feature_layer is a list";
        QTest::newRow("siglip tower") << R"({"vision_config": {"model_type": "siglip_vision_model"}})" << "siglip_vision_model\" is not supported";
        QTest::newRow("image_seq_length") << R"({"image_seq_length": 600})" << "image_seq_length 600 does not match";
    }

    void badConfigsAreRefusedWithTheReason()
    {
        QFETCH(QString, edit);
        QFETCH(QString, expected);
        auto j = nlohmann::json::parse(mistral7bConfig());
        j.merge_patch(nlohmann::json::parse(edit.toStdString()));
        const std::string path = m_tmp.filePath(QStringLiteral("bad-config.json")).toStdString();
        writeText(path, j.dump());
        auto c = loadLlavaConfig(path);
        QVERIFY(!c);
        QVERIFY2(QString::fromStdString(c.error()).contains(expected), c.error().c_str());
        QVERIFY2(c.error().rfind(path, 0) == 0, "the message names the file");
    }

    void modelFolderMismatchesAreRefused_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("edit");
        QTest::addColumn<QString>("expected");
        QTest::newRow("CLIP processor") << "preprocessor_config.json" << R"({"image_processor_type": "CLIPImageProcessor"})"
                                        << "LLaVA-NeXT needs the LlavaNextImageProcessor";
        QTest::newRow("grid differs") << "preprocessor_config.json" << R"({"image_grid_pinpoints": [[336, 672]]})"
                                      << "image_grid_pinpoints differ from config.json's";
        QTest::newRow("chat template syntax error") << "tokenizer_config.json"
                                                    << "{\"chat_template\": \"{% for m in messages %}{{ m.role }}\"}"
                                                    << "tokenizer_config.json:1:";
        QTest::newRow("missing image_newline") << "model.safetensors" << "drop image_newline" << "missing tensors (1):\n    image_newline";
    }

    void modelFolderMismatchesAreRefused()
    {
        QFETCH(QString, file);
        QFETCH(QString, edit);
        QFETCH(QString, expected);
        const std::string dir = copyOfNext("mismatch");
        const std::string path = dir + "/" + file.toStdString();
        if (edit.startsWith(QLatin1String("drop "))) {
            // Rewrite the weights without one tensor.
            auto rt = VlmRuntime::load(m_next);
            QVERIFY(rt);
            QVERIFY((*rt)->save(dir));
            auto model = loadLlavaModel(dir, (*rt)->info().config, torch::kCPU, torch::kFloat32);
            QVERIFY(model);
            std::vector<std::pair<std::string, torch::Tensor>> tensors;
            for (const auto &p : (*model)->named_parameters(true))
                if (p.key() != edit.mid(5).toStdString())
                    tensors.emplace_back(p.key(), p.value().detach());
            QVERIFY(writeSafetensors(path, tensors, {}));
        } else {
            auto j = readJson(path);
            j.merge_patch(nlohmann::json::parse(edit.toStdString()));
            writeText(path, j.dump());
        }
        auto rt = VlmRuntime::load(dir);
        QVERIFY(!rt);
        QVERIFY2(QString::fromStdString(rt.error()).contains(expected), rt.error().c_str());
        fs::remove_all(dir);
    }

    void tooBigForTheMemoryIsRefusedWithAnEstimate()
    {
        // The 7B checkpoint's config over the tiny folder's tokenizer: refused before a byte of
        // weights is allocated, with the figures and the way out.
        const std::string dir = copyOfNext("big");
        auto tiny = loadLlavaConfig(m_next + "/config.json");
        QVERIFY(tiny);
        writeText(dir + "/config.json", mistral7bConfig(int(tiny->imageTokenIndex)));
        RuntimeOptions o;
        o.device = "cpu";
        o.dtype = "fp32";
        o.memoryBudgetMiB = 8192;
        auto rt = VlmRuntime::load(dir, o);
        QVERIFY(!rt);
        const QString msg = QString::fromStdString(rt.error());
        QVERIFY2(msg.contains(QLatin1String("7566747648 parameters x 4 bytes = 28.2 GiB of weights")), rt.error().c_str());
        QVERIFY2(msg.contains(QLatin1String("but 8.0 GiB are allowed")), rt.error().c_str());
        char bf16[64];
        std::snprintf(bf16, sizeof bf16, "in bf16 it needs about %.1f GiB", double(estimateMemory(*loadLlavaConfig(dir + "/config.json"), "bf16").totalBytes) / double(1ll << 30));
        QVERIFY2(msg.contains(QLatin1String(bf16)), rt.error().c_str());
        QVERIFY2(msg.contains(QLatin1String("--device cuda")), rt.error().c_str());
        fs::remove_all(dir);
    }

    // ---- chat templates ----

    void chatTemplatesComeFromTheCheckpoint()
    {
        const std::string mistral = "{% for message in messages %}{% if message['role'] == 'user' %}[INST] {% for content in message['content'] %}"
                                    "{% if content['type'] == 'image' %}<image>\n{% else %}{{ content['text'] }}{% endif %}{% endfor %} [/INST]"
                                    "{% endif %}{% endfor %}";
        const std::string llava15 = "{% for message in messages %}{{ message['role'].upper() + ': '}}{% for c in message['content'] %}"
                                    "{% if c.type == 'image' %}<image>\n{% else %}{{ c.text + ' ' }}{% endif %}{% endfor %}{% endfor %}"
                                    "{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}";
        const ChatTurn turn{partsFromMarkedText("<image>\nHow many holes?"), "Answer:"};

        // In a folder: the processor's template (chat_template.jinja, chat_template.json) before
        // the tokenizer's; none at all: the architecture's documented default, and it says so.
        const std::string dir = copyOfNext("chat");
        LlavaConfig next = *loadLlavaConfig(dir + "/config.json");
        auto fromTokenizer = ChatTemplate::forModel(dir, next);
        QVERIFY2(fromTokenizer, fromTokenizer ? "" : fromTokenizer.error().c_str());
        QCOMPARE(fromTokenizer->source(), dir + "/tokenizer_config.json");
        QCOMPARE(*fromTokenizer->render(turn), std::string("[INST] <image>\nHow many holes? [/INST] Answer:"));
        writeText(dir + "/chat_template.json", nlohmann::json({{"chat_template", llava15}}).dump());
        auto fromProcessor = ChatTemplate::forModel(dir, next);
        QVERIFY(fromProcessor);
        QCOMPARE(fromProcessor->source(), dir + "/chat_template.json");
        QCOMPARE(*fromProcessor->render(turn), std::string("USER: <image>\nHow many holes? ASSISTANT: Answer:"));
        writeText(dir + "/chat_template.jinja", mistral);
        QCOMPARE(ChatTemplate::forModel(dir, next)->source(), dir + "/chat_template.jinja");
        fs::remove(dir + "/chat_template.jinja");
        fs::remove(dir + "/chat_template.json");
        auto j = readJson(dir + "/tokenizer_config.json");
        j.erase("chat_template");
        writeText(dir + "/tokenizer_config.json", j.dump());
        auto fallback = ChatTemplate::forModel(dir, next);
        QVERIFY(fallback);
        QVERIFY(fallback->isDefault());
        QVERIFY2(fallback->source().find("no chat template") != std::string::npos, fallback->source().c_str());
        QCOMPARE(*fallback->render(turn), std::string("[INST] <image>\nHow many holes? [/INST] Answer:"));
        next.text.modelType = "llama"; // LLaVA-NeXT on Vicuna
        QCOMPARE(*ChatTemplate::forModel(dir, next)->render(turn), std::string("USER: <image>\nHow many holes? ASSISTANT: Answer:"));
        writeText(dir + "/chat_template.json", "{not json");
        auto broken = ChatTemplate::forModel(dir, next);
        QVERIFY(!broken);
        QVERIFY2(QString::fromStdString(broken.error()).contains(QLatin1String("chat_template.json: invalid JSON")), broken.error().c_str());
        writeText(dir + "/chat_template.jinja", "{% if messages %}never closed");
        auto unclosed = ChatTemplate::forModel(dir, next);
        QVERIFY(!unclosed);
        QVERIFY2(unclosed.error().rfind(dir + "/chat_template.jinja:1:", 0) == 0, unclosed.error().c_str());
        fs::remove_all(dir);
    }

    // ---- Mistral's sliding window ----

    void slidingWindowSeesOnlyTheLastPositions()
    {
        // One decoder layer: with a window of 4 the last position's output depends on the last 4
        // tokens only, so it equals the output for those 4 alone (rotary embeddings are
        // relative); without the window it does not.
        TextConfig t = textConfigDefaults("mistral");
        t.vocabSize = 50;
        t.hiddenSize = 32;
        t.intermediateSize = 64;
        t.numLayers = 1;
        t.numHeads = 4;
        t.numKvHeads = 2;
        t.maxPositionEmbeddings = 64;
        t.slidingWindow = 4;
        torch::manual_seed(3);
        LlamaModel windowed(t);
        for (auto &p : windowed->parameters())
            p.data().normal_(0, 0.3);
        TextConfig open = t;
        open.slidingWindow = 0;
        LlamaModel full(open);
        torch::NoGradGuard ng;
        for (auto &p : full->named_parameters())
            p.value().copy_(windowed->named_parameters()[p.key()]);
        auto embeds = torch::randn({1, 10, 32});
        auto ones = torch::ones({1, 10}, torch::kInt64);
        auto positions = torch::arange(10, torch::kInt64).unsqueeze(0);
        auto last = windowed->forward(embeds, positions, ones, nullptr, nullptr)[0][9];
        auto tail = windowed->forward(embeds.slice(1, 6), torch::arange(4, torch::kInt64).unsqueeze(0), torch::ones({1, 4}, torch::kInt64),
                                      nullptr, nullptr)[0][3];
        QVERIFY2((last - tail).abs().max().item<double>() < 1e-5, "the window keeps the last 4 positions");
        auto unwindowed = full->forward(embeds, positions, ones, nullptr, nullptr)[0][9];
        QVERIFY((unwindowed - tail).abs().max().item<double>() > 1e-3);
        // Left padding: the same row behind 3 pads gives the same output.
        auto padded = torch::cat({torch::zeros({1, 3, 32}), embeds}, 1);
        auto mask = torch::cat({torch::zeros({1, 3}, torch::kInt64), ones}, 1);
        auto shifted = windowed->forward(padded, positionsFromMask(mask), mask, nullptr, nullptr)[0][12];
        QVERIFY((shifted - last).abs().max().item<double>() < 1e-5);
    }

    void slidingWindowDecodeEqualsFullForward()
    {
        // A tiny LLaVA-NeXT whose Mistral text config has a window of 16: decoding with the slot
        // cache gives the tokens of recomputing every position each step.
        TinyModelParams p = TinyModelParams::llavaNext();
        p.slidingWindow = 16;
        const std::string dir = m_tmp.filePath(QStringLiteral("window")).toStdString();
        QVERIFY(makeTinyModel(dir, p));
        auto rt = VlmRuntime::load(dir);
        QVERIFY2(rt, rt ? "" : rt.error().c_str());
        QCOMPARE((*rt)->info().config.text.slidingWindow, 16);
        std::vector<GenerationRequest> reqs = {{{}, chatText(**rt, "What material does the drawing specify? SS400 S45C SUS304 A5052")},
                                               {{}, chatText(**rt, "How many holes? 穴はいくつ？")}};
        SamplingParams s = SamplingParams::greedy(24);
        s.stopAtEos = false;
        auto cached = (*rt)->generate(reqs, s);
        s.useKvCache = false;
        auto recomputed = (*rt)->generate(reqs, s);
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            QVERIFY(cached[i] && recomputed[i]);
            QCOMPARE(cached[i]->tokens, recomputed[i]->tokens);
            QVERIFY(maxGap(cached[i]->logprobs, recomputed[i]->logprobs) < 1e-4);
        }
    }

    // ---- the runtime on the tiny stand-in ----

    void promptLengthMatchesTheProcessorToTheToken()
    {
        auto rt = VlmRuntime::load(m_next);
        QVERIFY2(rt, rt ? "" : rt.error().c_str());
        QCOMPARE((*rt)->info().chatTemplate.source(), m_next + "/tokenizer_config.json");
        const int image = int((*rt)->info().config.imageTokenIndex);
        const std::string text = chatText(**rt, "<image>\nHow many holes? <image>\n穴はいくつ？");
        auto noImages = (*rt)->tokenizer().encode(text, true);
        GenerationRequest req{{gradient(640, 480, 1), gradient(827, 1169, 2)}, text};
        auto ids = (*rt)->promptIds(req);
        QVERIFY2(ids, ids ? "" : ids.error().c_str());
        QCOMPARE(std::count(ids->begin(), ids->end(), image), std::ptrdiff_t(2340 + 2256));
        QCOMPARE(ids->size(), noImages.size() - 2 + 2340 + 2256);
        // The first block is the first image's.
        const auto first = std::find(ids->begin(), ids->end(), image);
        QCOMPARE(std::count(first, first + 2340, image), std::ptrdiff_t(2340));
        QVERIFY(*(first + 2340) != image);
        // And the features the model computes have exactly as many rows.
        QVERIFY(!(*rt)->generate({GenerationRequest{{gradient(640, 480, 1)}, chatText(**rt, "x")}}, SamplingParams::greedy(2))[0]);
        auto ok = (*rt)->generate({req}, SamplingParams::greedy(2));
        QVERIFY2(ok[0], ok[0] ? "" : ok[0].error().c_str());
        QCOMPARE(ok[0]->promptTokens, int(ids->size()));
    }

    void generationScoringBatchingAndHiddenStates()
    {
        // Images of four shapes (thus four token counts) in one batch: each row equals the
        // request alone, with and without the KV cache, and teacher forcing its tokens gives the
        // same log-probabilities and hidden states.
        auto rt = VlmRuntime::load(m_small);
        QVERIFY(rt);
        std::vector<GenerationRequest> reqs = {
            {{gradient(64, 48, 1)}, chatText(**rt, "<image>\nHow many holes does the part have?")},
            {{gradient(100, 20, 2)}, chatText(**rt, "<image>\nWhat does the work order say? 作業指示")},
            {{gradient(32, 32, 3), gradient(83, 117, 4)}, chatText(**rt, "<image>\n<image>\nDoes the drawing match the photo?")},
            {{}, chatText(**rt, "What material does the note say?")},
        };
        // 64x48 on the 64x64 canvas: 8x8 features, 6 rows kept (as 640x480 keeps 36 of 48): 16 + 6 x 9.
        QCOMPARE(smallTokens(reqs[0].images[0]), 16 + 6 * 9);
        std::set<int> counts;
        for (const auto &r : reqs)
            for (const auto &img : r.images)
                counts.insert(smallTokens(img));
        QCOMPARE(int(counts.size()), 4);
        HiddenCaptureSpec cap;
        cap.layers = {1, 2};
        cap.lastPromptToken = true;
        cap.generatedTokens = true;
        SamplingParams s = SamplingParams::greedy(6);
        s.stopAtEos = false;
        auto batch = (*rt)->generate(reqs, s, cap);
        std::set<int> lengths;
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            QVERIFY2(batch[i], batch[i] ? "" : batch[i].error().c_str());
            lengths.insert(batch[i]->promptTokens);
            auto single = (*rt)->generate({reqs[i]}, s, cap);
            QVERIFY(single[0]);
            QCOMPARE(batch[i]->tokens, single[0]->tokens);
            QVERIFY(maxGap(batch[i]->logprobs, single[0]->logprobs) < 1e-4);
            QVERIFY(maxGap(batch[i]->generatedHidden.values, single[0]->generatedHidden.values) < 1e-4);
            auto sc = (*rt)->score(reqs[i], batch[i]->tokens, cap);
            QVERIFY2(sc, sc ? "" : sc.error().c_str());
            QVERIFY(maxGap(sc->logprobs, batch[i]->logprobs) < 1e-4);
            QVERIFY(maxGap(sc->hidden.values, batch[i]->generatedHidden.values) < 1e-4);
        }
        QCOMPARE(int(lengths.size()), 4);
        SamplingParams noCache = s;
        noCache.useKvCache = false;
        auto nc = (*rt)->generate(reqs, noCache);
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            QVERIFY(nc[i]);
            QCOMPARE(nc[i]->tokens, batch[i]->tokens);
        }
        // Batched teacher forcing of rows with different image sizes equals each row alone.
        std::vector<std::vector<int>> conts;
        for (const auto &b : batch)
            conts.push_back(b->tokens);
        auto scored = (*rt)->scoreBatch(reqs, conts, cap);
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            QVERIFY(scored[i]);
            QVERIFY(maxGap(scored[i]->logprobs, batch[i]->logprobs) < 1e-4);
        }
        // The views go through the vision tower in chunks; the chunk size changes nothing.
        RuntimeOptions small;
        small.imageChunk = 2;
        auto chunked = VlmRuntime::load(m_small, small);
        QVERIFY(chunked);
        auto again = (*chunked)->generate(reqs, s);
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            QVERIFY(again[i]);
            QCOMPARE(again[i]->tokens, batch[i]->tokens);
            QVERIFY(maxGap(again[i]->logprobs, batch[i]->logprobs) < 1e-4);
        }
    }

    void prefixCacheFollowsEachImagesTokenCount()
    {
        // Two questions on one 4:3 photo: the second reuses the text before the image and all of
        // the image's positions; an image of another size reuses only the text before it.
        auto rt = VlmRuntime::load(m_small);
        QVERIFY(rt);
        RuntimeOptions off;
        off.prefixCacheMiB = 0;
        auto plain = VlmRuntime::load(m_small, off);
        QVERIFY(plain);
        auto one = [](VlmRuntime &r, const GenerationRequest &req) {
            StreamRequest x;
            x.request = req;
            x.sampling = SamplingParams::greedy(4);
            x.sampling.stopAtEos = false;
            return sdrt::testing::streamOne(r, x);
        };
        const RgbImage photo = gradient(64, 48, 5);
        const std::vector<GenerationRequest> reqs = {
            {{photo}, chatText(**rt, "<image>\nHow many holes does the part have?")},
            {{photo}, chatText(**rt, "<image>\nWhere is the defect? 欠陥")},
            {{gradient(100, 20, 5)}, chatText(**rt, "<image>\nHow many holes does the part have?")},
        };
        auto ids = (*rt)->promptIds(reqs[0]);
        QVERIFY(ids);
        const long beforeImage = long(std::find(ids->begin(), ids->end(), int((*rt)->info().config.imageTokenIndex)) - ids->begin());
        std::vector<long> reused;
        for (const auto &req : reqs) {
            auto [x, xs] = one(**plain, req);
            auto [y, ys] = one(**rt, req);
            QVERIFY(x && y);
            QCOMPARE(y->tokens, x->tokens);
            QVERIFY(maxGap(x->logprobs, y->logprobs) < 1e-4);
            reused.push_back(ys.reusedTokens);
        }
        QCOMPARE(reused[0], 0L);
        QVERIFY2(reused[1] >= beforeImage + smallTokens(photo), std::to_string(reused[1]).c_str());
        QVERIFY(reused[2] <= beforeImage);
    }

    void trainsAndSavesAsLlavaNext()
    {
        // A few optimizer steps on image examples work; the saved folder loads as the same
        // LLaVA-NeXT (config, processor, chat template) and gives the same tokens.
        RuntimeOptions fp32;
        fp32.dtype = "fp32";
        auto rt = VlmRuntime::load(m_small, fp32);
        QVERIFY(rt);
        std::vector<TrainingExample> examples = {
            {{gradient(64, 48, 1)}, chatText(**rt, "<image>\nHow many holes?", "Answer:"), " 4"},
            {{gradient(83, 117, 2)}, chatText(**rt, "<image>\nWhat material?", "Answer:"), " SS400"},
        };
        TrainParams tp;
        tp.steps = 3;
        tp.batchSize = 2;
        tp.warmupSteps = 1;
        tp.trainVision = false;
        auto report = train(**rt, int(examples.size()), [&](int i) { return examples[std::size_t(i)]; }, tp);
        QVERIFY2(report, report ? "" : report.error().c_str());
        QCOMPARE(report->stepsDone, 3);
        for (double l : report->losses)
            QVERIFY(std::isfinite(l));
        tp.patchClasses = 2;
        auto refused = train(**rt, int(examples.size()), [&](int i) { return examples[std::size_t(i)]; }, tp);
        QVERIFY(!refused);
        QVERIFY2(QString::fromStdString(refused.error()).contains(QLatin1String("LLaVA-NeXT")), refused.error().c_str());

        const std::string out = m_tmp.filePath(QStringLiteral("saved-next")).toStdString();
        QVERIFY((*rt)->save(out));
        auto back = VlmRuntime::load(out, fp32);
        QVERIFY2(back, back ? "" : back.error().c_str());
        QVERIFY((*back)->info().config.anyres());
        QVERIFY((*back)->info().config.imageGridPinpoints == (*rt)->info().config.imageGridPinpoints);
        QCOMPARE((*back)->info().preprocessor.processorType, std::string("LlavaNextImageProcessor"));
        QVERIFY2((*back)->info().chatTemplate.text().find("[INST]") != std::string::npos, (*back)->info().chatTemplate.source().c_str());
        GenerationRequest req{{gradient(64, 48, 1)}, chatText(**rt, "<image>\nHow many holes?")};
        auto a = (*rt)->generate({req}, SamplingParams::greedy(5));
        auto b = (*back)->generate({req}, SamplingParams::greedy(5));
        QVERIFY(a[0] && b[0]);
        QCOMPARE(b[0]->tokens, a[0]->tokens);
        QVERIFY(maxGap(a[0]->logprobs, b[0]->logprobs) < 1e-4);
    }

    void bothTensorLayoutsLoad()
    {
        // Transformers >= 4.52 writes "model.language_model.*", "model.image_newline", ...
        auto rt = VlmRuntime::load(m_next);
        QVERIFY(rt);
        const std::string dir = copyOfNext("newer-layout");
        auto model = loadLlavaModel(m_next, (*rt)->info().config, torch::kCPU, torch::kFloat32);
        QVERIFY(model);
        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        for (const auto &p : (*model)->named_parameters(true)) {
            std::string name = p.key();
            if (name.rfind("language_model.model.", 0) == 0)
                name = "model.language_model." + name.substr(21);
            else if (name.rfind("language_model.lm_head.", 0) == 0)
                name = "lm_head." + name.substr(23);
            else
                name = "model." + name;
            tensors.emplace_back(name, p.value().detach());
        }
        QVERIFY(writeSafetensors(dir + "/model.safetensors", tensors, {}));
        auto other = VlmRuntime::load(dir);
        QVERIFY2(other, other ? "" : other.error().c_str());
        GenerationRequest req{{gradient(1000, 200, 7)}, chatText(**rt, "<image>\nHow many holes?")};
        auto a = (*rt)->generate({req}, SamplingParams::greedy(4));
        auto b = (*other)->generate({req}, SamplingParams::greedy(4));
        QVERIFY(a[0] && b[0]);
        QCOMPARE(b[0]->tokens, a[0]->tokens);
        fs::remove_all(dir);
    }
};

QTEST_GUILESS_MAIN(TestLlavaNext)
#include "tst_llava_next.moc"
