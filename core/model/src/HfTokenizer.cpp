#include "sdrt/model/HfTokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <queue>
#include <sstream>
#include <unordered_map>

namespace sdrt::model {
namespace {

using json = nlohmann::json;

// --- UTF-8 ------------------------------------------------------------------------------------

// Length of the valid UTF-8 sequence at s[i], or 0.
std::size_t utf8Length(std::string_view s, std::size_t i)
{
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size())
        return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
            return 0;
    utf8proc_int32_t cp = 0;
    if (utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t *>(s.data() + i), utf8proc_ssize_t(n), &cp) != utf8proc_ssize_t(n))
        return 0; // overlong forms, surrogates, beyond U+10FFFF
    return n;
}

// The offset of the first byte that is not valid UTF-8, or npos.
std::size_t firstInvalidUtf8(std::string_view s)
{
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8Length(s, i);
        if (n == 0)
            return i;
        i += n;
    }
    return std::string_view::npos;
}

// Code points of valid UTF-8 with their byte offsets.
struct CodePoint {
    std::size_t offset, length;
    char32_t value;
};

std::vector<CodePoint> codePoints(std::string_view s)
{
    std::vector<CodePoint> out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        utf8proc_int32_t cp = 0;
        const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t *>(s.data() + i), utf8proc_ssize_t(s.size() - i), &cp);
        const std::size_t len = n > 0 ? std::size_t(n) : 1;
        out.push_back({i, len, char32_t(n > 0 ? cp : 0xFFFD)});
        i += len;
    }
    return out;
}

void appendUtf8(std::string &out, char32_t cp)
{
    utf8proc_uint8_t buf[4];
    const auto n = utf8proc_encode_char(utf8proc_int32_t(cp), buf);
    out.append(reinterpret_cast<const char *>(buf), std::size_t(n));
}

bool isWhitespace(char32_t c) // Rust's char::is_whitespace (the White_Space property)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028
           || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

utf8proc_category_t category(char32_t c)
{
    return utf8proc_category(utf8proc_int32_t(c));
}

bool isNumeric(char32_t c) // Rust's char::is_numeric: Nd, Nl, No
{
    const auto k = category(c);
    return k == UTF8PROC_CATEGORY_ND || k == UTF8PROC_CATEGORY_NL || k == UTF8PROC_CATEGORY_NO;
}

bool isAlphabetic(char32_t c)
{
    const auto k = category(c);
    return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LL || k == UTF8PROC_CATEGORY_LT || k == UTF8PROC_CATEGORY_LM
           || k == UTF8PROC_CATEGORY_LO || k == UTF8PROC_CATEGORY_NL;
}

bool isWordChar(char32_t c) // the added-token single_word rule: the regex crate's Unicode \w
{
    const auto k = category(c);
    return isAlphabetic(c) || k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC || k == UTF8PROC_CATEGORY_ME || k == UTF8PROC_CATEGORY_ND
           || k == UTF8PROC_CATEGORY_PC || c == 0x200C || c == 0x200D;
}

bool isPunctuation(char32_t c) // ASCII punctuation or a Unicode P* category
{
    if (c < 0x80)
        return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
    const auto k = category(c);
    return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}

// --- Byte-level alphabet (GPT-2's bytes_to_unicode) --------------------------------------------

struct ByteAlphabet {
    std::array<std::string, 256> toChar;
    std::unordered_map<char32_t, unsigned char> toByte;
    ByteAlphabet()
    {
        std::array<char32_t, 256> cs{};
        std::array<bool, 256> printable{};
        for (int b = '!'; b <= '~'; ++b)
            printable[std::size_t(b)] = true;
        for (int b = 0xA1; b <= 0xAC; ++b)
            printable[std::size_t(b)] = true;
        for (int b = 0xAE; b <= 0xFF; ++b)
            printable[std::size_t(b)] = true;
        int n = 0;
        for (int b = 0; b < 256; ++b)
            cs[std::size_t(b)] = printable[std::size_t(b)] ? char32_t(b) : char32_t(256 + n++);
        for (int b = 0; b < 256; ++b) {
            appendUtf8(toChar[std::size_t(b)], cs[std::size_t(b)]);
            toByte[cs[std::size_t(b)]] = static_cast<unsigned char>(b);
        }
    }
};

const ByteAlphabet &byteAlphabet()
{
    static const ByteAlphabet a;
    return a;
}

// --- Regular expressions (PCRE2, UTF + Unicode properties) -------------------------------------

// The shorthands as Oniguruma reads them with Unicode (what tokenizer.json's patterns are written
// for): \w is Letter | Mark | Number | Connector_Punctuation and \s the White_Space property.
// PCRE2's own \w leaves out marks and most connectors, and its \s U+0085, so they are spelled
// out. (\W and \S inside a bracket are left to PCRE2.)
std::string onigurumaShorthands(const std::string &pattern)
{
    static const std::string word = R"(\p{L}\p{M}\p{N}\p{Pc})", space = R"(\t-\r\x{85}\p{Z})";
    std::string out;
    int depth = 0; // inside [...]
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            const char n = pattern[++i];
            if (n == 'Q') { // quoted up to \E: copied as it is
                const std::size_t end = pattern.find("\\E", i + 1);
                const std::size_t stop = end == std::string::npos ? pattern.size() : end + 2;
                out += pattern.substr(i - 1, stop - (i - 1));
                i = stop - 1;
                continue;
            }
            if (n == 'w')
                out += depth ? word : "[" + word + "]";
            else if (n == 's')
                out += depth ? space : "[" + space + "]";
            else if (n == 'W' && !depth)
                out += "[^" + word + "]";
            else if (n == 'S' && !depth)
                out += "[^" + space + "]";
            else
                out += {c, n};
            continue;
        }
        if (c == '[') {
            ++depth;
            out += c;
            if (i + 1 < pattern.size() && pattern[i + 1] == '^')
                out += pattern[++i];
            if (i + 1 < pattern.size() && pattern[i + 1] == ']') // a leading ] is a literal
                out += pattern[++i];
            continue;
        }
        if (c == ']' && depth > 0)
            --depth;
        out += c;
    }
    return out;
}

