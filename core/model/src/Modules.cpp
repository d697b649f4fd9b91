// The building blocks the networks share (LlavaModel.h): activations, projections, RMSNorm,
// rotary embeddings, the causal mask, the appending KV cache, and random initialisation. The
// Llama-style decoder is in DecoderModules.cpp; LLaVA's vision tower, projector and the whole
// LLaVA network in VisionModules.cpp.

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
