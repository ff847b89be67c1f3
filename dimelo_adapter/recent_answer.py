"""A lookup's latest answer, reused for a few seconds; callers arriving during a refresh share its one call."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class RecentAnswer(Generic[T]):
    def __init__(self, fetch: Callable[[], Awaitable[T]], seconds: float, clock: Callable[[], float] = time.monotonic):
        self._fetch = fetch
        self._seconds = seconds
        self._clock = clock
        self._answer: tuple[float, T] | None = None  # (when it stops being fresh, the answer)
        self._refresh: asyncio.Future[T] | None = None

    async def get(self) -> T:
        """The answer fetched less than `seconds` ago, or a new one (a failure is not kept: the next call asks)."""
        if self._answer is not None and self._clock() < self._answer[0]:
            return self._answer[1]
        if self._refresh is None:
            self._refresh = asyncio.ensure_future(self._fetched())
        return await asyncio.shield(self._refresh)

    async def _fetched(self) -> T:
        try:
            answer = await self._fetch()
            self._answer = (self._clock() + self._seconds, answer)
            return answer
        finally:
            self._refresh = None
