"""What the sandbox saw: REST calls by status, webhook deliveries by outcome, and bounded logs of both."""

import time
from collections import Counter, deque
from typing import Any

from dimelo_sandbox.ids import iso_millis

LOG_SIZE = 10_000


class Stats:
    def __init__(self) -> None:
        self.rest_by_status: Counter[int] = Counter()
        self.deliveries_by_outcome: Counter[str] = Counter()
        self.requests: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
        self.deliveries: deque[dict[str, Any]] = deque(maxlen=LOG_SIZE)
        # GET /1.0/contents without a thread, intervention or id in `q`: the whole account, on a real one.
        self.account_wide_content_listings = 0

    def clear(self) -> None:
        self.rest_by_status.clear()
        self.deliveries_by_outcome.clear()
        self.requests.clear()
        self.deliveries.clear()
        self.account_wide_content_listings = 0

    def record_request(self, method: str, path: str, user_id: str | None, status: int, started: float) -> None:
        """Logs a REST call; the path only, never the query string (it may hold the access token)."""
        self.rest_by_status[status] += 1
        now = time.time()
        self.requests.append(
            {
                "method": method,
                "path": path,
                "user_id": user_id,
                "status": status,
                "at": iso_millis(now),
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            }
        )

    def record_delivery(self, entry: dict[str, Any]) -> None:
        self.deliveries_by_outcome[entry["outcome"]] += 1
        self.deliveries.append({**entry, "at": iso_millis(time.time())})

    def as_dict(self) -> dict[str, Any]:
        return {
            "rest_calls": sum(self.rest_by_status.values()),
            "rest_by_status": {str(k): v for k, v in sorted(self.rest_by_status.items())},
            "deliveries_by_outcome": dict(self.deliveries_by_outcome),
            "account_wide_content_listings": self.account_wide_content_listings,
        }
