// sdrt-runtime: the VLM runtime's commands without Qt, for a machine that has only a compiler
// and LibTorch (a GPU workstation with an official CUDA LibTorch). Built with
// -DSDRT_RUNTIME_ONLY=ON (see README, "GPU workstation build"); the full build has it too.
//
//   sdrt-runtime info
//   sdrt-runtime make-tiny DIR [--seed S] [--mistral | --next] [--force]
//   sdrt-runtime generate DIR [--prompt TEXT] [--tokens N] [--device D] [--dtype T]
//   sdrt-runtime bench DIR [--batch 1,8] [--prompt-tokens N] [--decode-tokens N] [--threads N] [--device D] [--image WxH] [--json]
//   sdrt-runtime check-devices DIR [--tokens N] [--tolerance X]

#include "sdrt/model/Benchmark.h"
#include "sdrt/model/Platform.h"
#include "sdrt/model/Runtime.h"
#include "sdrt/model/TinyModel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <tuple>
#include <string>
#include <vector>

using namespace sdrt::model;
using sdrt::Expected;
using sdrt::unexpected;

namespace {

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::string> options; // --name value, or --flag ""
};

// Options that take no value.
bool isFlag(const std::string &name)
{
    return name == "json" || name == "mistral" || name == "no-baseline" || name == "next" || name == "force";
}

bool parse(int argc, char **argv, int first, Args &a)
{
    for (int i = first; i < argc; ++i) {
        const std::string s = argv[i];
        if (s.rfind("--", 0) == 0) {
            const std::string name = s.substr(2);
            if (isFlag(name)) {
                a.options[name] = "";
            } else if (i + 1 < argc) {
                a.options[name] = argv[++i];
            } else {
                std::cerr << "sdrt-runtime: --" << name << " needs a value\n";
                return false;
            }
        } else {
            a.positional.push_back(s);
        }
    }
    return true;
}

bool intOption(const Args &a, const std::string &name, int lo, int hi, int &value)
{
    auto it = a.options.find(name);
    if (it == a.options.end())
        return true;
    try {
        std::size_t used = 0;
        const int v = std::stoi(it->second, &used);
        if (used != it->second.size() || v < lo || v > hi)
            throw std::out_of_range("range");
        value = v;
        return true;
    } catch (const std::exception &) {
        std::cerr << "sdrt-runtime: --" << name << " " << it->second << ": give a whole number from " << lo << " to " << hi << "\n";
        return false;
    }
}

std::string option(const Args &a, const std::string &name, const std::string &fallback)
{
    auto it = a.options.find(name);
    return it == a.options.end() ? fallback : it->second;
}

GenerationRequest checkRequest(const VlmRuntime &rt, const std::string &text)
{
    return VlmRuntime::chatRequest({benchmarkImage(rt.info().config.vision.imageSize)}, "<image>\n" + text);
}

int info()
{
    configureThreads(0);
    const TorchInfo t = torchInfo();
    std::cout << "LibTorch " << t.version << ", C++ ABI " << (t.cxx11Abi ? "cxx11 (_GLIBCXX_USE_CXX11_ABI=1)" : "pre-cxx11 (_GLIBCXX_USE_CXX11_ABI=0)")
              << ", CUDA " << (t.cuda ? "yes, " + std::to_string(t.cudaDevices) + " device(s)" : std::string("no")) << "\n"
              << platformSummary() << "\n";
    return 0;
}

int makeTiny(const Args &a)
{
    if (a.positional.size() != 1) {
        std::cerr << "usage: sdrt-runtime make-tiny DIR [--seed S] [--mistral | --next] [--force]\n";
        return 2;
    }
    TinyModelParams p = a.options.count("next") ? TinyModelParams::llavaNext() : TinyModelParams{};
    int seed = 1;
    if (!intOption(a, "seed", 0, 1 << 30, seed))
        return 2;
    p.seed = std::uint64_t(seed);
    if (a.options.count("mistral"))
        p.chatTemplate = "mistral";
    p.replaceExisting = a.options.count("force") > 0;
    auto r = makeTinyModel(a.positional.front(), p);
    if (!r) {
        std::cerr << r.error() << "\n";
        return 2;
    }
    std::cout << "wrote a tiny random " << (p.next ? "LLaVA-NeXT" : "LLaVA") << " to " << a.positional.front() << "\n";
    return 0;
}

int generate(const Args &a)
{
    int tokens = 16;
    if (a.positional.size() != 1 || !intOption(a, "tokens", 1, 4096, tokens)) {
        std::cerr << "usage: sdrt-runtime generate DIR [--prompt TEXT] [--tokens N] [--device D] [--dtype T]\n";
        return 2;
    }
    RuntimeOptions o;
    o.device = option(a, "device", "auto");
    o.dtype = option(a, "dtype", "auto");
    auto rt = VlmRuntime::load(a.positional.front(), o);
    if (!rt) {
        std::cerr << rt.error() << "\n";
        return 2;
    }
    auto out = (*rt)->generate({checkRequest(**rt, option(a, "prompt", "How many holes does the part have?"))}, SamplingParams::greedy(tokens));
    if (!out.front()) {
        std::cerr << out.front().error() << "\n";
        return 2;
    }
    std::cout << out.front()->text << "\n";
    std::cerr << "[" << (*rt)->info().device << " " << (*rt)->info().dtype << ", " << out.front()->tokens.size() << " tokens, mean log-prob "
              << out.front()->meanLogprob() << "]\n";
    return 0;
}

