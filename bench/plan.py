"""How much each benchmark sends: the full run (a few minutes) and the smoke run (seconds, for the test suite)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    name: str
    # Webhook acknowledgement: seconds per load run (wrk counts whole seconds), warm-up per target, rounds.
    ack_seconds: int
    ack_warmup_seconds: int
    ack_rounds: int
    ack_concurrency: tuple[int, ...]
    # End to end at a steady, light rate (latency): threads, messages per thread, messages per second.
    paced_threads: int
    paced_per_thread: int
    paced_rate: float
    # End to end as fast as it goes (throughput) with the default ordering window.
    batch_messages: int
    batch_threads: int
    # Growth: a measured window of messages on a few threads, at the start and once the history is long.
    window_messages: int
    window_threads: int
    history_messages: int
    wide_threads: int
    # Start-up: launches per service (the median is reported).
    startup_repeats: int
    ai_calls: int
    # Dimelo calls per answered message: threads measured (a first answer, a follow-up and a handover in each).
    calls_threads: int
    # A burst against the call budget (500 a minute), with the sandbox's clock and the budget's window scaled by
    # `budget_time_scale` so that it takes seconds: threads, messages per thread.
    budget_threads: int
    budget_per_thread: int
    budget_time_scale: float
    # One orchestrator replica against two on PostgreSQL: threads, messages per round (each stack), rounds.
    replicas_threads: int
    replicas_messages: int
    replicas_rounds: int
    # The longest wait for a batch of messages to be answered.
    answer_timeout_seconds: float
    # Generated answers for the plain-text property test (make test runs 300).
    formatting_examples: int
    # The frameworks' floor: calls per kind and concurrency (bench/framework_floor.py).
    floor_calls: int


FULL = Plan(
    name="full",
    ack_seconds=4,
    ack_warmup_seconds=1,
    ack_rounds=1,
    ack_concurrency=(1, 64),
    paced_threads=20,
    paced_per_thread=5,
    paced_rate=20.0,
    batch_messages=500,
    batch_threads=100,
    window_messages=1_000,
    window_threads=100,
    history_messages=20_000,
    wide_threads=10_000,
    startup_repeats=3,
    ai_calls=200,
    calls_threads=20,
    budget_threads=200,
    budget_per_thread=10,
    budget_time_scale=0.1,
    replicas_threads=100,
    replicas_messages=400,
    replicas_rounds=2,
    answer_timeout_seconds=600.0,
    formatting_examples=3_000,
    floor_calls=3_000,
)

SMOKE = Plan(
    name="smoke",
    ack_seconds=1,
    ack_warmup_seconds=0,
    ack_rounds=1,
    ack_concurrency=(1, 64),
    paced_threads=3,
    paced_per_thread=2,
    paced_rate=50.0,
    batch_messages=12,
    batch_threads=4,
    window_messages=12,
    window_threads=4,
    history_messages=80,
    wide_threads=20,
    startup_repeats=1,
    ai_calls=10,
    calls_threads=2,
    budget_threads=3,
    budget_per_thread=2,
    budget_time_scale=0.02,
    replicas_threads=4,
    replicas_messages=8,
    replicas_rounds=1,
    answer_timeout_seconds=60.0,
    formatting_examples=20,
    floor_calls=400,
)
