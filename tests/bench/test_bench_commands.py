"""The bench's commands apart from the table (bench/README.md): each runs and prints its rows, at tiny sizes.

Only that they run and print every row is checked, never a speed: figures come from the bench, not from tests."""

import subprocess
import sys
from pathlib import Path

import pytest

from bench.framework_floor import ROWS

ROOT = Path(__file__).resolve().parents[2]


def run(*arguments: str) -> str:
    done = subprocess.run([sys.executable, "-m", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_store_commits_prints_a_row_per_concurrency():
    # In: `python -m bench.store_commits --seconds 0.2`. Out: exit 0, a row for c=1, 8 and 64, each with four
    # figures (deliveries/s, p50, p99, fsyncs per delivery, the last "n/a" where strace cannot count).
    output = run("bench.store_commits", "--seconds", "0.2")
    for callers in (1, 8, 64):
        [row] = [line for line in output.splitlines() if line.strip().startswith(f"c={callers} ")]
        assert len(row.split()) == 5, row


@pytest.mark.e2e
def test_acknowledgement_alone_prints_section_1():
    # In: `python -m bench.acknowledgement_alone --smoke`. Out: exit 0 and section 1's six rows (three targets at
    # c=1 and at c=64), the gateway's with its verdict.
    output = run("bench.acknowledgement_alone", "--smoke")
    assert "1. Webhook acknowledgement" in output
    for callers in ("c=1 ", "c=64"):
        rows = [line for line in output.splitlines() if line.strip().startswith(callers)]
        assert len(rows) == 3 and "of FastAPI+gRPC" in rows[-1], output


@pytest.mark.e2e
def test_processing_cpu_prints_both_patterns():
    # In: `python -m bench.processing_cpu --smoke`. Out: exit 0 and a row for follow-ups one at a time and one for
    # waves, each with its messages, rate and the CPU of the four services and of all of them (7 figures).
    output = run("bench.processing_cpu", "--smoke")
    for label in ("one at a time", "waves of "):
        [row] = [line for line in output.splitlines() if line.startswith(label)]
        assert len(row[16:].split()) == 7, row


@pytest.mark.e2e
def test_framework_floor_prints_each_kind_of_call_and_the_sum():
    # In: `python -m bench.framework_floor --smoke`. Out: exit 0, section 8's four kinds of call (gRPC's client and
    # server, into FastAPI, out through httpx) and the floor per answered follow-up, each with a figure at c=1 and 8.
    output = run("bench.framework_floor", "--smoke")
    assert "8. The frameworks' floor" in output
    for label in [label for _, label in ROWS.values()] + ["per answered follow-up"]:
        [row] = [line for line in output.splitlines() if line.strip().startswith(label)]
        figures = row.split(", ms")[1].split()[:2] if "follow-up" in row else row.split()[-2:]
        assert len(figures) == 2 and all(float(f.replace(",", "")) >= 0 for f in figures), row
