"""The gateway's metrics: webhook deliveries by outcome, their events by type and disposition, handshakes."""

from prometheus_client import Counter, Histogram

from service_kit.metrics import LATENCY_BUCKETS

DELIVERIES = Counter(
    "botbridge_webhook_deliveries_total",
    "Webhook POSTs by outcome: stored (200, unreadable events quarantined), quarantined (400, not a delivery),"
    " not_stored (503, Dimelo re-sends),"
    " unauthorized (401), forbidden (403), too_slow (408), too_large (413), refused (another 4xx).",
    ["outcome"],
)
DELIVERY_SECONDS = Histogram(
    "botbridge_webhook_delivery_seconds",
    "Time to answer a webhook POST that reached the orchestrator, by outcome.",
    ["outcome"],
    buckets=LATENCY_BUCKETS,
)
EVENTS = Counter(
    "botbridge_webhook_events_total",
    "Events of stored deliveries, by type (known types, else other; unreadable when it could not be read) and"
    " disposition (accepted, duplicate, quarantined).",
    ["type", "disposition"],
)
ORCHESTRATOR_FAILURES = Counter(
    "botbridge_webhook_orchestrator_failures_total",
    "Failed calls to the orchestrator, by call (submit, quarantine), gRPC code and the orchestrator's reason (its"
    " ErrorInfo, e.g. STORE_UNAVAILABLE; UNSPECIFIED when it gave none, e.g. a deadline or a connection lost).",
    ["call", "code", "reason"],
)
HANDSHAKES = Counter(
    "botbridge_webhook_handshakes_total", "Subscription handshakes, by outcome (confirmed, refused).", ["outcome"]
)

# A refusal's HTTP status, as the delivery outcome it counts for.
REFUSAL_OUTCOMES = {401: "unauthorized", 403: "forbidden", 408: "too_slow", 413: "too_large"}
