"""The orchestrator's metrics: intake, processing outcomes, handovers, the AI's latency and errors, the backlog.

Labels take values from closed sets only (outcome and reason codes, known event types, status names).
The backlog gauges are read from the store by the readiness checks (every few seconds); replicas sharing one
PostgreSQL store all report the same backlog (aggregate them with max, not sum).
"""

from prometheus_client import Counter, Gauge, Histogram

from service_kit.metrics import LATENCY_BUCKETS

INTAKE_EVENTS = Counter(
    "botbridge_intake_events_total",
    "Events submitted by the gateway, by type, outcome (queued, ignored, malformed, duplicate, quarantined) and"
    " reason code.",
    ["type", "outcome", "reason"],
)
ORDERING_EVIDENCE = Counter(
    "botbridge_ordering_evidence_total",
    "Events queued for processing, by what let them go at once (first_in_thread, predecessor_here) or why they"
    " were held: no_evidence (ORDERING_WINDOW_SECONDS, longer while deliveries come unevenly late, in case an earlier"
    " event of the thread is still on its way),"
    " predecessor_missing (longer).",
    ["evidence"],
)
EVENTS_PROCESSED = Counter(
    "botbridge_events_processed_total",
    "Processing attempts by event type and outcome: answered, handed_over, kept_with_bot, agent_took_over, handed_back,"
    " ignored_* (why), retry (a transient failure), dead (a dead letter).",
    ["type", "outcome"],
)
PROCESSING_SECONDS = Histogram(
    "botbridge_event_processing_seconds",
    "Time one processing attempt of an event took (AI and Dimelo calls included).",
    buckets=LATENCY_BUCKETS,
)
EVENT_LATENCY_SECONDS = Histogram(
    "botbridge_event_latency_seconds",
    "Time from an event's arrival to the end of its processing (done or dead): what a customer waits.",
    buckets=LATENCY_BUCKETS,
)
HANDOVERS = Counter(
    "botbridge_handovers_total",
    "Messages the bot handed over, by reason and agents on the source's channel (available, none, unknown).",
    ["reason", "agents"],
)
HANDBACKS = Counter(
    "botbridge_handbacks_total",
    "Threads the agents gave back to the bot, by what showed it (intervention_closed, customer_wrote).",
    ["signal"],
)
NO_AGENT_FALLBACKS = Counter(
    "botbridge_no_agent_fallbacks_total",
    "Handovers with no agent available, by the NO_AGENT_POLICY applied (queue, keep_with_bot).",
    ["policy"],
)
AI_REQUESTS = Counter(
    "botbridge_ai_requests_total",
    "Calls to the AI service by result: answer, handover, empty, timeout, unavailable, error.",
    ["result"],
)
AI_REQUEST_SECONDS = Histogram(
    "botbridge_ai_request_seconds",
    "Time the AI service took to decide, by result.",
    ["result"],
    buckets=LATENCY_BUCKETS,
)
DELIVERY_LATENESS_SPREAD = Gauge(
    "botbridge_delivery_lateness_spread_seconds",
    "How unevenly late the events taken in for processing came over the last 10 s (greatest minus least time from"
    " issued_at to arrival); the ordering window grows with it, up to ORDERING_WINDOW_MAX_SECONDS.",
)
BACKLOG = Gauge("botbridge_intake_backlog_events", "Events stored and not yet processed (pending).")
OLDEST_PENDING_AGE = Gauge(
    "botbridge_intake_oldest_pending_age_seconds", "Age of the oldest pending event; 0 when none is pending."
)
DEAD_LETTERS = Gauge("botbridge_dead_letters", "Events in the dead letters (see `python -m orchestrator.admin`).")
QUARANTINED = Gauge(
    "botbridge_quarantined_deliveries",
    "Webhook bodies and events kept aside because they could not be read or stored (see orchestrator.admin).",
)
LOOP_ERRORS = Counter(
    "botbridge_loop_errors_total",
    "Errors in the orchestrator's background loops (scheduler, lease_renewal, retention), by loop and whether the"
    " loop survived it (survived: logged, backed off, went on) or not (fatal: the process stops to be restarted).",
    ["loop", "result"],
)
LEASES_LOST = Counter(
    "botbridge_leases_lost_total",
    "Events whose processing stopped because this replica no longer held the thread (it stalled past its lease"
    " and another replica took the thread over): the other replica goes on, nothing is done twice.",
)
DEAD_LETTERS_TOTAL = Counter(
    "botbridge_events_dead_lettered_total",
    "Events that became dead letters: processing failed for good and so did the handover to the agents.",
    ["type"],
)
STORE_GROUP_COMMIT_WRITES = Histogram(
    "botbridge_store_group_commit_writes",
    "Writes per commit of the SQLite store (writes queued together share one commit and one fsync); its _count is"
    " the commits, its _sum the writes. Not kept for PostgreSQL.",
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
RETENTION_DELETED = Counter(
    "botbridge_retention_deleted_total",
    "Rows deleted by retention (RETENTION_DAYS), by table: events, journal, messages, quarantine, leases,"
    " write_probes.",
    ["table"],
)
