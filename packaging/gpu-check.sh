#!/usr/bin/env bash
# The GPU workstation check: builds the runtime alone (-DSDRT_RUNTIME_ONLY=ON: core/model and
# sdrt-runtime, no Qt) against the LibTorch CMake finds — an official CUDA LibTorch given by
# Torch_DIR or CMAKE_PREFIX_PATH, else Debian's CPU-only one — then on a tiny random checkpoint
# runs a greedy continuation on the CPU in fp32 and, when CUDA is there, on the GPU in bf16 and
# compares them (tokens equal, log-probabilities close), and prints the bench figures per device.
# Without CUDA it checks the CPU only and says so.
# Usage: packaging/gpu-check.sh   (env: Torch_DIR, BUILD (default build-runtime), JOBS)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD=${BUILD:-$here/build-runtime}
JOBS=${JOBS:-$(nproc)}
cmake -S "$here" -B "$BUILD" -DSDRT_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release ${Torch_DIR:+-DTorch_DIR="$Torch_DIR"} >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target sdrt-runtime
rt="$BUILD/app/runtime/sdrt-runtime"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$rt" info
"$rt" make-tiny "$work/tiny" >/dev/null
status=0
"$rt" check-devices "$work/tiny" --tokens 8 || status=$?
"$rt" bench "$work/tiny" --device cpu --batch 1,8 --decode-tokens 16 --no-baseline 2>/dev/null
if "$rt" info | grep -q "CUDA yes"; then
  "$rt" bench "$work/tiny" --device cuda --batch 1,8 --decode-tokens 16 --no-baseline 2>/dev/null
fi
exit $status
