"""The plain-text property tests (tests/orchestrator/test_formatting_properties.py) at the bench's larger budget."""

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.report import Section, number, verdict

ROOT = Path(__file__).resolve().parents[1]
TEST = "tests/orchestrator/test_formatting_properties.py"


def measure(examples: int) -> Section:
    """Runs the property test with `examples` generated answers (same fixed seed as `make test`, more of them)."""
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", TEST],
        cwd=ROOT,
        env={**os.environ, "FORMATTING_EXAMPLES": str(examples)},
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    section = Section(
        "5. Plain text for every mixture: generated Markdown/HTML answers through orchestrator/formatting.py",
        ["answers", "seconds"],
    )
    passed = run.returncode == 0
    section.add(
        "no markup reaches Dimelo; words, line breaks and link targets kept",
        number(examples),
        number(seconds, 1),
        target=verdict(passed, "every answer"),
    )
    if not passed:
        section.notes.extend(run.stdout.strip().splitlines()[-15:])
    return section
