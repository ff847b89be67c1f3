"""kill -9 while SQLite group commits are in flight: every delivery acknowledged before the kill is in the store."""

import contextlib
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from orchestrator.database import GROUP_LIMIT
from tests.chaos.acknowledging_writer import CALLERS

ROOT = Path(__file__).resolve().parents[2]
ACKNOWLEDGED_BEFORE_KILL = 3_000


def test_kill_9_during_group_commits_loses_nothing_acknowledged(tmp_path):
    """In: a process with 64 concurrent callers storing deliveries in a SQLite store (so commits are shared), each
    printing its event's id once accept returned; killed with SIGKILL after 3,000 acknowledgements. Out: every id
    it printed is in the store when opened again (some stored ones may be unprinted: committed, not yet told)."""
    path = tmp_path / "store.sqlite3"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.chaos.acknowledging_writer", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    acknowledged = set()
    try:
        while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL and (line := writer.stdout.readline()):
            acknowledged.add(line.strip())
        writer.send_signal(signal.SIGKILL)
        acknowledged |= set(writer.stdout.read().split())  # printed before it died
    finally:
        writer.kill()
        writer.wait()
    assert writer.returncode == -signal.SIGKILL
    with contextlib.closing(sqlite3.connect(path)) as db:
        stored = {event_id for (event_id,) in db.execute("SELECT event_id FROM events")}
    print(
        f"{CALLERS} callers, groups of up to {GROUP_LIMIT}: {len(acknowledged)} acknowledged before the kill, "
        f"{len(stored)} stored, {len(stored - acknowledged)} stored but not yet acknowledged"
    )
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
    assert acknowledged - stored == set()
