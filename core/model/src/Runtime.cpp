#include "sdrt/model/Runtime.h"

#include "sdrt/common/Log.h"
#include "JsonFile.h"
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
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

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

MemoryEstimate estimateMemory(const LlavaConfig &config, const std::string &dtype, std::int64_t parameters)
{
    MemoryEstimate e;
    e.parameters = parameters > 0 ? parameters : config.parameterCount();
    e.bytesPerParameter = (dtype == "fp32") ? 4 : 2;
    e.weightBytes = e.parameters * e.bytesPerParameter;
    const TextConfig &t = config.text;
    e.contextTokens = std::min(t.maxPositionEmbeddings, 4096);
    const std::int64_t kv = 2ll * t.numLayers * t.numKvHeads * t.headDim() * e.contextTokens * e.bytesPerParameter;
    // A prefill of the whole context: a few [T, hidden] and [T, intermediate] buffers, the
    // attention scores of one layer [heads, T, T] in fp32, and the logits of the last rows.
    const std::int64_t T = e.contextTokens;
    const std::int64_t activations = 4ll * T * (t.hiddenSize + t.intermediateSize) * 4 + std::int64_t(t.numHeads) * T * T * 4
                                     + std::int64_t(t.vocabSize) * 4 * 64;
    e.workingBytes = kv + activations;
    e.totalBytes = e.weightBytes + e.workingBytes;
    return e;
}

std::int64_t availableMemoryBytes()
{
    std::ifstream in("/proc/meminfo");
    std::string key;
    std::int64_t value = 0;
    std::string unit;
    while (in >> key >> value >> unit) {
        if (key == "MemAvailable:")
            return value * 1024;
    }
    return 0;
}

int configureThreads(int threads)
{
    // Measured with `sdrt bench model` on a ~100M LLaVA, 2 cores (docs/PERFORMANCE.md): the
    // matrix products are the work, and they run in the BLAS. With OpenBLAS, its own threads
    // take the cores and LibTorch's pool stays at one thread: decode 61 tok/s at batch 1 and
    // 161 at batch 8, against 34 and 110 with the pools the other way round, and 15 and 86 with
    // both at 2 (LibTorch's OpenMP workers spin between regions and starve OpenBLAS's threads).
    // Without OpenBLAS (MKL, which follows LibTorch's setting), LibTorch's pool takes them.
    // OPENBLAS_NUM_THREADS, when set, decides OpenBLAS's share.
    const int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
    using SetThreads = void (*)(int);
    static const auto openblasSet = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    int torchThreads = n;
    if (openblasSet) {
        if (!std::getenv("OPENBLAS_NUM_THREADS"))
            openblasSet(n);
        torchThreads = 1;
    }
    if (at::get_num_threads() != torchThreads)
        at::set_num_threads(torchThreads);
    return n;
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
    if (name == "model.image_newline")
        return "image_newline";
    return name;
}

bool ignorable(const std::string &name, bool tied)
{
    auto endsWith = [&name](const std::string &s) {
        return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
    };
    return endsWith("position_ids") || endsWith("rotary_emb.inv_freq") || (tied && name == "language_model.lm_head.weight");
}

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

// config.json's model_type ("" when absent); an unreadable or malformed file is an error.
static Expected<std::string, std::string> configModelType(const std::string &path)
{
    auto j = readJsonObject(path);
    if (!j)
        return unexpected(j.error());
    return j->contains("model_type") && (*j)["model_type"].is_string() ? (*j)["model_type"].get<std::string>() : std::string();
}

