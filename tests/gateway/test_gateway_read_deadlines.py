"""The gateway under its own uvicorn configuration cuts off slow clients: headers, body, and idle kept-alive
connections each have a deadline (short ones here, so the test waits for the server's move, not a clock)."""

import asyncio
import contextlib
import socket
import time
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
    async with serving(settings, DEADLINE) as address:
        yield address


@contextlib.asynccontextmanager
async def serving(settings: GatewaySettings, keep_alive: float) -> AsyncIterator[tuple[str, int]]:
    """Serves the gateway with header and body deadlines of DEADLINE and the given keep-alive timeout."""
    deadlines = {
        "header_read_timeout_seconds": DEADLINE,
        "body_read_timeout_seconds": DEADLINE,
        "keep_alive_timeout_seconds": keep_alive,
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


async def _answer(reader: asyncio.StreamReader) -> bytes:
    """One response: its head, then as many bytes of body as its Content-Length says."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), PATIENCE)
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    return head + await asyncio.wait_for(reader.readexactly(length), PATIENCE)


async def test_an_idle_kept_alive_connection_lasts_the_keep_alive_timeout_not_the_header_deadline(settings) -> None:
    # In: header deadline 0.3 s, keep-alive timeout 1.5 s; a request, 0.6 s of silence, a second request, silence.
    # Out: the second is answered on the same connection (a proxy keeping it idle longer than the header deadline
    # can use it), and the server closes the connection no sooner than 1.5 s after that answer.
    keep_alive = 5 * DEADLINE
    async with serving(settings, keep_alive) as address:
        reader, writer = await asyncio.open_connection(*address)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n")
        assert (await _answer(reader)).startswith(b"HTTP/1.1 200")
        await asyncio.sleep(2 * DEADLINE)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n")
        assert (await _answer(reader)).startswith(b"HTTP/1.1 200")
        answered = time.monotonic()
        assert await _read_until_closed(reader) == b""
        assert time.monotonic() - answered >= keep_alive - 0.05
        writer.close()
