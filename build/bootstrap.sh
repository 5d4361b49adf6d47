#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: system packages (Debian-like, when missing),
# a .venv with the pinned requirements. Usage: build/bootstrap.sh [runtime|dev]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODE="${1:-runtime}"
cd "$ROOT"

apt_install() {
    local missing=("$@")
    [ ${#missing[@]} -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "提示：缺少系统组件 ${missing[*]}，请用系统的包管理器安装。" >&2
        return 0
    fi
    local sudo=""
    if [ "$(id -u)" != "0" ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
            echo "提示：缺少系统组件 ${missing[*]}，请以管理员身份运行：apt-get install ${missing[*]}" >&2
            return 0
        fi
    fi
    echo "正在安装系统组件：${missing[*]}" >&2
    # DPkg::Lock::Timeout: wait for another apt/dpkg (unattended upgrades) instead of failing on its lock
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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
