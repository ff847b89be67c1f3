"""Poison in a delivery costs only itself: every other event of the delivery is stored and the delivery gets 200,
on SQLite and on PostgreSQL; what cannot be stored as an event is quarantined alone, with the reason."""

import copy
import json

import pytest

from orchestrator.storable import MAX_ID_CHARS
from tests.intake.conftest import Edge, message

# Every field of a Dimelo content event, as a path into the event (the delivery's own fields are tried apart).
EVENT_FIELDS = [
    ("id",),
    ("type",),
    ("issued_at",),
    ("resource", "type"),
    ("resource", "id"),
    *[("resource", "metadata", key) for key in message("x")["resource"]["metadata"]],
    ("resource", "metadata", "author_id"),
    ("resource", "metadata", "category_ids"),
    ("user_id",),
]
NUL = "a\x00b"
HUGE = "h" * 200_000


def poisoned(path: tuple[str, ...], value: object, event_id: str) -> dict:
    event = message(event_id, thread_id=f"t-{event_id}")
    node = event
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return event


@pytest.mark.parametrize(
    "value", [NUL, HUGE, 10**400, [NUL], {"nested": NUL}], ids=["nul", "huge", "big-int", "list", "object"]
)
async def test_poison_in_any_field_costs_only_its_event(edge: Edge, value: object) -> None:
    # In: for each field of an event, one delivery of that event with `value` in the field, beside a good event.
    # Out: 200 every time, every event accounted for (accepted or quarantined, none lost), the good event stored.
    outcomes = {}
    for position, path in enumerate(EVENT_FIELDS):
        good = message(f"good-{position}", thread_id=f"t-good-{position}")
        bad = poisoned(path, copy.deepcopy(value), f"bad-{position}")
        response = await edge.deliver({"id": f"d-{position}", "domain_id": "dom", "events": [bad, good]})
        assert response.status_code == 200, (path, response.text)
        counts = response.json()
        assert counts["accepted"] + counts["quarantined"] == 2 and counts["duplicates"] == 0, (path, counts)
        assert await edge.store.stored_event(f"good-{position}") is not None, path
        outcomes[".".join(path)] = counts["quarantined"]
    print(f"quarantined per field for {str(value)[:20]!r}: {outcomes}")


@pytest.mark.parametrize("field", ["id", "domain_id"])
@pytest.mark.parametrize("value", [NUL, HUGE, 10**400, {"x": NUL}], ids=["nul", "huge", "big-int", "object"])
async def test_poison_in_the_delivery_fields_stores_every_event(edge: Edge, field: str, value: object) -> None:
    # In: a delivery whose own id or domain id is poison, with two good events. Out: 200, both stored.
    delivery = {"id": "d-1", "domain_id": "dom", "events": [message("e-1"), message("e-2")], field: value}
    response = await edge.deliver(delivery)
    assert (response.status_code, response.json()["accepted"]) == (200, 2)


async def test_nul_characters_are_replaced_and_the_raw_json_keeps_them(edge: Edge) -> None:
    # In: an event with NUL in its id, thread id and body. Out: stored with U+FFFD in those typed fields (both stores
    # take them), the raw JSON still holding the NULs, escaped.
    event = message("e\x00nul", thread_id="t\x00nul", body="hi\x00there")
    response = await edge.deliver({"id": "d", "events": [event]})
    assert response.json()["accepted"] == 1
    stored = await edge.store.stored_event("e\ufffdnul")
    assert (stored.content.thread_id, stored.content.body) == ("t\ufffdnul", "hi\ufffdthere")
    assert json.loads(stored.raw_json)["resource"]["metadata"]["body"] == "hi\x00there"


async def test_one_bad_event_among_fifty(edge: Edge) -> None:
    # In: a delivery of 49 good events and, at position 17, one without an id. Out: 200, 49 accepted and
    # 1 quarantined; the 49 are stored, the quarantine holds the bad event alone with the reason.
    events = [message(f"e-{n}", thread_id="t-fifty") for n in range(49)]
    events.insert(17, {"type": "content.imported", "resource": {"id": "c-x"}})
    response = await edge.deliver({"id": "d-50", "domain_id": "dom", "events": events})
    assert (response.status_code, response.json()) == (200, {"accepted": 49, "duplicates": 0, "quarantined": 1})
    assert len(await edge.store.thread_events("t-fifty")) == 49
    [(_, reason, _, body)] = await edge.store.quarantined()
    assert reason == 'event 17 has no string "id"'
    assert json.loads(body)["events"] == [events[17]]


async def test_ids_too_long_to_index_are_quarantined_by_the_orchestrator(edge: Edge) -> None:
    # In: events whose id, content id or thread id is one character over what the store indexes, beside a good one.
    # Out: 200; the three are quarantined with the reason, the good one stored.
    long = "x" * (MAX_ID_CHARS + 1)
    events = [message(long), message("e-2", id=long), message("e-3", thread_id=long), message("e-4")]
    response = await edge.deliver({"id": "d", "events": events})
    assert response.json() == {"accepted": 1, "duplicates": 0, "quarantined": 3}
    reasons = sorted(reason for _, reason, _, _ in await edge.store.quarantined())
    assert reasons == [
        f"the event's {name} has {MAX_ID_CHARS + 1} characters (at most {MAX_ID_CHARS})"
        for name in ("content id", "id", "thread id")
    ]


async def test_a_one_mib_body_that_grows_past_grpcs_default_limit_is_taken(edge: Edge) -> None:
    # In: a 1 MiB body whose resource id (copied into the content id when the metadata has none) makes the parsed
    # delivery over 4 MB, gRPC's default message limit, beside a good event. Out: 200 (not 503 forever): the huge
    # event quarantined (its content id is too long to index), the good one stored.
    huge = {"id": "e-huge", "type": "content.imported", "resource": {"id": "r" * 1_040_000, "metadata": {}}}
    body = json.dumps({"id": "d", "events": [huge, message("e-good")]}).encode()
    assert len(body) <= 1024 * 1024
    response = await edge.deliver(body)
    assert (response.status_code, response.json()["accepted"], response.json()["quarantined"]) == (200, 1, 1)
