"""The unit of work keeps an event's writes until a commit takes them; a commit that fails keeps them for the next."""

import asyncio
import sqlite3

import pytest

from orchestrator.store import DONE, PENDING, Admission, LeaseLost, ThreadState
from orchestrator.store.unit_of_work import UnitOfWork
from tests.orchestrator.conftest import customer_message


async def claimed_work(store):
    event = customer_message()
    await store.accept([event], "d-1", lambda *_: Admission(PENDING))
    [claimed] = await store.claim_next([], 10)
    return event, claimed, UnitOfWork(store, claimed.lease)


async def test_a_commit_the_store_refuses_keeps_its_writes_for_the_commit_that_ends_the_attempt(
    open_store, monkeypatch
):
    """In: a step and a thread state kept back, and a count waiting for their commit; the commit before the next
    effect fails with "database is locked". Out: the error reaches the caller, no count, and both writes are kept:
    the attempt's end (a retry) commits them, and then counts."""
    store = await open_store("replica-a")
    counted: list[str] = []
    event, claimed, work = await claimed_work(store)
    work.record_step(event.content.id, "posting", settled_by=0.0)
    work.save_thread(ThreadState(claimed.thread_id, intervention_id="intervention-1"))
    work.once_committed(lambda: counted.append("saved"))

    async def locked(*_):
        raise sqlite3.OperationalError("database is locked")

    with monkeypatch.context() as patch:
        patch.setattr(store, "commit", locked)
        with pytest.raises(sqlite3.OperationalError):
            await work.commit()
    assert counted == []

    await work.retry_later(event.id, 0.0, "retrying: database is locked")
    assert "posting" in await store.journal(event.content.id)
    assert (await store.thread(claimed.thread_id)).intervention_id == "intervention-1"
    assert counted == ["saved"]


async def test_a_commit_whose_lease_was_lost_keeps_nothing(open_store):
    """In: a step kept back and a count waiting for its commit; another replica takes the thread over before the
    commit. Out: LeaseLost, at the commit and at the attempt's end, nothing of the attempt written, no count."""
    a, b = await open_store("replica-a", 0.2), await open_store("replica-b", 0.2)
    counted: list[str] = []
    event, _, work = await claimed_work(a)
    work.record_step(event.content.id, "posting", settled_by=0.0)
    work.once_committed(lambda: counted.append("posting"))
    await asyncio.sleep(0.3)  # past A's 0.2 s lease
    assert await b.claim_next([], 10)

    with pytest.raises(LeaseLost):
        await work.commit()
    with pytest.raises(LeaseLost):
        await work.finish(event.id, DONE, "answered")
    assert "posting" not in await a.journal(event.content.id)
    assert counted == []


async def test_a_count_happens_once_the_commit_saving_its_writes_is_made(open_store):
    """In: a thread state kept back and a count waiting for it; a commit; then the attempt's end. Out: no count
    before the commit, one at it, none more at the end."""
    store = await open_store("replica-a")
    counted: list[str] = []
    event, claimed, work = await claimed_work(store)
    work.save_thread(ThreadState(claimed.thread_id, intervention_id="intervention-1"))
    work.once_committed(lambda: counted.append("saved"))
    assert counted == []

    await work.commit()
    assert counted == ["saved"]
    await work.finish(event.id, DONE, "handed_over")
    assert counted == ["saved"]
