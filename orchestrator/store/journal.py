"""The step journal: what was done for a customer content, so a retry never repeats a side effect."""

import json
import time
from collections.abc import Sequence
from typing import Any

from orchestrator.store.leases import Leases
from orchestrator.store.records import JournalStep, Write


class Journal(Leases):
    """Steps recorded under the thread's lease, in the fenced commit that follows their effect (Store.commit)."""

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

    def journal_write(self, content_id: str, step: str, **detail: object) -> Write:
        """Records a step done for a content (a write for Store.commit)."""
        values = (content_id, step, json.dumps(detail), time.time())
        return lambda: self._db.execute(
            "INSERT INTO journal (content_id, step, detail, at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (content_id, step) DO UPDATE SET detail = excluded.detail, at = excluded.at",
            values,
        )