Expected<void, std::string> fillFromSafetensors(torch::nn::Module &model, const std::string &dir, const WeightNames &names,
                                               torch::Device device, torch::ScalarType dtype, std::vector<std::string> *weightFiles)
{
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
            const std::string canon = names.canonical(t.name);
            if (byName.count(canon))
                return unexpected(f + ": tensor \"" + t.name + "\" appears twice in the checkpoint");
            byName[canon] = {opened.size(), t.name};
        }
        opened.push_back(std::move(*st));
    }
    try {
        std::vector<std::string> missing, misshaped, unexpectedNames;
        std::set<std::string> used;
        for (const auto &p : model.named_parameters(true)) {
            auto it = byName.find(p.key());
            if (it == byName.end()) {
                missing.push_back(p.key() + " " + shapeString(p.value().sizes()));
                continue;
            }
            used.insert(p.key());
            const TensorInfo *ti = opened[it->second.first].find(it->second.second);
            if (c10::IntArrayRef(ti->shape) != p.value().sizes())
                misshaped.push_back(p.key() + ": expected " + shapeString(p.value().sizes()) + ", found " + shapeString(ti->shape));
        }
        for (const auto &[canon, where] : byName) {
            if (!used.count(canon) && !names.ignorable(canon))
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
        model.to(device, dtype);
        for (auto &p : model.named_parameters(true)) {
            const auto &[file, stored] = byName.at(p.key());
            auto t = loadTensor(opened[file], stored);
            if (!t)
                return unexpected(t.error());
            p.value().copy_(*t);
        }
        // The runtime serves inference: parameters need gradients only inside train(), which
        // turns them on for what it trains and puts them back when it returns.
        for (auto &p : model.parameters(true))
            p.set_requires_grad(false);
    } catch (const c10::Error &e) {
        return unexpected(dir + ": cannot load the weights: " + e.what_without_backtrace());
    }
    return {};
}

Expected<LlavaModel, std::string> loadLlavaModel(const std::string &dir, const LlavaConfig &config, torch::Device device,
                                                 torch::ScalarType dtype, std::vector<std::string> *weightFiles)
{
    LlavaModel model{nullptr};
    try {
        const DefaultDtypeScope scope(dtype); // built in the runtime's dtype: a 7B model in bf16 never takes its fp32 size
        torch::NoGradGuard noGrad;
        model = LlavaModel(config);
    } catch (const c10::Error &e) {
        return unexpected(dir + ": cannot build the model: " + e.what_without_backtrace());
    }
    model->eval();
    const bool tied = config.text.tieWordEmbeddings;
    WeightNames names{canonicalName, [tied](const std::string &n) { return ignorable(n, tied); }};
    if (auto r = fillFromSafetensors(*model, dir, names, device, dtype, weightFiles); !r)
        return unexpected(r.error());
    return model;
}

VlmRuntime::VlmRuntime(std::unique_ptr<Impl> impl) : d(std::move(impl)) {}
VlmRuntime::~VlmRuntime() = default;

const ModelInfo &VlmRuntime::info() const { return d->info; }
const Tokenizer &VlmRuntime::tokenizer() const { return d->tokenizer; }

GenerationRequest VlmRuntime::chatRequest(std::vector<RgbImage> images, const std::string &user, const std::string &assistantPrefix)
{
    GenerationRequest r;
    r.images = std::move(images);
    r.chat = ChatTurn{partsFromMarkedText(user), assistantPrefix};
    return r;
}

Expected<std::array<int, 3>, std::string> VlmRuntime::imageGrid(const RgbImage &image) const
{
    return d->family->imageGrid(image);
}

Expected<std::int64_t, std::string> VlmRuntime::imageTokens(const RgbImage &image) const
{
    return d->imageTokens(image);
}

Expected<std::string, std::string> VlmRuntime::promptText(const GenerationRequest &request) const
{
    return d->promptText(request);
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
    auto type = configModelType(dir + "/config.json");
    if (!type)
        return unexpected(type.error());
    if (*type == "qwen3_vl" || *type == "qwen3_vl_moe")
        return checkQwen3VlFolder(dir, impl);
    auto config = loadLlavaConfig(dir + "/config.json");
    if (!config)
        return unexpected(config.error());
    info.config = *config;
    auto pre = loadPreprocessorConfig(dir + "/preprocessor_config.json");
    if (!pre)
        return unexpected(pre.error());
    info.preprocessor = *pre;
    const bool nextProcessor = info.preprocessor.processorType.find("LlavaNext") != std::string::npos;
    if (info.config.anyres() && !nextProcessor)
        return unexpected(dir + "/preprocessor_config.json: a " + info.preprocessor.processorType
                          + " for a llava_next model (config.json); LLaVA-NeXT needs the LlavaNextImageProcessor");
    if (!info.config.anyres() && nextProcessor)
        return unexpected(dir + "/preprocessor_config.json: a " + info.preprocessor.processorType
                          + " for a LLaVA 1.5 model (config.json model_type llava)");
    if (info.config.anyres() && !info.preprocessor.imageGridPinpoints.empty()
        && info.preprocessor.imageGridPinpoints != info.config.imageGridPinpoints)
        return unexpected(dir + "/preprocessor_config.json: image_grid_pinpoints differ from config.json's (the processor would "
                          "count other image tokens than the model packs)");
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
    auto chat = ChatTemplate::forModel(dir, info.config);
    if (!chat)
        return unexpected(chat.error());
    info.chatTemplate = std::move(*chat);
    info.family = info.config.anyres() ? "LLaVA-NeXT" : "LLaVA 1.5";
    return {};
}

