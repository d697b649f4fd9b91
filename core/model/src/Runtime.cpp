#include "sdrt/model/Runtime.h"

#include "sdrt/common/Log.h"
#include "sdrt/model/IncrementalDecoder.h"
#include "LlavaModel.h"
#include "Preprocess.h"
#include "SafetensorsTorch.h"
#include "RuntimeImpl.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <dlfcn.h>
#include <limits>
#include <filesystem>
#include <mutex>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace sdrt::model {

double GenerationOutput::meanLogprob() const
{
    if (logprobs.empty())
        return 0.0;
    double s = 0;
    for (float x : logprobs)
        s += x;
    return s / double(logprobs.size());
}

int configureThreads(int threads)
{
    // LibTorch's OpenMP pool and OpenBLAS's own pthreads fight over few cores (measured with
    // `sdrt bench model` on 2 cores: 100M decode 5.2 tok/s with both pools at 2 threads, 13.5
    // with OpenBLAS at 1). Torch parallelises around the BLAS calls, so OpenBLAS runs
    // single-threaded unless the user set OPENBLAS_NUM_THREADS.
    static std::once_flag blasOnce;
    std::call_once(blasOnce, [] {
        if (std::getenv("OPENBLAS_NUM_THREADS"))
            return;
        using SetThreads = void (*)(int);
        if (auto fn = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
            fn(1);
    });
    const int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
    if (at::get_num_threads() != n)
        at::set_num_threads(n);
    return at::get_num_threads();
}

namespace {

std::string shapeString(c10::IntArrayRef shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// Hugging Face has written LLaVA tensors under two layouts; ours is the older one.
std::string canonicalName(const std::string &name)
{
    auto replacePrefix = [&name](const std::string &from, const std::string &to, std::string *out) {
        if (name.rfind(from, 0) == 0) {
            *out = to + name.substr(from.size());
            return true;
        }
        return false;
    };
    std::string out;
    if (replacePrefix("model.language_model.", "language_model.model.", &out)
        || replacePrefix("model.vision_tower.", "vision_tower.", &out)
        || replacePrefix("model.multi_modal_projector.", "multi_modal_projector.", &out)
        || replacePrefix("lm_head.", "language_model.lm_head.", &out))
        return out;
    return name;
}

bool ignorable(const std::string &name, bool tied)
{
    auto endsWith = [&name](const std::string &s) {
        return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
    };
    return endsWith("position_ids") || endsWith("rotary_emb.inv_freq") || (tied && name == "language_model.lm_head.weight");
}

HiddenStates packHidden(const std::vector<int> &layers, const std::vector<torch::Tensor> &perLayer /* [P,D] each */)
{
    HiddenStates h;
    h.layers = layers;
    if (perLayer.empty())
        return h;
    auto stacked = torch::stack(perLayer).to(torch::kCPU, torch::kFloat32).contiguous(); // [L,P,D]
    h.positions = int(stacked.size(1));
    h.hiddenSize = int(stacked.size(2));
    h.values.assign(stacked.data_ptr<float>(), stacked.data_ptr<float>() + stacked.numel());
    return h;
}

std::vector<float> rowToVector(const torch::Tensor &row)
{
    auto r = row.to(torch::kCPU, torch::kFloat32).contiguous();
    return std::vector<float>(r.data_ptr<float>(), r.data_ptr<float>() + r.numel());
}

} // namespace

namespace {

// The weight files of a model folder: the shards of model.safetensors.index.json, or
// model.safetensors.
Expected<std::vector<std::string>, std::string> weightFilesOf(const std::string &dir)
{
    std::vector<std::string> files;
    const std::string index = dir + "/model.safetensors.index.json";
    if (fs::exists(index)) {
        std::ifstream in(index);
        try {
            auto j = nlohmann::json::parse(in);
            std::set<std::string> unique;
            for (auto it = j.at("weight_map").begin(); it != j.at("weight_map").end(); ++it)
                unique.insert(it->get<std::string>());
            for (const auto &f : unique) {
                if (f.find('/') != std::string::npos || f.find("..") != std::string::npos)
                    return unexpected(index + ": shard name \"" + f + "\" must be a plain file name");
                files.push_back(dir + "/" + f);
            }
        } catch (const std::exception &e) {
            return unexpected(index + ": invalid index: " + e.what());
        }
    } else if (fs::exists(dir + "/model.safetensors")) {
        files.push_back(dir + "/model.safetensors");
    } else {
        return unexpected(dir + ": no model.safetensors or model.safetensors.index.json (weights must be safetensors)");
    }
    return files;
}

} // namespace

Expected<LlavaModel, std::string> loadLlavaModel(const std::string &dir, const LlavaConfig &config, torch::Device device,
                                                 torch::ScalarType dtype, std::vector<std::string> *weightFiles)
{
    LlavaModel model{nullptr};
    auto listed = weightFilesOf(dir);
    if (!listed)
        return unexpected(listed.error());
    const std::vector<std::string> files = *listed;
    if (weightFiles)
        *weightFiles = files;
    std::vector<SafetensorsFile> opened;
    std::map<std::string, std::pair<std::size_t, std::string>> byName; // canonical -> (file, stored name)
    for (const auto &f : files) {
        auto st = SafetensorsFile::open(f);
        if (!st)
            return unexpected(st.error());
        for (const auto &t : st->tensors()) {
            const std::string canon = canonicalName(t.name);
            if (byName.count(canon))
                return unexpected(f + ": tensor \"" + t.name + "\" appears twice in the checkpoint");
            byName[canon] = {opened.size(), t.name};
        }
        opened.push_back(std::move(*st));
    }

    try {
        model = LlavaModel(config);
        model->eval();
        std::vector<std::string> missing, misshaped, unexpectedNames;
        std::set<std::string> used;
        auto params = model->named_parameters(true);
        for (const auto &p : params) {
            auto it = byName.find(p.key());
            if (it == byName.end()) {
                missing.push_back(p.key() + " " + shapeString(p.value().sizes()));
                continue;
            }
            used.insert(p.key());
            const TensorInfo *ti = opened[it->second.first].find(it->second.second);
            if (c10::IntArrayRef(ti->shape) != p.value().sizes())
                misshaped.push_back(p.key() + ": expected " + shapeString(p.value().sizes()) + ", found "
                                    + shapeString(ti->shape));
        }
        for (const auto &[canon, where] : byName) {
            if (!used.count(canon) && !ignorable(canon, config.text.tieWordEmbeddings))
                unexpectedNames.push_back(where.second);
        }
        if (!missing.empty() || !misshaped.empty() || !unexpectedNames.empty()) {
            std::string msg = dir + ": the weights do not match config.json:";
            auto list = [&msg](const char *title, const std::vector<std::string> &v) {
                if (v.empty())
                    return;
                msg += std::string("\n  ") + title + " (" + std::to_string(v.size()) + "):";
                for (std::size_t i = 0; i < v.size() && i < 25; ++i)
                    msg += "\n    " + v[i];
                if (v.size() > 25)
                    msg += "\n    …";
            };
            list("missing tensors", missing);
            list("tensors with the wrong shape", misshaped);
            list("unexpected tensors", unexpectedNames);
            return unexpected(msg);
        }
        torch::NoGradGuard noGrad;
        model->to(device, dtype);
        for (auto &p : model->named_parameters(true)) {
            const auto &[file, stored] = byName.at(p.key());
            auto t = loadTensor(opened[file], stored);
            if (!t)
                return unexpected(t.error());
            p.value().copy_(*t);
        }
        // The runtime serves inference: parameters need gradients only inside train(), which
        // turns them on for what it trains and puts them back when it returns.
        for (auto &p : model->parameters(true))
            p.set_requires_grad(false);
    } catch (const c10::Error &e) {
        return unexpected(dir + ": cannot build the model: " + e.what_without_backtrace());
    }
    return model;
}

VlmRuntime::VlmRuntime(std::unique_ptr<Impl> impl) : d(std::move(impl)) {}
VlmRuntime::~VlmRuntime() = default;

const ModelInfo &VlmRuntime::info() const { return d->info; }
const Tokenizer &VlmRuntime::tokenizer() const { return d->tokenizer; }

std::string VlmRuntime::formatChat(const std::string &user, const std::string &assistantPrefix) const
{
    return model::formatChat(d->info.chatFormat, user, assistantPrefix);
}

Expected<std::vector<int>, std::string> VlmRuntime::promptIds(const GenerationRequest &request) const
{
    return d->promptIds(request);
}

// Everything about a model folder that can be checked without building the model: config,
// preprocessor, tokenizer and how they fit together. Fills impl's info and tokenizer.
Expected<void, std::string> VlmRuntime::checkFolder(const std::string &dir, Impl &impl)
{
    ModelInfo &info = impl.info;
    info.dir = dir;
    impl.sourceDir = dir;
    if (!fs::is_directory(dir))
        return unexpected(dir + ": not a model folder");
    auto config = loadLlavaConfig(dir + "/config.json");
    if (!config)
        return unexpected(config.error());
    info.config = *config;
    auto pre = loadPreprocessorConfig(dir + "/preprocessor_config.json");
    if (!pre)
        return unexpected(pre.error());
    info.preprocessor = *pre;
    if (info.preprocessor.cropHeight != info.config.vision.imageSize || info.preprocessor.cropWidth != info.config.vision.imageSize)
        return unexpected(dir + "/preprocessor_config.json: crop size " + std::to_string(info.preprocessor.cropHeight) + "x"
                          + std::to_string(info.preprocessor.cropWidth) + " does not match the vision tower's image_size "
                          + std::to_string(info.config.vision.imageSize));
    auto tok = Tokenizer::load(dir);
    if (!tok)
        return unexpected(tok.error());
    impl.tokenizer = std::move(*tok);
    info.tokenizerVocab = impl.tokenizer.vocabSize();
    if (info.tokenizerVocab > info.config.text.vocabSize)
        return unexpected(dir + ": the tokenizer has " + std::to_string(info.tokenizerVocab)
                          + " tokens but config.json's text vocab_size is " + std::to_string(info.config.text.vocabSize)
                          + " (tokenizer and model do not match)");
    if (impl.tokenizer.imageTokenId() < 0)
        return unexpected(dir + ": the tokenizer has no <image> token (tokenizer_config.json added_tokens_decoder)");
    if (impl.tokenizer.imageTokenId() != info.config.imageTokenIndex)
        return unexpected(dir + ": the tokenizer's <image> token is " + std::to_string(impl.tokenizer.imageTokenId())
                          + " but config.json's image_token_index is " + std::to_string(info.config.imageTokenIndex));
    info.chatFormat = detectChatFormat(dir, info.config.text.modelType);
    return {};
}

Expected<ModelInfo, std::string> VlmRuntime::inspect(const std::string &dir)
{
    auto impl = std::make_unique<Impl>();
    if (auto r = checkFolder(dir, *impl); !r)
        return unexpected(r.error());
    auto files = weightFilesOf(dir);
    if (!files)
        return unexpected(files.error());
    for (const auto &f : *files) {
        auto st = SafetensorsFile::open(f);
        if (!st)
            return unexpected(st.error());
        for (const auto &t : st->tensors()) {
            std::int64_t n = 1;
            for (auto d : t.shape)
                n *= d;
            impl->info.parameters += n;
        }
    }
    impl->info.weightFiles = *files;
    return impl->info;
}

Expected<std::unique_ptr<VlmRuntime>, std::string> VlmRuntime::load(const std::string &dir, const RuntimeOptions &options)
{
    auto log = sdrt::log::get("model");
    configureThreads(options.threads);
    auto impl = std::make_unique<Impl>();
    ModelInfo &info = impl->info;
    if (auto r = checkFolder(dir, *impl); !r)
        return unexpected(r.error());

    // Device and precision.
    std::string device = options.device;
    if (device == "auto")
        device = torch::cuda::is_available() ? "cuda" : "cpu";
    try {
        impl->device = torch::Device(device);
        impl->imageChunk = options.imageChunk;
    } catch (const std::exception &e) {
        return unexpected("unknown device \"" + options.device + "\"");
    }
    if (impl->device.is_cuda() && !torch::cuda::is_available())
        return unexpected("device " + device + " was asked for but this LibTorch build has no CUDA device");
    std::string dtype = options.dtype;
    if (dtype == "auto")
        dtype = impl->device.is_cuda() ? "bf16" : "fp32";
    if (dtype == "fp32")
        impl->dtype = torch::kFloat32;
    else if (dtype == "fp16")
        impl->dtype = torch::kFloat16;
    else if (dtype == "bf16")
        impl->dtype = torch::kBFloat16;
    else
        return unexpected("unknown dtype \"" + options.dtype + "\" (fp32, fp16, bf16 or auto)");
    if (impl->dtype == torch::kFloat16 && !impl->device.is_cuda())
        return unexpected("fp16 runs on CUDA only: LibTorch's CPU kernels do not implement half-precision matrix products. "
                          "Use --dtype fp32 (or bf16) on the CPU, or --device cuda");
    info.device = impl->device.str();
    info.dtype = dtype;

    std::vector<std::string> files;
    auto model = loadLlavaModel(dir, info.config, impl->device, impl->dtype, &files);
    if (!model)
        return unexpected(model.error());
    impl->model = *model;
    info.weightFiles = files;
    for (const auto &p : impl->model->parameters())
        info.parameters += p.numel();
    log->info("loaded {} ({} parameters, {} on {}, chat format {})", dir, info.parameters, info.dtype, info.device,
              toString(info.chatFormat));
    return std::unique_ptr<VlmRuntime>(new VlmRuntime(std::move(impl)));
}

Expected<void, std::string> VlmRuntime::save(const std::string &dir) const
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return unexpected(dir + ": cannot create the folder: " + ec.message());
    if (auto r = writeTextFile(dir + "/config.json", llavaConfigJson(d->info.config)); !r)
        return r;
    if (auto r = writeTextFile(dir + "/preprocessor_config.json", preprocessorConfigJson(d->info.preprocessor)); !r)
        return r;
    if (fs::weakly_canonical(dir) != fs::weakly_canonical(d->sourceDir)) {
        for (const char *f : {"tokenizer.model", "tokenizer_config.json", "added_tokens.json", "special_tokens_map.json"}) {
            if (fs::exists(d->sourceDir + "/" + f))
                fs::copy_file(d->sourceDir + "/" + f, dir + "/" + f, fs::copy_options::overwrite_existing, ec);
            if (ec)
                return unexpected(dir + "/" + f + ": cannot copy: " + ec.message());
        }
    }
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto &p : d->model->named_parameters(true))
        tensors.emplace_back(p.key(), p.value().detach().to(torch::kCPU, torch::kFloat32));
    return writeSafetensors(dir + "/model.safetensors", tensors, {{"format", "pt"}});
}

