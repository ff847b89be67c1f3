"""The gateway under a real uvicorn over loopback HTTP: handshake and delivery through to the fake orchestrator."""

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from gateway.app import create_app
from gateway.settings import GatewaySettings


@pytest.fixture
async def served(settings: GatewaySettings) -> AsyncIterator[str]:
    """The app under uvicorn on a listening socket bound to port 0 (so requests queue until uvicorn accepts)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_config=None, access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def test_handshake_and_delivery_over_real_http(served: str, settings, orchestrator, seed_delivery) -> None:
    # In: Dimelo's handshake, then the seed delivery, over HTTP. Out: the bare challenge as text/html, then 200
    # with the delivery stored by the orchestrator.
    secret = {"X-Dimelo-Secret": settings.webhook_secret.get_secret_value()}
    token = settings.verify_token.get_secret_value()
    params = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "xyz"}
    async with httpx.AsyncClient(base_url=served, headers=secret, timeout=5) as client:
        handshake = await client.get("/dimelo/webhook", params=params)
        assert (handshake.status_code, handshake.text) == (200, "xyz")
        assert handshake.headers["content-type"].startswith("text/html")
        delivery = await client.post("/dimelo/webhook", json=seed_delivery)
        assert (delivery.status_code, delivery.json()) == (200, {"accepted": 1, "duplicates": 0, "quarantined": 0})
        assert (await client.get("/readyz")).status_code == 200
    assert orchestrator.deliveries[0].delivery.events[0].id == "5950328914bf8a22305f446a"
