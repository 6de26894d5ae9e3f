#!/usr/bin/env bash
# Load test: concurrent clients mixing GetAction, ListActions, Apply and
# BulkApply with Watch streams following along, against one rectrackd on
# loopback. Prints a markdown table (count, per second, p50/p99, errors)
# and a last line with the totals, events, watchers left behind and
# rectrackd's memory at the start and end.
#
# Usage: tests/load/run.sh [--seconds N] [--requests N] [--clients N]
#                          [--watchers N] [--verifies N] [--build-dir DIR]
# --verifies N: admin verify N times during the run, each must be clean.
# After the run rectrackd is restarted, and the last line gives the data
# directory's size against the log's and how long the restart took.
# A soak run is the same with a long --seconds, e.g. --seconds 3600.
set -euo pipefail
build=build
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --seconds|--requests|--clients|--watchers|--verifies) args+=("$1" "$2"); shift 2 ;;
    *) echo "unknown option $1; see the top of $0" >&2; exit 2 ;;
  esac
done
for f in "$build/server/rectrackd" "$build/tests/load_run"; do
  [ -x "$f" ] || { echo "missing $f: build first (bash deploy/build.sh)" >&2; exit 2; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$build/tests/load_run" --rectrackd "$build/server/rectrackd" --dir "$dir" \
  "${args[@]}" || { tail -n 20 "$dir/rectrackd.log" >&2; exit 1; }
