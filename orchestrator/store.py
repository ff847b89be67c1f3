"""The durable store: events taken in, their processing state and step journal, each thread's state.

Threads are leased: a replica processes a thread's events only while it holds the thread's lease, renews it while
working, and a lease left by a replica that died expires, so another replica takes the thread over. Lease times
are the database's clock. Each claim of a thread raises the lease's generation (a fencing token): every step a
replica records while processing checks, in the same commit, that it still holds that generation, so a replica
that stalled past its lease is stopped before it acts twice.
"""

import json
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import astuple, dataclass
from typing import Any, TypeVar

from botbridge.events.v1 import events_pb2
from orchestrator.database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq {serial},
    event_id TEXT NOT NULL UNIQUE,
    delivery_id TEXT NOT NULL,
    type TEXT NOT NULL,
    thread_id TEXT NOT NULL,
    content_id TEXT NOT NULL,
    issued_at {real} NOT NULL,
    received_at {real} NOT NULL,
    event {blob} NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {real} NOT NULL DEFAULT 0,
    finished_at {real} NOT NULL DEFAULT 0,
    traceparent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_pending ON events (state, thread_id, issued_at, seq);
CREATE INDEX IF NOT EXISTS events_by_issue ON events (state, issued_at, seq);
CREATE INDEX IF NOT EXISTS events_due ON events (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS events_by_content ON events (content_id);
CREATE TABLE IF NOT EXISTS leases (
    thread_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at {real} NOT NULL,
    generation BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS write_probes (
    replica TEXT PRIMARY KEY,
    at {real} NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
    content_id TEXT NOT NULL,
    step TEXT NOT NULL,
    detail TEXT NOT NULL,
    at {real} NOT NULL,
    PRIMARY KEY (content_id, step)
);
CREATE TABLE IF NOT EXISTS threads (
    thread_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    intervention_id TEXT NOT NULL DEFAULT '',
    handover_reason TEXT NOT NULL DEFAULT '',
    updated_at {real} NOT NULL,
    bot_category_seen_at {real} NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS messages (
    content_id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    position BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_thread ON messages (thread_id, position);
CREATE TABLE IF NOT EXISTS quarantine (
    id TEXT PRIMARY KEY,
    body {blob} NOT NULL,
    reason TEXT NOT NULL,
    received_at {real} NOT NULL
)
"""

# Columns added after the first release, created in a store made before them: (table, column, definition).
ADDED_COLUMNS = (
    ("events", "traceparent", "TEXT NOT NULL DEFAULT ''"),
    ("leases", "generation", "BIGINT NOT NULL DEFAULT 0"),
    ("threads", "bot_category_seen_at", "DOUBLE PRECISION NOT NULL DEFAULT 0"),
)

T = TypeVar("T")
PENDING, DONE, DEAD = "pending", "done", "dead"
# Events written by one INSERT at intake: 13 values each, within SQLite's oldest limit of 999 per statement.
ROWS_PER_INSERT = 50
BOT_OWNER, AGENTS_OWNER = "bot", "agents"


class LeaseLost(Exception):
    """This replica no longer holds the thread (its lease expired and another replica claimed it): it must stop."""


@dataclass(frozen=True)
class Lease:
    """This replica's claim on a thread: the fencing token every step it records is checked against."""

    thread_id: str
    generation: int


@dataclass(frozen=True)
class StoredEvent:
    """An event waiting to be processed, with how often it was tried, when it arrived (epoch seconds), the trace
    context it arrived in (a W3C traceparent, empty when none), and the lease it is processed under."""

    event: events_pb2.Event
    thread_id: str
    attempts: int
    received_at: float = 0.0
    traceparent: str = ""
    lease: Lease = Lease("", 0)


@dataclass(frozen=True)
class EventRecord:
    """An event's processing record; times in epoch seconds (finished_at 0 while pending)."""

    event_id: str
    type: str
    state: str
    outcome: str
    attempts: int
    content_id: str = ""
    issued_at: float = 0.0
    received_at: float = 0.0
    finished_at: float = 0.0


@dataclass(frozen=True)
class JournalStep:
    """One step done for a customer content: its name, details and time (epoch seconds)."""

    content_id: str
    step: str
    detail: dict[str, Any]
    at: float


@dataclass(frozen=True)
class StoreStats:
    """The queue's state: pending events and the arrival time of the oldest (None when none), dead letters, and
    quarantined bodies."""

    pending: int
    oldest_pending_received_at: float | None
    dead: int
    quarantined: int


@dataclass(frozen=True)
class ThreadState:
    """Who handles a thread now, the bot's open intervention on it, and when the bot last saw it in a bot category
    (epoch seconds, 0 for never)."""

    thread_id: str
    owner: str = BOT_OWNER
    intervention_id: str = ""
    handover_reason: str = ""
    bot_category_seen_at: float = 0.0


@dataclass(frozen=True)
class HistoryMessage:
    """One message of a thread as the proxy saw it."""

    content_id: str
    author: str
    body: str


class Store:
    """The orchestrator's state; `replica` names this process in the leases it takes: a stable name (the pod's)
    lets a restarted replica take its own threads back at once instead of waiting for their leases to expire."""

    def __init__(self, db: Database, lease_seconds: float, replica: str = "") -> None:
        self._db = db
        self._lease_seconds = lease_seconds
        self.replica = replica or uuid.uuid4().hex

    @classmethod
    async def open(cls, db: Database, lease_seconds: float, replica: str = "") -> "Store":
        await db.run(lambda: db.create_schema(SCHEMA, ADDED_COLUMNS))
        return cls(db, lease_seconds, replica)

    async def close(self) -> None:
        await self._db.close()

    # Intake

    async def accept(
        self,
        events: Sequence[events_pb2.Event],
        delivery_id: str,
        states: Sequence[str],
        outcomes: Sequence[str],
        holds: Sequence[float] = (),
        traceparent: str = "",
    ) -> list[bool]:
        """Stores new events in one transaction with their initial state; returns, per event, False if already stored
        (or earlier in `events`).

        Each pending event becomes due after its hold (`holds`, one per event; none: due at once), so that an
        earlier event of the same thread delivered a moment later (Dimelo does not keep order) is still processed
        first (orchestrator/ordering.py). `traceparent` is the trace the delivery
        came in, continued when the events are processed. Events go ROWS_PER_INSERT at a time: one look-up of the
        ids already stored and one insert of the others (an event another replica stores at that very moment is
        kept once, and reported new by both)."""
        now = time.time()
        rows = []
        for event, state, outcome, hold in zip(events, states, outcomes, holds or [0.0] * len(events), strict=True):
            issued = event.issued_at.ToMicroseconds() / 1e6 if event.HasField("issued_at") else now
            rows.append((event.id, delivery_id, event.type, event.content.thread_id or event.intervention.thread_id,
                         event.content.id, issued, now,
                         event.SerializeToString(), state, outcome, now + hold, 0 if state == PENDING else now,
                         traceparent))  # fmt: skip

        def write() -> list[bool]:
            fresh: list[bool] = []
            seen: set[str] = set()
            with self._db.transaction():
                for start in range(0, len(rows), ROWS_PER_INSERT):
                    chunk = rows[start : start + ROWS_PER_INSERT]
                    ids = [row[0] for row in chunk]
                    stored = self._db.execute(
                        f"SELECT event_id FROM events WHERE event_id IN ({','.join('?' * len(ids))})", tuple(ids)
                    ).fetchall()
                    seen.update(event_id for (event_id,) in stored)
                    new = []
                    for row in chunk:
                        fresh.append(row[0] not in seen)
                        new += [row] if fresh[-1] else []
                        seen.add(row[0])
                    if new:
                        self._db.execute(
                            "INSERT INTO events (event_id, delivery_id, type, thread_id, content_id, issued_at,"
                            " received_at, event, state, outcome, next_attempt_at, finished_at, traceparent) VALUES "
                            + ",".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(new))
                            + " ON CONFLICT (event_id) DO NOTHING",
                            tuple(value for row in new for value in row),
                        )
            return fresh

        return await self._db.run(write)

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

        await self._db.run(write)
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

    # Processing queue

    async def claim_next(self, busy_threads: Iterable[str], limit: int) -> list[StoredEvent]:
        """Leases up to `limit` threads not busy here nor leased elsewhere, and returns each one's oldest due event.

        A lease is taken when free, expired, or already this replica's (left by this replica before a restart);
        taking it raises its generation. Lease times are read from the database's clock as each statement runs;
        when an event is due is this process's clock, as when it was scheduled (only time, not safety, rides on it)."""
        busy = list(busy_threads)

        def claim() -> list[StoredEvent]:
            not_busy = f" AND e.thread_id NOT IN ({','.join('?' * len(busy))})" if busy else ""
            rows = self._db.execute(
                "SELECT e.event_id, e.event, e.thread_id, e.attempts, e.received_at, e.traceparent FROM events e"
                " WHERE e.state = 'pending' AND e.next_attempt_at <= ?" + not_busy +
                " AND e.seq = (SELECT f.seq FROM events f WHERE f.state = 'pending' AND f.thread_id = e.thread_id"
                "              ORDER BY f.issued_at, f.seq LIMIT 1)"
                " AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.thread_id = e.thread_id AND l.expires_at > {now}"
                "                 AND l.owner <> ?)"
                " ORDER BY e.issued_at, e.seq LIMIT ?",
                (time.time(), *busy, self.replica, limit),
            ).fetchall()
            claimed = []
            for event_id, blob, thread_id, attempts, received_at, traceparent in rows:
                taken = self._db.execute(
                    "INSERT INTO leases (thread_id, owner, expires_at, generation) VALUES (?, ?, {now} + ?, 1)"
                    " ON CONFLICT (thread_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at,"
                    " generation = leases.generation + 1"
                    " WHERE leases.expires_at <= {now} OR leases.owner = excluded.owner RETURNING generation",
                    (thread_id, self.replica, self._lease_seconds),
                ).fetchone()
                if taken is None:
                    continue
                lease = Lease(thread_id, taken[0])
                # Another replica may have processed it between the read and the lease.
                state = self._db.execute("SELECT state FROM events WHERE event_id = ?", (event_id,)).fetchone()[0]
                if state == PENDING:
                    event = events_pb2.Event.FromString(bytes(blob))
                    claimed.append(StoredEvent(event, thread_id, attempts, received_at, traceparent, lease))
                else:
                    self._release_now(lease)
            return claimed

        return await self._db.run(claim)

    async def renew_leases(self, leases: Iterable[Lease]) -> None:
        """Extends the leases this replica still holds (a lease another replica claimed since stays theirs)."""
        held = list(leases)
        if not held:
            return
        pairs = ",".join("(?, ?)" for _ in held)
        await self._db.run(
            lambda: self._db.execute(
                f"UPDATE leases SET expires_at = {{now}} + ? WHERE owner = ? AND (thread_id, generation) IN ({pairs})",
                (self._lease_seconds, self.replica, *(v for held_lease in held for v in astuple(held_lease))),
            )
        )

    async def hold(self, lease: Lease) -> None:
        """Proves this replica still holds the thread, and extends its lease, right before an external effect;
        raises LeaseLost otherwise."""
        await self._db.run(lambda: self._fenced(lease, lambda: None))

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

    async def release(self, lease: Lease) -> None:
        await self._db.run(lambda: self._release_now(lease))

    def _release_now(self, lease: Lease) -> None:
        """Ends the lease now; the row stays, so the thread's next claim gets a higher generation."""
        self._db.execute(
            "UPDATE leases SET expires_at = 0 WHERE thread_id = ? AND owner = ? AND generation = ?",
            (lease.thread_id, self.replica, lease.generation),
        )

    async def seconds_until_due(self) -> float | None:
        """How long until the earliest pending event becomes due (0 or less: due now), None when none is pending."""
        return await self._db.run(
            lambda: self._db.execute(
                "SELECT MIN(next_attempt_at) - ? FROM events WHERE state = 'pending'", (time.time(),)
            ).fetchone()[0]
        )

    async def finish(self, event_id: str, state: str, outcome: str, lease: Lease) -> None:
        """Ends an event's processing (DONE with what was done, or DEAD with why) and releases its thread, in one
        commit; raises LeaseLost (and changes nothing) when this replica no longer holds the thread."""

        def write() -> None:
            self._db.execute(
                "UPDATE events SET state = ?, outcome = ?, attempts = attempts + 1, finished_at = ? WHERE event_id = ?",
                (state, outcome, time.time(), event_id),
            )
            self._release_now(lease)

        await self._db.run(lambda: self._fenced(lease, write))

    async def retry_later(self, event_id: str, delay: float, outcome: str, lease: Lease) -> None:
        """Schedules the event's next attempt in `delay` seconds and releases its thread, in one commit (fenced)."""

        def write() -> None:
            self._db.execute(
                "UPDATE events SET attempts = attempts + 1, next_attempt_at = ?, outcome = ? WHERE event_id = ?",
                (time.time() + delay, outcome, event_id),
            )
            self._release_now(lease)

        await self._db.run(lambda: self._fenced(lease, write))

    async def probe_write(self) -> None:
        """A real write, committed: fails when the store cannot take writes (unreachable, locked, disk full)."""
        await self._db.run(
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
        """Puts a dead letter back in the queue, as new; False when there is no such dead letter."""
        cursor = await self._db.run(
            lambda: self._db.execute(
                "UPDATE events SET state = 'pending', attempts = 0, next_attempt_at = 0, outcome = 'replayed'"
                " WHERE event_id = ? AND state = 'dead'",
                (event_id,),
            )
        )
        replayed: bool = cursor.rowcount == 1
        return replayed

    async def quarantined(self, limit: int = 100) -> list[tuple[str, str, float, bytes]]:
        """The latest quarantined bodies: id, reason, time received, body."""
        return await self._db.run(
            lambda: self._db.execute(
                "SELECT id, reason, received_at, body FROM quarantine ORDER BY received_at DESC LIMIT ?", (limit,)
            ).fetchall()
        )

    # Retention

    async def forget_older_than(self, seconds: float, batch: int = 1000) -> dict[str, int]:
        """Deletes what is older than `seconds`: handled events (done; dead letters stay until replayed), the
        journal and history of contents no longer pending, quarantined bodies, ended leases and the write probes of
        replicas long gone. Deletes in batches
        of `batch` rows, each its own commit, so a large clean-up never holds the store for long. Returns the
        count deleted per table."""
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
            "leases": "DELETE FROM leases WHERE thread_id IN (SELECT thread_id FROM leases WHERE expires_at < {now} - ?"
            " LIMIT ?)",
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

    # Step journal: what was done for a customer content, so a retry never repeats a side effect.

    async def journal(self, content_id: str) -> dict[str, dict[str, Any]]:
        def read() -> dict[str, dict[str, Any]]:
            rows = self._db.execute("SELECT step, detail FROM journal WHERE content_id = ?", (content_id,)).fetchall()
            return {step: json.loads(detail) for step, detail in rows}

        return await self._db.run(read)

    async def journal_steps(self, content_ids: Sequence[str]) -> list[JournalStep]:
        """The steps done for these contents, in the order they were done."""
        if not content_ids:
            return []

        def read() -> list[JournalStep]:
            rows = self._db.execute(
                "SELECT content_id, step, detail, at FROM journal"
                f" WHERE content_id IN ({','.join('?' * len(content_ids))}) ORDER BY at",
                tuple(content_ids),
            ).fetchall()
            return [JournalStep(content_id, step, json.loads(detail), at) for content_id, step, detail, at in rows]

        return await self._db.run(read)

    async def record_step(self, lease: Lease, content_id: str, step: str, **detail: object) -> None:
        """Records a step done for a content, fenced by `lease` (raises LeaseLost when no longer held)."""
        await self._db.run(
            lambda: self._fenced(
                lease,
                lambda: self._db.execute(
                    "INSERT INTO journal (content_id, step, detail, at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (content_id, step) DO UPDATE SET detail = excluded.detail, at = excluded.at",
                    (content_id, step, json.dumps(detail), time.time()),
                ),
            )
        )

    # Threads and their history

    async def thread(self, thread_id: str) -> ThreadState:
        def read() -> ThreadState:
            row = self._db.execute(
                "SELECT owner, intervention_id, handover_reason, bot_category_seen_at FROM threads WHERE thread_id = ?",
                (thread_id,),
            ).fetchone()
            return ThreadState(thread_id, *row) if row else ThreadState(thread_id)

        return await self._db.run(read)

    async def save_thread(self, lease: Lease, state: ThreadState) -> None:
        """Saves who handles the thread, fenced by `lease` (raises LeaseLost when no longer held)."""
        await self._db.run(
            lambda: self._fenced(
                lease,
                lambda: self._db.execute(
                    "INSERT INTO threads (thread_id, owner, intervention_id, handover_reason, updated_at,"
                    " bot_category_seen_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO UPDATE SET"
                    " owner = excluded.owner, intervention_id = excluded.intervention_id,"
                    " handover_reason = excluded.handover_reason, updated_at = excluded.updated_at,"
                    " bot_category_seen_at = excluded.bot_category_seen_at",
                    (state.thread_id, state.owner, state.intervention_id, state.handover_reason, time.time(),
                     state.bot_category_seen_at),
                ),
            )
        )

    async def add_message(self, thread_id: str, message: HistoryMessage) -> None:
        await self._db.run(
            lambda: self._db.execute(
                "INSERT INTO messages (content_id, thread_id, author, body, position) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (content_id) DO NOTHING",
                # NUL is the one character PostgreSQL's text cannot hold; the history only feeds the AI.
                (message.content_id, thread_id, message.author, message.body.replace("\x00", "\ufffd"), time.time_ns()),
            )
        )

    async def history(self, thread_id: str, limit: int) -> list[HistoryMessage]:
        """The thread's last `limit` messages, oldest first."""

        def read() -> list[HistoryMessage]:
            rows = self._db.execute(
                "SELECT content_id, author, body FROM messages WHERE thread_id = ? ORDER BY position DESC LIMIT ?",
                (thread_id, limit),
            ).fetchall()
            return [HistoryMessage(*row) for row in reversed(rows)]

        return await self._db.run(read)

    async def known_contents(self, content_ids: Collection[str]) -> dict[str, bool]:
        """Which of these contents the store knows (taken in as an event, or posted by the bot), each with whether
        it is a customer's message (a content.imported event)."""
        if not content_ids:
            return {}
        marks, ids = ",".join("?" * len(content_ids)), tuple(content_ids)
        rows = await self._db.run(
            lambda: self._db.execute(
                f"SELECT content_id, type = 'content.imported' FROM events WHERE content_id IN ({marks})"
                f" UNION SELECT content_id, 1 = 0 FROM messages WHERE content_id IN ({marks})",
                ids + ids,
            ).fetchall()
        )
        known: dict[str, bool] = {}
        for content_id, customer in rows:
            known[content_id] = known.get(content_id, False) or bool(customer)
        return known

    async def bot_messages(self, content_ids: Sequence[str]) -> set[str]:
        """Which of these contents the bot posted."""
        if not content_ids:
            return set()
        rows = await self._db.run(
            lambda: self._db.execute(
                "SELECT content_id FROM messages WHERE author = 'bot'"
                f" AND content_id IN ({','.join('?' * len(content_ids))})",
                tuple(content_ids),
            ).fetchall()
        )
        return {content_id for (content_id,) in rows}
