// The tokenizer.json pipeline put together: reading the file into its stages
// (HfTokenizerParts.h), encode() and decode().

#include "sdrt/model/HfTokenizer.h"

#include "HfTokenizerParts.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace sdrt::model {

using hf::json;

namespace {

std::optional<std::string> tokenName(const json &config, const char *key)
{
    if (!config.contains(key))
        return std::nullopt;
    const json &v = config[key];
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string())
        return v["content"].get<std::string>();
    return std::nullopt;
}

// The tokenizer.json and the tokenizer_config.json (an empty object when there is none).
Expected<std::pair<json, json>, std::string> parseDocuments(std::string_view tokenizerJson, std::string_view configJson,
                                                            const std::string &source)
{
    json j, config = json::object();
    try {
        j = json::parse(tokenizerJson);
    } catch (const json::exception &e) {
        return unexpected(source + ": not valid JSON: " + e.what());
    }
    if (!configJson.empty()) {
        try {
            config = json::parse(configJson);
        } catch (const json::exception &e) {
            return unexpected(source + ": tokenizer_config.json is not valid JSON: " + e.what());
        }
    }
    if (!j.is_object())
        return unexpected(source + ": a tokenizer.json is a JSON object");
    return std::pair{std::move(j), std::move(config)};
}

// Stores a stage that was read, or passes its error on.
template <typename T>
Expected<void, std::string> store(T &to, Expected<T, std::string> read)
{
    if (!read)
        return unexpected(read.error());
    to = std::move(*read);
    return {};
}

// Refuses text encode() does not take: too long, or not valid UTF-8 (naming the byte).
Expected<void, std::string> checkText(std::string_view input)
{
    if (input.size() > HfTokenizer::maxTextBytes)
        return unexpected("the text is " + std::to_string(input.size()) + " bytes; at most " + std::to_string(HfTokenizer::maxTextBytes)
                          + " are encoded at once");
    if (const std::size_t bad = hf::firstInvalidUtf8(input); bad != std::string_view::npos) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(input[bad]));
        return unexpected("the text is not valid UTF-8: byte " + std::to_string(bad) + " (" + hex + ") does not start or continue a character");
    }
    return {};
}

} // namespace

struct HfTokenizer::Impl {
    hf::Bpe model;
    hf::NormalizerPtr normalizer;
    hf::PreTokenizerPtr preTokenizer;
    hf::DecoderPtr decoder;
    hf::Template post;
    hf::AddedTokens added;
    std::optional<int> bos, eos, pad;
    int vocabSize = 0;

    // The stages in the order of their messages; json::exception is left to the caller.
    Expected<void, std::string> read(const json &j, const json &config)
    {
        if (auto r = store(model, hf::bpeOf(j.value("model", json()), "model")); !r)
            return r;
        if (auto r = store(normalizer, hf::normalizerOf(j.value("normalizer", json()), "normalizer")); !r)
            return r;
        if (auto r = store(preTokenizer, hf::preTokenizerOf(j.value("pre_tokenizer", json()), "pre_tokenizer")); !r)
            return r;
        model.byteLevel = hf::typeOf(j.value("decoder", json())) == "ByteLevel";
        if (auto r = store(decoder, hf::decoderOf(j.value("decoder", json()), "decoder")); !r)
            return r;
        if (auto r = store(added, hf::addedTokensOf(j.value("added_tokens", json::array()))); !r)
            return r;
        int maxId = int(model.byId.size()) - 1;
        for (const HfAddedToken &t : added.list)
            maxId = std::max(maxId, t.id);
        vocabSize = maxId + 1;
        if (auto r = store(post, hf::postProcessorOf(j.value("post_processor", json()), "post_processor")); !r)
            return r;
        if (auto b = tokenName(config, "bos_token"))
            bos = idOf(*b);
        if (auto e = tokenName(config, "eos_token"))
            eos = idOf(*e);
        if (auto p = tokenName(config, "pad_token"))
            pad = idOf(*p);
        return {};
    }

    // Added tokens first, then the model's vocabulary.
    std::optional<int> idOf(const std::string &tok) const
    {
        if (auto it = added.byContent.find(tok); it != added.byContent.end())
            return added.list[it->second].id;
        if (auto it = model.vocab.find(tok); it != model.vocab.end())
            return it->second;
        return std::nullopt;
    }

    const std::string *tokenOf(int id) const
    {
        if (auto it = added.byId.find(id); it != added.byId.end())
            return &added.list[it->second].content;
        if (id >= 0 && std::size_t(id) < model.byId.size() && !model.byId[std::size_t(id)].empty())
            return &model.byId[std::size_t(id)];
        return nullptr;
    }

    bool isSpecial(int id) const
    {
        auto it = added.byId.find(id);
        return it != added.byId.end() && added.list[it->second].special;
    }