class Regex {
public:
    static Expected<std::shared_ptr<Regex>, std::string> compile(const std::string &written)
    {
        const std::string pattern = onigurumaShorthands(written);
        int error = 0;
        PCRE2_SIZE at = 0;
        pcre2_code *code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP, &error, &at, nullptr);
        if (!code) {
            PCRE2_UCHAR message[256];
            pcre2_get_error_message(error, message, sizeof message);
            return unexpected("the regular expression \"" + written + "\" does not compile at offset " + std::to_string(at) + ": "
                              + reinterpret_cast<const char *>(message));
        }
        (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); // faster when available; the interpreter otherwise
        auto r = std::make_shared<Regex>();
        r->m_code = code;
        return r;
    }
    Regex() = default;
    Regex(const Regex &) = delete;
    Regex &operator=(const Regex &) = delete;
    ~Regex()
    {
        if (m_code)
            pcre2_code_free(m_code);
    }

    // Every match, left to right, as Oniguruma's find_iter gives them (after an empty match the
    // search goes on one character later).
    std::vector<std::pair<std::size_t, std::size_t>> findAll(std::string_view s) const
    {
        std::vector<std::pair<std::size_t, std::size_t>> out;
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(m_code, nullptr);
        std::size_t offset = 0;
        while (offset <= s.size()) {
            const int rc = pcre2_match(m_code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), offset, PCRE2_NO_UTF_CHECK, md, nullptr);
            if (rc < 0)
                break;
            const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            const std::size_t start = ov[0], end = ov[1];
            out.emplace_back(start, end);
            if (end > start) {
                offset = end;
            } else {
                if (end >= s.size())
                    break;
                const std::size_t n = utf8Length(s, end);
                offset = end + (n ? n : 1);
            }
        }
        pcre2_match_data_free(md);
        return out;
    }

    std::string replaceAll(std::string_view s, const std::string &with) const
    {
        std::string out;
        std::size_t prev = 0;
        for (const auto &[a, b] : findAll(s)) {
            out.append(s.substr(prev, a - prev));
            out += with;
            prev = b;
        }
        out.append(s.substr(prev));
        return out;
    }

private:
    pcre2_code *m_code = nullptr;
};

std::string escapeRegex(const std::string &literal)
{
    // \Q…\E quotes everything up to \E; a literal "\E" is split around.
    std::string out = "\\Q";
    for (std::size_t i = 0; i < literal.size(); ++i) {
        if (literal.compare(i, 2, "\\E") == 0) {
            out += "\\E\\\\E\\Q";
            ++i;
        } else {
            out += literal[i];
        }
    }
    return out + "\\E";
}

// A pattern field: {"String": "…"} or {"Regex": "…"}.
Expected<std::shared_ptr<Regex>, std::string> patternOf(const json &j, const std::string &path)
{
    if (!j.is_object())
        return unexpected(path + ": a pattern must be {\"String\": …} or {\"Regex\": …}");
    if (j.contains("String") && j["String"].is_string())
        return Regex::compile(escapeRegex(j["String"].get<std::string>()));
    if (j.contains("Regex") && j["Regex"].is_string()) {
        auto r = Regex::compile(j["Regex"].get<std::string>());
        if (!r)
            return unexpected(path + ": " + r.error());
        return r;
    }
    return unexpected(path + ": a pattern must be {\"String\": …} or {\"Regex\": …}");
}

// --- Splitting with a behavior (NormalizedString::split) ---------------------------------------

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

using Span = std::pair<std::size_t, std::size_t>;

// Covers `size` bytes with the matches and the gaps between them (a match flagged true).
std::vector<std::pair<Span, bool>> cover(std::size_t size, const std::vector<Span> &matches)
{
    std::vector<std::pair<Span, bool>> out;
    if (size == 0) {
        out.push_back({{0, 0}, false});
        return out;
    }
    std::size_t prev = 0;
    for (const auto &[a, b] : matches) {
        if (prev != a)
            out.push_back({{prev, a}, false});
        out.push_back({{a, b}, true});
        prev = b;
    }
    if (prev != size)
        out.push_back({{prev, size}, false});
    return out;
}

std::vector<std::string> applyBehavior(std::string_view s, std::vector<std::pair<Span, bool>> splits, Behavior behavior, bool invert)
{
    if (invert)
        for (auto &sp : splits)
            sp.second = !sp.second;
    std::vector<std::pair<Span, bool>> kept; // (span, remove)
    switch (behavior) {
    case Behavior::Isolated:
        for (auto &sp : splits)
            kept.push_back({sp.first, false});
        break;
    case Behavior::Removed:
        kept = splits;
        break;
    case Behavior::Contiguous: {
        bool previous = false;
        for (auto &[span, match] : splits) {
            if (match == previous && !kept.empty())
                kept.back().first.second = span.second;
            else
                kept.push_back({span, false});
            previous = match;
        }
        break;
    }
    case Behavior::MergedWithPrevious: {
        bool previous = false;
        for (auto &[span, match] : splits) {
            if (match && !previous && !kept.empty())
                kept.back().first.second = span.second;
            else
                kept.push_back({span, false});
            previous = match;
        }
        break;
    }
    case Behavior::MergedWithNext: {
        bool previous = false;
        for (auto it = splits.rbegin(); it != splits.rend(); ++it) {
            if (it->second && !previous && !kept.empty())
                kept.back().first.first = it->first.first;
            else
                kept.push_back({it->first, false});
            previous = it->second;
        }
        std::reverse(kept.begin(), kept.end());
        break;
    }
    }
    std::vector<std::string> out;
    for (const auto &[span, remove] : kept)
        if (!remove && span.second > span.first)
            out.emplace_back(s.substr(span.first, span.second - span.first));
    return out;
}

// Each code point for which `pred` holds is a match of its own.
template <typename Pred>
std::vector<Span> charMatches(std::string_view s, Pred pred)
{
    std::vector<Span> out;
    for (const CodePoint &c : codePoints(s))
        if (pred(c.value))
            out.emplace_back(c.offset, c.offset + c.length);
    return out;
}

