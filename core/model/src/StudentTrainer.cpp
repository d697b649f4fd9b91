#include "sdrt/model/StudentTraining.h"

#include "sdrt/common/TrainingLog.h"

#include "TrainingState.h"
#include "RuntimeImpl.h"
#include "SafetensorsTorch.h"
#include "StudentModules.h"
#include "sdrt/common/Log.h"
#include "sdrt/model/HiddenStateFile.h"
#include "sdrt/model/Safetensors.h"
#include "sdrt/model/Training.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace sdrt::model {
namespace {

struct Batch {
    torch::Tensor ids, mask, labels, edit, promptIndex;
    std::vector<const RgbImage *> images;
    std::vector<int> imagesPerRow;
    std::vector<std::int64_t> promptLen, answerLen; // answerLen: y tokens (EOS not counted)
    std::vector<HiddenStates> teacher;       // per row (empty when no hidden term)
    std::int64_t tokens = 0;
};

Expected<Batch, std::string> makeBatch(VlmRuntime::Impl &d, const StudentData &data, const std::vector<int> &rows,
                                       int positions, bool wantHidden)
{
    Batch b;
    std::vector<std::vector<std::int64_t>> ids, labels;
    for (int r : rows) {
        const StudentExample &e = data.examples[std::size_t(r)];
        auto row = targetRow(d, e.direct, e.answer, e.appendEos);
        if (!row)
            return unexpected("trace " + std::to_string(e.traceId) + ": " + row.error());
        b.promptLen.push_back(row->promptLength);
        b.answerLen.push_back(row->answerLength);
        b.tokens += std::int64_t(row->ids.size());
        ids.push_back(std::move(row->ids));
        labels.push_back(std::move(row->labels));
        for (const auto &img : e.direct.images)
            b.images.push_back(&img);
        b.imagesPerRow.push_back(int(e.direct.images.size()));
        if (wantHidden) {
            auto h = readHiddenStates(e.hiddenFile, e.hiddenName);
            if (!h)
                return unexpected("trace " + std::to_string(e.traceId) + ": hidden states: " + h.error());
            b.teacher.push_back(std::move(*h));
        }
    }
    const PaddedRows padded = padRows(ids, labels, d.padId());
    const auto B = padded.ids.size(0);
    b.edit = torch::zeros({B, padded.ids.size(1)});
    std::vector<std::int64_t> prompts;
    for (std::int64_t i = 0; i < B; ++i) {
        const auto n = std::int64_t(ids[std::size_t(i)].size());
        const auto P = b.promptLen[std::size_t(i)];
        b.edit[i].slice(0, std::max<std::int64_t>(0, P - positions), n).fill_(1.0);
        prompts.push_back(data.examples[std::size_t(rows[std::size_t(i)])].promptIndex);
    }
    b.promptIndex = torch::tensor(prompts, torch::kInt64);
    b.ids = padded.ids.to(d.device);
    b.mask = padded.mask.to(d.device);
    b.labels = padded.labels.to(d.device);
    b.edit = b.edit.to(d.device);
    return b;
}

struct Terms {
    torch::Tensor total; // what backward() sees: this shard's share of the global loss
    double ce = 0, hidden = 0, entropy = 0, weighted = 0; // sums over the shard's rows
};

// Per row of the batch, the hidden-state term at the aligned answer positions: the student's
// states against the teacher's, MSE or 1 − cosine, averaged over `layers`; zeros without layers.
torch::Tensor hiddenLossPerRow(VlmRuntime::Impl &d, const Batch &b, const HiddenCapture &cap, const std::vector<int> &layers,
                               HiddenLoss loss)
{
    const auto B = b.ids.size(0);
    std::vector<torch::Tensor> hiddenRows;
    if (!layers.empty()) {
        for (std::int64_t i = 0; i < B; ++i) {
            const HiddenStates &t = b.teacher[std::size_t(i)];
            const std::int64_t n = std::min<std::int64_t>(t.positions, b.answerLen[std::size_t(i)]);
            if (n <= 0) {
                hiddenRows.push_back(torch::zeros({}, torch::kFloat32));
                continue;
            }
            auto all = torch::from_blob(const_cast<float *>(t.values.data()),
                                        {std::int64_t(t.layers.size()), std::int64_t(t.positions), std::int64_t(t.hiddenSize)},
                                        torch::kFloat32);
            std::vector<torch::Tensor> perLayer;
            for (int l : layers) {
                const auto at = std::find(t.layers.begin(), t.layers.end(), l) - t.layers.begin();
                auto teacher = all[at].slice(0, 0, n).to(d.device);
                const auto P = b.promptLen[std::size_t(i)];
                auto student = cap.states.at(l)[i].slice(0, P, P + n).to(torch::kFloat32);
                if (loss == HiddenLoss::Cosine)
                    perLayer.push_back((1.0 - torch::cosine_similarity(student, teacher, -1)).mean());
                else
                    perLayer.push_back((student - teacher).pow(2).mean());
            }
            hiddenRows.push_back(torch::stack(perLayer).mean());
        }
    }
    return hiddenRows.empty() ? torch::zeros({B}) : torch::stack(hiddenRows);
}

// The loss of a shard; `globalBatch` divides the sums, so shards' gradients add up to the
// gradient of the whole batch.
Terms shardLoss(VlmRuntime::Impl &d, SdrtModules &m, const Batch &b, const StudentTrainingSettings &c, const std::vector<int> &layers,
                int globalBatch)
{
    VisualFeatures visual;
    torch::Tensor embeds, positions;
    {
        torch::NoGradGuard frozen; // the vision tower and projector are frozen
        if (!b.images.empty())
            visual = d.visual(b.images);
        embeds = d.embed(b.ids, visual.features);
        positions = d.positions(b.ids, b.mask, b.images);
    }
    const torch::Tensor &features = visual.features;
    const auto deepstack = d.deepstack(b.ids, visual);
    auto pooled = LlavaModelImpl::pooledPerRow(features, d.tokensPerRow(b.images, b.imagesPerRow), d.info.config.text.hiddenSize,
                                                      torch::TensorOptions().dtype(d.dtype).device(d.device));
    InterventionInput in{&m, b.edit.to(d.dtype), pooled};
    HiddenCapture cap;
    cap.layers = layers;
    auto hidden = d.decoder()->forward(embeds, positions, b.mask, nullptr, layers.empty() ? nullptr : &cap, &in, deepstack ? &*deepstack : nullptr);
    const auto B = b.ids.size(0);

    // Per-row CE (mean over the row's target tokens).
    auto labels = b.labels.slice(1, 1);
    auto logits = d.logits(hidden.slice(1, 0, hidden.size(1) - 1)).to(torch::kFloat32);
    auto tokenLoss = torch::nn::functional::cross_entropy(
                         logits.reshape({-1, logits.size(-1)}), labels.reshape({-1}),
                         torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100).reduction(torch::kNone))
                         .reshape({B, -1});
    auto counts = (labels != -100).sum(1).to(torch::kFloat32).clamp_min(1);
    auto ce = tokenLoss.sum(1) / counts; // [B]

