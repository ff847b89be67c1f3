"""The intake queue: events taken in, each thread's oldest due event claimed under the thread's lease, and each
event ended (done, dead) or put off for a later attempt, in the commit that releases its thread."""

import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TypeVar

from botbridge.events.v1 import events_pb2
from orchestrator.store.leases import Leases
from orchestrator.store.records import CUSTOMER_MESSAGE, PENDING, Admission, KnownContent, Lease, StoredEvent, Write
from orchestrator.store.threads import known_contents

A = TypeVar("A", bound=Admission)
# How an event is taken in (its state, outcome and hold), from the event and what the store knows of the contents
# asked about.
Admit = Callable[[events_pb2.Event, Mapping[str, KnownContent]], A]
# Events written by one INSERT at intake: 14 values each, within SQLite's oldest limit of 999 per statement.
ROWS_PER_INSERT = 50

# A thread's head: its oldest pending event by issued_at (then arrival), whatever order the events came in, leaving
# out an event whose in_reply_to_id predecessor is pending with the same issued_at (Dimelo's issued_at is to the
# millisecond: a predecessor delivered after its follower, written in the same millisecond, still goes first).
_HEAD = (
    "e.state = 'pending' AND e.seq = (SELECT f.seq FROM events f WHERE f.state = 'pending'"
    " AND f.thread_id = e.thread_id AND (f.in_reply_to_id = '' OR NOT EXISTS (SELECT 1 FROM events p"
    " WHERE p.content_id = f.in_reply_to_id AND p.state = 'pending' AND p.thread_id = f.thread_id"
    " AND p.issued_at = f.issued_at AND p.seq <> f.seq)) ORDER BY f.issued_at, f.seq LIMIT 1)"
)
# PostgreSQL: one statement locks the lease rows of threads whose head is due, skipping the rows another replica
# is claiming at this moment, and takes them. The head's row is locked too, so that an event another replica
# finished since this statement's snapshot is seen finished and its thread left for the next claim.
_CLAIM_POSTGRES = (
    "WITH free AS (SELECT l.thread_id, e.seq FROM events e JOIN leases l ON l.thread_id = e.thread_id"
    "  WHERE " + _HEAD + " AND e.next_attempt_at <= ? AND NOT (e.thread_id = ANY(?))"
    "  AND (l.expires_at <= {now} OR l.owner = ?)"
    "  ORDER BY e.issued_at, e.seq LIMIT ? FOR UPDATE OF l, e SKIP LOCKED)"
    " UPDATE leases SET owner = ?, expires_at = {now} + ?, generation = leases.generation + 1"
    " FROM free JOIN events q ON q.seq = free.seq WHERE leases.thread_id = free.thread_id"
    " RETURNING q.event, q.thread_id, q.attempts, q.received_at, q.traceparent, leases.generation"
)


def due_at_once(event: events_pb2.Event, known: Mapping[str, KnownContent]) -> Admission:
    """Every event pending and due at once, whatever the store knows (loads and tests that bypass the intake)."""
    return Admission(PENDING)


