// make-tiny --qwen3vl: a small random Qwen3-VL with a byte-level BPE tokenizer of its own.

#include "Qwen3VlModel.h"
#include "TinyModelParts.h"
#include "sdrt/model/TinyModel.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <map>

namespace sdrt::model {
namespace {

// GPT-2's byte-to-character table: printable bytes stand for themselves, the others for
// U+0100 onwards in byte order.
std::vector<std::string> byteCharacters()
{
    std::vector<std::string> out(256);
    int extra = 0;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
        const int cp = printable ? b : 256 + extra++;
        std::string s;
        if (cp < 0x80) {
            s += char(cp);
        } else {
            s += char(0xC0 | (cp >> 6));
            s += char(0x80 | (cp & 0x3F));
        }
        out[std::size_t(b)] = s;
    }
    return out;
}

// Byte-level BPE merges learnt from `corpus` (words: a run of non-spaces with the space before
// it), most frequent pair first, ties to the pair first met.
std::vector<std::pair<std::string, std::string>> learnMerges(const std::vector<std::string> &corpus, int count)
{
    const auto chars = byteCharacters();
    std::map<std::vector<std::string>, long> words;
    for (const std::string &line : corpus) {
        std::vector<std::string> word;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const unsigned char b = static_cast<unsigned char>(line[i]);
            if (b == ' ' && !word.empty()) {
                ++words[word];
                word.clear();
            }
            word.push_back(chars[b]);
        }
        if (!word.empty())
            ++words[word];
    }
    std::vector<std::pair<std::string, std::string>> merges;
    for (int m = 0; m < count; ++m) {
        std::map<std::pair<std::string, std::string>, long> pairs;
        for (const auto &[w, n] : words)
            for (std::size_t i = 0; i + 1 < w.size(); ++i)
                pairs[{w[i], w[i + 1]}] += n;
        if (pairs.empty())
            break;
        auto best = pairs.begin();
        for (auto it = pairs.begin(); it != pairs.end(); ++it)
            if (it->second > best->second)
                best = it;
        if (best->second < 2)
            break;
        const auto pair = best->first;
        merges.push_back(pair);
        std::map<std::vector<std::string>, long> next;
        for (const auto &[w, n] : words) {
            std::vector<std::string> merged;
            for (std::size_t i = 0; i < w.size(); ++i) {
                if (i + 1 < w.size() && w[i] == pair.first && w[i + 1] == pair.second) {
                    merged.push_back(w[i] + w[i + 1]);
                    ++i;
                } else {
                    merged.push_back(w[i]);
                }
            }
            next[merged] += n;
        }
        words = std::move(next);
    }
    return merges;
}

// Qwen2/3's pre-tokenizer pattern (contractions, letters with one leading non-letter, single
// digits, punctuation runs, newlines, spaces).
const char *kQwenPattern = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// ChatML with image parts as Qwen3-VL's template writes them.
const char *kChatTemplate =
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

// The tokenizer: tokenizer.json of 256 byte tokens, the learnt merges, then Qwen's special
// tokens; their ids by content, and the vocabulary's size.
struct TinyTokenizer {
    nlohmann::ordered_json json;
    std::map<std::string, int> specialId;
    int vocabSize = 0;
};

TinyTokenizer byteLevelTokenizer(const std::vector<std::pair<std::string, std::string>> &merges)
{
    TinyTokenizer tok;
    nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
    int next = 0;
    for (const std::string &c : byteCharacters())
        vocab[c] = next++;
    nlohmann::ordered_json mergeList = nlohmann::ordered_json::array();
    for (const auto &[a, b] : merges) {
        if (!vocab.contains(a + b))
            vocab[a + b] = next++;
        mergeList.push_back(a + " " + b);
    }
    const std::vector<std::string> specials = {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>",
                                               "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>"};
    nlohmann::ordered_json added = nlohmann::ordered_json::array();
    for (const std::string &s : specials) {
        tok.specialId[s] = next;
        added.push_back({{"id", next++}, {"content", s}, {"single_word", false}, {"lstrip", false}, {"rstrip", false}, {"normalized", false},
                         {"special", true}});
    }
    const nlohmann::ordered_json byteLevel = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
    nlohmann::ordered_json &tj = tok.json;
    tj["version"] = "1.0";
    tj["truncation"] = nullptr;
    tj["padding"] = nullptr;
    tj["added_tokens"] = added;
    tj["normalizer"] = {{"type", "NFC"}};
    tj["pre_tokenizer"] = {{"type", "Sequence"},
                           {"pretokenizers",
                            {{{"type", "Split"}, {"pattern", {{"Regex", kQwenPattern}}}, {"behavior", "Isolated"}, {"invert", false}}, byteLevel}}};
    tj["post_processor"] = byteLevel;
    tj["decoder"] = byteLevel;
    tj["model"] = {{"type", "BPE"},         {"dropout", nullptr},          {"unk_token", nullptr}, {"continuing_subword_prefix", ""},
                   {"end_of_word_suffix", ""}, {"fuse_unk", false},        {"byte_fallback", false}, {"ignore_merges", false},
                   {"vocab", vocab},         {"merges", mergeList}};
    tok.vocabSize = next;
    return tok;
}

