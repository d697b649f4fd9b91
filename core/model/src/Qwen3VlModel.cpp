#include "Qwen3VlModel.h"

#include <torch/torch.h>

#include <cmath>

namespace F = torch::nn::functional;

namespace sdrt::model {

TextConfig qwen3VlTextConfig(const Qwen3VlConfig &c)
{
    TextConfig t;
    t.modelType = "qwen3";
    t.vocabSize = c.text.vocabSize;
    t.hiddenSize = c.text.hiddenSize;
    t.intermediateSize = c.text.intermediateSize;
    t.numLayers = c.text.numLayers;
    t.numHeads = c.text.numHeads;
    t.numKvHeads = c.text.numKvHeads;
    t.headDimension = c.text.headDim;
    t.rmsNormEps = c.text.rmsNormEps;
    t.ropeTheta = c.text.ropeTheta;
    t.maxPositionEmbeddings = c.text.maxPositionEmbeddings;
    t.slidingWindow = 0;
    t.tieWordEmbeddings = c.tied();
    t.hiddenAct = c.text.hiddenAct;
    t.qkNorm = true;
    t.attentionBias = c.text.attentionBias;
    t.mropeSection = c.text.mropeSection;
    return t;
}

// ---- vision tower ----

Qwen3VisionPatchEmbedImpl::Qwen3VisionPatchEmbedImpl(const Qwen3VlVisionConfig &c)
{
    proj = register_module("proj", torch::nn::Conv3d(torch::nn::Conv3dOptions(c.inChannels, c.hiddenSize, {c.temporalPatchSize, c.patchSize, c.patchSize})
                                                         .stride({c.temporalPatchSize, c.patchSize, c.patchSize})
                                                         .bias(true)));
}

torch::Tensor Qwen3VisionPatchEmbedImpl::forward(const torch::Tensor &rows)
{
    const auto &w = proj->weight;
    return F::linear(rows.to(w.scalar_type()), w.view({w.size(0), -1}), proj->bias);
}

Qwen3VisionAttentionImpl::Qwen3VisionAttentionImpl(const Qwen3VlVisionConfig &c) : heads(c.numHeads), headDim(c.headDim())
{
    qkv = register_module("qkv", torch::nn::Linear(torch::nn::LinearOptions(c.hiddenSize, 3 * c.hiddenSize).bias(true)));
    proj = register_module("proj", torch::nn::Linear(torch::nn::LinearOptions(c.hiddenSize, c.hiddenSize).bias(true)));
}

torch::Tensor Qwen3VisionAttentionImpl::forward(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin,
                                                const std::vector<std::int64_t> &segments)
{
    const auto N = x.size(0);
    const auto dtype = x.scalar_type();
    auto parts = qkv(x).view({N, 3, heads, headDim}).permute({1, 0, 2, 3}); // [3, N, H, hd]
    // The rotary embedding in float32, then back to the model's dtype.
    auto rotate = [&](const torch::Tensor &t) {
        auto t32 = t.to(torch::kFloat32);
        return (t32 * cos.unsqueeze(1) + rotateHalf(t32) * sin.unsqueeze(1)).to(dtype);
    };
    auto q = rotate(parts[0]), k = rotate(parts[1]), v = parts[2];
    std::vector<torch::Tensor> outs;
    std::int64_t from = 0;
    const double scale = 1.0 / std::sqrt(double(headDim));
    for (const std::int64_t n : segments) { // each image (frame) attends to itself only
        auto qs = q.slice(0, from, from + n).transpose(0, 1), ks = k.slice(0, from, from + n).transpose(0, 1),
             vs = v.slice(0, from, from + n).transpose(0, 1); // [H, n, hd]
        // A large image's queries in blocks, so the scores stay within kAttentionScoresBytes.
        const std::int64_t rows = std::max<std::int64_t>(1, kAttentionScoresBytes / (std::int64_t(heads) * n * 4));
        for (std::int64_t r0 = 0; r0 < n; r0 += rows) {
            auto qb = qs.slice(1, r0, std::min(n, r0 + rows));
            auto probs = torch::softmax((torch::matmul(qb, ks.transpose(-2, -1)) * scale).to(torch::kFloat32), -1).to(dtype);
            outs.push_back(torch::matmul(probs, vs).transpose(0, 1).reshape({qb.size(1), heads * headDim}));
        }
        from += n;
    }
    TORCH_CHECK(from == N, "vision segments cover ", from, " of ", N, " patches");
    return proj(torch::cat(outs, 0));
}

Qwen3VisionMlpImpl::Qwen3VisionMlpImpl(const Qwen3VlVisionConfig &c) : act(c.hiddenAct)
{
    linear_fc1 = register_module("linear_fc1", torch::nn::Linear(torch::nn::LinearOptions(c.hiddenSize, c.intermediateSize).bias(true)));
    linear_fc2 = register_module("linear_fc2", torch::nn::Linear(torch::nn::LinearOptions(c.intermediateSize, c.hiddenSize).bias(true)));
}

torch::Tensor Qwen3VisionMlpImpl::forward(const torch::Tensor &x)
{
    return linear_fc2(activation(act, linear_fc1(x)));
}

Qwen3VisionBlockImpl::Qwen3VisionBlockImpl(const Qwen3VlVisionConfig &c)
{
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hiddenSize}).eps(1e-6)));
    norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hiddenSize}).eps(1e-6)));
    attn = register_module("attn", Qwen3VisionAttention(c));
    mlp = register_module("mlp", Qwen3VisionMlp(c));
}

