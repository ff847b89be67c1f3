"""httpcore's network layer on asyncio's own transports, in place of its default one through anyio.

Why: httpcore asks every pooled connection, before each request and after each response, whether its idle socket
has turned readable (the server closed it). Through anyio each question builds anyio's attribute table and makes a
poll(2) call, for every connection in the pool: most of the adapter's HTTP cost. Here a protocol keeps what the
event loop already told it (data or end of stream), so the answer is a field read. httpx and httpcore are otherwise
unchanged: the same pool, HTTP parsing, timeouts and exception types (ConnectError before a request could be sent,
WriteError, ReadError, the timeouts), which the retry policy relies on (errors.py).
"""

import asyncio
import ssl
from collections.abc import Callable
from typing import Any, cast

import httpcore
import httpx

# Bytes received and not yet read after which the socket is no longer read until they are (httpcore reads 64 KiB).
_READ_AHEAD_LIMIT = 256 * 1024
# httpcore's names for what it asks of a stream -> asyncio's names for the transport's.
_TRANSPORT_INFO = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername", "socket": "socket"}


class _Connection(asyncio.Protocol):
    """What the event loop reports of one connection: bytes received, the end of the stream, the error it ended on."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport
        self.received = bytearray()
        self.ended = False
        self.error: Exception | None = None
        self._read_paused = False
        self._write_paused = False
        self._waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass asyncio's

    def data_received(self, data: bytes) -> None:
        self.received += data
        if len(self.received) > _READ_AHEAD_LIMIT and not self._read_paused:
            self._read_paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.ended = True
        self._wake()
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        self.error = exc
        self._wake()

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._wake()

    def take(self, max_bytes: int) -> bytes:
        data = bytes(self.received[:max_bytes])
        del self.received[:max_bytes]
        if self._read_paused and len(self.received) <= _READ_AHEAD_LIMIT:
            self._read_paused = False
            self.transport.resume_reading()
        return data

    def nothing_to_read(self) -> bool:
        return not self.received and not self.ended

    def write_paused(self) -> bool:
        return self._write_paused and not self.ended

    async def wait_while(self, blocked: Callable[[], bool], timeout: float | None) -> None:
        """Returns once `blocked()` no longer holds, checked at each event of this connection (bytes, end, write
        resumed); TimeoutError after `timeout` seconds."""
        if not blocked():
            return
        async with asyncio.timeout(timeout):
            while blocked():
                self._waiter = asyncio.get_running_loop().create_future()
                try:
                    await self._waiter
                finally:
                    self._waiter = None

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection as httpcore uses it."""

    def __init__(self, connection: _Connection) -> None:
        self._connection = connection

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        connection = self._connection
        try:
            await connection.wait_while(connection.nothing_to_read, timeout)
        except TimeoutError as error:
            raise httpcore.ReadTimeout("no answer within the read timeout") from error
        if connection.received:
            return connection.take(max_bytes)
        if connection.error is not None:
            raise httpcore.ReadError(str(connection.error)) from connection.error
        return b""  # the end of the stream

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        connection = self._connection
        if connection.ended or connection.transport.is_closing():
            raise httpcore.WriteError(str(connection.error or "the connection is closed"))
        connection.transport.write(buffer)
        try:
            await connection.wait_while(connection.write_paused, timeout)
        except TimeoutError as error:
            raise httpcore.WriteTimeout("the request could not be written within the write timeout") from error
        if connection.error is not None:
            raise httpcore.WriteError(str(connection.error)) from connection.error

    async def aclose(self) -> None:
        transport = self._connection.transport
        transport.close()
        await asyncio.sleep(0)  # lets a short final write go out, as anyio does
        transport.abort()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        connection = self._connection
        try:
            async with asyncio.timeout(timeout):
                tls = await asyncio.get_running_loop().start_tls(
                    connection.transport, connection, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError as error:
            connection.transport.abort()
            raise httpcore.ConnectTimeout("the TLS handshake did not finish within the connect timeout") from error
        except OSError as error:  # ssl.SSLError included
            connection.transport.abort()
            raise httpcore.ConnectError(str(error)) from error
        if tls is None:  # the connection was lost during the handshake
            connection.transport.abort()
            raise httpcore.ConnectError("the connection was lost during the TLS handshake")
        connection.transport = tls
        return self

    def get_extra_info(self, info: str) -> Any:
        connection = self._connection
        if info == "is_readable":  # asked of every idle pooled connection, before and after each request
            return bool(connection.received) or connection.ended
        asked = _TRANSPORT_INFO.get(info)
        return connection.transport.get_extra_info(asked) if asked else None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections on the running asyncio loop."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, connection = await loop.create_connection(
                    _Connection, host, port, local_addr=(local_address, 0) if local_address else None
                )
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"no connection to {host}:{port} within the connect timeout") from error
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from error
        try:
            for option in socket_options or ():
                transport.get_extra_info("socket").setsockopt(*option)
        except OSError as error:
            transport.abort()
            raise httpcore.ConnectError(str(error)) from error
        return AsyncioStream(connection)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def pooled_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's own transport (HTTP/1.1, certificates verified), its pool opening connections with AsyncioBackend.

    Without a proxy only: httpx routes through HTTP(S)_PROXY / ALL_PROXY only with its own transport."""
    ssl_context = httpx.create_ssl_context()
    transport = httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits)
    transport._pool = httpcore.AsyncConnectionPool(  # httpx takes no network backend of its own
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=AsyncioBackend(),
    )
    return transport
