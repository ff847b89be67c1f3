"""The gateway under its own uvicorn configuration cuts off slow clients: headers, body, and idle kept-alive
connections each have a deadline (short ones here, so the test waits for the server's move, not a clock)."""

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
import uvicorn

from gateway.server import server_config
from gateway.settings import GatewaySettings

DEADLINE = 0.3
# How long the test waits for the server to act before calling it a failure (well past every deadline).
PATIENCE = 10.0


@pytest.fixture
async def served(settings: GatewaySettings) -> AsyncIterator[tuple[str, int]]:
    """The gateway served by uvicorn with server_config(settings) and short read deadlines, on a loopback port."""
    deadlines = {
        "header_read_timeout_seconds": DEADLINE,
        "body_read_timeout_seconds": DEADLINE,
        "keep_alive_timeout_seconds": DEADLINE,
    }
    server = uvicorn.Server(server_config(settings.model_copy(update=deadlines)))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield "127.0.0.1", sock.getsockname()[1]
    finally:
        server.should_exit = True
        await task
        sock.close()


async def _read_until_closed(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.read(), PATIENCE)


async def test_headers_sent_too_slowly_get_the_connection_closed(served, orchestrator) -> None:
    # In: a request line and one header, then nothing (a slowloris). Out: the server closes the connection without
    # an answer; nothing reaches the orchestrator.
    reader, writer = await asyncio.open_connection(*served)
    writer.write(b"POST /dimelo/webhook HTTP/1.1\r\nHost: gateway\r\n")
    await writer.drain()
    assert await _read_until_closed(reader) == b""
    writer.close()
    assert orchestrator.deliveries == []


async def test_a_body_sent_too_slowly_is_refused_with_408(served, settings, orchestrator) -> None:
    # In: a signed POST announcing 100 bytes of body and sending 10. Out: 408, then the connection closes; nothing
    # reaches the orchestrator.
    reader, writer = await asyncio.open_connection(*served)
    secret = settings.webhook_secret.get_secret_value().encode()
    writer.write(
        b"POST /dimelo/webhook HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
        b"X-Dimelo-Secret: " + secret + b"\r\nContent-Length: 100\r\n\r\n" + b'{"events":'
    )
    await writer.drain()
    answer = await _read_until_closed(reader)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    writer.close()
    assert orchestrator.deliveries == []


async def test_an_idle_kept_alive_connection_is_closed(served) -> None:
    # In: one complete request on a kept-alive connection, then silence. Out: its answer (200), then the server
    # closes the connection.
    reader, writer = await asyncio.open_connection(*served)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n")
    await writer.drain()
    answer = await _read_until_closed(reader)
    assert answer.startswith(b"HTTP/1.1 200")
    writer.close()
