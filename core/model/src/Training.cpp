#include "sdrt/model/Training.h"

#include "sdrt/common/Log.h"
#include "SafetensorsTorch.h"

#include "TrainingState.h"
#include "RuntimeImpl.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <optional>
#include <random>

namespace fs = std::filesystem;

namespace sdrt::model {
namespace {

struct Batch {
    torch::Tensor ids;    // [B,T]
    torch::Tensor mask;   // [B,T]
    torch::Tensor labels; // [B,T], -100 where no loss
    std::vector<const RgbImage *> images;
    std::vector<TrainingExample> owned; // what `images` points into, when the batch owns its examples
    torch::Tensor patchLabels; // [N, P, K] float, rows of unlabelled images all zero
    torch::Tensor patchMask;   // [N] float, 1 for labelled images
    std::int64_t tokens = 0;
};

Expected<Batch, std::string> makeBatch(VlmRuntime::Impl &d, const std::vector<const TrainingExample *> &examples, int patchClasses = 0)
{
    std::vector<std::vector<std::int64_t>> ids, labels;
    Batch b;
    for (const TrainingExample *e : examples) {
        auto row = targetRow(d, GenerationRequest{e->images, e->prompt, e->chat}, e->target, e->appendEos);
        if (!row)
            return unexpected("a training example: " + row.error());
        ids.push_back(std::move(row->ids));
        labels.push_back(std::move(row->labels));
        for (const auto &img : e->images)
            b.images.push_back(&img);
    }
    if (patchClasses > 0 && !b.images.empty()) {
        const std::int64_t P = d.info.config.vision.numPatches(), K = patchClasses;
        b.patchLabels = torch::zeros({std::int64_t(b.images.size()), P, K});
        b.patchMask = torch::zeros({std::int64_t(b.images.size())});
        std::int64_t n = 0;
        for (const TrainingExample *e : examples) {
            for (std::size_t k = 0; k < e->images.size(); ++k, ++n) {
                if (k >= e->patchLabels.size() || e->patchLabels[k].empty())
                    continue;
                const auto &labels = e->patchLabels[k];
                if (std::int64_t(labels.size()) != P * K)
                    return unexpected("an example's patch labels have " + std::to_string(labels.size()) + " values, expected "
                                      + std::to_string(P * K));
                auto row = b.patchLabels[n];
                auto acc = row.accessor<float, 2>();
                for (std::int64_t i = 0; i < P; ++i)
                    for (std::int64_t c = 0; c < K; ++c)
                        acc[i][c] = labels[std::size_t(i * K + c)];
                b.patchMask[n] = 1.0f;
            }
        }
        b.patchLabels = b.patchLabels.to(d.device);
        b.patchMask = b.patchMask.to(d.device);
    }
    for (const auto &r : ids)
        b.tokens += std::int64_t(r.size());
    const PaddedRows padded = padRows(ids, labels, d.padId());
    b.ids = padded.ids.to(d.device);
    b.mask = padded.mask.to(d.device);
    b.labels = padded.labels.to(d.device);
    return b;
}

torch::Tensor batchLoss(VlmRuntime::Impl &d, const Batch &b, torch::nn::Linear *patchHead = nullptr, double patchWeight = 0,
                        double *patchLossOut = nullptr)
{
    torch::Tensor features, patchLoss;
    if (!b.images.empty() && patchHead && b.patchLabels.defined()) {
        // The image features as LlavaModel::imageFeatures computes them, keeping the vision
        // hidden states for the patch head.
        auto &cfg = d.info.config;
        auto h = d.model->vision_tower->vision_model->hiddenState(d.pixels(b.images), cfg.visionFeatureLayer);
        auto patches = h.slice(1, 1);
        features = d.model->multi_modal_projector(cfg.visionFeatureSelectStrategy == "default" ? patches : h);
        auto logits = (*patchHead)(patches); // [N,P,K]
        auto perImage = torch::nn::functional::binary_cross_entropy_with_logits(
                            logits, b.patchLabels, torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone))
                            .mean({1, 2});
        patchLoss = (perImage * b.patchMask).sum() / b.patchMask.sum().clamp_min(1.0) * patchWeight;
    } else if (!b.images.empty()) {
        features = d.features(b.images);
    }
    auto embeds = d.model->embed(b.ids, features);
    auto &lm = d.model->language_model;
    auto hidden = lm->model->forward(embeds, positionsFromMask(b.mask), b.mask, nullptr, nullptr);
    auto logits = lm->logits(hidden).to(torch::kFloat32);
    const auto V = logits.size(-1);
    auto loss = torch::nn::functional::cross_entropy(
        logits.slice(1, 0, logits.size(1) - 1).reshape({-1, V}), b.labels.slice(1, 1).reshape({-1}),
        torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
    if (patchLoss.defined() && patchLossOut)
        *patchLossOut = patchLoss.item<double>();
    return patchLoss.defined() ? loss + patchLoss : loss;
}

double learningRate(const TrainParams &p, int step)
{
    return scheduledLearningRate(p.learningRate, p.warmupSteps, p.steps, step);
}

} // namespace

std::vector<int> trainingBatchIndices(int count, int batchSize, std::uint64_t seed, int step)
{
    std::vector<int> out;
    std::int64_t first = std::int64_t(step) * batchSize;
    std::int64_t epoch = -1;
    std::vector<int> perm;
    for (int k = 0; k < batchSize; ++k) {
        const std::int64_t i = first + k;
        if (i / count != epoch) {
            epoch = i / count;
            perm.resize(std::size_t(count));
            std::iota(perm.begin(), perm.end(), 0);
            std::mt19937_64 rng(seed * 1000003ull + std::uint64_t(epoch));
            for (int j = count - 1; j > 0; --j)
                std::swap(perm[std::size_t(j)], perm[std::size_t(rng() % std::uint64_t(j + 1))]);
        }
        out.push_back(perm[std::size_t(i % count)]);
    }
    return out;
}

double scheduledLearningRate(double peak, int warmupSteps, int steps, int step)
{
    if (step < warmupSteps)
        return peak * (step + 1) / double(warmupSteps);
    const double progress = double(step - warmupSteps) / std::max(1, steps - warmupSteps);
    return peak * (0.1 + 0.9 * 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress))));
}

