"""What the store hands out: events to process, their records, journal steps, thread state, history, stats."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botbridge.events.v1 import events_pb2

PENDING, DONE, DEAD = "pending", "done", "dead"
# The event of a message written in the source (a customer's, mostly: orchestrator/intake_filter.py says which).
CUSTOMER_MESSAGE = "content.imported"
BOT_OWNER, AGENTS_OWNER = "bot", "agents"
# One write of processing, made by the store's `*_write` methods and run on the database thread by Store.commit
# (or Store.finish) in one fenced commit with the writes beside it.
Write = Callable[[], object]


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


@dataclass(frozen=True)
class KnownContent:
    """What the store knows of a content: whether a customer wrote it (a content.imported event of it) and whether
    the bot posted it."""

    customer: bool
    posted_by_bot: bool = False


@dataclass(frozen=True)
class Admission:
    """An event's initial state in the queue, its outcome (why, when not pending), and how long it is held before
    it is due (seconds)."""

    state: str
    outcome: str = ""
    hold: float = 0.0
