#!/usr/bin/env bash
# The first run as a newcomer meets it: deploy/demo.sh on a tracker that
# already has access tokens works (it makes and uses a token of its own),
# runs again, and leaves no rectrackd behind when stopped; the README's
# date-dependent examples give the same answer on any day.
# Usage: demo_check.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$(cd "$2" && pwd)
tmp=$(mktemp -d)
demo=
cleanup() {
  [ -n "$demo" ] && kill -TERM "$demo" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
listen=127.0.0.1:$port
data=$tmp/data
"$build/server/rectrackd" token add clerk --role admin --data-dir "$data" >/dev/null 2>&1

# Job control on, so that the demo, started in the background, takes
# SIGINT as it does from a terminal's Ctrl-C (without it, bash starts
# background jobs with SIGINT ignored).
set -m
# Starts the demo; returns once it says it is ready.
start_demo() {
  bash "$src/deploy/demo.sh" --built "$build" --listen "$listen" --data-dir "$data" \
    >"$tmp/demo.out" 2>&1 &
  demo=$!
  for _ in $(seq 300); do
    grep -q "Press Ctrl-C" "$tmp/demo.out" && return 0
    kill -0 "$demo" 2>/dev/null || { echo "demo.sh stopped:"; cat "$tmp/demo.out"; exit 1; }
    sleep 0.1
  done
  echo "demo.sh never became ready:"; cat "$tmp/demo.out"; exit 1
}
# Stops the demo with `signal` and checks that no rectrackd is left.
stop_demo() {
  local server
  server=$(pgrep -f "rectrackd --listen $listen" || true)
  [ -n "$server" ] || { echo "no rectrackd found for the demo"; exit 1; }
  kill "-$1" "$demo"
  wait "$demo" || true
  demo=
  for _ in $(seq 100); do
    kill -0 "$server" 2>/dev/null || return 0
    sleep 0.1
  done
  echo "demo.sh left rectrackd (pid $server) running after SIG$1"; exit 1
}

start_demo
grep -q "export RECTRACK_TOKEN" "$tmp/demo.out" || { echo "the demo does not say how to use its token"; cat "$tmp/demo.out"; exit 1; }
export RECTRACK_TOKEN
RECTRACK_TOKEN=$(cat "$data/demo-token")
cli() { "$build/client/rectrack" --server "$listen" "$@"; }
# The README's examples of looking back, whatever today is.
cli review show review-1 --as-of 2010-08-01 --effective | grep -q "Add to partnerships toolkit" \
  || { echo "README: review show --as-of 2010-08-01 --effective lacks the toolkit action"; exit 1; }
cli actions --as-of 2010-09-15 --effective --rag amber --text toolkit | grep -q "action-2" \
  || { echo "README: actions --as-of 2010-09-15 --effective --rag amber --text toolkit finds nothing"; exit 1; }
cli report review-1 --as-of 2010-12-01 --effective --since 2010-07-01 | grep -q "Draft toolkit section written" \
  || { echo "README: report --as-of 2010-12-01 --effective lacks the August update"; exit 1; }
stop_demo INT

# Again, on the same data and token: nothing new, and a TERM also stops it.
start_demo
events=$(cli events --from 1 --limit 1000 --json | grep -c '"position"')
stop_demo TERM
start_demo
again=$(cli events --from 1 --limit 1000 --json | grep -c '"position"')
stop_demo INT
[ "$events" = "$again" ] || { echo "running the demo again added events ($events, then $again)"; exit 1; }
echo "demo.sh works with tokens, runs again and leaves nothing running"
