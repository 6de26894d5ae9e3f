#!/usr/bin/env bash
# Crash test: rectrackd is killed with SIGKILL at random moments while four
# writers run against it (two sending single Apply requests, every third
# without a request id; one a BulkApply stream; one all-or-nothing BulkApply
# batches of three chunks) and a Watch consumer follows the log; each cycle
# is also killed once more at a random point of start-up, of the clients'
# retries, of verify or of a backup. After each restart every unacknowledged
# request with an id is retried the way it was sent, and the whole log is
# checked: every acknowledged event at the position it was acknowledged at;
# each request's events all there once, together, in its commands' order
# and with their content (a request without an id that was not
# acknowledged: wholly or not at all); positions and versions without gaps;
# the hash chain whole; the watcher given each event once, in order; and
# admin verify clean.
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
