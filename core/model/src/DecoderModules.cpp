// The Llama-style text decoder (LlavaModel.h): attention with grouped-query heads, optional
// q/k norms and biases, the SwiGLU MLP, the layer stack with its capture, intervention and
// DeepStack hooks, and the LM head.

#include "LlavaModel.h"

#include <torch/torch.h>

#include <cmath>

namespace F = torch::nn::functional;

namespace sdrt::model {

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

} // namespace sdrt::model
