"""The step journal: what was done for a customer content, so a retry never repeats a side effect."""

import json
import time
from collections.abc import Sequence
from typing import Any

from orchestrator.store.leases import Leases
from orchestrator.store.records import JournalStep, Lease


class Journal(Leases):
    """Steps recorded under the thread's lease, each in its own commit with the lease's check."""

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
        await self._db.write(
            lambda: self._fenced(
                lease,
                lambda: self._db.execute(
                    "INSERT INTO journal (content_id, step, detail, at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (content_id, step) DO UPDATE SET detail = excluded.detail, at = excluded.at",
                    (content_id, step, json.dumps(detail), time.time()),
                ),
            )
        )
