#pragma once
// The LLaVA network in the LibTorch module idiom: CLIP ViT vision tower, MLP projector and a
// Llama/Mistral decoder (RMSNorm, RoPE, grouped-query attention, SwiGLU). Submodule names
// follow the Hugging Face checkpoints (older "language_model.model.layers…" layout), so the
// parameter names are the tensor names of a safetensors file.
//
// Private to core/model (torch types): for the runtime's own .cpp files and its white-box tests.
// Thread rule: a module runs on one thread at a time; set NoGradGuard/InferenceMode in that thread.

#include "sdrt/common/Expected.h"
#include "sdrt/model/ImageGrid.h"
#include "sdrt/model/ModelConfig.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <functional>
#include <map>
#include <vector>

namespace sdrt::model {

torch::Tensor activation(const std::string &name, const torch::Tensor &x);

// linear(x) for x [..., in]. On the CPU one row is a matrix-vector product (BLAS gemv): decode
// at batch 1 is one row per step, and OpenBLAS 0.3.21's sgemm packs the whole weight matrix
// even for a single row (measured: 768x2048 fp32, 2 threads, 298 us as sgemm vs 104 us as
// sgemv), so the weights would be read and written once more each step.
torch::Tensor project(const torch::nn::Linear &linear, const torch::Tensor &x);
// The same with a bare weight [out, in] (and bias, when defined): x·weightᵀ + bias.
torch::Tensor projectWith(const torch::Tensor &weight, const torch::Tensor &x, const torch::Tensor &bias = {});

// y = x / sqrt(mean(x²) + eps) * weight, computed in float32 like the reference.
class RMSNormImpl : public torch::nn::Module {
public:
    RMSNormImpl(std::int64_t dim, double eps);
    torch::Tensor forward(const torch::Tensor &x);
    torch::Tensor weight;
    double eps;
};
TORCH_MODULE(RMSNorm);

// Rotary position embedding (the "rotate half" form Llama uses).
torch::Tensor rotateHalf(const torch::Tensor &x);
// cos and sin for positions [B,T] → each [B,T,headDim].
std::pair<torch::Tensor, torch::Tensor> rotaryCosSin(const torch::Tensor &positions, std::int64_t headDim, double theta,
                                                     torch::ScalarType dtype);
// The interleaved multimodal form (Qwen3-VL): positions [3,B,T] (time, height, width); rotary
// frequency i takes its angle from the axis mropeAxes() gives it → cos and sin [B,T,headDim].
std::pair<torch::Tensor, torch::Tensor> multimodalRotaryCosSin(const torch::Tensor &positions, std::int64_t headDim, double theta,
                                                               const std::array<int, 3> &section, torch::ScalarType dtype);
// x [B,H,T,D], cos/sin [B,T,D].
torch::Tensor applyRotary(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin);
// Additive attention mask [B,1,T,S]: query t (at absolute position pastLen + t) sees key s
// when s <= pastLen + t and keyMask[b,s] is 1; hidden entries hold the dtype's lowest value.
// With a sliding window W > 0 (Mistral) and the queries' positions [B,T], a query also sees
// only the keys less than W positions back; a key's position is the count of kept keys before
// it (keyMask's cumulative sum - 1), which holds for left-padded rows and for the slot cache.
torch::Tensor causalMask(const torch::Tensor &keyMask, std::int64_t queryLen, std::int64_t pastLen, torch::ScalarType dtype,
                         std::int64_t slidingWindow = 0, const torch::Tensor &queryPositions = {});

// Where a decoder forward keeps the keys and values of its positions, and what its queries
// attend to. KvCache appends (prefill, tests); generation's slot cache (GenerateEngine.h) writes each
// row at its own length into storage reserved ahead, so a step copies no earlier entry.
class KvStore {
public:
    virtual ~KvStore() = default;
    // Positions before this forward's first query, as the causal mask counts them.
    virtual std::int64_t pastLength() const = 0;
    // Keeps layer `layer`'s new keys and values [B, kvHeads, T, headDim] and returns the keys
    // and values the queries attend to [B, kvHeads, S, headDim] (S: the key mask's length).
    virtual std::pair<torch::Tensor, torch::Tensor> store(std::size_t layer, const torch::Tensor &k, const torch::Tensor &v) = 0;
};

struct KvCache final : KvStore {
    std::vector<torch::Tensor> keys;   // per layer [B, kvHeads, S, headDim]
    std::vector<torch::Tensor> values;
    std::int64_t length() const { return keys.empty() || !keys[0].defined() ? 0 : keys[0].size(2); }
    std::int64_t pastLength() const override { return length(); }
    std::pair<torch::Tensor, torch::Tensor> store(std::size_t layer, const torch::Tensor &k, const torch::Tensor &v) override;
};

// Decoder hidden states to keep, Hugging Face numbering: 0 is the embedding output, l the
// input of layer l (= output of layer l-1), numLayers the final normed output.
struct HiddenCapture {
    std::vector<int> layers;
    std::map<int, torch::Tensor> states; // layer -> [B,T,D] of the last forward
};

// An edit of the decoder's residual stream, applied in LlamaModel's forward before a layer (the
// SDRT student's modules, core/distill). The decoder is not copied: the hook runs inside the
// same forward, and a forward without one costs nothing more.
class DecoderIntervention {
public:
    virtual ~DecoderIntervention() = default;
    // Whether it edits the input of decoder layer `layer` (Hugging Face numbering, 0..L-1).
    virtual bool actsAt(int layer) const = 0;
    // h [B,T,D] → the edited h. `edit` [B,T] (h's dtype, 0/1) marks the positions to edit;
    // `visual` [B,D] holds each row's pooled projected visual tokens (zeros for a row without
    // images).
    virtual torch::Tensor apply(int layer, const torch::Tensor &h, const torch::Tensor &edit, const torch::Tensor &visual) = 0;
    // Generation edits the prompt's last `promptPositions()` positions and every generated one.
    virtual int promptPositions() const = 0;
};

// DeepStack (Qwen3-VL): vision features added to the decoder's hidden states at the image
// positions after the first layers: after layer i, `features[i]` [n, D], n the number of
// positions `mask` [B,T] marks (in row-major order).
struct DeepstackInput {
    torch::Tensor mask;
    std::vector<torch::Tensor> features;
};

struct InterventionInput {
    DecoderIntervention *intervention = nullptr;
    torch::Tensor edit;   // [B,T] for this forward's positions
    torch::Tensor visual; // [B,D]
};

// The most bytes one attention's float32 scores may take before its queries are taken in blocks
// (a long prompt, a large image's patches): the result is the same, the peak memory bounded.
inline std::int64_t kAttentionScoresBytes = std::int64_t(256) << 20;

// ---- text decoder ----
class LlamaAttentionImpl : public torch::nn::Module {
public:
    explicit LlamaAttentionImpl(const TextConfig &c);
    torch::Tensor forward(const torch::Tensor &h, const torch::Tensor &cos, const torch::Tensor &sin,
                          const torch::Tensor &mask, KvStore *cache, std::size_t layer);
    torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
    RMSNorm q_norm{nullptr}, k_norm{nullptr}; // TextConfig::qkNorm (Qwen3)
    int heads, kvHeads, headDim;
};
TORCH_MODULE(LlamaAttention);

class LlamaMlpImpl : public torch::nn::Module {
public:
    explicit LlamaMlpImpl(const TextConfig &c);
    torch::Tensor forward(const torch::Tensor &x);
    torch::nn::Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(LlamaMlp);

class LlamaDecoderLayerImpl : public torch::nn::Module {
public:
    explicit LlamaDecoderLayerImpl(const TextConfig &c);
    torch::Tensor forward(const torch::Tensor &h, const torch::Tensor &cos, const torch::Tensor &sin,
                          const torch::Tensor &mask, KvStore *cache, std::size_t layer);
    LlamaAttention self_attn{nullptr};
    LlamaMlp mlp{nullptr};
    RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(LlamaDecoderLayer);

class LlamaModelImpl : public torch::nn::Module {
public:
    explicit LlamaModelImpl(const TextConfig &c);
    // inputsEmbeds [B,T,D], positions [B,T] ([3,B,T] with a multimodal rotary embedding),
    // keyMask [B,past+T] (past: cache->pastLength()); returns normed hidden [B,T,D].
    // An intervention edits layer inputs (before they are captured); DeepStack features are
    // added to layer outputs (so the next layer's captured input has them).
    torch::Tensor forward(const torch::Tensor &inputsEmbeds, const torch::Tensor &positions, const torch::Tensor &keyMask,
                          KvStore *cache, HiddenCapture *capture, const InterventionInput *intervention = nullptr,
                          const DeepstackInput *deepstack = nullptr);
    TextConfig config;
    torch::nn::Embedding embed_tokens{nullptr};
    torch::nn::ModuleList layers;
    RMSNorm norm{nullptr};
};
TORCH_MODULE(LlamaModel);

class LlamaForCausalLMImpl : public torch::nn::Module {
public:
    explicit LlamaForCausalLMImpl(const TextConfig &c);
    torch::Tensor logits(const torch::Tensor &hidden);
    LlamaModel model{nullptr};
    torch::nn::Linear lm_head{nullptr}; // absent when tied to the embeddings
};
TORCH_MODULE(LlamaForCausalLM);

// ---- vision tower ----
class ClipAttentionImpl : public torch::nn::Module {
public:
    explicit ClipAttentionImpl(const VisionConfig &c);
    torch::Tensor forward(const torch::Tensor &x);
    torch::nn::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
    int heads, headDim;
};
TORCH_MODULE(ClipAttention);

class ClipMlpImpl : public torch::nn::Module {
public:
    explicit ClipMlpImpl(const VisionConfig &c);
    torch::Tensor forward(const torch::Tensor &x);
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    std::string act;
};
TORCH_MODULE(ClipMlp);

class ClipEncoderLayerImpl : public torch::nn::Module {
public:
    explicit ClipEncoderLayerImpl(const VisionConfig &c);
    torch::Tensor forward(const torch::Tensor &x);
    ClipAttention self_attn{nullptr};
    torch::nn::LayerNorm layer_norm1{nullptr}, layer_norm2{nullptr};
    ClipMlp mlp{nullptr};
};
TORCH_MODULE(ClipEncoderLayer);

class ClipEncoderImpl : public torch::nn::Module {
public:
    explicit ClipEncoderImpl(const VisionConfig &c);
    torch::nn::ModuleList layers;
};
TORCH_MODULE(ClipEncoder);

class ClipEmbeddingsImpl : public torch::nn::Module {
public:
    explicit ClipEmbeddingsImpl(const VisionConfig &c);
    torch::Tensor forward(const torch::Tensor &pixels);
    torch::Tensor class_embedding;
    torch::nn::Conv2d patch_embedding{nullptr};
    torch::nn::Embedding position_embedding{nullptr};
};
TORCH_MODULE(ClipEmbeddings);

class ClipVisionTransformerImpl : public torch::nn::Module {
public:
    explicit ClipVisionTransformerImpl(const VisionConfig &c);
    // Hidden state `layer` in Hugging Face numbering (0: after pre_layrnorm; negative from the end).
    torch::Tensor hiddenState(const torch::Tensor &pixels, int layer);
    ClipEmbeddings embeddings{nullptr};
    torch::nn::LayerNorm pre_layrnorm{nullptr}; // sic: the checkpoint's name
    ClipEncoder encoder{nullptr};
    torch::nn::LayerNorm post_layernorm{nullptr};
    int numLayers;
};
TORCH_MODULE(ClipVisionTransformer);

class ClipVisionModelImpl : public torch::nn::Module {
public:
    explicit ClipVisionModelImpl(const VisionConfig &c);
    ClipVisionTransformer vision_model{nullptr};
};
TORCH_MODULE(ClipVisionModel);

class ProjectorImpl : public torch::nn::Module {
public:
    ProjectorImpl(int visionHidden, int textHidden, std::string act, bool bias = true);
    torch::Tensor forward(const torch::Tensor &x);
    torch::nn::Linear linear_1{nullptr}, linear_2{nullptr};
    std::string act;
};
TORCH_MODULE(Projector);

// LLaVA-NeXT's packing of one image's view features [1 + rows*cols, P, D] (P = side²): the
// base view's P rows first, then the grid views' features laid out as one feature map of the
// image, its padding cut off (layout.unpad*), one `newline` [D] after each feature row.
// → [layout.tokens(), D]. As Hugging Face's pack_image_features and unpad_image.
torch::Tensor packAnyres(const torch::Tensor &views, const AnyresLayout &layout, const torch::Tensor &newline);

class LlavaModelImpl : public torch::nn::Module {
public:
    explicit LlavaModelImpl(const LlavaConfig &c);
    // pixels [N,3,H,W] (views) → projected features [N, viewTokens, textHidden].
    torch::Tensor imageFeatures(const torch::Tensor &pixels);
    // LLaVA-NeXT: the view features [views, P, D] of images of these sizes, in order → each
    // image packed (packAnyres), concatenated: [sum of imageTokens, D].
    torch::Tensor packImages(const torch::Tensor &viewFeatures, const std::vector<PixelSize> &imageSizes);
    // Token embeddings with every image-token position replaced, in order, by the rows of
    // `features` ([N*P, D] or [N,P,D]). Throws c10::Error when the counts differ.
    torch::Tensor embed(const torch::Tensor &ids, const torch::Tensor &features);
    // Mean of each row's image features: features [sum, D] (or [N,P,D]) of the images in row
    // order, `tokensPerRow` image-token rows per row → [B,D] (zeros for a row without images).
    static torch::Tensor pooledPerRow(const torch::Tensor &features, const std::vector<std::int64_t> &tokensPerRow, std::int64_t hidden,
                                      torch::TensorOptions options);
    // Full forward without cache: logits [B,T,V]. For LLaVA 1.5 `pixels` [N,3,S,S] holds one
    // view per image; for LLaVA-NeXT the views of all images in order, with `imageSizes` the
    // (height, width) of each image.
    torch::Tensor forward(const torch::Tensor &ids, const torch::Tensor &pixels, const torch::Tensor &keyMask,
                          const std::vector<PixelSize> &imageSizes = {});

