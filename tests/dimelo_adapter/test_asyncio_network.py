"""The adapter's own network layer (dimelo_adapter/asyncio_network.py) over real TCP and TLS on loopback: what the
retry policy relies on (an error before the request was sent told apart from one after), a connection the server
closed while idle never used again, one idle past DIMELO_KEEPALIVE_SECONDS not used again either, certificates
verified, an HTTP proxy still honoured; on asyncio's loop and on uvloop, the services' loop."""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import trustme
import uvicorn
import uvloop
from adapter_testkit import adapter_settings, content_json
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dimelo_adapter import asyncio_network
from dimelo_adapter.asyncio_network import AsyncioBackend
from dimelo_adapter.client import DimeloClient
from dimelo_adapter.errors import DimeloUnreachable
from service_kit.http_server import start_http

TIMEOUT_SECONDS = 0.5
KEEPALIVE_SECONDS = 0.3
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch):
    """A proxy set on the machine would take these loopback requests (and httpx's own network layer)."""
    for variable in _PROXY_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


class Served:
    """A loopback Dimelo whose content reads and replies answer after `delay` seconds; it records each request's
    client port and target."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.body = "Hello, how can I help?"
        self.client_ports: list[int] = []
        self.targets: list[str] = []

    def app(self) -> Starlette:
        async def answer(request: Request) -> JSONResponse:
            assert request.client is not None
            self.client_ports.append(request.client.port)
            self.targets.append(str(request.url))
            await asyncio.sleep(self.delay)
            return JSONResponse(content_json(body=self.body))

        return Starlette(routes=[Route("/1.0/contents/{id}", answer), Route("/1.0/contents", answer, methods=["POST"])])


@contextlib.asynccontextmanager
async def serving(served: Served, **config: object) -> AsyncIterator[str]:
    """Serves `served` with uvicorn (`config`: uvicorn's settings); yields its base URL."""
    uvicorn_config = uvicorn.Config(served.app(), host="127.0.0.1", port=0, lifespan="off", log_config=None, **config)  # type: ignore[arg-type]
    server = await start_http(uvicorn_config)
    try:
        yield server.url
    finally:
        await server.stop()


@contextlib.asynccontextmanager
async def dimelo_client(url: str, **settings: object) -> AsyncIterator[DimeloClient]:
    """The adapter's client of `url`, with TIMEOUT_SECONDS and the adapter settings given."""
    client = DimeloClient(adapter_settings(dimelo_api_url=url, dimelo_timeout_seconds=TIMEOUT_SECONDS, **settings))
    try:
        yield client
    finally:
        await client.aclose()


async def reply_after_the_server_closed_the_idle_connection() -> list[int]:
    """A content read, then a reply 0.5 s later, to a server that closes a connection idle for 0.1 s (the adapter
    would keep it 4 s); returns the client ports the server saw."""
    served = Served()
    async with serving(served, timeout_keep_alive=0.1) as url, dimelo_client(url) as client:
        await client.get_content("c-1")
        await asyncio.sleep(0.5)
        reply = await client.create_reply("c-1", "Hello", private=False, author_id="")
    assert reply["id"] == "c-reply"
    return served.client_ports


async def read_over_tls(trusted: bool, folder: Path) -> None:
    """A content read from an HTTPS server on loopback, the client trusting its authority or another one."""
    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1")
    certificate, key, trusted_file = folder / "server.pem", folder / "server.key", folder / "trusted.pem"
    issued.cert_chain_pems[0].write_to_path(str(certificate))
    issued.private_key_pem.write_to_path(str(key))
    (authority if trusted else trustme.CA()).cert_pem.write_to_path(str(trusted_file))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSL_CERT_FILE", str(trusted_file))
        async with (
            serving(Served(), ssl_certfile=str(certificate), ssl_keyfile=str(key)) as url,
            dimelo_client(url.replace("http://", "https://")) as client,
        ):
            content = await client.get_content("c-1")
    assert content["id"] == "c-reply"


async def test_a_reply_goes_out_on_a_new_connection_when_the_server_closed_the_idle_one():
    """In: a read, then a reply after the server closed the idle connection. Out: the reply is answered, on a second
    connection. Had the closed connection been used, the reply's POST would have met a closed socket: no answer, and
    no retry for a reply that may exist."""
    client_ports = await reply_after_the_server_closed_the_idle_connection()

    assert len(client_ports) == 2 and len(set(client_ports)) == 2


async def test_kept_alive_connections_are_used_again_and_opened_by_this_layer(monkeypatch):
    """In: ten content reads one after the other. Out: all ten on one connection, opened by AsyncioBackend."""
    opened: list[int] = []
    connect_tcp = AsyncioBackend.connect_tcp

    async def counted(self, host, port, **options):
        opened.append(port)
        return await connect_tcp(self, host, port, **options)

    monkeypatch.setattr(AsyncioBackend, "connect_tcp", counted)
    served = Served()
    async with serving(served) as url, dimelo_client(url) as client:
        for _ in range(10):
            await client.get_content("c-1")

    assert len(served.client_ports) == 10 and len(set(served.client_ports)) == 1
    assert len(opened) == 1


@pytest.mark.parametrize(("idle_seconds", "connections"), [(0.05, 1), (2 * KEEPALIVE_SECONDS, 2)])
async def test_an_idle_connection_is_used_again_only_within_the_keepalive(idle_seconds, connections):
    """In: DIMELO_KEEPALIVE_SECONDS=0.3; two reads of a content, `idle_seconds` apart, from a server that keeps idle
    connections for 5 s. Out: both on one connection (one client port) when the second comes 0.05 s after the first;
    on a new one when it comes 0.6 s after. So no request goes out on a connection the server is about to close (a
    reply's POST sent that way fails with no answer, found in a benchmark against the sandbox, whose server closes
    idle connections after 5 s)."""
    served = Served()
    async with serving(served) as url, dimelo_client(url, dimelo_keepalive_seconds=KEEPALIVE_SECONDS) as client:
        await client.get_content("c-1")
        await asyncio.sleep(idle_seconds)
        await client.get_content("c-1")

    assert len(served.client_ports) == 2 and len(set(served.client_ports)) == connections


async def test_an_answer_larger_than_the_read_ahead_arrives_whole(monkeypatch):
    """In: a content whose body is 4 MiB, the layer's read-ahead lowered to 1 KiB, so that it stops and starts
    reading the socket again and again. Out: the body arrives whole, in order."""
    monkeypatch.setattr(asyncio_network, "_READ_AHEAD_LIMIT", 1024)
    served = Served()
    served.body = "".join(f"{index:08d}" for index in range(512 * 1024))
    async with serving(served) as url, dimelo_client(url) as client:
        content = await client.get_content("c-1")

    assert content["body"] == served.body


async def test_no_answer_in_time_may_have_reached_dimelo():
    """In: a reply the server answers after 2 s, with a read timeout of 0.5 s. Out: DimeloUnreachable from a
    ReadTimeout, which may have reached Dimelo (so the caller looks for the reply before posting again)."""
    served = Served()
    served.delay = 2.0
    async with serving(served) as url, dimelo_client(url) as client:
        with pytest.raises(DimeloUnreachable) as raised:
            await client.create_reply("c-1", "Hello", private=False, author_id="")

    assert type(raised.value.cause).__name__ == "ReadTimeout" and raised.value.may_have_reached_dimelo


async def test_a_connection_closed_after_the_request_may_have_reached_dimelo():
    """In: a reply to a server that reads the request and closes the connection without answering. Out:
    DimeloUnreachable from a RemoteProtocolError, which may have reached Dimelo: never a ConnectError, which would
    let the reply be sent twice."""

    async def take_and_hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(take_and_hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, dimelo_client(f"http://127.0.0.1:{port}") as client:
        with pytest.raises(DimeloUnreachable) as raised:
            await client.create_reply("c-1", "Hello", private=False, author_id="")

    assert type(raised.value.cause).__name__ == "RemoteProtocolError" and raised.value.may_have_reached_dimelo


async def test_a_refused_connection_certainly_did_not_reach_dimelo():
    """In: a reply to a port nothing listens on. Out: DimeloUnreachable from a ConnectError, which did not reach
    Dimelo (so a reply may be sent again at once)."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    async with dimelo_client(f"http://127.0.0.1:{port}") as client:
        with pytest.raises(DimeloUnreachable) as raised:
            await client.create_reply("c-1", "Hello", private=False, author_id="")

    assert type(raised.value.cause).__name__ == "ConnectError" and not raised.value.may_have_reached_dimelo


async def test_tls_is_verified(tmp_path):
    """In: an HTTPS server on loopback; the client trusts its authority (SSL_CERT_FILE), then another one. Out:
    trusted, the content is read over TLS; untrusted, DimeloUnreachable from a ConnectError: the handshake failed
    before any request was sent."""
    await read_over_tls(True, tmp_path)
    with pytest.raises(DimeloUnreachable) as raised:
        await read_over_tls(False, tmp_path)

    assert type(raised.value.cause).__name__ == "ConnectError" and not raised.value.may_have_reached_dimelo


def test_on_uvloop(tmp_path):
    """In: the idle-closed connection and the TLS read, on uvloop (whose transports are not asyncio's classes).
    Out: as on asyncio's loop."""

    async def both() -> list[int]:
        await read_over_tls(True, tmp_path)
        return await reply_after_the_server_closed_the_idle_connection()

    client_ports = uvloop.run(both())

    assert len(set(client_ports)) == 2


async def test_an_http_proxy_from_the_environment_is_used(monkeypatch):
    """In: HTTP_PROXY names a loopback server; Dimelo's URL names a host that does not resolve. Out: the read goes
    to the proxy, asking for Dimelo's URL (httpx routes through a proxy only on its own transport)."""
    served = Served()
    async with serving(served) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy)
        async with dimelo_client("http://dimelo.invalid") as client:
            content = await client.get_content("c-1")

    assert content["id"] == "c-reply"
    assert served.targets == ["http://dimelo.invalid/1.0/contents/c-1"]
