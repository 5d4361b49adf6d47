#!/usr/bin/env bash
# Build the one-folder program on Linux: build/dist/ZhonglouLedger/
#   bash build/build.sh [--fresh]
# A separate venv under build/work/venv holds only the pinned runtime requirements and
# PyInstaller (no test tools end up in the bundle). It is reused while the requirements
# are unchanged; --fresh recreates it. Set PYTHON to choose the interpreter.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="build/work"
VENV="$WORK/venv"
DIST="build/dist"
PYINSTALLER_PIN="pyinstaller==6.22.3"
HOOKS_PIN="pyinstaller-hooks-contrib==2026.9"

if [ "${1:-}" = "--fresh" ]; then rm -rf "$VENV"; fi
mkdir -p "$WORK"

# PyInstaller reads shared-library dependencies with objdump/ldd (binutils, libc-bin).
if ! command -v objdump >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends binutils >/dev/null
    else
        echo "缺少 objdump：请先安装 binutils" >&2
        exit 1
    fi
fi
# Qt's runtime libraries and the CJK font, as for ./run.sh (no-op when present).
bash build/bootstrap.sh runtime >/dev/null

started=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$VENV"
fi
stamp="$VENV/.installed"
sum="$( (cat requirements.txt; echo "$PYINSTALLER_PIN $HOOKS_PIN") | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt "$PYINSTALLER_PIN" "$HOOKS_PIN"
    echo "$sum" > "$stamp"
fi

rm -rf "$DIST/ZhonglouLedger"
"$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath "$WORK/pyinstaller" pyinstaller.spec

out="$DIST/ZhonglouLedger"
test -x "$out/ZhonglouLedger" && test -x "$out/ZhonglouLedgerCLI"
echo "构建完成：$out （$(du -sh "$out" | cut -f1)，用时 $(( $(date +%s) - started )) 秒）"
