#!/usr/bin/env bash
# Renders the HTML committee report of the imported CYP action plan in
# headless Chromium and checks the screenshot of its first pages is not
# blank: mostly white paper, with text, and the red, amber and green of the
# RAG chart and table. Then prints the SCRAIP sample's report to PDF in
# Chromium and checks the text as laid out: the exceptions section first,
# the cabinet members, UK dates and references as printed.
# Usage: report_render_check.sh SOURCE_DIR RECTRACKD RECTRACK
set -euo pipefail
src=$1
rectrackd=$2
rectrack=$3
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" || true
  rm -rf "$tmp"
}
trap cleanup EXIT

browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "needs the Debian package chromium (deploy/install-deps.sh --for-tests)"; exit 1; }
command -v pdftotext >/dev/null \
  || { echo "needs the Debian package poppler-utils (deploy/install-deps.sh --for-tests)"; exit 1; }
/usr/bin/python3 -c 'import PIL' 2>/dev/null \
  || { echo "needs the Debian package python3-pil (deploy/install-deps.sh --for-tests)"; exit 1; }

RECTRACK_TOKEN=$("$rectrackd" token add render-check --role scrutiny \
  --data-dir "$tmp/data" 2>/dev/null)
export RECTRACK_TOKEN
"$rectrackd" --listen 127.0.0.1:0 --data-dir "$tmp/data" --port-file "$tmp/port" \
  2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { cat "$tmp/log"; exit 1; }
server="127.0.0.1:$(cat "$tmp/port")"

"$rectrack" --server "$server" import "$src/tests/data/cyp-partnerships-action-plan.tsv" \
  --committee "Scrutiny and Overview Committee" >/dev/null 2>&1
# Every 2010 target has passed (red); complete one (green) and revise
# another twice (amber), so all three RAG colours appear.
r() { "$rectrack" --server "$server" "$@" >/dev/null 2>&1; }
r action status action-1 --status completed
r action update action-3 --due "Dec 2040" --reason "Waiting for the new building"
r action update action-3 --due "March 2041" --reason "Builder went bust"
"$rectrack" --server "$server" report review-1 --format html -o "$tmp/report.html" 2>/dev/null
[ -n "${KEEP_SCREENSHOT:-}" ] && trap 'cp "$tmp/report.png" "$tmp/report.html" "$KEEP_SCREENSHOT"/; cleanup' EXIT

# A4 at 96 dpi is 794 x 1123 CSS pixels; three pages' worth, as the
# exceptions come before the charts.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --window-size=794,3369 --screenshot="$tmp/report.png" \
  "file://$tmp/report.html" >"$tmp/chromium.log" 2>&1 \
  || { cat "$tmp/chromium.log"; exit 1; }
[ -s "$tmp/report.png" ] || { echo "Chromium wrote no screenshot"; cat "$tmp/chromium.log"; exit 1; }

/usr/bin/python3 - "$tmp/report.png" <<'PY'
import sys
from PIL import Image

image = Image.open(sys.argv[1]).convert("RGB")
width, height = image.size
pixels = list(image.getdata())
white = sum(1 for p in pixels if min(p) > 235)
dark = sum(1 for p in pixels if max(p) < 90)

def near(colour, tolerance=40):
    return sum(1 for p in pixels
               if all(abs(a - b) <= tolerance for a, b in zip(p, colour)))

red, amber, green = near((0xc0, 0x39, 0x2b)), near((0xe6, 0x9f, 0x00)), near((0x2e, 0x8b, 0x57))
print(f"screenshot {width}x{height}: {white / len(pixels):.0%} paper, "
      f"{dark} dark (text) pixels, red {red}, amber {amber}, green {green}")
problems = []
if white / len(pixels) < 0.5:
    problems.append("less than half of the page is white paper")
if dark < 2000:
    problems.append("hardly any text was drawn")
for name, count in (("red", red), ("amber", amber), ("green", green)):
    if count < 50:
        problems.append(f"no {name} on the page")
if problems:
    sys.exit("the rendered report looks wrong: " + "; ".join(problems))
PY

# The SCRAIP sample as a committee would see it on paper.
"$rectrack" --server "$server" import "$src/tests/data/scraip-review-of-partnerships.txt" \
  --format plan >/dev/null 2>&1
"$rectrack" --server "$server" report review-2 --format html --meeting 2008-10-01 \
  -o "$tmp/scraip.html" 2>/dev/null
"$browser" --headless --no-sandbox --disable-gpu --print-to-pdf="$tmp/scraip.pdf" \
  --no-pdf-header-footer "file://$tmp/scraip.html" >"$tmp/chromium.log" 2>&1 \
  || { cat "$tmp/chromium.log"; exit 1; }
[ -n "${KEEP_SCREENSHOT:-}" ] && cp "$tmp/scraip.pdf" "$KEEP_SCREENSHOT"/
pdftotext -layout "$tmp/scraip.pdf" "$tmp/scraip.txt"
missing=()
for want in "Exceptions" "For the meeting of 1 October 2008" "Published 17 May 2007" \
    "Recommendation A." "Recommendation H." "Cabinet member / portfolio: The Leader" \
    "Cllr Hooper" "date not recorded" "How RAG is worked out"; do
  grep -qF "$want" "$tmp/scraip.txt" || missing+=("$want")
done
# The exceptions come before the recommendations.
first_exceptions=$(grep -nF "Exceptions" "$tmp/scraip.txt" | head -1 | cut -d: -f1)
first_rec=$(grep -nF "Recommendation A." "$tmp/scraip.txt" | head -1 | cut -d: -f1)
if [ -z "$first_exceptions" ] || [ -z "$first_rec" ] || [ "$first_exceptions" -gt "$first_rec" ]; then
  missing+=("the exceptions section before the recommendations")
fi
if [ ${#missing[@]} -gt 0 ]; then
  printf 'the printed SCRAIP report lacks: %s\n' "${missing[@]}"
  exit 1
fi
echo "printed SCRAIP report: exceptions first, cabinet members, UK dates, references as printed"