// Qwen3-VL's folder: its config and image processor, a tokenizer whose <|image_pad|> is the
// config's image token, and its chat template.
Expected<void, std::string> VlmRuntime::checkQwen3VlFolder(const std::string &dir, Impl &impl)
{
    ModelInfo &info = impl.info;
    auto config = loadQwen3VlConfig(dir + "/config.json");
    if (!config)
        return unexpected(config.error());
    auto processor = loadQwen3VlProcessorConfig(dir + "/preprocessor_config.json");
    if (!processor)
        return unexpected(processor.error());
    if (auto fits = checkProcessorFits(*processor, *config); !fits)
        return unexpected(dir + "/preprocessor_config.json: " + fits.error());
    info.family = "Qwen3-VL";
    info.qwen3vl = *config;
    info.qwen3vlProcessor = *processor;
    info.config = LlavaConfig{};
    info.config.modelType = "qwen3_vl";
    info.config.text = qwen3VlTextConfig(*config);
    info.config.imageTokenIndex = config->imageTokenId;
    auto tok = Tokenizer::load(dir);
    if (!tok)
        return unexpected(tok.error());
    impl.tokenizer = std::move(*tok);
    info.tokenizerVocab = impl.tokenizer.vocabSize();
    if (info.tokenizerVocab > config->text.vocabSize)
        return unexpected(dir + ": the tokenizer has " + std::to_string(info.tokenizerVocab) + " tokens but config.json's text vocab_size is "
                          + std::to_string(config->text.vocabSize) + " (tokenizer and model do not match)");
    for (const auto &[name, id, piece] : {std::tuple<const char *, std::int64_t, const char *>{"image_token_id", config->imageTokenId, "<|image_pad|>"},
                                          {"vision_start_token_id", config->visionStartTokenId, "<|vision_start|>"},
                                          {"vision_end_token_id", config->visionEndTokenId, "<|vision_end|>"}}) {
        const int found = impl.tokenizer.tokenId(piece);
        if (found != id)
            return unexpected(dir + ": config.json's " + name + " is " + std::to_string(id) + " but the tokenizer's " + piece + " is "
                              + (found < 0 ? std::string("missing") : std::to_string(found)));
    }
    auto chat = ChatTemplate::forModel(dir, info.config);
    if (!chat)
        return unexpected(chat.error());
    info.chatTemplate = std::move(*chat);
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
        impl->prefixes = PrefixCache(std::int64_t(std::max(0, options.prefixCacheMiB)) << 20);
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
    if (!impl->device.is_cuda()) {
        const std::int64_t parameters = info.qwen3vl ? info.qwen3vl->parameterCount() : 0;
        const MemoryEstimate need = estimateMemory(info.config, dtype, parameters);
        const std::int64_t have = options.memoryBudgetMiB > 0 ? std::int64_t(options.memoryBudgetMiB) << 20 : availableMemoryBytes();
        if (have > 0 && need.totalBytes > have) {
            auto gib = [](std::int64_t b) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%.1f", double(b) / double(1ll << 30));
                return std::string(buf);
            };
            std::string msg = dir + ": this model needs about " + gib(need.totalBytes) + " GiB of memory in " + dtype + " ("
                              + std::to_string(need.parameters) + " parameters x " + std::to_string(need.bytesPerParameter)
                              + " bytes = " + gib(need.weightBytes) + " GiB of weights, + " + gib(need.workingBytes)
                              + " GiB for the keys and values of a " + std::to_string(need.contextTokens)
                              + "-token context and activations), but " + gib(have) + " GiB "
                              + (options.memoryBudgetMiB > 0 ? "are allowed" : "are available on this machine");
            if (dtype == "fp32")
                msg += "; in bf16 it needs about " + gib(estimateMemory(info.config, "bf16", parameters).totalBytes) + " GiB (--dtype bf16)";
            msg += "; a CUDA device (--device cuda) holds it in GPU memory";
            return unexpected(msg);
        }
    }

    std::vector<std::string> files;
    if (info.qwen3vl) {
        auto net = loadQwen3VlNetwork(dir, *info.qwen3vl, impl->device, impl->dtype, &files);
        if (!net)
            return unexpected(net.error());
        impl->family = qwen3VlFamily(*net, *info.qwen3vl, info.qwen3vlProcessor);
    } else {
        auto model = loadLlavaModel(dir, info.config, impl->device, impl->dtype, &files);
        if (!model)
            return unexpected(model.error());
        impl->model = *model;
        impl->family = llavaFamily(*model, info.config, info.preprocessor);
    }
    info.weightFiles = files;
    for (const auto &p : impl->family->network().parameters())
        info.parameters += p.numel();
    log->info("loaded {} ({} parameters, {} on {}, chat template {})", dir, info.parameters, info.dtype, info.device,
              info.chatTemplate.source());
    return std::unique_ptr<VlmRuntime>(new VlmRuntime(std::move(impl)));
}