std::vector<Expected<GenerationOutput, std::string>> VlmRuntime::generate(const std::vector<GenerationRequest> &requests,
                                                                          const SamplingParams &sampling,
                                                                          const HiddenCaptureSpec &capture,
                                                                          const GenerateCallbacks &callbacks)
{
    std::vector<Expected<GenerationOutput, std::string>> results(requests.size(), unexpected(std::string("not run")));
    if (const std::string bad = checkSampling(sampling); !bad.empty()) {
        for (auto &r : results)
            r = unexpected(bad);
        return results;
    }
    c10::InferenceMode inference;
    struct Seq {
        std::size_t request;
        std::vector<int> ids;
        Sampler sampler;
        IncrementalDecoder text; // out.text is set from it when the row ends
        GenerationOutput out;
        bool done = false;
        bool pendingFeed = false; // last appended token not yet fed through the model
        std::vector<torch::Tensor> hidden; // per generated token: [L, D]
        std::string error;                 // set: the row failed (non-finite logits)
    };
    std::vector<Seq> seqs;
    const int maxContext = d->info.config.text.maxPositionEmbeddings;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        auto ids = d->promptIds(requests[i]);
        if (!ids) {
            results[i] = unexpected(ids.error());
            continue;
        }
        if (int(ids->size()) + sampling.maxNewTokens > maxContext) {
            results[i] = unexpected("the prompt has " + std::to_string(ids->size()) + " tokens; with "
                                    + std::to_string(sampling.maxNewTokens) + " new tokens it exceeds the context of "
                                    + std::to_string(maxContext));
            continue;
        }
        // Each request has its own random stream, so a batch gives the same text as single runs.
        const std::uint64_t stream = requests[i].seed ? *requests[i].seed : sampling.seed + 0x9E3779B97F4A7C15ull * (i + 1);
        seqs.push_back({.request = i, .ids = std::move(*ids), .sampler = Sampler(sampling, stream), .text = IncrementalDecoder(d->tokenizer)});
        seqs.back().out.promptTokens = int(seqs.back().ids.size());
    }
    if (seqs.empty())
        return results;

    try {
        const auto B = std::int64_t(seqs.size());
        std::int64_t T = 0;
        for (const auto &s : seqs)
            T = std::max<std::int64_t>(T, std::int64_t(s.ids.size()));
        auto ids = torch::full({B, T}, d->padId(), torch::kInt64);
        auto mask = torch::zeros({B, T}, torch::kInt64);
        std::vector<const RgbImage *> images;
        for (std::int64_t b = 0; b < B; ++b) {
            const auto &s = seqs[std::size_t(b)];
            const auto off = T - std::int64_t(s.ids.size());
            ids[b].slice(0, off).copy_(torch::tensor(std::vector<std::int64_t>(s.ids.begin(), s.ids.end()), torch::kInt64));
            mask[b].slice(0, off).fill_(1);
            for (const auto &img : requests[s.request].images)
                images.push_back(&img);
        }
        ids = ids.to(d->device);
        mask = mask.to(d->device);
        auto &lm = d->model->language_model;
        const auto features = d->features(images);
        auto embeds = d->model->embed(ids, features);
        auto positions = positionsFromMask(mask);
        KvCache cache;
        HiddenCapture cap;
        cap.layers = capture.layers;
        const bool capturing = !capture.empty();
        std::optional<InterventionInput> edit;
        if (d->intervention) {
            std::vector<int> perRow;
            for (const auto &s : seqs)
                perRow.push_back(int(requests[s.request].images.size()));
            edit = d->interventionInput(mask, T, features, perRow);
        }
        auto hidden = lm->model->forward(embeds, positions, mask, &cache, capturing ? &cap : nullptr, edit ? &*edit : nullptr);
        auto logits = lm->logits(hidden.select(1, T - 1)).to(torch::kCPU, torch::kFloat32);
        if (capturing && capture.lastPromptToken) {
            for (std::int64_t b = 0; b < B; ++b) {
                std::vector<torch::Tensor> perLayer;
                for (int l : capture.layers)
                    perLayer.push_back(cap.states.at(l)[b].slice(0, T - 1, T));
                seqs[std::size_t(b)].out.promptHidden = packHidden(capture.layers, perLayer);
            }
        }
        auto lastPos = positions.select(1, T - 1).clone();
        torch::Tensor allEmbeds = sampling.useKvCache ? torch::Tensor() : embeds; // for the no-cache path
        const int eos = d->tokenizer.eosId();
        int step = 0;
        for (;;) {
            // Sample for every running sequence.
            for (std::int64_t b = 0; b < B; ++b) {
                Seq &s = seqs[std::size_t(b)];
                if (s.done)
                    continue;
                float lp = 0;
                std::vector<float> row = rowToVector(logits[b]);
                if (std::any_of(row.begin(), row.end(), [](float v) { return std::isnan(v) || v == std::numeric_limits<float>::infinity(); })) {
                    // Sampling from NaN would pick an arbitrary token and call it an answer.
                    s.done = true;
                    s.error = "the model produced non-finite (NaN or infinite) logits at generated token "
                              + std::to_string(s.out.tokens.size() + 1) + " (broken weights, or an overflow in "
                              + d->info.dtype + ")";
                    continue;
                }
                const int token = s.sampler.next(std::move(row), &lp);
                if (token == eos && sampling.stopAtEos) {
                    s.done = true;
                    s.out.finishReason = "eos";
                    continue;
                }
                s.out.tokens.push_back(token);
                s.out.logprobs.push_back(lp);
                s.pendingFeed = true;
                const std::size_t unchanged = s.text.push(token);
                if (const auto at = findStopString(s.text.text(), unchanged, sampling.stop); at != std::string::npos) {
                    s.out.text = s.text.text().substr(0, at);
                    s.done = true;
                    s.out.finishReason = "stop";
                }
                if (!s.done && int(s.out.tokens.size()) >= sampling.maxNewTokens) {
                    s.done = true;
                    s.out.finishReason = "length";
                }
            }
            ++step;
            if (callbacks.progress)
                callbacks.progress(step, sampling.maxNewTokens);
            const bool cancelled = callbacks.cancel && callbacks.cancel->load();
            bool needForward = false;
            for (const auto &s : seqs)
                needForward |= s.pendingFeed && (!s.done || (capturing && capture.generatedTokens)) && !cancelled;
            if (!needForward)
                break;
            // Feed the newest tokens (finished rows feed padding; their outputs are ignored).
            auto next = torch::full({B, 1}, d->padId(), torch::kInt64);
            for (std::int64_t b = 0; b < B; ++b) {
                const Seq &s = seqs[std::size_t(b)];
                if (s.pendingFeed)
                    next[b][0] = s.out.tokens.back();
            }
            next = next.to(d->device);
            mask = torch::cat({mask, torch::ones({B, 1}, mask.options())}, 1);
            lastPos = lastPos + 1;
            torch::Tensor h;
            if (edit) // every generated position is edited
                edit->edit = sampling.useKvCache ? torch::ones({B, 1}, edit->edit.options())
                                                 : torch::cat({edit->edit, torch::ones({B, 1}, edit->edit.options())}, 1);
            if (sampling.useKvCache) {
                h = lm->model->forward(lm->model->embed_tokens(next), lastPos.unsqueeze(1), mask, &cache,
                                       capturing && capture.generatedTokens ? &cap : nullptr, edit ? &*edit : nullptr);
            } else {
                allEmbeds = torch::cat({allEmbeds, lm->model->embed_tokens(next)}, 1);
                h = lm->model->forward(allEmbeds, positionsFromMask(mask), mask, nullptr,
                                       capturing && capture.generatedTokens ? &cap : nullptr, edit ? &*edit : nullptr);
                h = h.slice(1, h.size(1) - 1);
                for (auto &[layer, state] : cap.states)
                    state = state.slice(1, state.size(1) - 1);
            }
            logits = lm->logits(h.select(1, 0)).to(torch::kCPU, torch::kFloat32);
            for (std::int64_t b = 0; b < B; ++b) {
                Seq &s = seqs[std::size_t(b)];
                if (!s.pendingFeed)
                    continue;
                if (capturing && capture.generatedTokens) {
                    std::vector<torch::Tensor> perLayer;
                    for (int l : capture.layers)
                        perLayer.push_back(cap.states.at(l)[b][0]);
                    s.hidden.push_back(torch::stack(perLayer)); // [L,D]
                }
                s.pendingFeed = false;
            }
            bool allDone = true;
            for (const auto &s : seqs)
                allDone &= s.done;
            if (allDone && !(capturing && capture.generatedTokens))
                break;
        }
        const bool cancelled = callbacks.cancel && callbacks.cancel->load();
        for (auto &s : seqs) {
            if (!s.done)
                s.out.finishReason = cancelled ? "cancelled" : "length";
            if (s.out.finishReason != "stop")
                s.out.text = s.text.text();
            if (capturing && capture.generatedTokens && !s.hidden.empty()) {
                auto all = torch::stack(s.hidden, 1); // [L,P,D]
                std::vector<torch::Tensor> perLayer;
                for (std::int64_t l = 0; l < all.size(0); ++l)
                    perLayer.push_back(all[l]);
                s.out.generatedHidden = packHidden(capture.layers, perLayer);
            }
            if (!s.error.empty())
                results[s.request] = unexpected(s.error);
            else
                results[s.request] = std::move(s.out);
        }
    } catch (const c10::Error &e) {
        const std::string msg = std::string("generation failed: ") + e.what_without_backtrace();
        for (const auto &s : seqs)
            results[s.request] = unexpected(msg);
    } catch (const std::out_of_range &) {
        for (const auto &s : seqs)
            results[s.request] = unexpected(std::string("generation failed: a captured layer is outside the decoder"));
    }
    return results;
}

