#!/usr/bin/env bash
# Builds the benchmark programs and runs them at sizes that finish in about
# five minutes on 2 cores; prints one markdown table. Every figure has a
# baseline measured in the same run on the same machine, and the ratio
# between them (higher is better; the target, where the issue set one).
# Medians of several runs where a run is short; see BENCHMARKS.md.
#
# Usage: bench/run.sh [--quick]   (--quick: small sizes, for a smoke test)
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install-deps.sh --for-bench
bash deploy/build.sh build -DRECTRACK_BUILD_BENCH=ON >/dev/null
calls=1200 events=1000000 actions=100000 runs=3 pg_seconds=10 notes=10000
verify_events=200000
if [ "${1:-}" = "--quick" ]; then
  calls=192 events=20000 actions=10000 runs=1 pg_seconds=3 notes=1000
  verify_events=20000
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
echo "| figure | value | baseline (same run) | ratio | target |"
echo "|---|---|---|---:|---|"
./build/bench/apply_bench --calls "$calls" --runs "$runs" | tee "$scratch/rows.md"
./build/bench/bulk_bench --events "$events" --runs 1 \
  --copy-file "$scratch/events.copy" | tee -a "$scratch/rows.md"
# The peer: PostgreSQL on the same events and the same machine, this run.
python3 bench/pg_peer.py --copy-file "$scratch/events.copy" \
  --rectrack "$scratch/rows.md" --seconds "$pg_seconds"
rm -f "$scratch/events.copy"
./build/bench/query_bench --actions "$actions" --runs "$runs" 2>/dev/null
./build/bench/history_bench --notes "$notes" --runs "$runs" 2>/dev/null
./build/bench/verify_bench --events "$verify_events" --runs "$runs" 2>/dev/null
