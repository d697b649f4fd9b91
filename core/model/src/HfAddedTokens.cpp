// Added tokens: found leftmost-longest in the text (a byte trie) and cut out of it with their
// single_word, lstrip and rstrip rules, before the rest is pre-tokenized.

#include "HfTokenizerParts.h"

#include <algorithm>

namespace sdrt::model::hf {
namespace {

// single_word: the match [start, stop) has no word character right before or after it.
bool standsAlone(std::string_view s, std::size_t start, std::size_t stop)
{
    const auto before = codePoints(s.substr(0, start));
    const auto after = codePoints(s.substr(stop));
    const bool startSpace = start == 0 || before.empty() || !isWordChar(before.back().value);
    const bool stopSpace = stop == s.size() || after.empty() || !isWordChar(after.front().value);
    return startSpace && stopSpace;
}

// lstrip: where the whitespace right before `start` begins.
std::size_t whitespaceStart(std::string_view s, std::size_t start)
{
    const auto before = codePoints(s.substr(0, start));
    for (auto it = before.rbegin(); it != before.rend(); ++it)
        if (!isWhitespace(it->value))
            return it->offset + it->length;
    return 0;
}

// rstrip: where the whitespace right after `stop` ends.
std::size_t whitespaceEnd(std::string_view s, std::size_t stop)
{
    for (const CodePoint &c : codePoints(s.substr(stop)))
        if (!isWhitespace(c.value))
            return stop + c.offset;
    return s.size();
}

} // namespace

void Trie::add(const std::string &s, int token)
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

std::pair<int, std::size_t> Trie::longestAt(std::string_view s, std::size_t i) const
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

std::vector<Segment> AddedTokens::cut(const Trie &trie, const std::string &s) const
{
    if (trie.empty)
        return {{s, -1, true}};
    std::vector<Segment> out;
    std::size_t startOffset = 0;
    for (std::size_t i = 0; i < s.size();) {
        auto [tok, end] = trie.longestAt(s, i);
        if (tok < 0) {
            ++i;
            continue;
        }
        const HfAddedToken &t = list[std::size_t(tok)];
        std::size_t start = i, stop = end;
        i = end; // matches do not overlap, even a discarded one
        if (t.singleWord && !standsAlone(s, start, stop))
            continue;
        if (t.lstrip)
            start = std::max(whitespaceStart(s, start), startOffset);
        if (t.rstrip) {
            stop = whitespaceEnd(s, stop);
            i = stop;
        }
        if (startOffset < start)
            out.push_back({s.substr(startOffset, start - startOffset), -1, startOffset == 0});
        out.push_back({s.substr(start, stop - start), tok, start == 0});
        startOffset = stop;
    }
    if (startOffset < s.size())
        out.push_back({s.substr(startOffset), -1, startOffset == 0});
    return out;
}

Expected<AddedTokens, std::string> addedTokensOf(const json &list)
{
    AddedTokens added;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const json &a = list[i];
        const std::string where = "added_tokens[" + std::to_string(i) + "]";
        if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() || !a.contains("content") || !a["content"].is_string())
            return unexpected(where + ": an added token needs an integer id and a string content");
        HfAddedToken t;
        t.id = a["id"].get<int>();
        t.content = a["content"].get<std::string>();
        if (t.content.empty())
            return unexpected(where + ".content: empty");
        t.special = flag(a, "special", false);
        t.normalized = flag(a, "normalized", !t.special);
        t.lstrip = flag(a, "lstrip", false);
        t.rstrip = flag(a, "rstrip", false);
        t.singleWord = flag(a, "single_word", false);
        added.byId[t.id] = added.list.size();
        added.byContent[t.content] = added.list.size();
        (t.normalized ? added.normalized : added.raw).add(t.content, int(added.list.size()));
        added.list.push_back(t);
    }
    return added;
}

} // namespace sdrt::model::hf
