"""Bodies that are not deliveries: quarantined with the orchestrator and refused with 400; unreadable events:
quarantined one by one, the delivery's other events stored, 200; oversize bodies: 413."""

import json
import logging

import grpc
import httpx
import pytest

PATH = "/dimelo/webhook"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json at all", "the body is not JSON"),
        (b"\xff\xfe\x00garbage", "the body is not JSON"),
        (b"[" * 5000, "the body is not JSON"),  # too deep to parse
        (b"", "the body is not JSON"),
        (b'["events"]', "the body is not a JSON object"),
        (b'{"id": "d1", "events": {"type": "content.imported"}}', '"events" is missing or not a list'),
        (b'{"id": "d1"}', '"events" is missing or not a list'),
    ],
)
async def test_body_that_is_not_a_delivery_is_quarantined_and_refused(
    gateway: httpx.AsyncClient, orchestrator, body: bytes, reason: str
) -> None:
    # In: a body that is not a delivery. Out: 400 {"error": "malformed_delivery", reason, quarantine id};
    # the orchestrator keeps the exact bytes with the reason, and stores no delivery.
    response = await gateway.post(PATH, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    answer = response.json()
    assert answer["error"] == "malformed_delivery"
    assert answer["message"].startswith(reason)
    assert answer["quarantine_id"] == "quarantine-1"
    [kept] = orchestrator.quarantined
    assert kept.body == body
    assert kept.reason == answer["message"]
    assert orchestrator.deliveries == []


GOOD = {"id": "good-1", "type": "content.imported", "resource": {"type": "x", "id": "c1", "metadata": {}}}


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (42, "event 0 is not an object"),
        ({"type": "content.imported"}, 'event 0 has no string "id"'),
        ({"id": 7, "type": "content.imported"}, 'event 0 has no string "id"'),
        ({"id": "e1"}, 'event 0 has no string "type"'),
        ({"id": "e1", "type": "x", "issued_at": "yesterday"}, "event 0 has an unreadable field"),
        ({"id": "e1", "type": "x", "issued_at": 1e300}, "event 0 has an unreadable field"),
        (
            {"id": "e1", "type": "content.imported", "resource": {"metadata": {"category_ids": 5}}},
            "event 0 has an unreadable field",
        ),
        ([[[[["deep"]]]] * 3], "event 0 is not an object"),
    ],
)
async def test_unreadable_event_is_quarantined_alone_and_the_delivery_stored(
    gateway: httpx.AsyncClient, orchestrator, bad: object, reason: str
) -> None:
    # In: a delivery of one unreadable event then a good one. Out: 200 {"accepted": 1, "quarantined": 1}; the good
    # event goes to the orchestrator typed, the bad one goes along as a quarantine item: a delivery body holding
    # only it (so that a replay parses it again), with the reason.
    body = {"id": "d1", "domain_id": "dom", "events": [bad, GOOD]}
    response = await gateway.post(PATH, json=body)
    assert (response.status_code, response.json()) == (200, {"accepted": 1, "duplicates": 0, "quarantined": 1})
    [request] = orchestrator.deliveries
    assert [event.id for event in request.delivery.events] == ["good-1"]
    [item] = request.quarantine
    assert item.reason.startswith(reason)
    assert json.loads(item.body) == {"id": "d1", "domain_id": "dom", "events": [bad]}
    assert orchestrator.quarantined == []


@pytest.mark.parametrize("escape", [b"\\ud800", b"\\uDFFF", b"\\uDc00"])
async def test_lone_surrogates_and_bytes_not_utf8_become_replacement_characters(
    gateway: httpx.AsyncClient, orchestrator, escape: bytes
) -> None:
    # In: an event whose id ends in a lone surrogate escape (high or low, any case) and whose body holds a byte that
    # is not UTF-8 (neither can travel in a protobuf string). Out: 200, the event stored with U+FFFD in their place.
    body = (
        b'{"events": [{"id": "e-' + escape + b'", "type": "content.imported",'
        b' "resource": {"id": "c1", "metadata": {"body": "caf\xe9"}}}]}'
    )
    response = await gateway.post(PATH, content=body)
    assert response.status_code == 200
    [event] = orchestrator.deliveries[0].delivery.events
    assert (event.id, event.content.body) == ("e-\ufffd", "caf\ufffd")


async def test_quarantine_is_logged_as_a_warning_without_the_body(
    gateway: httpx.AsyncClient, orchestrator, caplog: pytest.LogCaptureFixture
) -> None:
    # In: a non-JSON body holding a customer's words. Out: one WARNING with the reason and quarantine id, no body.
    with caplog.at_level(logging.WARNING, logger="gateway"):
        await gateway.post(PATH, content=b"my card number is 4242")
    [record] = [r for r in caplog.records if r.name.startswith("gateway")]
    assert record.levelno == logging.WARNING
    assert record.quarantine_id == "quarantine-1"
    assert record.reason.startswith("the body is not JSON")
    assert "4242" not in caplog.text


async def test_malformed_body_while_the_orchestrator_fails_is_503(gateway: httpx.AsyncClient, orchestrator) -> None:
    # In: a malformed body while the orchestrator cannot quarantine it. Out: 503 not_stored, so Dimelo sends it again.
    orchestrator.failure = grpc.StatusCode.UNAVAILABLE
    response = await gateway.post(PATH, content=b"{oops")
    assert response.status_code == 503
    assert response.json()["error"] == "not_stored"


async def test_body_declared_over_the_limit_is_413(gateway: httpx.AsyncClient, orchestrator, settings) -> None:
    # In: a body one byte over GATEWAY_MAX_BODY_BYTES. Out: 413; nothing submitted nor quarantined.
    response = await gateway.post(PATH, content=b" " * (settings.max_body_bytes + 1))
    assert response.status_code == 413
    assert orchestrator.deliveries == [] and orchestrator.quarantined == []


async def test_streamed_body_over_the_limit_is_413_while_reading(gateway: httpx.AsyncClient, orchestrator, settings):
    # In: a chunked body (no Content-Length) that passes the limit on its third chunk, and would go on forever.
    # Out: 413 once the limit is passed; the rest is never read.
    chunk, sent = b"x" * (settings.max_body_bytes // 2), []

    async def endless():
        for _ in range(1000):
            sent.append(chunk)
            yield chunk

    response = await gateway.post(PATH, content=endless())
    assert response.status_code == 413
    assert len(sent) < 10
    assert orchestrator.deliveries == [] and orchestrator.quarantined == []


async def test_body_at_the_limit_is_read(gateway: httpx.AsyncClient, orchestrator, settings) -> None:
    # In: a valid delivery padded with spaces to exactly the limit. Out: stored (200).
    body = b'{"events": []}'
    response = await gateway.post(PATH, content=body + b" " * (settings.max_body_bytes - len(body)))
    assert response.status_code == 200
