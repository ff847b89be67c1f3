"""Chaos on real processes: the store locked, unreachable, out of disk, an orchestrator killed and restarted, and a
stall longer than the lease with two replicas. Customers write before, during and after each fault; every message
must be answered (or handed over) exactly once. Each test prints what went in and what came out.

Order is printed, not asserted: a delivery refused during a fault is sent again by Dimelo later, possibly after the
thread's next message, which the bridge then rightly answers first (it cannot know of the earlier one)."""

import contextlib
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from devstack.processes import Stack
from devstack.sandbox_client import SandboxClient
from tests.chaos.tcp_proxy import Proxy
from tests.e2e.load import send, tally
from tests.e2e.test_reliability import RELIABILITY_ENV
from tests.postgres import fresh_schema
from tests.support.eventually import eventually_sync
from tests.support.metrics import metric_total

# A short lease and store wait, so a fault outlasts both; warnings and errors only in the logs.
CHAOS_ENV = {**RELIABILITY_ENV, "LEASE_SECONDS": "5", "STORE_TIMEOUT_SECONDS": "2", "LOG_LEVEL": "WARNING"}
FAULT_SECONDS = 10.0


def sandbox_for(stack: Stack) -> SandboxClient:
    """The sandbox, re-sending refused deliveries soon and never disabling the endpoint. Its retry schedule (Dimelo's)
    at 1/250: retries 0.13, 1.1, 5.2, 17.7 and 46 s after a first refusal, so one refused as a fault begins comes
    after the fault (FAULT_SECONDS) at the fourth, with the fifth to spare within `tally`'s 60 s."""
    sandbox = SandboxClient(stack.sandbox_url)
    sandbox.set_delivery(disable_after_failures=0, time_scale=0.004)
    return sandbox


def writes_through(
    sandbox: SandboxClient,
    begin: Callable[[], None],
    end: Callable[[], None],
    label: str,
    seconds: float = FAULT_SECONDS,
    threads: int = 8,
) -> None:
    """Customers write (8 threads, 2 messages each) just before the fault, during it (`threads` threads) and after
    it; the fault lasts `seconds`. Prints the tally and asserts nothing is lost or duplicated."""
    started = time.monotonic()
    sent = send(sandbox, threads=8, per_thread=2)
    begin()
    fault_started = time.monotonic()
    try:
        sent |= send(sandbox, threads=threads, per_thread=2, pause=seconds / 2)
        time.sleep(max(0.0, seconds - (time.monotonic() - fault_started)))
    finally:
        end()
    sent |= send(sandbox, threads=8, per_thread=2)
    result = tally(sandbox, sent, started, timeout=60)
    print(result.line(label))
    assert result.lost == [] and result.duplicates == [], result
    assert result.answered == result.messages


@pytest.fixture(scope="module")
def sqlite_disk(tmp_path_factory):
    """Where the SQLite store lives: a 16 MiB tmpfs that the disk-full test fills (mounting needs root, as in CI);
    else a plain folder, and that test skips. Yields the folder and why it is not a tmpfs ("" when it is)."""
    disk = tmp_path_factory.mktemp("disk")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True)
    yield disk, mounted.stderr.decode().strip() if mounted.returncode else ""
    if mounted.returncode == 0:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.fixture(scope="module")
def sqlite_stack(tmp_path_factory, sqlite_disk):
    """One stack on SQLite for the tests below (each writes in threads of its own), with a 30 s lease."""
    disk, _ = sqlite_disk
    env = {**CHAOS_ENV, "LEASE_SECONDS": "30", "ORCHESTRATOR_DB_PATH": str(disk / "orchestrator.sqlite3")}
    with Stack(tmp_path_factory.mktemp("stack"), env=env) as stack:
        yield stack


def test_sqlite_store_locked_for_10_s(sqlite_stack, sqlite_disk):
    """In: another process holds the SQLite store's write lock for 10 s mid-run. Out: deliveries are refused (503)
    and re-sent meanwhile, the orchestrator keeps running, every message is answered once."""
    sandbox = sandbox_for(sqlite_stack)
    refused_before = refused(sandbox)
    locker = sqlite3.connect(sqlite_disk[0] / "orchestrator.sqlite3", isolation_level=None)
    writes_through(
        sandbox, lambda: locker.execute("BEGIN EXCLUSIVE"), lambda: locker.execute("COMMIT"), "sqlite locked 10 s"
    )
    locker.close()
    assert sqlite_stack.services["orchestrator"].process.poll() is None
    print(f"deliveries refused while locked: {refused(sandbox) - refused_before}")


def fill(disk: Path) -> None:
    """Writes a filler file until the disk is full (ENOSPC). Unbuffered: a buffered file would keep the bytes that
    did not fit and raise ENOSPC again when closed, outside the suppression (it did, once in a full run)."""
    with open(disk / "filler", "wb", buffering=0) as filler, contextlib.suppress(OSError):
        while True:
            filler.write(b"\0" * 65536)
    free = subprocess.run(["df", "--output=avail", str(disk)], capture_output=True, text=True).stdout.split()[-1]
    assert free == "0", f"the disk still has {free} KiB free"


