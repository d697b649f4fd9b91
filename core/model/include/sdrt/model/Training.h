#pragma once
// Training of the whole LLaVA (or parts of it) on (images, prompt, target) examples: the loss
// is the cross-entropy of the target tokens only, given the prompt. AdamW is ours (its state
// is plain tensors), so checkpoints are safetensors files like the model, and a run resumes
// exactly where its last checkpoint left it. No torch types here.
//
// Thread rule: runs on the calling thread; progress is called there; cancel is polled per step.

#include "sdrt/common/Expected.h"
#include "sdrt/model/Runtime.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sdrt::model {

struct TrainingExample {
    std::vector<RgbImage> images;
    std::string prompt; // ends where the answer starts; unused when `chat` is set (as GenerationRequest)
    std::string target; // the text to learn; EOS is appended unless appendEos is false
    // false: the target is the start of a longer answer (a continuation the prompt already began
    // and the model must go on from), so no EOS is learnt after it.
    bool appendEos = true;
    // Optional dense labels for the vision tower (TrainParams::patchClasses > 0): per image, empty
    // or one 0/1 value per (patch, class), patches row-major after the vision tower's
    // preprocessing, class fastest.
    std::vector<std::vector<std::uint8_t>> patchLabels;
    // The prompt as a chat turn the model's template renders, in place of `prompt`.
    std::optional<ChatTurn> chat;
};

struct TrainProgress {
    int step = 0;        // steps done
    int steps = 0;
    double loss = 0;     // mean over the last step's target tokens (plus the patch loss, if any)
    double patchLoss = 0; // the weighted patch-label loss of the last step (0 without patch labels)
    double lr = 0;
    double tokensPerSecond = 0; // target + prompt tokens through the model
    double etaSeconds = 0;
};

struct TrainParams {
    int steps = 100;
    int batchSize = 8;
    double learningRate = 1e-3;
    double weightDecay = 0.01;
    int warmupSteps = 10;          // linear warm-up, then cosine decay to 10%
    double gradClip = 1.0;         // global norm; 0 = off
    std::uint64_t seed = 1;        // example order
    bool trainVision = true;       // false: vision tower frozen
    // Dense supervision of the vision tower: a linear head (training only, not saved in the
    // model) predicts `patchClasses` labels per patch from the features the projector reads;
    // its binary cross-entropy, times `patchLossWeight`, is added to the loss.
    int patchClasses = 0;
    double patchLossWeight = 1.0;
    std::string checkpointDir;     // empty: no checkpoints
    int checkpointEvery = 50;
    std::function<void(const TrainProgress &)> progress;
    const std::atomic_bool *cancel = nullptr;
};

struct TrainReport {
    int startStep = 0;     // > 0 when resumed from a checkpoint
    int stepsDone = 0;     // total steps done (incl. resumed ones)
    bool cancelled = false;
    double firstLoss = 0;  // of this run's first step
    double lastLoss = 0;
    std::vector<double> losses; // per step of this run
    double seconds = 0;
};

// Example order: a fresh seeded permutation per epoch, so step `step` always sees the same
// batch, resumed or not: indices into [0, count).
std::vector<int> trainingBatchIndices(int count, int batchSize, std::uint64_t seed, int step);
// Linear warm-up to `peak`, then cosine decay to 10 % of it at `steps`.
double scheduledLearningRate(double peak, int warmupSteps, int steps, int step);

// `example(i)` gives example i of `count`; each step draws a batch in a seeded random order.
Expected<TrainReport, std::string> train(VlmRuntime &runtime, int count,
                                         const std::function<TrainingExample(int)> &example, const TrainParams &params);

// Mean target cross-entropy over the examples, without training (for held-out loss).
Expected<double, std::string> evaluateLoss(VlmRuntime &runtime, const std::vector<TrainingExample> &examples,
                                           int batchSize = 8);

} // namespace sdrt::model
