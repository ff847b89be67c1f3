"""A thread's contents written in the same millisecond (Dimelo's `issued_at` resolution) tie on issued_at: the
queue then follows their `in_reply_to_id` chain, whatever order they were delivered in (SQLite and PostgreSQL)."""

from orchestrator.store import DONE
from orchestrator.store.intake_queue import due_at_once
from tests.orchestrator.conftest import customer_message


def chain(thread_id: str, length: int, millis: int) -> list:
    """`length` customer messages of one thread, each in reply to the one before, all issued in one millisecond."""
    messages = [customer_message(thread_id, in_reply_to_id="content-before")]
    for _ in range(length - 1):
        messages.append(customer_message(thread_id, in_reply_to_id=messages[-1].content.id))
    for message in messages:
        message.issued_at.FromMilliseconds(millis)
    return messages


async def processed_in_order(store, thread_id: str, count: int) -> list[str]:
    """Claims and finishes the thread's head `count` times; returns the content ids in the order processed."""
    order = []
    for _ in range(count):
        [head] = await store.claim_next([], 10)
        assert head.thread_id == thread_id
        order.append(head.event.content.id)
        await store.finish(head.event.id, DONE, "answered", head.lease)
    return order


async def test_a_follower_delivered_first_with_an_equal_issued_at_is_processed_after_its_predecessor(open_store):
    """In: m1 and m2 (in reply to m1) issued in the same millisecond, m2 delivered (and stored) first, both due.
    Out: the thread's head is m1, then m2."""
    store = await open_store("replica-a")
    m1, m2 = chain("thread-1", 2, 1_795_925_478_987)
    await store.accept([m2], "d-1", due_at_once)
    await store.accept([m1], "d-2", due_at_once)

    assert await processed_in_order(store, "thread-1", 2) == [m1.content.id, m2.content.id]


async def test_a_chain_of_three_delivered_scrambled_with_an_equal_issued_at_is_processed_in_chain_order(open_store):
    """In: m1 <- m2 <- m3 (each in reply to the one before) issued in one millisecond, delivered m3, m1, m2 (one
    delivery each). Out: processed m1, m2, m3."""
    store = await open_store("replica-a")
    m1, m2, m3 = chain("thread-1", 3, 1_795_925_478_987)
    for number, message in enumerate((m3, m1, m2)):
        await store.accept([message], f"d-{number}", due_at_once)

    assert await processed_in_order(store, "thread-1", 3) == [m1.content.id, m2.content.id, m3.content.id]


async def test_events_of_one_delivery_with_an_equal_issued_at_keep_their_chain_order(open_store):
    """In: m2 then m1 (m2 in reply to m1) in one delivery, equal issued_at. Out: processed m1, then m2."""
    store = await open_store("replica-a")
    m1, m2 = chain("thread-1", 2, 1_795_925_478_987)
    await store.accept([m2, m1], "d-1", due_at_once)

    assert await processed_in_order(store, "thread-1", 2) == [m1.content.id, m2.content.id]