    // 1. Added tokens on the raw text; 2. normalize the rest, then the normalized added tokens.
    std::vector<hf::Segment> segments(const std::string &input) const
    {
        std::vector<hf::Segment> out;
        for (hf::Segment &raw : added.cut(added.raw, input)) {
            if (raw.token >= 0 || raw.text.empty()) {
                if (!raw.text.empty())
                    out.push_back(std::move(raw));
                continue;
            }
            if (normalizer)
                normalizer->apply(raw.text);
            for (hf::Segment &s : added.cut(added.normalized, raw.text)) {
                if (s.text.empty())
                    continue;
                s.atStart = raw.atStart && s.atStart;
                out.push_back(std::move(s));
            }
        }
        return out;
    }

    // 3. Pre-tokenize and 4. BPE each text segment. Words repeat: a word's ids are kept for this
    // call (a cache local to the call, so concurrent calls share nothing).
    Expected<std::vector<int>, std::string> ids(const std::vector<hf::Segment> &segments) const
    {
        std::unordered_map<std::string, std::vector<int>> cache;
        std::vector<int> ids;
        for (const hf::Segment &s : segments) {
            if (s.token >= 0) {
                ids.push_back(added.list[std::size_t(s.token)].id);
                continue;
            }
            std::vector<hf::Piece> pieces{{s.text, s.atStart}};
            if (preTokenizer)
                preTokenizer->apply(pieces);
            for (const hf::Piece &p : pieces)
                if (auto r = wordIds(p.text, cache, ids); !r)
                    return unexpected(r.error());
        }
        return ids;
    }

    Expected<void, std::string> wordIds(const std::string &word, std::unordered_map<std::string, std::vector<int>> &cache,
                                        std::vector<int> &ids) const
    {
        if (word.size() > 64) // long words are rare and rarely repeat
            return model.tokenize(word, ids);
        auto [it, fresh] = cache.try_emplace(word);
        if (fresh) {
            if (auto r = model.tokenize(word, it->second); !r)
                return r;
            if (cache.size() > 100000) { // bounded: the word is used, then the cache starts again
                ids.insert(ids.end(), it->second.begin(), it->second.end());
                cache.clear();
                return {};
            }
        }
        ids.insert(ids.end(), it->second.begin(), it->second.end());
        return {};
    }
};

Expected<HfTokenizer, std::string> HfTokenizer::load(const std::string &dir)
{
    const std::string file = dir + "/tokenizer.json";
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return unexpected(file + ": cannot read (a Hugging Face tokenizer folder has tokenizer.json)");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string config;
    if (std::ifstream c(dir + "/tokenizer_config.json", std::ios::binary); c) {
        std::stringstream cs;
        cs << c.rdbuf();
        config = cs.str();
    }
    return fromJson(ss.str(), config, file);
}

Expected<HfTokenizer, std::string> HfTokenizer::fromJson(std::string_view tokenizerJson, std::string_view configJson, const std::string &source)
{
    auto documents = parseDocuments(tokenizerJson, configJson, source);
    if (!documents)
        return unexpected(documents.error());
    auto impl = std::make_shared<Impl>();
    try {
        if (auto r = impl->read(documents->first, documents->second); !r)
            return unexpected(source + ": " + r.error());
    } catch (const json::exception &e) {
        return unexpected(source + ": a field has the wrong type: " + e.what());
    }
    HfTokenizer t;
    t.d = impl;
    return t;
}

Expected<std::vector<int>, std::string> HfTokenizer::encode(std::string_view input, bool addSpecialTokens) const
{
    if (auto r = checkText(input); !r)
        return unexpected(r.error());
    auto ids = d->ids(d->segments(std::string(input)));
    if (!ids || !addSpecialTokens)
        return ids;
    return d->post.apply(*ids);
}

std::string HfTokenizer::decode(const std::vector<int> &ids, bool skipSpecialTokens) const
{
    const Impl &m = *d;
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (int id : ids) {
        if (skipSpecialTokens && m.isSpecial(id))
            continue;
        if (const std::string *t = m.tokenOf(id))
            tokens.push_back(*t);
    }
    if (!m.decoder) {
        std::string out;
        for (std::size_t i = 0; i < tokens.size(); ++i)
            out += (i ? " " : "") + tokens[i];
        return out;
    }
    std::string out;
    for (const std::string &t : m.decoder->apply(std::move(tokens)))
        out += t;
    return out;
}

int HfTokenizer::vocabSize() const
{
    return d->vocabSize;
}

std::optional<int> HfTokenizer::tokenId(const std::string &tok) const
{
    return d->idOf(tok);
}

std::optional<std::string> HfTokenizer::token(int id) const
{
    if (const std::string *t = d->tokenOf(id))
        return *t;
    return std::nullopt;
}

const std::vector<HfAddedToken> &HfTokenizer::addedTokens() const
{
    return d->added.list;
}

std::optional<int> HfTokenizer::bosId() const
{
    return d->bos;
}

std::optional<int> HfTokenizer::eosId() const
{
    return d->eos;
}

std::optional<int> HfTokenizer::padId() const
{
    return d->pad;
}

std::string HfTokenizer::describe() const
{
    return std::string("BPE (") + (d->model.byteLevel ? "byte-level" : d->model.byteFallback ? "SentencePiece-style, byte fallback" : "characters")
           + "), " + std::to_string(d->vocabSize) + " tokens, " + std::to_string(d->added.list.size()) + " added";
}

} // namespace sdrt::model
