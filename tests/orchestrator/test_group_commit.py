"""SQLite's group commit (Database.write) on real store files: writes queued together share one commit, a failing
write is undone alone, and a failing BEGIN or COMMIT fails every write of the group with the store's own error.

Each test holds the store thread with a gate (a `run` that waits) while it queues its writes, so that they are
queued together whatever the machine's speed, then opens the gate."""

import asyncio
import contextlib
import sqlite3
import subprocess
import threading
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path

import pytest

from orchestrator.database import GROUP_LIMIT, Database, store_unwell
from orchestrator.metrics import STORE_GROUP_COMMIT_WRITES
from orchestrator.store import Store
from orchestrator.store.intake_queue import due_at_once
from tests.orchestrator.conftest import customer_message


def commits_and_writes() -> tuple[float, float]:
    """The histogram's commit count (_count) and write count (_sum) so far."""
    samples = {s.name: s.value for metric in STORE_GROUP_COMMIT_WRITES.collect() for s in metric.samples}
    return samples["botbridge_store_group_commit_writes_count"], samples["botbridge_store_group_commit_writes_sum"]


@contextlib.asynccontextmanager
async def store_at(path: Path, timeout: float = 5.0) -> AsyncIterator[Store]:
    store = await Store.open(await Database.open(path, timeout=timeout), lease_seconds=30, replica="r1")
    try:
        yield store
    finally:
        await store.close()


async def queued_together(store: Store, *writes: Awaitable) -> list:
    """Starts `writes` while the store thread waits at a gate, opens it once all are queued; returns each one's
    result or exception, in order."""
    gate, held = threading.Event(), threading.Event()

    def wait_at_gate() -> None:
        held.set()
        gate.wait(10)

    blocker = asyncio.ensure_future(store._db.run(wait_at_gate))
    await asyncio.to_thread(held.wait, 10)
    tasks = [asyncio.ensure_future(write) for write in writes]
    for _ in range(3):
        await asyncio.sleep(0)  # each task runs up to its wait for the commit: it is queued
    gate.set()
    await blocker
    return await asyncio.gather(*tasks, return_exceptions=True)


def stored_ids(path: Path) -> set[str]:
    """The event ids in the store file, read by a connection of its own."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        return {event_id for (event_id,) in db.execute("SELECT event_id FROM events")}


async def accept(store: Store, event) -> list[bool]:
    """Whether the event is new, stored through the group commit."""
    return [is_new for _, is_new in await store.accept([event], f"delivery-{event.id}", due_at_once)]


async def test_concurrent_deliveries_share_one_commit_up_to_the_limit(tmp_path):
    """In: GROUP_LIMIT + 1 deliveries queued while the store is busy. Out: each returns [True] (stored), two commits
    for all of them (GROUP_LIMIT writes, then 1), and every event is in the file."""
    path = tmp_path / "store.sqlite3"
    events = [customer_message(thread_id=f"thread-{n}") for n in range(GROUP_LIMIT + 1)]
    async with store_at(path) as store:
        commits, writes = commits_and_writes()
        results = await queued_together(store, *(accept(store, event) for event in events))
        after_commits, after_writes = commits_and_writes()
    assert results == [[True]] * len(events)
    assert (after_commits - commits, after_writes - writes) == (2, GROUP_LIMIT + 1)
    assert stored_ids(path) == {event.id for event in events}


async def test_a_lone_write_commits_at_once(tmp_path):
    """In: one delivery, nothing else queued. Out: it is committed alone (one commit of one write) and in the file
    when accept returns."""
    path = tmp_path / "store.sqlite3"
    event = customer_message()
    async with store_at(path) as store:
        commits, writes = commits_and_writes()
        assert await accept(store, event) == [True]
        assert stored_ids(path) == {event.id}
        after = commits_and_writes()
    assert (after[0] - commits, after[1] - writes) == (1, 1)


async def test_a_failing_write_is_undone_alone_and_the_others_commit(tmp_path):
    """In: three writes queued together; the middle one inserts an event row, then raises ValueError. Out: its
    caller gets that ValueError and its row is not kept; the two deliveries around it are stored, in one commit."""
    path = tmp_path / "store.sqlite3"
    first, second = customer_message(), customer_message()
    async with store_at(path) as store:
        db = store._db

        def half_done() -> None:
            db.execute(
                "INSERT INTO events (event_id, delivery_id, type, thread_id, content_id, issued_at, received_at,"
                " event, state) VALUES ('undone', 'd', 't', 'th', 'c', 0, 0, x'', 'pending')"
            )
            raise ValueError("refused after its insert")

        commits, _ = commits_and_writes()
        results = await queued_together(store, accept(store, first), db.write(half_done), accept(store, second))
        assert commits_and_writes()[0] - commits == 1
    assert results[0] == [True] and results[2] == [True]
    assert isinstance(results[1], ValueError) and str(results[1]) == "refused after its insert"
    assert stored_ids(path) == {first.id, second.id}


async def test_a_locked_store_fails_every_write_of_the_group_with_the_lock_error(tmp_path):
    """In: another connection holds the store's write lock while three deliveries are queued together (the store
    waits 0.2 s for a lock). Out: each caller gets its own sqlite3.OperationalError "database is locked", which
    store_unwell recognises (the intake answers UNAVAILABLE); nothing is stored; once freed, a write succeeds."""
    path = tmp_path / "store.sqlite3"
    events = [customer_message() for _ in range(3)]
    async with store_at(path, timeout=0.2) as store:
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        try:
            results = await queued_together(store, *(accept(store, event) for event in events))
        finally:
            locker.execute("COMMIT")
            locker.close()
        assert await accept(store, customer_message()) == [True]
    assert all(isinstance(r, sqlite3.OperationalError) and str(r) == "database is locked" for r in results), results
    assert len({id(r) for r in results}) == 3 and all(store_unwell(r) for r in results)
    assert not stored_ids(path) & {event.id for event in events}


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs to fill (mounting needs root, as in CI); the test skips where it cannot be mounted."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs to fill: {mounted.stderr.decode().strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Writes a filler file until the disk is full; returns it."""
    filler = disk / "filler"
    with contextlib.suppress(OSError), open(filler, "wb") as out:
        while True:
            out.write(b"\0" * 4096)
            out.flush()
    return filler


