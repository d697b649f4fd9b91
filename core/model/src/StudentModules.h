#pragma once
// The student's torch modules (private to core/model: Student.cpp and StudentTrainer.cpp).

#include "LlavaModel.h"
#include "sdrt/model/Student.h"

#include <torch/torch.h>

#include <map>

namespace sdrt::model {

class SdrtModules : public torch::nn::Module, public DecoderIntervention {
public:
    explicit SdrtModules(const StudentSettings &s);

    bool actsAt(int layer) const override { return m_at.count(layer) > 0; }
    torch::Tensor apply(int layer, const torch::Tensor &h, const torch::Tensor &edit, const torch::Tensor &visual) override;
    int promptPositions() const override { return settings.positions; }

    // Per-row weight of a trace's loss terms: K · softmax(logits (+ cond(features)))[prompt],
    // so uniform weights are 1; also each row's softmax entropy. promptIndex [B] int64,
    // features [B,2D] (pooled visual, mean question embedding) when conditioned.
    std::pair<torch::Tensor, torch::Tensor> weights(const torch::Tensor &promptIndex, const torch::Tensor &features);
    // R back to orthonormal rows (after each optimizer step).
    void orthonormalize();
    // Trainable tensors by their file name, in a fixed order.
    std::vector<std::pair<std::string, torch::Tensor>> named() const;

    StudentSettings settings;
    struct Layer {
        torch::Tensor R, W, b;       // adapter
        torch::Tensor U, V, gate;    // skip
    };
    std::map<int, Layer> layers;
    torch::Tensor ensembleLogits;              // [K]
    torch::Tensor condWeight, condBias;        // [K,2D], [K]

private:
    std::map<int, int> m_at;
};

struct Student::Impl {
    std::shared_ptr<SdrtModules> modules;
};

// The runtime's own training code reaches a student's modules through this (Student::impl() is
// private).
struct StudentAccess {
    static SdrtModules &modules(Student &s) { return *s.d->modules; }
};

} // namespace sdrt::model
