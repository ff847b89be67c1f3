"""Intake when the store refuses a delivery's events together: each is tried alone, the one refused alone is
quarantined with the store's reason, and a store that takes nothing fails the call (so Dimelo sends it again).

The store is the real one (SQLite) with a refusal injected for one event id: no real value is known that passes
intake's own checks and still makes a store fail, which is the point of those checks."""

import sqlite3
from pathlib import Path

import psycopg
import pytest

from botbridge.events.v1 import events_pb2
from botbridge.orchestrator.v1 import orchestrator_pb2 as pb
from orchestrator.database import Database
from orchestrator.intake import Intake
from orchestrator.store import DONE, HistoryMessage, Store
from tests.orchestrator.conftest import customer_message, record_bot_reply


class RefusingStore(Store):
    """Refuses any write of events holding `poison` with `poison_error`; with `down`, refuses every write
    (quarantine included)."""

    poison = ""
    poison_error: Exception = ValueError("refused on purpose")
    down = False

    async def accept(self, events, *args, **kwargs):
        if self.down:
            raise ValueError("refused on purpose")
        if any(event.id == self.poison for event in events):
            raise self.poison_error
        return await super().accept(events, *args, **kwargs)

    async def quarantine(self, items):
        if self.down:
            raise ConnectionError("the store is down")
        return await super().quarantine(items)


@pytest.fixture
async def store(tmp_path: Path):
    database = await Database.open(tmp_path / "store.sqlite3")
    opened = await RefusingStore.open(database, lease_seconds=30)
    yield opened
    await opened.close()


def delivery(*events: events_pb2.Event) -> pb.SubmitDeliveryRequest:
    return pb.SubmitDeliveryRequest(delivery=events_pb2.Delivery(id="d", events=events))


async def test_the_event_the_store_refuses_alone_is_quarantined_and_the_others_stored(store: RefusingStore) -> None:
    # In: three events, the store refusing the second. Out: receipts accepted, quarantined (with an id), accepted;
    # the first and third stored, the second in quarantine with the store's error class as the reason.
    first, poison, third = customer_message(), customer_message(), customer_message()
    store.poison = poison.id
    woken = []
    answer = await Intake(store, [], 0.0, lambda: woken.append(True), hold_max_seconds=0.0).take_in(
        delivery(first, poison, third)
    )

    dispositions = [(r.event_id, r.disposition, bool(r.quarantine_id)) for r in answer.receipts]
    assert dispositions == [
        (first.id, pb.EVENT_DISPOSITION_ACCEPTED, False),
        (poison.id, pb.EVENT_DISPOSITION_QUARANTINED, True),
        (third.id, pb.EVENT_DISPOSITION_ACCEPTED, False),
    ]
    assert await store.stored_event(first.id) is not None and await store.stored_event(third.id) is not None
    assert await store.stored_event(poison.id) is None
    [(quarantine_id, reason, _, _)] = await store.quarantined()
    assert (quarantine_id, reason) == (answer.receipts[1].quarantine_id, "the store refused the event (ValueError)")
    assert woken


async def test_a_store_that_takes_nothing_fails_the_delivery(store: RefusingStore) -> None:
    # In: a delivery while the store refuses every write. Out: take_in raises (the gateway answers 503); nothing
    # is stored or quarantined.
    store.down = True
    with pytest.raises((ValueError, ConnectionError)):
        await Intake(store, [], 0.0, lambda: None, hold_max_seconds=0.0).take_in(delivery(customer_message()))
    store.down = False
    assert await store.quarantined() == []


@pytest.mark.parametrize(
    "unwell",
    [sqlite3.OperationalError("database or disk is full"), psycopg.OperationalError("connection lost")],
    ids=["sqlite-disk-full", "postgres-connection-lost"],
)
async def test_a_store_that_cannot_write_now_quarantines_nothing(store: RefusingStore, unwell: Exception) -> None:
    # In: three events; the store's write of the second fails the way a full disk or a lost connection does (the
    # quarantine itself would still fit). Out: take_in raises that error (the gateway answers 503, Dimelo sends
    # the delivery again); nothing is quarantined, so the customer's message is not set aside as if it were poison.
    first, unlucky, third = customer_message(), customer_message(), customer_message()
    store.poison, store.poison_error = unlucky.id, unwell
    with pytest.raises(type(unwell)):
        await Intake(store, [], 0.0, lambda: None, hold_max_seconds=0.0).take_in(delivery(first, unlucky, third))
    assert await store.quarantined() == []
    assert await store.stored_event(unlucky.id) is None


async def test_events_stored_one_at_a_time_are_still_taken_in_on_what_the_store_knows(store: RefusingStore) -> None:
    # In: a 60 s ordering window; a customer's message stored (held) and the bot's reply recorded; then a delivery
    # of an event the store refuses, Dimelo's echo of the bot's reply, and a message in reply to the stored one.
    # Out: the refused event quarantined; the echo done as the bot's own reply; the message pending and due at once
    # (its predecessor is here), while the stored one is still held.
    intake = Intake(store, [], 60.0, lambda: None, hold_max_seconds=60.0)
    earlier = customer_message(thread_id="thread-old")
    await intake.take_in(delivery(earlier))
    await record_bot_reply(store, "thread-1", HistoryMessage("reply-1", "bot", "We open at nine."))
    poison, echo = customer_message(), customer_message(id="reply-1", creator_id="bot-user")
    echo.type = "content.replied"
    follower = customer_message(in_reply_to_id=earlier.content.id)
    store.poison = poison.id

    answer = await intake.take_in(delivery(poison, echo, follower))

    assert [r.disposition for r in answer.receipts] == [
        pb.EVENT_DISPOSITION_QUARANTINED,
        pb.EVENT_DISPOSITION_ACCEPTED,
        pb.EVENT_DISPOSITION_ACCEPTED,
    ]
    stored = {record.event_id: record for record in await store.thread_events("thread-1")}
    assert (stored[echo.id].state, stored[echo.id].outcome) == (DONE, "ignored: the bot's own reply")
    assert [claimed.event.id for claimed in await store.claim_next([], 10)] == [follower.id]
