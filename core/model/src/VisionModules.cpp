// LLaVA's vision side (LlavaModel.h): the CLIP vision tower, the projector, LLaVA-NeXT's packing
// of an image's views, and the whole LLaVA network that joins them to the decoder.

#include "LlavaModel.h"

#include <torch/torch.h>

#include <cmath>

namespace sdrt::model {

ClipAttentionImpl::ClipAttentionImpl(const VisionConfig &c) : heads(c.numHeads), headDim(c.hiddenSize / c.numHeads)
{
    q_proj = register_module("q_proj", torch::nn::Linear(c.hiddenSize, c.hiddenSize));
    k_proj = register_module("k_proj", torch::nn::Linear(c.hiddenSize, c.hiddenSize));
    v_proj = register_module("v_proj", torch::nn::Linear(c.hiddenSize, c.hiddenSize));
    out_proj = register_module("out_proj", torch::nn::Linear(c.hiddenSize, c.hiddenSize));
}

torch::Tensor ClipAttentionImpl::forward(const torch::Tensor &x)
{
    const auto B = x.size(0);
    const auto T = x.size(1);
    auto q = q_proj(x).view({B, T, heads, headDim}).transpose(1, 2);
    auto k = k_proj(x).view({B, T, heads, headDim}).transpose(1, 2);
    auto v = v_proj(x).view({B, T, heads, headDim}).transpose(1, 2);
    auto scores = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(double(headDim));
    auto probs = torch::softmax(scores.to(torch::kFloat32), -1).to(q.scalar_type());
    return out_proj(torch::matmul(probs, v).transpose(1, 2).reshape({B, T, heads * headDim}));
}

ClipMlpImpl::ClipMlpImpl(const VisionConfig &c) : act(c.hiddenAct)
{
    fc1 = register_module("fc1", torch::nn::Linear(c.hiddenSize, c.intermediateSize));
    fc2 = register_module("fc2", torch::nn::Linear(c.intermediateSize, c.hiddenSize));
}

torch::Tensor ClipMlpImpl::forward(const torch::Tensor &x)
{
    return fc2(activation(act, fc1(x)));
}

ClipEncoderLayerImpl::ClipEncoderLayerImpl(const VisionConfig &c)
{
    auto ln = [&c] { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hiddenSize}).eps(c.layerNormEps)); };
    self_attn = register_module("self_attn", ClipAttention(c));
    layer_norm1 = register_module("layer_norm1", ln());
    mlp = register_module("mlp", ClipMlp(c));
    layer_norm2 = register_module("layer_norm2", ln());
}

torch::Tensor ClipEncoderLayerImpl::forward(const torch::Tensor &x)
{
    auto h = x + self_attn(layer_norm1(x));
    return h + mlp(layer_norm2(h));
}

ClipEncoderImpl::ClipEncoderImpl(const VisionConfig &c)
{
    layers = register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < c.numLayers; ++i)
        layers->push_back(ClipEncoderLayer(c));
}

ClipEmbeddingsImpl::ClipEmbeddingsImpl(const VisionConfig &c)
{
    class_embedding = register_parameter("class_embedding", torch::zeros({c.hiddenSize}));
    patch_embedding = register_module(
        "patch_embedding",
        torch::nn::Conv2d(torch::nn::Conv2dOptions(c.numChannels, c.hiddenSize, c.patchSize).stride(c.patchSize).bias(false)));
    position_embedding = register_module("position_embedding", torch::nn::Embedding(c.numPatches() + 1, c.hiddenSize));
}

torch::Tensor ClipEmbeddingsImpl::forward(const torch::Tensor &pixels)
{
    const auto B = pixels.size(0);
    auto patches = patch_embedding(pixels.to(patch_embedding->weight.scalar_type())).flatten(2).transpose(1, 2);
    auto cls = class_embedding.view({1, 1, -1}).expand({B, 1, class_embedding.size(0)});
    auto x = torch::cat({cls, patches}, 1);
    return x + position_embedding->weight.unsqueeze(0);
}

ClipVisionTransformerImpl::ClipVisionTransformerImpl(const VisionConfig &c) : numLayers(c.numLayers)
{
    auto ln = [&c] { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hiddenSize}).eps(c.layerNormEps)); };
    embeddings = register_module("embeddings", ClipEmbeddings(c));
    pre_layrnorm = register_module("pre_layrnorm", ln());
    encoder = register_module("encoder", ClipEncoder(c));
    post_layernorm = register_module("post_layernorm", ln());
}

torch::Tensor ClipVisionTransformerImpl::hiddenState(const torch::Tensor &pixels, int layer)
{
    const int index = layer < 0 ? numLayers + 1 + layer : layer;
    TORCH_CHECK(index >= 0 && index <= numLayers, "vision feature layer ", layer, " out of range");
    auto h = pre_layrnorm(embeddings(pixels));
    for (int i = 0; i < index; ++i)
        h = encoder->layers[std::size_t(i)]->as<ClipEncoderLayer>()->forward(h);
    return h;
}

ClipVisionModelImpl::ClipVisionModelImpl(const VisionConfig &c)
{
    vision_model = register_module("vision_model", ClipVisionTransformer(c));
}

ProjectorImpl::ProjectorImpl(int visionHidden, int textHidden, std::string act_, bool bias) : act(std::move(act_))
{
    linear_1 = register_module("linear_1", torch::nn::Linear(torch::nn::LinearOptions(visionHidden, textHidden).bias(bias)));
    linear_2 = register_module("linear_2", torch::nn::Linear(torch::nn::LinearOptions(textHidden, textHidden).bias(bias)));
}

