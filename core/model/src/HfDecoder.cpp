// Decoders: the tokens of decode() turned back into text, a chain of steps over the token list.

#include "HfTokenizerParts.h"

namespace sdrt::model::hf {
namespace {

struct ByteLevelD final : Decoder {
    std::vector<std::string> apply(std::vector<std::string> tokens) const override
    {
        const ByteAlphabet &a = byteAlphabet();
        std::string bytes;
        for (const std::string &t : tokens) {
            std::string mine;
            bool all = true;
            for (const CodePoint &c : codePoints(t)) {
                auto it = a.toByte.find(c.value);
                if (it == a.toByte.end()) {
                    all = false;
                    break;
                }
                mine += char(it->second);
            }
            bytes += all ? mine : t;
        }
        return {fromUtf8Lossy(bytes)};
    }
};

struct ReplaceD final : Decoder {
    Replacement replacement;
    explicit ReplaceD(Replacement r) : replacement(std::move(r)) {}
    std::vector<std::string> apply(std::vector<std::string> tokens) const override
    {
        for (std::string &t : tokens)
            t = replacement.apply(t);
        return tokens;
    }
};

struct ByteFallbackD final : Decoder {
    static int byteOf(const std::string &t)
    {
        if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>')
            return -1;
        auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
        const int h = hex(t[3]), l = hex(t[4]);
        return h < 0 || l < 0 ? -1 : h * 16 + l;
    }
    std::vector<std::string> apply(std::vector<std::string> tokens) const override
    {
        std::vector<std::string> out;
        std::string pending;
        auto flush = [&] {
            if (pending.empty())
                return;
            if (firstInvalidUtf8(pending) == std::string_view::npos)
                out.push_back(pending);
            else
                for (std::size_t i = 0; i < pending.size(); ++i)
                    out.push_back("\xEF\xBF\xBD");
            pending.clear();
        };
        for (std::string &t : tokens) {
            const int b = byteOf(t);
            if (b >= 0) {
                pending += char(b);
            } else {
                flush();
                out.push_back(std::move(t));
            }
        }
        flush();
        return out;
    }
};

struct FuseD final : Decoder {
    std::vector<std::string> apply(std::vector<std::string> tokens) const override
    {
        std::string all;
        for (const auto &t : tokens)
            all += t;
        return {all};
    }
};

struct StripD final : Decoder {
    char32_t content = U' ';
    std::size_t start = 0, stop = 0;
    std::vector<std::string> apply(std::vector<std::string> tokens) const override
    {
        for (std::string &t : tokens)
            t = trimCodePoints(t, start, stop, [&](char32_t c) { return c == content; });
        return tokens;
    }
};

struct MetaspaceD final : Decoder {
    std::string replacement;
    bool prepend = true;
    std::vector<std::string> apply(std::vector<std::string> tokens) const override
    {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            std::string out;
            const std::string &t = tokens[i];
            for (std::size_t k = 0; k < t.size();) {
                if (!replacement.empty() && t.compare(k, replacement.size(), replacement) == 0) {
                    out += ' ';
                    k += replacement.size();
                } else {
                    out += t[k++];
                }
            }
            if (i == 0 && prepend && !out.empty() && out.front() == ' ')
                out.erase(0, 1);
            tokens[i] = std::move(out);
        }
        return tokens;
    }
};

struct SequenceD final : Decoder {
    static constexpr const char *key = "decoders";
    std::vector<DecoderPtr> parts;
    std::vector<std::string> apply(std::vector<std::string> tokens) const override
    {
        for (const auto &p : parts)
            tokens = p->apply(std::move(tokens));
        return tokens;
    }
};

Expected<DecoderPtr, std::string> readStrip(const json &j, const std::string &path)
{
    auto d = std::make_shared<StripD>();
    const auto cps = codePoints(text(j, "content", " "));
    if (cps.size() != 1)
        return unexpected(path + ".content: must be one character");
    d->content = cps[0].value;
    d->start = j.value("start", 0);
    d->stop = j.value("stop", 0);
    return DecoderPtr(d);
}

Expected<DecoderPtr, std::string> readMetaspace(const json &j, const std::string &)
{
    auto d = std::make_shared<MetaspaceD>();
    d->replacement = text(j, "replacement", "\u2581");
    d->prepend = prependSchemeOf(j) != "never";
    return DecoderPtr(d);
}

// In the order the message of an unsupported type lists them.
constexpr std::array<Kind<DecoderPtr>, 7> kDecoders{{
    {"ByteLevel", readPlain<DecoderPtr, ByteLevelD>},
    {"Replace", readReplace<DecoderPtr, ReplaceD>},
    {"ByteFallback", readPlain<DecoderPtr, ByteFallbackD>},
    {"Fuse", readPlain<DecoderPtr, FuseD>},
    {"Strip", readStrip},
    {"Metaspace", readMetaspace},
    {"Sequence", readSequence<SequenceD, decoderOf>},
}};

} // namespace

Expected<DecoderPtr, std::string> decoderOf(const json &j, const std::string &path)
{
    return readKind(j, path, "decoder", kDecoders);
}

} // namespace sdrt::model::hf