    auto h = hiddenLossPerRow(d, b, cap, layers, c.hiddenLoss);

    torch::Tensor qfeat;
    if (m.settings.ensembleConditioned) {
        torch::NoGradGuard frozen;
        auto textMask = ((b.ids != d.info.config.imageTokenIndex) & (b.mask != 0)).to(torch::kFloat32).unsqueeze(-1);
        auto q = (embeds.to(torch::kFloat32) * textMask).sum(1) / textMask.sum(1).clamp_min(1);
        qfeat = torch::cat({pooled.to(torch::kFloat32), q}, 1);
    }
    auto [w, entropy] = m.weights(b.promptIndex.to(d.device), qfeat);
    auto perRow = torch::zeros({B});
    if (c.crossEntropy)
        perRow = perRow + ce;
    if (c.lambdaHidden > 0 && !layers.empty())
        perRow = perRow + c.lambdaHidden * h;
    Terms out;
    out.total = (w * perRow).sum() / double(globalBatch);
    if (m.settings.ensemble && c.ensembleEntropy > 0)
        out.total = out.total - c.ensembleEntropy * entropy.sum() / double(globalBatch);
    out.ce = ce.sum().item<double>();
    out.hidden = h.sum().item<double>();
    out.entropy = entropy.sum().item<double>();
    out.weighted = (w * perRow).sum().item<double>();
    return out;
}

std::vector<int> lossLayers(const StudentData &data, const StudentTrainingSettings &c)
{
    if (c.lambdaHidden <= 0)
        return {};
    if (c.hiddenLayers.empty())
        return data.storedLayers;
    return c.hiddenLayers;
}