void VlmRuntime::setIntervention(std::shared_ptr<DecoderIntervention> intervention)
{
    d->intervention = std::move(intervention);
}

bool VlmRuntime::hasIntervention() const
{
    return d->intervention != nullptr;
}

namespace {

// A teacher-forced row's outputs: log p of each continuation token from the logits at the
// positions before it, and the captured states at its own positions. `hidden` is the decoder
// output of the row [T, D]; the continuation starts at `start` (> 0).
ScoreOutput scoredRow(LlavaModel &model, const torch::Tensor &hidden, const HiddenCapture &cap, std::int64_t row,
                      std::int64_t start, const std::vector<int> &continuation)
{
    const auto N = std::int64_t(continuation.size());
    auto logits = model->language_model->logits(hidden.slice(0, start - 1, start + N - 1)).to(torch::kCPU, torch::kFloat32); // [N,V]
    auto logp = torch::log_softmax(logits, -1);
    auto target = torch::tensor(std::vector<std::int64_t>(continuation.begin(), continuation.end()), torch::kInt64);
    auto chosen = logp.gather(1, target.unsqueeze(1)).squeeze(1).contiguous();
    ScoreOutput out;
    out.tokens = continuation;
    out.logprobs.assign(chosen.data_ptr<float>(), chosen.data_ptr<float>() + N);
    if (!cap.layers.empty()) {
        std::vector<torch::Tensor> perLayer;
        for (int l : cap.layers)
            perLayer.push_back(cap.states.at(l)[row].slice(0, start, start + N));
        out.hidden = packHidden(cap.layers, perLayer);
    }
    return out;
}

} // namespace