Expected<Behavior, std::string> behaviorOf(const json &j, const std::string &path, Behavior fallback)
{
    if (j.is_null())
        return fallback;
    if (!j.is_string())
        return unexpected(path + ": a behavior is a string");
    const std::string b = j.get<std::string>();
    if (b == "Removed")
        return Behavior::Removed;
    if (b == "Isolated")
        return Behavior::Isolated;
    if (b == "MergedWithPrevious")
        return Behavior::MergedWithPrevious;
    if (b == "MergedWithNext")
        return Behavior::MergedWithNext;
    if (b == "Contiguous")
        return Behavior::Contiguous;
    return unexpected(path + ": unknown split behavior \"" + b + "\"");
}

// --- Normalizers --------------------------------------------------------------------------------

struct Normalizer {
    virtual ~Normalizer() = default;
    virtual void apply(std::string &s) const = 0;
};
using NormalizerPtr = std::shared_ptr<const Normalizer>;

struct UnicodeForm final : Normalizer {
    utf8proc_option_t options;
    explicit UnicodeForm(utf8proc_option_t o) : options(o) {}
    void apply(std::string &s) const override
    {
        if (s.empty())
            return;
        utf8proc_uint8_t *out = nullptr;
        const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t *>(s.data()), utf8proc_ssize_t(s.size()), &out,
                                    utf8proc_option_t(options | UTF8PROC_STABLE));
        if (n >= 0 && out)
            s.assign(reinterpret_cast<const char *>(out), std::size_t(n));
        std::free(out);
    }
};

struct Lowercase final : Normalizer {
    void apply(std::string &s) const override
    {
        std::string out;
        out.reserve(s.size());
        for (const CodePoint &c : codePoints(s)) {
            if (c.value == 0x130) // İ: the one unconditional full mapping (Rust's char::to_lowercase gives "i̇")
                out += "i\xCC\x87";
            else
                appendUtf8(out, char32_t(utf8proc_tolower(utf8proc_int32_t(c.value))));
        }
        s = std::move(out);
    }
};

struct ReplaceN final : Normalizer {
    std::shared_ptr<Regex> pattern;
    std::string content;
    void apply(std::string &s) const override { s = pattern->replaceAll(s, content); }
};

struct PrependN final : Normalizer {
    std::string prefix;
    void apply(std::string &s) const override
    {
        if (!s.empty())
            s.insert(0, prefix);
    }
};

struct StripN final : Normalizer {
    bool left = true, right = true;
    void apply(std::string &s) const override
    {
        const auto cps = codePoints(s);
        std::size_t a = 0, b = cps.size();
        if (left)
            while (a < b && isWhitespace(cps[a].value))
                ++a;
        if (right)
            while (b > a && isWhitespace(cps[b - 1].value))
                --b;
        const std::size_t from = a < cps.size() ? cps[a].offset : s.size();
        const std::size_t to = b > 0 ? cps[b - 1].offset + cps[b - 1].length : 0;
        s = to > from ? s.substr(from, to - from) : std::string();
    }
};

struct SequenceN final : Normalizer {
    std::vector<NormalizerPtr> parts;
    void apply(std::string &s) const override
    {
        for (const auto &p : parts)
            p->apply(s);
    }
};

std::string typeOf(const json &j)
{
    return j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : std::string();
}

bool flag(const json &j, const char *key, bool fallback)
{
    return j.contains(key) && j[key].is_boolean() ? j[key].get<bool>() : fallback;
}

std::string text(const json &j, const char *key, const std::string &fallback = {})
{
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}

Expected<NormalizerPtr, std::string> normalizerOf(const json &j, const std::string &path)
{
    if (j.is_null())
        return NormalizerPtr();
    const std::string t = typeOf(j);
    if (t == "NFC")
        return NormalizerPtr(std::make_shared<UnicodeForm>(utf8proc_option_t(UTF8PROC_COMPOSE)));
    if (t == "NFD")
        return NormalizerPtr(std::make_shared<UnicodeForm>(utf8proc_option_t(UTF8PROC_DECOMPOSE)));
    if (t == "NFKC")
        return NormalizerPtr(std::make_shared<UnicodeForm>(utf8proc_option_t(UTF8PROC_COMPOSE | UTF8PROC_COMPAT)));
    if (t == "NFKD")
        return NormalizerPtr(std::make_shared<UnicodeForm>(utf8proc_option_t(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT)));
    if (t == "Lowercase")
        return NormalizerPtr(std::make_shared<Lowercase>());
    if (t == "Replace") {
        auto p = patternOf(j.value("pattern", json()), path + ".pattern");
        if (!p)
            return unexpected(p.error());
        auto n = std::make_shared<ReplaceN>();
        n->pattern = *p;
        n->content = text(j, "content");
        return NormalizerPtr(n);
    }
    if (t == "Prepend") {
        auto n = std::make_shared<PrependN>();
        n->prefix = text(j, "prepend");
        return NormalizerPtr(n);
    }
    if (t == "Strip") {
        auto n = std::make_shared<StripN>();
        n->left = flag(j, "strip_left", true);
        n->right = flag(j, "strip_right", true);
        return NormalizerPtr(n);
    }
    if (t == "Sequence") {
        auto n = std::make_shared<SequenceN>();
        const json &list = j.value("normalizers", json::array());
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto part = normalizerOf(list[i], path + ".normalizers[" + std::to_string(i) + "]");
            if (!part)
                return unexpected(part.error());
            if (*part)
                n->parts.push_back(*part);
        }
        return NormalizerPtr(n);
    }
    return unexpected(path + ": the normalizer type \"" + t + "\" is not supported (supported: NFC, NFD, NFKC, NFKD, Lowercase, Replace, "
                                                              "Prepend, Strip, Sequence)");
}

// --- Pre-tokenizers -----------------------------------------------------------------------------

struct Piece {
    std::string text;
    bool atStart; // begins at offset 0 of the original text (Metaspace's "first")
};

