#!/usr/bin/env bash
# Set up, build and run the default test suite: everything except the "slow" and "training"
# labels (tests/CMakeLists.txt says what each label means), which have their own command:
# ctest --test-dir build -L "slow|training".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash packaging/build.sh
export QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure -LE "slow|training" -j "${SDRT_TEST_JOBS:-2}"
