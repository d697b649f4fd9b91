#pragma once
// Generated text, one token at a time: decoding every prefix again would cost time quadratic in
// the output's length; this costs time linear in it and gives, after every token, exactly the
// text Tokenizer::decode() gives for all the tokens so far.
//
// How (SentencePiece's decoder, src/sentencepiece_processor.cc, read one piece at a time): the
// text is the pieces' texts one after another, with two exceptions. (1) While the text is still
// empty, a leading U+2581 of a piece is dropped (the "dummy prefix"): until some text exists,
// the tokens so far are decoded whole. (2) A run of byte-fallback pieces decodes as UTF-8, each
// byte that begins no valid character reading U+FFFD: a character is written when its last byte
// arrives; the bytes of an unfinished one read as decode() reads them at that point (U+FFFD
// each). Otherwise an ordinary piece's text is the piece with U+2581 as a space, a control
// piece has none, the unknown piece reads as SentencePiece's unknown surface. This assumes the
// model has no denormalizer (Llama's, Mistral's and ours have none).
//
// Thread rule: one decoder per sequence; the tokenizer must outlive it.

#include "sdrt/model/Tokenizer.h"

#include <cstddef>
#include <string>
#include <vector>

namespace sdrt::model {

class IncrementalDecoder {
public:
    explicit IncrementalDecoder(const Tokenizer &tokenizer);

    // Adds the next token. Returns how many leading bytes of text() are the same as before the
    // call (the rest is new, or the bytes of an unfinished character now written otherwise).
    std::size_t push(int id);
    // Tokenizer::decode() of every token pushed so far.
    const std::string &text() const { return m_text; }

private:
    void writeFinishedCharacters();

    const Tokenizer *m_tokenizer;
    std::string m_text; // m_final bytes no later token changes, then the unfinished character
    std::size_t m_final = 0;
    bool m_begun = false;     // the text has begun: no piece loses its leading U+2581 any more
    std::vector<int> m_empty; // before that: the tokens so far, whose text is still empty
    std::vector<int> m_ids;   // tokenizer.json: every text token so far (decoded whole)
    std::vector<int> m_bytes; // byte-fallback pieces of a character not finished yet
};

// The position where the first of `stops` (in their order) that occurs in `text` first occurs,
// or npos. For text that grows token by token: the first `unchanged` bytes are the same as in
// the text searched before, which held none of the stops, so only what reaches past them is
// searched (the result is the same as a search of the whole text).
std::size_t findStopString(const std::string &text, std::size_t unchanged, const std::vector<std::string> &stops);

} // namespace sdrt::model
