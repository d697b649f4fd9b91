#pragma once
// The stages of a tokenizer.json (HfTokenizer.h lists what each supports), each read from its
// JSON by a `…Of(json, path)` function whose errors name the JSON path of the field:
//   HfNormalizer.cpp      normalizers
//   HfPreTokenizer.cpp    pre-tokenizers
//   HfBpe.cpp             the BPE model
//   HfPostProcessor.cpp   post-processors (the special tokens encode() adds)
//   HfDecoder.cpp         decoders
//   HfAddedTokens.cpp     added tokens, cut out of the text before the rest is tokenized
// HfTokenizer.cpp puts them together. Private to core/model.
//
// Every stage is immutable once read, so one loaded tokenizer serves several threads.

#include "HfText.h"
#include "sdrt/model/HfTokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <unordered_map>

namespace sdrt::model::hf {

using json = nlohmann::json;

// --- Reading the JSON -----------------------------------------------------------------------------

std::string typeOf(const json &j); // "type", or empty
bool flag(const json &j, const char *key, bool fallback);
std::string text(const json &j, const char *key, const std::string &fallback = {});

// The value that `name` stands for in `names`, or nullopt.
template <typename E, std::size_t N>
std::optional<E> named(const std::string &name, const std::array<std::pair<std::string_view, E>, N> &names)
{
    for (const auto &[n, value] : names)
        if (name == n)
            return value;
    return std::nullopt;
}

// One kind of a stage: its "type" and the function that reads it.
template <typename T>
struct Kind {
    std::string_view type;
    Expected<T, std::string> (*read)(const json &j, const std::string &path);
};

// Reads `j` (a `what`, such as "normalizer") by its "type" with the reader of that name; null is
// the stage left out, T(). Other types are refused, naming those that are supported.
template <typename T, std::size_t N>
Expected<T, std::string> readKind(const json &j, const std::string &path, const char *what, const std::array<Kind<T>, N> &kinds)
{
    if (j.is_null())
        return T();
    const std::string t = typeOf(j);
    std::string supported;
    for (const Kind<T> &k : kinds) {
        if (t == k.type)
            return k.read(j, path);
        supported += (supported.empty() ? "" : ", ") + std::string(k.type);
    }
    return unexpected(path + ": the " + what + " type \"" + t + "\" is not supported (supported: " + supported + ")");
}

// A stage without settings.
template <typename Ptr, typename S>
Expected<Ptr, std::string> readPlain(const json &, const std::string &)
{
    return Ptr(std::make_shared<S>());
}

// A Sequence stage S: its parts read from j[S::key] with `Read` (parts that are null, stages
// left out, are dropped).
template <typename S, auto Read>
auto readSequence(const json &j, const std::string &path) -> decltype(Read(j, path))
{
    using Ptr = typename decltype(S::parts)::value_type;
    auto sequence = std::make_shared<S>();
    const json &list = j.value(S::key, json::array());
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto part = Read(list[i], path + "." + S::key + "[" + std::to_string(i) + "]");
        if (!part)
            return unexpected(part.error());
        if (*part)
            sequence->parts.push_back(*part);
    }
    return Ptr(sequence);
}

// A pattern field: {"String": "…"} or {"Regex": "…"}.
Expected<std::shared_ptr<Regex>, std::string> patternOf(const json &j, const std::string &path);
// A split behavior ("Removed", "Isolated", …); null is `fallback`.
Expected<Behavior, std::string> behaviorOf(const json &j, const std::string &path, Behavior fallback);

// The Replace normalizer and decoder: each match of `pattern` becomes `content`.
struct Replacement {
    std::shared_ptr<Regex> pattern;
    std::string content;
    std::string apply(const std::string &s) const { return pattern->replaceAll(s, content); }
};
Expected<Replacement, std::string> replacementOf(const json &j, const std::string &path);

// The Replace stage S, made from its Replacement.
template <typename Ptr, typename S>
Expected<Ptr, std::string> readReplace(const json &j, const std::string &path)
{
    auto r = replacementOf(j, path);
    if (!r)
        return unexpected(r.error());
    return Ptr(std::make_shared<S>(std::move(*r)));
}

// Metaspace's prepend_scheme ("always", "first", "never"), add_prefix_space in older files.
std::string prependSchemeOf(const json &j);

