#!/usr/bin/env bash
# Crash test: rectrackd is killed with SIGKILL at random moments while four
# writers (three sending single Apply requests, one a BulkApply stream, all
# with request ids) run against it; after each restart every unacknowledged
# request is retried, and the whole log is checked: every acknowledged event
# at the position it was acknowledged at, no request half-applied or applied
# twice, positions and versions without gaps, and admin verify clean.
#
# Usage: tests/crash/run.sh [--cycles N] [--build-dir DIR] [--seed S]
#   --cycles N     kill-and-restart cycles (default 3; CTest runs 20; the
#                  long run is 200+)
#   --build-dir D  the CMake build directory (default ./build)
#   --seed S       repeat a run's random kill moments
# The last line gives the cycles, acknowledged requests and problems found;
# the exit status is 0 only when no problem was found.
set -euo pipefail
cycles=3
build=build
seed=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cycles) cycles=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --seed) seed=(--seed "$2"); shift 2 ;;
    *) echo "unknown option $1; see the top of $0" >&2; exit 2 ;;
  esac
done
for f in "$build/server/rectrackd" "$build/tests/crash_run"; do
  [ -x "$f" ] || { echo "missing $f: build first (bash deploy/build.sh)" >&2; exit 2; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$build/tests/crash_run" --rectrackd "$build/server/rectrackd" --dir "$dir" \
  --cycles "$cycles" "${seed[@]}" || { tail -n 20 "$dir/rectrackd.log" >&2; exit 1; }