    LlavaConfig config;
    ClipVisionModel vision_tower{nullptr};
    Projector multi_modal_projector{nullptr};
    LlamaForCausalLM language_model{nullptr};
    torch::Tensor image_newline; // [textHidden], LLaVA-NeXT only
};
TORCH_MODULE(LlavaModel);

// Positions for left-padded rows: cumulative count of real tokens minus one (pads get 0).
torch::Tensor positionsFromMask(const torch::Tensor &keyMask);

// Builds the network for `config` and fills it from the safetensors weights of `dir`
// (model.safetensors or shards listed in model.safetensors.index.json; either Hugging Face
// naming). Every missing, unexpected or misshaped tensor is listed in the error.
Expected<LlavaModel, std::string> loadLlavaModel(const std::string &dir, const LlavaConfig &config, torch::Device device,
                                                 torch::ScalarType dtype, std::vector<std::string> *weightFiles = nullptr);

// How a family's checkpoint names map to its module's parameter names, and which stored
// tensors may go unused (rotary buffers, a tied head).
struct WeightNames {
    std::function<std::string(const std::string &)> canonical;
    std::function<bool(const std::string &)> ignorable;
};
// The weight files of a model folder: the shards model.safetensors.index.json lists (plain file
// names only), or model.safetensors.
Expected<std::vector<std::string>, std::string> weightFilesOf(const std::string &dir);
// Fills every parameter of `model` from the safetensors weights of `dir` (model.safetensors or
// the shards of model.safetensors.index.json), then moves it to `device` and `dtype` with
// gradients off. Every missing, unexpected or misshaped tensor is listed in the error.
Expected<void, std::string> fillFromSafetensors(torch::nn::Module &model, const std::string &dir, const WeightNames &names,
                                               torch::Device device, torch::ScalarType dtype, std::vector<std::string> *weightFiles = nullptr);

// Sets LibTorch's default dtype for the scope (modules are built in it), and restores it.
class DefaultDtypeScope {
public:
    explicit DefaultDtypeScope(torch::ScalarType dtype);
    ~DefaultDtypeScope();
    DefaultDtypeScope(const DefaultDtypeScope &) = delete;
    DefaultDtypeScope &operator=(const DefaultDtypeScope &) = delete;

private:
    caffe2::TypeMeta m_previous;
};

// Random initialisation (normal, std 0.02; norms at 1) with a fixed seed.
void initRandom(LlavaModel &model, std::uint64_t seed);
void initRandom(torch::nn::Module &model, std::uint64_t seed);
// initRandom, then every parameter written to `path` (safetensors) under its name (TinyModel.cpp).
Expected<void, std::string> writeRandomWeights(torch::nn::Module &model, std::uint64_t seed, const std::string &path);

} // namespace sdrt::model
