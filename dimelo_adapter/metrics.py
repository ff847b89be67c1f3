"""The adapter's metrics: every HTTP request to Dimelo by operation and status, its latency, and the retries.

`operation` is the endpoint as "METHOD /route" with ":id" in place of ids (a closed set: endpoints.py);
`status` is Dimelo's HTTP status, or "timeout" / "network_error" when no answer came.
Rate limiting shows as status="429"; refusals as the 4xx statuses.
"""

from prometheus_client import Counter, Gauge, Histogram

from service_kit.metrics import LATENCY_BUCKETS

DIMELO_REQUESTS = Counter(
    "botbridge_dimelo_requests_total",
    "HTTP requests to Dimelo's API (each attempt), by operation and status.",
    ["operation", "status"],
)
DIMELO_REQUEST_SECONDS = Histogram(
    "botbridge_dimelo_request_seconds",
    "Time Dimelo took to answer one request, by operation.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
DIMELO_RETRIES = Counter(
    "botbridge_dimelo_retries_total",
    "Requests to Dimelo sent again, by operation and the status that caused it.",
    ["operation", "status"],
)
DIMELO_LAST_ANSWER = Gauge(
    "botbridge_dimelo_last_answer_timestamp_seconds",
    "When Dimelo last answered a request (any status), in Unix time: Dimelo is reachable if it is recent.",
)
DIMELO_BUDGET_WAIT_SECONDS = Histogram(
    "botbridge_dimelo_budget_wait_seconds",
    "Time a request to Dimelo waited for a slot of the account's call budget, by priority (reply, handover, lookup).",
    ["priority"],
    buckets=LATENCY_BUCKETS,
)