torch::Tensor ProjectorImpl::forward(const torch::Tensor &x)
{
    return linear_2(activation(act, linear_1(x)));
}

LlavaModelImpl::LlavaModelImpl(const LlavaConfig &c) : config(c)
{
    vision_tower = register_module("vision_tower", ClipVisionModel(c.vision));
    multi_modal_projector = register_module("multi_modal_projector",
                                            Projector(c.vision.hiddenSize, c.text.hiddenSize, c.projectorHiddenAct, c.projectorBias));
    language_model = register_module("language_model", LlamaForCausalLM(c.text));
    if (c.anyres())
        image_newline = register_parameter("image_newline", torch::zeros({c.text.hiddenSize}));
}

torch::Tensor packAnyres(const torch::Tensor &views, const AnyresLayout &l, const torch::Tensor &newline)
{
    TORCH_CHECK(views.dim() == 3 && views.size(0) == l.views(), "an image of ", l.image.width, "x", l.image.height, " has ", l.views(),
                " views but ", views.size(0), " were given");
    const auto P = views.size(1), D = views.size(2);
    const auto side = std::int64_t(std::llround(std::sqrt(double(P))));
    TORCH_CHECK(side * side == P, "a view's ", P, " features are not a square grid");
    auto base = views[0];
    // [rows*cols, side, side, D] → [rows, side, cols, side, D] → [rows*side, cols*side, D]: the
    // feature map of the padded image.
    auto grid = views.slice(0, 1)
                    .view({l.rows, l.cols, side, side, D})
                    .permute({0, 2, 1, 3, 4})
                    .reshape({l.rows * side, l.cols * side, D});
    grid = grid.slice(0, l.unpadTop, l.unpadTop + l.unpaddedHeight).slice(1, l.unpadLeft, l.unpadLeft + l.unpaddedWidth);
    auto nl = newline.to(grid.dtype()).view({1, 1, D}).expand({l.unpaddedHeight, 1, D});
    auto rows = torch::cat({grid, nl}, 1).reshape({-1, D});
    return torch::cat({base, rows}, 0);
}

torch::Tensor LlavaModelImpl::imageFeatures(const torch::Tensor &pixels)
{
    auto h = vision_tower->vision_model->hiddenState(pixels, config.visionFeatureLayer);
    if (config.visionFeatureSelectStrategy == "default")
        h = h.slice(1, 1);
    return multi_modal_projector(h);
}

torch::Tensor LlavaModelImpl::packImages(const torch::Tensor &viewFeatures, const std::vector<PixelSize> &imageSizes)
{
    std::vector<torch::Tensor> packed;
    std::int64_t first = 0;
    for (const PixelSize &size : imageSizes) {
        const AnyresLayout l = anyresLayout(config, size.height, size.width);
        packed.push_back(packAnyres(viewFeatures.slice(0, first, first + l.views()), l, image_newline));
        first += l.views();
    }
    TORCH_CHECK(first == viewFeatures.size(0), "the image sizes account for ", first, " views but ", viewFeatures.size(0), " were given");
    return torch::cat(packed, 0);
}

torch::Tensor LlavaModelImpl::embed(const torch::Tensor &ids, const torch::Tensor &features)
{
    auto isImage = ids == config.imageTokenIndex;
    auto embeds = language_model->model->embed_tokens(ids.masked_fill(isImage, 0));
    const auto count = isImage.sum().item<std::int64_t>();
    if (count == 0)
        return embeds;
    TORCH_CHECK(features.defined(), "the input has ", count, " image tokens but no image features");
    auto flat = features.reshape({-1, embeds.size(-1)}).to(embeds.scalar_type());
    TORCH_CHECK(flat.size(0) == count, "the input has ", count, " image tokens but there are ", flat.size(0),
                " image feature rows");
    return embeds.masked_scatter(isImage.unsqueeze(-1).expand_as(embeds), flat);
}

torch::Tensor LlavaModelImpl::pooledPerRow(const torch::Tensor &features, const std::vector<std::int64_t> &tokensPerRow, std::int64_t hidden,
                                           torch::TensorOptions options)
{
    std::vector<torch::Tensor> rows;
    const auto flat = features.defined() ? features.reshape({-1, hidden}) : features;
    std::int64_t first = 0;
    for (const std::int64_t n : tokensPerRow) {
        if (n > 0) {
            TORCH_CHECK(flat.defined() && first + n <= flat.size(0), "fewer image features than image tokens");
            rows.push_back(flat.slice(0, first, first + n).mean(0).to(options.dtype()));
        } else {
            rows.push_back(torch::zeros({hidden}, options));
        }
        first += n;
    }
    return torch::stack(rows);
}

torch::Tensor LlavaModelImpl::forward(const torch::Tensor &ids, const torch::Tensor &pixels, const torch::Tensor &keyMask,
                                      const std::vector<PixelSize> &imageSizes)
{
    torch::Tensor features;
    if (pixels.defined() && pixels.numel() > 0) {
        features = imageFeatures(pixels);
        if (config.anyres())
            features = packImages(features, imageSizes);
    }
    auto embeds = embed(ids, features);
    auto hidden = language_model->model->forward(embeds, positionsFromMask(keyMask), keyMask, nullptr, nullptr);
    return language_model->logits(hidden);
}

} // namespace sdrt::model