// The config of the params' shape over the tokenizer's vocabulary and special tokens.
Qwen3VlConfig tinyConfig(const TinyQwen3VlParams &p, const TinyTokenizer &tok)
{
    Qwen3VlConfig c;
    setTinyShape(c, p);
    c.text.vocabSize = tok.vocabSize;
    c.text.headDim = p.headDim;
    c.text.mropeSection = p.mropeSection;
    c.tieWordEmbeddings = p.tieEmbeddings;
    c.vision.depth = p.visionDepth;
    c.vision.outHiddenSize = p.textHidden;
    c.vision.numPositionEmbeddings = p.positionGrid * p.positionGrid;
    c.vision.deepstackVisualIndexes = p.deepstack;
    c.imageTokenId = tok.specialId.at("<|image_pad|>");
    c.videoTokenId = tok.specialId.at("<|video_pad|>");
    c.visionStartTokenId = tok.specialId.at("<|vision_start|>");
    c.visionEndTokenId = tok.specialId.at("<|vision_end|>");
    return c;
}

} // namespace

TinyQwen3VlParams TinyQwen3VlParams::hundredMillion()
{
    TinyQwen3VlParams p;
    setHundredMillionShape(p);
    p.merges = 7700;
    p.visionDepth = 6;
    p.positionGrid = 32;
    p.deepstack = {1, 3, 5};
    p.headDim = 64;
    p.mropeSection = {12, 10, 10};
    p.minPixels = 65536;
    p.maxPixels = 1024 * 1024;
    return p;
}

Expected<Qwen3VlConfig, std::string> makeTinyQwen3Vl(const std::string &dir, const TinyQwen3VlParams &p)
{
    if (auto ready = prepareTinyModelFolder(dir, p.replaceExisting); !ready)
        return unexpected(ready.error());
    const TinyTokenizer tok = byteLevelTokenizer(learnMerges(builtinCorpus(), p.merges));
    nlohmann::ordered_json tc;
    tc["tokenizer_class"] = "Qwen2Tokenizer";
    tc["bos_token"] = nullptr;
    tc["eos_token"] = "<|im_end|>";
    tc["pad_token"] = "<|endoftext|>";
    tc["unk_token"] = nullptr;
    tc["chat_template"] = kChatTemplate;
    const Qwen3VlConfig c = tinyConfig(p, tok);
    if (auto r = validate(c); !r)
        return unexpected(r.error());
    Qwen3VlProcessorConfig pre = defaultQwen3VlProcessor(c);
    pre.minPixels = p.minPixels;
    pre.maxPixels = p.maxPixels;
    const nlohmann::ordered_json generation = {{"eos_token_id", {tok.specialId.at("<|im_end|>"), tok.specialId.at("<|endoftext|>")}},
                                               {"pad_token_id", tok.specialId.at("<|endoftext|>")}};
    const std::vector<std::pair<std::string, std::string>> files = {{"config.json", qwen3VlConfigJson(c)},
                                                                     {"preprocessor_config.json", qwen3VlProcessorConfigJson(pre)},
                                                                     {"tokenizer.json", tok.json.dump(2) + "\n"},
                                                                     {"tokenizer_config.json", tc.dump(2) + "\n"},
                                                                     {"generation_config.json", generation.dump(2) + "\n"}};
    if (auto r = writeTinyModelFiles(dir, files, [&c] { return Qwen3VlNetwork(c).ptr(); }, p.seed); !r)
        return unexpected(r.error());
    return c;
}

} // namespace sdrt::model