class IntakeQueue(Leases):
    """Taking events in, claiming them thread by thread, and ending them."""

    async def accept(
        self,
        events: Sequence[events_pb2.Event],
        delivery_id: str,
        admit: Admit[A],
        asks: Collection[str] = (),
        traceparent: str = "",
    ) -> list[tuple[A, bool]]:
        """Stores new events in one transaction, each with the initial state `admit` gives it (called with the
        event and what the store knows of the contents in `asks`, read in that transaction); returns, per event,
        its admission and False if it was already stored (or earlier in `events`).

        A pending event becomes due after its admission's hold, so that an earlier event of the same thread
        delivered a moment later (Dimelo does not keep order) is still processed first (orchestrator/ordering.py).
        `traceparent` is the trace the delivery came in, continued when the events are processed. Events go
        ROWS_PER_INSERT at a time: one look-up of the ids already stored and one insert of the others (an event
        another replica stores at that very moment is kept once, and reported new by both). On PostgreSQL the same
        commit notifies the other replicas."""
        now = time.time()
        fixed = [
            (
                event.id,
                delivery_id,
                event.type,
                event.content.thread_id or event.intervention.thread_id,
                event.content.id,
                event.content.in_reply_to_id,
                event.issued_at.ToMicroseconds() / 1e6 if event.HasField("issued_at") else now,
                event.SerializeToString(),
            )
            for event in events
        ]

        # One order of the rows for every intake (by event id, then by thread for the lease rows): two intakes of the
        # same events in different orders (Dimelo re-sends and regroups) lock them in the same order, and so never
        # wait on each other in a circle (a PostgreSQL deadlock would fail the delivery).
        order = sorted(range(len(fixed)), key=lambda index: fixed[index][0])

        def write() -> list[tuple[A, bool]]:
            admitted: dict[int, tuple[A, bool]] = {}
            seen: set[str] = set()
            pending: set[str] = set()
            customers: list[str] = []  # the customer messages taken in, whose held followers may go now
            with self._db.transaction():
                known = known_contents(self._db, asks)
                for start in range(0, len(order), ROWS_PER_INSERT):
                    chunk = order[start : start + ROWS_PER_INSERT]
                    ids = [fixed[index][0] for index in chunk]
                    stored = self._db.execute(
                        f"SELECT event_id FROM events WHERE event_id IN ({','.join('?' * len(ids))})", tuple(ids)
                    ).fetchall()
                    seen.update(event_id for (event_id,) in stored)
                    new = []
                    for index in chunk:
                        row, admission = fixed[index], admit(events[index], known)
                        admitted[index] = (admission, row[0] not in seen)
                        if row[0] in seen:
                            continue
                        seen.add(row[0])
                        state, hold = admission.state, admission.hold
                        new.append((*row, now, state, admission.outcome, now + hold, 0 if state == PENDING else now))
                        pending |= {row[3]} if state == PENDING else set()
                        customers += [row[4]] if row[2] == CUSTOMER_MESSAGE and row[4] else []
                    if new:
                        self._db.execute(
                            "INSERT INTO events (event_id, delivery_id, type, thread_id, content_id, in_reply_to_id,"
                            " issued_at, event, received_at, state, outcome, next_attempt_at, finished_at, traceparent)"
                            " VALUES "
                            + ",".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(new))
                            + " ON CONFLICT (event_id) DO NOTHING",
                            tuple(value for row in new for value in (*row, traceparent)),
                        )
                self._queue_threads(pending)
                self._release_followers(customers, now)
                if pending:
                    self._notify_new_events()
            return [admitted[index] for index in range(len(fixed))]

        return await self._db.write(write)

    def _release_followers(self, content_ids: Sequence[str], now: float) -> None:
        """Makes due now the events held for these customer messages to arrive (their in_reply_to_id): once here,
        the queue's order puts each before its followers, so they need wait no longer (orchestrator/ordering.py).
        A follower whose intake overlapped its predecessor's, and did not see it, is released too."""
        if content_ids:
            self._db.execute(
                "UPDATE events SET next_attempt_at = ? WHERE state = 'pending' AND attempts = 0"
                f" AND next_attempt_at > ? AND in_reply_to_id IN ({','.join('?' * len(content_ids))})",
                (now, now, *content_ids),
            )

    async def claim_next(self, busy_threads: Iterable[str], limit: int) -> list[StoredEvent]:
        """Leases up to `limit` threads not busy here nor leased elsewhere, oldest head first, and returns each one's
        head (its oldest pending event by issued_at) when due.

        A lease is taken when free, expired, or already this replica's (left by this replica before a restart);
        taking it raises its generation. Lease times are read from the database's clock as each statement runs;
        when an event is due is this process's clock, as when it was scheduled (only time, not safety, rides on it).
        PostgreSQL claims in one statement (FOR UPDATE SKIP LOCKED); SQLite in one transaction under its single
        writer's lock."""
        busy, due = list(busy_threads), time.time()
        claim = self._claim_postgres if self._db.postgres else self._claim_sqlite
        return await self._db.write(lambda: claim(busy, due, limit))

    def _claim_postgres(self, busy: list[str], due: float, limit: int) -> list[StoredEvent]:
        rows = self._db.execute(
            _CLAIM_POSTGRES, (due, busy, self.replica, limit, self.replica, self._lease_seconds)
        ).fetchall()
        return [
            StoredEvent(
                events_pb2.Event.FromString(bytes(blob)),
                thread_id,
                attempts,
                received_at,
                traceparent,
                Lease(thread_id, generation),
            )
            for blob, thread_id, attempts, received_at, traceparent, generation in rows
        ]

    def _claim_sqlite(self, busy: list[str], due: float, limit: int) -> list[StoredEvent]:
        not_busy = f" AND e.thread_id NOT IN ({','.join('?' * len(busy))})" if busy else ""
        claimed = []
        with self._db.transaction():  # the write lock first: nothing changes between the read and the leases
            rows = self._db.execute(
                "SELECT e.event, e.thread_id, e.attempts, e.received_at, e.traceparent FROM events e"
                " WHERE "
                + _HEAD
                + " AND e.next_attempt_at <= ?"
                + not_busy
                + " AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.thread_id = e.thread_id AND l.expires_at > {now}"
                "                 AND l.owner <> ?)"
                " ORDER BY e.issued_at, e.seq LIMIT ?",
                (due, *busy, self.replica, limit),
            ).fetchall()
            for blob, thread_id, attempts, received_at, traceparent in rows:
                (generation,) = self._db.execute(
                    "INSERT INTO leases (thread_id, owner, expires_at, generation) VALUES (?, ?, {now} + ?, 1)"
                    " ON CONFLICT (thread_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at,"
                    " generation = leases.generation + 1 RETURNING generation",
                    (thread_id, self.replica, self._lease_seconds),
                ).fetchone()
                event = events_pb2.Event.FromString(bytes(blob))
                claimed.append(
                    StoredEvent(event, thread_id, attempts, received_at, traceparent, Lease(thread_id, generation))
                )
        return claimed

    async def seconds_until_due(self, busy_threads: Iterable[str]) -> float | None:
        """How long until a thread not busy here can be claimed (0 or less: now): when its head is due and, if
        another replica holds the thread, its lease ends; None when no such thread has a pending event.

        The scheduler asks after a claim that took nothing: on PostgreSQL, "due now" then may mean a thread left
        without the lease row the claim locks, which is given one here (see Leases._queue_orphans)."""
        busy, now = list(busy_threads), time.time()
        not_busy = f" AND e.thread_id NOT IN ({','.join('?' * len(busy))})" if busy else ""

        def read() -> float | None:
            seconds: float | None = self._db.execute(
                "SELECT MIN(CASE WHEN l.owner <> ? AND l.expires_at - {now} > e.next_attempt_at - ?"
                " THEN l.expires_at - {now} ELSE e.next_attempt_at - ? END)"
                " FROM events e LEFT JOIN leases l ON l.thread_id = e.thread_id WHERE " + _HEAD + not_busy,
                (self.replica, now, now, *busy),
            ).fetchone()[0]
            if self._db.postgres and seconds is not None and seconds <= 0:
                self._queue_orphans()
            return seconds

        return await self._db.run(read)

    async def finish(self, event_id: str, state: str, outcome: str, lease: Lease, writes: Sequence[Write] = ()) -> None:
        """Ends an event's processing (DONE with what was done, or DEAD with why) and releases its thread, in one
        commit with `writes` (what recorded the processing's last steps); raises LeaseLost (and changes nothing)
        when this replica no longer holds the thread."""

        def end() -> None:
            self._db.execute(
                "UPDATE events SET state = ?, outcome = ?, attempts = attempts + 1, finished_at = ? WHERE event_id = ?",
                (state, outcome, time.time(), event_id),
            )
            self._release_now(lease)

        await self.commit(lease, [*writes, end])

    async def retry_later(
        self, event_id: str, delay: float, outcome: str, lease: Lease, writes: Sequence[Write] = ()
    ) -> None:
        """Schedules the event's next attempt in `delay` seconds and releases its thread, in one commit with `writes`
        (what the failed attempt recorded since its last commit), fenced."""

        def put_off() -> None:
            self._db.execute(
                "UPDATE events SET attempts = attempts + 1, next_attempt_at = ?, outcome = ? WHERE event_id = ?",
                (time.time() + delay, outcome, event_id),
            )
            self._release_now(lease)

        await self.commit(lease, [*writes, put_off])