// What the ranks sum after each step besides the gradients, by name (the all-reduce carries
// them as the last values of one float vector).
struct StepSums {
    double loss = 0, ce = 0, hidden = 0, entropy = 0, tokens = 0, cancel = 0;
    static constexpr std::size_t kCount = 6;
    void appendTo(std::vector<float> &flat) const
    {
        flat.insert(flat.end(), {float(loss), float(ce), float(hidden), float(entropy), float(tokens), float(cancel)});
    }
    static StepSums readFrom(const std::vector<float> &flat)
    {
        const float *t = flat.data() + flat.size() - kCount;
        return {t[0], t[1], t[2], t[3], t[4], t[5]};
    }
};

// Every rank must hold the same traces in the same order, or the shards would not add up to the
// global batch: compare counts and a checksum of the trace ids (exact in float).
Expected<void, std::string> sameDataOnEveryRank(Communicator &comm, const StudentData &data)
{
    const int count = int(data.examples.size()), world = comm.worldSize();
    std::int64_t sum = 0;
    for (const auto &e : data.examples)
        sum = (sum * 31 + e.traceId) % 65521;
    std::vector<float> mine{float(count), float(sum)};
    if (auto r = comm.allreduceSum(mine); !r)
        return unexpected("all-reduce failed: " + r.error());
    const bool same = mine[0] == float(world) * float(count) && mine[1] == float(world) * float(sum);
    std::vector<float> differs{same ? 0.0f : 1.0f};
    if (auto r = comm.allreduceSum(differs); !r)
        return unexpected("all-reduce failed: " + r.error());
    if (differs[0] > 0)
        return unexpected("the ranks do not have the same training data (this rank has " + std::to_string(count)
                          + " traces); give every rank the same workspace, approvals and run");
    return {};
}

// A checkpoint belongs to one run: its name, its config and its base (a file copied from another
// run would continue someone else's training under this run's name). A checkpoint written
// before checkpoints named their run has none of these keys.
Expected<void, std::string> checkpointOfThisRun(const std::string &file, const RunIdentity &identity,
                                                const std::map<std::string, std::string> &metadata)
{
    auto meta = [&](const char *key) {
        auto it = metadata.find(key);
        return it == metadata.end() ? std::string() : it->second;
    };
    auto differs = [&](const char *key, const std::string &mine) { return !mine.empty() && !meta(key).empty() && meta(key) != mine; };
    if (differs("run", identity.run) || differs("config_sha256", identity.configHash) || differs("base_sha256", identity.baseHash))
        return unexpected(file + " is not this run's checkpoint: it was written by run \"" + meta("run") + "\" (config "
                          + meta("config_sha256").substr(0, 12) + ", base " + meta("base_sha256").substr(0, 12) + "); this is run \""
                          + identity.run + "\" (config " + identity.configHash.substr(0, 12) + ", base "
                          + identity.baseHash.substr(0, 12) + "). Remove it to train this run from step 0.");
    return {};
}

// One run of the student's training: the frozen base, the modules and their optimizer, the
// checkpoint and the log, stepped by trainStudent().
class StudentRun {
public:
    StudentRun(VlmRuntime &base, Student &student, const StudentData &data, const StudentTrainingSettings &settings, Communicator *comm)
        : d(RuntimeAccess::impl(base)), m(StudentAccess::modules(student)), data(data), c(settings), comm(comm),
          rank(comm ? comm->rank() : 0), world(comm ? comm->worldSize() : 1), layers(lossLayers(data, settings)),
          restore(d.family->network().parameters(true)), optimizer(trainable(d, m)),
          contents{{{"module.", m.named(), " (was the run's config changed?)"}}}
    {
    }

    // The step to start from: the checkpoint's, when there is one and it is this run's.
    Expected<int, std::string> resume(const std::string &checkpoint, const RunIdentity &identity)
    {
        if (!fs::exists(checkpoint))
            return 0;
        auto step = readCheckpoint(checkpoint, contents, optimizer,
                                   [&](const auto &meta) { return checkpointOfThisRun(checkpoint, identity, meta); });
        if (step)
            sdrt::log::get("distill")->info("resuming from the checkpoint {} at step {}", checkpoint, *step);
        return step;
    }