// --- Normalizers (HfNormalizer.cpp) ---------------------------------------------------------------

struct Normalizer {
    virtual ~Normalizer() = default;
    virtual void apply(std::string &s) const = 0;
};
using NormalizerPtr = std::shared_ptr<const Normalizer>;
Expected<NormalizerPtr, std::string> normalizerOf(const json &j, const std::string &path);

// --- Pre-tokenizers (HfPreTokenizer.cpp) ----------------------------------------------------------

struct Piece {
    std::string text;
    bool atStart; // begins at offset 0 of the original text (Metaspace's "first")
};

struct PreTokenizer {
    virtual ~PreTokenizer() = default;
    virtual void apply(std::vector<Piece> &pieces) const = 0;
};
using PreTokenizerPtr = std::shared_ptr<const PreTokenizer>;
Expected<PreTokenizerPtr, std::string> preTokenizerOf(const json &j, const std::string &path);

// --- The BPE model (HfBpe.cpp) --------------------------------------------------------------------

struct Bpe {
    std::unordered_map<std::string, int> vocab;
    std::vector<std::string> byId;
    struct Merge {
        int rank, id;
    };
    std::unordered_map<std::uint64_t, Merge> merges;
    std::optional<int> unk;
    std::string prefix, suffix;
    bool fuseUnk = false, byteFallback = false, ignoreMerges = false;
    bool byteLevel = false; // for describe()

    static std::uint64_t key(int a, int b) { return (std::uint64_t(std::uint32_t(a)) << 32) | std::uint32_t(b); }

    // Appends the ids of the word `w` to `out`.
    Expected<void, std::string> tokenize(const std::string &w, std::vector<int> &out) const;

private:
    Expected<std::vector<int>, std::string> characterIds(const std::string &w) const;
    std::optional<std::vector<int>> byteIds(const std::string &s) const;
    void applyMerges(const std::vector<int> &ids, std::vector<int> &out) const;
};
Expected<Bpe, std::string> bpeOf(const json &m, const std::string &path);

// --- Post-processors (HfPostProcessor.cpp) --------------------------------------------------------

// What encode() makes of the encoded text when asked for special tokens.
struct Template {
    // Each entry: a special token's ids, or (empty + sequence) the encoded text.
    struct Part {
        bool sequence = false;
        std::vector<int> ids;
    };
    std::vector<Part> single = {Part{true, {}}}; // the text alone
    std::vector<int> apply(const std::vector<int> &ids) const;
};
Expected<Template, std::string> postProcessorOf(const json &j, const std::string &path);

// --- Decoders (HfDecoder.cpp) ---------------------------------------------------------------------

struct Decoder {
    virtual ~Decoder() = default;
    virtual std::vector<std::string> apply(std::vector<std::string> tokens) const = 0;
};
using DecoderPtr = std::shared_ptr<const Decoder>;
Expected<DecoderPtr, std::string> decoderOf(const json &j, const std::string &path);

// --- Added tokens (HfAddedTokens.cpp) -------------------------------------------------------------

// A byte trie, matched leftmost-longest.
struct Trie {
    struct Node {
        std::map<unsigned char, int> next;
        int token = -1; // index into the added tokens
    };
    std::vector<Node> nodes{Node{}};
    bool empty = true;
    void add(const std::string &s, int token);
    // The longest token starting at i: (token, end) or token -1.
    std::pair<int, std::size_t> longestAt(std::string_view s, std::size_t i) const;
};

// A stretch of the text: an added token or text still to tokenize.
struct Segment {
    std::string text;
    int token = -1;       // index into AddedTokens::list, or -1
    bool atStart = false; // begins at offset 0 of the original text
};

struct AddedTokens {
    std::vector<HfAddedToken> list;
    std::unordered_map<int, std::size_t> byId;
    std::unordered_map<std::string, std::size_t> byContent;
    Trie raw, normalized; // matched before / after normalization

    // Cuts the tokens of `trie` out of `s`, in order; the stretches cover `s`.
    std::vector<Segment> cut(const Trie &trie, const std::string &s) const;
};
Expected<AddedTokens, std::string> addedTokensOf(const json &list);

} // namespace sdrt::model::hf
