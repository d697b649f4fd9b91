#include "HfText.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>

namespace sdrt::model::hf {
namespace {

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

// Merges a match into its neighbour on one side (the splits read in that side's direction):
// `extend` grows the kept span over the match.
template <typename It, typename Extend>
std::vector<std::pair<Span, bool>> mergeMatches(It begin, It end, Extend extend)
{
    std::vector<std::pair<Span, bool>> kept;
    bool previous = false;
    for (It it = begin; it != end; ++it) {
        if (it->second && !previous && !kept.empty())
            extend(kept.back().first, it->first);
        else
            kept.push_back({it->first, false});
        previous = it->second;
    }
    return kept;
}

// The splits as kept: (span, remove).
std::vector<std::pair<Span, bool>> keptSplits(std::vector<std::pair<Span, bool>> splits, Behavior behavior)
{
    std::vector<std::pair<Span, bool>> kept;
    switch (behavior) {
    case Behavior::Isolated:
        for (auto &sp : splits)
            kept.push_back({sp.first, false});
        break;
    case Behavior::Removed:
        kept = std::move(splits);
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
    case Behavior::MergedWithPrevious:
        kept = mergeMatches(splits.begin(), splits.end(), [](Span &into, const Span &match) { into.second = match.second; });
        break;
    case Behavior::MergedWithNext:
        kept = mergeMatches(splits.rbegin(), splits.rend(), [](Span &into, const Span &match) { into.first = match.first; });
        std::reverse(kept.begin(), kept.end());
        break;
    }
    return kept;
}

} // namespace

struct Regex::Code {
    pcre2_code *code;
    ~Code() { pcre2_code_free(code); }
};

Regex::Regex(Code *code) : m_code(code) {}

Regex::~Regex()
{
    delete m_code;
}

Expected<std::shared_ptr<Regex>, std::string> Regex::compile(const std::string &written)
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
    return std::shared_ptr<Regex>(new Regex(new Code{code}));
}

std::vector<Span> Regex::findAll(std::string_view s) const
{
    std::vector<Span> out;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(m_code->code, nullptr);
    std::size_t offset = 0;
    while (offset <= s.size()) {
        const int rc = pcre2_match(m_code->code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), offset, PCRE2_NO_UTF_CHECK, md, nullptr);
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

std::string Regex::replaceAll(std::string_view s, const std::string &with) const
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

std::vector<std::string> splitAt(std::string_view s, const std::vector<Span> &matches, Behavior behavior, bool invert)
{
    auto splits = cover(s.size(), matches);
    if (invert)
        for (auto &sp : splits)
            sp.second = !sp.second;
    std::vector<std::string> out;
    for (const auto &[span, remove] : keptSplits(std::move(splits), behavior))
        if (!remove && span.second > span.first)
            out.emplace_back(s.substr(span.first, span.second - span.first));
    return out;
}

} // namespace sdrt::model::hf
