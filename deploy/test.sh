#!/usr/bin/env bash
# Installs what is missing, builds rectrack and runs every test, then each
# libFuzzer target for 20 seconds (tests/fuzz/run.sh, built with clang in
# build-fuzz), then checks formatting and lint (deploy/lint.sh).
# Usage: deploy/test.sh [--sanitize]
#   --sanitize  build in build-asan with AddressSanitizer + UBSan and run
#               the tests there (the fuzzers run only without it: they have
#               their own sanitizer build).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh --for-tests
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-asan
  echo "Building with AddressSanitizer in $build_dir (several minutes the first time)..."
  bash deploy/build.sh "$build_dir" -DRECTRACK_SANITIZE=ON -DRECTRACK_BUILD_TESTS=ON \
    -DRECTRACK_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  build_dir=build
  echo "Building in $build_dir (several minutes the first time)..."
  bash deploy/build.sh "$build_dir" -DRECTRACK_BUILD_TESTS=ON
fi
echo "Running the tests..."
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
if [ "${1:-}" != "--sanitize" ]; then
  echo "Fuzzing each parser for 20 seconds (the clang build takes a few minutes)..."
  bash tests/fuzz/run.sh --seconds 20
  bash deploy/lint.sh
fi
