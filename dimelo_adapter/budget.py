"""The Dimelo call budget: every request waits for a slot of the account's budget, the most urgent first.

Slots come from a pacer (GCRA: a "theoretical arrival time" moved one interval per call), in-process or shared by
every replica through PostgreSQL (shared_pacer.py). A burst of `burst` calls goes at once, then one call per
interval, so that any window of the budget's length holds at most 95 % of the budget: the bridge slows down
instead of collecting 429s. One dispatcher per process reserves one slot at a time and gives it, once due, to the
most urgent call waiting then (replies, then handover steps, then lookups).
"""

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

from dimelo_adapter.metrics import DIMELO_BUDGET_WAIT_SECONDS

log = logging.getLogger(__name__)


class Priority(IntEnum):
    """Who gets the next slot first: the lowest value."""

    REPLY = 0
    HANDOVER = 1
    LOOKUP = 2


@dataclass(frozen=True)
class Pace:
    """A budget of `calls` per `window_seconds` as GCRA parameters: one call per `interval`, `burst` at once."""

    interval: float
    burst: int

    @classmethod
    def of_budget(cls, calls: int, window_seconds: float) -> "Pace":
        """A twentieth of the budget goes at once; another twentieth is kept back for the network's jitter (a call
        that reaches Dimelo late while the next one does not): any window then holds at most 95 % of the budget,
        and the sustained pace is 90 % of it."""
        burst = max(1, calls // 20)
        return cls(window_seconds / max(1, calls - 2 * burst), burst)

    @property
    def tolerance(self) -> float:
        """How far ahead of now the theoretical arrival time may be for a call to go at once."""
        return (self.burst - 1) * self.interval


class Pacer(Protocol):
    async def reserve(self) -> float:
        """Reserves the next slot; returns the seconds until it is due (0 when now)."""
        ...

    async def aclose(self) -> None: ...


class LocalPacer:
    """The budget of this process alone."""

    def __init__(self, pace: Pace, clock: Callable[[], float] = time.monotonic) -> None:
        self._pace = pace
        self._clock = clock
        self._arrival = 0.0

    async def reserve(self) -> float:
        now = self._clock()
        start = max(self._arrival, now)
        self._arrival = start + self._pace.interval
        return max(0.0, start - self._pace.tolerance - now)

    async def aclose(self) -> None:
        pass


class CallBudget:
    """Hands out the pacer's slots to the calls waiting, by priority, then in order of arrival."""

    def __init__(self, pacer: Pacer) -> None:
        self._pacer = pacer
        self._waiting: list[tuple[Priority, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._dispatcher: asyncio.Task[None] | None = None

    async def take(self, priority: Priority) -> None:
        """Returns when this call may be sent; a cancelled caller gives up its place."""
        started = time.perf_counter()
        slot = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), slot))
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch(), name="dimelo-call-budget")
        await slot
        DIMELO_BUDGET_WAIT_SECONDS.labels(priority.name.lower()).observe(time.perf_counter() - started)

    async def _dispatch(self) -> None:
        while self._someone_waits():
            wait = await self._pacer.reserve()
            if wait > 0:
                await asyncio.sleep(wait)
            if self._someone_waits():  # else the slot goes unused: never more calls than the budget
                heapq.heappop(self._waiting)[2].set_result(None)

    def _someone_waits(self) -> bool:
        """Drops the callers at the head that gave up; says whether one is still waiting."""
        while self._waiting and self._waiting[0][2].done():
            heapq.heappop(self._waiting)
        return bool(self._waiting)

    async def aclose(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            await asyncio.gather(self._dispatcher, return_exceptions=True)
        await self._pacer.aclose()
