#include "sdrt/model/CpuLimits.h"

#include "sdrt/model/Runtime.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

namespace sdrt::model {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Median per-call time of `call`, in microseconds: two warm-up calls, then three stretches of
// calls of about seconds / 3 each.
template <typename Call>
double medianMicros(Call &&call, double seconds)
{
    call();
    call();
    std::vector<double> perCall;
    for (int rep = 0; rep < 3; ++rep) {
        const auto t0 = Clock::now();
        int n = 0;
        do {
            call();
            ++n;
        } while (secondsSince(t0) < seconds / 3);
        perCall.push_back(secondsSince(t0) / n * 1e6);
    }
    std::sort(perCall.begin(), perCall.end());
    return perCall[1];
}

// 64 bytes of words, xor-ed as one: the widest loads the CPU has (the function is compiled for
// AVX-512, AVX2 and the baseline, and the loader picks the one this CPU runs), so the stream is
// as fast as the decode kernels' reads, not held back by narrow loads.
using Line = std::uint64_t __attribute__((vector_size(64)));

__attribute__((target_clones("avx512f", "avx2", "default"))) std::uint64_t xorLines(const Line *lines, std::size_t n)
{
    Line a0 = {}, a1 = {}, a2 = {}, a3 = {}; // independent lanes: the loads set the pace
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        a0 ^= lines[i];
        a1 ^= lines[i + 1];
        a2 ^= lines[i + 2];
        a3 ^= lines[i + 3];
    }
    for (; i < n; ++i)
        a0 ^= lines[i];
    const Line all = a0 ^ a1 ^ a2 ^ a3;
    std::uint64_t out = 0;
    for (int k = 0; k < 8; ++k)
        out ^= all[k];
    return out;
}

// A read-only stream over `bytes`, split between `threads` threads: the lines are xor-ed
// together (integer work far below the memory's speed), so the time is the time to read them.
// Best of five passes, in GB/s.
double readBandwidthGBs(std::int64_t bytes, int threads)
{
    std::vector<Line> lines(std::size_t(bytes / 64));
    for (std::size_t i = 0; i < lines.size(); ++i)
        for (int k = 0; k < 8; ++k)
            lines[i][k] = (i * 8 + std::size_t(k)) * 0x9E3779B97F4A7C15ull;
    volatile std::uint64_t sink = 0;
    double best = 0;
    for (int pass = 0; pass < 5; ++pass) {
        std::vector<std::uint64_t> partial(std::size_t(threads), 0);
        std::vector<std::thread> workers;
        const auto t0 = Clock::now();
        for (int t = 0; t < threads; ++t)
            workers.emplace_back([&, t] {
                const std::size_t begin = lines.size() * std::size_t(t) / std::size_t(threads);
                const std::size_t end = lines.size() * std::size_t(t + 1) / std::size_t(threads);
                partial[std::size_t(t)] = xorLines(lines.data() + begin, end - begin);
            });
        for (std::thread &w : workers)
            w.join();
        const double s = secondsSince(t0);
        for (std::uint64_t p : partial)
            sink = sink ^ p;
        best = std::max(best, double(bytes) / s / 1e9);
    }
    (void)sink;
    return best;
}

double gflops(int rows, int inner, int outer, double micros)
{
    return 2.0 * rows * inner * outer / (micros * 1e-6) / 1e9;
}

double maxAbsDiff(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a.to(torch::kFloat32) - b).abs().max().item<double>();
}

// The quantized engine int8 products go through: oneDNN where the build has it, else FBGEMM.
std::optional<at::QEngine> int8Engine()
{
    const auto &engines = at::globalContext().supportedQEngines();
    for (at::QEngine e : {at::QEngine::ONEDNN, at::QEngine::FBGEMM})
        if (std::find(engines.begin(), engines.end(), e) != engines.end())
            return e;
    return std::nullopt;
}

