"""The gateway under uvicorn, with read deadlines: a client that sends its headers too slowly is cut off, and an
idle kept-alive connection is closed after the keep-alive timeout (the body's deadline is the route's:
gateway.dependencies). And the service `python -m gateway` runs."""

import asyncio

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.app import create_app
from gateway.settings import GatewaySettings
from service_kit.http_server import RunningServer, start_http
from service_kit.service import Service


class _HeaderDeadline(HttpToolsProtocol):
    """httptools' HTTP/1.1 with a deadline for each request's headers, from the connection on for the first and from
    its first byte for each later one; uvicorn has none, so a client trickling headers would hold a connection for
    ever. Between requests only uvicorn's keep-alive timeout closes an idle connection."""

    header_timeout_seconds = 10.0
    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # as uvicorn's own
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_headers_complete(self) -> None:
        self._disarm_header_deadline()
        super().on_headers_complete()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_deadline is None:
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout_seconds, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()


def server_config(settings: GatewaySettings) -> uvicorn.Config:
    """uvicorn's configuration for the gateway app: host, port and read deadlines from `settings`."""
    deadline = {"header_timeout_seconds": settings.header_read_timeout_seconds}
    protocol = type("HeaderDeadline", (_HeaderDeadline,), deadline)
    # log_config=None keeps the process's JSON logging; no access log: it costs on the hot path and says little.
    return uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        http=protocol,
        # uvicorn declares an int; a float works (it goes to loop.call_later).
        timeout_keep_alive=settings.keep_alive_timeout_seconds,  # type: ignore[arg-type]
        log_config=None,
        access_log=False,
    )


async def service(settings: GatewaySettings) -> Service:
    """The gateway as `run_service` runs it: uvicorn on GATEWAY_HOST:GATEWAY_PORT, the metrics at /metrics there."""
    config = server_config(settings)
    running: list[RunningServer] = []

    async def start() -> None:
        running.append(await start_http(config))

    return Service(start=start, stop=lambda: running[0].stop(), facts=lambda: {"url": running[0].url})
