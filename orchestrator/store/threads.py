"""Each thread's state (who handles it, the bot's open intervention) and its message history."""

import time
from collections.abc import Collection, Sequence

from orchestrator.database import Database
from orchestrator.store.leases import Leases
from orchestrator.store.records import CUSTOMER_MESSAGE, HistoryMessage, KnownContent, ThreadState, Write


class Threads(Leases):
    """Thread state, saved under the thread's lease, and the history the AI is given."""

    async def thread(self, thread_id: str) -> ThreadState:
        def read() -> ThreadState:
            row = self._db.execute(
                "SELECT owner, intervention_id, handover_reason, bot_category_seen_at FROM threads WHERE thread_id = ?",
                (thread_id,),
            ).fetchone()
            return ThreadState(thread_id, *row) if row else ThreadState(thread_id)

        return await self._db.run(read)

    def thread_write(self, state: ThreadState) -> Write:
        """Saves who handles the thread (a write for Store.commit)."""
        values = (
            state.thread_id,
            state.owner,
            state.intervention_id,
            state.handover_reason,
            time.time(),
            state.bot_category_seen_at,
        )
        return lambda: self._db.execute(
            "INSERT INTO threads (thread_id, owner, intervention_id, handover_reason, updated_at,"
            " bot_category_seen_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO UPDATE SET"
            " owner = excluded.owner, intervention_id = excluded.intervention_id,"
            " handover_reason = excluded.handover_reason, updated_at = excluded.updated_at,"
            " bot_category_seen_at = excluded.bot_category_seen_at",
            values,
        )

    def message_write(self, thread_id: str, message: HistoryMessage) -> Write:
        """Adds a message to the thread's history, after those added before it (a write for Store.commit)."""
        # NUL is the one character PostgreSQL's text cannot hold; the history only feeds the AI.
        values = (message.content_id, thread_id, message.author, message.body.replace("\x00", "\ufffd"), time.time_ns())
        return lambda: self._db.execute(
            "INSERT INTO messages (content_id, thread_id, author, body, position) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (content_id) DO NOTHING",
            values,
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

    async def bot_messages(self, content_ids: Sequence[str]) -> set[str]:
        """Which of these contents the bot posted."""
        if not content_ids:
            return set()
        known = await self._db.run(lambda: known_contents(self._db, content_ids))
        return {content_id for content_id, content in known.items() if content.posted_by_bot}


def known_contents(db: Database, content_ids: Collection[str]) -> dict[str, KnownContent]:
    """Which of these contents the store knows (taken in as an event, or in the history), each with whether a
    customer wrote it and whether the bot posted it; on the database thread."""
    if not content_ids:
        return {}
    marks, ids = ",".join("?" * len(content_ids)), tuple(content_ids)
    rows = db.execute(
        f"SELECT content_id, type = ?, 1 = 0 FROM events WHERE content_id IN ({marks})"
        f" UNION ALL SELECT content_id, 1 = 0, author = 'bot' FROM messages WHERE content_id IN ({marks})",
        (CUSTOMER_MESSAGE, *ids, *ids),
    ).fetchall()
    known: dict[str, KnownContent] = {}
    for content_id, customer, by_bot in rows:
        seen = known.get(content_id, KnownContent(False))
        known[content_id] = KnownContent(seen.customer or bool(customer), seen.posted_by_bot or bool(by_bot))
    return known
