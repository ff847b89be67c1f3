"""The gateway counts each webhook request by outcome, the events of stored deliveries by type and disposition,
and the handshakes; /metrics serves them in Prometheus' text format."""

import grpc
import httpx
from prometheus_client import REGISTRY


def deliveries(outcome: str) -> float:
    return REGISTRY.get_sample_value("botbridge_webhook_deliveries_total", {"outcome": outcome}) or 0.0


def events(event_type: str, disposition: str) -> float:
    labels = {"type": event_type, "disposition": disposition}
    return REGISTRY.get_sample_value("botbridge_webhook_events_total", labels) or 0.0


def handshakes(outcome: str) -> float:
    return REGISTRY.get_sample_value("botbridge_webhook_handshakes_total", {"outcome": outcome}) or 0.0


async def test_stored_and_duplicate_events_are_counted_by_type(gateway: httpx.AsyncClient, orchestrator, seed_delivery):
    """In: the seed delivery twice, the orchestrator calling its event a duplicate the second time, then a delivery
    of an unknown event type. Out: 3 stored deliveries; the content.imported event once accepted and once a
    duplicate; the unknown type counted as "other" (never its own label)."""
    before = (deliveries("stored"), events("content.imported", "accepted"), events("content.imported", "duplicate"))
    other = events("other", "accepted")
    assert (await gateway.post("/dimelo/webhook", json=seed_delivery)).status_code == 200
    orchestrator.duplicate_ids.add(seed_delivery["events"][0]["id"])
    assert (await gateway.post("/dimelo/webhook", json=seed_delivery)).status_code == 200
    novel = {"id": "d-2", "domain_id": "x", "events": [{"id": "e-new", "type": "brand_new.thing"}]}
    assert (await gateway.post("/dimelo/webhook", json=novel)).status_code == 200

    after = (deliveries("stored"), events("content.imported", "accepted"), events("content.imported", "duplicate"))
    assert after == (before[0] + 3, before[1] + 1, before[2] + 1)
    assert events("other", "accepted") == other + 1
    unbounded = {"type": "brand_new.thing", "disposition": "accepted"}
    assert REGISTRY.get_sample_value("botbridge_webhook_events_total", unbounded) is None


async def test_refusals_are_counted_by_outcome(gateway: httpx.AsyncClient, orchestrator, settings, seed_delivery):
    """In: a delivery without the secret, one with a wrong secret, one too large, one malformed, then one while the
    orchestrator fails. Out: unauthorized, forbidden, too_large, quarantined and not_stored each counted once."""
    outcomes = ("unauthorized", "forbidden", "too_large", "quarantined", "not_stored")
    before = {outcome: deliveries(outcome) for outcome in outcomes}

    unsigned = gateway.build_request("POST", "/dimelo/webhook", json=seed_delivery)
    del unsigned.headers["X-Dimelo-Secret"]
    assert (await gateway.send(unsigned)).status_code == 401
    wrong = {"X-Dimelo-Secret": "wrong"}
    assert (await gateway.post("/dimelo/webhook", json=seed_delivery, headers=wrong)).status_code == 403
    too_large = b"x" * (settings.max_body_bytes + 1)
    assert (await gateway.post("/dimelo/webhook", content=too_large)).status_code == 413
    assert (await gateway.post("/dimelo/webhook", content=b"not json")).status_code == 400
    orchestrator.failure = grpc.StatusCode.INTERNAL  # not retried by the channel: the test stays fast
    assert (await gateway.post("/dimelo/webhook", json=seed_delivery)).status_code == 503

    assert {outcome: deliveries(outcome) - before[outcome] for outcome in outcomes} == dict.fromkeys(outcomes, 1)


async def test_handshakes_are_counted_and_metrics_are_served(gateway: httpx.AsyncClient, settings):
    """In: a handshake with the right verify token, one with a wrong one, then GET /metrics. Out: one confirmed and
    one refused handshake; the page is Prometheus text holding the gateway's metrics and none of its secrets."""
    before = (handshakes("confirmed"), handshakes("refused"))
    token = settings.verify_token.get_secret_value()
    for verify_token, status in ((token, 200), ("wrong", 403)):
        params = {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": "c"}
        assert (await gateway.get("/dimelo/webhook", params=params)).status_code == status

    assert (handshakes("confirmed"), handshakes("refused")) == (before[0] + 1, before[1] + 1)
    page = await gateway.get("/metrics")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    assert "botbridge_webhook_deliveries_total" in page.text
    assert "grpc_client_handled_total" in page.text
    assert token not in page.text and settings.webhook_secret.get_secret_value() not in page.text
