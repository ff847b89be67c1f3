"""The adapter's connections to Dimelo over real TCP: an idle one is not used again after DIMELO_KEEPALIVE_SECONDS,
so that no request goes out on a connection the server is about to close (a reply's POST sent that way fails with
no answer, found in a benchmark against the sandbox, whose server closes idle connections after 5 s)."""

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from adapter_testkit import adapter_settings, content_json

from dimelo_adapter.client import DimeloClient

KEEPALIVE_SECONDS = 0.3


class CountingServer:
    """Answers every HTTP/1.1 request with one content, keeping the connection open; counts the connections."""

    def __init__(self) -> None:
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        body = json.dumps(content_json()).encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(head.encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    running = CountingServer()
    await running.start()
    yield running
    await running.stop()


@pytest.mark.parametrize(("idle_seconds", "connections"), [(0.05, 1), (2 * KEEPALIVE_SECONDS, 2)])
async def test_an_idle_connection_is_used_again_only_within_the_keepalive(server, idle_seconds, connections):
    """In: DIMELO_KEEPALIVE_SECONDS=0.3; two reads of a content, `idle_seconds` apart. Out: one connection for both
    when the second comes 0.05 s after the first; a new one for the second when it comes 0.6 s after."""
    settings = adapter_settings(
        dimelo_api_url=f"http://127.0.0.1:{server.port}", dimelo_keepalive_seconds=KEEPALIVE_SECONDS
    )
    client = DimeloClient(settings)
    try:
        await client.get_content("c-reply")
        await asyncio.sleep(idle_seconds)
        await client.get_content("c-reply")
    finally:
        await client.aclose()

    assert server.connections == connections
