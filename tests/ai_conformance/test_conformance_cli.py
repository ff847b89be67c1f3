"""`python -m ai_conformance`: the report it prints and its exit code, against real servers."""

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from broken_ai_servers import Breakage, broken_ai

from ai_conformance.cli import main
from ai_conformance.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "minimal_ai" / "server.py"
LISTENING = re.compile(r"listening on \S+ \(port (\d+)\)")
START_LINES = 50
TIMEOUT_SECONDS = 30


@pytest.fixture
def example_process() -> Iterator[tuple[subprocess.Popen, int]]:
    """`python examples/minimal_ai/server.py` on a free port, as another team would run it; yields it and its port."""
    process = subprocess.Popen(
        [sys.executable, str(EXAMPLE)],
        env={**os.environ, "AI_LISTEN_ADDR": "127.0.0.1:0"},
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        yield process, _port_from_log(process)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(TIMEOUT_SECONDS)
        process.stderr.close()


def _port_from_log(process: subprocess.Popen) -> int:
    for _ in range(START_LINES):
        line = process.stderr.readline()
        if not line:
            break
        if found := LISTENING.search(line):
            return int(found.group(1))
    raise RuntimeError(f"the example did not say where it listens (exit code {process.poll()})")


def test_the_example_run_as_a_process_passes_and_stops_gracefully(example_process):
    # In: the kit's command against `python examples/minimal_ai/server.py`, then SIGTERM to the server.
    # Out: exit code 0, one PASS line per rule and a "conforms" summary; the server stops by itself with code 0.
    process, port = example_process
    kit = subprocess.run(
        [sys.executable, "-m", "ai_conformance", f"127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=TIMEOUT_SECONDS,
    )

    assert kit.returncode == 0, kit.stdout + kit.stderr
    lines = kit.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [["PASS", rule.__name__] for rule in RULES]
    assert lines[-1] == f"127.0.0.1:{port} conforms to botbridge.ai.v1 ({len(RULES)} PASS, 0 WARN, 0 FAIL)"

    process.send_signal(signal.SIGTERM)
    assert process.wait(TIMEOUT_SECONDS) == 0
    assert "stopped" in process.stderr.read()


async def test_a_failing_rule_gives_exit_code_1_and_a_line_naming_it(capsys):
    # In: the command against an AI without a health service. Out: exit code 1; a FAIL line for `health` followed
    # by what the contract demands; every other rule PASS; a "does NOT conform" summary.
    async with broken_ai(Breakage.NO_HEALTH) as address:
        code = await asyncio.to_thread(main, [address])

    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[0].startswith("FAIL  health ")
    assert "UNIMPLEMENTED" in lines[0]
    assert lines[1].split()[:2] == ["contract:", "MUST"]
    assert [line.split()[0] for line in lines[2:-1]] == ["PASS"] * (len(RULES) - 1)
    assert lines[-1] == f"{address} does NOT conform to botbridge.ai.v1 ({len(RULES) - 1} PASS, 0 WARN, 1 FAIL)"


async def test_json_report(capsys):
    # In: --json against an AI that answers customers asking for a human. Out: exit code 1 and a JSON document:
    # conforms false, every rule with status, demand and detail; customer_request FAIL.
    async with broken_ai(Breakage.KEEPS_HUMAN_REQUESTS) as address:
        code = await asyncio.to_thread(main, [address, "--json", "--deadline", "1.5", "--concurrency", "4"])

    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["address"] == address
    assert report["conforms"] is False
    statuses = {rule["rule"]: rule["status"] for rule in report["rules"]}
    assert statuses == {rule.__name__: "FAIL" if rule.__name__ == "customer_request" else "PASS" for rule in RULES}
    failed = next(rule for rule in report["rules"] if rule["rule"] == "customer_request")
    assert failed["demand"].startswith("MUST hand over when the customer asks for a human")
    assert "I can help you myself" in failed["detail"]
    concurrency = next(rule for rule in report["rules"] if rule["rule"] == "concurrency")
    assert concurrency["detail"].startswith("4 simultaneous calls")


def test_nothing_listening_gives_one_reachable_failure(capsys):
    # In: an address where a port is bound but nothing listens. Out: exit code 1 and a single FAIL "reachable".
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{bound.getsockname()[1]}"
        code = main([address, "--deadline", "1"])

    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[0].startswith(f"FAIL  reachable  no gRPC server answers at {address}: UNAVAILABLE")
    assert lines[-1] == f"{address} does NOT conform to botbridge.ai.v1 (0 PASS, 0 WARN, 1 FAIL)"


@pytest.mark.parametrize("arguments", [["localhost:1", "--deadline", "0"], ["localhost:1", "--concurrency", "-2"], []])
def test_usage_errors_exit_with_code_2(arguments, capsys):
    # In: a zero deadline, a negative concurrency, no address. Out: argparse's usage error, exit code 2.
    with pytest.raises(SystemExit) as exited:
        main(arguments)

    assert exited.value.code == 2
    assert "usage: python -m ai_conformance" in capsys.readouterr().err