    // Rank 0 writes the checkpoint, named after its run.
    Expected<void, std::string> save(const std::string &checkpoint, const RunIdentity &identity, int step) const
    {
        if (rank != 0)
            return {};
        return writeCheckpoint(checkpoint, step, contents, optimizer,
                               {{"format", "sdrt-distill-checkpoint-v1"},
                                {"run", identity.run},
                                {"config_sha256", identity.configHash},
                                {"base_sha256", identity.baseHash}});
    }

    // This rank's share of the global batch at `step`, forward and backward, then the sums of
    // every rank (gradients included, in place).
    Expected<StepSums, std::string> step(int step, bool cancelHere)
    {
        const auto global = trainingBatchIndices(int(data.examples.size()), c.batch, c.seed, step);
        const int from = int(std::int64_t(global.size()) * rank / world), to = int(std::int64_t(global.size()) * (rank + 1) / world);
        auto b = makeBatch(d, data, std::vector<int>(global.begin() + from, global.begin() + to), m.settings.positions, !layers.empty());
        if (!b)
            return unexpected(b.error());
        optimizer.zeroGrad();
        Terms terms = shardLoss(d, m, *b, c, layers, c.batch);
        terms.total.backward();
        std::vector<float> flat;
        for (auto &[n, t] : optimizer.trainable()) {
            auto g = t.grad().defined() ? t.grad().contiguous().to(torch::kCPU) : torch::zeros_like(t).to(torch::kCPU);
            flat.insert(flat.end(), g.data_ptr<float>(), g.data_ptr<float>() + g.numel());
        }
        // The cancel flag is summed too, so every rank stops at the same step.
        StepSums{terms.total.item<double>(), terms.ce, terms.hidden, terms.entropy, double(b->tokens), cancelHere ? 1.0 : 0.0}.appendTo(flat);
        if (comm)
            if (auto r = comm->allreduceSum(flat); !r)
                return unexpected("all-reduce failed at step " + std::to_string(step) + ": " + r.error());
        torch::NoGradGuard guard;
        std::size_t at = 0;
        for (auto &[n, t] : optimizer.trainable()) {
            t.mutable_grad() = torch::from_blob(flat.data() + at, t.sizes(), torch::kFloat32).clone().to(t.device());
            at += std::size_t(t.numel());
        }
        return StepSums::readFrom(flat);
    }

    VlmRuntime::Impl &d;
    SdrtModules &m;
    const StudentData &data;
    const StudentTrainingSettings &c;
    Communicator *comm;
    const int rank, world;
    const std::vector<int> layers;
    const RequiresGradRestorer restore;
    AdamW optimizer;
    CheckpointContents contents;

private:
    // The base is frozen for the whole run (restored by `restore`); the modules train.
    static NamedTensors trainable(VlmRuntime::Impl &d, SdrtModules &m)
    {
        for (auto &p : d.family->network().parameters(true))
            p.set_requires_grad(false);
        m.to(d.device);
        auto named = m.named();
        for (auto &[n, t] : named)
            t.set_requires_grad(true);
        return named;
    }
};

// Step `step`'s figures: the global batch's sums as means over its traces.
DistillProgress progressOf(const StepSums &sums, const StudentTrainingSettings &c, int step, double lr)
{
    DistillProgress p;
    p.step = step + 1;
    p.steps = c.steps;
    p.loss = sums.loss;
    p.ce = sums.ce / c.batch;
    p.hidden = sums.hidden / c.batch;
    p.entropy = sums.entropy / c.batch;
    p.lr = lr;
    return p;
}

std::string logLine(const DistillProgress &p)
{
    nlohmann::json j{{"step", p.step},         {"loss", p.loss},   {"ce", p.ce}, {"hidden", p.hidden}, {"entropy", p.entropy},
                     {"lr", p.lr},             {"samples_per_s", p.samplesPerSecond}, {"tokens_per_s", p.tokensPerSecond}};
    if (!p.ensembleWeights.empty())
        j["ensemble_weights"] = p.ensembleWeights;
    return j.dump();
}

} // namespace