int bench(const Args &a)
{
    ModelBenchParams bp;
    int threads = 0;
    if (a.positional.size() != 1 || !intOption(a, "prompt-tokens", 1, 100000, bp.promptTokens) || !intOption(a, "decode-tokens", 1, 100000, bp.decodeTokens)
        || !intOption(a, "threads", 0, 1024, threads)) {
        std::cerr << "usage: sdrt-runtime bench DIR [--batch 1,8] [--prompt-tokens N] [--decode-tokens N] [--threads N] [--device D] [--image WxH] "
                     "[--json]\n";
        return 2;
    }
    bp.batches.clear();
    const std::string list = option(a, "batch", "1,8");
    for (std::size_t pos = 0; pos <= list.size();) {
        const std::size_t comma = std::min(list.find(',', pos), list.size());
        try {
            bp.batches.push_back(std::stoi(list.substr(pos, comma - pos)));
        } catch (const std::exception &) {
            std::cerr << "sdrt-runtime: --batch " << list << ": give batch sizes, comma separated\n";
            return 2;
        }
        pos = comma + 1;
    }
    bp.noCacheBaseline = !a.options.count("no-baseline");
    if (a.options.count("image")) {
        auto size = parseImageSize(a.options.at("image"));
        if (!size) {
            std::cerr << "sdrt-runtime: --image: " << size.error() << "\n";
            return 2;
        }
        std::tie(bp.imageWidth, bp.imageHeight) = *size;
    }
    RuntimeOptions o;
    o.device = option(a, "device", "auto");
    o.threads = configureThreads(threads);
    const auto t0 = std::chrono::steady_clock::now();
    auto rt = VlmRuntime::load(a.positional.front(), o);
    if (!rt) {
        std::cerr << rt.error() << "\n";
        return 2;
    }
    const double load = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto f = benchmarkModel(**rt, bp);
    if (!f) {
        std::cerr << f.error() << "\n";
        return 2;
    }
    if (a.options.count("json")) {
        std::cout << benchFiguresJson(a.positional.front(), (*rt)->info(), *f, load) << "\n";
        return 0;
    }
    std::cout << platformSummary() << "\n" << benchFiguresText(a.positional.front(), (*rt)->info(), *f, load);
    return 0;
}

// Greedy continuation on the CPU in fp32 and, when a CUDA device is visible, on it in bf16:
// the tokens must be equal and the log-probabilities close.
int checkDevices(const Args &a)
{
    int tokens = 8;
    double tolerance = 0.15;
    if (a.positional.size() != 1 || !intOption(a, "tokens", 1, 256, tokens)) {
        std::cerr << "usage: sdrt-runtime check-devices DIR [--tokens N] [--tolerance X]\n";
        return 2;
    }
    if (a.options.count("tolerance"))
        tolerance = std::stod(a.options.at("tolerance"));
    auto run = [&](const std::string &device, const std::string &dtype) -> Expected<GenerationOutput, std::string> {
        RuntimeOptions o;
        o.device = device;
        o.dtype = dtype;
        auto rt = VlmRuntime::load(a.positional.front(), o);
        if (!rt)
            return unexpected(rt.error());
        SamplingParams s = SamplingParams::greedy(tokens);
        s.stopAtEos = false;
        auto out = (*rt)->generate({checkRequest(**rt, "How many holes does the part have, and where is the defect?")}, s);
        if (!out.front())
            return unexpected(out.front().error());
        return std::move(*out.front());
    };
    auto cpu = run("cpu", "fp32");
    if (!cpu) {
        std::cerr << "cpu: " << cpu.error() << "\n";
        return 1;
    }
    std::cout << "cpu fp32: " << cpu->tokens.size() << " tokens, mean log-prob " << cpu->meanLogprob() << "\n";
    const TorchInfo t = torchInfo();
    if (!t.cuda) {
        std::cout << "CUDA: not available in this LibTorch or no device visible: checked the CPU only.\n";
        return 0;
    }
    auto gpu = run("cuda", "bf16");
    if (!gpu) {
        std::cerr << "cuda: " << gpu.error() << "\n";
        return 1;
    }
    double worst = 0;
    const std::size_t n = std::min(cpu->logprobs.size(), gpu->logprobs.size());
    for (std::size_t i = 0; i < n; ++i)
        worst = std::max(worst, double(std::fabs(cpu->logprobs[i] - gpu->logprobs[i])));
    const bool same = cpu->tokens == gpu->tokens;
    std::cout << "cuda bf16: " << gpu->tokens.size() << " tokens, mean log-prob " << gpu->meanLogprob() << "\n"
              << "tokens " << (same ? "equal" : "DIFFER") << "; largest log-probability difference " << worst << " (tolerance " << tolerance << ")\n";
    return same && worst <= tolerance ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    const std::string command = argc > 1 ? argv[1] : "";
    Args a;
    if (!parse(argc, argv, 2, a))
        return 2;
    if (command == "info")
        return info();
    if (command == "make-tiny")
        return makeTiny(a);
    if (command == "generate")
        return generate(a);
    if (command == "bench")
        return bench(a);
    if (command == "check-devices")
        return checkDevices(a);
    std::cerr << "usage: sdrt-runtime info | make-tiny DIR | generate DIR | bench DIR [--batch 1,8] [--json] | check-devices DIR\n";
    return 2;
}
