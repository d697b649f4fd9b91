#include "sdrt/model/Tokenizer.h"

#include "sdrt/model/HfTokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <dlfcn.h>
#include <filesystem>
#include <fstream>
#include <limits.h>
#include <mutex>
#include <sstream>
#include <unistd.h>

namespace sdrt::model {
namespace {

// The SentencePiece shim (spm/SpmShim.cpp), loaded once with its own symbol scope.
struct Spm {
    void *(*load)(const char *, std::size_t, char *, std::size_t) = nullptr;
    void (*free)(void *) = nullptr;
    int (*encode)(void *, const char *, std::size_t, int *, int) = nullptr;
    long (*decode)(void *, const int *, int, char *, long) = nullptr;
    int (*info)(void *, int) = nullptr;
    long (*idToPiece)(void *, int, char *, long) = nullptr;
    int (*pieceToId)(void *, const char *, std::size_t) = nullptr;
    int (*pieceKind)(void *, int) = nullptr;
    int (*train)(const char *const *, int, const char *const *, const char *const *, int, char **, std::size_t *, char *,
                 std::size_t) = nullptr;
    void (*freeBuffer)(char *) = nullptr;
    std::string error;
};

std::string exeDir()
{
    char buf[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return ".";
    std::string p(buf, std::size_t(n));
    return p.substr(0, p.rfind('/'));
}

const Spm &spm()
{
    static Spm s;
    static std::once_flag once;
    std::call_once(once, [] {
        std::vector<std::string> candidates;
        if (const char *env = std::getenv("SDRT_SPM_LIBRARY"))
            candidates.emplace_back(env);
        const std::string dir = exeDir();
        candidates.push_back(dir + "/../lib/libsdrt_spm.so");
        candidates.push_back(dir + "/../lib/sdrt-workbench/libsdrt_spm.so");
        candidates.push_back(dir + "/../../lib/libsdrt_spm.so");
        candidates.push_back(SDRT_SPM_BUILD_PATH);
        candidates.push_back(SDRT_SPM_INSTALL_PATH);
        void *handle = nullptr;
        std::string tried;
        for (const auto &c : candidates) {
            handle = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
            if (handle)
                break;
            tried += "\n  " + c + ": " + dlerror();
        }
        if (!handle) {
            s.error = "cannot load the SentencePiece library libsdrt_spm.so:" + tried;
            return;
        }
        auto sym = [handle](const char *name) { return dlsym(handle, name); };
        s.load = reinterpret_cast<decltype(s.load)>(sym("sdrt_spm_load"));
        s.free = reinterpret_cast<decltype(s.free)>(sym("sdrt_spm_free"));
        s.encode = reinterpret_cast<decltype(s.encode)>(sym("sdrt_spm_encode"));
        s.decode = reinterpret_cast<decltype(s.decode)>(sym("sdrt_spm_decode"));
        s.info = reinterpret_cast<decltype(s.info)>(sym("sdrt_spm_info"));
        s.idToPiece = reinterpret_cast<decltype(s.idToPiece)>(sym("sdrt_spm_id_to_piece"));
        s.pieceToId = reinterpret_cast<decltype(s.pieceToId)>(sym("sdrt_spm_piece_to_id"));
        s.pieceKind = reinterpret_cast<decltype(s.pieceKind)>(sym("sdrt_spm_piece_kind"));
        s.train = reinterpret_cast<decltype(s.train)>(sym("sdrt_spm_train"));
        s.freeBuffer = reinterpret_cast<decltype(s.freeBuffer)>(sym("sdrt_spm_free_buffer"));
        if (!s.load || !s.free || !s.encode || !s.decode || !s.info || !s.idToPiece || !s.pieceToId || !s.pieceKind || !s.train || !s.freeBuffer)
            s.error = "libsdrt_spm.so lacks an expected function (mismatched build?)";
    });
    return s;
}

std::string readFile(const std::string &path, bool *ok)
{
    std::ifstream in(path, std::ios::binary);
    *ok = bool(in);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

Expected<Tokenizer, std::string> Tokenizer::load(const std::string &dir)
{
    if (std::filesystem::exists(dir + "/tokenizer.json")) {
        auto hf = HfTokenizer::load(dir);
        if (!hf)
            return unexpected(hf.error());
        return fromHf(std::make_shared<const HfTokenizer>(std::move(*hf)));
    }
    bool ok = false;
    const std::string proto = readFile(dir + "/tokenizer.model", &ok);
    if (!ok)
        return unexpected(dir + "/tokenizer.model: cannot read (missing file?)");
    std::map<std::string, int> added;
    bool haveConfig = false;
    const std::string configText = readFile(dir + "/tokenizer_config.json", &haveConfig);
    try {
        if (haveConfig) {
            auto j = nlohmann::json::parse(configText);
            if (j.contains("added_tokens_decoder")) {
                for (auto it = j["added_tokens_decoder"].begin(); it != j["added_tokens_decoder"].end(); ++it)
                    added[(*it)["content"].get<std::string>()] = std::stoi(it.key());
            }
        }
        bool haveAdded = false;
        const std::string addedText = readFile(dir + "/added_tokens.json", &haveAdded);
        if (haveAdded) {
            auto j = nlohmann::json::parse(addedText);
            for (auto it = j.begin(); it != j.end(); ++it)
                added[it.key()] = it->get<int>();
        }
    } catch (const std::exception &e) {
        return unexpected(dir + ": invalid tokenizer_config.json or added_tokens.json: " + e.what());
    }
    auto t = fromSerialized(proto, added);
    if (!t)
        return unexpected(dir + "/tokenizer.model: " + t.error());
    return t;
}

Expected<Tokenizer, std::string> Tokenizer::fromSerialized(const std::string &modelProto,
                                                           const std::map<std::string, int> &addedTokens)
{
    const Spm &s = spm();
    if (!s.error.empty())
        return unexpected(s.error);
    char err[512] = {};
    void *handle = s.load(modelProto.data(), modelProto.size(), err, sizeof err);
    if (!handle)
        return unexpected(std::string("not a SentencePiece model: ") + err);
    Tokenizer t;
    t.m_sp = std::shared_ptr<void>(handle, s.free);
    t.m_pieces = s.info(handle, 0);
    t.m_bos = s.info(handle, 1);
    t.m_eos = s.info(handle, 2);
    t.m_unk = s.info(handle, 3);
    t.m_pad = s.info(handle, 4);
    for (const auto &[content, id] : addedTokens) {
        // Added tokens that are ordinary pieces of the model (<s>, </s>, <unk>) need no matching.
        if (id < t.m_pieces && t.piece(id) == content)
            continue;
        t.m_added[content] = id;
        t.m_addedById[id] = content;
    }
    if (auto it = t.m_added.find("<image>"); it != t.m_added.end())
        t.m_image = it->second;
    if (auto it = t.m_added.find("<pad>"); it != t.m_added.end())
        t.m_pad = it->second;
    return t;
}

Expected<Tokenizer, std::string> Tokenizer::fromHf(std::shared_ptr<const HfTokenizer> hf)
{
    Tokenizer t;
    t.m_hf = hf;
    t.m_pieces = hf->vocabSize();
    auto id = [&](const char *token) { return hf->tokenId(token).value_or(-1); };
    t.m_bos = hf->bosId().value_or(id("<s>"));
    t.m_eos = hf->eosId().value_or(id("</s>"));
    t.m_pad = hf->padId().value_or(id("<pad>"));
    t.m_unk = id("<unk>");
    t.m_image = id("<image>");
    for (const HfAddedToken &a : hf->addedTokens()) {
        t.m_added[a.content] = a.id;
        t.m_addedById[a.id] = a.content;
    }
    return t;
}

std::vector<int> Tokenizer::encode(const std::string &text, bool addBos) const
{
    std::vector<int> out;
    if (addBos && m_bos >= 0)
        out.push_back(m_bos);
    if (m_hf) {
        // Text from our own prompts is valid UTF-8; anything else has its bad bytes replaced
        // (U+FFFD) rather than refused in the middle of a run.
        auto ids = m_hf->encode(text, false);
        if (!ids) {
            std::string clean;
            for (unsigned char c : text)
                clean += c < 0x80 ? std::string(1, char(c)) : std::string("\xEF\xBF\xBD");
            ids = m_hf->encode(clean, false);
        }
        if (ids)
            out.insert(out.end(), ids->begin(), ids->end());
        return out;
    }
    const Spm &s = spm();
    auto encodeSegment = [&](const std::string &segment) {
        std::vector<int> ids(segment.size() + 8);
        int n = s.encode(m_sp.get(), segment.data(), segment.size(), ids.data(), int(ids.size()));
        if (n > int(ids.size())) {
            ids.resize(std::size_t(n));
            n = s.encode(m_sp.get(), segment.data(), segment.size(), ids.data(), int(ids.size()));
        }
        if (n > 0)
            out.insert(out.end(), ids.begin(), ids.begin() + n);
    };
    std::size_t pos = 0;
    while (pos <= text.size()) {
        // The earliest added token from here on (the longest when two start together).
        std::size_t best = std::string::npos;
        const std::pair<const std::string, int> *match = nullptr;
        for (const auto &entry : m_added) {
            const std::size_t at = text.find(entry.first, pos);
            if (at != std::string::npos && (at < best || (at == best && entry.first.size() > match->first.size()))) {
                best = at;
                match = &entry;
            }
        }
        const std::string segment = text.substr(pos, best == std::string::npos ? std::string::npos : best - pos);
        if (!segment.empty())
            encodeSegment(segment);
        if (!match)
            break;
        out.push_back(match->second);
        pos = best + match->first.size();
    }
    return out;
}

bool Tokenizer::isText(int id) const
{
    if (m_hf) {
        auto it = m_addedById.find(id);
        if (it == m_addedById.end())
            return id >= 0 && id < m_pieces && id != m_bos && id != m_eos && id != m_pad;
        for (const HfAddedToken &a : m_hf->addedTokens())
            if (a.id == id)
                return !a.special;
        return true;
    }
    return id >= 0 && id < m_pieces && !m_addedById.count(id) && id != m_bos && id != m_eos && id != m_pad;
}

Tokenizer::PieceKind Tokenizer::pieceKind(int id) const
{
    switch (spm().pieceKind(m_sp.get(), id)) {
    case 1: return PieceKind::Control;
    case 2: return PieceKind::Unknown;
    case 3: return PieceKind::Byte;
    default: return PieceKind::Ordinary;
    }
}

std::string Tokenizer::decodeText(const std::vector<int> &ids) const
{
    const Spm &s = spm();
    std::string text(ids.size() * 8 + 16, '\0');
    long n = s.decode(m_sp.get(), ids.data(), int(ids.size()), text.data(), long(text.size()));
    if (n > long(text.size())) {
        text.resize(std::size_t(n));
        n = s.decode(m_sp.get(), ids.data(), int(ids.size()), text.data(), long(text.size()));
    }
    text.resize(std::size_t(std::max(0L, n)));
    return text;
}

std::string Tokenizer::decode(const std::vector<int> &ids) const
{
    if (m_hf) {
        std::vector<int> kept;
        for (int id : ids)
            if (isText(id))
                kept.push_back(id);
        return m_hf->decode(kept, true);
    }
    std::vector<int> plain;
    plain.reserve(ids.size());
    for (int id : ids) {
        if (isText(id))
            plain.push_back(id);
    }
    return decodeText(plain);
}

int Tokenizer::vocabSize() const
{
    if (m_hf)
        return m_hf->vocabSize();
    int n = m_pieces;
    for (const auto &[id, content] : m_addedById)
        n = std::max(n, id + 1);
    return n;
}

int Tokenizer::tokenId(const std::string &piece) const
{
    if (auto it = m_added.find(piece); it != m_added.end())
        return it->second;
    if (m_hf)
        return m_hf->tokenId(piece).value_or(-1);
    const int id = spm().pieceToId(m_sp.get(), piece.data(), piece.size());
    return id == m_unk && piece != this->piece(m_unk) ? -1 : id;
}

std::string Tokenizer::piece(int id) const
{
    if (auto it = m_addedById.find(id); it != m_addedById.end())
        return it->second;
    if (m_hf)
        return m_hf->token(id).value_or(std::string());
    if (id < 0 || id >= m_pieces)
        return {};
    std::string p(64, '\0');
    long n = spm().idToPiece(m_sp.get(), id, p.data(), long(p.size()));
    if (n > long(p.size())) {
        p.resize(std::size_t(n));
        n = spm().idToPiece(m_sp.get(), id, p.data(), long(p.size()));
    }
    p.resize(std::size_t(std::max(0L, n)));
    return p;
}

Expected<std::string, std::string> trainSentencePiece(const std::vector<std::string> &sentences, int vocabSize,
                                                      const std::vector<std::pair<std::string, std::string>> &options)
{
    const Spm &s = spm();
    if (!s.error.empty())
        return unexpected(s.error);
    std::vector<std::pair<std::string, std::string>> args = {
        {"model_type", "bpe"},
        {"vocab_size", std::to_string(vocabSize)},
        {"character_coverage", "1.0"},
        {"byte_fallback", "true"},
        {"split_digits", "true"},
        {"bos_id", "1"},
        {"eos_id", "2"},
        {"unk_id", "0"},
        {"pad_id", "-1"},
        {"num_threads", "1"},
        {"minloglevel", "2"},
        {"max_sentence_length", "8192"},
        {"input_sentence_size", "0"},
        {"shuffle_input_sentence", "false"},
        {"hard_vocab_limit", "false"},
    };
    for (const auto &[key, value] : options) {
        auto it = std::find_if(args.begin(), args.end(), [&](const auto &a) { return a.first == key; });
        if (it != args.end())
            it->second = value;
        else
            args.emplace_back(key, value);
    }
    std::vector<const char *> keys, values, lines;
    for (const auto &[k, v] : args) {
        keys.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    for (const auto &l : sentences)
        lines.push_back(l.c_str());
    char *out = nullptr;
    std::size_t outLen = 0;
    char err[1024] = {};
    if (s.train(lines.data(), int(lines.size()), keys.data(), values.data(), int(keys.size()), &out, &outLen, err, sizeof err) != 0)
        return unexpected(std::string("SentencePiece training failed: ") + err);
    std::string proto(out, outLen);
    s.freeBuffer(out);
    return proto;
}

} // namespace sdrt::model
