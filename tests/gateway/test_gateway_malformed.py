"""Bodies that are not deliveries: quarantined with the orchestrator and refused with 400; oversize bodies: 413."""

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
        (b'{"events": [42]}', "event 0 is not an object"),
        (b'{"events": [{"id": "e1", "type": "x"}, {"type": "content.imported"}]}', 'event 1 has no string "id"'),
        (b'{"events": [{"id": 7, "type": "content.imported"}]}', 'event 0 has no string "id"'),
        (b'{"events": [{"id": "e1"}]}', 'event 0 has no string "type"'),
        (b'{"events": [{"id": "e1", "type": "x", "issued_at": "yesterday"}]}', "event 0 has an unreadable field"),
        (b'{"events": [{"id": "\\ud800", "type": "x"}]}', "event 0 has an unreadable field"),
        (
            b'{"events": [{"id": "e1", "type": "content.imported", "resource": {"metadata": {"category_ids": 5}}}]}',
            "event 0 has an unreadable field",
        ),
    ],
)
async def test_malformed_body_is_quarantined_and_refused(
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
