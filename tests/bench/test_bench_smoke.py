"""The benchmark's smoke run: `python -m bench --smoke` runs the whole bench at tiny sizes, so it never rots.

Only that it runs and prints every row is checked, never a speed: figures come from the bench, not from tests."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMOKE_TIMEOUT_SECONDS = 240  # 91 s measured beside other sessions' test suites (load average 10-30)

EXPECTED_LINES = (
    "1. Webhook acknowledgement",
    "c=1   bare FastAPI (parse, 200)",
    "c=1   FastAPI + 1 grpc.aio call",
    "c=1   gateway (durable intake)",
    "c=64  bare FastAPI (parse, 200)",
    "c=64  FastAPI + 1 grpc.aio call",
    "c=64  gateway (durable intake)",
    "2. End to end",
    "throughput, window 0:",
    "throughput, window 0.3 s (default):",
    "burst (all written at once), window 0.3 s:",
    "added latency at 50 msg/s, window 0",
    "added latency at 50 msg/s, window 0.3 s (default)",
    "AI answer time, direct calls",
    "3. Footprint",
    "gateway ",
    "orchestrator ",
    "dimelo_adapter ",
    "ai_service ",
    "dimelo_sandbox (Dimelo's stand-in)",
    "4. Growth",
    "fill: ",
    "the same 12 msgs",
    "5. Plain text for every mixture",
    "every answer: met",
    "6. Dimelo REST calls",
    "per first answer",
    "per follow-up answer",
    "per handover",
    "burst at once, budget 500/min",
    "7. Two orchestrator replicas on PostgreSQL",
    "1 replica: 8 msgs on 4 threads",
    "2 replicas: 8 msgs on 4 threads",
    "want ≥ ×1.6, once and in order",
    "floor from the CPU each message took",
    "8. The frameworks' floor",
    "gRPC unary call (grpc.aio), client",
    "gRPC unary call (grpc.aio), server",
    "webhook request into FastAPI (uvicorn), server",
    "request out through httpx (the adapter's network layer), client",
    "per answered follow-up (4 × gRPC client, 4 × gRPC server, 2 × into FastAPI, 1 × out through httpx), ms",
)


@pytest.mark.e2e
def test_the_smoke_run_prints_every_row(tmp_path):
    # In: `python -m bench --smoke` on this machine (wrk when installed, else the Python load generator).
    # Out: exit code 0 and a table with every section and row of the full run, each row with its figures.
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--workdir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SMOKE_TIMEOUT_SECONDS,
        check=False,
    )

    assert run.returncode == 0, run.stderr[-3000:]
    missing = [line for line in EXPECTED_LINES if line not in run.stdout]
    assert not missing, f"rows missing from the table: {missing}\n{run.stdout}"
    assert not re.search(r"\bnan\b", run.stdout), run.stdout  # a figure computed from nothing
    assert "unanswered" not in run.stdout, run.stdout