def test_disk_full_for_5_s(sqlite_stack, sqlite_disk):
    """In: the disk holding the SQLite store fills up mid-run (a filler file on a 16 MiB tmpfs) and is freed 5 s
    later. Out: every message is answered once; the orchestrator stays up."""
    disk, not_mounted = sqlite_disk
    if not_mounted:
        pytest.skip(f"cannot mount a tmpfs to fill: {not_mounted}")
    sandbox = sandbox_for(sqlite_stack)
    refused_before = refused(sandbox)
    writes_through(sandbox, lambda: fill(disk), (disk / "filler").unlink, "disk full 5 s", seconds=5)
    assert sqlite_stack.services["orchestrator"].process.poll() is None
    logs = sqlite_stack.services["orchestrator"].log_path.read_text()
    print(
        f"deliveries refused while full: {refused(sandbox) - refused_before}; "
        f"orchestrator log lines naming the full disk: {logs.count('database or disk is full')}"
    )


def test_kill_9_and_immediate_restart_takes_the_threads_back_at_once(sqlite_stack, sqlite_disk):
    """In: a 30 s lease; the orchestrator killed (SIGKILL) while threads are in flight and restarted at once under
    the same replica id. Out: the threads it held are taken back without waiting for their leases (the figure is
    printed), and every message is answered once."""
    stack, database = sqlite_stack, sqlite_disk[0] / "orchestrator.sqlite3"
    sandbox = sandbox_for(stack)
    sandbox.set_faults({"POST /1.0/contents": {"latency_ms": 1500}})  # replies slow enough to be caught in flight
    started = time.monotonic()
    sent = send(sandbox, threads=30, per_thread=2)

    def leased() -> int:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            return db.execute("SELECT COUNT(*) FROM leases WHERE expires_at > ?", (time.time(),)).fetchone()[0]

    eventually_sync(leased, timeout=10, what="threads in flight")  # the kill must catch some
    stack.services["orchestrator"].kill()
    sandbox.set_faults({})
    held = leased()
    restarted = time.monotonic()
    stack.restart("orchestrator")
    result = tally(sandbox, sent, started, timeout=60)
    recovered_in = time.monotonic() - restarted
    print(result.line("kill -9, restart"))
    print(
        f"threads leased by the killed process: {held}; all answered {recovered_in:.1f} s after the kill, the"
        f" restart included (lease: 30 s)"
    )
    assert result.lost == [] and result.duplicates == [], result
    assert recovered_in < 30, "the restarted replica waited for its own leases"


def test_postgresql_unreachable_for_10_s(tmp_path):
    """In: the orchestrator reaches PostgreSQL through a TCP proxy, killed mid-run (every connection breaks) and
    started again 10 s later. Out: the store heals without a restart, every message is answered once."""
    with fresh_schema() as url:
        proxy = Proxy("127.0.0.1", 5432)
        proxy.start()
        proxied = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.listen_port}")
        try:
            with Stack(tmp_path, env={**CHAOS_ENV, "ORCHESTRATOR_DATABASE_URL": proxied}) as stack:
                sandbox = sandbox_for(stack)
                writes_through(sandbox, proxy.kill, proxy.start, "postgresql unreachable 10 s")
                assert stack.services["orchestrator"].process.poll() is None
                print(f"deliveries refused while unreachable: {refused(sandbox)}")
        finally:
            proxy.kill()


def test_two_replicas_on_postgresql_with_a_table_lock_longer_than_the_lease(tmp_path):
    """In: two replicas on PostgreSQL with a 5 s lease; the leases and journal tables locked for 8 s mid-run, so
    every lease expires behind the stall. Out: 0 duplicates (a replica whose thread was taken over stops at its
    next step), every message answered once."""
    with fresh_schema() as url:
        env = {**CHAOS_ENV, "ORCHESTRATOR_DATABASE_URL": url}
        with Stack(tmp_path, env=env, orchestrator_replicas=2) as stack:
            sandbox = sandbox_for(stack)
            locker = psycopg.connect(url, autocommit=True)
            holding = threading.Event()

            def lock_tables() -> None:
                locker.execute("BEGIN")
                locker.execute("LOCK TABLE leases, journal IN ACCESS EXCLUSIVE MODE")
                holding.set()

            writes_through(
                sandbox,
                lock_tables,
                lambda: locker.execute("COMMIT"),
                "2 replicas, tables locked 8 s > 5 s lease",
                seconds=8,
                threads=24,
            )
            locker.close()
            lost = sum(
                metric_total(stack.services[name].metrics_url, "botbridge_leases_lost_total")
                for name in ("orchestrator", "orchestrator-2")
            )
            print(f"events a replica stopped because it had lost their thread (leases lost): {lost:g}")
            assert holding.is_set()


def refused(sandbox: SandboxClient) -> int:
    """Deliveries the gateway did not take (Dimelo sends them again)."""
    return sum(1 for delivery in sandbox.deliveries() if delivery["outcome"] == "failed")
