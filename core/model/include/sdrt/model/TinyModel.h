#pragma once
// Writes a small random LLaVA in the Hugging Face layout (config.json,
// preprocessor_config.json, tokenizer.model + tokenizer_config.json, model.safetensors), with a
// SentencePiece tokenizer trained on a small built-in corpus (English and Japanese factory text).

#include "sdrt/common/Expected.h"
#include "sdrt/model/ModelConfig.h"
#include "sdrt/model/Qwen3Vl.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sdrt::model {

struct TinyModelParams {
    std::uint64_t seed = 1;
    int tokenizerVocab = 600;  // SentencePiece pieces (before <image> and <pad>)
    int minTextVocab = 0;      // the decoder's vocabulary is at least this (rows past the tokenizer unused)
    int visionHidden = 32;
    int visionIntermediate = 64;
    int visionLayers = 2;
    int visionHeads = 2;
    int imageSize = 32;
    int patchSize = 8;
    int textHidden = 64;
    int textIntermediate = 128;
    int textLayers = 2;
    int textHeads = 4;
    int textKvHeads = 2;
    int maxPositions = 2048;
    bool tieEmbeddings = false;
    std::string chatTemplate = "llava-1.5"; // or "mistral"
    std::vector<std::string> extraCorpus;    // more tokenizer training text
    // SentencePiece trainer flags for the tokenizer (e.g. Llama's: {"normalization_rule_name",
    // "identity"}, {"remove_extra_whitespaces", "false"}).
    std::vector<std::pair<std::string, std::string>> tokenizerOptions;
    // LLaVA-NeXT (model_type llava_next) with these grid pinpoints, (height, width).
    bool next = false;
    std::vector<GridPinpoint> gridPinpoints;
    int slidingWindow = 0; // the Mistral text config's sliding_window (0: null)
    // A folder that already has files (another model, anything) is refused unless this is set;
    // then the files the model is made of are replaced and the others left alone.
    bool replaceExisting = false;
    // A ~100M-parameter shape (for benchmarks).
    static TinyModelParams hundredMillion();
    // A tiny LLaVA-NeXT with LLaVA-1.6's image geometry (336-pixel views of 14-pixel patches,
    // the 2x2 / 1x3 / 3x1 grids of llava-v1.6-mistral-7b) and a Mistral text config with its
    // [INST] chat template, so image token counts are those of the real checkpoint.
    static TinyModelParams llavaNext();
};

// A small random Qwen3-VL (model_type qwen3_vl) in the Hub's layout: config.json,
// preprocessor_config.json (the Qwen2-VL processor with small pixel limits), a byte-level BPE
// tokenizer.json trained on the built-in corpus with Qwen's special tokens (<|im_start|>,
// <|im_end|>, <|vision_start|>, <|image_pad|>, …) and a ChatML template with image parts in
// tokenizer_config.json, and model.safetensors with the checkpoints' tensor names.
struct TinyQwen3VlParams {
    std::uint64_t seed = 1;
    int merges = 300; // BPE merges learnt over the 256 byte tokens
    int visionHidden = 32;
    int visionIntermediate = 64;
    int visionDepth = 3;
    int visionHeads = 2;
    int patchSize = 8;
    int positionGrid = 8; // learned positions: a grid this many a side
    std::vector<int> deepstack = {0, 1};
    int textHidden = 64;
    int textIntermediate = 128;
    int textLayers = 3;
    int textHeads = 4;
    int textKvHeads = 2;
    int headDim = 32;
    std::array<int, 3> mropeSection = {6, 5, 5};
    int maxPositions = 8192;
    bool tieEmbeddings = false;
    std::int64_t minPixels = 32 * 32;
    std::int64_t maxPixels = 256 * 256;
    bool replaceExisting = false;
    // A ~100M-parameter shape (for benchmarks).
    static TinyQwen3VlParams hundredMillion();
};
Expected<Qwen3VlConfig, std::string> makeTinyQwen3Vl(const std::string &dir, const TinyQwen3VlParams &params);

// The folder a tiny model is written into: created when missing; one that is a file, or not
// empty (unless `replaceExisting`), is refused by name.
Expected<void, std::string> prepareTinyModelFolder(const std::string &dir, bool replaceExisting);

// The built-in tokenizer corpus.
const std::vector<std::string> &builtinCorpus();

// Writes the model folder; returns its config.
Expected<LlavaConfig, std::string> makeTinyModel(const std::string &dir, const TinyModelParams &params);

} // namespace sdrt::model
