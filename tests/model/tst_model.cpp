// The VLM runtime: safetensors I/O and its bad inputs, the building blocks against hand-computed
// values, KV-cache and batching equivalences, samplers on hand-made logits, hidden states,
// and loading errors for a model folder (files the test writes and corrupts itself).

#include "ChatText.h"
#include "sdrt/model/Benchmark.h"
#include "sdrt/model/ChatTemplate.h"
#include "LlavaModel.h"
#include "Preprocess.h"
#include "sdrt/model/Runtime.h"
#include "SafetensorsTorch.h"
#include "sdrt/model/Sampling.h"
#include "sdrt/model/TinyModel.h"
#include "Compare.h"
#include "StreamOne.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>

using namespace sdrt::model;
using sdrt::testing::chatText;
using sdrt::testing::maxGap;
namespace fs = std::filesystem;

namespace {

std::string readBytes(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const std::string &path, const std::string &bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

// A safetensors file written by hand from a header and a data section.
std::string rawSafetensors(const std::string &header, const std::string &data)
{
    std::string out(8, '\0');
    std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i)
        out[std::size_t(i)] = char((n >> (8 * i)) & 0xff);
    return out + header + data;
}

RgbImage gradient(int w, int h, int seed)
{
    RgbImage img;
    img.width = w;
    img.height = h;
    img.pixels.resize(std::size_t(w) * h * 3);
    for (std::size_t i = 0; i < img.pixels.size(); ++i)
        img.pixels[i] = std::uint8_t((i * 7 + std::size_t(seed) * 31) % 256);
    return img;
}

LlavaConfig tinyConfig()
{
    LlavaConfig c;
    c.vision = {32, 64, 2, 2, 32, 8, 3, 1e-5, "quick_gelu"};
    c.text.vocabSize = 120;
    c.text.hiddenSize = 64;
    c.text.intermediateSize = 96;
    c.text.numLayers = 3;
    c.text.numHeads = 4;
    c.text.numKvHeads = 2;
    c.text.maxPositionEmbeddings = 512;
    c.imageTokenIndex = 118;
    c.padTokenId = 119;
    return c;
}


double maxAbsDiff(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

} // namespace

class TestModel : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::string m_tiny;

private Q_SLOTS:
    void initTestCase()
    {
        configureThreads(0);
        m_tiny = m_tmp.filePath(QStringLiteral("tiny")).toStdString();
        auto c = makeTinyModel(m_tiny, {});
        QVERIFY2(c, c ? "" : c.error().c_str());
    }

    // ---- benchmark figures (sdrt bench model) ----
    void benchmarkFiguresPerBatchSize()
    {
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        ModelBenchParams p;
        p.promptTokens = 16;
        p.decodeTokens = 4;
        p.batches = {1, 3};
        p.repeats = 1;
        auto f = benchmarkModel(**rt, p);
        QVERIFY2(f, f ? "" : f.error().c_str());
        QCOMPARE(int(f->batches.size()), 2);
        QVERIFY(f->at(3) && !f->at(2));
        QCOMPARE(f->at(3)->decodeTokensPerSecond, 3 * f->at(3)->decodeStepsPerSecond);
        QVERIFY(f->promptTokens > 16);
        QVERIFY(f->memoryBandwidthGBs > 0 && f->readBandwidthGBs > 0 && f->gemmPeakGFlops > 0);
        // fp32 on the CPU: 4 bytes per weight the decoder and the head read, fewer than all weights.
        const TextConfig &t = (*rt)->info().config.text;
        QCOMPARE(f->decodeWeightBytes % 4, 0);
        QVERIFY(f->decodeWeightBytes >= 4LL * t.vocabSize * t.hiddenSize);
        QVERIFY(f->decodeWeightBytes < 4LL * f->parameters);
        for (const BatchFigures &b : f->batches) {
            QVERIFY(b.prefillTokensPerSecond > 0 && b.decodeStepsPerSecond > 0 && b.timeToFirstTokenMs > 0);
            // Decode against the read stream; the prompt pass's decoder products against the GEMM peak.
            QCOMPARE(b.bandwidthShare, double(f->decodeWeightBytes) * b.decodeStepsPerSecond / (f->readBandwidthGBs * 1e9));
            const double decoderParams = double(f->decodeWeightBytes) / 4 - double(t.vocabSize) * t.hiddenSize;
            QCOMPARE(b.prefillGemmShare, 2.0 * decoderParams * f->promptTokens * b.batch / (b.timeToFirstTokenMs / 1000.0) / (f->gemmPeakGFlops * 1e9));
        }
        QVERIFY(f->kvCacheSpeedup > 0);
        p.batches = {0};
        QVERIFY(!benchmarkModel(**rt, p));
    }

    // ---- safetensors ----
    void safetensorsRoundTripEveryDtype()
    {
        const std::string path = m_tmp.filePath(QStringLiteral("all.safetensors")).toStdString();
        torch::manual_seed(3);
        std::vector<std::pair<std::string, torch::Tensor>> tensors = {
            {"f64", torch::randn({2, 3}, torch::kFloat64)},
            {"f32", torch::randn({4}, torch::kFloat32)},
            {"f16", torch::randn({3, 1}).to(torch::kFloat16)},
            {"bf16", torch::randn({5}).to(torch::kBFloat16)},
            {"i64", torch::arange(-3, 3, torch::kInt64)},
            {"i32", torch::arange(0, 6, torch::kInt32).view({2, 3})},
            {"i16", torch::arange(-2, 2, torch::kInt16)},
            {"i8", torch::arange(-4, 4, torch::kInt8)},
            {"u8", torch::arange(250, 256, torch::kInt32).to(torch::kUInt8)},
            {"bool", torch::tensor({true, false, true})},
            {"scalar", torch::tensor(2.5f)},
            {"empty", torch::zeros({0, 3})},
        };
        QVERIFY(writeSafetensors(path, tensors, {{"format", "pt"}}));
        auto f = SafetensorsFile::open(path);
        QVERIFY2(f, f ? "" : f.error().c_str());
        QCOMPARE(f->tensors().size(), tensors.size());
        QCOMPARE(f->metadata().at("format"), std::string("pt"));
        for (const auto &[name, t] : tensors) {
            auto back = loadTensor(*f, name);
            QVERIFY2(back, name.c_str());
            QCOMPARE(back->scalar_type(), t.scalar_type());
            QCOMPARE(back->sizes().vec(), t.sizes().vec());
            QVERIFY2(torch::equal(*back, t), name.c_str());
        }
        // Conversion on load.
        auto asFloat = loadTensor(*f, "f16", torch::kFloat32);
        QVERIFY(asFloat && asFloat->scalar_type() == torch::kFloat32);
        QVERIFY(torch::allclose(*asFloat, tensors[2].second.to(torch::kFloat32)));
    }