torch::Tensor Qwen3VisionBlockImpl::forward(const torch::Tensor &x, const torch::Tensor &cos, const torch::Tensor &sin,
                                            const std::vector<std::int64_t> &segments)
{
    auto h = x + attn(norm1(x), cos, sin, segments);
    return h + mlp(norm2(h));
}

Qwen3PatchMergerImpl::Qwen3PatchMergerImpl(const Qwen3VlVisionConfig &c, bool after)
    : normAfterShuffle(after), merged(std::int64_t(c.hiddenSize) * c.spatialMergeSize * c.spatialMergeSize)
{
    norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({after ? merged : std::int64_t(c.hiddenSize)}).eps(1e-6)));
    linear_fc1 = register_module("linear_fc1", torch::nn::Linear(torch::nn::LinearOptions(merged, merged).bias(true)));
    linear_fc2 = register_module("linear_fc2", torch::nn::Linear(torch::nn::LinearOptions(merged, c.outHiddenSize).bias(true)));
}

torch::Tensor Qwen3PatchMergerImpl::forward(const torch::Tensor &x)
{
    auto y = normAfterShuffle ? norm(x.reshape({-1, merged})) : norm(x).reshape({-1, merged});
    return linear_fc2(F::gelu(linear_fc1(y)));
}

Qwen3VisionModelImpl::Qwen3VisionModelImpl(const Qwen3VlVisionConfig &c) : config(c)
{
    patch_embed = register_module("patch_embed", Qwen3VisionPatchEmbed(c));
    pos_embed = register_module("pos_embed", torch::nn::Embedding(c.numPositionEmbeddings, c.hiddenSize));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < c.depth; ++i)
        blocks->push_back(Qwen3VisionBlock(c));
    merger = register_module("merger", Qwen3PatchMerger(c, false));
    deepstack_merger_list = register_module("deepstack_merger_list", torch::nn::ModuleList());
    for (std::size_t i = 0; i < c.deepstackVisualIndexes.size(); ++i)
        deepstack_merger_list->push_back(Qwen3PatchMerger(c, true));
}

torch::Tensor Qwen3VisionModelImpl::positionEmbedding(const ImageGridThw &g)
{
    const std::int64_t G = config.positionGridSide(), m = config.spatialMergeSize;
    const auto &table = pos_embed->weight;
    const auto dtype = table.scalar_type();
    auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
    auto hIdx = torch::linspace(0, double(G - 1), g.h, f32), wIdx = torch::linspace(0, double(G - 1), g.w, f32);
    auto hf = hIdx.to(torch::kInt64), wf = wIdx.to(torch::kInt64); // truncation: the indexes are not negative
    auto hc = (hf + 1).clamp_max(G - 1), wc = (wf + 1).clamp_max(G - 1);
    auto dh = hIdx - hf.to(torch::kFloat32), dw = wIdx - wf.to(torch::kFloat32);
    auto index = [&](const torch::Tensor &r, const torch::Tensor &c) { return (r.view({-1, 1}) * G + c.view({1, -1})).flatten(); };
    auto weight = [&](const torch::Tensor &a, const torch::Tensor &b) { return (a.view({-1, 1}) * b.view({1, -1})).flatten().to(dtype); };
    const std::array<torch::Tensor, 4> idx = {index(hf, wf), index(hf, wc), index(hc, wf), index(hc, wc)};
    const std::array<torch::Tensor, 4> w = {weight(1 - dh, 1 - dw), weight(1 - dh, dw), weight(dh, 1 - dw), weight(dh, dw)};
    torch::Tensor pe;
    for (int k = 0; k < 4; ++k) { // summed in this order, in the model's dtype
        auto term = table.index_select(0, idx[std::size_t(k)].to(table.device())) * w[std::size_t(k)].to(table.device()).unsqueeze(1);
        pe = k == 0 ? term : pe + term;
    }
    // Raster order → the processor's merge-window order, repeated per frame.
    pe = pe.view({g.h / m, m, g.w / m, m, -1}).permute({0, 2, 1, 3, 4}).reshape({std::int64_t(g.h) * g.w, -1});
    return g.t == 1 ? pe : pe.repeat({g.t, 1});
}

