#include "sdrt/model/TinyModel.h"

#include "LlavaModel.h"
#include "SafetensorsTorch.h"
#include "TinyModelParts.h"
#include "sdrt/model/Tokenizer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace sdrt::model {

TinyModelParams TinyModelParams::hundredMillion()
{
    TinyModelParams p;
    setHundredMillionShape(p);
    p.tokenizerVocab = 8000;
    p.minTextVocab = 8000;
    p.visionLayers = 6;
    p.imageSize = 224;
    return p;
}

TinyModelParams TinyModelParams::llavaNext()
{
    TinyModelParams p;
    p.next = true;
    p.imageSize = 336;
    p.patchSize = 14;
    p.gridPinpoints = {{336, 672}, {672, 336}, {672, 672}, {1008, 336}, {336, 1008}};
    p.chatTemplate = "mistral";
    p.maxPositions = 8192; // a 3x3-view image alone is ~5,000 tokens with a wider grid
    p.extraCorpus = {"[INST] <image>\nWhat does the drawing specify? [/INST] Answer:"};
    return p;
}

const std::vector<std::string> &builtinCorpus()
{
    static const std::vector<std::string> corpus = [] {
        std::vector<std::string> c = {
            "USER: <image>\nHow many holes does the part have? ASSISTANT: Answer: 4",
            "Look at the image: 1. What objects/regions are important? 2. Which parts relate to the question?",
            "Given your analysis above, provide the final answer to the question.",
            "Based on the image, Question: Please first plan a reasoning path without filling in the data.",
            "The reasoning path should reflect the path toward the final answer based on both the image and text questions.",
            "Please use the structural knowledge triplet to represent the analysis.",
            "Extract all visible text from the image. Describe the layout and positioning of text and elements.",
            "Note any tables, lists, or structured content. Do not answer the question yet.",
            "Analysis: the part is a steel plate with four holes. There is a crack in the top-left region.",
            "Inspection: plate, 4 holes, scratch at bottom-right, no corrosion.",
            "Cross-check: the drawing specifies 5 holes, the note expects 5 holes, the photo shows 4 holes.",
            "Reasoning path: (part, has, holes) (holes, count, ?) (note, expects, holes)",
            "Layout Analysis: title block at bottom right with PART, REV, MAT and HOLES.",
            "Enumeration: hole 1 top-left, hole 2 top-right, hole 3 bottom-left, hole 4 bottom-right.",
            "Where is the defect on the part? Answer with the region or none.",
            "Does the number of holes on the part match the work order? yes no",
            "Does the part in the photo have the hole count the drawing specifies?",
            "What material does the drawing specify? SS400 S45C SUS304 A5052",
            "Work order WO-1001 Part: PN-1234 rev B Material: SS400 Expected holes: 4 Remarks: visual inspection required.",
            "crack scratch corrosion missing-hole none top-left top-right centre bottom-left bottom-right",
            "flange bracket plate bolt drawing note photo revision material hole count dimension",
            "作業指示 WO-1002 部品番号: PN-5678 改訂 C 材質: SUS304 穴数: 6 備考: 外観検査を実施すること。",
            "穴はいくつありますか？ 傷 亀裂 腐食 穴の欠落 左上 右上 中央 左下 右下 なし",
            "図面の材質は何ですか？ 図面と写真の穴数は一致していますか？ はい いいえ",
            "検査メモ: 傷なし。部品は図面どおり。",
        };
        for (int n = 0; n <= 20; ++n)
            c.push_back("Answer: " + std::to_string(n) + " holes, count " + std::to_string(n));
        return c;
    }();
    return corpus;
}

Expected<void, std::string> prepareTinyModelFolder(const std::string &dir, bool replaceExisting)
{
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
        return unexpected(dir + " is a file, not a folder");
    if (!replaceExisting && fs::is_directory(dir, ec) && !fs::is_empty(dir, ec))
        return unexpected(dir + " is not empty; a tiny model is written only into a new or empty folder (or with --force, replacing "
                                "its model files)");
    fs::create_directories(dir, ec);
    if (ec)
        return unexpected(dir + ": cannot create the folder: " + ec.message());
    return {};
}

