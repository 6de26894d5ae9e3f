#!/usr/bin/env bash
# Installs what is missing, builds rectrack, starts rectrackd with its
# database in ./data and loads a small demo review. Stop it with Ctrl-C.
# Usage: deploy/demo.sh [--listen HOST:PORT] [--data-dir DIR] [--built DIR]
#   --built DIR  use the binaries already built in DIR, building nothing
#                (the tests do, while DIR holds their build)
#
# On a tracker that already has access tokens, the demo makes (once) an
# admin token called "demo", kept in DIR/demo-token, and uses it.
set -euo pipefail
cd "$(dirname "$0")/.."
listen=127.0.0.1:50051
data=./data
build_dir=
while [ $# -gt 0 ]; do
  case $1 in
    --listen) listen=$2; shift 2 ;;
    --data-dir) data=$2; shift 2 ;;
    --built) build_dir=$2; shift 2 ;;
    *) echo "unknown option $1; usage: deploy/demo.sh [--listen HOST:PORT] [--data-dir DIR] [--built DIR]" >&2; exit 2 ;;
  esac
done

if [ -z "$build_dir" ]; then
  build_dir=./build
  echo "Checking the Debian packages rectrack needs (installs any that are missing)..."
  bash deploy/install-deps.sh
  echo "Building rectrack in ./build (a few minutes the first time)..."
  bash deploy/build.sh build -DRECTRACK_BUILD_TESTS=OFF -DRECTRACK_BUILD_BENCH=OFF
fi
rectrackd=$build_dir/server/rectrackd
rectrack() { "$build_dir/client/rectrack" --server "$listen" "$@"; }

# A tracker with tokens needs one for the demo too.
if [ -f "$data/tokens" ]; then
  token_file="$data/demo-token"
  if [ ! -s "$token_file" ] || ! grep -q "^demo"$'\t' "$data/tokens"; then
    "$rectrackd" token revoke demo --data-dir "$data" >/dev/null 2>&1 || true
    (umask 077; "$rectrackd" token add demo --role admin --data-dir "$data" \
      2>/dev/null > "$token_file")
  fi
  RECTRACK_TOKEN=$(cat "$token_file")
  export RECTRACK_TOKEN
fi

log=$(mktemp)
"$rectrackd" --listen "$listen" --data-dir "$data" 2>"$log" &
server=$!
# Whatever happens from here (Ctrl-C, an error, the end), the server stops.
stop() {
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -f "$log"
}
trap stop EXIT
trap 'exit 130' INT TERM

echo "Starting rectrackd on $listen..."
for _ in $(seq 100); do
  rectrack health >/dev/null 2>&1 && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "rectrackd did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
rectrack health >/dev/null || { echo "rectrackd did not answer on $listen:" >&2; cat "$log" >&2; exit 1; }
# Up: now a call that needs access, so a refusal is said plainly.
if ! problem=$(rectrack review list 2>&1 >/dev/null); then
  echo "rectrackd is up but refused the demo: $problem" >&2
  exit 1
fi

echo "Loading the demo review (again changes nothing)..."
RECTRACK_CLI="$build_dir/client/rectrack" bash deploy/demo-data.sh "$listen" >/dev/null

cat <<HELP

rectrackd is running on $listen with its database in $data.
A demo review is loaded. In another terminal, try:

  alias rectrack=$(cd "$build_dir" && pwd)/client/rectrack
HELP
if [ -n "${RECTRACK_TOKEN:-}" ]; then
  echo "  export RECTRACK_TOKEN=\$(cat $data/demo-token)"
fi
cat <<HELP
  rectrack review list
  rectrack review show review-1
  rectrack actions --lead "gemma barron"
  rectrack action progress action-2 --text "Toolkit page published" --on 2010-09-20
  rectrack action status action-2 --status completed
  rectrack history action-2
  rectrack events --from 1 --limit 5
  rectrack --help

HELP
if [ -z "${RECTRACK_TOKEN:-}" ]; then
  cat <<HELP
Anyone on this machine may use it until the first access token exists:
  $rectrackd token add clerk --role admin --data-dir $data
then every call needs one (export RECTRACK_TOKEN=...); see README. Run
this demo again afterwards and it makes and uses a token of its own.

HELP
fi
echo "Press Ctrl-C here to stop the server."
wait "$server"
