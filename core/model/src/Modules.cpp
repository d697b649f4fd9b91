#include "LlavaModel.h"

#include "sdrt/model/Qwen3Vl.h"

#include <torch/torch.h>

#include <cmath>

namespace F = torch::nn::functional;

namespace sdrt::model {

torch::Tensor activation(const std::string &name, const torch::Tensor &x)
{
    if (name == "quick_gelu")
        return x * torch::sigmoid(1.702 * x);
    if (name == "gelu")
        return F::gelu(x);
    if (name == "gelu_pytorch_tanh")
        return F::gelu(x, F::GELUFuncOptions().approximate("tanh"));
    if (name == "relu")
        return torch::relu(x);
    if (name == "silu")
        return F::silu(x);
    TORCH_CHECK(false, "unsupported activation ", name);
}

torch::Tensor projectWith(const torch::Tensor &weight, const torch::Tensor &x, const torch::Tensor &bias)
{
    if (x.numel() != x.size(-1) || !x.device().is_cpu())
        return F::linear(x, weight, bias);
    auto y = torch::mv(weight, x.reshape({-1}));
    if (bias.defined())
        y = y + bias;
    auto sizes = x.sizes().vec();
    sizes.back() = y.size(0);
    return y.view(sizes);
}

torch::Tensor project(const torch::nn::Linear &linear, const torch::Tensor &x)
{
    return projectWith(linear->weight, x, linear->bias);
}

DefaultDtypeScope::DefaultDtypeScope(torch::ScalarType dtype) : m_previous(torch::get_default_dtype())
{
    torch::set_default_dtype(caffe2::TypeMeta::fromScalarType(dtype));
}

DefaultDtypeScope::~DefaultDtypeScope()
{
    torch::set_default_dtype(m_previous);
}

RMSNormImpl::RMSNormImpl(std::int64_t dim, double eps_) : eps(eps_)
{
    weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor &x)
{
    const auto dtype = x.scalar_type();
    torch::Tensor h = x.to(torch::kFloat32);
    h = h * torch::rsqrt(h.pow(2).mean(-1, true) + eps);
    return weight * h.to(dtype);
}

torch::Tensor rotateHalf(const torch::Tensor &x)
{
    const auto half = x.size(-1) / 2;
    auto x1 = x.slice(-1, 0, half);
    auto x2 = x.slice(-1, half);
    return torch::cat({-x2, x1}, -1);
}

std::pair<torch::Tensor, torch::Tensor> rotaryCosSin(const torch::Tensor &positions, std::int64_t headDim, double theta,
                                                     torch::ScalarType dtype)
{
    auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(positions.device());
    auto invFreq = 1.0 / torch::pow(theta, torch::arange(0, headDim, 2, opts) / double(headDim));
    auto freqs = positions.to(torch::kFloat32).unsqueeze(-1) * invFreq; // [B,T,D/2]
    auto emb = torch::cat({freqs, freqs}, -1);
    return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

std::pair<torch::Tensor, torch::Tensor> multimodalRotaryCosSin(const torch::Tensor &positions, std::int64_t headDim, double theta,
                                                               const std::array<int, 3> &section, torch::ScalarType dtype)
{
    TORCH_CHECK(positions.dim() == 3 && positions.size(0) == 3, "multimodal rotary positions must be [3, B, T]");
    auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(positions.device());
    auto invFreq = 1.0 / torch::pow(theta, torch::arange(0, headDim, 2, opts) / double(headDim));
    auto freqs = positions.to(torch::kFloat32).unsqueeze(-1) * invFreq; // [3,B,T,D/2]
    const std::vector<int> axes = mropeAxes(int(headDim), section);
    auto axis = torch::tensor(std::vector<std::int64_t>(axes.begin(), axes.end()), torch::TensorOptions().dtype(torch::kInt64).device(positions.device()));
    // Frequency i from axis axes[i]: gather over the leading axis.
    auto picked = freqs.gather(0, axis.view({1, 1, 1, -1}).expand({1, freqs.size(1), freqs.size(2), freqs.size(3)})).squeeze(0);
    auto emb = torch::cat({picked, picked}, -1);
    return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

torch::Tensor applyRotary(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin)
{
    auto c = cos.unsqueeze(1);
    auto s = sin.unsqueeze(1);
    return x * c + rotateHalf(x) * s;
}

torch::Tensor causalMask(const torch::Tensor &keyMask, std::int64_t queryLen, std::int64_t pastLen, torch::ScalarType dtype,
                         std::int64_t slidingWindow, const torch::Tensor &queryPositions)
{
    const auto B = keyMask.size(0);
    const auto S = keyMask.size(1);
    auto opts = torch::TensorOptions().device(keyMask.device()).dtype(torch::kInt64);
    auto q = torch::arange(pastLen, pastLen + queryLen, opts).view({queryLen, 1});
    auto k = torch::arange(0, S, opts).view({1, S});
    auto allowed = (k <= q).view({1, 1, queryLen, S}) & keyMask.to(torch::kBool).view({B, 1, 1, S});
    if (slidingWindow > 0 && S > slidingWindow) {
        TORCH_CHECK(queryPositions.defined(), "a sliding window needs the queries' positions");
        auto keyPositions = keyMask.to(torch::kInt64).cumsum(1) - 1;                             // [B,S]
        auto distance = queryPositions.to(torch::kInt64).view({B, 1, queryLen, 1}) - keyPositions.view({B, 1, 1, S});
        allowed = allowed & (distance < slidingWindow);
    }
    auto lowest = torch::full({}, std::numeric_limits<float>::lowest(), torch::TensorOptions().dtype(torch::kFloat32));
    if (dtype == torch::kFloat16 || dtype == torch::kBFloat16)
        lowest = torch::full({}, dtype == torch::kFloat16 ? -65504.0 : -3.38e38, torch::TensorOptions().dtype(torch::kFloat32));
    auto zero = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat32));
    return torch::where(allowed, zero.to(keyMask.device()), lowest.to(keyMask.device())).to(dtype);
}

std::pair<torch::Tensor, torch::Tensor> KvCache::store(std::size_t layer, const torch::Tensor &k, const torch::Tensor &v)
{
    if (keys.size() <= layer) {
        keys.resize(layer + 1);
        values.resize(layer + 1);
    }
    if (keys[layer].defined()) {
        keys[layer] = torch::cat({keys[layer], k}, 2);
        values[layer] = torch::cat({values[layer], v}, 2);
    } else {
        keys[layer] = k;
        values[layer] = v;
    }
    return {keys[layer], values[layer]};
}

// ---- text decoder ----

LlamaAttentionImpl::LlamaAttentionImpl(const TextConfig &c)
    : heads(c.numHeads), kvHeads(c.numKvHeads), headDim(c.headDim())
{
    const bool bias = c.attentionBias;
    auto lin = [bias](int in, int out) { return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias)); };
    q_proj = register_module("q_proj", lin(c.hiddenSize, heads * headDim));
    k_proj = register_module("k_proj", lin(c.hiddenSize, kvHeads * headDim));
    v_proj = register_module("v_proj", lin(c.hiddenSize, kvHeads * headDim));
    o_proj = register_module("o_proj", lin(heads * headDim, c.hiddenSize));
    if (c.qkNorm) {
        q_norm = register_module("q_norm", RMSNorm(headDim, c.rmsNormEps));
        k_norm = register_module("k_norm", RMSNorm(headDim, c.rmsNormEps));
    }
}