    void safetensorsBadInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const std::string good = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        const std::string data(8, '\1');
        auto row = [](const char *name, const std::string &bytes, const char *expected) {
            QTest::newRow(name) << QByteArray::fromStdString(bytes) << QString::fromLatin1(expected);
        };
        row("too short", std::string("\x05\0\0", 3), "too short for a safetensors header");
        row("header beyond file", rawSafetensors(good, data).substr(0, 20), "beyond the end of the file");
        row("truncated data", rawSafetensors(good, data.substr(0, 5)), "out of range");
        row("invalid json", rawSafetensors("{\"a\": [", data), "not valid JSON");
        row("unknown dtype", rawSafetensors(R"({"a":{"dtype":"F8","shape":[2],"data_offsets":[0,8]}})", data), "tensor \"a\": unknown dtype \"F8\"");
        row("size mismatch", rawSafetensors(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data), "need 12");
        row("overlap", rawSafetensors(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", data), "overlap");
        row("negative shape", rawSafetensors(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", data), "not a non-negative integer");
        row("missing offsets", rawSafetensors(R"({"a":{"dtype":"F32","shape":[2]}})", data), "lacks dtype, shape or data_offsets");
    }

    void safetensorsBadInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const std::string path = m_tmp.filePath(QStringLiteral("bad.safetensors")).toStdString();
        writeBytes(path, bytes.toStdString());
        auto f = SafetensorsFile::open(path);
        QVERIFY(!f);
        QVERIFY2(QString::fromStdString(f.error()).contains(expected), f.error().c_str());
        QVERIFY(QString::fromStdString(f.error()).startsWith(QString::fromStdString(path)));
        QVERIFY(!SafetensorsFile::open(path + ".missing"));
    }

    // ---- building blocks against hand-computed values ----
    void rmsNormHandCase()
    {
        RMSNorm norm(4, 0.0);
        auto x = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f});
        auto y = norm(x);
        const float rms = std::sqrt((1 + 4 + 9 + 16) / 4.0f);
        for (int i = 0; i < 4; ++i)
            QVERIFY(std::abs(y[i].item<float>() - (i + 1) / rms) < 1e-6f);
    }

    void ropeHandCase()
    {
        auto x = torch::tensor({1.0f, 2.0f}); // [a, b] -> rotateHalf = [-b, a]
        QVERIFY(torch::equal(rotateHalf(x), torch::tensor({-2.0f, 1.0f})));
        // Head dim 4, theta 10000: inverse frequencies 1 and 0.01; position 3.
        auto positions = torch::tensor({{3}}, torch::kInt64);
        auto [cos, sin] = rotaryCosSin(positions, 4, 10000.0, torch::kFloat32);
        const float c0 = std::cos(3.0f), s0 = std::sin(3.0f), c1 = std::cos(0.03f), s1 = std::sin(0.03f);
        auto q = torch::tensor({1.0f, 0.0f, 0.0f, 1.0f}).view({1, 1, 1, 4});
        auto r = applyRotary(q, cos, sin).view({4});
        // x*cos + rotateHalf(x)*sin with x = [1,0,0,1]: rotateHalf = [0,-1,1,0].
        const float expected[4] = {c0, -s1, s0, c1};
        for (int i = 0; i < 4; ++i)
            QVERIFY2(std::abs(r[i].item<float>() - expected[i]) < 1e-6f, std::to_string(i).c_str());
    }

    void causalMaskHandCase()
    {
        // Row 0 is left-padded by one position; two queries after one cached position.
        auto keyMask = torch::tensor({{0, 1, 1}, {1, 1, 1}}, torch::kInt64);
        auto m = causalMask(keyMask, 2, 1, torch::kFloat32);
        QCOMPARE(m.sizes().vec(), (std::vector<std::int64_t>{2, 1, 2, 3}));
        auto visible = (m == 0).to(torch::kInt64);
        auto expected = torch::tensor({{{{0, 1, 0}, {0, 1, 1}}}, {{{1, 1, 0}, {1, 1, 1}}}}, torch::kInt64);
        QVERIFY(torch::equal(visible, expected));
        QVERIFY(m[0][0][0][0].item<float>() < -1e30f);
        auto pos = positionsFromMask(keyMask);
        QVERIFY(torch::equal(pos, torch::tensor({{0, 0, 1}, {0, 1, 2}}, torch::kInt64)));
    }