struct PreTokenizer {
    virtual ~PreTokenizer() = default;
    virtual void apply(std::vector<Piece> &pieces) const = 0;
};
using PreTokenizerPtr = std::shared_ptr<const PreTokenizer>;

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
        splitEach(pieces, [&](const Piece &p) { return applyBehavior(p.text, cover(p.text.size(), pattern->findAll(p.text)), behavior, invert); });
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
            return applyBehavior(s, cover(s.size(), gpt2->findAll(s)), Behavior::Isolated, false);
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
            return applyBehavior(s, cover(s.size(), charMatches(s, [&](char32_t c) { return c == replacement; })), Behavior::MergedWithNext, false);
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
            return applyBehavior(p.text, cover(p.text.size(), charMatches(p.text, pred)), behavior, false);
        });
    }
};

struct SequenceP final : PreTokenizer {
    std::vector<PreTokenizerPtr> parts;
    void apply(std::vector<Piece> &pieces) const override
    {
        for (const auto &p : parts)
            p->apply(pieces);
    }
};

Expected<PreTokenizerPtr, std::string> preTokenizerOf(const json &j, const std::string &path)
{
    if (j.is_null())
        return PreTokenizerPtr();
    const std::string t = typeOf(j);
    if (t == "Split") {
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
    if (t == "ByteLevel") {
        auto p = std::make_shared<ByteLevelP>();
        p->addPrefixSpace = flag(j, "add_prefix_space", true);
        p->useRegex = flag(j, "use_regex", true);
        auto re = Regex::compile(kGpt2Pattern);
        if (!re)
            return unexpected(re.error());
        p->gpt2 = *re;
        return PreTokenizerPtr(p);
    }
    if (t == "Metaspace") {
        auto p = std::make_shared<MetaspaceP>();
        p->replacementText = text(j, "replacement", "\u2581");
        const auto cps = codePoints(p->replacementText);
        if (cps.size() != 1)
            return unexpected(path + ".replacement: must be one character");
        p->replacement = cps[0].value;
        const std::string scheme = text(j, "prepend_scheme", flag(j, "add_prefix_space", true) ? "always" : "never");
        if (scheme == "always")
            p->scheme = PrependScheme::Always;
        else if (scheme == "first")
            p->scheme = PrependScheme::First;
        else if (scheme == "never")
            p->scheme = PrependScheme::Never;
        else
            return unexpected(path + ".prepend_scheme: unknown value \"" + scheme + "\"");
        p->split = flag(j, "split", true);
        return PreTokenizerPtr(p);
    }
    if (t == "Digits")
        return PreTokenizerPtr(std::make_shared<CharSplitP>(CharSplitP::Kind::Digits,
                                                            flag(j, "individual_digits", false) ? Behavior::Isolated : Behavior::Contiguous));
    if (t == "Punctuation") {
        auto b = behaviorOf(j.value("behavior", json()), path + ".behavior", Behavior::Isolated);
        if (!b)
            return unexpected(b.error());
        return PreTokenizerPtr(std::make_shared<CharSplitP>(CharSplitP::Kind::Punctuation, *b));
    }
    if (t == "WhitespaceSplit")
        return PreTokenizerPtr(std::make_shared<CharSplitP>(CharSplitP::Kind::WhitespaceSplit, Behavior::Removed));
    if (t == "Whitespace") {
        auto re = Regex::compile(R"(\w+|[^\w\s]+)");
        if (!re)
            return unexpected(re.error());
        auto p = std::make_shared<SplitP>();
        p->pattern = *re;
        p->behavior = Behavior::Removed;
        p->invert = true;
        return PreTokenizerPtr(p);
    }
    if (t == "Sequence") {
        auto p = std::make_shared<SequenceP>();
        const json &list = j.value("pretokenizers", json::array());
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto part = preTokenizerOf(list[i], path + ".pretokenizers[" + std::to_string(i) + "]");
            if (!part)
                return unexpected(part.error());
            if (*part)
                p->parts.push_back(*part);
        }
        return PreTokenizerPtr(p);
    }
    return unexpected(path + ": the pre-tokenizer type \"" + t + "\" is not supported (supported: Split, ByteLevel, Metaspace, Digits, "
                                                                 "Punctuation, Whitespace, WhitespaceSplit, Sequence)");
}

// --- Decoders -------------------------------------------------------------------------------------

struct Decoder {
    virtual ~Decoder() = default;
    virtual std::vector<std::string> apply(std::vector<std::string> tokens) const = 0;
};
using DecoderPtr = std::shared_ptr<const Decoder>;

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
        // from_utf8_lossy: each invalid sequence becomes U+FFFD
        std::string out;
        for (std::size_t i = 0; i < bytes.size();) {
            const std::size_t n = utf8Length(bytes, i);
            if (n) {
                out.append(bytes, i, n);
                i += n;
            } else {
                out += "\xEF\xBF\xBD";
                i += lossyInvalidLength(bytes, i);
            }
        }
        return {out};
    }
    // How many bytes from_utf8_lossy replaces with one U+FFFD: the longest prefix of a valid
    // sequence that is there (at least one byte).
    static std::size_t lossyInvalidLength(const std::string &b, std::size_t i)
    {
        const auto c = static_cast<unsigned char>(b[i]);
        std::size_t need = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
        if (need == 1 || c == 0xC0 || c == 0xC1 || c > 0xF4)
            return 1;
        std::size_t k = 1;
        for (; k < need && i + k < b.size(); ++k) {
            const auto x = static_cast<unsigned char>(b[i + k]);
            unsigned lo = 0x80, hi = 0xBF;
            if (k == 1) {
                if (c == 0xE0)
                    lo = 0xA0;
                else if (c == 0xED)
                    hi = 0x9F;
                else if (c == 0xF0)
                    lo = 0x90;
                else if (c == 0xF4)
                    hi = 0x8F;
            }
            if (x < lo || x > hi)
                break;
        }
        return k;
    }
};

