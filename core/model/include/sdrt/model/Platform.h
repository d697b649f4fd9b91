#pragma once
// What the math libraries run on: the BLAS in use and its CPU kernel, the CPU's vector
// extensions, LibTorch's threads. OpenBLAS 0.3.21 falls back to its oldest kernels ("Prescott")
// on CPUs it does not recognise; OPENBLAS_CORETYPE (Haswell, SkylakeX, Zen) fixes that.

#include <string>

namespace sdrt::model {

struct BlasInfo {
    std::string library;   // "OpenBLAS" or "unknown"
    std::string core;      // e.g. "Haswell", "Prescott"
    std::string config;    // OpenBLAS build configuration
    bool cpuHasAvx2 = false;
    bool cpuHasAvx512 = false;
    bool fallbackKernel = false; // an old kernel on a CPU that has AVX2 / AVX-512
    std::string suggestion;      // the OPENBLAS_CORETYPE to try, when fallbackKernel
};

BlasInfo blasInfo();
// One line for logs and benchmarks.
std::string platformSummary();
// The LibTorch this binary runs on: version, CUDA, and the C++ ABI it was built with (Debian's
// and the official "cxx11 ABI" downloads use the new std::string ABI, 1; the pre-cxx11 ABI
// downloads 0; our code must be built with the same setting, which CMake takes from Torch).
struct TorchInfo {
    std::string version;     // e.g. "1.13.1"
    bool cuda = false;       // built with CUDA and a device is visible
    int cudaDevices = 0;
    bool cxx11Abi = true;
};
TorchInfo torchInfo();
// Logs the BLAS core once; warns on a fallback kernel.
void logPlatformOnce();

} // namespace sdrt::model
