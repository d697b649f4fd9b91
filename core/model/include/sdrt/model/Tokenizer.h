#pragma once
// The runtime's tokenizer. A folder with tokenizer.json is read as Hugging Face's fast tokenizer
// reads it (HfTokenizer.h), as Hugging Face does when a folder has both files; otherwise the
// SentencePiece tokenizer.model with the added tokens Hugging Face keeps beside it
// (tokenizer_config.json "added_tokens_decoder" or added_tokens.json), such as <image> and
// <pad>: added tokens are matched in the text first; the pieces between them go to SentencePiece.
// Thread rule: encode/decode are const and safe to call from several threads.

#include "sdrt/common/Expected.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sdrt::model {

class HfTokenizer;

class Tokenizer {
public:
    static Expected<Tokenizer, std::string> load(const std::string &dir);
    static Expected<Tokenizer, std::string> fromSerialized(const std::string &modelProto,
                                                           const std::map<std::string, int> &addedTokens);

    std::vector<int> encode(const std::string &text, bool addBos) const;
    // Added (special) tokens such as <image> and <pad> are left out of decoded text.
    std::string decode(const std::vector<int> &ids) const;
    int vocabSize() const; // SentencePiece pieces plus added tokens
    int bosId() const { return m_bos; }
    int eosId() const { return m_eos; }
    int padId() const { return m_pad; }
    int unkId() const { return m_unk; }
    int imageTokenId() const { return m_image; } // -1 when the tokenizer has no <image>
    int tokenId(const std::string &piece) const;  // -1 when unknown
    std::string piece(int id) const;
    const std::map<std::string, int> &addedTokens() const { return m_added; }
    // "tokenizer.json" or "tokenizer.model": the file this tokenizer was read from.
    const char *source() const { return m_hf ? "tokenizer.json" : "tokenizer.model"; }

private:
    friend class IncrementalDecoder;
    enum class PieceKind { Ordinary, Control, Unknown, Byte };
    bool isText(int id) const; // what decode() keeps: a SentencePiece piece, not an added or special token
    PieceKind pieceKind(int id) const;
    std::string decodeText(const std::vector<int> &ids) const; // SentencePiece's decode of isText() ids

    static Expected<Tokenizer, std::string> fromHf(std::shared_ptr<const HfTokenizer> hf);

    std::shared_ptr<void> m_sp; // SentencePiece processor inside the shim library
    std::shared_ptr<const HfTokenizer> m_hf; // or tokenizer.json
    int m_pieces = 0;
    std::map<std::string, int> m_added;
    std::map<int, std::string> m_addedById;
    int m_bos = 1, m_eos = 2, m_pad = -1, m_unk = 0, m_image = -1;
};

// SentencePiece itself is loaded from our shim library (libsdrt_spm.so, see spm/SpmShim.cpp);
// this fails with a clear message when the shim cannot be found.
// Trains a small SentencePiece model (BPE with byte fallback, so any UTF-8 text, Japanese
// included, encodes) from sentences; returns the serialized model. `options` are SentencePiece
// trainer flags that replace or add to ours (such as {"remove_extra_whitespaces", "false"}, as
// Llama's tokenizer has).
Expected<std::string, std::string> trainSentencePiece(const std::vector<std::string> &sentences, int vocabSize,
                                                      const std::vector<std::pair<std::string, std::string>> &options = {});

} // namespace sdrt::model
