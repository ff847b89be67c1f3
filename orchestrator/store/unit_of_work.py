"""One event's writes, kept until they can share a commit: the steps of processing cost one commit per external
effect, not one per write."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from orchestrator.store.records import HistoryMessage, Lease, LeaseLost, ThreadState, Write

if TYPE_CHECKING:
    from orchestrator.store import Store


class UnitOfWork:
    """The writes of one event's processing under its thread's lease, kept back until the next commit: `commit`,
    right before an external effect (the proof that this replica may act), or the one that ends the attempt
    (`finish`, `retry_later`). So each effect is recorded in the commit that follows it, never before it is known,
    and writes with no effect between them share a commit. What must happen only once they are written (a count)
    waits for that commit too (`once_committed`)."""

    def __init__(self, store: "Store", lease: Lease) -> None:
        self._store = store
        self._lease = lease
        self._writes: list[Write] = []
        self._then: list[Callable[[], None]] = []

    def record_step(self, content_id: str, step: str, **detail: object) -> None:
        self._writes.append(self._store.journal_write(content_id, step, **detail))

    def save_thread(self, state: ThreadState) -> None:
        self._writes.append(self._store.thread_write(state))

    def add_message(self, thread_id: str, message: HistoryMessage) -> None:
        self._writes.append(self._store.message_write(thread_id, message))

    def once_committed(self, then: Callable[[], None]) -> None:
        """Calls `then` (a count: it must not raise) once the writes kept so far are committed; never when the lease
        is lost before. A commit whose caller is cancelled still ends on the database's thread, uncounted."""
        self._then.append(then)

    async def commit(self) -> None:
        """Commits the writes kept so far, fenced by the lease (raises LeaseLost, keeping none, when it is lost),
        and extends the lease; with none kept, proves the lease all the same."""
        writes, self._writes = self._writes, []
        then, self._then = self._then, []
        try:
            await self._store.commit(self._lease, writes)
        except LeaseLost:
            raise  # another replica has the thread: nothing of this attempt may be written
        except BaseException:
            self._writes[:0] = writes  # kept for the commit that ends the attempt (each write is an upsert)
            self._then[:0] = then
            raise
        _call(then)

    async def finish(self, event_id: str, state: str, outcome: str) -> None:
        """Ends the event (Store.finish) in one commit with the writes not committed yet."""
        await self._store.finish(event_id, state, outcome, self._lease, self._writes)
        self._ended()

    async def retry_later(self, event_id: str, delay: float, outcome: str) -> None:
        """Puts the event off for `delay` seconds (Store.retry_later) in one commit with the writes not committed
        yet."""
        await self._store.retry_later(event_id, delay, outcome, self._lease, self._writes)
        self._ended()

    def _ended(self) -> None:
        """After the commit that ended the attempt: nothing is kept back any more, and what waited for it is done."""
        self._writes, then, self._then = [], self._then, []
        _call(then)


def _call(then: list[Callable[[], None]]) -> None:
    for one in then:
        one()
