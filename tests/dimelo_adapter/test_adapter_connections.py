"""The adapter's connections to Dimelo over real TCP: an idle one is not used again after DIMELO_KEEPALIVE_SECONDS,
so that no request goes out on a connection the server is about to close (a reply's POST sent that way fails with
no answer, found in a benchmark against the sandbox, whose server closes idle connections after 5 s)."""

import asyncio

import pytest
from adapter_testkit import adapter_settings, content_json
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dimelo_adapter.client import DimeloClient
from dimelo_sandbox.serve import start_server

KEEPALIVE_SECONDS = 0.3


@pytest.mark.parametrize(("idle_seconds", "connections"), [(0.05, 1), (2 * KEEPALIVE_SECONDS, 2)])
async def test_an_idle_connection_is_used_again_only_within_the_keepalive(idle_seconds, connections):
    """In: DIMELO_KEEPALIVE_SECONDS=0.3; two reads of a content, `idle_seconds` apart, from a server that keeps idle
    connections for 5 s. Out: both on one connection (one client port) when the second comes 0.05 s after the first;
    on a new one when it comes 0.6 s after."""
    client_ports: list[int] = []

    async def content(request: Request) -> JSONResponse:
        assert request.client is not None
        client_ports.append(request.client.port)
        return JSONResponse(content_json())

    server = await start_server(Starlette(routes=[Route("/1.0/contents/{id}", content)]), "127.0.0.1", 0)
    client = DimeloClient(adapter_settings(dimelo_api_url=server.url, dimelo_keepalive_seconds=KEEPALIVE_SECONDS))
    try:
        await client.get_content("c-reply")
        await asyncio.sleep(idle_seconds)
        await client.get_content("c-reply")
    finally:
        await client.aclose()
        await server.stop()

    assert len(client_ports) == 2 and len(set(client_ports)) == connections
