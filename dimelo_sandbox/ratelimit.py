"""The account-wide REST limit: N requests per (scaled) minute, sliding window."""

import time
from collections import deque

from dimelo_sandbox.tunables import RATE_WINDOW_SECONDS, Tunables


class RateLimiter:
    def __init__(self, tunables: Tunables) -> None:
        self._tunables = tunables
        self._times: deque[float] = deque()

    def allow(self) -> bool:
        """Counts the request and says whether it is within the limit; a refused request does not count."""
        limit = self._tunables.rate_limit
        if limit == 0:
            return True
        now = time.monotonic()
        horizon = now - RATE_WINDOW_SECONDS * self._tunables.time_scale
        times = self._times
        while times and times[0] <= horizon:
            times.popleft()
        if len(times) >= limit:
            return False
        times.append(now)
        return True

    def clear(self) -> None:
        self._times.clear()
