"""The scheduler waits while a thread is in progress instead of asking the store again and again."""

from orchestrator.store import Store
from tests.orchestrator.conftest import customer_message, settled


async def test_a_message_in_progress_does_not_make_the_scheduler_claim_over_and_over(
    peers, settings_for, start_orchestrator, monkeypatch
):
    """In: one customer message, the AI taking 1 s to answer, nothing else to do. Out: answered, with a handful of
    claims in all (one to start it, a few on wake-ups), not thousands: the event in progress is pending and due,
    and before the fix the scheduler claimed at once again for as long as it was in progress."""
    ai, _, _ = peers
    ai.delay = 1.0
    claims = 0
    claim_next = Store.claim_next

    async def counted(store, *args, **kwargs):
        nonlocal claims
        claims += 1
        return await claim_next(store, *args, **kwargs)

    monkeypatch.setattr(Store, "claim_next", counted)
    running = await start_orchestrator(settings_for())

    await running.submit(customer_message(first_in_thread=True))
    await settled(running, "thread-1", 1)

    print(f"claims while one message was processed for about 1 s: {claims}")
    # About 4 on a quiet machine, 20 seen with the suite's workers competing for 2 cores (slower steps, more
    # wake-ups); the spinning this guards against made thousands.
    assert claims <= 50
