"""How late Dimelo's deliveries come lately: the least and greatest lateness (arrival here minus the event's
`issued_at`) of the events taken in over the last HORIZON_SECONDS, which the ordering window grows with
(orchestrator/ordering.py)."""

from collections import deque
from collections.abc import Iterable

# How long an event's lateness counts: long enough to span a backlog building up, short enough to forget it once
# deliveries come on time again.
HORIZON_SECONDS = 10.0


class DeliveryLateness:
    """A sliding window of lateness, read as its least and greatest: each recorded value is kept only while it may
    still be the least or the greatest (two monotonic queues), so a record and a read cost O(1) on average."""

    def __init__(self, horizon: float = HORIZON_SECONDS) -> None:
        self._horizon = horizon
        self._least: deque[tuple[float, float]] = deque()  # (when, lateness), lateness rising
        self._greatest: deque[tuple[float, float]] = deque()  # (when, lateness), lateness falling

    def record(self, latenesses: Iterable[float], now: float) -> None:
        """Adds the lateness of events that arrived at `now`."""
        for lateness in latenesses:
            while self._least and self._least[-1][1] >= lateness:
                self._least.pop()
            self._least.append((now, lateness))
            while self._greatest and self._greatest[-1][1] <= lateness:
                self._greatest.pop()
            self._greatest.append((now, lateness))

    def bounds(self, now: float) -> tuple[float, float] | None:
        """The least and greatest lateness recorded within the horizon before `now`; None when there is none."""
        for queue in (self._least, self._greatest):
            while queue and queue[0][0] <= now - self._horizon:
                queue.popleft()
        if not self._least:
            return None
        return self._least[0][1], self._greatest[0][1]
