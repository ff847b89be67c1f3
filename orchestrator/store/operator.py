"""What operators ask of the store and do to it: quarantined bodies, the queue's state, dead letters and their
replay, write probes for readiness, and retention."""

import time
import uuid
from collections.abc import Sequence

from botbridge.events.v1 import events_pb2
from orchestrator.store.leases import Leases
from orchestrator.store.records import EventRecord, StoreStats


class Operator(Leases):
    """Quarantine, queries for /admin and /metrics, replay and retention."""

    async def quarantine(self, items: Sequence[tuple[bytes, str]]) -> list[str]:
        """Keeps bodies aside with the reason (text without NUL), in one commit; returns their ids, in order."""
        now, kept = time.time(), [(uuid.uuid4().hex, body, reason) for body, reason in items]

        def write() -> None:
            with self._db.transaction():
                for quarantine_id, body, reason in kept:
                    self._db.execute(
                        "INSERT INTO quarantine (id, body, reason, received_at) VALUES (?, ?, ?, ?)",
                        (quarantine_id, body, reason, now),
                    )

        await self._db.write(write)
        return [quarantine_id for quarantine_id, _, _ in kept]

    async def quarantined_item(self, quarantine_id: str) -> tuple[str, float, bytes] | None:
        """A quarantined body's reason, time received and body; None when there is no such item."""
        row = await self._db.run(
            lambda: self._db.execute(
                "SELECT reason, received_at, body FROM quarantine WHERE id = ?", (quarantine_id,)
            ).fetchone()
        )
        return (row[0], row[1], bytes(row[2])) if row else None

    async def drop_quarantined(self, quarantine_id: str) -> None:
        """Forgets a quarantined body (once replayed)."""
        await self._db.run(lambda: self._db.execute("DELETE FROM quarantine WHERE id = ?", (quarantine_id,)))

    async def quarantined(self, limit: int = 100) -> list[tuple[str, str, float, bytes]]:
        """The latest quarantined bodies: id, reason, time received, body."""
        return await self._db.run(
            lambda: self._db.execute(
                "SELECT id, reason, received_at, body FROM quarantine ORDER BY received_at DESC LIMIT ?", (limit,)
            ).fetchall()
        )

    async def probe_write(self) -> None:
        """A real write, committed: fails when the store cannot take writes (unreachable, locked, disk full)."""
        await self._db.write(
            lambda: self._db.execute(
                "INSERT INTO write_probes (replica, at) VALUES (?, {now})"
                " ON CONFLICT (replica) DO UPDATE SET at = excluded.at",
                (self.replica,),
            )
        )

    async def thread_events(self, thread_id: str) -> list[EventRecord]:
        """Every event of a thread, in processing order, with its state and outcome."""

        def read() -> list[EventRecord]:
            rows = self._db.execute(
                "SELECT event_id, type, state, outcome, attempts, content_id, issued_at, received_at, finished_at"
                " FROM events WHERE thread_id = ? ORDER BY issued_at, seq",
                (thread_id,),
            ).fetchall()
            return [EventRecord(*row) for row in rows]

        return await self._db.run(read)

    async def stats(self) -> StoreStats:
        """The queue's state, in one round trip of cheap counts (the pending and dead ones use the state index)."""

        def read() -> StoreStats:
            row = self._db.execute(
                "SELECT (SELECT COUNT(*) FROM events WHERE state = 'pending'),"
                " (SELECT MIN(received_at) FROM events WHERE state = 'pending'),"
                " (SELECT COUNT(*) FROM events WHERE state = 'dead'),"
                " (SELECT COUNT(*) FROM quarantine)"
            ).fetchone()
            return StoreStats(*row)

        return await self._db.run(read)

    async def event_records(self, state: str, limit: int = 100) -> list[tuple[EventRecord, str]]:
        """The latest events in `state`, each with its thread id."""

        def read() -> list[tuple[EventRecord, str]]:
            rows = self._db.execute(
                "SELECT event_id, type, state, outcome, attempts, thread_id FROM events WHERE state = ?"
                " ORDER BY seq DESC LIMIT ?",
                (state, limit),
            ).fetchall()
            return [(EventRecord(*row[:5]), row[5]) for row in rows]

        return await self._db.run(read)

    async def stored_event(self, event_id: str) -> events_pb2.Event | None:
        row = await self._db.run(
            lambda: self._db.execute("SELECT event FROM events WHERE event_id = ?", (event_id,)).fetchone()
        )
        return events_pb2.Event.FromString(bytes(row[0])) if row else None

    async def replay(self, event_id: str) -> bool:
        """Puts a dead letter back in the queue, as new (its thread queued, the replicas told), in one commit;
        False when there is no such dead letter."""

        def write() -> bool:
            with self._db.transaction():
                row = self._db.execute(
                    "UPDATE events SET state = 'pending', attempts = 0, next_attempt_at = 0, outcome = 'replayed'"
                    " WHERE event_id = ? AND state = 'dead' RETURNING thread_id",
                    (event_id,),
                ).fetchone()
                if row is None:
                    return False
                self._queue_threads(row)
                self._notify_new_events()
                return True

        return await self._db.run(write)

    async def forget_older_than(self, seconds: float, batch: int = 1000) -> dict[str, int]:
        """Deletes what is older than `seconds`: handled events (done; dead letters stay until replayed), the
        journal and history of contents no longer pending, quarantined bodies, ended leases of threads with nothing
        pending and the write probes of replicas long gone. Deletes in batches of `batch` rows, each its own
        commit, so a large clean-up never holds the store for long. Returns the count deleted per table."""
        statements = {
            "events": "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE state = 'done'"
            " AND finished_at < {now} - ? LIMIT ?)",
            "journal": "DELETE FROM journal WHERE (content_id, step) IN (SELECT content_id, step FROM journal j"
            " WHERE at < {now} - ? AND NOT EXISTS (SELECT 1 FROM events e WHERE e.content_id = j.content_id"
            " AND e.state = 'pending') LIMIT ?)",
            "messages": "DELETE FROM messages WHERE content_id IN (SELECT content_id FROM messages"
            " WHERE position < ({now} - ?) * 1e9 LIMIT ?)",
            "quarantine": "DELETE FROM quarantine WHERE id IN (SELECT id FROM quarantine WHERE received_at < {now} - ?"
            " LIMIT ?)",
            "leases": "DELETE FROM leases WHERE thread_id IN (SELECT thread_id FROM leases l"
            " WHERE expires_at < {now} - ? AND NOT EXISTS (SELECT 1 FROM events e WHERE e.thread_id = l.thread_id"
            " AND e.state = 'pending') LIMIT ?)",
            "write_probes": "DELETE FROM write_probes WHERE replica IN (SELECT replica FROM write_probes"
            " WHERE at < {now} - ? LIMIT ?)",
        }
        deleted = {}
        for table, sql in statements.items():
            deleted[table] = 0

            def delete_batch(sql: str = sql) -> int:
                return int(self._db.execute(sql, (seconds, batch)).rowcount)

            while True:
                count = await self._db.run(delete_batch)
                deleted[table] += count
                if count < batch:
                    break
        return deleted
