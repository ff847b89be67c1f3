"""X-Dimelo-Secret on both webhook methods: the handshake refuses with 403, a delivery with 401 (missing) or 403."""

import logging

import httpx
import pytest

PATH = "/dimelo/webhook"


def request_with_secret(client: httpx.AsyncClient, method: str, secret: str | bytes | None, **kwargs):
    """A webhook request whose X-Dimelo-Secret is `secret` instead of the right one, or absent for None."""
    request = client.build_request(method, PATH, headers={"X-Dimelo-Secret": secret or ""}, **kwargs)
    if secret is None:
        del request.headers["X-Dimelo-Secret"]
    return request


@pytest.mark.parametrize("secret", [None, "wrong-secret", "webhook-secret-45", "sécret".encode()])
async def test_handshake_without_the_right_secret_is_refused(gateway: httpx.AsyncClient, settings, secret) -> None:
    # In: a correct handshake whose X-Dimelo-Secret is missing, wrong, a prefix, non-ASCII. Out: 403, no challenge.
    token = settings.verify_token.get_secret_value()
    params = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "c1"}
    response = await gateway.send(request_with_secret(gateway, "GET", secret, params=params))
    assert response.status_code == 403
    assert response.text != "c1"
    assert settings.webhook_secret.get_secret_value() not in response.text


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong-secret", 403)])
async def test_delivery_without_the_right_secret_is_refused_and_not_stored(
    gateway: httpx.AsyncClient, orchestrator, seed_delivery, secret: str | None, status: int
) -> None:
    # In: the seed delivery with X-Dimelo-Secret missing or wrong. Out: 401/403; nothing submitted or quarantined.
    response = await gateway.send(request_with_secret(gateway, "POST", secret, json=seed_delivery))
    assert response.status_code == status
    assert orchestrator.deliveries == [] and orchestrator.quarantined == []


async def test_unsigned_deliveries_only_when_waived_and_with_a_warning_at_start(
    open_gateway, settings, orchestrator, seed_delivery, caplog: pytest.LogCaptureFixture
):
    # In: no secret, GATEWAY_ALLOW_UNSIGNED=true, a delivery sent without X-Dimelo-Secret. Out: a WARNING at start
    # naming the waiver; the delivery is stored (200).
    with caplog.at_level(logging.WARNING, logger="gateway"):
        client = await open_gateway(settings.model_copy(update={"webhook_secret": None, "allow_unsigned": True}))
    [warning] = [r for r in caplog.records if r.name == "gateway.app"]
    assert warning.levelno == logging.WARNING and "GATEWAY_ALLOW_UNSIGNED=true" in warning.getMessage()
    response = await client.post(PATH, json=seed_delivery)
    assert response.status_code == 200
    assert len(orchestrator.deliveries) == 1