Expected<ScoreOutput, std::string> VlmRuntime::score(const GenerationRequest &prompt, const std::vector<int> &continuation,
                                                     const HiddenCaptureSpec &capture)
{
    c10::InferenceMode inference;
    auto ids = d->promptIds(prompt);
    if (!ids)
        return unexpected(ids.error());
    if (continuation.empty())
        return unexpected(std::string("the continuation to score is empty"));
    const auto P = std::int64_t(ids->size());
    const auto N = std::int64_t(continuation.size());
    if (P + N > d->info.config.text.maxPositionEmbeddings)
        return unexpected("prompt and continuation have " + std::to_string(P + N) + " tokens, over the context of "
                          + std::to_string(d->info.config.text.maxPositionEmbeddings));
    for (int t : continuation) {
        if (t < 0 || t >= d->info.config.text.vocabSize)
            return unexpected("continuation token " + std::to_string(t) + " is outside the vocabulary");
    }
    try {
        std::vector<std::int64_t> all(ids->begin(), ids->end());
        all.insert(all.end(), continuation.begin(), continuation.end());
        auto input = torch::tensor(all, torch::kInt64).unsqueeze(0).to(d->device);
        auto mask = torch::ones_like(input);
        std::vector<const RgbImage *> images;
        for (const auto &img : prompt.images)
            images.push_back(&img);
        const auto features = d->features(images);
        auto embeds = d->model->embed(input, features);
        HiddenCapture cap;
        cap.layers = capture.layers;
        const bool capturing = !capture.layers.empty();
        auto &lm = d->model->language_model;
        std::optional<InterventionInput> edit;
        if (d->intervention)
            edit = d->interventionInput(mask, P, features, {int(prompt.images.size())});
        auto hidden = lm->model->forward(embeds, positionsFromMask(mask), mask, nullptr, capturing ? &cap : nullptr, edit ? &*edit : nullptr);
        return scoredRow(d->model, hidden[0], cap, 0, P, continuation);
    } catch (const c10::Error &e) {
        return unexpected(std::string("scoring failed: ") + e.what_without_backtrace());
    } catch (const std::out_of_range &) {
        return unexpected(std::string("scoring failed: a captured layer is outside the decoder"));
    }
}

