"""What the gateway reads from an event beyond its envelope: a content's capabilities, an intervention's thread."""

import json

from service_kit.webhook_delivery import delivery_request


def _delivery(*events: dict) -> bytes:
    return json.dumps({"id": "d-1", "domain_id": "dom", "events": list(events)}).encode()


def test_content_events_carry_capabilities_and_intervention_events_their_thread():
    # In: a content.imported whose metadata lists capabilities_supported, and an intervention.closed (events.md's
    # intervention metadata). Out: the capabilities on the content; the intervention's id, thread, source, owner
    # and categories on the event's intervention.
    content = {
        "id": "e-1",
        "type": "content.imported",
        "issued_at": "2026-01-01T00:00:00Z",
        "resource": {
            "type": "chat/message",
            "id": "c-1",
            "metadata": {"thread_id": "t-1", "body": "hi", "capabilities_supported": ["select", "template"]},
        },
    }
    closed = {
        "id": "e-2",
        "type": "intervention.closed",
        "user_id": "agent-7",
        "resource": {
            "type": "intervention",
            "id": "iv-1",
            "metadata": {
                "thread_id": "t-1",
                "source_id": "s-1",
                "user_id": "agent-7",
                "category_ids": ["cat-a"],
                "closed_at": "2026-01-01T00:01:00Z",
            },
        },
    }

    first, second = delivery_request(_delivery(content, closed)).delivery.events

    assert list(first.content.capabilities_supported) == ["select", "template"]
    assert not first.HasField("intervention")
    assert (second.intervention.id, second.intervention.thread_id, second.intervention.source_id) == (
        "iv-1",
        "t-1",
        "s-1",
    )
    assert second.intervention.user_id == "agent-7" and list(second.intervention.category_ids) == ["cat-a"]
    assert not second.HasField("content")


def _nested(depth: int) -> dict:
    value: object = "bottom"
    for _ in range(depth):
        value = {"down": value}
    return {"id": "e-deep", "type": "content.imported", "resource": {"id": "c-deep", "metadata": {"extra": value}}}


def test_an_event_is_judged_on_its_own_text_whatever_its_neighbours_hold():
    """In: an event nested 600 deep, alone, then beside an event whose id is a lone surrogate escape. Out: the deep
    event is kept the same way both times (stored, its raw JSON whole); the neighbour is stored with U+FFFD."""
    deep = _nested(600)
    alone = delivery_request(_delivery(deep))
    neighbour = b', {"id": "e-\\ud800", "type": "content.imported", "resource": {"id": "c-2"}}]}'
    beside = delivery_request(_delivery(deep)[:-2] + neighbour)
    assert [e.id for e in alone.delivery.events] == ["e-deep"] and not alone.quarantine
    assert [e.id for e in beside.delivery.events] == ["e-deep", "e-\ufffd"] and not beside.quarantine
    assert beside.delivery.events[0].raw_json == alone.delivery.events[0].raw_json