namespace {

// What whole-model training updates: the model's parameters (the vision tower's only with
// trainVision; requires_grad set to match) and the patch head, a training-only head saved in
// checkpoints as "aux.*", never in the model.
struct TrainableParts {
    NamedTensors trainable;
    NamedTensors aux;
    std::optional<torch::nn::Linear> patchHead;
};

Expected<TrainableParts, std::string> trainableParts(VlmRuntime::Impl &d, const TrainParams &params)
{
    TrainableParts parts;
    for (auto &p : d.model->named_parameters(true)) {
        const bool vision = p.key().rfind("vision_tower.", 0) == 0;
        p.value().set_requires_grad(params.trainVision || !vision);
        if (params.trainVision || !vision)
            parts.trainable.emplace_back(p.key(), p.value());
    }
    if (params.patchClasses > 0 && d.info.config.anyres())
        return unexpected(std::string("patch supervision needs one view per image (LLaVA 1.5); this model is LLaVA-NeXT"));
    if (params.patchClasses > 0) {
        torch::manual_seed(params.seed);
        parts.patchHead.emplace(d.info.config.vision.hiddenSize, params.patchClasses);
        (*parts.patchHead)->to(d.device);
        for (auto &p : (*parts.patchHead)->named_parameters(true)) {
            p.value().set_requires_grad(true);
            parts.aux.emplace_back("patch_head." + p.key(), p.value());
            parts.trainable.emplace_back("patch_head." + p.key(), p.value());
        }
    }
    return parts;
}

Expected<void, std::string> canTrain(const VlmRuntime::Impl &d, int count, const TrainParams &params)
{
    if (count <= 0 || params.steps <= 0 || params.batchSize <= 0)
        return unexpected(std::string("training needs examples, steps and a batch size"));
    if (!d.model)
        return unexpected("whole-model training is implemented for LLaVA; a " + d.info.family
                          + " model is distilled with adapters (sdrt distill) instead");
    if (d.dtype != torch::kFloat32)
        return unexpected(std::string("training runs in fp32; load the model with dtype fp32"));
    return {};
}

// The batch of `step`: its examples depend only on (seed, step), so a resumed run sees what the
// uninterrupted one would have.
Expected<Batch, std::string> batchAt(VlmRuntime::Impl &d, int count, const std::function<TrainingExample(int)> &example,
                                     const TrainParams &params, int step)
{
    std::vector<TrainingExample> owned;
    for (int i : trainingBatchIndices(count, params.batchSize, params.seed, step))
        owned.push_back(example(i));
    std::vector<const TrainingExample *> batch;
    for (const auto &e : owned)
        batch.push_back(&e);
    auto b = makeBatch(d, batch, params.patchClasses);
    if (b)
        b->owned = std::move(owned); // a moved vector keeps its elements where they are
    return b;
}

} // namespace

