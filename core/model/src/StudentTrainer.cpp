#include "sdrt/model/StudentTraining.h"

#include "sdrt/common/FileWriter.h"

#include "Optim.h"
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
        auto prompt = d.promptIds(e.direct);
        if (!prompt)
            return unexpected("trace " + std::to_string(e.traceId) + ": " + prompt.error());
        std::vector<int> y = d.tokenizer.encode(e.answer, false);
        std::vector<int> target = y;
        if (e.appendEos)
            target.push_back(d.tokenizer.eosId());
        if (target.empty())
            return unexpected("trace " + std::to_string(e.traceId) + ": the answer is empty");
        std::vector<std::int64_t> row(prompt->begin(), prompt->end());
        std::vector<std::int64_t> lab(row.size(), -100);
        row.insert(row.end(), target.begin(), target.end());
        lab.insert(lab.end(), target.begin(), target.end());
        if (int(row.size()) > d.info.config.text.maxPositionEmbeddings)
            return unexpected("trace " + std::to_string(e.traceId) + ": " + std::to_string(row.size()) + " tokens, over the context");
        b.promptLen.push_back(std::int64_t(prompt->size()));
        b.answerLen.push_back(std::int64_t(y.size()));
        b.tokens += std::int64_t(row.size());
        ids.push_back(std::move(row));
        labels.push_back(std::move(lab));
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
    std::size_t T = 0;
    for (const auto &r : ids)
        T = std::max(T, r.size());
    const auto B = std::int64_t(ids.size());
    b.ids = torch::full({B, std::int64_t(T)}, d.padId(), torch::kInt64);
    b.mask = torch::zeros({B, std::int64_t(T)}, torch::kInt64);
    b.labels = torch::full({B, std::int64_t(T)}, -100, torch::kInt64);
    b.edit = torch::zeros({B, std::int64_t(T)});
    std::vector<std::int64_t> prompts;
    for (std::int64_t i = 0; i < B; ++i) {
        const auto n = std::int64_t(ids[std::size_t(i)].size());
        b.ids[i].slice(0, 0, n).copy_(torch::tensor(ids[std::size_t(i)], torch::kInt64));
        b.labels[i].slice(0, 0, n).copy_(torch::tensor(labels[std::size_t(i)], torch::kInt64));
        b.mask[i].slice(0, 0, n).fill_(1);
        const auto P = b.promptLen[std::size_t(i)];
        b.edit[i].slice(0, std::max<std::int64_t>(0, P - positions), n).fill_(1.0);
        prompts.push_back(data.examples[std::size_t(rows[std::size_t(i)])].promptIndex);
    }
    b.promptIndex = torch::tensor(prompts, torch::kInt64);
    b.ids = b.ids.to(d.device);
    b.mask = b.mask.to(d.device);
    b.labels = b.labels.to(d.device);
    b.edit = b.edit.to(d.device);
    return b;
}

