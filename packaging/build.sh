#!/usr/bin/env bash
# Installs the Debian packages (when missing), configures and builds into build/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash packaging/setup-debian.sh
jobs="${SDRT_JOBS:-$(nproc)}"
# SDRT_WERROR=ON|OFF, when set, decides whether warnings in our code fail the build (without it:
# on when the environment variable CI is true, at the first configure of build/).
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${SDRT_BUILD_TYPE:-RelWithDebInfo}" ${SDRT_WERROR:+-DSDRT_WERROR=$SDRT_WERROR} >/dev/null
cmake --build build -j "$jobs"
