// The BPE model: a word's characters as vocabulary ids, then merged pair by pair in the order of
// the merges' ranks.

#include "HfTokenizerParts.h"

#include <algorithm>
#include <cstdio>
#include <queue>

namespace sdrt::model::hf {
namespace {

// The merges' pair of tokens: "a b" or ["a", "b"].
Expected<std::pair<std::string, std::string>, std::string> mergePairOf(const json &e, const std::string &where)
{
    if (e.is_string()) {
        const std::string s = e.get<std::string>();
        const auto space = s.find(' ');
        if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
            return unexpected(where + ": \"" + s + "\" is not two tokens separated by one space");
        return std::pair{s.substr(0, space), s.substr(space + 1)};
    }
    if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string())
        return std::pair{e[0].get<std::string>(), e[1].get<std::string>()};
    return unexpected(where + ": a merge is \"a b\" or [\"a\", \"b\"]");
}

Expected<void, std::string> readVocab(Bpe &b, const json &m, const std::string &path)
{
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
    return {};
}

Expected<void, std::string> readMerges(Bpe &b, const json &m, const std::string &path)
{
    const json &merges = m.value("merges", json::array());
    if (!merges.is_array())
        return unexpected(path + ".merges: not a list");
    for (std::size_t r = 0; r < merges.size(); ++r) {
        const std::string where = path + ".merges[" + std::to_string(r) + "]";
        auto pair = mergePairOf(merges[r], where);
        if (!pair)
            return unexpected(pair.error());
        const auto &[a, c] = *pair;
        const std::string merged = a + (b.prefix.empty() || c.compare(0, b.prefix.size(), b.prefix) != 0 ? c : c.substr(b.prefix.size()));
        auto ia = b.vocab.find(a), ic = b.vocab.find(c), im = b.vocab.find(merged);
        const std::string missing = ia == b.vocab.end() ? a : ic == b.vocab.end() ? c : im == b.vocab.end() ? merged : std::string();
        if (ia == b.vocab.end() || ic == b.vocab.end() || im == b.vocab.end())
            return unexpected(where + ": the token \"" + missing + "\" is not in the vocabulary");
        b.merges.emplace(Bpe::key(ia->second, ic->second), Bpe::Merge{int(r), im->second}); // the first rank wins
    }
    return {};
}

} // namespace

Expected<void, std::string> Bpe::tokenize(const std::string &w, std::vector<int> &out) const
{
    if (w.empty())
        return {};
    if (ignoreMerges) {
        if (auto it = vocab.find(w); it != vocab.end()) {
            out.push_back(it->second);
            return {};
        }
    }
    auto ids = characterIds(w);
    if (!ids)
        return unexpected(ids.error());
    applyMerges(*ids, out);
    return {};
}

// Each character as its token (with the continuing-subword prefix and end-of-word suffix), else
// as its bytes' tokens (byte_fallback), else as unk_token.
Expected<std::vector<int>, std::string> Bpe::characterIds(const std::string &w) const
{
    std::vector<int> ids;
    ids.reserve(w.size());
    int pendingUnk = -1; // an unknown character waiting (fused with the next ones when fuse_unk)
    const auto cps = codePoints(w);
    for (std::size_t k = 0; k < cps.size(); ++k) {
        std::string s = w.substr(cps[k].offset, cps[k].length);
        if (k > 0 && !prefix.empty())
            s = prefix + s;
        if (k + 1 == cps.size() && !suffix.empty())
            s += suffix;
        if (auto it = vocab.find(s); it != vocab.end()) {
            if (pendingUnk >= 0) {
                ids.push_back(pendingUnk);
                pendingUnk = -1;
            }
            ids.push_back(it->second);
            continue;
        }
        if (byteFallback) {
            if (auto bytes = byteIds(s)) {
                ids.insert(ids.end(), bytes->begin(), bytes->end());
                continue;
            }
        }
        if (!unk)
            return unexpected("the text has a character (\"" + w.substr(cps[k].offset, cps[k].length)
                              + "\") that the vocabulary lacks, and the model has no unk_token");
        if (pendingUnk >= 0 && !fuseUnk) {
            ids.push_back(pendingUnk);
            pendingUnk = *unk;
        } else if (pendingUnk < 0) {
            pendingUnk = *unk;
        }
    }
    if (pendingUnk >= 0)
        ids.push_back(pendingUnk);
    return ids;
}

// The tokens <0x..> of the bytes of `s`, when the vocabulary has them all.
std::optional<std::vector<int>> Bpe::byteIds(const std::string &s) const
{
    std::vector<int> bytes;
    for (unsigned char b : s) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        auto it = vocab.find(name);
        if (it == vocab.end())
            return std::nullopt;
        bytes.push_back(it->second);
    }
    return bytes;
}

// Merges, lowest rank first, then leftmost (a min-heap over a linked list of symbols).
void Bpe::applyMerges(const std::vector<int> &ids, std::vector<int> &out) const
{
    struct Symbol {
        int id;
        int prev, next;
        bool removed;
    };
    struct Candidate {
        int rank, pos, id;
        bool operator<(const Candidate &o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::vector<Symbol> symbols;
    symbols.reserve(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        symbols.push_back({ids[i], int(i) - 1, i + 1 < ids.size() ? int(i) + 1 : -1, false});
    std::priority_queue<Candidate> queue;
    auto consider = [&](int pos, int left, int right) {
        if (auto m = merges.find(key(left, right)); m != merges.end())
            queue.push({m->second.rank, pos, m->second.id});
    };
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i)
        consider(int(i), symbols[i].id, symbols[i + 1].id);
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
            consider(cur.prev, symbols[std::size_t(cur.prev)].id, cur.id);
        if (cur.next >= 0)
            consider(top.pos, cur.id, symbols[std::size_t(cur.next)].id);
    }
    for (const Symbol &s : symbols)
        if (!s.removed)
            out.push_back(s.id);
}

Expected<Bpe, std::string> bpeOf(const json &m, const std::string &path)
{
    const std::string type = typeOf(m);
    if (type != "BPE" && !(type.empty() && m.contains("merges")))
        return unexpected(path + ": the model type \"" + type + "\" is not supported (only BPE; Unigram and WordPiece are not)");
    if (m.contains("dropout") && !m["dropout"].is_null() && m["dropout"].get<double>() > 0)
        return unexpected(path + ".dropout: BPE dropout is not supported (it makes encoding random)");
    Bpe b;
    if (auto r = readVocab(b, m, path); !r)
        return unexpected(r.error());
    b.prefix = text(m, "continuing_subword_prefix");
    b.suffix = text(m, "end_of_word_suffix");
    b.fuseUnk = flag(m, "fuse_unk", false);
    b.byteFallback = flag(m, "byte_fallback", false);
    b.ignoreMerges = flag(m, "ignore_merges", false);
    if (m.contains("unk_token") && m["unk_token"].is_string()) {
        auto it = b.vocab.find(m["unk_token"].get<std::string>());
        if (it == b.vocab.end())
            return unexpected(path + ".unk_token: \"" + m["unk_token"].get<std::string>() + "\" is not in the vocabulary");
        b.unk = it->second;
    }
    if (auto r = readMerges(b, m, path); !r)
        return unexpected(r.error());
    return b;
}

} // namespace sdrt::model::hf