struct Terms {
    torch::Tensor total; // what backward() sees: this shard's share of the global loss
    double ce = 0, hidden = 0, entropy = 0, weighted = 0; // sums over the shard's rows
};

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

    // Per-row hidden-state loss at the aligned answer positions.
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
                if (c.hiddenLoss == HiddenLoss::Cosine)
                    perLayer.push_back((1.0 - torch::cosine_similarity(student, teacher, -1)).mean());
                else
                    perLayer.push_back((student - teacher).pow(2).mean());
            }
            hiddenRows.push_back(torch::stack(perLayer).mean());
        }
    }
    auto h = hiddenRows.empty() ? torch::zeros({B}) : torch::stack(hiddenRows);

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
    auto &d = RuntimeAccess::impl(base);
    SdrtModules &m = StudentAccess::modules(student);
    const int rank = comm ? comm->rank() : 0;
    const int world = comm ? comm->worldSize() : 1;
    if (auto ok = checkTrainingSetup(base, data, c, world); !ok)
        return unexpected(ok.error());
    const std::vector<int> layers = lossLayers(data, c);
    const RequiresGradRestorer restore(d.family->network().parameters(true));
    for (auto &p : d.family->network().parameters(true)) // the base is frozen for the whole run
        p.set_requires_grad(false);
    m.to(d.device);
    const auto named = m.named();
    for (auto &[n, t] : named)
        t.set_requires_grad(true);
    std::map<std::string, torch::Tensor> am, av;
    for (auto &[n, t] : named) {
        am[n] = torch::zeros_like(t);
        av[n] = torch::zeros_like(t);
    }

    DistillReport report;
    const std::string &ckpt = files.checkpoint;
    const std::string ckptDir = fs::path(ckpt).parent_path().string();
    const std::string &logFile = files.log;
    if (fs::exists(ckpt)) {
        auto f = SafetensorsFile::open(ckpt);
        if (!f)
            return unexpected(f.error());
        auto step = f->metadata().find("step");
        if (step == f->metadata().end())
            return unexpected(ckpt + ": no step in the checkpoint's metadata");
        // A checkpoint belongs to one run: its name, its config and its base (a file copied from
        // another run would continue someone else's training under this run's name).
        auto meta = [&](const char *key) {
            auto it = f->metadata().find(key);
            return it == f->metadata().end() ? std::string() : it->second;
        };
        // (A checkpoint written before checkpoints named their run has none of these keys.)
        auto differs = [&](const char *key, const std::string &mine) { return !mine.empty() && !meta(key).empty() && meta(key) != mine; };
        if (differs("run", identity.run) || differs("config_sha256", identity.configHash) || differs("base_sha256", identity.baseHash))
            return unexpected(ckpt + " is not this run's checkpoint: it was written by run \"" + meta("run") + "\" (config "
                              + meta("config_sha256").substr(0, 12) + ", base " + meta("base_sha256").substr(0, 12) + "); this is run \""
                              + identity.run + "\" (config " + identity.configHash.substr(0, 12) + ", base "
                              + identity.baseHash.substr(0, 12) + "). Remove it to train this run from step 0.");
        torch::NoGradGuard guard;
        for (auto &[n, t] : named) {
            auto v = loadTensor(*f, "module." + n);
            auto mv = loadTensor(*f, "adam_m." + n);
            auto vv = loadTensor(*f, "adam_v." + n);
            if (!v || !mv || !vv)
                return unexpected(ckpt + ": " + n + " is missing (was the run's config changed?)");
            if (v->sizes() != t.sizes())
                return unexpected(ckpt + ": " + n + " has another shape than the run's config gives");
            t.copy_(*v);
            am[n].copy_(*mv);
            av[n].copy_(*vv);
        }
        report.startStep = std::stoi(step->second);
        log->info("resuming from the checkpoint {} at step {}", ckpt, report.startStep);
    }
    if (rank == 0) {
        // The log goes on from the checkpoint: lines of later steps (from the run that died) go.
        std::vector<std::string> keep;
        if (std::ifstream in(logFile); in) {
            std::string line;
            while (std::getline(in, line)) {
                try {
                    if (!line.empty() && nlohmann::json::parse(line).value("step", 0) <= report.startStep)
                        keep.push_back(line);
                } catch (const std::exception &) {
                    // a line cut by a kill: dropped
                }
            }
        }
        std::string kept;
        for (const auto &l : keep)
            kept += l + '\n';
        if (auto w = common::writeFileAtomically(logFile, kept); !w)
            return unexpected(w.error().describe());
    }
    auto saveCheckpoint = [&](int step) -> Expected<void, std::string> {
        if (rank != 0)
            return {};
        std::error_code ec;
        fs::create_directories(ckptDir, ec);
        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        for (auto &[n, t] : named) {
            tensors.emplace_back("module." + n, t.detach());
            tensors.emplace_back("adam_m." + n, am[n]);
            tensors.emplace_back("adam_v." + n, av[n]);
        }
        return writeSafetensors(ckpt, tensors,
                                       {{"step", std::to_string(step)},
                                        {"format", "sdrt-distill-checkpoint-v1"},
                                        {"run", identity.run},
                                        {"config_sha256", identity.configHash},
                                        {"base_sha256", identity.baseHash}});
    };

    const int count = int(data.examples.size());
    if (comm) {
        // Every rank must hold the same traces in the same order, or the shards would not add
        // up to the global batch: compare counts and a checksum of the trace ids (exact in float).
        std::int64_t sum = 0;
        for (const auto &e : data.examples)
            sum = (sum * 31 + e.traceId) % 65521;
        std::vector<float> mine{float(count), float(sum)};
        if (auto r = comm->allreduceSum(mine); !r)
            return unexpected("all-reduce failed: " + r.error());
        const bool same = mine[0] == float(world) * float(count) && mine[1] == float(world) * float(sum);
        std::vector<float> differs{same ? 0.0f : 1.0f};
        if (auto r = comm->allreduceSum(differs); !r)
            return unexpected("all-reduce failed: " + r.error());
        if (differs[0] > 0)
            return unexpected("the ranks do not have the same training data (this rank has " + std::to_string(count)
                              + " traces); give every rank the same workspace, approvals and run");
    }
    const auto start = std::chrono::steady_clock::now();
    int step = report.startStep;
    std::int64_t tokens = 0, samples = 0;
    common::AppendFile logOut;
    if (rank == 0) {
        auto opened = common::AppendFile::open(logFile);
        if (!opened)
            return unexpected(opened.error().describe());
        logOut = std::move(*opened);
    }
    try {
        for (; step < c.steps; ++step) {
            const auto global = trainingBatchIndices(count, c.batch, c.seed, step);
            const int from = int(std::int64_t(global.size()) * rank / world), to = int(std::int64_t(global.size()) * (rank + 1) / world);
            const std::vector<int> mine(global.begin() + from, global.begin() + to);
            auto b = makeBatch(d, data, mine, m.settings.positions, !layers.empty());
            if (!b)
                return unexpected(b.error());
            for (auto &[n, t] : named)
                t.mutable_grad() = torch::Tensor();
            Terms terms = shardLoss(d, m, *b, c, layers, c.batch);
            terms.total.backward();
            // Gradients and logged sums in one vector, summed over ranks; the cancel flag too, so
            // every rank stops at the same step.
            std::vector<float> flat;
            for (auto &[n, t] : named) {
                auto g = t.grad().defined() ? t.grad().contiguous().to(torch::kCPU) : torch::zeros_like(t).to(torch::kCPU);
                flat.insert(flat.end(), g.data_ptr<float>(), g.data_ptr<float>() + g.numel());
            }
            const bool cancelHere = callbacks.cancel && callbacks.cancel->load();
            flat.insert(flat.end(), {float(terms.total.item<double>()), float(terms.ce), float(terms.hidden), float(terms.entropy),
                                     float(b->tokens), cancelHere ? 1.0f : 0.0f});
            if (comm) {
                if (auto r = comm->allreduceSum(flat); !r)
                    return unexpected("all-reduce failed at step " + std::to_string(step) + ": " + r.error());
            }
            const float *tail = flat.data() + flat.size() - 6;
            const double lossValue = tail[0];
            if (!std::isfinite(lossValue))
                return unexpected("the loss became " + std::to_string(lossValue) + " at step " + std::to_string(step)
                                  + " (learning rate too high?)");
            torch::NoGradGuard guard;
            std::size_t at = 0;
            std::vector<torch::Tensor> grads;
            for (auto &[n, t] : named) {
                auto g = torch::from_blob(flat.data() + at, t.sizes(), torch::kFloat32).clone().to(t.device());
                at += std::size_t(t.numel());
                t.mutable_grad() = g;
                grads.push_back(t.grad());
            }
            if (c.gradClip > 0)
                torch::nn::utils::clip_grad_norm_(grads, c.gradClip);
            const double lr = scheduledLearningRate(c.learningRate, c.warmupSteps, c.steps, step);
            for (auto &[n, t] : named)
                adamwStep(t, t.grad(), am[n], av[n], lr, step, c.weightDecay);
            m.orthonormalize();
            tokens += std::int64_t(tail[4]);
            samples += c.batch;
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            DistillProgress p;
            p.step = step + 1;
            p.steps = c.steps;
            p.loss = lossValue;
            p.ce = tail[1] / c.batch;
            p.hidden = tail[2] / c.batch;
            p.entropy = tail[3] / c.batch;
            p.lr = lr;
            p.samplesPerSecond = samples / std::max(1e-9, elapsed);
            p.tokensPerSecond = tokens / std::max(1e-9, elapsed);
            p.etaSeconds = elapsed / (step + 1 - report.startStep) * (c.steps - step - 1);
            p.ensembleWeights = student.ensembleWeights();
            report.losses.push_back(lossValue);
            report.last = p;
            if (rank == 0) {
                nlohmann::json j{{"step", p.step},       {"loss", p.loss}, {"ce", p.ce},
                                 {"hidden", p.hidden},   {"entropy", p.entropy}, {"lr", p.lr},
                                 {"samples_per_s", p.samplesPerSecond}, {"tokens_per_s", p.tokensPerSecond}};
                if (!p.ensembleWeights.empty())
                    j["ensemble_weights"] = p.ensembleWeights;
                if (auto w = logOut.append(j.dump() + '\n'); !w)
                    return unexpected(w.error().describe());
            }
            if ((step + 1) % c.checkpointEvery == 0 && step + 1 < c.steps) {
                if (auto r = saveCheckpoint(step + 1); !r)
                    return unexpected(r.error());
            }
            if (callbacks.progress)
                callbacks.progress(p);
            if (tail[5] > 0) {
                report.cancelled = true;
                ++step;
                break;
            }
        }
    } catch (const c10::Error &e) {
        return unexpected(std::string("distillation failed: ") + e.what_without_backtrace());
    }
    report.stepsDone = step;
    // A loss that ends far above where it started usually means a learning rate too high for
    // the data: the run finishes, but says so (log and done line).
    if (report.losses.size() >= 8) {
        const std::size_t k = std::max<std::size_t>(2, report.losses.size() / 10);
        double first = 0, last = 0;
        for (std::size_t i = 0; i < k; ++i) {
            first += report.losses[i] / double(k);
            last += report.losses[report.losses.size() - 1 - i] / double(k);
        }
        if (last > 2.0 * first && last - first > 0.5) {
            char text[256];
            std::snprintf(text, sizeof text,
                          "the loss rose from %.3f (mean of the first %zu steps) to %.3f (the last %zu): the learning rate %g is "
                          "probably too high for this data",
                          first, k, last, k, c.learningRate);
            report.warning = text;
            log->warn("{}: {}", logFile, report.warning);
        }
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.samplesPerSecond = samples / std::max(1e-9, report.seconds);
    report.tokensPerSecond = tokens / std::max(1e-9, report.seconds);
    if (auto r = saveCheckpoint(step); !r)
        return unexpected(r.error());
    return report;
}

} // namespace sdrt::model
