#pragma once
// What the two tiny-model makers share (TinyModel.cpp for LLaVA, TinyQwen3Vl.cpp for Qwen3-VL):
// the ~100M shape, the widths both params structs give a vision tower and a decoder under the
// same names, and the folder's files written. Private to core/model.

#include "sdrt/common/Expected.h"

#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sdrt::model {

// A ~100M-parameter shape, for benchmarks: a ViT-S/16 vision tower and a 12-layer decoder of
// width 768 with 4 key-value heads (TinyModelParams, TinyQwen3VlParams).
template <typename Params>
void setHundredMillionShape(Params &p)
{
    p.visionHidden = 384;
    p.visionIntermediate = 1536;
    p.visionHeads = 6;
    p.patchSize = 16;
    p.textHidden = 768;
    p.textIntermediate = 2048;
    p.textLayers = 12;
    p.textHeads = 12;
    p.textKvHeads = 4;
}

// The vision tower's widths and the decoder's shape from the params (into a LlavaConfig or a
// Qwen3VlConfig); each family sets the rest.
template <typename Config, typename Params>
void setTinyShape(Config &c, const Params &p)
{
    c.vision.hiddenSize = p.visionHidden;
    c.vision.intermediateSize = p.visionIntermediate;
    c.vision.numHeads = p.visionHeads;
    c.vision.patchSize = p.patchSize;
    c.text.hiddenSize = p.textHidden;
    c.text.intermediateSize = p.textIntermediate;
    c.text.numLayers = p.textLayers;
    c.text.numHeads = p.textHeads;
    c.text.numKvHeads = p.textKvHeads;
    c.text.maxPositionEmbeddings = p.maxPositions;
    c.text.tieWordEmbeddings = p.tieEmbeddings;
}

// Writes the folder's text files (name, contents) into `dir`, then the network `build` makes,
// randomly initialised from `seed`, as model.safetensors (TinyModel.cpp).
Expected<void, std::string> writeTinyModelFiles(const std::string &dir, const std::vector<std::pair<std::string, std::string>> &files,
                                                const std::function<std::shared_ptr<torch::nn::Module>()> &build, std::uint64_t seed);

} // namespace sdrt::model
