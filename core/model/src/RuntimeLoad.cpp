// Loading a model folder: what can be checked without the weights (config, preprocessor,
// tokenizer, chat template, and how they fit), the device, dtype and memory it needs, then its
// network and weights.

#include "sdrt/model/Runtime.h"

#include "sdrt/common/Log.h"
#include "ConfigFields.h"
#include "LlavaModel.h"
#include "RuntimeImpl.h"
#include "sdrt/model/Safetensors.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <tuple>

namespace fs = std::filesystem;

namespace sdrt::model {
namespace {

// config.json's model_type ("" when absent or not a string); an unreadable or malformed file is an error.
Expected<std::string, std::string> configModelType(const std::string &path)
{
    return readConfigFile<std::string>(path, [](nlohmann::json &j, std::string &type) -> Expected<void, std::string> {
        if (j.contains("model_type") && j["model_type"].is_string())
            type = j["model_type"].get<std::string>();
        return {};
    });
}

// The device and dtype `options` ask for ("auto": CUDA in bf16 when LibTorch has it, else the
// CPU in fp32), into the runtime and its info; fp16 only on CUDA.
Expected<void, std::string> placeRuntime(VlmRuntime::Impl &impl, const RuntimeOptions &options)
{
    std::string device = options.device;
    if (device == "auto")
        device = torch::cuda::is_available() ? "cuda" : "cpu";
    try {
        impl.device = torch::Device(device);
    } catch (const std::exception &e) {
        return unexpected("unknown device \"" + options.device + "\"");
    }
    if (impl.device.is_cuda() && !torch::cuda::is_available())
        return unexpected("device " + device + " was asked for but this LibTorch build has no CUDA device");
    std::string dtype = options.dtype;
    if (dtype == "auto")
        dtype = impl.device.is_cuda() ? "bf16" : "fp32";
    if (dtype == "fp32")
        impl.dtype = torch::kFloat32;
    else if (dtype == "fp16")
        impl.dtype = torch::kFloat16;
    else if (dtype == "bf16")
        impl.dtype = torch::kBFloat16;
    else
        return unexpected("unknown dtype \"" + options.dtype + "\" (fp32, fp16, bf16 or auto)");
    if (impl.dtype == torch::kFloat16 && !impl.device.is_cuda())
        return unexpected("fp16 runs on CUDA only: LibTorch's CPU kernels do not implement half-precision matrix products. "
                          "Use --dtype fp32 (or bf16) on the CPU, or --device cuda");
    impl.info.device = impl.device.str();
    impl.info.dtype = dtype;
    return {};
}

// On the CPU: refuses a model whose estimate (estimateMemory) exceeds the memory allowed or
// available, and says what would hold it.
Expected<void, std::string> checkMemoryFits(const std::string &dir, const ModelInfo &info, const RuntimeOptions &options)
{
    const std::string &dtype = info.dtype;
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
    return {};
}

// The family's network, its weights read from the folder in the runtime's device and dtype.
Expected<void, std::string> loadNetwork(const std::string &dir, VlmRuntime::Impl &impl)
{
    ModelInfo &info = impl.info;
    std::vector<std::string> files;
    if (info.qwen3vl) {
        auto net = loadQwen3VlNetwork(dir, *info.qwen3vl, impl.device, impl.dtype, &files);
        if (!net)
            return unexpected(net.error());
        impl.family = qwen3VlFamily(*net, *info.qwen3vl, info.qwen3vlProcessor);
    } else {
        auto model = loadLlavaModel(dir, info.config, impl.device, impl.dtype, &files);
        if (!model)
            return unexpected(model.error());
        impl.model = *model;
        impl.family = llavaFamily(*model, info.config, info.preprocessor);
    }
    info.weightFiles = files;
    for (const auto &p : impl.family->network().parameters())
        info.parameters += p.numel();
    return {};
}

} // namespace

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
        for (const auto &t : st->tensors())
            impl->info.parameters += t.numel();
    }
    impl->info.weightFiles = *files;
    return impl->info;
}

Expected<std::unique_ptr<VlmRuntime>, std::string> VlmRuntime::load(const std::string &dir, const RuntimeOptions &options)
{
    auto log = sdrt::log::get("model");
    configureThreads(options.threads);
    auto impl = std::make_unique<Impl>();
    const ModelInfo &info = impl->info;
    if (auto r = checkFolder(dir, *impl); !r)
        return unexpected(r.error());
    impl->imageChunk = options.imageChunk;
    impl->prefixes = PrefixCache(std::int64_t(std::max(0, options.prefixCacheMiB)) << 20);
    if (auto r = placeRuntime(*impl, options); !r)
        return unexpected(r.error());
    if (!impl->device.is_cuda()) {
        if (auto r = checkMemoryFits(dir, info, options); !r)
            return unexpected(r.error());
    }
    if (auto r = loadNetwork(dir, *impl); !r)
        return unexpected(r.error());
    log->info("loaded {} ({} parameters, {} on {}, chat template {})", dir, info.parameters, info.dtype, info.device,
              info.chatTemplate.source());
    return std::unique_ptr<VlmRuntime>(new VlmRuntime(std::move(impl)));
}

} // namespace sdrt::model
