#!/usr/bin/env bash
# The page for leads (examples/intranet-web) end to end: builds it with npm
# (Vite, stubs from proto/ by protoc-gen-es), serves it with a real
# rectrackd --http-static, drives it in headless Chromium with Playwright
# (e2e/lead_page.mjs), then checks with the real CLI (rectrack history) that
# the lead's progress update is recorded, by the lead's token.
# node_modules is kept in BUILD_DIR/intranet-web and reinstalled only when
# package-lock.json changes. The screenshot is kept as
# BUILD_DIR/test-artifacts/lead_page.png.
# Usage: lead_page_check.sh SOURCE_DIR BUILD_DIR RECTRACKD RECTRACK
set -euo pipefail
src=$1
build=$2
rectrackd=$3
rectrack=$4
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" || true
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

data=$tmp/data
admin=$("$rectrackd" token add page-check --role scrutiny --data-dir "$data" 2>/dev/null)
lead_token=$("$rectrackd" token add gemma --role officer --lead "Gemma Barron" \
  --data-dir "$data" 2>/dev/null)
"$rectrackd" --listen 127.0.0.1:0 --data-dir "$data" --port-file "$tmp/port" \
  --http-listen 127.0.0.1:0 --http-port-file "$tmp/http-port" \
  --http-static "$web/dist" 2>"$tmp/log" &
pid=$!
for _ in $(seq 200); do [ -s "$tmp/http-port" ] && break; sleep 0.1; done
[ -s "$tmp/http-port" ] || { cat "$tmp/log"; exit 1; }
server="127.0.0.1:$(cat "$tmp/port")"
url="http://127.0.0.1:$(cat "$tmp/http-port")/"

r() { "$rectrack" --server "$server" --token "$admin" "$@"; }
r review open --title "Review of Parks" --committee "Communities O&S" >/dev/null
r rec add review-1 --ref A --text "Keep the parks open later" >/dev/null
# action-1: Gemma's, overdue; action-2: Gemma's, open; action-3: someone
# else's; action-4: Gemma's, completed.
r action add rec-1 --text "Survey park users" --lead "Gemma Barron" --due "March 2010" >/dev/null
r action add rec-1 --text "Agree new opening hours" --lead "Gemma Barron" --due "December 2099" >/dev/null
r action add rec-1 --text "Cost the extra staff" --lead "Head of Finance" --due "March 2010" >/dev/null
r action add rec-1 --text "Publish the survey" --lead "gemma barron" --due "June 2011" >/dev/null
r action status action-4 --status completed --note "Published" >/dev/null

note="Survey sent to 400 park users on $(date +%F); replies due in two weeks"
screenshot=$build/test-artifacts/lead_page.png
(cd "$web" && PAGE_URL="$url" LEAD="Gemma Barron" TOKEN="$lead_token" \
  OVERDUE_ID=action-1 OPEN_ID=action-2 HIDDEN_IDS=action-3,action-4 \
  NOTE="$note" SCREENSHOT="$screenshot" node e2e/lead_page.mjs)

# The real CLI sees the update, recorded by the lead's token.
history=$(r history action-1)
echo "$history" | grep -F "$note" >/dev/null \
  || { echo "rectrack history action-1 does not show the update:"; echo "$history"; exit 1; }
echo "$history" | grep -A1 -F "$note" | grep -E "ProgressReported, recorded .* by gemma\)" >/dev/null \
  || { echo "the update is not recorded as gemma's:"; echo "$history"; exit 1; }
echo "ok: rectrack history action-1 shows the update, recorded by gemma:"
echo "$history" | grep -A1 -F "$note"
echo "screenshot kept: $screenshot"