torch::Tensor LlamaAttentionImpl::forward(const torch::Tensor &h, const torch::Tensor &cos, const torch::Tensor &sin,
                                          const torch::Tensor &mask, KvStore *cache, std::size_t layer)
{
    const auto B = h.size(0);
    const auto T = h.size(1);
    auto q = project(q_proj, h).view({B, T, heads, headDim});
    auto k = project(k_proj, h).view({B, T, kvHeads, headDim});
    if (q_norm) { // per head, before the rotary embedding
        q = q_norm(q);
        k = k_norm(k);
    }
    q = q.transpose(1, 2);
    k = k.transpose(1, 2);
    auto v = project(v_proj, h).view({B, T, kvHeads, headDim}).transpose(1, 2);
    q = applyRotary(q, cos, sin);
    k = applyRotary(k, cos, sin);
    if (cache)
        std::tie(k, v) = cache->store(layer, k, v);
    const auto S = k.size(2);
    // Grouped-query attention without repeating the keys and values per query head: the
    // `group` query heads of one key/value head become rows of one product ([B, kvHeads,
    // group*T, S]), so the cache is read where it lies.
    const auto group = heads / kvHeads;
    auto attend = [&](const torch::Tensor &qc, const torch::Tensor &mc) { // qc [B,H,t,hd], mc [B,1,t,S]
        const auto t = qc.size(2);
        auto qg = qc.reshape({B, kvHeads, group * t, headDim});
        auto scores = torch::matmul(qg, k.transpose(-2, -1)).view({B, kvHeads, group, t, S}) / std::sqrt(double(headDim)) + mc.unsqueeze(1);
        auto probs = torch::softmax(scores.to(torch::kFloat32), -1).to(q.scalar_type()).view({B, kvHeads, group * t, S});
        return torch::matmul(probs, v).view({B, heads, t, headDim});
    };
    // A long prompt (a large image's tokens) takes its queries in blocks, so the float32 scores
    // of one block stay within kAttentionScoresBytes.
    const std::int64_t rows = std::max<std::int64_t>(1, kAttentionScoresBytes / std::max<std::int64_t>(1, B * heads * S * 4));
    torch::Tensor out;
    if (T <= rows) {
        out = attend(q, mask);
    } else {
        std::vector<torch::Tensor> parts;
        for (std::int64_t t0 = 0; t0 < T; t0 += rows)
            parts.push_back(attend(q.slice(2, t0, std::min(T, t0 + rows)), mask.slice(2, t0, std::min(T, t0 + rows))));
        out = torch::cat(parts, 2);
    }
    return project(o_proj, out.transpose(1, 2).reshape({B, T, heads * headDim}));
}

