// The runtime façade: what a loaded runtime answers (its model, tokenizer, prompts), saving a
// whole LLaVA, the intervention and prefix-cache switches; and the machine it runs on (memory
// estimate, threads). Loading is in RuntimeLoad.cpp, generation in Generate.cpp, scoring in
// Score.cpp.

#include "sdrt/model/Runtime.h"

#include "LlavaModel.h"
#include "SafetensorsTorch.h"
#include "RuntimeImpl.h"

#include <torch/torch.h>

#include <algorithm>
#include <dlfcn.h>
#include <filesystem>
#include <fstream>
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

} // namespace sdrt::model
