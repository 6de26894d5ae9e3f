#!/usr/bin/env bash
# The page for leads (examples/intranet-web) end to end: builds it with npm
# (Vite, stubs from proto/ by protoc-gen-es), serves it with a real
# rectrackd --http-static, drives it in headless Chromium with Playwright
# (e2e/lead_page.mjs) through the update cycle, then checks with the real
# CLI (rectrack history) that the lead's answer is in the record: on a
# server that needs answers approved (a scrutiny user approves one and
# returns another with the CLI, from the e2e script), and on one started
# with --updates-need-approval false (the answer goes straight in).
# node_modules is kept in BUILD_DIR/intranet-web and reinstalled only when
# package-lock.json changes. The screenshots are kept as
# BUILD_DIR/test-artifacts/lead_page.png (with approval) and
# lead_page_straight.png (without).
# Usage: lead_page_check.sh SOURCE_DIR BUILD_DIR RECTRACKD RECTRACK
set -euo pipefail
src=$1
build=$2
rectrackd=$3
rectrack=$4
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

for tool in node npm protoc; do
  command -v "$tool" >/dev/null \
    || { echo "needs $tool (deploy/install-deps.sh --for-tests: nodejs, npm, protobuf-compiler)"; exit 1; }
done
[ -x /usr/bin/chromium ] \
  || { echo "needs the Debian package chromium (deploy/install-deps.sh --for-tests)"; exit 1; }

# The example's sources, copied beside a node_modules of their own.
web=$build/intranet-web
mkdir -p "$web" "$build/test-artifacts"
rm -rf "$web/src" "$web/e2e" "$web/scripts"
cp -r "$src/examples/intranet-web/src" "$src/examples/intranet-web/e2e" \
  "$src/examples/intranet-web/scripts" "$web/"
rm -rf "$web/src/gen"
cp "$src/examples/intranet-web/"{package.json,package-lock.json,index.html,tsconfig.json,vite.config.ts} "$web/"
lock_sum=$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$web/node_modules/.rectrack-lock-sum" 2>/dev/null)" != "$lock_sum" ]; then
  echo "npm ci in $web (the npm registry must be reachable)..."
  # The checksum is written only after a whole install, so an
  # interrupted one is redone next time.
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$web/node_modules/.rectrack-lock-sum"
fi
(cd "$web" && RECTRACK_PROTO_DIR="$src/proto" RECTRACK_WEB_OUT="$web/dist" \
  npm run --silent build >"$tmp/build.log" 2>&1) \
  || { cat "$tmp/build.log"; exit 1; }
[ -s "$web/dist/index.html" ] || { echo "vite wrote no dist/index.html"; exit 1; }

# Starts a rectrackd in $tmp/$1 (further arguments are its own), with a
# scrutiny token and Gemma's officer token, and seeds it: review-1 "Review
# of Parks" / rec-1 (ref R2) / action-1: Gemma's, overdue; action-2:
# Gemma's, open; action-3: someone else's; action-4: Gemma's, completed.
# Updates are asked of every open action for a meeting in 30 days, due
# yesterday (so overdue). Sets admin, lead_token, server and url.
start_server() {
  local dir=$tmp/$1
  shift
  admin=$("$rectrackd" token add page-check --role scrutiny --data-dir "$dir/data" 2>/dev/null)
  lead_token=$("$rectrackd" token add gemma --role officer --lead "Gemma Barron" \
    --data-dir "$dir/data" 2>/dev/null)
  "$rectrackd" --listen 127.0.0.1:0 --data-dir "$dir/data" --port-file "$dir/port" \
    --http-listen 127.0.0.1:0 --http-port-file "$dir/http-port" \
    --http-static "$web/dist" "$@" 2>"$dir/log" &
  pids+=($!)
  for _ in $(seq 200); do [ -s "$dir/http-port" ] && break; sleep 0.1; done
  [ -s "$dir/http-port" ] || { cat "$dir/log"; exit 1; }
  server="127.0.0.1:$(cat "$dir/port")"
  url="http://127.0.0.1:$(cat "$dir/http-port")/"
  r review open --title "Review of Parks" --committee "Communities O&S" >/dev/null
  r rec add review-1 --ref R2 --text "Keep the parks open later" >/dev/null
  r action add rec-1 --text "Survey park users" --lead "Gemma Barron" --due "March 2010" >/dev/null
  r action add rec-1 --text "Agree new opening hours" --lead "Gemma Barron" --due "December 2099" >/dev/null
  r action add rec-1 --text "Cost the extra staff" --lead "Head of Finance" --due "March 2010" >/dev/null
  r action add rec-1 --text "Publish the survey" --lead "gemma barron" --due "June 2011" >/dev/null
  r action status action-4 --status completed --note "Published" >/dev/null
  r updates request review-1 --meeting "$(date -d '+30 days' +%F)" \
    --due "$(date -d yesterday +%F)" >/dev/null
}
r() { "$rectrack" --server "$server" --token "$admin" "$@"; }
page() {
  (cd "$web" && PAGE_URL="$url" LEAD="Gemma Barron" TOKEN="$lead_token" \
    OVERDUE_ID=action-1 OPEN_ID=action-2 HIDDEN_IDS=action-3,action-4 \
    OTHER_LEAD="Head of Finance" OTHER_ID=action-3 \
    REFERENCE="Review of Parks, recommendation R2" \
    RECTRACK="$rectrack" SERVER="$server" ADMIN_TOKEN="$admin" \
    RETURN_COMMENT="Say which month the new hours start" env "$@" node e2e/lead_page.mjs)
}
# The note must be in the record (rectrack history action-1 shows it as
# progress, not only as an answer); $1: what its entry must say of who
# recorded it.
expect_in_history() {
  local history entry
  history=$(r history action-1)
  entry=$(echo "$history" | grep -A1 -F "Progress on action-1: $note") \
    || { echo "rectrack history action-1 does not show the note as progress:"; echo "$history"; exit 1; }
  echo "$entry" | grep -E "$1" >/dev/null \
    || { echo "the note is not recorded as expected ($1):"; echo "$history"; exit 1; }
  echo "ok: rectrack history action-1 shows the note in the record:"
  echo "$entry"
}

note="Survey sent to 400 park users on $(date +%F); replies due in two weeks"

echo "== a server that needs answers approved"
mkdir -p "$tmp/approval"
start_server approval
page MODE=approval NOTE="$note" SCREENSHOT="$build/test-artifacts/lead_page.png"
expect_in_history "update from gemma, approved by page-check"
r history action-2 | grep -F "Say which month the new hours start" >/dev/null \
  || { echo "rectrack history action-2 does not show the return:"; r history action-2; exit 1; }

echo "== a server that takes answers straight in (--updates-need-approval false)"
mkdir -p "$tmp/straight"
start_server straight --updates-need-approval false
page MODE=straight NOTE="$note" SCREENSHOT="$build/test-artifacts/lead_page_straight.png"
expect_in_history "ProgressReported, recorded .* by gemma\)"
echo "screenshots kept: $build/test-artifacts/lead_page.png $build/test-artifacts/lead_page_straight.png"