std::pair<torch::Tensor, torch::Tensor> Qwen3VisionModelImpl::rotary(const std::vector<ImageGridThw> &grids, torch::Device device)
{
    const std::int64_t m = config.spatialMergeSize, quarter = config.headDim() / 4;
    auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
    auto invFreq = 1.0 / torch::pow(10000.0, torch::arange(0, 2 * quarter, 2, f32) / double(2 * quarter)); // [hd/4]
    std::vector<float> rows, cols;
    for (const ImageGridThw &g : grids) {
        for (int t = 0; t < g.t; ++t)
            for (std::int64_t br = 0; br < g.h / m; ++br)
                for (std::int64_t bc = 0; bc < g.w / m; ++bc)
                    for (std::int64_t ir = 0; ir < m; ++ir)
                        for (std::int64_t ic = 0; ic < m; ++ic) {
                            rows.push_back(float(br * m + ir));
                            cols.push_back(float(bc * m + ic));
                        }
    }
    auto r = torch::tensor(rows, f32).unsqueeze(1) * invFreq, c = torch::tensor(cols, f32).unsqueeze(1) * invFreq;
    auto angles = torch::cat({r, c}, 1);             // [N, hd/2]: row angles, then column angles
    auto emb = torch::cat({angles, angles}, 1).to(device); // [N, hd]
    return {emb.cos(), emb.sin()};
}

Qwen3VisionOutput Qwen3VisionModelImpl::forward(const torch::Tensor &rows, const std::vector<ImageGridThw> &grids)
{
    std::int64_t total = 0;
    std::vector<std::int64_t> segments;
    std::vector<torch::Tensor> positions;
    for (const ImageGridThw &g : grids) {
        for (int t = 0; t < g.t; ++t)
            segments.push_back(std::int64_t(g.h) * g.w);
        total += g.patches();
        positions.push_back(positionEmbedding(g));
    }
    TORCH_CHECK(rows.dim() == 2 && rows.size(0) == total, "the images' patches are ", rows.sizes(), " but their grids need ", total, " rows");
    auto x = patch_embed(rows) + torch::cat(positions, 0);
    auto [cos, sin] = rotary(grids, x.device());
    Qwen3VisionOutput out;
    std::size_t tap = 0;
    for (std::size_t i = 0; i < blocks->size(); ++i) {
        x = blocks[i]->as<Qwen3VisionBlock>()->forward(x, cos, sin, segments);
        if (tap < config.deepstackVisualIndexes.size() && config.deepstackVisualIndexes[tap] == int(i))
            out.deepstack.push_back(deepstack_merger_list[tap++]->as<Qwen3PatchMerger>()->forward(x));
    }
    out.features = merger(x);
    return out;
}

// ---- the whole network ----

Qwen3VlInnerImpl::Qwen3VlInnerImpl(const Qwen3VlConfig &c)
{
    visual = register_module("visual", Qwen3VisionModel(c.vision));
    language_model = register_module("language_model", LlamaModel(qwen3VlTextConfig(c)));
}

Qwen3VlNetworkImpl::Qwen3VlNetworkImpl(const Qwen3VlConfig &c) : config(c)
{
    model = register_module("model", Qwen3VlInner(c));
    if (!c.tied())
        lm_head = register_module("lm_head", torch::nn::Linear(torch::nn::LinearOptions(c.text.hiddenSize, c.text.vocabSize).bias(false)));
}

torch::Tensor Qwen3VlNetworkImpl::logits(const torch::Tensor &hidden)
{
    if (lm_head)
        return project(lm_head, hidden);
    return projectWith(model->language_model->embed_tokens->weight, hidden);
}

