"""Two replicas taking in the same events at once, in different orders (Dimelo re-sends and regroups its events):
each event is stored once and neither delivery fails, on SQLite and on PostgreSQL (where rows locked in different
orders would deadlock and fail a delivery, which Dimelo counts towards disabling the webhook)."""

import asyncio

from orchestrator.store.intake_queue import ROWS_PER_INSERT, due_at_once
from tests.orchestrator.conftest import customer_message


async def test_the_same_events_taken_in_at_once_in_opposite_orders_are_stored_once_and_fail_neither_delivery(
    open_store,
):
    """In: 20 rounds; in each, replicas a and b take in the same 60 events (more than one insert's worth, across 7
    threads, some new threads) at the same moment, b in reverse order. Out: no delivery fails (before the fix,
    PostgreSQL detected a deadlock in about one round of ten); each event is reported new by at least one replica
    and stored once; each thread holds its 60 / 7 events, all pending."""
    a, b = await open_store("replica-a"), await open_store("replica-b")
    for round_number in range(20):
        threads = [f"thread-{round_number}-{index}" for index in range(7)]
        events = [customer_message(threads[index % 7]) for index in range(ROWS_PER_INSERT + 10)]

        taken = await asyncio.gather(
            a.accept(events, f"d-{round_number}-a", due_at_once),
            b.accept(list(reversed(events)), f"d-{round_number}-b", due_at_once),
        )

        new_by_a = [is_new for _, is_new in taken[0]]
        new_by_b = [is_new for _, is_new in reversed(taken[1])]
        assert all(x or y for x, y in zip(new_by_a, new_by_b, strict=True))
        stored = [event for thread in threads for event in await a.thread_events(thread)]
        assert sorted(event.event_id for event in stored) == sorted(event.id for event in events)
        assert {event.state for event in stored} == {"pending"}