Expected<TrainReport, std::string> train(VlmRuntime &runtime, int count, const std::function<TrainingExample(int)> &example,
                                         const TrainParams &params)
{
    auto log = sdrt::log::get("model");
    VlmRuntime::Impl &d = RuntimeAccess::impl(runtime);
    if (auto ok = canTrain(d, count, params); !ok)
        return unexpected(ok.error());
    d.prefixes.clear(); // the weights change: cached keys and values would be stale

    const RequiresGradRestorer restoreRequiresGrad(d.model->parameters(true));
    auto parts = trainableParts(d, params);
    if (!parts)
        return unexpected(parts.error());
    auto &[trainable, aux, patchHead] = *parts;
    AdamW optimizer(trainable);
    // The checkpoint: every weight of the model (a later stage starts from them), the patch head
    // and the optimizer's moments.
    CheckpointContents contents{{{"model.", {}, ""}, {"aux.", aux, " (resume with the same --patch settings)"}}};
    for (auto &p : d.model->named_parameters(true))
        contents.groups[0].tensors.emplace_back(p.key(), p.value());

    TrainReport report;
    const std::string ckpt = params.checkpointDir.empty() ? std::string() : params.checkpointDir + "/checkpoint.safetensors";
    if (!ckpt.empty() && fs::exists(ckpt)) {
        auto resumed = readCheckpoint(ckpt, contents, optimizer);
        if (!resumed)
            return unexpected(resumed.error());
        report.startStep = *resumed;
        log->info("resuming training from {} at step {}", ckpt, report.startStep);
    }
    auto saveCheckpoint = [&](int step) -> Expected<void, std::string> {
        if (ckpt.empty())
            return {};
        return writeCheckpoint(ckpt, step, contents, optimizer, {{"seed", std::to_string(params.seed)}});
    };

    const StepClock clock;
    int step = report.startStep;
    std::int64_t tokens = 0;
    try {
        for (; step < params.steps; ++step) {
            if (params.cancel && params.cancel->load()) {
                report.cancelled = true;
                break;
            }
            auto b = batchAt(d, count, example, params, step);
            if (!b)
                return unexpected(b.error());
            optimizer.zeroGrad();
            double patchLossValue = 0;
            auto loss = batchLoss(d, *b, patchHead ? &*patchHead : nullptr, params.patchLossWeight, &patchLossValue);
            loss.backward();
            const double lossValue = loss.item<double>();
            if (!std::isfinite(lossValue))
                return unexpected("the loss became " + std::to_string(lossValue) + " at step " + std::to_string(step)
                                  + " (learning rate too high?)");
            const double lr = learningRate(params, step);
            optimizer.step(lr, step, params.weightDecay, params.gradClip);
            tokens += b->tokens;
            report.losses.push_back(lossValue);
            if (report.losses.size() == 1)
                report.firstLoss = lossValue;
            report.lastLoss = lossValue;
            if ((step + 1) % std::max(1, params.checkpointEvery) == 0 && step + 1 < params.steps) {
                if (auto r = saveCheckpoint(step + 1); !r)
                    return unexpected(r.error());
            }
            if (params.progress)
                params.progress({step + 1, params.steps, lossValue, patchLossValue, lr, clock.perSecond(double(tokens)),
                                 clock.eta(step + 1 - report.startStep, params.steps - step - 1)});
        }
    } catch (const c10::Error &e) {
        return unexpected(std::string("training failed: ") + e.what_without_backtrace());
    }
    report.stepsDone = step;
    report.seconds = clock.elapsed();
    if (auto r = saveCheckpoint(step); !r)
        return unexpected(r.error());
    return report;
}

Expected<double, std::string> evaluateLoss(VlmRuntime &runtime, const std::vector<TrainingExample> &examples, int batchSize)
{
    VlmRuntime::Impl &d = RuntimeAccess::impl(runtime);
    if (!d.model)
        return unexpected("the training loss is implemented for LLaVA, not for " + d.info.family);
    c10::InferenceMode guard;
    double total = 0;
    std::int64_t n = 0;
    try {
        for (std::size_t i = 0; i < examples.size(); i += std::size_t(batchSize)) {
            std::vector<const TrainingExample *> batch;
            for (std::size_t k = i; k < std::min(examples.size(), i + std::size_t(batchSize)); ++k)
                batch.push_back(&examples[k]);
            auto b = makeBatch(d, batch);
            if (!b)
                return unexpected(b.error());
            const auto targets = (b->labels.slice(1, 1) != -100).sum().item<std::int64_t>();
            total += batchLoss(d, *b).item<double>() * double(targets);
            n += targets;
        }
    } catch (const c10::Error &e) {
        return unexpected(std::string("evaluation failed: ") + e.what_without_backtrace());
    }
    return n > 0 ? total / double(n) : 0.0;
}

} // namespace sdrt::model