Expected<LlavaConfig, std::string> makeTinyModel(const std::string &dir, const TinyModelParams &p)
{
    if (auto ready = prepareTinyModelFolder(dir, p.replaceExisting); !ready)
        return unexpected(ready.error());
    std::vector<std::string> corpus = builtinCorpus();
    corpus.insert(corpus.end(), p.extraCorpus.begin(), p.extraCorpus.end());
    auto proto = trainSentencePiece(corpus, p.tokenizerVocab, p.tokenizerOptions);
    if (!proto)
        return unexpected(proto.error());
    auto tok = Tokenizer::fromSerialized(*proto, {});
    if (!tok)
        return unexpected(tok.error());
    const int spVocab = tok->vocabSize();

    LlavaConfig c;
    setTinyShape(c, p);
    c.vision.numLayers = p.visionLayers;
    c.vision.imageSize = p.imageSize;
    c.vision.hiddenAct = "quick_gelu";
    c.text.modelType = p.chatTemplate == "mistral" ? "mistral" : "llama";
    c.text.vocabSize = std::max(spVocab + 2, p.minTextVocab);
    c.imageTokenIndex = spVocab;
    c.padTokenId = spVocab + 1;
    c.visionFeatureLayer = -2;
    if (p.next) {
        c.modelType = "llava_next";
        c.imageGridPinpoints = p.gridPinpoints;
        c.text.slidingWindow = p.slidingWindow;
        c.declaredImageSeqLength = c.vision.numPatches();
    }
    if (auto r = validate(c); !r)
        return unexpected(r.error());
    const PreprocessorConfig pre = defaultPreprocessor(c);

    nlohmann::ordered_json tc;
    tc["tokenizer_class"] = "LlamaTokenizer";
    tc["bos_token"] = "<s>";
    tc["eos_token"] = "</s>";
    tc["unk_token"] = "<unk>";
    tc["pad_token"] = "<pad>";
    tc["added_tokens_decoder"] = {{std::to_string(spVocab), {{"content", "<image>"}, {"special", true}}},
                                  {std::to_string(spVocab + 1), {{"content", "<pad>"}, {"special", true}}}};
    // Templates in the shape of the Hugging Face checkpoints' (user turns with <image> first,
    // the assistant turn opened by the generation prompt).
    if (p.chatTemplate == "mistral")
        tc["chat_template"] = "{% for m in messages %}{% if m['role'] == 'user' %}[INST] {% for c in m['content'] %}"
                              "{% if c['type'] == 'image' %}<image>\n{% else %}{{ c['text'] }}{% endif %}{% endfor %} [/INST]"
                              "{% else %} {{ m['content'][0]['text'] }}</s>{% endif %}{% endfor %}";
    else
        tc["chat_template"] = "{% for m in messages %}{{ m['role'].upper() + ': ' }}{% for c in m['content'] %}"
                              "{% if c['type'] == 'image' %}<image>\n{% else %}{{ c['text'] + ' ' }}{% endif %}{% endfor %}"
                              "{% endfor %}{% if add_generation_prompt %}ASSISTANT:{% endif %}";
    const std::vector<std::pair<std::string, std::string>> files = {{"config.json", llavaConfigJson(c)},
                                                                     {"preprocessor_config.json", preprocessorConfigJson(pre)},
                                                                     {"tokenizer.model", *proto},
                                                                     {"tokenizer_config.json", tc.dump(2) + "\n"}};
    if (auto r = writeTinyModelFiles(dir, files, [&c] { return LlavaModel(c).ptr(); }, p.seed); !r)
        return unexpected(r.error());
    return c;
}

Expected<void, std::string> writeTinyModelFiles(const std::string &dir, const std::vector<std::pair<std::string, std::string>> &files,
                                                const std::function<std::shared_ptr<torch::nn::Module>()> &build, std::uint64_t seed)
{
    for (const auto &[name, text] : files) {
        if (auto r = writeTextFile(dir + "/" + name, text); !r)
            return unexpected(r.error());
    }
    try {
        const auto network = build();
        return writeRandomWeights(*network, seed, dir + "/model.safetensors");
    } catch (const c10::Error &e) {
        return unexpected(std::string("cannot build the model: ") + e.what_without_backtrace());
    }
}

Expected<void, std::string> writeRandomWeights(torch::nn::Module &model, std::uint64_t seed, const std::string &path)
{
    initRandom(model, seed);
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto &param : model.named_parameters(true))
        tensors.emplace_back(param.key(), param.value().detach());
    return writeSafetensors(path, tensors, {{"format", "pt"}});
}

} // namespace sdrt::model
