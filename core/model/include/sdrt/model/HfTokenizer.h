#pragma once
// Hugging Face tokenizers: a `tokenizer.json` read and applied as the `tokenizers` library does,
// so that encode and decode give the same ids and text as Hugging Face for the files real
// checkpoints ship (Qwen2/3, Llama 3 and other byte-level BPE; Llama 2, Mistral and other
// SentencePiece-style BPE with byte fallback).
//
// Pipeline of encode(): added tokens that are not normalized are cut out of the raw text
// (leftmost, longest first, with their single_word / lstrip / rstrip rules); each remaining piece
// is normalized, and added tokens that are normalized are cut out of it; the pre-tokenizer splits
// the rest into words; the model (BPE) turns each word into ids; the post-processor adds the
// template's special tokens when asked. decode() maps ids to tokens (added tokens first) and runs
// the decoder chain.
//
// Supported (anything else is refused by its type name, with the JSON path of the field):
//   model        BPE (vocab, merges as "a b" or ["a","b"], unk_token, fuse_unk, byte_fallback,
//                ignore_merges, continuing_subword_prefix, end_of_word_suffix; no dropout)
//   normalizers  NFC, NFD, NFKC, NFKD (utf8proc), Lowercase, Replace (String or Regex), Prepend,
//                Strip, Sequence
//   pre-tokenizers Split (String or Regex; Removed, Isolated, MergedWithPrevious,
//                MergedWithNext, Contiguous; invert), ByteLevel (add_prefix_space, use_regex),
//                Metaspace (replacement, prepend_scheme, split), Digits, Punctuation, Whitespace,
//                WhitespaceSplit, Sequence
//   post-processors TemplateProcessing, ByteLevel, BertProcessing, RobertaProcessing, Sequence
//   decoders     ByteLevel, Replace, ByteFallback, Fuse, Strip, Metaspace, Sequence
// Regular expressions are PCRE2 in UTF mode with Unicode properties (PCRE2_UTF | PCRE2_UCP):
// the patterns in tokenizer.json are written for Oniguruma, and PCRE2 reads the constructs they
// use (\p{L}, \p{N}, (?i:…), look-ahead) the same way. `truncation` and `padding` are not applied.
//
// Thread rule: a loaded tokenizer is immutable; encode and decode may be called from several
// threads at once.

#include "sdrt/common/Expected.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sdrt::model {

struct HfAddedToken {
    int id = 0;
    std::string content;
    bool special = false, normalized = false, lstrip = false, rstrip = false, singleWord = false;
};

class HfTokenizer {
public:
    // `dir`/tokenizer.json, with bos/eos/pad/unk names from `dir`/tokenizer_config.json when present.
    static Expected<HfTokenizer, std::string> load(const std::string &dir);
    // The text of a tokenizer.json (and of a tokenizer_config.json, or empty); `source` names the
    // file in messages.
    static Expected<HfTokenizer, std::string> fromJson(std::string_view tokenizerJson, std::string_view configJson = {},
                                                       const std::string &source = "tokenizer.json");

    // Refuses text that is not valid UTF-8 (naming the byte) or longer than maxTextBytes.
    Expected<std::vector<int>, std::string> encode(std::string_view text, bool addSpecialTokens = true) const;
    std::string decode(const std::vector<int> &ids, bool skipSpecialTokens = false) const;

    int vocabSize() const; // the model's vocabulary plus added tokens outside it
    std::optional<int> tokenId(const std::string &token) const;
    std::optional<std::string> token(int id) const;
    const std::vector<HfAddedToken> &addedTokens() const;
    // From tokenizer_config.json (absent: nullopt).
    std::optional<int> bosId() const;
    std::optional<int> eosId() const;
    std::optional<int> padId() const;
    std::string describe() const; // "BPE (byte-level), 151669 tokens, 26 added"

    static constexpr std::size_t maxTextBytes = 64u << 20; // 64 MiB per call

private:
    struct Impl;
    std::shared_ptr<const Impl> d;
};

} // namespace sdrt::model
