"""What a service opened for its servicers is closed with its gRPC server: after the stop, or at once when the
server cannot bind."""

import socket
from contextlib import asynccontextmanager

import pytest

from dimelo_adapter.server import create_server
from dimelo_adapter.settings import AdapterSettings
from service_kit.grpc_server import GrpcServer


async def test_what_was_opened_is_closed_only_once_the_server_has_stopped() -> None:
    # In: a resource handed to close_on_stop, the server started then stopped. Out: still open while serving,
    # closed after the stop, and closed once.
    events = []

    @asynccontextmanager
    async def resource():
        yield
        events.append("closed")

    server = GrpcServer([])
    server.bind("127.0.0.1:0")
    opened = resource()
    await opened.__aenter__()
    server.close_on_stop(opened)
    await server.start()
    assert events == []
    await server.stop(0)
    assert events == ["closed"]


async def test_the_adapter_closes_its_http_client_when_it_cannot_bind(monkeypatch: pytest.MonkeyPatch) -> None:
    # In: the adapter's listen address already taken by another socket. Out: create_server raises OSError naming
    # the address, and the HTTP client it opened is closed (no connection pool left behind).
    closed = []
    monkeypatch.setattr("dimelo_adapter.client.DimeloClient.aclose", lambda self: _record(closed))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        settings = AdapterSettings(
            dimelo_api_url="http://127.0.0.1:9", dimelo_access_token="t", adapter_listen_addr=address
        )
        with pytest.raises(OSError, match=address):
            await create_server(settings)
    assert closed == [True]


async def _record(closed: list[bool]) -> None:
    closed.append(True)
