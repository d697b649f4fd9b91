#pragma once
// Text as the Hugging Face tokenizers library sees it, for the tokenizer.json stages
// (HfTokenizerParts.h): UTF-8 and the Unicode classes Rust's char gives, GPT-2's byte alphabet,
// Oniguruma-style regular expressions on PCRE2, and NormalizedString::split's behaviors.
// Private to core/model.

#include "sdrt/common/Expected.h"

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sdrt::model::hf {

// --- UTF-8 and character classes (HfText.cpp) -------------------------------------------------

// Length of the valid UTF-8 sequence at s[i], or 0.
std::size_t utf8Length(std::string_view s, std::size_t i);
// The offset of the first byte that is not valid UTF-8, or npos.
std::size_t firstInvalidUtf8(std::string_view s);
// Rust's String::from_utf8_lossy: each invalid sequence becomes U+FFFD.
std::string fromUtf8Lossy(const std::string &bytes);

// Code points of valid UTF-8 with their byte offsets.
struct CodePoint {
    std::size_t offset, length;
    char32_t value;
};
std::vector<CodePoint> codePoints(std::string_view s);
void appendUtf8(std::string &out, char32_t cp);

bool isWhitespace(char32_t c);  // Rust's char::is_whitespace (the White_Space property)
bool isNumeric(char32_t c);     // Rust's char::is_numeric: Nd, Nl, No
bool isWordChar(char32_t c);    // the added-token single_word rule: the regex crate's Unicode \w
bool isPunctuation(char32_t c); // ASCII punctuation or a Unicode P* category

// `s` without up to `atStart` leading and `atEnd` trailing code points for which `pred` holds.
template <typename Pred>
std::string trimCodePoints(const std::string &s, std::size_t atStart, std::size_t atEnd, Pred pred)
{
    const auto cps = codePoints(s);
    std::size_t a = 0, b = cps.size();
    for (std::size_t k = 0; k < atStart && a < b && pred(cps[a].value); ++k)
        ++a;
    for (std::size_t k = 0; k < atEnd && b > a && pred(cps[b - 1].value); ++k)
        --b;
    const std::size_t from = a < cps.size() ? cps[a].offset : s.size();
    const std::size_t to = b > 0 ? cps[b - 1].offset + cps[b - 1].length : 0;
    return to > from ? s.substr(from, to - from) : std::string();
}

// GPT-2's bytes_to_unicode: each byte as a printable character, and back.
struct ByteAlphabet {
    std::array<std::string, 256> toChar;
    std::unordered_map<char32_t, unsigned char> toByte;
    ByteAlphabet();
};
const ByteAlphabet &byteAlphabet();

// --- Regular expressions (HfRegex.cpp) ----------------------------------------------------------

using Span = std::pair<std::size_t, std::size_t>;

// PCRE2 in UTF mode with Unicode properties, the shorthands \w and \s read as Oniguruma does.
class Regex {
public:
    static Expected<std::shared_ptr<Regex>, std::string> compile(const std::string &written);
    Regex(const Regex &) = delete;
    Regex &operator=(const Regex &) = delete;
    ~Regex();

    // Every match, left to right, as Oniguruma's find_iter gives them (after an empty match the
    // search goes on one character later).
    std::vector<Span> findAll(std::string_view s) const;
    std::string replaceAll(std::string_view s, const std::string &with) const;

private:
    struct Code; // the compiled pattern, so that pcre2.h stays in HfRegex.cpp
    explicit Regex(Code *code);
    Code *m_code;
};

// A pattern that matches `literal` as it is.
std::string escapeRegex(const std::string &literal);

// --- Splitting with a behavior (NormalizedString::split, HfRegex.cpp) --------------------------

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// The pieces of `s` split at `matches` with `behavior` (`invert`: the gaps are the matches).
std::vector<std::string> splitAt(std::string_view s, const std::vector<Span> &matches, Behavior behavior, bool invert = false);

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

} // namespace sdrt::model::hf