async def test_a_commit_that_fails_on_a_full_disk_fails_every_write_and_keeps_none(small_disk):
    """In: the disk holding the store fills up; eight deliveries are queued together (their rows fit in memory,
    the commit cannot write the log). Out: each caller gets sqlite3.OperationalError "database or disk is full"
    (store_unwell: the delivery fails and Dimelo sends it again); once the disk is freed, none of the eight is in
    the file, and the same store takes a delivery again."""
    path = small_disk / "store.sqlite3"
    events = [customer_message() for _ in range(8)]
    async with store_at(path) as store:
        filler = fill(small_disk)
        try:
            results = await queued_together(store, *(accept(store, event) for event in events))
        finally:
            filler.unlink()
        assert await accept(store, customer_message()) == [True]
    assert all(isinstance(r, sqlite3.OperationalError) and "disk is full" in str(r) for r in results), results
    assert all(store_unwell(r) for r in results)
    assert not stored_ids(path) & {event.id for event in events}


async def test_a_write_that_rolls_the_whole_group_back_fails_the_earlier_ones_and_the_later_ones_go_on(small_disk):
    """In: a full disk; three writes queued together: a delivery, a 3 MB row that overflows SQLite's page cache
    (SQLite must write it out mid-transaction, cannot, and rolls the whole transaction back), and a write that first
    frees the disk, then keeps a row. Out: the delivery's caller gets the full-disk error and its event is not in
    the file (the rollback took it); the big row fails alike; the third write runs in a group of its own after the
    rollback and is kept."""
    path = small_disk / "store.sqlite3"
    event = customer_message()
    async with store_at(path) as store:
        db = store._db
        filler = fill(small_disk)

        def overflow() -> None:
            db.execute(
                "INSERT INTO quarantine (id, body, reason, received_at) VALUES ('big', zeroblob(3000000), '', 0)"
            )

        def free_then_keep() -> None:
            filler.unlink()
            db.execute("INSERT INTO quarantine (id, body, reason, received_at) VALUES ('kept', x'', '', 0)")

        results = await queued_together(store, accept(store, event), db.write(overflow), db.write(free_then_keep))
    assert [type(r) for r in results[:2]] == [sqlite3.OperationalError] * 2 and results[2] is None, results
    assert all("disk is full" in str(r) for r in results[:2])
    assert not stored_ids(path)
    with contextlib.closing(sqlite3.connect(path)) as kept:
        assert kept.execute("SELECT id FROM quarantine").fetchall() == [("kept",)]
