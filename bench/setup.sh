#!/usr/bin/env bash
# The bench's own set-up, run by `python -m bench` when a tool is missing:
# - wrk, the HTTP load tool, from Debian's packages (as root, or through passwordless sudo);
# - with --profiler: py-spy, the sampling profiler, from PyPI into .venv/bench-tools (never into the project's venv).
# Nothing here is fatal: without wrk the bench uses its Python load generator and says so in its output.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
TOOLS_DIR=".venv/bench-tools"
PY_SPY_VERSION="0.4.3"

if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        SUDO="unavailable"
    fi
    if [ "$SUDO" != "unavailable" ] && command -v apt-get >/dev/null 2>&1; then
        echo "bench set-up: installing wrk from Debian's packages" >&2
        $SUDO apt-get update -qq >/dev/null \
            && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null \
            || echo "bench set-up: could not install wrk" >&2
    else
        echo "bench set-up: wrk is missing and cannot be installed here (needs root or sudo, and apt-get)" >&2
    fi
fi

if [ "${1:-}" = "--profiler" ] && [ ! -x "$TOOLS_DIR/bin/py-spy" ]; then
    echo "bench set-up: installing py-spy $PY_SPY_VERSION into $TOOLS_DIR" >&2
    "$PYTHON" -m pip install --quiet --disable-pip-version-check --target "$TOOLS_DIR" "py-spy==$PY_SPY_VERSION" \
        || echo "bench set-up: could not install py-spy" >&2
fi
exit 0