LlamaMlpImpl::LlamaMlpImpl(const TextConfig &c)
{
    auto lin = [](int in, int out) { return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false)); };
    gate_proj = register_module("gate_proj", lin(c.hiddenSize, c.intermediateSize));
    up_proj = register_module("up_proj", lin(c.hiddenSize, c.intermediateSize));
    down_proj = register_module("down_proj", lin(c.intermediateSize, c.hiddenSize));
}

torch::Tensor LlamaMlpImpl::forward(const torch::Tensor &x)
{
    return project(down_proj, F::silu(project(gate_proj, x)) * project(up_proj, x));
}

LlamaDecoderLayerImpl::LlamaDecoderLayerImpl(const TextConfig &c)
{
    self_attn = register_module("self_attn", LlamaAttention(c));
    mlp = register_module("mlp", LlamaMlp(c));
    input_layernorm = register_module("input_layernorm", RMSNorm(c.hiddenSize, c.rmsNormEps));
    post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(c.hiddenSize, c.rmsNormEps));
}

torch::Tensor LlamaDecoderLayerImpl::forward(const torch::Tensor &h, const torch::Tensor &cos, const torch::Tensor &sin,
                                             const torch::Tensor &mask, KvStore *cache, std::size_t layer)
{
    auto x = h + self_attn(input_layernorm(h), cos, sin, mask, cache, layer);
    return x + mlp(post_attention_layernorm(x));
}

LlamaModelImpl::LlamaModelImpl(const TextConfig &c) : config(c)
{
    embed_tokens = register_module("embed_tokens", torch::nn::Embedding(c.vocabSize, c.hiddenSize));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < c.numLayers; ++i)
        layers->push_back(LlamaDecoderLayer(c));
    norm = register_module("norm", RMSNorm(c.hiddenSize, c.rmsNormEps));
}

