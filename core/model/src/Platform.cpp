#include "sdrt/model/Platform.h"

#include "sdrt/common/Log.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <dlfcn.h>
#include <fstream>
#include <mutex>
#include <sstream>

namespace sdrt::model {

BlasInfo blasInfo()
{
    BlasInfo info;
    info.library = "unknown";
    using NameFn = char *(*)();
    if (auto fn = reinterpret_cast<NameFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"))) {
        info.library = "OpenBLAS";
        info.core = fn();
    }
    if (auto fn = reinterpret_cast<NameFn>(dlsym(RTLD_DEFAULT, "openblas_get_config")))
        info.config = fn();
    std::ifstream cpu("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpu, line)) {
        if (line.rfind("flags", 0) == 0) {
            info.cpuHasAvx2 = line.find(" avx2") != std::string::npos;
            info.cpuHasAvx512 = line.find(" avx512f") != std::string::npos;
            break;
        }
    }
    static const char *oldCores[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Banias"};
    for (const char *c : oldCores) {
        if (info.core == c && (info.cpuHasAvx2 || info.cpuHasAvx512)) {
            info.fallbackKernel = true;
            info.suggestion = info.cpuHasAvx512 ? "SkylakeX" : "Haswell";
        }
    }
    return info;
}

std::string platformSummary()
{
    const BlasInfo b = blasInfo();
    std::ostringstream s;
    s << "BLAS " << b.library;
    if (!b.core.empty())
        s << " core " << b.core;
    s << "; CPU " << (b.cpuHasAvx512 ? "AVX-512" : b.cpuHasAvx2 ? "AVX2" : "no AVX2");
    s << "; torch intra-op threads " << at::get_num_threads();
    using GetThreads = int (*)();
    if (auto fn = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads")))
        s << "; OpenBLAS threads " << fn();
    if (const char *env = std::getenv("OPENBLAS_CORETYPE"))
        s << "; OPENBLAS_CORETYPE=" << env;
    if (b.fallbackKernel)
        s << "; WARNING fallback kernel (try OPENBLAS_CORETYPE=" << b.suggestion << ")";
    return s.str();
}

TorchInfo torchInfo()
{
    TorchInfo t;
    t.version = TORCH_VERSION;
    t.cuda = torch::cuda::is_available();
    t.cudaDevices = t.cuda ? int(torch::cuda::device_count()) : 0;
#ifdef _GLIBCXX_USE_CXX11_ABI
    t.cxx11Abi = _GLIBCXX_USE_CXX11_ABI != 0;
#endif
    return t;
}

void logPlatformOnce()
{
    static std::once_flag once;
    std::call_once(once, [] {
        auto log = sdrt::log::get("model");
        const BlasInfo b = blasInfo();
        log->info("{}", platformSummary());
        if (b.library != "OpenBLAS")
            log->warn("LibTorch is not using OpenBLAS: install libopenblas0-pthread (reference BLAS is about ten times slower)");
        if (b.fallbackKernel)
            log->warn("OpenBLAS uses its old '{}' kernels on a CPU with {}: set OPENBLAS_CORETYPE={} for several times the speed",
                      b.core, b.cpuHasAvx512 ? "AVX-512" : "AVX2", b.suggestion);
    });
}

} // namespace sdrt::model
