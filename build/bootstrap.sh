#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: system packages (Debian-like, when missing),
# a .venv with the pinned requirements. Usage: build/bootstrap.sh [runtime|dev]
#
# Once a set-up has succeeded, a stamp (.venv/.bootstrap-MODE) holds a hash of this script
# and the requirements; while they are unchanged, nothing is checked through apt, pip or the
# font and library caches, so ./run.sh starts as fast as the program itself.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${1:-runtime}"
cd "$ROOT"
APT_LOCK_WAIT="${APT_LOCK_WAIT:-300}"  # seconds to wait for another apt/dpkg to finish

setup_hash() {
    local req="requirements.txt"
    [ "$MODE" = "dev" ] && req="requirements-dev.txt"
    cat build/bootstrap.sh requirements.txt "$req" | sha256sum | cut -d' ' -f1
}

STAMP=".venv/.bootstrap-$MODE"
WANTED="$(setup_hash)"
if [ -x .venv/bin/python ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANTED" ]; then
    exit 0
fi
SETUP_OK=1

apt_install() {
    local missing=("$@")
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "提示：缺少系统组件 ${missing[*]}，请用系统的包管理器安装。" >&2
        SETUP_OK=0
        return 0
    fi
    local sudo=""
    if [ "$(id -u)" != "0" ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
            echo "提示：缺少系统组件 ${missing[*]}，请以管理员身份运行：apt-get install ${missing[*]}" >&2
            SETUP_OK=0
            return 0
        fi
    fi
    echo "正在安装系统组件：${missing[*]}（如另有安装程序正在运行，最多等待 $((APT_LOCK_WAIT / 60)) 分钟）" >&2
    # Another apt or dpkg (an automatic update, a software centre) may hold the lock: wait
    # for it rather than fail at once, and explain a failure in Chinese instead of apt's words.
    local wait=(-o "DPkg::Lock::Timeout=$APT_LOCK_WAIT")
    $sudo apt-get "${wait[@]}" update -qq >/dev/null 2>&1 || true
    local log
    log="$(mktemp)"
    if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get "${wait[@]}" install -y -qq --no-install-recommends \
            "${missing[@]}" >"$log" 2>&1; then
        if grep -qi 'lock' "$log"; then
            echo "提示：另一个安装程序一直占用系统的软件包管理器，未能安装系统组件：${missing[*]}。" >&2
            echo "      请等它结束后重新运行本程序，或以管理员身份运行：apt-get install ${missing[*]}" >&2
        else
            echo "提示：未能安装系统组件：${missing[*]}（可能没有网络，或软件源中没有这些组件）。" >&2
            echo "      请联系技术人员，或以管理员身份运行：apt-get install ${missing[*]}" >&2
        fi
        rm -f "$log"
        SETUP_OK=0
        return 0
    fi
    rm -f "$log"
}

system_packages() {
    local want=()
    if [ "$(uname -s)" = "Linux" ]; then
        if ! fc-list ':lang=zh-cn' 2>/dev/null | grep -qi 'ttf\|ttc'; then want+=(fonts-wqy-microhei); fi
        if ! ls /usr/share/fonts/truetype/wqy/wqy-microhei.ttc >/dev/null 2>&1; then want+=(fonts-wqy-microhei); fi
        # the reports' body face (a Song face, AR PL UMing); titles use WenQuanYi Micro Hei
        if ! ls /usr/share/fonts/truetype/arphic/uming.ttc >/dev/null 2>&1; then want+=(fonts-arphic-uming); fi
        command -v fc-list >/dev/null 2>&1 || want+=(fontconfig)
        # Qt's runtime libraries (xcb for a real screen; offscreen needs the rest)
        local lib pkg
        while read -r lib pkg; do
            ldconfig -p 2>/dev/null | grep -q "$lib" || want+=("$pkg")
        done <<'LIBS'
libEGL.so.1 libegl1
libGL.so.1 libgl1
libxkbcommon.so.0 libxkbcommon0
libxkbcommon-x11.so.0 libxkbcommon-x11-0
libfontconfig.so.1 libfontconfig1
libdbus-1.so.3 libdbus-1-3
libglib-2.0.so.0 libglib2.0-0
libxcb-cursor.so.0 libxcb-cursor0
libxcb-icccm.so.4 libxcb-icccm4
libxcb-keysyms.so.1 libxcb-keysyms1
libxcb-shape.so.0 libxcb-shape0
LIBS
        if [ "$MODE" = "dev" ]; then
            command -v pdftoppm >/dev/null 2>&1 || want+=(poppler-utils)
            command -v zbarimg >/dev/null 2>&1 || want+=(zbar-tools)  # decodes the report's QR code in tests
        fi
        if [ ${#want[@]} -gt 0 ]; then
            mapfile -t want < <(printf '%s\n' "${want[@]}" | sort -u)
            apt_install "${want[@]}"
        fi
    fi
}

python_env() {
    local py="${PYTHON:-python3}"
    if [ ! -x .venv/bin/python ]; then
        "$py" -m venv .venv
    fi
    local req="requirements.txt"
    [ "$MODE" = "dev" ] && req="requirements-dev.txt"
    local stamp=".venv/.installed-$MODE"
    local sum
    sum="$(cat requirements.txt "$req" | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
        .venv/bin/python -m pip install -q --disable-pip-version-check -r "$req"
        echo "$sum" > "$stamp"
    fi
}

system_packages
python_env
# Only a complete set-up is remembered: what is still missing is looked for again next time.
if [ "$SETUP_OK" = 1 ]; then
    echo "$WANTED" > "$STAMP"
fi
