#!/usr/bin/env bash
# Installs rectrack into a temporary prefix, builds tests/consumer against
# the installed files with find_package(rectrack), and runs it against a
# real rectrackd. Usage: consumer_check.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
server=
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
# A sanitizer build's library needs the sanitizer runtime in the consumer.
flags=()
if grep -q '^RECTRACK_SANITIZE:BOOL=ON' "$build/CMakeCache.txt"; then
  flags=(-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined
         -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined)
fi
cmake -S "$src/tests/consumer" -B "$tmp/consumer" -G Ninja \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" "${flags[@]}" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
# With access control on: the consumer sends a scrutiny token.
RECTRACK_TOKEN=$("$tmp/prefix/bin/rectrackd" token add consumer --role scrutiny \
  --data-dir "$tmp/data" 2>/dev/null)
export RECTRACK_TOKEN
"$tmp/prefix/bin/rectrackd" --listen 127.0.0.1:0 --data-dir "$tmp/data" \
  --port-file "$tmp/port" 2>"$tmp/log" &
server=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
out=$("$tmp/consumer/consumer" "127.0.0.1:$(cat "$tmp/port")")
[ "$out" = "review-1 Consumer review" ] || { echo "unexpected: $out"; exit 1; }
echo "consumer built against the installed library and talked to rectrackd"
