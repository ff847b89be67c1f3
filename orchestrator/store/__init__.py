"""The durable store, a queue: events taken in and claimed thread by thread under fenced leases
(`intake_queue.py`, `leases.py`), each event's writes shared in as few commits as its effects allow
(`unit_of_work.py`), the step journal (`journal.py`), thread state and history (`threads.py`), and
what operators ask of it (`operator.py`); its schema in numbered migrations (`migrations.py`). Why it is ours and
not a queue library: docs/store-queue.md."""

import uuid
from collections.abc import Callable

from orchestrator.database import Database
from orchestrator.store.intake_queue import IntakeQueue
from orchestrator.store.journal import Journal
from orchestrator.store.leases import NEW_EVENTS_CHANNEL
from orchestrator.store.migrations import migrate
from orchestrator.store.operator import Operator
from orchestrator.store.records import (
    AGENTS_OWNER,
    BOT_OWNER,
    CUSTOMER_MESSAGE,
    DEAD,
    DONE,
    PENDING,
    Admission,
    EventRecord,
    HistoryMessage,
    JournalStep,
    KnownContent,
    Lease,
    LeaseLost,
    StoredEvent,
    StoreStats,
    ThreadState,
)
from orchestrator.store.threads import Threads
from orchestrator.store.unit_of_work import UnitOfWork

__all__ = [
    "AGENTS_OWNER",
    "BOT_OWNER",
    "CUSTOMER_MESSAGE",
    "DEAD",
    "DONE",
    "PENDING",
    "Admission",
    "EventRecord",
    "HistoryMessage",
    "JournalStep",
    "KnownContent",
    "Lease",
    "LeaseLost",
    "Store",
    "StoreStats",
    "StoredEvent",
    "ThreadState",
    "UnitOfWork",
]


class Store(IntakeQueue, Journal, Threads, Operator):
    """The orchestrator's state; `replica` names this process in the leases it takes: a stable name (the pod's)
    lets a restarted replica take its own threads back at once instead of waiting for their leases to expire."""

    def __init__(self, db: Database, lease_seconds: float, replica: str = "") -> None:
        super().__init__(db, lease_seconds, replica or uuid.uuid4().hex)

    @classmethod
    async def open(cls, db: Database, lease_seconds: float, replica: str = "") -> "Store":
        """The store on `db`, its schema migrated to this release's."""
        await db.run(lambda: migrate(db))
        return cls(db, lease_seconds, replica)

    async def close(self) -> None:
        await self._db.close()

    async def listen_for_new_events(self, notified: Callable[[], None], check_seconds: float) -> bool:
        """PostgreSQL: calls `notified` whenever another replica (or this one) stored pending events, until the
        listening connection breaks (then raises); SQLite (one replica, which wakes itself): returns False."""
        if not self._db.postgres:
            return False
        await self._db.listen(NEW_EVENTS_CHANNEL, notified, check_seconds)
        return True
