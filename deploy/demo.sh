#!/usr/bin/env bash
# Installs what is missing, builds rectrack, starts rectrackd with its
# database in ./data and loads a small demo review. Stop it with Ctrl-C.
# Usage: deploy/demo.sh [--listen HOST:PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
listen=127.0.0.1:50051
if [ "${1:-}" = "--listen" ]; then listen=$2; fi

bash deploy/install-deps.sh
bash deploy/build.sh build -DRECTRACK_BUILD_TESTS=OFF -DRECTRACK_BUILD_BENCH=OFF

./build/server/rectrackd --listen "$listen" --data-dir ./data &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM

rectrack() { ./build/client/rectrack --server "$listen" "$@"; }
for _ in $(seq 100); do
  rectrack review list >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { echo "rectrackd did not start" >&2; exit 1; }
  sleep 0.1
done

# Every change carries a request id, so loading again changes nothing.
bash deploy/demo-data.sh "$listen" >/dev/null

cat <<HELP

rectrackd is running on $listen with its database in ./data.
A demo review is loaded. In another terminal, try:

  alias rectrack=\$PWD/build/client/rectrack
  rectrack review list
  rectrack review show review-1
  rectrack actions --lead "gemma barron"
  rectrack action progress action-2 --text "Toolkit page published" --on 2010-09-20
  rectrack action status action-2 --status completed
  rectrack history action-2
  rectrack events --from 1 --limit 5
  rectrack --help

Anyone on this machine may use it until the first access token exists:
  ./build/server/rectrackd token add clerk --role admin --data-dir ./data
then every call needs one (export RECTRACK_TOKEN=...); see README.

Press Ctrl-C here to stop the server.
HELP
wait $server
