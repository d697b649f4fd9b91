#pragma once
// The settings of a distillation run (SDRT self-distillation; our reading of the method, see
// docs/DISTILLATION.md). A JSON object in snake_case; any subset may be given, the rest take the
// defaults below; an unknown key or a value of the wrong type or range is refused by name.

#include "sdrt/common/Result.h"

#include <QString>

#include <optional>
#include <vector>

namespace sdrt::distill {

// How the student's hidden states are compared with the teacher's (docs/DISTILLATION.md).
enum class HiddenStateLoss { Mse, Cosine };
QString hiddenStateLossName(HiddenStateLoss loss); // "mse", "cosine": the config's words

struct DistillConfig {
    // Optimisation
    int steps = 300;              // optimizer steps
    int batch = 8;                // traces per step (the global batch, over all processes)
    double learningRate = 4e-3;   // peak; linear warm-up, then cosine decay to 10 %
    int warmupSteps = 10;
    double weightDecay = 0.0;
    double gradClip = 1.0;        // global norm; 0: off
    int checkpointEvery = 50;     // steps
    std::uint64_t seed = 1;       // module initialisation and trace order
    // Intervention adapter (LoReFT-style Φ(h) = h + Rᵀ(W h + b − R h))
    bool adapter = true;
    std::vector<int> layers;      // decoder layers whose input it edits (HF numbering); empty: the middle layer
    int rank = 4;
    int positions = 4;            // the plain prompt's last P positions (and every generated one)
    // Vision-language skip connection (gated low-rank map of the pooled projected visual tokens)
    bool skip = true;
    int skipRank = 4;
    // Ensemble weighting over the prompt versions in the data
    bool ensemble = true;
    bool ensembleConditioned = false; // weights depend on the item (pooled visual + question features)
    double ensembleEntropy = 0.05;    // entropy bonus that keeps the weights from collapsing
    // Loss
    bool crossEntropy = true;         // the CE term on the approved answers under the plain prompt
    double lambdaHidden = 0.5;        // weight of the hidden-state term; 0: off
    HiddenStateLoss hiddenLoss = HiddenStateLoss::Mse; // "mse" | "cosine" in the JSON
    std::vector<int> hiddenLayers;    // of the teacher's stored layers; empty: all stored
    // Data
    std::optional<QString> policy;    // "min_accepts,max_rejects"; unset: the workspace's policy
    int maxTraces = 0;                // 0: every approved train trace

    static Result<DistillConfig> fromJson(const QByteArray &json);
    QByteArray toJson() const; // every key, resolved layers included once set
    // The documented keys, for --help and error messages.
    static QStringList keys();
};

} // namespace sdrt::distill
