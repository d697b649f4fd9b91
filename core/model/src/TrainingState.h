#pragma once
// What the runtime's two training loops share (whole-model training in Training.cpp and the
// student's in StudentTrainer.cpp; private to the runtime and its white-box users): AdamW over
// named tensors, the checkpoint that holds them with the optimizer's moments, the
// requires_grad guard and the step timing.

#include "sdrt/common/Expected.h"
#include "sdrt/model/Runtime.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sdrt::model {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

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

// AdamW over a fixed set of named tensors; its moments go into checkpoints as
// adam_m.<name> / adam_v.<name>.
class AdamW {
public:
    explicit AdamW(NamedTensors trainable);
    const NamedTensors &trainable() const { return m_trainable; }
    void zeroGrad();
    // Clips the gradients' global norm to `gradClip` (0: no clipping), then updates every tensor
    // that has a gradient.
    void step(double lr, int step, double weightDecay, double gradClip);
    // The moments by their checkpoint names; the tensors are the optimizer's own (a copy_ into
    // them restores its state).
    NamedTensors state() const;

private:
    NamedTensors m_trainable;
    std::map<std::string, torch::Tensor> m_m, m_v;
};

// What a checkpoint holds besides the optimizer: groups of tensors under a prefix ("model.",
// "module.", "aux.") and, for each group, what to tell the user when one is missing.
struct CheckpointGroup {
    std::string prefix;
    NamedTensors tensors;
    std::string whenMissing; // appended to "<file>: <name> is missing"
};
struct CheckpointContents {
    std::vector<CheckpointGroup> groups;
};

// Writes <file> (its folder made first): the groups, the optimizer's moments and `metadata`
// with "step" added.
Expected<void, std::string> writeCheckpoint(const std::string &file, int step, const CheckpointContents &contents, const AdamW &optimizer,
                                            std::map<std::string, std::string> metadata);
// Reads <file> into the groups' tensors and the optimizer; returns its step. `check` sees the
// metadata first and may refuse the file (a checkpoint of another run).
Expected<int, std::string> readCheckpoint(
    const std::string &file, const CheckpointContents &contents, AdamW &optimizer,
    const std::function<Expected<void, std::string>(const std::map<std::string, std::string> &)> &check = {});

// A loss that ends far above where it started usually means a learning rate too high for the
// data: the run finishes, but says so. The sentence, or empty when the loss did not diverge.
std::string divergenceWarning(const std::vector<double> &losses, double learningRate);

// A teacher-forced row of both trainers: the prompt's ids, then the target (the answer's tokens
// and end-of-text when `appendEos`), labels -100 over the prompt. The error says what is wrong
// ("nothing to learn", over the context); callers name the example.
struct TargetRow {
    std::vector<std::int64_t> ids, labels;
    std::int64_t promptLength = 0;
    std::int64_t answerLength = 0; // the answer's tokens, end-of-text not counted
};
Expected<TargetRow, std::string> targetRow(VlmRuntime::Impl &d, const GenerationRequest &prompt, const std::string &answer, bool appendEos);

// A batch's rows right-padded to the longest, on the CPU: ids (padded with `padId`), mask (1
// over each row's tokens) and labels (-100 past a row's end), each [B, T].
struct PaddedRows {
    torch::Tensor ids, mask, labels;
};
PaddedRows padRows(const std::vector<std::vector<std::int64_t>> &ids, const std::vector<std::vector<std::int64_t>> &labels,
                   std::int64_t padId);

// Seconds since the run (this process's part of it) started, and the derived rates.
class StepClock {
public:
    double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count(); }
    double perSecond(double amount) const { return amount / std::max(1e-9, elapsed()); }
    // Seconds left when `done` of the steps this process ran took elapsed() and `left` remain.
    double eta(int done, int left) const { return done > 0 ? elapsed() / done * left : 0.0; }

private:
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

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
