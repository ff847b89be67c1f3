"""The subscription handshake (GET on the webhook path): the challenge comes back only to the right caller."""

import httpx
import pytest

from gateway.settings import GatewaySettings

PATH = "/dimelo/webhook"


def handshake(settings: GatewaySettings, **overrides: str | None) -> dict[str, str]:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": settings.verify_token.get_secret_value(),
        "hub.challenge": "jfkjdsvfqgbqsvbfqkv",
        **overrides,
    }
    return {name: value for name, value in params.items() if value is not None}


async def test_valid_handshake_answers_the_bare_challenge_as_html(gateway: httpx.AsyncClient, settings) -> None:
    # In: mode subscribe, the right token and secret. Out: 200, text/html, the body is exactly the challenge.
    response = await gateway.get(PATH, params=handshake(settings, **{"hub.challenge": "a b\"c'1"}))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == "a b\"c'1"


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"hub.verify_token": "wrong-token"}, 403),
        ({"hub.verify_token": None}, 403),
        ({"hub.mode": "unsubscribe"}, 400),
        ({"hub.mode": None}, 400),
        ({"hub.challenge": None}, 400),
        ({"hub.challenge": ""}, 400),
    ],
)
async def test_wrong_handshake_is_refused_without_echoing_tokens(
    gateway: httpx.AsyncClient, settings, overrides: dict, status: int
) -> None:
    # In: a wrong or missing token, mode or challenge. Out: 403 or 400 with a plain reason, no token in it.
    response = await gateway.get(PATH, params=handshake(settings, **overrides))
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/plain")
    assert "jfkjdsvfqgbqsvbfqkv" not in response.text
    assert settings.verify_token.get_secret_value() not in response.text
    assert "wrong-token" not in response.text


async def test_handshake_needs_no_secret_when_none_is_configured(open_gateway, settings) -> None:
    # In: no webhook secret configured, no header, a custom webhook path. Out: 200 with the challenge there.
    unsigned = {"webhook_secret": None, "allow_unsigned": True, "webhook_path": "/hooks/dd"}
    client = await open_gateway(settings.model_copy(update=unsigned))
    response = await client.get("/hooks/dd", params=handshake(settings))
    assert response.status_code == 200
    assert response.text == "jfkjdsvfqgbqsvbfqkv"
