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
// Logs the BLAS core once; warns on a fallback kernel.
void logPlatformOnce();

} // namespace sdrt::model