// A dynamically quantized linear layer through LibTorch's quantized operators (called by name,
// as TorchScript would): the weight int8 per output channel, packed once; each call quantizes
// its input on the fly and returns fp32.
class DynamicInt8Linear {
public:
    explicit DynamicInt8Linear(const torch::Tensor &w)
        : m_op(c10::Dispatcher::singleton().findSchemaOrThrow("quantized::linear_dynamic", ""))
    {
        const torch::Tensor scales = (w.abs().amax(1) / 127.0).clamp_min(1e-8).to(torch::kDouble);
        const torch::Tensor zeros = torch::zeros({w.size(0)}, torch::kLong);
        const torch::Tensor qw = torch::quantize_per_channel(w, scales, zeros, 0, torch::kQInt8);
        torch::jit::Stack stack{qw, c10::IValue()};
        c10::Dispatcher::singleton().findSchemaOrThrow("quantized::linear_prepack", "").callBoxed(&stack);
        m_packed = stack.at(0);
    }
    torch::Tensor operator()(const torch::Tensor &x) const
    {
        torch::jit::Stack stack{x, m_packed, false};
        m_op.callBoxed(&stack);
        return stack.at(0).toTensor();
    }

private:
    c10::IValue m_packed;
    c10::OperatorHandle m_op;
};

} // namespace

std::string CpuFeatures::flagsText() const
{
    std::string s;
    const std::pair<bool, const char *> flags[] = {
        {avx2, "avx2"}, {avx512f, "avx512f"}, {avx512Vnni, "avx512_vnni"}, {avx512Bf16, "avx512_bf16"}, {amxBf16, "amx_bf16"}};
    for (const auto &[on, name] : flags)
        if (on)
            s += (s.empty() ? "" : " ") + std::string(name);
    return s.empty() ? std::string("none of avx2, avx512") : s;
}

CpuFeatures cpuFeatures()
{
    CpuFeatures f;
    f.cores = int(std::thread::hardware_concurrency());
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (f.model.empty() && line.rfind("model name", 0) == 0)
            f.model = line.substr(line.find(':') + 2);
        if (line.rfind("flags", 0) != 0)
            continue;
        std::istringstream words(line.substr(line.find(':') + 1));
        std::string w;
        while (words >> w) {
            f.avx2 = f.avx2 || w == "avx2";
            f.avx512f = f.avx512f || w == "avx512f";
            f.avx512Vnni = f.avx512Vnni || w == "avx512_vnni";
            f.avx512Bf16 = f.avx512Bf16 || w == "avx512_bf16";
            f.amxBf16 = f.amxBf16 || w == "amx_bf16";
        }
        break; // every core has the same flags
    }
    return f;
}

double CpuLimits::peak(const std::string &backend) const
{
    double best = 0;
    for (const GemmFigure &g : gemm)
        if (g.backend == backend)
            best = std::max(best, g.gflops);
    return best;
}

Expected<CpuLimits, std::string> measureCpuLimits(const CpuBenchParams &params)
{
    if (params.rows.empty() || params.inner < 1 || params.outer < 1 || params.bandwidthBytes < (1 << 20))
        return unexpected(std::string("bench cpu: give at least one row count, a weight of at least 1 × 1 and at least 1 MiB to stream"));
    CpuLimits limits;
    limits.features = cpuFeatures();
    // OpenBLAS runs its own threads (configureThreads leaves LibTorch's pool at one beside it);
    // oneDNN and the quantized engine run in LibTorch's pool, which gets the cores for their
    // figures and is set back after.
    limits.threads = configureThreads(params.threads);
    const int torchThreads = at::get_num_threads();
    limits.bandwidthBytes = params.bandwidthBytes;
    limits.readGBs = readBandwidthGBs(params.bandwidthBytes, limits.threads);

    c10::InferenceMode guard;
    torch::manual_seed(1);
    const torch::Tensor w = torch::randn({params.outer, params.inner}) * 0.02;
    const bool onednn = at::hasMKLDNN();
    const bool bf16 = limits.features.avx512Bf16 || limits.features.amxBf16;
    const std::optional<at::QEngine> engine = int8Engine();
    const bool int8 = engine.has_value();
    if (!onednn)
        limits.skipped.push_back("onednn: this LibTorch was built without it");
    if (!bf16)
        limits.skipped.push_back("bf16: the CPU has neither AVX512_BF16 nor AMX-BF16");
    if (!int8)
        limits.skipped.push_back("int8-dynamic: this LibTorch has neither the oneDNN nor the FBGEMM quantized engine");
    const torch::Tensor wMkldnn = onednn ? w.to_mkldnn() : torch::Tensor();
    const torch::Tensor wBf16 = bf16 ? w.to(torch::kBFloat16) : torch::Tensor();
    std::optional<DynamicInt8Linear> wInt8;
    if (int8) {
        at::globalContext().setQEngine(*engine);
        wInt8.emplace(w);
    }
    for (int rows : params.rows) {
        const torch::Tensor x = torch::randn({rows, params.inner});
        const torch::Tensor reference = torch::linear(x, w);
        auto add = [&](const std::string &backend, const std::function<torch::Tensor()> &call) {
            const bool pool = backend != "blas";
            at::set_num_threads(pool ? limits.threads : torchThreads);
            GemmFigure g;
            g.threads = limits.threads;
            g.backend = backend;
            g.rows = rows;
            g.inner = params.inner;
            g.outer = params.outer;
            g.microseconds = medianMicros([&] { (void)call(); }, params.secondsPerFigure);
            g.gflops = gflops(rows, params.inner, params.outer, g.microseconds);
            g.maxAbsDiff = maxAbsDiff(call(), reference);
            limits.gemm.push_back(g);
            at::set_num_threads(torchThreads);
        };
        add("blas", [&] { return torch::linear(x, w); });
        if (onednn) // the input's reorder into oneDNN's layout and back counts: a model pays it
            add("onednn", [&] { return torch::mkldnn_linear(x.to_mkldnn(), wMkldnn, {}).to_dense(); });
        if (bf16)
            add("bf16", [&] { return torch::linear(x.to(torch::kBFloat16), wBf16); });
        if (int8)
            add("int8-dynamic", [&] { return (*wInt8)(x); });
    }
    return limits;
}