torch::Tensor LlamaModelImpl::forward(const torch::Tensor &inputsEmbeds, const torch::Tensor &positions,
                                      const torch::Tensor &keyMask, KvStore *cache, HiddenCapture *capture,
                                      const InterventionInput *intervention, const DeepstackInput *deepstack)
{
    const auto T = inputsEmbeds.size(1);
    const std::int64_t past = cache ? cache->pastLength() : 0;
    TORCH_CHECK(keyMask.size(1) == past + T, "key mask covers ", keyMask.size(1), " positions, expected ", past + T);
    torch::Tensor cos, sin;
    if (config.multimodalRope() && positions.dim() == 3) {
        std::tie(cos, sin) = multimodalRotaryCosSin(positions, config.headDim(), config.ropeTheta, config.mropeSection, inputsEmbeds.scalar_type());
    } else {
        // One position per token (text, every decode step): the same on the three axes, where
        // the multimodal embedding is the plain one (exactly: tst_qwen3vl).
        std::tie(cos, sin) = rotaryCosSin(positions, config.headDim(), config.ropeTheta, inputsEmbeds.scalar_type());
    }
    auto mask = causalMask(keyMask, T, past, inputsEmbeds.scalar_type(), config.slidingWindow, positions);
    auto wants = [capture](int l) {
        return capture && std::find(capture->layers.begin(), capture->layers.end(), l) != capture->layers.end();
    };
    if (capture)
        capture->states.clear();
    torch::Tensor h = inputsEmbeds;
    DecoderIntervention *edit = intervention ? intervention->intervention : nullptr;
    for (std::size_t i = 0; i < layers->size(); ++i) {
        if (edit && edit->actsAt(int(i)))
            h = edit->apply(int(i), h, intervention->edit, intervention->visual);
        if (wants(int(i)))
            capture->states[int(i)] = h;
        h = layers[i]->as<LlamaDecoderLayer>()->forward(h, cos, sin, mask, cache, i);
        if (deepstack && i < deepstack->features.size() && deepstack->features[i].defined())
            h = h.index_put({deepstack->mask}, h.index({deepstack->mask}) + deepstack->features[i].to(h.scalar_type()));
    }
    h = norm(h);
    if (wants(int(layers->size())))
        capture->states[int(layers->size())] = h;
    return h;
}

LlamaForCausalLMImpl::LlamaForCausalLMImpl(const TextConfig &c)
{
    model = register_module("model", LlamaModel(c));
    if (!c.tieWordEmbeddings)
        lm_head = register_module("lm_head", torch::nn::Linear(torch::nn::LinearOptions(c.hiddenSize, c.vocabSize).bias(false)));
}

torch::Tensor LlamaForCausalLMImpl::logits(const torch::Tensor &hidden)
{
    if (lm_head)
        return project(lm_head, hidden);
    return projectWith(model->embed_tokens->weight, hidden);
}

// ---- vision tower ----

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

torch::Tensor positionsFromMask(const torch::Tensor &keyMask)
{
    return (keyMask.to(torch::kInt64).cumsum(1) - 1).clamp_min(0);
}

void initRandom(LlavaModel &model, std::uint64_t seed)
{
    initRandom(*model, seed);
}

void initRandom(torch::nn::Module &model, std::uint64_t seed)
{
    torch::NoGradGuard guard;
    torch::manual_seed(seed);
    for (auto &p : model.named_parameters(true)) {
        const std::string &name = p.key();
        torch::Tensor &t = p.value();
        const bool isNorm = name.find("norm") != std::string::npos || name.find("layrnorm") != std::string::npos;
        if (isNorm && name.size() > 6 && name.compare(name.size() - 6, 6, "weight") == 0)
            t.fill_(1.0);
        else if (isNorm || (name.size() > 4 && name.compare(name.size() - 4, 4, "bias") == 0))
            t.zero_();
        else
            t.normal_(0.0, 0.02);
    }
}

} // namespace sdrt::model