struct ReplaceD final : Decoder {
    std::shared_ptr<Regex> pattern;
    std::string content;
    std::vector<std::string> apply(std::vector<std::string> tokens) const override
    {
        for (std::string &t : tokens)
            t = pattern->replaceAll(t, content);
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
        for (std::string &t : tokens) {
            const auto cps = codePoints(t);
            std::size_t a = 0, b = cps.size();
            for (std::size_t k = 0; k < start && a < b && cps[a].value == content; ++k)
                ++a;
            for (std::size_t k = 0; k < stop && b > a && cps[b - 1].value == content; ++k)
                --b;
            const std::size_t from = a < cps.size() ? cps[a].offset : t.size();
            const std::size_t to = b > 0 ? cps[b - 1].offset + cps[b - 1].length : 0;
            t = to > from ? t.substr(from, to - from) : std::string();
        }
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
    std::vector<DecoderPtr> parts;
    std::vector<std::string> apply(std::vector<std::string> tokens) const override
    {
        for (const auto &p : parts)
            tokens = p->apply(std::move(tokens));
        return tokens;
    }
};

Expected<DecoderPtr, std::string> decoderOf(const json &j, const std::string &path)
{
    if (j.is_null())
        return DecoderPtr();
    const std::string t = typeOf(j);
    if (t == "ByteLevel")
        return DecoderPtr(std::make_shared<ByteLevelD>());
    if (t == "Replace") {
        auto p = patternOf(j.value("pattern", json()), path + ".pattern");
        if (!p)
            return unexpected(p.error());
        auto d = std::make_shared<ReplaceD>();
        d->pattern = *p;
        d->content = text(j, "content");
        return DecoderPtr(d);
    }
    if (t == "ByteFallback")
        return DecoderPtr(std::make_shared<ByteFallbackD>());
    if (t == "Fuse")
        return DecoderPtr(std::make_shared<FuseD>());
    if (t == "Strip") {
        auto d = std::make_shared<StripD>();
        const auto cps = codePoints(text(j, "content", " "));
        if (cps.size() != 1)
            return unexpected(path + ".content: must be one character");
        d->content = cps[0].value;
        d->start = j.value("start", 0);
        d->stop = j.value("stop", 0);
        return DecoderPtr(d);
    }
    if (t == "Metaspace") {
        auto d = std::make_shared<MetaspaceD>();
        d->replacement = text(j, "replacement", "\u2581");
        d->prepend = text(j, "prepend_scheme", flag(j, "add_prefix_space", true) ? "always" : "never") != "never";
        return DecoderPtr(d);
    }
    if (t == "Sequence") {
        auto d = std::make_shared<SequenceD>();
        const json &list = j.value("decoders", json::array());
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto part = decoderOf(list[i], path + ".decoders[" + std::to_string(i) + "]");
            if (!part)
                return unexpected(part.error());
            if (*part)
                d->parts.push_back(*part);
        }
        return DecoderPtr(d);
    }
    return unexpected(path + ": the decoder type \"" + t + "\" is not supported (supported: ByteLevel, Replace, ByteFallback, Fuse, Strip, "
                                                           "Metaspace, Sequence)");
}

// --- Post-processors (which special tokens encode() adds) --------------------------------------

struct Template {
    // Each entry: a special token's ids, or (empty + isSequence) the encoded text.
    struct Part {
        bool sequence = false;
        std::vector<int> ids;
    };
    std::vector<Part> single;
};

Expected<Template, std::string> postProcessorOf(const json &j, const std::string &path, const std::function<std::optional<int>(const std::string &)> &idOf)
{
    Template t;
    t.single.push_back({true, {}});
    if (j.is_null())
        return t;
    const std::string type = typeOf(j);
    if (type == "ByteLevel")
        return t;
    if (type == "TemplateProcessing") {
        t.single.clear();
        const json &single = j.value("single", json::array());
        const json &specials = j.value("special_tokens", json::object());
        for (std::size_t i = 0; i < single.size(); ++i) {
            const json &part = single[i];
            const std::string where = path + ".single[" + std::to_string(i) + "]";
            if (part.contains("Sequence")) {
                t.single.push_back({true, {}});
            } else if (part.contains("SpecialToken")) {
                const std::string name = part["SpecialToken"].value("id", "");
                if (!specials.contains(name))
                    return unexpected(where + ": the special token \"" + name + "\" is not in " + path + ".special_tokens");
                Template::Part p;
                for (const json &id : specials[name].value("ids", json::array()))
                    p.ids.push_back(id.get<int>());
                t.single.push_back(p);
            } else {
                return unexpected(where + ": expected {\"Sequence\": …} or {\"SpecialToken\": …}");
            }
        }
        return t;
    }
    if (type == "BertProcessing" || type == "RobertaProcessing") {
        const json &cls = j.value("cls", json::array()), &sep = j.value("sep", json::array());
        if (cls.size() != 2 || sep.size() != 2 || !cls[1].is_number_integer() || !sep[1].is_number_integer())
            return unexpected(path + ": cls and sep must be [token, id]");
        t.single = {{false, {cls[1].get<int>()}}, {true, {}}, {false, {sep[1].get<int>()}}};
        return t;
    }
    if (type == "Sequence") {
        Template merged;
        merged.single.push_back({true, {}});
        const json &list = j.value("processors", json::array());
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto part = postProcessorOf(list[i], path + ".processors[" + std::to_string(i) + "]", idOf);
            if (!part)
                return unexpected(part.error());
            // Each processor wraps what the ones before it made.
            Template next;
            for (const auto &p : part->single) {
                if (p.sequence)
                    next.single.insert(next.single.end(), merged.single.begin(), merged.single.end());
                else
                    next.single.push_back(p);
            }
            merged = next;
        }
        return merged;
    }
    return unexpected(path + ": the post-processor type \"" + type + "\" is not supported (supported: TemplateProcessing, ByteLevel, "
                                                                    "BertProcessing, RobertaProcessing, Sequence)");
}

// --- Added tokens: a byte trie, leftmost-longest ---------------------------------------------

struct Trie {
    struct Node {
        std::map<unsigned char, int> next;
        int token = -1; // index into the added tokens
    };
    std::vector<Node> nodes{Node{}};
    bool empty = true;
    void add(const std::string &s, int token)
    {
        int n = 0;
        for (unsigned char c : s) {
            auto it = nodes[std::size_t(n)].next.find(c);
            if (it == nodes[std::size_t(n)].next.end()) {
                nodes.push_back({});
                const int created = int(nodes.size()) - 1;
                nodes[std::size_t(n)].next[c] = created;
                n = created;
            } else {
                n = it->second;
            }
        }
        nodes[std::size_t(n)].token = token;
        empty = false;
    }
    // The longest token starting at i: (token, end) or token -1.
    std::pair<int, std::size_t> longestAt(std::string_view s, std::size_t i) const
    {
        int n = 0, best = -1;
        std::size_t bestEnd = i;
        for (std::size_t k = i; k < s.size(); ++k) {
            auto it = nodes[std::size_t(n)].next.find(static_cast<unsigned char>(s[k]));
            if (it == nodes[std::size_t(n)].next.end())
                break;
            n = it->second;
            if (nodes[std::size_t(n)].token >= 0) {
                best = nodes[std::size_t(n)].token;
                bestEnd = k + 1;
            }
        }
        return {best, bestEnd};
    }
};

