#pragma once
// What this machine's CPU can do, measured where it runs (`sdrt bench cpu`): the read
// bandwidth of a read-only stream, and the peak of the matrix products a model's linear layers
// make, per backend the build has (the BLAS LibTorch calls, oneDNN), in fp32, and bf16 and int8
// where the CPU has the instructions for them. `sdrt bench model` sets its figures against these.

#include "sdrt/common/Expected.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sdrt::model {

struct CpuFeatures {
    std::string model; // /proc/cpuinfo "model name"
    int cores = 0;     // online CPUs
    bool avx2 = false, avx512f = false, avx512Vnni = false, avx512Bf16 = false, amxBf16 = false;
    std::string flagsText() const; // the ones present, space separated
};
CpuFeatures cpuFeatures();

// One product y = x·Wᵀ of `rows` rows against a weight of `outer` × `inner`.
struct GemmFigure {
    std::string backend; // "blas", "onednn", "bf16", "int8-dynamic"
    int rows = 0, inner = 0, outer = 0;
    double microseconds = 0; // median per call
    double gflops = 0;       // 2·rows·inner·outer per second (int8: operations, same count)
    double maxAbsDiff = 0;   // against the fp32 BLAS product of the same inputs
    int threads = 0;         // the threads it ran on (OpenBLAS's own, or LibTorch's pool for the others)
};

struct CpuLimits {
    CpuFeatures features;
    int threads = 0; // cores given to the products and the stream
    std::int64_t bandwidthBytes = 0;
    double readGBs = 0; // bytes read per second, best of the repeats
    std::vector<GemmFigure> gemm;
    std::vector<std::string> skipped; // backends left out, each with why
    // The best GFLOPS of `backend` over the rows measured (0 when it was not measured).
    double peak(const std::string &backend) const;
};

struct CpuBenchParams {
    int threads = 0;                         // LibTorch intra-op threads; 0: as configured
    std::vector<int> rows{1, 8, 64, 512};    // product shapes: rows against one weight
    int inner = 2048, outer = 2048;          // the weight
    std::int64_t bandwidthBytes = 512ll << 20;
    double secondsPerFigure = 0.25;          // each figure: calls for about this long, 3 times
};

Expected<CpuLimits, std::string> measureCpuLimits(const CpuBenchParams &params);
// The read-only stream alone (every configured thread), in GB/s.
double measureReadBandwidthGBs(std::int64_t bytes = 512ll << 20);
// The fp32 BLAS product's speed at 512 rows against an `outer` × `inner` weight, in GFLOPS:
// the many-row peak prefill and training are set against.
double measureGemmPeakGFlops(int inner, int outer);
std::string cpuLimitsText(const CpuLimits &limits);
std::string cpuLimitsJson(const CpuLimits &limits); // one JSON object

} // namespace sdrt::model
