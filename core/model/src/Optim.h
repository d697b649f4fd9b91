#pragma once
// The pieces of our training loops that the runtime's Training.cpp and core/distill's Trainer.cpp
// share (private to the runtime and its white-box users): AdamW on plain tensors (its moments
// are checkpointed as safetensors) and the requires_grad guard.

#include <torch/torch.h>

#include <cmath>
#include <vector>

namespace sdrt::model {

// One AdamW update of `t` with gradient `g` at (0-based) `step`: bias-corrected moments, weight
// decay decoupled and applied to matrices only (no decay on norms and biases).
inline void adamwStep(const torch::Tensor &t, const torch::Tensor &g, const torch::Tensor &m, const torch::Tensor &v, double lr, int step,
                      double weightDecay)
{
    constexpr double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
    const double bc1 = 1.0 - std::pow(beta1, step + 1), bc2 = 1.0 - std::pow(beta2, step + 1);
    m.mul_(beta1).add_(g, 1.0 - beta1);
    v.mul_(beta2).addcmul_(g, g, 1.0 - beta2);
    if (t.dim() >= 2 && weightDecay > 0)
        t.mul_(1.0 - lr * weightDecay);
    t.addcdiv_(m / bc1, (v / bc2).sqrt_().add_(eps), -lr);
}

// Puts every tensor's requires_grad back as it was when constructed, however training ends
// (a bad example, a non-finite loss, a failed checkpoint, a LibTorch error, cancel, success).
class RequiresGradRestorer {
public:
    explicit RequiresGradRestorer(std::vector<torch::Tensor> tensors) : m_tensors(std::move(tensors))
    {
        m_saved.reserve(m_tensors.size());
        for (const auto &p : m_tensors)
            m_saved.push_back(p.requires_grad());
    }
    RequiresGradRestorer(const RequiresGradRestorer &) = delete;
    RequiresGradRestorer &operator=(const RequiresGradRestorer &) = delete;
    ~RequiresGradRestorer()
    {
        for (std::size_t i = 0; i < m_tensors.size(); ++i)
            m_tensors[i].set_requires_grad(m_saved[i]);
    }

private:
    std::vector<torch::Tensor> m_tensors;
    std::vector<bool> m_saved;
};

} // namespace sdrt::model