// --- BPE ------------------------------------------------------------------------------------------

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

    Expected<void, std::string> tokenize(const std::string &w, std::vector<int> &out) const
    {
        if (w.empty())
            return {};
        if (ignoreMerges) {
            if (auto it = vocab.find(w); it != vocab.end()) {
                out.push_back(it->second);
                return {};
            }
        }
        struct Symbol {
            int id;
            int prev, next;
            bool removed;
        };
        std::vector<Symbol> symbols;
        symbols.reserve(w.size());
        int pendingUnk = -1; // an unknown character waiting (fused with the next ones when fuse_unk)
        auto push = [&](int id) { symbols.push_back({id, int(symbols.size()) - 1, int(symbols.size()) + 1, false}); };
        const auto cps = codePoints(w);
        for (std::size_t k = 0; k < cps.size(); ++k) {
            std::string s = w.substr(cps[k].offset, cps[k].length);
            if (k > 0 && !prefix.empty())
                s = prefix + s;
            if (k + 1 == cps.size() && !suffix.empty())
                s += suffix;
            if (auto it = vocab.find(s); it != vocab.end()) {
                if (pendingUnk >= 0) {
                    push(pendingUnk);
                    pendingUnk = -1;
                }
                push(it->second);
                continue;
            }
            if (byteFallback) {
                std::vector<int> bytes;
                for (unsigned char b : s) {
                    char name[8];
                    std::snprintf(name, sizeof name, "<0x%02X>", b);
                    auto it = vocab.find(name);
                    if (it == vocab.end())
                        break;
                    bytes.push_back(it->second);
                }
                if (bytes.size() == s.size()) {
                    for (int b : bytes)
                        push(b);
                    continue;
                }
            }
            if (!unk)
                return unexpected("the text has a character (\"" + w.substr(cps[k].offset, cps[k].length)
                                  + "\") that the vocabulary lacks, and the model has no unk_token");
            if (pendingUnk >= 0 && !fuseUnk) {
                push(pendingUnk);
                pendingUnk = *unk;
            } else if (pendingUnk < 0) {
                pendingUnk = *unk;
            }
        }
        if (pendingUnk >= 0)
            push(pendingUnk);
        if (!symbols.empty())
            symbols.back().next = -1;
        // Merges, lowest rank first, then leftmost (a min-heap).
        struct Candidate {
            int rank, pos, id;
            bool operator<(const Candidate &o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
        };
        std::priority_queue<Candidate> queue;
        for (std::size_t i = 0; i + 1 < symbols.size(); ++i)
            if (auto it = merges.find(key(symbols[i].id, symbols[i + 1].id)); it != merges.end())
                queue.push({it->second.rank, int(i), it->second.id});
        while (!queue.empty()) {
            const Candidate top = queue.top();
            queue.pop();
            Symbol &cur = symbols[std::size_t(top.pos)];
            if (cur.removed || cur.next < 0)
                continue;
            Symbol &right = symbols[std::size_t(cur.next)];
            auto it = merges.find(key(cur.id, right.id));
            if (it == merges.end() || it->second.id != top.id)
                continue; // stale
            cur.id = top.id;
            right.removed = true;
            cur.next = right.next;
            if (right.next >= 0)
                symbols[std::size_t(right.next)].prev = top.pos;
            if (cur.prev >= 0)
                if (auto m = merges.find(key(symbols[std::size_t(cur.prev)].id, cur.id)); m != merges.end())
                    queue.push({m->second.rank, cur.prev, m->second.id});
            if (cur.next >= 0)
                if (auto m = merges.find(key(cur.id, symbols[std::size_t(cur.next)].id)); m != merges.end())
                    queue.push({m->second.rank, top.pos, m->second.id});
        }
        for (const Symbol &s : symbols)
            if (!s.removed)
                out.push_back(s.id);
        return {};
    }
};

