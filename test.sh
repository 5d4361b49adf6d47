#!/usr/bin/env bash
# Set up (first time) and run the whole test suite offscreen: ./test.sh [PYTEST ARGS]
set -euo pipefail
cd "$(dirname "$0")"
bash build/bootstrap.sh dev
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
