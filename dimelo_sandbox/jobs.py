"""Dimelo's asynchronous jobs (thread close, categorization, ...): callbacks run later on the event loop."""

import asyncio
from collections.abc import Callable


class Jobs:
    """Schedules jobs and lets a test await the moment none is pending."""

    def __init__(self) -> None:
        self._pending: set[asyncio.TimerHandle] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    def after(self, seconds: float, job: Callable[[], None]) -> None:
        def run() -> None:
            self._pending.discard(handle)
            try:
                job()
            finally:
                if not self._pending:
                    self._idle.set()

        handle = asyncio.get_running_loop().call_later(seconds, run)
        self._pending.add(handle)
        self._idle.clear()

    async def wait_idle(self) -> None:
        """Returns once every scheduled job has run."""
        await self._idle.wait()

    def cancel_all(self) -> None:
        for handle in self._pending:
            handle.cancel()
        self._pending.clear()
        self._idle.set()