Expected<Bpe, std::string> bpeOf(const json &m, const std::string &path)
{
    const std::string type = typeOf(m);
    if (type != "BPE" && !(type.empty() && m.contains("merges")))
        return unexpected(path + ": the model type \"" + type + "\" is not supported (only BPE; Unigram and WordPiece are not)");
    if (m.contains("dropout") && !m["dropout"].is_null() && m["dropout"].get<double>() > 0)
        return unexpected(path + ".dropout: BPE dropout is not supported (it makes encoding random)");
    Bpe b;
    if (!m.contains("vocab") || !m["vocab"].is_object())
        return unexpected(path + ".vocab: missing or not an object");
    int maxId = -1;
    for (auto it = m["vocab"].begin(); it != m["vocab"].end(); ++it) {
        if (!it.value().is_number_integer() || it.value().get<long long>() < 0 || it.value().get<long long>() > 100000000)
            return unexpected(path + ".vocab[\"" + it.key() + "\"]: the id must be a whole number from 0");
        const int id = it.value().get<int>();
        b.vocab[it.key()] = id;
        maxId = std::max(maxId, id);
    }
    b.byId.assign(std::size_t(maxId + 1), std::string());
    for (const auto &[tok, id] : b.vocab)
        b.byId[std::size_t(id)] = tok;
    b.prefix = m.contains("continuing_subword_prefix") && m["continuing_subword_prefix"].is_string() ? m["continuing_subword_prefix"].get<std::string>() : "";
    b.suffix = m.contains("end_of_word_suffix") && m["end_of_word_suffix"].is_string() ? m["end_of_word_suffix"].get<std::string>() : "";
    b.fuseUnk = flag(m, "fuse_unk", false);
    b.byteFallback = flag(m, "byte_fallback", false);
    b.ignoreMerges = flag(m, "ignore_merges", false);
    if (m.contains("unk_token") && m["unk_token"].is_string()) {
        auto it = b.vocab.find(m["unk_token"].get<std::string>());
        if (it == b.vocab.end())
            return unexpected(path + ".unk_token: \"" + m["unk_token"].get<std::string>() + "\" is not in the vocabulary");
        b.unk = it->second;
    }
    const json &merges = m.value("merges", json::array());
    if (!merges.is_array())
        return unexpected(path + ".merges: not a list");
    for (std::size_t r = 0; r < merges.size(); ++r) {
        std::string a, c;
        const json &e = merges[r];
        if (e.is_string()) {
            const std::string s = e.get<std::string>();
            const auto space = s.find(' ');
            if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
                return unexpected(path + ".merges[" + std::to_string(r) + "]: \"" + s + "\" is not two tokens separated by one space");
            a = s.substr(0, space);
            c = s.substr(space + 1);
        } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
            a = e[0].get<std::string>();
            c = e[1].get<std::string>();
        } else {
            return unexpected(path + ".merges[" + std::to_string(r) + "]: a merge is \"a b\" or [\"a\", \"b\"]");
        }
        const std::string merged = a + (b.prefix.empty() || c.compare(0, b.prefix.size(), b.prefix) != 0 ? c : c.substr(b.prefix.size()));
        auto ia = b.vocab.find(a), ic = b.vocab.find(c), im = b.vocab.find(merged);
        const std::string missing = ia == b.vocab.end() ? a : ic == b.vocab.end() ? c : im == b.vocab.end() ? merged : std::string();
        if (ia == b.vocab.end() || ic == b.vocab.end() || im == b.vocab.end())
            return unexpected(path + ".merges[" + std::to_string(r) + "]: the token \"" + missing + "\" is not in the vocabulary");
        b.merges.emplace(Bpe::key(ia->second, ic->second), Bpe::Merge{int(r), im->second}); // the first rank wins
    }
    return b;
}

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

} // namespace

struct HfTokenizer::Impl {
    Bpe model;
    NormalizerPtr normalizer;
    PreTokenizerPtr preTokenizer;
    DecoderPtr decoder;
    Template post;
    std::vector<HfAddedToken> added;
    std::unordered_map<int, std::size_t> addedById;
    std::unordered_map<std::string, std::size_t> addedByContent;
    Trie raw, normalized; // added tokens matched before / after normalization
    std::optional<int> bos, eos, pad;
    int vocabSize = 0;

    // Cuts the added tokens of `trie` out of `s`: (text, token index or -1) in order.
    void cutAdded(const Trie &trie, const std::string &s, std::vector<std::pair<std::string, int>> &out) const
    {
        if (trie.empty) {
            out.push_back({s, -1});
            return;
        }
        std::size_t startOffset = 0;
        for (std::size_t i = 0; i < s.size();) {
            auto [tok, end] = trie.longestAt(s, i);
            if (tok < 0) {
                ++i;
                continue;
            }
            const HfAddedToken &t = added[std::size_t(tok)];
            std::size_t start = i, stop = end;
            i = end; // matches do not overlap, even a discarded one
            if (t.singleWord) {
                const auto before = codePoints(std::string_view(s).substr(0, start));
                const auto after = codePoints(std::string_view(s).substr(stop));
                const bool startSpace = start == 0 || before.empty() || !isWordChar(before.back().value);
                const bool stopSpace = stop == s.size() || after.empty() || !isWordChar(after.front().value);
                if (!startSpace || !stopSpace)
                    continue;
            }
            if (t.lstrip) {
                const auto before = codePoints(std::string_view(s).substr(0, start));
                std::size_t newStart = 0;
                for (auto it = before.rbegin(); it != before.rend(); ++it)
                    if (!isWhitespace(it->value)) {
                        newStart = it->offset + it->length;
                        break;
                    }
                start = std::max(newStart, startOffset);
            }
            if (t.rstrip) {
                const auto after = codePoints(std::string_view(s).substr(stop));
                std::size_t skip = s.size() - stop;
                for (const CodePoint &c : after)
                    if (!isWhitespace(c.value)) {
                        skip = c.offset;
                        break;
                    }
                stop += skip;
                i = stop;
            }
            if (startOffset < start)
                out.push_back({s.substr(startOffset, start - startOffset), -1});
            out.push_back({s.substr(start, stop - start), tok});
            startOffset = stop;
        }
        if (startOffset < s.size())
            out.push_back({s.substr(startOffset), -1});
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
    auto impl = std::make_shared<Impl>();
    try {
        auto model = bpeOf(j.value("model", json()), "model");
        if (!model)
            return unexpected(source + ": " + model.error());
        impl->model = std::move(*model);
        auto n = normalizerOf(j.value("normalizer", json()), "normalizer");
        if (!n)
            return unexpected(source + ": " + n.error());
        impl->normalizer = *n;
        auto p = preTokenizerOf(j.value("pre_tokenizer", json()), "pre_tokenizer");
        if (!p)
            return unexpected(source + ": " + p.error());
        impl->preTokenizer = *p;
        impl->model.byteLevel = j.value("decoder", json()).is_object() && typeOf(j["decoder"]) == "ByteLevel";
        auto d = decoderOf(j.value("decoder", json()), "decoder");
        if (!d)
            return unexpected(source + ": " + d.error());
        impl->decoder = *d;
        int maxId = int(impl->model.byId.size()) - 1;
        const json &added = j.value("added_tokens", json::array());
        for (std::size_t i = 0; i < added.size(); ++i) {
            const json &a = added[i];
            const std::string where = "added_tokens[" + std::to_string(i) + "]";
            if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() || !a.contains("content") || !a["content"].is_string())
                return unexpected(source + ": " + where + ": an added token needs an integer id and a string content");
            HfAddedToken t;
            t.id = a["id"].get<int>();
            t.content = a["content"].get<std::string>();
            if (t.content.empty())
                return unexpected(source + ": " + where + ".content: empty");
            t.special = flag(a, "special", false);
            t.normalized = flag(a, "normalized", !t.special);
            t.lstrip = flag(a, "lstrip", false);
            t.rstrip = flag(a, "rstrip", false);
            t.singleWord = flag(a, "single_word", false);
            impl->addedById[t.id] = impl->added.size();
            impl->addedByContent[t.content] = impl->added.size();
            (t.normalized ? impl->normalized : impl->raw).add(t.content, int(impl->added.size()));
            impl->added.push_back(t);
            maxId = std::max(maxId, t.id);
        }
        impl->vocabSize = maxId + 1;
        auto idOf = [&](const std::string &tok) -> std::optional<int> {
            if (auto it = impl->addedByContent.find(tok); it != impl->addedByContent.end())
                return impl->added[it->second].id;
            if (auto it = impl->model.vocab.find(tok); it != impl->model.vocab.end())
                return it->second;
            return std::nullopt;
        };
        auto post = postProcessorOf(j.value("post_processor", json()), "post_processor", idOf);
        if (!post)
            return unexpected(source + ": " + post.error());
        impl->post = *post;
        if (auto b = tokenName(config, "bos_token"))
            impl->bos = idOf(*b);
        if (auto e = tokenName(config, "eos_token"))
            impl->eos = idOf(*e);
        if (auto p2 = tokenName(config, "pad_token"))
            impl->pad = idOf(*p2);
    } catch (const json::exception &e) {
        return unexpected(source + ": a field has the wrong type: " + e.what());
    }
    HfTokenizer t;
    t.d = impl;
    return t;
}

