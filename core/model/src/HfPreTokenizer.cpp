// Pre-tokenizers: the normalized text split into the words the model tokenizes one by one.

#include "HfTokenizerParts.h"

namespace sdrt::model::hf {
namespace {

// Replaces each piece by its splits (the first split keeps the piece's atStart).
template <typename Splitter>
void splitEach(std::vector<Piece> &pieces, Splitter splitter)
{
    std::vector<Piece> out;
    out.reserve(pieces.size());
    for (Piece &p : pieces) {
        bool first = true;
        for (std::string &s : splitter(p)) {
            out.push_back({std::move(s), p.atStart && first});
            first = false;
        }
    }
    pieces = std::move(out);
}

struct SplitP final : PreTokenizer {
    std::shared_ptr<Regex> pattern;
    Behavior behavior = Behavior::Removed;
    bool invert = false;
    void apply(std::vector<Piece> &pieces) const override
    {
        splitEach(pieces, [&](const Piece &p) { return splitAt(p.text, pattern->findAll(p.text), behavior, invert); });
    }
};

const char *kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

struct ByteLevelP final : PreTokenizer {
    bool addPrefixSpace = false;
    bool useRegex = true;
    std::shared_ptr<Regex> gpt2;
    void apply(std::vector<Piece> &pieces) const override
    {
        splitEach(pieces, [&](const Piece &p) {
            std::string s = p.text;
            if (addPrefixSpace && (s.empty() || s.front() != ' '))
                s.insert(0, " ");
            if (!useRegex)
                return std::vector<std::string>{s};
            return splitAt(s, gpt2->findAll(s), Behavior::Isolated);
        });
        const ByteAlphabet &a = byteAlphabet();
        for (Piece &p : pieces) {
            std::string mapped;
            mapped.reserve(p.text.size() * 2);
            for (unsigned char b : p.text)
                mapped += a.toChar[b];
            p.text = std::move(mapped);
        }
    }
};

enum class PrependScheme { Always, First, Never };

struct MetaspaceP final : PreTokenizer {
    char32_t replacement = U'\u2581';
    std::string replacementText;
    PrependScheme scheme = PrependScheme::Always;
    bool split = true;
    void apply(std::vector<Piece> &pieces) const override
    {
        splitEach(pieces, [&](const Piece &p) {
            std::string s;
            for (char c : p.text) {
                if (c == ' ')
                    s += replacementText;
                else
                    s += c;
            }
            const bool startsWith = s.compare(0, replacementText.size(), replacementText) == 0;
            if (!startsWith && (scheme == PrependScheme::Always || (scheme == PrependScheme::First && p.atStart)))
                s.insert(0, replacementText);
            if (!split)
                return std::vector<std::string>{s};
            return splitAt(s, charMatches(s, [&](char32_t c) { return c == replacement; }), Behavior::MergedWithNext);
        });
    }
};

struct CharSplitP final : PreTokenizer {
    enum class Kind { Digits, Punctuation, WhitespaceSplit } kind;
    Behavior behavior;
    explicit CharSplitP(Kind k, Behavior b) : kind(k), behavior(b) {}
    void apply(std::vector<Piece> &pieces) const override
    {
        splitEach(pieces, [&](const Piece &p) {
            auto pred = [&](char32_t c) {
                return kind == Kind::Digits ? isNumeric(c) : kind == Kind::Punctuation ? isPunctuation(c) : isWhitespace(c);
            };
            return splitAt(p.text, charMatches(p.text, pred), behavior);
        });
    }
};

struct SequenceP final : PreTokenizer {
    static constexpr const char *key = "pretokenizers";
    std::vector<PreTokenizerPtr> parts;
    void apply(std::vector<Piece> &pieces) const override
    {
        for (const auto &p : parts)
            p->apply(pieces);
    }
};

Expected<PreTokenizerPtr, std::string> readSplit(const json &j, const std::string &path)
{
    auto pattern = patternOf(j.value("pattern", json()), path + ".pattern");
    if (!pattern)
        return unexpected(pattern.error());
    auto b = behaviorOf(j.value("behavior", json()), path + ".behavior", Behavior::Removed);
    if (!b)
        return unexpected(b.error());
    auto p = std::make_shared<SplitP>();
    p->pattern = *pattern;
    p->behavior = *b;
    p->invert = flag(j, "invert", false);
    return PreTokenizerPtr(p);
}

Expected<PreTokenizerPtr, std::string> readByteLevel(const json &j, const std::string &)
{
    auto p = std::make_shared<ByteLevelP>();
    p->addPrefixSpace = flag(j, "add_prefix_space", true);
    p->useRegex = flag(j, "use_regex", true);
    auto re = Regex::compile(kGpt2Pattern);
    if (!re)
        return unexpected(re.error());
    p->gpt2 = *re;
    return PreTokenizerPtr(p);
}

Expected<PreTokenizerPtr, std::string> readMetaspace(const json &j, const std::string &path)
{
    static constexpr std::array<std::pair<std::string_view, PrependScheme>, 3> schemes{{
        {"always", PrependScheme::Always},
        {"first", PrependScheme::First},
        {"never", PrependScheme::Never},
    }};
    auto p = std::make_shared<MetaspaceP>();
    p->replacementText = text(j, "replacement", "\u2581");
    const auto cps = codePoints(p->replacementText);
    if (cps.size() != 1)
        return unexpected(path + ".replacement: must be one character");
    p->replacement = cps[0].value;
    const std::string scheme = prependSchemeOf(j);
    const auto known = named(scheme, schemes);
    if (!known)
        return unexpected(path + ".prepend_scheme: unknown value \"" + scheme + "\"");
    p->scheme = *known;
    p->split = flag(j, "split", true);
    return PreTokenizerPtr(p);
}

Expected<PreTokenizerPtr, std::string> readDigits(const json &j, const std::string &)
{
    const Behavior b = flag(j, "individual_digits", false) ? Behavior::Isolated : Behavior::Contiguous;
    return PreTokenizerPtr(std::make_shared<CharSplitP>(CharSplitP::Kind::Digits, b));
}

Expected<PreTokenizerPtr, std::string> readPunctuation(const json &j, const std::string &path)
{
    auto b = behaviorOf(j.value("behavior", json()), path + ".behavior", Behavior::Isolated);
    if (!b)
        return unexpected(b.error());
    return PreTokenizerPtr(std::make_shared<CharSplitP>(CharSplitP::Kind::Punctuation, *b));
}

// Whitespace is a Split on the words and the runs of other non-space characters.
Expected<PreTokenizerPtr, std::string> readWhitespace(const json &, const std::string &)
{
    auto re = Regex::compile(R"(\w+|[^\w\s]+)");
    if (!re)
        return unexpected(re.error());
    auto p = std::make_shared<SplitP>();
    p->pattern = *re;
    p->behavior = Behavior::Removed;
    p->invert = true;
    return PreTokenizerPtr(p);
}

Expected<PreTokenizerPtr, std::string> readWhitespaceSplit(const json &, const std::string &)
{
    return PreTokenizerPtr(std::make_shared<CharSplitP>(CharSplitP::Kind::WhitespaceSplit, Behavior::Removed));
}

// In the order the message of an unsupported type lists them.
constexpr std::array<Kind<PreTokenizerPtr>, 8> kPreTokenizers{{
    {"Split", readSplit},
    {"ByteLevel", readByteLevel},
    {"Metaspace", readMetaspace},
    {"Digits", readDigits},
    {"Punctuation", readPunctuation},
    {"Whitespace", readWhitespace},
    {"WhitespaceSplit", readWhitespaceSplit},
    {"Sequence", readSequence<SequenceP, preTokenizerOf>},
}};

} // namespace

Expected<PreTokenizerPtr, std::string> preTokenizerOf(const json &j, const std::string &path)
{
    return readKind(j, path, "pre-tokenizer", kPreTokenizers);
}

} // namespace sdrt::model::hf
