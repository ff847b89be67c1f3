"""Claims, straight on the store (SQLite and PostgreSQL): each claim takes a thread's oldest due event and leases
the thread; a leased thread waits for its holder to finish or retry; an event retried later waits until it is
due; and the retry backoff that schedules it."""

import pytest

from orchestrator.scheduler import retry_delay
from orchestrator.store import DONE, PENDING
from orchestrator.store.intake_queue import due_at_once
from tests.orchestrator.conftest import customer_message
from tests.support.eventually import eventually


def issued(event, seconds: int):
    """`event` marked as issued at `seconds` past the epoch (Dimelo's issued_at orders a thread's events)."""
    event.issued_at.FromSeconds(seconds)
    return event


async def test_a_claim_takes_each_threads_oldest_event_whatever_the_delivery_order(open_store):
    """In: thread A's later event delivered before its earlier one, and one event of thread B. Out: one claim gives
    two events, one per thread: A's earlier one (by issued_at) and B's, each under a fresh lease (generation 1)."""
    store = await open_store("replica-a")
    later, earlier = issued(customer_message("thread-a"), 200), issued(customer_message("thread-a"), 100)
    other = issued(customer_message("thread-b"), 150)
    await store.accept([later], "d-1", due_at_once)
    await store.accept([earlier, other], "d-2", due_at_once)

    claimed = await store.claim_next([], 10)

    assert [(c.thread_id, c.event.id) for c in claimed] == [("thread-a", earlier.id), ("thread-b", other.id)]
    assert [(c.lease.thread_id, c.lease.generation, c.attempts) for c in claimed] == [
        ("thread-a", 1, 0),
        ("thread-b", 1, 0),
    ]


async def test_busy_threads_are_skipped_and_the_limit_is_kept(open_store):
    """In: one pending event on each of three threads; a claim with thread A busy here and a limit of 1. Out: one
    event, the oldest of the threads not busy (B's); a second such claim gives C's, a third nothing."""
    store = await open_store("replica-a")
    events = [issued(customer_message(f"thread-{name}"), second) for name, second in (("a", 1), ("b", 2), ("c", 3))]
    await store.accept(events, "d-1", due_at_once)

    first = await store.claim_next(["thread-a"], 1)
    second = await store.claim_next(["thread-a", "thread-b"], 1)
    third = await store.claim_next(["thread-a", "thread-b", "thread-c"], 1)

    assert [c.thread_id for c in first + second] == ["thread-b", "thread-c"]
    assert third == []


async def test_a_leased_thread_waits_until_its_holder_finishes_then_its_next_event_is_claimed(open_store):
    """In: two events of one thread; replica A claims the thread, replica B asks, then A finishes the first event.
    Out: B gets nothing while A holds the thread; after the finish (which releases it) B gets the second event,
    under the thread's next lease generation."""
    a, b = await open_store("replica-a"), await open_store("replica-b")
    first, second = issued(customer_message("thread-1"), 1), issued(customer_message("thread-1"), 2)
    await a.accept([first, second], "d-1", due_at_once)
    [held] = await a.claim_next([], 10)

    assert held.event.id == first.id
    assert await b.claim_next([], 10) == []

    await a.finish(first.id, DONE, "answered", held.lease)
    [next_one] = await b.claim_next([], 10)

    assert (next_one.event.id, next_one.lease.generation) == (second.id, held.lease.generation + 1)
    [done, pending] = await b.thread_events("thread-1")
    assert (done.state, done.outcome, done.attempts) == ("done", "answered", 1)
    assert pending.state == PENDING


async def test_an_event_retried_later_is_claimed_only_once_due_with_its_attempt_counted(open_store):
    """In: a claimed event scheduled for retry in 0.3 s (which releases its thread). Out: right away no claim gets
    it and it is due in at most 0.3 s; once due, a claim gets it again with one attempt counted."""
    store = await open_store("replica-a")
    event = customer_message("thread-1")
    await store.accept([event], "d-1", due_at_once)
    [claimed] = await store.claim_next([], 10)

    await store.retry_later(event.id, 0.3, "retrying: the AI was unavailable", claimed.lease)

    assert await store.claim_next([], 10) == []
    assert 0 < await store.seconds_until_due([]) <= 0.3
    [again] = await eventually(lambda: store.claim_next([], 10), what="the retried event claimed once due")
    assert (again.event.id, again.attempts) == (event.id, 1)


@pytest.mark.parametrize("failed_before", range(8))
def test_the_retry_delay_doubles_from_the_base_up_to_the_longest_and_is_jittered_in_its_upper_half(failed_before):
    """In: an event that failed `failed_before` times before, a base of 0.5 s and a longest wait of 10 s, asked 200
    times. Out: every delay lies in the upper half of min(10, 0.5 * 2^failed_before), and they differ (jitter)."""
    ceiling = min(10.0, 0.5 * 2**failed_before)

    delays = [retry_delay(failed_before, 0.5, 10.0) for _ in range(200)]

    assert all(ceiling / 2 <= delay <= ceiling for delay in delays), (ceiling, min(delays), max(delays))
    assert max(delays) - min(delays) > ceiling / 4

    delays = [retry_delay(failed_before, 0.5, 10.0) for _ in range(200)]

    assert all(ceiling / 2 <= delay <= ceiling for delay in delays), (ceiling, min(delays), max(delays))
    assert max(delays) - min(delays) > ceiling / 4


@pytest.mark.parametrize(("earliest", "expected_floor"), [(3.0, 3.0), (60.0, 10.0)])
def test_the_retry_delay_waits_at_least_what_the_peer_asked_within_the_longest(earliest, expected_floor):
    """In: a first failure (backoff 0.25-0.5 s) whose peer asked to wait `earliest` s (Dimelo's Retry-After), a
    longest wait of 10 s. Out: the delay is the peer's wait, cut to the longest wait when it asks for more."""
    assert retry_delay(0, 0.5, 10.0, earliest) == expected_floor


async def test_a_pending_event_whose_lease_row_was_deleted_is_still_claimed(open_store, database_url):
    """In: a thread whose lease row is gone while it has a pending event, as when retention deletes an idle
    thread's row while an intake, not yet committed, adds an event to it (on PostgreSQL the claim locks that row).
    Out: the scheduler sees it due, and a claim takes it under a fresh lease: the message is not stranded."""
    store = await open_store("replica-a")
    old, new = issued(customer_message("thread-1"), 1), issued(customer_message("thread-1"), 2)
    await store.accept([old], "d-1", due_at_once)
    [held] = await store.claim_next([], 10)
    await store.finish(old.id, DONE, "answered", held.lease)
    await store.accept([new], "d-2", due_at_once)
    await store._db.run(lambda: store._db.execute("DELETE FROM leases WHERE thread_id = ?", ("thread-1",)))

    assert await store.seconds_until_due([]) <= 0
    [claimed] = await store.claim_next([], 10)
    assert (claimed.event.id, claimed.lease.thread_id) == (new.id, "thread-1")