Expected<std::vector<int>, std::string> HfTokenizer::encode(std::string_view input, bool addSpecialTokens) const
{
    if (input.size() > maxTextBytes)
        return unexpected("the text is " + std::to_string(input.size()) + " bytes; at most " + std::to_string(maxTextBytes) + " are encoded at once");
    if (const std::size_t bad = firstInvalidUtf8(input); bad != std::string_view::npos) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(input[bad]));
        return unexpected("the text is not valid UTF-8: byte " + std::to_string(bad) + " (" + hex + ") does not start or continue a character");
    }
    const Impl &m = *d;
    // 1. Added tokens on the raw text; 2. normalize the rest, then the normalized added tokens.
    std::vector<std::pair<std::string, int>> first, second;
    m.cutAdded(m.raw, std::string(input), first);
    std::size_t offset = 0;
    std::vector<bool> startsAtZero;
    std::vector<std::pair<std::string, int>> parts;
    for (auto &[s, tok] : first) {
        const bool atZero = offset == 0;
        offset += s.size();
        if (tok >= 0 || s.empty()) {
            if (!s.empty())
                parts.push_back({s, tok}), startsAtZero.push_back(atZero);
            continue;
        }
        std::string n = s;
        if (m.normalizer)
            m.normalizer->apply(n);
        second.clear();
        m.cutAdded(m.normalized, n, second);
        bool firstPart = true;
        for (auto &p : second) {
            if (p.first.empty())
                continue;
            parts.push_back(p);
            startsAtZero.push_back(atZero && firstPart);
            firstPart = false;
        }
    }
    // 3. Pre-tokenize and 4. BPE each text part. Words repeat: a word's ids are kept for this
    // call (a cache local to the call, so concurrent calls share nothing).
    std::unordered_map<std::string, std::vector<int>> cache;
    std::vector<int> ids;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto &[s, tok] = parts[i];
        if (tok >= 0) {
            ids.push_back(m.added[std::size_t(tok)].id);
            continue;
        }
        std::vector<Piece> pieces{{s, startsAtZero[i]}};
        if (m.preTokenizer)
            m.preTokenizer->apply(pieces);
        for (const Piece &p : pieces) {
            if (p.text.size() > 64) { // long words are rare and rarely repeat
                if (auto r = m.model.tokenize(p.text, ids); !r)
                    return unexpected(r.error());
                continue;
            }
            auto [it, fresh] = cache.try_emplace(p.text);
            if (fresh) {
                if (auto r = m.model.tokenize(p.text, it->second); !r)
                    return unexpected(r.error());
                if (cache.size() > 100000) { // bounded: the word is used, then the cache starts again
                    ids.insert(ids.end(), it->second.begin(), it->second.end());
                    cache.clear();
                    continue;
                }
            }
            ids.insert(ids.end(), it->second.begin(), it->second.end());
        }
    }
    if (!addSpecialTokens)
        return ids;
    std::vector<int> out;
    for (const auto &part : m.post.single) {
        if (part.sequence)
            out.insert(out.end(), ids.begin(), ids.end());
        else
            out.insert(out.end(), part.ids.begin(), part.ids.end());
    }
    return out;
}

std::string HfTokenizer::decode(const std::vector<int> &ids, bool skipSpecialTokens) const
{
    const Impl &m = *d;
    std::vector<std::string> tokens;
    tokens.reserve(ids.size());
    for (int id : ids) {
        if (auto it = m.addedById.find(id); it != m.addedById.end()) {
            if (!(skipSpecialTokens && m.added[it->second].special))
                tokens.push_back(m.added[it->second].content);
        } else if (id >= 0 && std::size_t(id) < m.model.byId.size() && !m.model.byId[std::size_t(id)].empty()) {
            tokens.push_back(m.model.byId[std::size_t(id)]);
        }
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
    if (auto it = d->addedByContent.find(tok); it != d->addedByContent.end())
        return d->added[it->second].id;
    if (auto it = d->model.vocab.find(tok); it != d->model.vocab.end())
        return it->second;
    return std::nullopt;
}

std::optional<std::string> HfTokenizer::token(int id) const
{
    if (auto it = d->addedById.find(id); it != d->addedById.end())
        return d->added[it->second].content;
    if (id >= 0 && std::size_t(id) < d->model.byId.size() && !d->model.byId[std::size_t(id)].empty())
        return d->model.byId[std::size_t(id)];
    return std::nullopt;
}

const std::vector<HfAddedToken> &HfTokenizer::addedTokens() const
{
    return d->added;
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
           + "), " + std::to_string(d->vocabSize) + " tokens, " + std::to_string(d->added.size()) + " added";
}

} // namespace sdrt::model
