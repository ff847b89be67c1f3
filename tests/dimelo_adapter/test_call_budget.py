"""The call budget alone (units): the pace's arithmetic, priorities, a shared budget whose database is gone; and a
lookup's recent answer shared by its callers."""

import asyncio
import logging

import pytest

from dimelo_adapter.budget import CallBudget, LocalPacer, Pace, Priority
from dimelo_adapter.recent_answer import RecentAnswer
from dimelo_adapter.shared_pacer import SharedPacer


def test_no_window_of_the_budget_holds_as_many_calls_as_the_budget():
    """In: 500 calls a minute, 2,000 calls sent as soon as the local pacer lets them. Out: the first 25 go at once,
    then one every 60/450 s; any 60 s window (the sandbox's sliding window: a call leaves it exactly 60 s later)
    holds at most 475 calls, 25 fewer than the budget: the margin for jitter."""
    pace = Pace.of_budget(500, 60.0)
    now = [0.0]
    pacer = LocalPacer(pace, clock=lambda: now[0])
    sent = []
    for _ in range(2000):
        now[0] += asyncio.run(pacer.reserve())
        sent.append(now[0])
    most_in_a_window = max(sum(1 for t in sent if start - 60.0 < t <= start) for start in sent)
    assert pace.burst == 25
    assert most_in_a_window == 475
    assert sent[:25] == [0.0] * 25
    assert sent[26] - sent[25] == pytest.approx(60 / 450)


async def test_the_most_urgent_call_waiting_gets_the_next_slot():
    """In: three lookups, a handover step and a reply wait while the pacer holds the first slot back; then the
    slots come one at a time. Out: the reply goes first, then the handover step, then the lookups in arrival order;
    a caller that gave up takes no slot."""
    slots: asyncio.Queue[None] = asyncio.Queue()

    class OneSlotAtATime:
        async def reserve(self) -> float:
            await slots.get()
            return 0.0

        async def aclose(self) -> None:
            pass

    budget = CallBudget(OneSlotAtATime())
    served: list[str] = []

    async def call(name: str, priority: Priority) -> None:
        await budget.take(priority)
        served.append(name)

    waiting = [
        asyncio.create_task(call(name, priority))
        for name, priority in [
            ("lookup 1", Priority.LOOKUP),
            ("lookup 2", Priority.LOOKUP),
            ("gives up", Priority.REPLY),
            ("handover", Priority.HANDOVER),
            ("reply", Priority.REPLY),
            ("lookup 3", Priority.LOOKUP),
        ]
    ]
    await asyncio.sleep(0)
    waiting[2].cancel()
    for served_so_far in range(1, 6):
        slots.put_nowait(None)
        while len(served) < served_so_far:
            await asyncio.sleep(0)
    assert served == ["reply", "handover", "lookup 1", "lookup 2", "lookup 3"]
    await budget.aclose()


async def test_a_shared_budget_out_of_reach_paces_the_replica_alone_and_keeps_the_url_secret(caplog):
    """In: a database URL with a password, on a port where nothing listens. Out: slots still come (the replica's own
    pace), one warning is logged, and neither the password nor the URL appears in it."""
    url = "postgresql://bridge:s3cret-pw@127.0.0.1:9/budget"
    pacer = SharedPacer(url, "https://acme.api.engagement.dimelo.com", Pace.of_budget(500, 60.0))
    with caplog.at_level(logging.WARNING):
        waits = [await pacer.reserve() for _ in range(3)]
    await pacer.aclose()
    assert waits == [0.0, 0.0, 0.0]
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    logged = caplog.text + str([vars(record) for record in warnings])
    assert "s3cret-pw" not in logged and url not in logged


async def test_callers_during_a_refresh_share_its_one_call_and_a_failure_is_not_kept():
    """In: three callers while the lookup is under way, then one more after it failed, then one after it answered.
    Out: the three share the first call's failure; the next caller asks again and gets "statuses"; the last reuses
    it (three callers, two lookups until then)."""
    calls: list[asyncio.Future[str]] = []

    async def lookup() -> str:
        calls.append(asyncio.get_running_loop().create_future())
        return await calls[-1]

    recent = RecentAnswer(lookup, seconds=5.0)
    waiting = [asyncio.create_task(recent.get()) for _ in range(3)]
    while not calls:
        await asyncio.sleep(0)
    calls[0].set_exception(RuntimeError("Dimelo unreachable"))
    failures = await asyncio.gather(*waiting, return_exceptions=True)
    assert [str(f) for f in failures] == ["Dimelo unreachable"] * 3
    again = asyncio.create_task(recent.get())
    while len(calls) < 2:
        await asyncio.sleep(0)
    calls[1].set_result("statuses")
    assert (await again, await recent.get(), len(calls)) == ("statuses", "statuses", 2)
