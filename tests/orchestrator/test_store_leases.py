"""Thread leases on the database's clock, fenced by their generation: a replica that lost its thread can record
nothing more, a restarted replica takes its own threads back at once, and retention forgets what is old."""

import asyncio

import pytest

from orchestrator.store import DEAD, DONE, PENDING, Admission, LeaseLost, ThreadState
from orchestrator.store.intake_queue import due_at_once
from tests.orchestrator.conftest import customer_message


async def test_a_replica_that_stalled_past_its_lease_is_fenced_off(open_store):
    """In: replica A claims a thread with a 0.3 s lease and stalls; replica B claims it once expired. Out: B's lease
    has a higher generation; A can record no step, save no thread state, prove no lease and not finish the event
    with its last steps (LeaseLost, and nothing of it is written), while B's steps go through."""
    a, b = await open_store("replica-a", 0.3), await open_store("replica-b", 0.3)
    event = customer_message(thread_id="thread-fenced")
    await a.accept([event], "d-1", due_at_once)
    [claimed_by_a] = await a.claim_next([], 10)
    assert await b.claim_next([], 10) == []  # A's lease still runs

    await asyncio.sleep(0.4)
    [claimed_by_b] = await b.claim_next([], 10)

    assert claimed_by_b.lease.generation == claimed_by_a.lease.generation + 1
    posting = a.journal_write(event.content.id, "posting")
    owned_by_a = a.thread_write(ThreadState("thread-fenced", intervention_id="iv-a"))
    for attempt in (
        a.commit(claimed_by_a.lease, [posting]),
        a.commit(claimed_by_a.lease, [owned_by_a]),
        a.commit(claimed_by_a.lease),
        a.finish(event.id, DONE, "answered twice", claimed_by_a.lease, [a.journal_write(event.content.id, "done")]),
    ):
        with pytest.raises(LeaseLost):
            await attempt
    assert await a.journal(event.content.id) == {}
    assert await a.thread("thread-fenced") == ThreadState("thread-fenced")
    await b.commit(claimed_by_b.lease, [b.journal_write(event.content.id, "posting")])
    await b.finish(event.id, DONE, "answered", claimed_by_b.lease, [b.journal_write(event.content.id, "done")])
    [record] = await b.thread_events("thread-fenced")
    assert (record.state, record.outcome) == ("done", "answered")
    assert set(await b.journal(event.content.id)) == {"posting", "done"}


async def test_a_restarted_replica_takes_its_own_threads_back_at_once(open_store):
    """In: replica A claims a thread (30 s lease) and dies without releasing it; A comes back under the same name,
    and replica B asks too. Out: B gets nothing, the new A gets the thread at once with a higher generation, and the
    old A's lease no longer counts."""
    old_a = await open_store("replica-a")
    event = customer_message(thread_id="thread-restart")
    await old_a.accept([event], "d-1", due_at_once)
    [before] = await old_a.claim_next([], 10)

    b, new_a = await open_store("replica-b"), await open_store("replica-a")
    assert await b.claim_next([], 10) == []
    [after] = await new_a.claim_next([], 10)

    assert after.event.id == event.id and after.lease.generation == before.lease.generation + 1
    with pytest.raises(LeaseLost):
        await old_a.commit(before.lease, [old_a.journal_write(event.content.id, "posting")])


async def test_renewal_keeps_a_lease_and_a_released_thread_is_claimed_with_a_new_generation(open_store):
    """In: A renews its 0.3 s lease past its expiry, then retries the event later (which releases the thread).
    Out: B could not claim it while renewed; after the release, B claims it with the next generation."""
    a, b = await open_store("replica-a", 0.3), await open_store("replica-b", 0.3)
    event = customer_message(thread_id="thread-renewed")
    await a.accept([event], "d-1", due_at_once)
    [claimed] = await a.claim_next([], 10)
    for _ in range(3):
        await asyncio.sleep(0.15)
        await a.renew_leases([claimed.lease])
    assert await b.claim_next([], 10) == []

    await a.retry_later(event.id, 0, "retrying", claimed.lease)
    [again] = await b.claim_next([], 10)

    assert again.lease.generation == claimed.lease.generation + 1 and again.attempts == 1


