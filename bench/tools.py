"""The bench's tools: wrk for HTTP load, py-spy for profiles; installed by setup.sh when missing."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SETUP_SCRIPT = Path(__file__).with_name("setup.sh")
PY_SPY = REPO / ".venv" / "bench-tools" / "bin" / "py-spy"
SETUP_TIMEOUT_SECONDS = 300


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk_version() -> str:
    """E.g. "wrk debian/4.1.0-3+b2"."""
    answer = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10, check=False)
    words = (answer.stdout or answer.stderr).split()
    return " ".join(words[:2]) if words else "wrk"


def install_missing(profiler: bool) -> None:
    """Runs the bench's set-up script when wrk (or, for profiles, py-spy) is missing; it never fails the bench."""
    if wrk_available() and (PY_SPY.exists() or not profiler):
        return
    arguments = ["--profiler"] if profiler else []
    subprocess.run(
        ["bash", str(SETUP_SCRIPT), *arguments],
        env={**os.environ, "PYTHON": sys.executable},
        timeout=SETUP_TIMEOUT_SECONDS,
        check=False,
    )
