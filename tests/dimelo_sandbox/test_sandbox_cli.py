"""Start-up options (flags over SANDBOX_* variables) and `python -m dimelo_sandbox` as a process."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from dimelo_sandbox.cli import parse_command_line
from dimelo_sandbox.config import PERMISSIONS, parse_token

ROOT = Path(__file__).resolve().parents[2]


def test_token_permissions_syntax():
    """TOKEN -> all permissions; TOKEN:read+reply -> those two; TOKEN: -> none; an unknown name -> ValueError."""
    assert parse_token("abc").permissions == PERMISSIONS
    assert parse_token("abc:read+reply").permissions == {"read", "reply"}
    assert parse_token("abc:").permissions == frozenset()
    with pytest.raises(ValueError, match="unknown permission"):
        parse_token("abc:fly")


def test_flags_override_the_environment(monkeypatch):
    """SANDBOX_RATE_LIMIT=10 and --rate-limit 20 -> 20; SANDBOX_TOKENS is used when no --token is given."""
    monkeypatch.setenv("SANDBOX_RATE_LIMIT", "10")
    monkeypatch.setenv("SANDBOX_TOKENS", "a:read,b")
    config = parse_command_line(["--rate-limit", "20", "--port", "0"])
    assert config.rate_limit == 20 and config.port == 0
    assert [t.token for t in config.token_specs()] == ["a", "b"]
    config = parse_command_line(["--token", "x:monitor", "--token", "y"])
    assert [(t.token, t.permissions) for t in config.token_specs()] == [("x", {"monitor"}), ("y", PERMISSIONS)]


def test_bad_values_exit_with_usage_without_echoing_tokens(capsys):
    """--time-scale 0 or an unknown permission -> exit code 2 with a message that does not repeat the token."""
    for argv in (["--time-scale", "0"], ["--token", "supersecret:fly"]):
        with pytest.raises(SystemExit) as stop:
            parse_command_line(argv)
        assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "unknown permission" in err and "supersecret" not in err


def test_module_prints_ready_line_serves_and_stops_on_sigterm():
    """`python -m dimelo_sandbox --port 0` -> stdout line "SANDBOX_READY http://127.0.0.1:<port>"; SIGTERM -> exit 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "dimelo_sandbox", "--port", "0", "--token", "secret-token-value"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("SANDBOX_READY http://127.0.0.1:")
        url = line.split(" ", 1)[1]
        answer = httpx.get(f"{url}/1.0/channels", params={"access_token": "secret-token-value"})
        assert answer.status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "secret-token-value" not in stderr
