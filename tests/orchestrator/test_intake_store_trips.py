"""A delivery costs the intake one trip to the store: what the store knows (the bot's own replies, the contents
messages follow) is read inside the write that keeps the events."""

from botbridge.events.v1 import events_pb2
from botbridge.orchestrator.v1 import orchestrator_pb2 as pb
from orchestrator.intake import Intake
from orchestrator.store import DONE, PENDING, HistoryMessage
from tests.orchestrator.conftest import customer_message, record_bot_reply


async def test_a_delivery_needing_what_the_store_knows_is_one_trip(open_store, monkeypatch) -> None:
    # In: a 60 s ordering window; a customer's message stored and the bot's reply recorded; then one delivery of
    # Dimelo's echo of that reply and a message in reply to the stored one. Out: one call to the store's database
    # for the delivery; the echo done as the bot's own reply, the message pending and due at once.
    store = await open_store("replica-a")
    intake = Intake(store, [], 60.0, lambda: None, hold_max_seconds=60.0)
    earlier = customer_message(thread_id="thread-old")
    await intake.take_in(delivery(earlier))
    await record_bot_reply(store, "thread-1", HistoryMessage("reply-1", "bot", "We open at nine."))
    echo = customer_message(id="reply-1", creator_id="bot-user")
    echo.type = "content.replied"
    follower = customer_message(in_reply_to_id=earlier.content.id)
    trips = Trips(store._db, monkeypatch)

    await intake.take_in(delivery(echo, follower))

    assert trips.taken == ["write"]
    monkeypatch.undo()
    stored = {record.event_id: record for record in await store.thread_events("thread-1")}
    assert (stored[echo.id].state, stored[echo.id].outcome) == (DONE, "ignored: the bot's own reply")
    assert stored[follower.id].state == PENDING
    assert [claimed.event.id for claimed in await store.claim_next([], 10)] == [follower.id]


def delivery(*events: events_pb2.Event) -> pb.SubmitDeliveryRequest:
    return pb.SubmitDeliveryRequest(delivery=events_pb2.Delivery(id=f"d-{events[0].id}", events=events))


class Trips:
    """The calls made to a database's `run` and `write` (a `run` that PostgreSQL's `write` makes is not another)."""

    def __init__(self, db, monkeypatch) -> None:
        self.taken: list[str] = []
        self._writing = False
        run, write = db.run, db.write

        async def counted_write(work):
            self.taken.append("write")
            self._writing = True
            try:
                return await write(work)
            finally:
                self._writing = False

        def counted_run(work):
            if not self._writing:
                self.taken.append("run")
            return run(work)

        monkeypatch.setattr(db, "write", counted_write)
        monkeypatch.setattr(db, "run", counted_run)