torch::Tensor Qwen3VlNetworkImpl::embed(const torch::Tensor &ids, const torch::Tensor &features)
{
    auto embeds = model->language_model->embed_tokens(ids);
    auto mask = ids == config.imageTokenId;
    const auto n = mask.sum().item<std::int64_t>();
    const std::int64_t have = features.defined() ? features.size(0) : 0;
    TORCH_CHECK(n == have, "the prompt has ", n, " image tokens but the images give ", have, " features");
    if (n > 0)
        embeds = embeds.index_put({mask}, features.to(embeds.scalar_type()));
    return embeds;
}

torch::Tensor Qwen3VlNetworkImpl::forward(const torch::Tensor &ids, const torch::Tensor &keyMask, const torch::Tensor &rows,
                                          const std::vector<ImageGridThw> &grids)
{
    Qwen3VisionOutput vision;
    if (!grids.empty())
        vision = model->visual(rows, grids);
    auto embeds = embed(ids, vision.features);
    DeepstackInput deepstack{ids == config.imageTokenId, vision.deepstack};
    auto positions = qwen3VlPositions(ids, keyMask, grids, config).to(ids.device());
    auto hidden = model->language_model->forward(embeds, positions, keyMask, nullptr, nullptr, nullptr, grids.empty() ? nullptr : &deepstack);
    return logits(hidden);
}

torch::Tensor qwen3VlPositions(const torch::Tensor &ids, const torch::Tensor &keyMask, const std::vector<ImageGridThw> &grids,
                               const Qwen3VlConfig &c, std::vector<std::int64_t> *next)
{
    const auto B = ids.size(0), T = ids.size(1);
    auto cpuIds = ids.to(torch::kCPU, torch::kInt64).contiguous();
    auto cpuMask = keyMask.to(torch::kCPU, torch::kInt64).contiguous();
    auto out = torch::ones({3, B, T}, torch::kInt64);
    auto idsAt = cpuIds.accessor<std::int64_t, 2>();
    auto maskAt = cpuMask.accessor<std::int64_t, 2>();
    auto outAt = out.accessor<std::int64_t, 3>();
    if (next)
        next->assign(std::size_t(B), 0);
    std::size_t image = 0;
    for (std::int64_t b = 0; b < B; ++b) {
        std::vector<int> row;
        std::vector<std::int64_t> at;
        std::size_t runs = 0;
        for (std::int64_t t = 0; t < T; ++t) {
            if (maskAt[b][t] == 0)
                continue;
            const int id = int(idsAt[b][t]);
            if (id == c.imageTokenId && (row.empty() || row.back() != c.imageTokenId))
                ++runs;
            row.push_back(id);
            at.push_back(t);
        }
        TORCH_CHECK(image + runs <= grids.size(), "row ", b, " has ", runs, " image blocks but only ", grids.size() - image, " images are left");
        const std::vector<ImageGridThw> mine(grids.begin() + std::ptrdiff_t(image), grids.begin() + std::ptrdiff_t(image + runs));
        image += runs;
        auto p = ropeIndex(row, mine, c.imageTokenId, c.vision.spatialMergeSize);
        TORCH_CHECK(p, p ? std::string() : p.error());
        for (int a = 0; a < 3; ++a)
            for (std::size_t k = 0; k < at.size(); ++k)
                outAt[a][b][at[k]] = p->axes[std::size_t(a)][k];
        if (next)
            (*next)[std::size_t(b)] = p->next;
    }
    TORCH_CHECK(image == grids.size(), "the prompts have ", image, " image blocks but ", grids.size(), " images were given");
    return out;
}

Expected<Qwen3VlNetwork, std::string> loadQwen3VlNetwork(const std::string &dir, const Qwen3VlConfig &config, torch::Device device,
                                                         torch::ScalarType dtype, std::vector<std::string> *weightFiles)
{
    Qwen3VlNetwork net{nullptr};
    try {
        const DefaultDtypeScope scope(dtype);
        torch::NoGradGuard noGrad;
        net = Qwen3VlNetwork(config);
    } catch (const c10::Error &e) {
        return unexpected(dir + ": cannot build the model: " + e.what_without_backtrace());
    }
    net->eval();
    const bool tied = config.tied();
    WeightNames names{[](const std::string &n) { return n; },
                      [tied](const std::string &n) {
                          return (tied && n == "lm_head.weight") || (n.size() > 8 && n.compare(n.size() - 8, 8, "inv_freq") == 0);
                      }};
    if (auto r = fillFromSafetensors(*net, dir, names, device, dtype, weightFiles); !r)
        return unexpected(r.error());
    return net;
}

} // namespace sdrt::model