double measureReadBandwidthGBs(std::int64_t bytes)
{
    return readBandwidthGBs(bytes, std::max(1, int(std::thread::hardware_concurrency())));
}

double measureGemmPeakGFlops(int inner, int outer)
{
    c10::InferenceMode guard;
    const torch::Tensor w = torch::randn({outer, inner}) * 0.02, x = torch::randn({512, inner});
    return gflops(512, inner, outer, medianMicros([&] { (void)torch::linear(x, w); }, 0.3));
}

std::string cpuLimitsText(const CpuLimits &l)
{
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(1);
    s << "cpu: " << (l.features.model.empty() ? "unknown" : l.features.model) << ", " << l.features.cores << " cores; "
      << l.features.flagsText() << "; " << l.threads << " thread(s) for every backend (OpenBLAS's own; LibTorch's pool for the others)\n";
    s << "read bandwidth: " << l.readGBs << " GB/s (a read-only stream over " << (l.bandwidthBytes >> 20) << " MiB)\n";
    if (!l.gemm.empty())
        s << "products y = x·Wᵀ, W " << l.gemm.front().outer << " × " << l.gemm.front().inner << " (GFLOPS, µs per call, max |Δ| against fp32 BLAS):\n";
    for (const GemmFigure &g : l.gemm) {
        s << "  " << g.backend << " rows " << g.rows << ": " << g.gflops << " GFLOPS, " << g.microseconds << " µs";
        s.unsetf(std::ios::fixed);
        s << ", max |Δ| " << g.maxAbsDiff << "\n";
        s.setf(std::ios::fixed);
    }
    for (const char *b : {"blas", "onednn", "bf16", "int8-dynamic"})
        if (l.peak(b) > 0)
            s << "peak " << b << ": " << l.peak(b) << (std::string(b) == "int8-dynamic" ? " GOPS\n" : " GFLOPS\n");
    for (const std::string &why : l.skipped)
        s << "not measured: " << why << "\n";
    return s.str();
}

std::string cpuLimitsJson(const CpuLimits &l)
{
    std::ostringstream s;
    auto str = [](const std::string &t) {
        std::string o = "\"";
        for (char c : t)
            o += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
        return o + "\"";
    };
    s << "{\"cpu\":" << str(l.features.model) << ",\"cores\":" << l.features.cores << ",\"flags\":" << str(l.features.flagsText())
      << ",\"threads\":" << l.threads << ",\"read_gb_per_s\":" << l.readGBs << ",\"gemm\":[";
    for (std::size_t i = 0; i < l.gemm.size(); ++i) {
        const GemmFigure &g = l.gemm[i];
        s << (i ? "," : "") << "{\"backend\":" << str(g.backend) << ",\"rows\":" << g.rows << ",\"inner\":" << g.inner << ",\"outer\":" << g.outer
          << ",\"threads\":" << g.threads << ",\"us\":" << g.microseconds << ",\"gflops\":" << g.gflops << ",\"max_abs_diff\":" << g.maxAbsDiff << "}";
    }
    s << "],\"skipped\":[";
    for (std::size_t i = 0; i < l.skipped.size(); ++i)
        s << (i ? "," : "") << str(l.skipped[i]);
    s << "]}";
    return s.str();
}

} // namespace sdrt::model
