#pragma once
// The Qwen3-VL network in the LibTorch module idiom, written from Hugging Face's description of
// it (transformers/models/qwen3_vl): a vision tower of 3-D patch embedding, learned positions
// resampled to each image's grid, 2-D rotary attention blocks over each image alone, a 2x2 patch
// merger, and DeepStack mergers whose outputs join the decoder's hidden states at the image
// positions after its first layers; the decoder is the shared one (LlavaModel.h) with Qwen3's
// per-head q/k norms and the interleaved multimodal rotary embedding. Submodule names are the
// checkpoints' tensor names (model.visual.*, model.language_model.*, lm_head).
//
// Private to core/model (torch types). Thread rule as LlavaModel.h.

#include "LlavaModel.h"
#include "sdrt/model/Qwen3Vl.h"

namespace sdrt::model {

// The decoder's configuration for the shared text model.
TextConfig qwen3VlTextConfig(const Qwen3VlConfig &c);

class Qwen3VisionPatchEmbedImpl : public torch::nn::Module {
public:
    explicit Qwen3VisionPatchEmbedImpl(const Qwen3VlVisionConfig &c);
    // rows [N, 3·Tp·P·P] → [N, Dv] (the 3-D convolution over one patch is a product with its kernel).
    torch::Tensor forward(const torch::Tensor &rows);
    torch::nn::Conv3d proj{nullptr};
};
TORCH_MODULE(Qwen3VisionPatchEmbed);

class Qwen3VisionAttentionImpl : public torch::nn::Module {
public:
    explicit Qwen3VisionAttentionImpl(const Qwen3VlVisionConfig &c);
    // x [N, Dv]; cos/sin [N, headDim] float32; attention within each segment (an image's tokens).
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin, const std::vector<std::int64_t> &segments);
    torch::nn::Linear qkv{nullptr}, proj{nullptr};
    int heads, headDim;
};
TORCH_MODULE(Qwen3VisionAttention);

class Qwen3VisionMlpImpl : public torch::nn::Module {
public:
    explicit Qwen3VisionMlpImpl(const Qwen3VlVisionConfig &c);
    torch::Tensor forward(const torch::Tensor &x);
    torch::nn::Linear linear_fc1{nullptr}, linear_fc2{nullptr};
    std::string act;
};
TORCH_MODULE(Qwen3VisionMlp);

class Qwen3VisionBlockImpl : public torch::nn::Module {
public:
    explicit Qwen3VisionBlockImpl(const Qwen3VlVisionConfig &c);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin, const std::vector<std::int64_t> &segments);
    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
    Qwen3VisionAttention attn{nullptr};
    Qwen3VisionMlp mlp{nullptr};
};
TORCH_MODULE(Qwen3VisionBlock);

// The 2x2 patch merger: the window's four tokens side by side, then two linear layers with an
// exact GELU between. The main merger normalises each token before; a DeepStack merger
// normalises the four together after.
class Qwen3PatchMergerImpl : public torch::nn::Module {
public:
    Qwen3PatchMergerImpl(const Qwen3VlVisionConfig &c, bool normAfterShuffle);
    torch::Tensor forward(const torch::Tensor &x); // [N, Dv] → [N / m², Do]
    torch::nn::LayerNorm norm{nullptr};
    torch::nn::Linear linear_fc1{nullptr}, linear_fc2{nullptr};
    bool normAfterShuffle;
    std::int64_t merged;
};
TORCH_MODULE(Qwen3PatchMerger);

struct Qwen3VisionOutput {
    torch::Tensor features;               // [Σ tokens, Do], the images' merged tokens in order
    std::vector<torch::Tensor> deepstack; // one [Σ tokens, Do] per DeepStack tap
};

class Qwen3VisionModelImpl : public torch::nn::Module {
public:
    explicit Qwen3VisionModelImpl(const Qwen3VlVisionConfig &c);
    // rows: the processor's patches of every image in order ([Σ t·h·w, 3·Tp·P·P]); grids per image.
    Qwen3VisionOutput forward(const torch::Tensor &rows, const std::vector<ImageGridThw> &grids);
    // The learned positions resampled (bilinear) to one image's grid, in merge-window order → [t·h·w, Dv].
    torch::Tensor positionEmbedding(const ImageGridThw &grid);
    // The 2-D rotary angles of one image's patches (row angles, then column angles) → cos, sin [t·h·w, headDim] float32.
    std::pair<torch::Tensor, torch::Tensor> rotary(const std::vector<ImageGridThw> &grids, torch::Device device);

    Qwen3VlVisionConfig config;
    Qwen3VisionPatchEmbed patch_embed{nullptr};
    torch::nn::Embedding pos_embed{nullptr};
    torch::nn::ModuleList blocks;
    Qwen3PatchMerger merger{nullptr};
    torch::nn::ModuleList deepstack_merger_list;
};
TORCH_MODULE(Qwen3VisionModel);

class Qwen3VlInnerImpl : public torch::nn::Module {
public:
    explicit Qwen3VlInnerImpl(const Qwen3VlConfig &c);
    Qwen3VisionModel visual{nullptr};
    LlamaModel language_model{nullptr};
};
TORCH_MODULE(Qwen3VlInner);

class Qwen3VlNetworkImpl : public torch::nn::Module {
public:
    explicit Qwen3VlNetworkImpl(const Qwen3VlConfig &c);
    torch::Tensor logits(const torch::Tensor &hidden);
    // Token embeddings with the image-token positions replaced, in row-major order, by `features`
    // [n, D]. Throws c10::Error when the counts differ.
    torch::Tensor embed(const torch::Tensor &ids, const torch::Tensor &features);
    // Full forward without cache, one or more rows without padding between tokens (left padding
    // allowed: `keyMask` [B,T]): logits [B,T,V]. `rows`/`grids` as the vision tower takes them,
    // the images of row 0 first.
    torch::Tensor forward(const torch::Tensor &ids, const torch::Tensor &keyMask, const torch::Tensor &rows, const std::vector<ImageGridThw> &grids);

    Qwen3VlConfig config;
    Qwen3VlInner model{nullptr};
    torch::nn::Linear lm_head{nullptr}; // absent when tied to the embeddings
};
TORCH_MODULE(Qwen3VlNetwork);

// 3-D positions [3,B,T] for left-padded rows (keyMask [B,T]) of prompts: each row's own
// get_rope_index over its real tokens (its images taken in order from `grids`, the rows' images
// one after another); padding gets position 1, as Hugging Face gives it. `next` gets each row's
// first decode position. Throws c10::Error with the reason when a row's image tokens do not match.
torch::Tensor qwen3VlPositions(const torch::Tensor &ids, const torch::Tensor &keyMask, const std::vector<ImageGridThw> &grids,
                               const Qwen3VlConfig &c, std::vector<std::int64_t> *next = nullptr);

// Loads config-shaped weights from `dir` (model.safetensors or shards; checkpoint names).
Expected<Qwen3VlNetwork, std::string> loadQwen3VlNetwork(const std::string &dir, const Qwen3VlConfig &config, torch::Device device,
                                                         torch::ScalarType dtype, std::vector<std::string> *weightFiles = nullptr);

} // namespace sdrt::model
