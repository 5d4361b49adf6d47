#!/usr/bin/env bash
# Build the bundle on this machine and use it as a user would, offscreen:
#   bash build/smoke_test.sh [--no-build]
# init a unit, add an entry (with a photo), export the monthly report, check that both
# files exist and that the PDF embeds every font, start the GUI and quit once idle.
# Exits non-zero on the first failure. --no-build tests an existing build/dist.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$(date +%s)

if [ "${1:-}" != "--no-build" ]; then
    bash build/build.sh
fi
BUNDLE="$ROOT/build/dist/ZhonglouLedger"
CLI="$BUNDLE/ZhonglouLedgerCLI"
GUI="$BUNDLE/ZhonglouLedger"
[ -x "$CLI" ] && [ -x "$GUI" ] || { echo "FAIL: no bundle in $BUNDLE" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DATA="$WORK/data"
OUT="$WORK/out"
export QT_QPA_PLATFORM=offscreen
# Run from a neutral folder with a bare environment: the bundle must not lean on the
# checkout or on the development venv.
cd "$WORK"
unset PYTHONPATH VIRTUAL_ENV PYTHONHOME

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

step "version"
"$CLI" --version

step "init"
"$CLI" --data-dir "$DATA" init --unit 南大街街道 --operator 张三 --phone 0519-88000000 \
    --reviewer 李四 --households 12000 --quota 15

step "entry add (with a photo)"
PY="$ROOT/build/work/venv/bin/python"  # any Python with Pillow draws the test photo
[ -x "$PY" ] || PY="$ROOT/.venv/bin/python"
"$PY" - "$WORK/photo.jpg" <<'EOF'
import sys
from PIL import Image, ImageDraw
img = Image.new("RGB", (1600, 1200), (70, 130, 90))
ImageDraw.Draw(img).rectangle([200, 200, 1400, 1000], fill=(240, 240, 230))
img.save(sys.argv[1], "JPEG", quality=85)
EOF
entry_id="$("$CLI" --data-dir "$DATA" entry add --task 6 --date 2023-06-12 --type 入户宣传 \
    --title "阳光花园入户宣传" --content "发放垃圾分类宣传册" --participants 12 \
    --measure households_reached=350 --attach "$WORK/photo.jpg")"
echo "entry id: $entry_id"
[[ "$entry_id" =~ [0-9]+ ]] || fail "entry add printed no id"

step "report monthly"
"$CLI" --data-dir "$DATA" report monthly --month 2023-06 --out "$OUT"
xlsx="$(find "$OUT" -name '*.xlsx' | head -1)"
pdf="$(find "$OUT" -name '*.pdf' | head -1)"
[ -s "$xlsx" ] || fail "no xlsx written in $OUT"
[ -s "$pdf" ] || fail "no pdf written in $OUT"
echo "xlsx: $(basename "$xlsx")"
echo "pdf:  $(basename "$pdf")"

step "pdffonts: every font embedded"
pdffonts "$pdf"
# columns: name type encoding emb sub uni object ID; 'emb' must be yes on every font row
fonts="$(pdffonts "$pdf" | tail -n +3)"
[ -n "$fonts" ] || fail "the PDF has no fonts"
not_embedded="$(echo "$fonts" | awk '{ if ($(NF-4) != "yes") print }')"
[ -z "$not_embedded" ] || fail "fonts not embedded:
$not_embedded"
if command -v pdftotext >/dev/null 2>&1; then
    text="$(pdftotext "$pdf" -)"  # not piped into grep -q: pipefail would see SIGPIPE
    [[ "$text" == *南大街街道* && "$text" == *阳光花园入户宣传* ]] || fail "the PDF text lacks the unit or the entry"
    [[ "$text" == *核验码* ]] || fail "the PDF carries no 核验码 (signing or the QR code failed in the bundle)"
fi

step "GUI starts and quits once idle (--quit-after-startup)"
export ZL_CACHE_DIR="$WORK/cache"
"$GUI" --data-dir "$DATA" --quit-after-startup
compiled="$(find "$ZL_CACHE_DIR" -name 'shibokensupport-*.bin' | head -1)"
[ -s "$compiled" ] || fail "the windowed program kept no compiled copy of shiboken's support code (build/rth_pyside_boot.py)"
kept="$(stat -c '%i %Y %s' "$compiled")"
t0=$(date +%s.%N)
"$GUI" --data-dir "$DATA" --quit-after-startup
t1=$(date +%s.%N)
echo "GUI start-up (second start): $(echo "$t1 - $t0" | bc 2>/dev/null || echo "?") s"
[ "$(stat -c '%i %Y %s' "$compiled")" = "$kept" ] || fail "the second start compiled shiboken's support code again"

step "the console program opens the window too (without Qt's runtime hooks)"
"$CLI" --data-dir "$DATA" --quit-after-startup

echo "SMOKE TEST PASSED in $(( $(date +%s) - started )) s"