Expected<void, std::string> VlmRuntime::save(const std::string &dir) const
{
    if (!d->model)
        return unexpected("saving a whole " + d->info.family + " model is not implemented (students are saved as adapters)");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return unexpected(dir + ": cannot create the folder: " + ec.message());
    if (auto r = writeTextFile(dir + "/config.json", llavaConfigJson(d->info.config)); !r)
        return r;
    if (auto r = writeTextFile(dir + "/preprocessor_config.json", preprocessorConfigJson(d->info.preprocessor)); !r)
        return r;
    if (fs::weakly_canonical(dir) != fs::weakly_canonical(d->sourceDir)) {
        for (const char *f : {"tokenizer.model", "tokenizer_config.json", "added_tokens.json", "special_tokens_map.json", "chat_template.json",
                              "chat_template.jinja"}) {
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

void VlmRuntime::setIntervention(std::shared_ptr<DecoderIntervention> intervention)
{
    d->intervention = std::move(intervention);
}

void VlmRuntime::clearPrefixCache()
{
    d->prefixes.clear();
}

bool VlmRuntime::hasIntervention() const
{
    return d->intervention != nullptr;
}

namespace {

// A teacher-forced row's outputs: log p of each continuation token from the logits at the
// positions before it, and the captured states at its own positions. `hidden` is the decoder
// output of the row [T, D]; the continuation starts at `start` (> 0).
ScoreOutput scoredRow(const VlmRuntime::Impl &d, const torch::Tensor &hidden, const HiddenCapture &cap, std::int64_t row,
                      std::int64_t start, const std::vector<int> &continuation)
{
    const auto N = std::int64_t(continuation.size());
    auto logits = d.logits(hidden.slice(0, start - 1, start + N - 1)).to(torch::kCPU, torch::kFloat32); // [N,V]
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
        const auto visual = d->visual(images);
        const auto &features = visual.features;
        auto embeds = d->embed(input, features);
        const auto deepstack = d->deepstack(input, visual);
        HiddenCapture cap;
        cap.layers = capture.layers;
        const bool capturing = !capture.layers.empty();
        std::optional<InterventionInput> edit;
        if (d->intervention)
            edit = d->interventionInput(mask, P, features, {features.defined() ? features.size(0) : 0});
        auto hidden = d->decoder()->forward(embeds, d->positions(input, mask, images), mask, nullptr, capturing ? &cap : nullptr,
                                            edit ? &*edit : nullptr, deepstack ? &*deepstack : nullptr);
        return scoredRow(*d, hidden[0], cap, 0, P, continuation);
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
        const auto visual = d->visual(images);
        auto embeds = d->embed(input, visual.features);
        const auto deepstack = d->deepstack(input, visual);
        HiddenCapture cap;
        cap.layers = capture.layers;
        const bool capturing = !capture.layers.empty();
        auto hidden = d->decoder()->forward(embeds, d->positions(input, mask, images), mask, nullptr, capturing ? &cap : nullptr, nullptr,
                                            deepstack ? &*deepstack : nullptr);
        for (std::int64_t b = 0; b < B; ++b) {
            const Row &r = rows[std::size_t(b)];
            const auto off = T - std::int64_t(r.ids.size());
            results[r.index] = scoredRow(*d, hidden[b], cap, b, off + r.promptLength, continuations[r.index]);
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
