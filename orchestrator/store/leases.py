"""Thread leases on the database's clock, fenced by their generation: what every part of the store that writes
under a lease builds on.

A replica processes a thread's events only while it holds the thread's lease, renews it while working, and a lease
left by a replica that died expires, so another replica takes the thread over. Each claim of a thread raises the
lease's generation (a fencing token): every step a replica records while processing checks, in the same commit,
that it still holds that generation, so a replica that stalled past its lease is stopped before it acts twice.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple
from typing import TypeVar

from orchestrator.database import Database
from orchestrator.store.records import Lease, LeaseLost, Write

T = TypeVar("T")
# The PostgreSQL channel told of new pending events, in the commit that stores them.
NEW_EVENTS_CHANNEL = "botbridge_events"


class Leases:
    """The store's connection to its database and this replica's leases; `replica` names this process in them."""

    def __init__(self, db: Database, lease_seconds: float, replica: str) -> None:
        self._db = db
        self._lease_seconds = lease_seconds
        self.replica = replica

    async def renew_leases(self, leases: Iterable[Lease]) -> None:
        """Extends the leases this replica still holds (a lease another replica claimed since stays theirs)."""
        held = list(leases)
        if not held:
            return
        pairs = ",".join("(?, ?)" for _ in held)
        await self._db.write(
            lambda: self._db.execute(
                f"UPDATE leases SET expires_at = {{now}} + ? WHERE owner = ? AND (thread_id, generation) IN ({pairs})",
                (self._lease_seconds, self.replica, *(v for held_lease in held for v in astuple(held_lease))),
            )
        )

    async def commit(self, lease: Lease, writes: Sequence[Write] = ()) -> None:
        """Runs `writes` in order in one commit with the check that this replica still holds `lease` (which extends
        it); raises LeaseLost, and keeps none of them, when it no longer does. Right before an external effect, with
        or without writes, it is the proof that this replica may act."""
        await self._db.write(lambda: self._fenced(lease, lambda: [write() for write in writes]))

    async def release(self, lease: Lease) -> None:
        await self._db.write(lambda: self._release_now(lease))

    def _fenced(self, lease: Lease, write: Callable[[], T]) -> T:
        """Runs `write` in one commit with the check that this replica still holds `lease` (which extends it)."""
        with self._db.transaction():
            held = self._db.execute(
                "UPDATE leases SET expires_at = {now} + ? WHERE thread_id = ? AND owner = ? AND generation = ?",
                (self._lease_seconds, lease.thread_id, self.replica, lease.generation),
            ).rowcount
            if held != 1:
                raise LeaseLost(f"thread {lease.thread_id}: lease generation {lease.generation} is no longer held")
            return write()

    def _release_now(self, lease: Lease) -> None:
        """Ends the lease now; the row stays, so the thread's next claim gets a higher generation."""
        self._db.execute(
            "UPDATE leases SET expires_at = 0 WHERE thread_id = ? AND owner = ? AND generation = ?",
            (lease.thread_id, self.replica, lease.generation),
        )

    def _queue_threads(self, thread_ids: Iterable[str]) -> None:
        """Gives each thread a lease row (free) unless it has one: the row the claim locks for the thread. In one
        statement, in a set order (two intakes of the same new threads never wait on each other in a circle)."""
        threads = sorted(set(thread_ids))
        if threads:
            self._db.execute(
                "INSERT INTO leases (thread_id, owner, expires_at, generation) VALUES "
                + ",".join(["(?, '', 0, 0)"] * len(threads))
                + " ON CONFLICT (thread_id) DO NOTHING",
                tuple(threads),
            )

    def _queue_orphans(self) -> int:
        """Gives a lease row to each thread with a pending event and none (retention may delete an idle thread's row
        while an intake, not yet committed, adds an event to it); returns how many it gave. PostgreSQL claims only
        threads with a row."""
        return int(
            self._db.execute(
                "INSERT INTO leases (thread_id, owner, expires_at, generation) SELECT DISTINCT e.thread_id, '', 0, 0"
                " FROM events e WHERE e.state = 'pending'"
                " AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.thread_id = e.thread_id)"
                " ON CONFLICT (thread_id) DO NOTHING"
            ).rowcount
        )

    def _notify_new_events(self) -> None:
        """Tells the replicas listening that pending events were stored (delivered once this transaction commits)."""
        if self._db.postgres:
            self._db.execute(f"NOTIFY {NEW_EVENTS_CHANNEL}")
