#pragma once
// The seam between the shared runtime (batching, KV cache, prefix cache, sampling, capture,
// intervention, scoring, distillation) and a model family. A family knows its images (how
// many tokens one becomes, its vision tower's features), its positions (one per token, or
// Qwen3-VL's (time, height, width)), its decoder and its head; the runtime asks, and never
// branches on the family's name. docs/MODELS.md says how to add one.
//
// Private to core/model (torch types).

#include "LlavaModel.h"
#include "Qwen3VlModel.h"
#include "sdrt/model/Runtime.h"

#include <memory>
#include <optional>

namespace sdrt::model {

// The vision side of a batch of images: one row per image token, images in order, and any
// features the decoder takes at those positions after its first layers (DeepStack).
struct VisualFeatures {
    torch::Tensor features;               // [Σ image tokens, D] (undefined without images)
    std::vector<torch::Tensor> deepstack; // each [Σ image tokens, D]
};

class VlmFamily {
public:
    virtual ~VlmFamily() = default;
    virtual torch::nn::Module &network() = 0;
    virtual LlamaModel decoder() = 0;
    virtual torch::Tensor logits(const torch::Tensor &hidden) = 0;
    // Image tokens `image` stands for in the decoder's input (the processor's expansion).
    // An image the processor refuses (its aspect ratio, …) is an error saying why.
    virtual Expected<std::int64_t, std::string> imageTokens(const RgbImage &image) const = 0;
    // The image's grid as the family counts it: Qwen3-VL (t, h, w) in patches; LLaVA (views,
    // patch rows, patch columns) of its feature map (LLaVA 1.5: one view).
    virtual Expected<std::array<int, 3>, std::string> imageGrid(const RgbImage &image) const = 0;
    // The images' features in order; the vision tower takes at most `chunk` views or images a pass.
    virtual VisualFeatures visual(const std::vector<const RgbImage *> &images, int chunk) = 0;
    // Positions of left-padded prompt rows (ids, mask [B,T]) whose images are `images`, row by
    // row: [B,T], or [3,B,T] for a multimodal rotary embedding. next[b]: the position of row b's
    // first token after the prompt. Throws c10::Error when a row's image tokens do not fit.
    virtual torch::Tensor positions(const torch::Tensor &ids, const torch::Tensor &mask, const std::vector<const RgbImage *> &images,
                                    std::vector<std::int64_t> *next) = 0;
};

// LLaVA 1.5 and LLaVA-NeXT.
std::unique_ptr<VlmFamily> llavaFamily(LlavaModel model, const LlavaConfig &config, const PreprocessorConfig &preprocessor);
// Qwen3-VL.
std::unique_ptr<VlmFamily> qwen3VlFamily(Qwen3VlNetwork network, const Qwen3VlConfig &config, const Qwen3VlProcessorConfig &processor);

} // namespace sdrt::model