    void clipPreprocessingHandCases()
    {
        PreprocessorConfig c;
        c.shortestEdge = 2;
        c.cropHeight = c.cropWidth = 2;
        // 4 wide, 2 high: no resize (shortest edge is 2), centre crop keeps columns 1 and 2.
        RgbImage img;
        img.width = 4;
        img.height = 2;
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 4; ++x)
                for (int ch = 0; ch < 3; ++ch)
                    img.pixels.push_back(std::uint8_t(10 * x + 100 * y + ch));
        auto t = preprocessClip(img, c);
        QCOMPARE(t.sizes().vec(), (std::vector<std::int64_t>{3, 2, 2}));
        for (int ch = 0; ch < 3; ++ch)
            for (int y = 0; y < 2; ++y)
                for (int x = 0; x < 2; ++x) {
                    const double v = (10 * (x + 1) + 100 * y + ch) / 255.0;
                    const double expected = (v - c.mean[std::size_t(ch)]) / c.std[std::size_t(ch)];
                    QVERIFY(std::abs(t[ch][y][x].item<float>() - expected) < 1e-5);
                }
        // Shortest-edge sizes, and a constant image stays constant through the bicubic resize.
        QCOMPARE(shortestEdgeSize(480, 640, 336), std::make_pair(336, 448));
        QCOMPARE(shortestEdgeSize(640, 480, 336), std::make_pair(448, 336));
        RgbImage flat;
        flat.width = 9;
        flat.height = 6;
        flat.pixels.assign(9 * 6 * 3, 200);
        PreprocessorConfig big;
        big.shortestEdge = 4;
        big.cropHeight = big.cropWidth = 4;
        big.doNormalize = false;
        auto f = preprocessClip(flat, big);
        QCOMPARE(f.sizes().vec(), (std::vector<std::int64_t>{3, 4, 4}));
        QVERIFY(std::abs(f.min().item<float>() - 200 / 255.0f) < 1e-6f);
        QVERIFY(std::abs(f.max().item<float>() - 200 / 255.0f) < 1e-6f);
    }

    void chatTemplates()
    {
        // Marked text → parts: the newline joining an image to its neighbours belongs to the image.
        const std::vector<ChatPart> parts = partsFromMarkedText("<image>\n<image>\nNote: 穴 4\nHow many?");
        QCOMPARE(parts, (std::vector<ChatPart>{ChatPart::imagePart(), ChatPart::imagePart(), ChatPart::textPart("Note: 穴 4\nHow many?")}));
        QCOMPARE(partsFromMarkedText("Look:\n<image>\nand say."),
                 (std::vector<ChatPart>{ChatPart::textPart("Look:"), ChatPart::imagePart(), ChatPart::textPart("and say.")}));
        QCOMPARE(partsFromMarkedText("no image"), (std::vector<ChatPart>{ChatPart::textPart("no image")}));

        // The architectures' defaults write what the llava-hf checkpoints' templates write.
        const ChatTurn turn{partsFromMarkedText("<image>\nHow many?"), "Answer:"};
        QCOMPARE(*ChatTemplate::builtin(ChatTemplate::Default::Llava15).render(turn), std::string("USER: <image>\nHow many? ASSISTANT: Answer:"));
        QCOMPARE(*ChatTemplate::builtin(ChatTemplate::Default::LlavaNextMistral).render({turn.parts, {}}),
                 std::string("[INST] <image>\nHow many? [/INST]"));
        QCOMPARE(*ChatTemplate::builtin(ChatTemplate::Default::Llava15).render({{ChatPart::imagePart(), ChatPart::imagePart(), ChatPart::textPart("Same?")}, {}}),
                 std::string("USER: <image>\n<image>\nSame? ASSISTANT:"));

        // A family with its own image marker and a generation prompt ending in a newline: the
        // prefix follows directly; the special tokens are variables.
        auto qwen = ChatTemplate::fromText("{% for m in messages %}<|im_start|>{{ m.role }}\n{% for c in m.content %}"
                                           "{% if c.type == 'image' %}<|vision_start|><|image_pad|><|vision_end|>{% else %}{{ c.text }}{% endif %}"
                                           "{% endfor %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}{{ eos_token }}",
                                           "qwen.jinja", "{\"eos_token\": \"\"}");
        QVERIFY2(qwen, qwen ? "" : qwen.error().c_str());
        QCOMPARE(*qwen->render(turn), std::string("<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>How many?<|im_end|>\n"
                                                  "<|im_start|>assistant\nAnswer:"));
        QCOMPARE(qwen->source(), std::string("qwen.jinja"));

        // A template that raises shows its own message, named by its source; one that writes
        // nothing is an error too; a syntax error names the line and column.
        auto raises = ChatTemplate::fromText("{% if messages[0].role == 'user' %}{{ raise_exception('a system message is required') }}{% endif %}",
                                             "strict.jinja");
        QVERIFY(raises);
        auto raised = raises->render(turn);
        QVERIFY(!raised);
        QVERIFY2(raised.error().find("strict.jinja") == 0 && raised.error().find("a system message is required") != std::string::npos,
                 raised.error().c_str());
        auto silent = ChatTemplate::fromText("{# nothing #}", "silent.jinja");
        QVERIFY(silent);
        QVERIFY(!silent->render(turn));
        auto broken = ChatTemplate::fromText("line one\n{% for m in messages %}", "broken.jinja");
        QVERIFY(!broken);
        QVERIFY2(broken.error().find("broken.jinja:2:") == 0, broken.error().c_str());
    }

    // ---- samplers on hand-made logits ----
    void samplers()
    {
        std::vector<float> logits = {1.0f, 3.0f, 2.0f, 0.5f};
        QCOMPARE(argmax(logits), 1);
        auto k = logits;
        applyTopK(k, 2);
        QVERIFY(std::isinf(k[0]) && std::isinf(k[3]) && k[1] == 3.0f && k[2] == 2.0f);
        // Probabilities ~ [0.087, 0.64, 0.24, 0.05]: top-p 0.7 keeps tokens 1 and 2.
        auto p = logits;
        applyTopP(p, 0.7f);
        QVERIFY(std::isinf(p[0]) && std::isinf(p[3]) && !std::isinf(p[1]) && !std::isinf(p[2]));
        auto p1 = logits;
        applyTopP(p1, 0.5f);
        QVERIFY(!std::isinf(p1[1]) && std::isinf(p1[2]));
        auto t = logits;
        applyTemperature(t, 2.0f);
        QCOMPARE(t[1], 1.5f);
        const auto probs = softmax(logits);
        double sum = 0;
        for (float x : probs)
            sum += x;
        QVERIFY(std::abs(sum - 1.0) < 1e-6);
        QVERIFY(std::abs(logSoftmax(logits)[1] - std::log(probs[1])) < 1e-6f);
        // A one-hot distribution always gives its token; a seeded stream repeats itself.
        std::mt19937_64 rng(5);
        QCOMPARE(sampleIndex({0.0f, 0.0f, 1.0f}, rng), 2);
        SamplingParams sp;
        sp.temperature = 1.0f;
        Sampler a(sp, 42), b(sp, 42);
        std::vector<int> ra, rb;
        std::vector<float> flat(50, 0.0f);
        for (int i = 0; i < 20; ++i) {
            float lpa = 0, lpb = 0;
            ra.push_back(a.next(flat, &lpa));
            rb.push_back(b.next(flat, &lpb));
            QVERIFY(std::abs(lpa - std::log(1.0f / 50)) < 1e-5f);
        }
        QCOMPARE(ra, rb);
        QVERIFY(std::set<int>(ra.begin(), ra.end()).size() > 5);
        // Greedy reports the model's log-probability of its choice.
        Sampler g(SamplingParams::greedy(), 0);
        float lp = 0;
        QCOMPARE(g.next(logits, &lp), 1);
        QVERIFY(std::abs(lp - std::log(probs[1])) < 1e-6f);
    }

    // ---- equivalences on a random model ----
    void kvCacheMatchesFullForward()
    {
        c10::InferenceMode guard;
        LlavaModel model(tinyConfig());
        initRandom(model, 7);
        model->eval();
        const auto P = model->config.viewTokens();
        std::vector<std::int64_t> ids = {1, 5, 9};
        ids.insert(ids.end(), std::size_t(P), model->config.imageTokenIndex);
        for (int i = 0; i < 12; ++i)
            ids.push_back(10 + i * 7 % 100);
        auto input = torch::tensor(ids, torch::kInt64).unsqueeze(0);
        auto pixels = preprocessClip(gradient(40, 32, 1), PreprocessorConfig{32, 32, 32}).unsqueeze(0);
        auto mask = torch::ones_like(input);
        auto full = model->forward(input, pixels, mask);

        auto embeds = model->embed(input, model->imageFeatures(pixels));
        auto &lm = model->language_model;
        KvCache cache;
        const std::int64_t prefill = 3 + P + 2;
        auto h = lm->model->forward(embeds.slice(1, 0, prefill), positionsFromMask(mask.slice(1, 0, prefill)),
                                    mask.slice(1, 0, prefill), &cache, nullptr);
        std::vector<torch::Tensor> steps = {lm->logits(h)};
        for (std::int64_t t = prefill; t < input.size(1); ++t) {
            auto pos = torch::full({1, 1}, t, torch::kInt64);
            steps.push_back(lm->logits(lm->model->forward(embeds.slice(1, t, t + 1), pos, mask.slice(1, 0, t + 1), &cache, nullptr)));
        }
        auto incremental = torch::cat(steps, 1);
        const double diff = maxAbsDiff(full, incremental);
        QVERIFY2(diff <= 1e-4, std::to_string(diff).c_str());
        QCOMPARE(cache.length(), input.size(1));
    }

    void leftPaddedBatchEqualsSingleRuns()
    {
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY2(rt, rt ? "" : rt.error().c_str());
        // The batch as chat turns the model's template renders; each single run as that
        // template's text given raw: the same tokens.
        const std::vector<std::string> users = {"<image>\nHow many holes does the part have?",
                                                "<image>\n<image>\nDoes the drawing match the photo? 図面", "What material does the note say?"};
        std::vector<GenerationRequest> reqs = {
            VlmRuntime::chatRequest({gradient(40, 30, 1)}, users[0]),
            VlmRuntime::chatRequest({gradient(32, 32, 2), gradient(50, 20, 3)}, users[1]),
            VlmRuntime::chatRequest({}, users[2]),
        };
        QCOMPARE(*(*rt)->promptText(reqs[0]), std::string("USER: <image>\nHow many holes does the part have? ASSISTANT:"));
        const auto s = SamplingParams::greedy(12);
        auto batch = (*rt)->generate(reqs, s);
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            auto single = (*rt)->generate({GenerationRequest{reqs[i].images, chatText(**rt, users[i])}}, s);
            QVERIFY(single[0] && batch[i]);
            QCOMPARE(batch[i]->tokens, single[0]->tokens);
            QCOMPARE(batch[i]->text, single[0]->text);
            for (std::size_t k = 0; k < single[0]->logprobs.size(); ++k)
                QVERIFY(std::abs(batch[i]->logprobs[k] - single[0]->logprobs[k]) < 1e-4f);
        }
        // Different prompt lengths really were padded.
        QVERIFY(batch[0]->promptTokens != batch[1]->promptTokens);
    }

    void continuousBatchingEqualsSingleRuns()
    {
        // Seven requests through three slots: rows end at different lengths (their own token
        // limits, EOS under sampling), free slots are refilled at once, a finished request queues
        // a follow-up; each result equals the request generated alone.
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        std::vector<StreamRequest> reqs;
        const int limits[] = {15, 3, 15, 6, 9, 2, 12};
        for (int i = 0; i < 7; ++i) {
            StreamRequest r;
            std::string text = std::string(std::size_t(i + 1), 'x') + " how many holes? 穴";
            if (i % 3 != 2) {
                r.request.images = {gradient(30 + 5 * i, 30, i)};
                text = "<image>\n" + text;
            }
            r.request.prompt = chatText(**rt, text);
            r.sampling = SamplingParams::greedy(limits[i]);
            r.sampling.stopAtEos = i < 3; // the first three: their limits decide their lengths
            if (i >= 3) {
                r.sampling.temperature = 0.9f;
                r.sampling.topK = 40;
                r.sampling.stopAtEos = true;
            }
            if (i == 4 || i == 1) {
                r.capture.layers = {1, 2};
                r.capture.lastPromptToken = true;
                r.capture.generatedTokens = true;
            }
            r.seed = 1000 + std::uint64_t(i);
            r.tag = std::size_t(i);
            reqs.push_back(r);
        }
        reqs[0].sampling.stopAtEos = reqs[1].sampling.stopAtEos = reqs[2].sampling.stopAtEos = false;
        std::vector<StreamRequest> queue(reqs.begin(), reqs.end());
        std::map<std::size_t, sdrt::Expected<GenerationOutput, std::string>> results;
        std::vector<std::string> events;
        std::size_t pulled = 0;
        GenerationStream stream;
        stream.next = [&](StreamRequest &r) {
            if (pulled == queue.size())
                return false;
            r = queue[pulled++];
            events.push_back("pull " + std::to_string(r.tag));
            return true;
        };
        stream.done = [&](std::size_t tag, sdrt::Expected<GenerationOutput, std::string> out) {
            events.push_back("done " + std::to_string(tag));
            if (tag == 1 && out) { // a follow-up, as a teacher's step 2 follows step 1
                StreamRequest f = reqs[1];
                f.request.prompt = chatText(**rt, "<image>\nAnalysis: " + out->text + "\nAnswer?");
                f.sampling = SamplingParams::greedy(5);
                f.tag = 100;
                queue.push_back(f);
                reqs.push_back(f);
            }
            results.emplace(tag, std::move(out));
        };
        (*rt)->generateStream(stream, EngineOptions{3, true});
        QCOMPARE(results.size(), std::size_t(8));
        const auto at = [&events](const std::string &e) { return std::find(events.begin(), events.end(), e) - events.begin(); };
        // Request 1 ends after 3 tokens; request 3 takes its slot while 0 and 2 still run.
        QVERIFY(at("pull 3") > at("done 1"));
        QVERIFY(at("pull 3") < at("done 0") && at("pull 3") < at("done 2"));
        QVERIFY(at("pull 100") > at("done 1"));
        for (const StreamRequest &r : reqs) {
            std::optional<sdrt::Expected<GenerationOutput, std::string>> alone;
            std::size_t given = 0;
            GenerationStream one;
            one.next = [&](StreamRequest &x) {
                if (given++)
                    return false;
                x = r;
                return true;
            };
            one.done = [&](std::size_t, sdrt::Expected<GenerationOutput, std::string> out) { alone.emplace(std::move(out)); };
            (*rt)->generateStream(one, EngineOptions{1, true});
            QVERIFY(alone && *alone && results.at(r.tag));
            const GenerationOutput &a = **alone, &b = *results.at(r.tag);
            QCOMPARE(b.tokens, a.tokens);
            QCOMPARE(b.text, a.text);
            QCOMPARE(b.finishReason, a.finishReason);
            QVERIFY2(maxGap(a.logprobs, b.logprobs) < 1e-4, std::to_string(r.tag).c_str());
            QCOMPARE(b.generatedHidden.values.size(), a.generatedHidden.values.size());
            QCOMPARE(b.promptHidden.values.size(), a.promptHidden.values.size());
            QVERIFY(maxGap(a.generatedHidden.values, b.generatedHidden.values) < 1e-4);
            QVERIFY(maxGap(a.promptHidden.values, b.promptHidden.values) < 1e-4);
        }
        QCOMPARE(int(results.at(0)->tokens.size()), 15);
        QCOMPARE(int(results.at(1)->tokens.size()), 3);
        QCOMPARE(results.at(4)->generatedHidden.positions, int(results.at(4)->tokens.size()));
        // The whole-sequence path (no KV cache) gives the same tokens through the same slots.
        std::vector<GenerationRequest> plain;
        for (int i = 0; i < 5; ++i)
            plain.push_back(reqs[std::size_t(i)].request);
        SamplingParams g = SamplingParams::greedy(7);
        g.stopAtEos = false;
        auto cached = (*rt)->generate(plain, g, {}, {}, 2);
        g.useKvCache = false;
        auto uncached = (*rt)->generate(plain, g, {}, {}, 2);
        for (std::size_t i = 0; i < plain.size(); ++i) {
            QVERIFY(cached[i] && uncached[i]);
            QCOMPARE(uncached[i]->tokens, cached[i]->tokens);
        }
    }

    void prefixCacheReusesSharedBeginnings()
    {
        // Prompts that begin alike (same image, same text) compute only what follows; the
        // results equal those of a runtime without the cache.
        RuntimeOptions off;
        off.prefixCacheMiB = 0;
        auto plain = VlmRuntime::load(m_tiny, off);
        auto cached = VlmRuntime::load(m_tiny);
        QVERIFY(plain && cached);
        auto one = [](VlmRuntime &rt, const GenerationRequest &req) {
            StreamRequest r;
            r.request = req;
            r.sampling = SamplingParams::greedy(6);
            r.sampling.stopAtEos = false;
            r.capture.layers = {1, 2};
            r.capture.lastPromptToken = true;
            r.capture.generatedTokens = true;
            return sdrt::testing::streamOne(rt, r);
        };
        const RgbImage a = gradient(40, 30, 1), b = gradient(40, 30, 2);
        const std::vector<GenerationRequest> reqs = {
            {{a}, chatText(**cached, "<image>\nHow many holes does the part have?")},
            {{a}, chatText(**cached, "<image>\nWhere is the defect? 欠陥")},
            {{b}, chatText(**cached, "<image>\nHow many holes does the part have?")},
            {{a}, chatText(**cached, "<image>\nHow many holes does the part have?")},
        };
        std::vector<long> reused;
        for (const GenerationRequest &req : reqs) {
            auto [x, xs] = one(**plain, req);
            auto [y, ys] = one(**cached, req);
            QVERIFY(x && y);
            QCOMPARE(xs.reusedTokens, 0L);
            QCOMPARE(y->tokens, x->tokens);
            QVERIFY(maxGap(x->logprobs, y->logprobs) < 1e-4);
            QCOMPARE(y->promptHidden.values.size(), x->promptHidden.values.size());
            QVERIFY(maxGap(x->promptHidden.values, y->promptHidden.values) < 1e-4);
            QVERIFY(maxGap(x->generatedHidden.values, y->generatedHidden.values) < 1e-4);
            QCOMPARE(ys.reusedTokens + ys.prefillTokens, long(y->promptTokens));
            reused.push_back(ys.reusedTokens);
        }
        auto ids = (*cached)->promptIds(reqs[0]);
        QVERIFY(ids);
        const int image = int((*cached)->info().config.imageTokenIndex);
        const long beforeImage = long(std::find(ids->begin(), ids->end(), image) - ids->begin());
        const long imageEnd = beforeImage + (*cached)->info().config.viewTokens();
        QCOMPARE(reused[0], 0L);                     // nothing cached yet
        QVERIFY(reused[1] >= imageEnd);              // the same image and the text before it
        QVERIFY(reused[2] <= beforeImage);           // another image: only the text before it
        QCOMPARE(reused[3], long(ids->size()) - 1);  // the same prompt: all but its last position
    }

    void cancelEndsRowsInFlightAndStartsNoMore()
    {
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        std::vector<GenerationRequest> reqs(5, GenerationRequest{{gradient(32, 32, 2)}, chatText(**rt, "<image>\nCount.")});
        SamplingParams s = SamplingParams::greedy(20);
        s.stopAtEos = false;
        std::atomic_bool cancel{false};
        GenerateCallbacks cb;
        cb.cancel = &cancel;
        cb.progress = [&cancel](int step, int) {
            if (step == 3)
                cancel = true;
        };
        auto out = (*rt)->generate(reqs, s, {}, cb, 2);
        QCOMPARE(out.size(), reqs.size());
        for (std::size_t i = 0; i < out.size(); ++i) {
            QVERIFY(out[i]);
            QCOMPARE(out[i]->finishReason, std::string("cancelled"));
            QCOMPARE(int(out[i]->tokens.size()), i < 2 ? 3 : 0);
        }
    }

    void imageChunkChangesNoOutput()
    {
        // The vision tower's chunk size is policy: one image at a time gives the same answers.
        RuntimeOptions one;
        one.imageChunk = 1;
        auto chunked = VlmRuntime::load(m_tiny, one);
        auto whole = VlmRuntime::load(m_tiny);
        QVERIFY(chunked && whole);
        std::vector<GenerationRequest> reqs = {
            {{gradient(40, 30, 1), gradient(20, 20, 4)}, chatText(**whole, "<image>\n<image>\nDo these match?")},
            {{gradient(32, 32, 2), gradient(50, 20, 3)}, chatText(**whole, "<image>\n<image>\nHow many holes?")},
        };
        const auto s = SamplingParams::greedy(8);
        auto a = (*chunked)->generate(reqs, s);
        auto b = (*whole)->generate(reqs, s);
        for (std::size_t i = 0; i < reqs.size(); ++i) {
            QVERIFY(a[i] && b[i]);
            QCOMPARE(a[i]->tokens, b[i]->tokens);
            for (std::size_t k = 0; k < a[i]->logprobs.size(); ++k)
                QVERIFY(std::abs(a[i]->logprobs[k] - b[i]->logprobs[k]) < 1e-4f);
        }
    }

    void sameSeedSameText()
    {
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        GenerationRequest req{{gradient(32, 32, 4)}, chatText(**rt, "<image>\nWhere is the defect?")};
        SamplingParams s;
        s.maxNewTokens = 16;
        s.temperature = 1.0f;
        s.topK = 50;
        s.topP = 0.95f;
        s.seed = 1234;
        auto a = (*rt)->generate({req}, s);
        auto b = (*rt)->generate({req}, s);
        QVERIFY(a[0] && b[0]);
        QCOMPARE(a[0]->tokens, b[0]->tokens);
        // Decoded token by token, the text is the whole decode of the tokens.
        QCOMPARE(a[0]->text, (*rt)->tokenizer().decode(a[0]->tokens));
        s.seed = 99;
        auto c = (*rt)->generate({req}, s);
        QVERIFY(c[0]);
        QVERIFY(c[0]->tokens != a[0]->tokens);
    }

    void stopStringsAndBadRequests()
    {
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        GenerationRequest req{{gradient(32, 32, 5)}, chatText(**rt, "<image>\nCount the holes.")};
        auto plain = (*rt)->generate({req}, SamplingParams::greedy(10));
        QVERIFY(plain[0] && plain[0]->text.size() > 4);
        // Stop at a string the model will produce: text is cut before it.
        const std::string stop = plain[0]->text.substr(2, 2);
        SamplingParams s = SamplingParams::greedy(10);
        s.stop = {stop};
        auto cut = (*rt)->generate({req}, s);
        QVERIFY(cut[0]);
        QCOMPARE(cut[0]->finishReason, std::string("stop"));
        QVERIFY(cut[0]->text.find(stop) == std::string::npos);
        QVERIFY(plain[0]->text.rfind(cut[0]->text, 0) == 0);
        // A request whose image count does not match fails alone.
        GenerationRequest wrong{{}, chatText(**rt, "<image>\nNo image given")};
        auto mixed = (*rt)->generate({req, wrong}, SamplingParams::greedy(4));
        QVERIFY(mixed[0]);
        QVERIFY(!mixed[1]);
        QVERIFY(QString::fromStdString(mixed[1].error()).contains(QStringLiteral("1 image placeholder(s) but 0 image(s)")));
        // Longer than the context: fails alone with its reason.
        std::string longText;
        for (int i = 0; i < 1500; ++i)
            longText += " the plate has holes";
        auto tooLong = (*rt)->generate({GenerationRequest{{}, longText}}, SamplingParams::greedy(8));
        QVERIFY(!tooLong[0]);
        QVERIFY(QString::fromStdString(tooLong[0].error()).contains(QStringLiteral("exceeds the context")));
    }

    void batchedTeacherForcingEqualsSingleRows()
    {
        // Prompts of different lengths (left padding) and continuations of different lengths:
        // each row of scoreBatch equals score() of that row alone; a bad row fails alone.
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        std::vector<GenerationRequest> prompts{{{gradient(36, 36, 6)}, chatText(**rt, "<image>\nAnalysis:")},
                                               {{gradient(20, 30, 2)}, chatText(**rt, "<image>\nHow many holes does the plate have? 穴はいくつ？")},
                                               {{}, chatText(**rt, "A question without an image")},
                                               {{gradient(20, 20, 1)}, chatText(**rt, "<image>\nbad")}};
        std::vector<std::vector<int>> conts{{5, 17, 33, 2, 40, 41}, {7, 8}, {100, 101, 102, 103}, {-1}};
        HiddenCaptureSpec cap;
        cap.layers = {0, 2};
        cap.generatedTokens = true;
        auto batch = (*rt)->scoreBatch(prompts, conts, cap);
        QCOMPARE(batch.size(), prompts.size());
        QVERIFY(!batch[3]);
        for (std::size_t i = 0; i < 3; ++i) {
            auto one = (*rt)->score(prompts[i], conts[i], cap);
            QVERIFY2(one && batch[i], batch[i] ? "" : batch[i].error().c_str());
            QCOMPARE(batch[i]->logprobs.size(), conts[i].size());
            for (std::size_t k = 0; k < conts[i].size(); ++k)
                QVERIFY(std::abs(batch[i]->logprobs[k] - one->logprobs[k]) < 1e-4f);
            QCOMPARE(batch[i]->hidden.positions, int(conts[i].size()));
            QCOMPARE(batch[i]->hidden.values.size(), one->hidden.values.size());
            double diff = 0;
            for (std::size_t k = 0; k < one->hidden.values.size(); ++k)
                diff = std::max(diff, double(std::abs(batch[i]->hidden.values[k] - one->hidden.values[k])));
            QVERIFY2(diff < 1e-4, std::to_string(diff).c_str()); // far inside fp16 rounding (~1e-3 relative) of the stored values
        }
    }

    void hiddenStatesAndTeacherForcingAgree()
    {
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        GenerationRequest req{{gradient(36, 36, 6)}, chatText(**rt, "<image>\nAnalysis:")};
        HiddenCaptureSpec cap;
        cap.layers = {1, 2};
        cap.lastPromptToken = true;
        cap.generatedTokens = true;
        SamplingParams s = SamplingParams::greedy(6);
        s.stopAtEos = false;
        auto g = (*rt)->generate({req}, s, cap);
        QVERIFY(g[0]);
        const int n = int(g[0]->tokens.size());
        QCOMPARE(n, 6);
        const int D = (*rt)->info().config.text.hiddenSize;
        QCOMPARE(g[0]->generatedHidden.positions, n);
        QCOMPARE(g[0]->generatedHidden.hiddenSize, D);
        QCOMPARE(int(g[0]->generatedHidden.values.size()), 2 * n * D);
        QCOMPARE(g[0]->promptHidden.positions, 1);
        // Teacher forcing the generated tokens gives the same log-probabilities and hidden states.
        auto sc = (*rt)->score(req, g[0]->tokens, cap);
        QVERIFY2(sc, sc ? "" : sc.error().c_str());
        QCOMPARE(int(sc->logprobs.size()), n);
        for (int i = 0; i < n; ++i)
            QVERIFY(std::abs(sc->logprobs[std::size_t(i)] - g[0]->logprobs[std::size_t(i)]) < 1e-4f);
        QCOMPARE(sc->hidden.values.size(), g[0]->generatedHidden.values.size());
        double diff = 0;
        for (std::size_t i = 0; i < sc->hidden.values.size(); ++i)
            diff = std::max(diff, double(std::abs(sc->hidden.values[i] - g[0]->generatedHidden.values[i])));
        QVERIFY2(diff < 1e-4, std::to_string(diff).c_str());
        // Without a KV cache the same tokens come out.
        SamplingParams noCache = s;
        noCache.useKvCache = false;
        auto nc = (*rt)->generate({req}, noCache);
        QVERIFY(nc[0]);
        QCOMPARE(nc[0]->tokens, g[0]->tokens);
    }

    void tokenizerJapaneseAndImageTokens()
    {
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        const Tokenizer &t = (*rt)->tokenizer();
        const std::string ja = "作業指示 WO-1002: 穴数は 6、材質 SUS304。";
        QCOMPARE(t.decode(t.encode(ja, false)), ja);
        auto ids = t.encode("USER: <image>\n穴は？", true);
        QCOMPARE(ids.front(), t.bosId());
        QCOMPARE(std::count(ids.begin(), ids.end(), t.imageTokenId()), 1L);
        auto expanded = (*rt)->promptIds({{gradient(8, 8, 1)}, "USER: <image>\n穴は？"});
        QVERIFY(expanded);
        QCOMPARE(long(std::count(expanded->begin(), expanded->end(), t.imageTokenId())),
                 long((*rt)->info().config.viewTokens()));
    }

    // ---- loading a model folder, good and bad ----
    void loadsBothNamingConventionsAndShards()
    {
        // Rewrite the tiny model with the newer Hugging Face tensor names, split into two shards.
        const std::string dir = m_tmp.filePath(QStringLiteral("renamed")).toStdString();
        fs::create_directories(dir);
        for (const char *f : {"config.json", "preprocessor_config.json", "tokenizer.model", "tokenizer_config.json"})
            fs::copy_file(m_tiny + "/" + f, dir + "/" + f);
        auto src = SafetensorsFile::open(m_tiny + "/model.safetensors");
        QVERIFY(src);
        std::vector<std::pair<std::string, torch::Tensor>> a, b;
        nlohmann::json index;
        for (const auto &t : src->tensors()) {
            std::string name = t.name;
            auto swap = [&name](const std::string &from, const std::string &to) {
                if (name.rfind(from, 0) == 0)
                    name = to + name.substr(from.size());
            };
            swap("language_model.model.", "model.language_model.");
            swap("language_model.lm_head.", "lm_head.");
            swap("vision_tower.", "model.vision_tower.");
            swap("multi_modal_projector.", "model.multi_modal_projector.");
            auto &shard = name.find("vision") != std::string::npos ? a : b;
            shard.emplace_back(name, *loadTensor(*src, t.name));
            index["weight_map"][name] = &shard == &a ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
        }
        QVERIFY(writeSafetensors(dir + "/model-00001-of-00002.safetensors", a));
        QVERIFY(writeSafetensors(dir + "/model-00002-of-00002.safetensors", b));
        writeBytes(dir + "/model.safetensors.index.json", index.dump());
        auto original = VlmRuntime::load(m_tiny);
        auto renamed = VlmRuntime::load(dir);
        QVERIFY2(renamed, renamed ? "" : renamed.error().c_str());
        QCOMPARE((*renamed)->info().weightFiles.size(), size_t(2));
        GenerationRequest req{{gradient(32, 32, 9)}, chatText(**original, "<image>\nHow many holes?")};
        auto x = (*original)->generate({req}, SamplingParams::greedy(8));
        auto y = (*renamed)->generate({req}, SamplingParams::greedy(8));
        QVERIFY(x[0] && y[0]);
        QCOMPARE(x[0]->tokens, y[0]->tokens);
        QCOMPARE(x[0]->logprobs, y[0]->logprobs);
    }

    void badModelFolders_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no config") << "rm config.json" << "config.json: cannot read";
        QTest::newRow("no tokenizer") << "rm tokenizer.model" << "tokenizer.model: cannot read";
        QTest::newRow("no weights") << "rm model.safetensors" << "no model.safetensors";
        QTest::newRow("truncated weights") << "truncate" << "out of range";
        QTest::newRow("missing tensor") << "drop language_model.model.norm.weight" << "missing tensors (1):\n    language_model.model.norm.weight [64]";
        QTest::newRow("unexpected tensor") << "add extra.weight" << "unexpected tensors (1):\n    extra.weight";
        QTest::newRow("misshaped tensor") << "reshape multi_modal_projector.linear_2.bias"
                                          << "multi_modal_projector.linear_2.bias: expected [64], found [65]";
        QTest::newRow("tokenizer bigger than vocab") << "vocab 300" << "tokenizer and model do not match";
        QTest::newRow("image token mismatch") << "image_token_index 5" << "image_token_index is 5";
        QTest::newRow("bad config") << "heads 5" << "multiple of num_attention_heads";
        QTest::newRow("crop mismatch") << "crop 64" << "does not match the vision tower's image_size";
    }

    void badModelFolders()
    {
        QFETCH(QString, damage);
        QFETCH(QString, expected);
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        for (const auto &e : fs::directory_iterator(m_tiny))
            fs::copy_file(e.path(), dir + "/" + e.path().filename().string());
        const std::string d = damage.toStdString();
        auto editConfig = [&](const std::function<void(nlohmann::json &)> &f, const char *file = "config.json") {
            auto j = nlohmann::json::parse(readBytes(dir + "/" + file));
            f(j);
            writeBytes(dir + "/" + file, j.dump());
        };
        auto editWeights = [&](const std::function<void(std::vector<std::pair<std::string, torch::Tensor>> &)> &f) {
            auto st = SafetensorsFile::open(dir + "/model.safetensors");
            QVERIFY(st);
            std::vector<std::pair<std::string, torch::Tensor>> all;
            for (const auto &t : st->tensors())
                all.emplace_back(t.name, *loadTensor(*st, t.name));
            f(all);
            QVERIFY(writeSafetensors(dir + "/model.safetensors", all));
        };
        if (d.rfind("rm ", 0) == 0) {
            fs::remove(dir + "/" + d.substr(3));
        } else if (d == "truncate") {
            const std::string bytes = readBytes(dir + "/model.safetensors");
            writeBytes(dir + "/model.safetensors", bytes.substr(0, bytes.size() / 2));
        } else if (d.rfind("drop ", 0) == 0) {
            editWeights([&](auto &all) { std::erase_if(all, [&](auto &p) { return p.first == d.substr(5); }); });
        } else if (d.rfind("add ", 0) == 0) {
            editWeights([&](auto &all) { all.emplace_back(d.substr(4), torch::zeros({2})); });
        } else if (d.rfind("reshape ", 0) == 0) {
            editWeights([&](auto &all) {
                for (auto &p : all)
                    if (p.first == d.substr(8))
                        p.second = torch::zeros({p.second.size(0) + 1});
            });
        } else if (d == "vocab 300") {
            editConfig([](auto &j) { j["text_config"]["vocab_size"] = 300; j["image_token_index"] = 10; });
        } else if (d == "image_token_index 5") {
            editConfig([](auto &j) { j["image_token_index"] = 5; });
        } else if (d == "heads 5") {
            editConfig([](auto &j) { j["text_config"]["num_attention_heads"] = 5; });
        } else if (d == "crop 64") {
            editConfig([](auto &j) { j["crop_size"] = {{"height", 64}, {"width", 64}}; }, "preprocessor_config.json");
        }
        auto rt = VlmRuntime::load(dir);
        QVERIFY(!rt);
        QVERIFY2(QString::fromStdString(rt.error()).contains(expected), rt.error().c_str());
    }
};

QTEST_GUILESS_MAIN(TestModel)
#include "tst_model.moc"
