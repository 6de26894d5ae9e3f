#!/usr/bin/env bash
# Builds and runs the benchmark programs; prints their markdown tables.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh
bash deploy/build.sh build -DRECTRACK_BUILD_BENCH=ON
./build/bench/apply_bench
./build/bench/bulk_bench
./build/bench/query_bench
