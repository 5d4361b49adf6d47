#!/usr/bin/env bash
# Set up (first time) and start the program: ./run.sh [ARGS]  (no ARGS: the GUI)
set -euo pipefail
cd "$(dirname "$0")"
bash build/bootstrap.sh runtime
exec .venv/bin/python main.py "$@"