std::vector<Expected<ScoreOutput, std::string>> VlmRuntime::scoreBatch(const std::vector<GenerationRequest> &prompts,
                                                                      const std::vector<std::vector<int>> &continuations,
                                                                      const HiddenCaptureSpec &capture)
{
    std::vector<Expected<ScoreOutput, std::string>> results(prompts.size(), unexpected(std::string("not run")));
    if (continuations.size() != prompts.size()) {
        for (auto &r : results)
            r = unexpected(std::string("scoreBatch: as many continuations as prompts are needed"));
        return results;
    }
    if (d->intervention || prompts.size() == 1) {
        for (std::size_t i = 0; i < prompts.size(); ++i)
            results[i] = score(prompts[i], continuations[i], capture);
        return results;
    }
    c10::InferenceMode inference;
    struct Row {
        std::size_t index;
        std::vector<std::int64_t> ids; // prompt + continuation
        std::int64_t promptLength;
    };
    std::vector<Row> rows;
    const int maxContext = d->info.config.text.maxPositionEmbeddings;
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        auto ids = d->promptIds(prompts[i]);
        const auto &cont = continuations[i];
        if (!ids) {
            results[i] = unexpected(ids.error());
            continue;
        }
        if (cont.empty()) {
            results[i] = unexpected(std::string("the continuation to score is empty"));
            continue;
        }
        if (int(ids->size() + cont.size()) > maxContext) {
            results[i] = unexpected("prompt and continuation have " + std::to_string(ids->size() + cont.size()) + " tokens, over the context of "
                                    + std::to_string(maxContext));
            continue;
        }
        if (std::any_of(cont.begin(), cont.end(), [&](int t) { return t < 0 || t >= d->info.config.text.vocabSize; })) {
            results[i] = unexpected(std::string("a continuation token is outside the vocabulary"));
            continue;
        }
        Row r{i, std::vector<std::int64_t>(ids->begin(), ids->end()), std::int64_t(ids->size())};
        r.ids.insert(r.ids.end(), cont.begin(), cont.end());
        rows.push_back(std::move(r));
    }
    if (rows.empty())
        return results;
    try {
        const auto B = std::int64_t(rows.size());
        std::int64_t T = 0;
        for (const Row &r : rows)
            T = std::max<std::int64_t>(T, std::int64_t(r.ids.size()));
        auto input = torch::full({B, T}, d->padId(), torch::kInt64);
        auto mask = torch::zeros({B, T}, torch::kInt64);
        std::vector<const RgbImage *> images;
        for (std::int64_t b = 0; b < B; ++b) {
            const Row &r = rows[std::size_t(b)];
            const auto off = T - std::int64_t(r.ids.size());
            input[b].slice(0, off).copy_(torch::tensor(r.ids, torch::kInt64));
            mask[b].slice(0, off).fill_(1);
            for (const auto &img : prompts[r.index].images)
                images.push_back(&img);
        }
        input = input.to(d->device);
        mask = mask.to(d->device);
        const auto features = d->features(images);
        auto embeds = d->model->embed(input, features);
        HiddenCapture cap;
        cap.layers = capture.layers;
        const bool capturing = !capture.layers.empty();
        auto &lm = d->model->language_model;
        auto hidden = lm->model->forward(embeds, positionsFromMask(mask), mask, nullptr, capturing ? &cap : nullptr, nullptr);
        for (std::int64_t b = 0; b < B; ++b) {
            const Row &r = rows[std::size_t(b)];
            const auto off = T - std::int64_t(r.ids.size());
            results[r.index] = scoredRow(d->model, hidden[b], cap, b, off + r.promptLength, continuations[r.index]);
        }
    } catch (const c10::Error &e) {
        for (const Row &r : rows)
            results[r.index] = unexpected(std::string("scoring failed: ") + e.what_without_backtrace());
    } catch (const std::out_of_range &) {
        for (const Row &r : rows)
            results[r.index] = unexpected(std::string("scoring failed: a captured layer is outside the decoder"));
    }
    return results;
}

} // namespace sdrt::model