async def test_retention_forgets_handled_events_journals_and_quarantine_but_keeps_pending_and_dead(open_store):
    """In: a handled event with its journal and history, a pending one, a dead letter and a quarantined body, then
    retention of 0 s. Out: the handled event, its journal, the history and the quarantined body are gone; the
    pending event, its journal and the dead letter stay."""
    store = await open_store("replica-a")
    handled, pending, dead = (customer_message(thread_id=f"thread-{n}") for n in ("handled", "pending", "dead"))
    await store.accept(
        [handled, pending, dead],
        "d-1",
        lambda event, *_: Admission(DEAD, "malformed") if event is dead else Admission(PENDING),
    )
    claimed = {c.thread_id: c for c in await store.claim_next([], 10)}
    done = store.journal_write(handled.content.id, "done", outcome="answered")
    await store.commit(claimed["thread-pending"].lease, [store.journal_write(pending.content.id, "decision")])
    await store.finish(handled.id, DONE, "answered", claimed["thread-handled"].lease, [done])
    await store._db.run(  # a quarantined body, written as intake keeps one
        lambda: store._db.execute(
            "INSERT INTO quarantine (id, body, reason, received_at) VALUES ('q-1', ?, 'not JSON', 0)", (b"{not json",)
        )
    )
    await asyncio.sleep(0.05)

    deleted = await store.forget_older_than(0.01)

    assert deleted["events"] == 1 and deleted["journal"] == 1 and deleted["quarantine"] == 1
    assert await store.thread_events("thread-handled") == []
    assert await store.journal(handled.content.id) == {}
    assert await store.journal(pending.content.id) != {}
    assert [e.state for e in await store.thread_events("thread-pending")] == ["pending"]
    assert [e.state for e in await store.thread_events("thread-dead")] == ["dead"]
    assert await store.quarantined() == []


async def test_replicas_claiming_at_once_share_the_threads_each_head_once_oldest_first(open_store):
    """In: 30 threads of 3 events each, every thread's events stored newest first (a reordered delivery); three
    replicas claim 10 threads each, at the same moment. Out: every thread is claimed once, by one replica, with its
    oldest event by issued_at; each replica's claims come oldest head first."""
    replicas = [await open_store(f"replica-{n}") for n in range(3)]
    heads = {}
    for thread in range(30):
        events = [customer_message(thread_id=f"thread-{thread}") for _ in range(3)]  # issued in this order
        heads[f"thread-{thread}"] = events[0].id
        await replicas[0].accept(events[::-1], f"d-{thread}", due_at_once)

    claims = await asyncio.gather(*(replica.claim_next([], 10) for replica in replicas))

    claimed = [stored for claim in claims for stored in claim]
    assert sorted(stored.thread_id for stored in claimed) == sorted(heads)
    assert all(stored.event.id == heads[stored.thread_id] for stored in claimed)
    for claim in claims:
        issued = [stored.event.issued_at.ToNanoseconds() for stored in claim]
        assert issued == sorted(issued)


async def test_a_thread_another_replica_holds_is_due_when_its_lease_ends(open_store):
    """In: replica A holds a thread (2 s lease) whose event is due now; replica B asks when it has work. Out: in
    about 2 s (when A's lease ends), not now; A, for whom the thread is busy, has nothing due (None)."""
    a, b = await open_store("replica-a", 2.0), await open_store("replica-b", 2.0)
    await a.accept([customer_message(thread_id="thread-held")], "d-1", due_at_once)
    [claimed] = await a.claim_next([], 10)

    assert 1.0 < await b.seconds_until_due([]) <= 2.0
    assert await a.seconds_until_due([claimed.thread_id]) is None