Expected<void, std::string> checkTrainingSetup(VlmRuntime &base, const StudentData &data, const StudentTrainingSettings &c, int world)
{
    auto &d = RuntimeAccess::impl(base);
    if (data.examples.empty())
        return unexpected(std::string("there are no approved traces to learn from"));
    if (d.dtype != torch::kFloat32)
        return unexpected(std::string("distillation runs in fp32; load the base with dtype fp32"));
    if (c.batch < world)
        return unexpected("the batch (" + std::to_string(c.batch) + ") is smaller than the number of processes (" + std::to_string(world)
                          + "): every process needs at least one trace per step");
    const int decoderLayers = d.info.config.text.numLayers;
    for (int l : lossLayers(data, c)) {
        if (l < 0 || l > decoderLayers)
            return unexpected("hidden_layers: layer " + std::to_string(l) + " is outside the decoder (0 to " + std::to_string(decoderLayers)
                              + ")");
        if (std::find(data.storedLayers.begin(), data.storedLayers.end(), l) == data.storedLayers.end()) {
            std::string stored;
            for (int s : data.storedLayers)
                stored += (stored.empty() ? "" : ", ") + std::to_string(s);
            return unexpected("hidden_layers: layer " + std::to_string(l) + " is not among the layers the teacher stored ("
                              + (stored.empty() ? std::string("none") : stored) + ")");
        }
    }
    return {};
}

Expected<DistillReport, std::string> trainStudent(VlmRuntime &base, Student &student, const StudentData &data,
                                                  const StudentTrainingSettings &c, const StudentTrainingFiles &files,
                                                  const DistillCallbacks &callbacks, Communicator *comm, const RunIdentity &identity)
{
    auto log = sdrt::log::get("distill");
    if (auto ok = checkTrainingSetup(base, data, c, comm ? comm->worldSize() : 1); !ok)
        return unexpected(ok.error());
    StudentRun run(base, student, data, c, comm);
    DistillReport report;
    auto resumed = run.resume(files.checkpoint, identity);
    if (!resumed)
        return unexpected(resumed.error());
    report.startStep = *resumed;
    common::TrainingLog trainingLog;
    if (run.rank == 0) { // only rank 0 writes files
        auto opened = common::TrainingLog::continueAfter(files.log, report.startStep);
        if (!opened)
            return unexpected(opened.error().describe());
        trainingLog = std::move(*opened);
    }
    auto saveCheckpoint = [&](int step) { return run.save(files.checkpoint, identity, step); };
    if (comm)
        if (auto same = sameDataOnEveryRank(*comm, data); !same)
            return unexpected(same.error());
    const StepClock clock;
    int step = report.startStep;
    std::int64_t tokens = 0, samples = 0;
    try {
        for (; step < c.steps; ++step) {
            auto sums = run.step(step, callbacks.cancel && callbacks.cancel->load());
            if (!sums)
                return unexpected(sums.error());
            if (!std::isfinite(sums->loss))
                return unexpected("the loss became " + std::to_string(sums->loss) + " at step " + std::to_string(step)
                                  + " (learning rate too high?)");
            const double lr = scheduledLearningRate(c.learningRate, c.warmupSteps, c.steps, step);
            run.optimizer.step(lr, step, c.weightDecay, c.gradClip);
            run.m.orthonormalize();
            tokens += std::int64_t(sums->tokens);
            samples += c.batch;
            DistillProgress p = progressOf(*sums, c, step, lr);
            p.samplesPerSecond = clock.perSecond(double(samples));
            p.tokensPerSecond = clock.perSecond(double(tokens));
            p.etaSeconds = clock.eta(step + 1 - report.startStep, c.steps - step - 1);
            p.ensembleWeights = student.ensembleWeights();
            report.losses.push_back(sums->loss);
            report.last = p;
            if (trainingLog.isOpen())
                if (auto w = trainingLog.append(logLine(p)); !w)
                    return unexpected(w.error().describe());
            if ((step + 1) % c.checkpointEvery == 0 && step + 1 < c.steps)
                if (auto r = saveCheckpoint(step + 1); !r)
                    return unexpected(r.error());
            if (callbacks.progress)
                callbacks.progress(p);
            if (sums->cancel > 0) {
                report.cancelled = true;
                ++step;
                break;
            }
        }
    } catch (const c10::Error &e) {
        return unexpected(std::string("distillation failed: ") + e.what_without_backtrace());
    }
    report.stepsDone = step;
    if (report.warning = divergenceWarning(report.losses, c.learningRate); !report.warning.empty())
        log->warn("{}: {}", files.log, report.warning);
    report.seconds = clock.elapsed();
    report.samplesPerSecond = clock.perSecond(double(samples));
    report.tokensPerSecond = clock.perSecond(double(tokens));
    if (auto r = saveCheckpoint(step); !r)
        return unexpected(r.error());
    return report;
}

} // namespace sdrt::model
