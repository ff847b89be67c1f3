"""Well-formed deliveries (POST on the webhook path): what the orchestrator receives and what Dimelo is answered."""

import json

import httpx

from gateway.routes import SUBMIT_BATCH_EVENTS

PATH = "/dimelo/webhook"


def content_event(event_id: str, content_id: str, body: str, event_type: str = "content.imported") -> dict:
    return {
        "type": event_type,
        "id": event_id,
        "issued_at": "2024-03-01T10:00:00Z",
        "resource": {"type": "chat/message", "id": content_id, "metadata": {"body": body, "thread_id": "thread-1"}},
    }


async def test_seed_delivery_reaches_the_orchestrator_typed(gateway: httpx.AsyncClient, orchestrator, seed_delivery):
    # In: the seed guide's sample delivery. Out: 200 {"accepted": 1}; the orchestrator gets the typed content.
    response = await gateway.post(PATH, json=seed_delivery)
    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "duplicates": 0, "quarantined": 0}
    [request] = orchestrator.deliveries
    delivery = request.delivery
    assert (delivery.id, delivery.domain_id) == ("50df05692c64ac7799f09a98", "48cc6703bdae1462ce06a555")
    [event] = delivery.events
    assert (event.id, event.type) == ("5950328914bf8a22305f446a", "content.imported")
    assert event.issued_at.ToJsonString() == "2017-06-25T22:00:41.339Z"
    assert not event.HasField("user_id")
    assert (event.resource_type, event.resource_id) == ("answers/private_message", "5950328814bf8abf7f79e3cb")
    content = event.content
    assert content.id == "5950328814bf8abf7f79e3cb"  # the metadata has no id: the resource's
    assert not content.HasField("creator_id")  # null in the seed: written by the customer
    assert content.private_message  # the seed's "private": true
    assert content.thread_id == "541014e17aa58d8ccf000024"
    assert content.source_id == "4f97fbea7aa58d073900344f"
    assert content.author_id == "536cbd9e7aa58d58f3000050"
    assert content.intervention_id == "541014eea90ffb3f600000ac"
    assert content.in_reply_to_id == "541015010f4ca111df0000b0"
    assert content.body == "This is just one more test email, sent automatically"
    assert (content.status, content.created_from, content.body_input_format) == ("assigned", "synchronizer", "text")
    assert content.thread_title == "This is a nagios check thread, please don't delete!"
    assert not content.first_in_thread and not content.has_attachment
    assert json.loads(event.raw_json) == seed_delivery["events"][0]


async def test_several_events_in_one_delivery_are_one_call_in_order(gateway: httpx.AsyncClient, orchestrator):
    # In: three content events, one of which the orchestrator already has. Out: one call with all three in order,
    # answered {"accepted": 2, "duplicates": 1, "quarantined": 0}.
    orchestrator.duplicate_ids.add("e2")
    events = [content_event("e1", "c1", "Hello"), content_event("e2", "c2", "Hi"), content_event("e3", "c3", "Bye")]
    response = await gateway.post(PATH, json={"id": "d1", "domain_id": "dom", "events": events})
    assert response.status_code == 200
    assert response.json() == {"accepted": 2, "duplicates": 1, "quarantined": 0}
    [request] = orchestrator.deliveries
    assert [(e.id, e.content.id, e.content.body) for e in request.delivery.events] == [
        ("e1", "c1", "Hello"),
        ("e2", "c2", "Hi"),
        ("e3", "c3", "Bye"),
    ]


async def test_unknown_event_type_is_forwarded_with_its_raw_json(gateway: httpx.AsyncClient, orchestrator):
    # In: an event type the proxy does not model, with an agent user_id and non-ASCII text. Out: 200, forwarded
    # with the typed envelope, no content, and raw_json the compact re-serialized event (UTF-8 kept as is).
    event = {
        "type": "push_agent.busyness_changed",
        "id": "e-unknown",
        "issued_at": "2024-03-01T10:00:00+01:00",
        "user_id": "agent-7",
        "resource": {"type": "agent", "id": "agent-7", "metadata": {"busyness": "full", "note": "café"}},
    }
    response = await gateway.post(PATH, json={"id": "d2", "events": [event]})
    assert response.status_code == 200
    forwarded = orchestrator.deliveries[0].delivery.events[0]
    assert (forwarded.type, forwarded.user_id) == ("push_agent.busyness_changed", "agent-7")
    assert forwarded.resource_type == "agent"
    assert forwarded.issued_at.ToJsonString() == "2024-03-01T09:00:00Z"
    assert not forwarded.HasField("content")
    assert forwarded.raw_json == json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    assert "café" in forwarded.raw_json


async def test_content_event_keeps_its_own_content_id_and_other_event_kinds(gateway: httpx.AsyncClient, orchestrator):
    # In: a content.replied event whose metadata has its own id, and an event without resource or issued_at.
    # Out: the content keeps the metadata's id; the bare event is forwarded with empty resource fields.
    replied = content_event("e1", "resource-id", "Our answer", "content.replied")
    replied["resource"]["metadata"]["id"] = "metadata-id"
    bare = {"type": "content.thread_closed", "id": "e2"}
    response = await gateway.post(PATH, json={"id": "d3", "events": [replied, bare]})
    assert response.status_code == 200
    first, second = orchestrator.deliveries[0].delivery.events
    assert first.content.id == "metadata-id"
    assert (second.resource_id, second.HasField("content"), second.HasField("issued_at")) == ("", False, False)


async def test_empty_event_list_is_a_delivery_of_nothing(gateway: httpx.AsyncClient, orchestrator):
    # In: a delivery whose events list is empty. Out: 200 {"accepted": 0, "duplicates": 0, "quarantined": 0}.
    response = await gateway.post(PATH, json={"id": "d4", "events": []})
    assert (response.status_code, response.json()) == (200, {"accepted": 0, "duplicates": 0, "quarantined": 0})


async def test_a_large_delivery_goes_to_the_orchestrator_in_batches(open_gateway, settings, orchestrator) -> None:
    # In: a delivery of 2,345 events and one unreadable event. Out: 200 with the counts of all of them; the
    # orchestrator got 3 SubmitDelivery calls of at most SUBMIT_BATCH_EVENTS events, in order, the same delivery
    # id on each, and the quarantine item only with the first.
    gateway = await open_gateway(settings.model_copy(update={"max_body_bytes": 1024 * 1024}))
    events = [{"id": f"e{n}", "type": "survey_response.imported"} for n in range(2345)]
    response = await gateway.post(PATH, json={"id": "d-big", "domain_id": "dom", "events": [*events, 42]})
    assert (response.status_code, response.json()) == (200, {"accepted": 2345, "duplicates": 0, "quarantined": 1})
    sizes = [len(request.delivery.events) for request in orchestrator.deliveries]
    assert sizes == [SUBMIT_BATCH_EVENTS, SUBMIT_BATCH_EVENTS, 2345 - 2 * SUBMIT_BATCH_EVENTS]
    sent = [event.id for request in orchestrator.deliveries for event in request.delivery.events]
    assert sent == [event["id"] for event in events]
    assert {request.delivery.id for request in orchestrator.deliveries} == {"d-big"}
    assert [len(request.quarantine) for request in orchestrator.deliveries] == [1, 0, 0]
