"""How late Dimelo's deliveries come lately: the least and greatest lateness (arrival here minus the event's
`issued_at`) of the events taken in for processing over the last HORIZON_SECONDS, which the ordering window grows
with (orchestrator/ordering.py). Events the bot ignores are left out: they need no order, and a replayed or
synthetic one issued long ago would otherwise hold every message the longest for HORIZON_SECONDS."""

import threading
import time
from collections import deque
from collections.abc import Iterable

# How long an event's lateness counts: long enough to span a backlog building up, short enough to forget it once
# deliveries come on time again.
HORIZON_SECONDS = 10.0


class DeliveryLateness:
    """A sliding window of lateness, read as its least and greatest: each recorded value is kept only while it may
    still be the least or the greatest (two monotonic queues), so a record and a read cost O(1) on average. The
    horizon runs on the monotonic clock (`at`: its reading, time.monotonic() unless given), so a step of the wall
    clock does not keep old values; safe to use from several threads (the metrics are read from another)."""

    def __init__(self, horizon: float = HORIZON_SECONDS) -> None:
        self._horizon = horizon
        self._least: deque[tuple[float, float]] = deque()  # (at, lateness), lateness rising
        self._greatest: deque[tuple[float, float]] = deque()  # (at, lateness), lateness falling
        self._lock = threading.Lock()

    def record(self, latenesses: Iterable[float], at: float | None = None) -> None:
        """Adds the lateness of events taken in now."""
        at = time.monotonic() if at is None else at
        with self._lock:
            for lateness in latenesses:
                while self._least and self._least[-1][1] >= lateness:
                    self._least.pop()
                self._least.append((at, lateness))
                while self._greatest and self._greatest[-1][1] <= lateness:
                    self._greatest.pop()
                self._greatest.append((at, lateness))

    def bounds(self, at: float | None = None) -> tuple[float, float] | None:
        """The least and greatest lateness recorded within the horizon; None when there is none."""
        at = time.monotonic() if at is None else at
        with self._lock:
            for queue in (self._least, self._greatest):
                while queue and queue[0][0] <= at - self._horizon:
                    queue.popleft()
            return (self._least[0][1], self._greatest[0][1]) if self._least else None

    def spread(self) -> float:
        """How unevenly late the recent deliveries came: the greatest lateness less the least (0: none recorded)."""
        recent = self.bounds()
        return recent[1] - recent[0] if recent else 0.0
