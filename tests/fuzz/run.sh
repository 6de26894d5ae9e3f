#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (in build-fuzz/) and runs each
# for a bounded time, starting from the seed corpora: the sample documents
# and the regression inputs kept in tests/fuzz/regressions/. A crash leaves
# its input in build-fuzz/findings/ and fails the run; fix it, then keep
# the input in tests/fuzz/regressions/TARGET/.
#
# Usage: tests/fuzz/run.sh [--seconds N]   (default 20 per target)
set -euo pipefail
seconds=20
[ "${1:-}" = "--seconds" ] && seconds=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
build="$src/build-fuzz"
command -v clang++ >/dev/null || { echo "needs clang (deploy/install-deps.sh --for-tests)" >&2; exit 1; }
CC=clang CXX=clang++ cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRECTRACK_FUZZ=ON -DRECTRACK_BUILD_TESTS=OFF -DRECTRACK_BUILD_BENCH=OFF >/dev/null
ninja -C "$build" fuzz_timescale fuzz_csv fuzz_plan fuzz_commands >/dev/null

corpus() {  # target, seed files...
  local dir="$build/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/"; done
  echo "$dir"
}
samples=("$src"/tests/data/*.tsv "$src"/tests/data/*.txt)
# The plan corpus: Word documents, web pages and pasted text (fuzz_plan
# reads each kind by its content).
samples+=("$src"/tests/data/plans/*.docx "$src"/tests/data/plans/*.html
          "$src"/tests/data/plans/*.txt "$src"/tests/data/plans/formats/*)
[ -d "$src/../shared/samples" ] && samples+=("$src"/../shared/samples/*)
# Timescale seeds: every timing written in the samples, one per file.
mkdir -p "$build/corpus/fuzz_timescale"
i=0
for t in "Sept 10?" "Autumn 2006" "Ongoing" "March 2011" "2010/11" "Q3 2009" \
         "end of June 09" "31/03/2011" "Immediate" "Summer 2007 - Spring 2008"; do
  printf '%s' "$t" > "$build/corpus/fuzz_timescale/seed$((i++))"
done
# Command seeds: ApplyRequests in protobuf's wire form.
mkdir -p "$build/corpus/fuzz_commands"
printf '\x0a\x0c\x0a\x0a\x0a\x01T\x12\x01C\x22\x00' > "$build/corpus/fuzz_commands/open"

failed=0
for target in fuzz_timescale fuzz_csv fuzz_plan fuzz_commands; do
  case $target in
    fuzz_timescale) dir="$build/corpus/fuzz_timescale" ;;
    fuzz_commands) dir="$build/corpus/fuzz_commands" ;;
    *) dir=$(corpus "$target" "${samples[@]}") ;;
  esac
  regressions="$src/tests/fuzz/regressions/$target"
  mkdir -p "$build/findings/$target"
  dirs=("$dir")
  [ -d "$regressions" ] && dirs+=("$regressions")
  if "$build/tests/fuzz/$target" -max_total_time="$seconds" -max_len=65536 \
       -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$build/findings/$target/" "${dirs[@]}" \
       > "$build/$target.log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/$target.log" | grep -o '[0-9]*$' || echo '?')
    echo "$target: clean for ${seconds}s ($runs inputs)"
  else
    echo "$target: FAILED; input in $build/findings/$target/, log $build/$target.log"
    tail -n 30 "$build/$target.log"
    failed=1
  fi
done
exit $failed
