"""Runs an ASGI app with uvicorn on the current event loop, on a socket bound beforehand (port 0 works)."""

import socket
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from dimelo_sandbox.app import create_app
from dimelo_sandbox.config import SandboxConfig
from dimelo_sandbox.sandbox import Sandbox


@dataclass
class RunningServer:
    """A started server: its base URL and app; `await stop()` shuts it down gracefully."""

    url: str
    app: Starlette
    _server: uvicorn.Server
    _socket: socket.socket

    async def stop(self) -> None:
        await self._server.shutdown(sockets=[self._socket])


class RunningSandbox(RunningServer):
    @property
    def sandbox(self) -> Sandbox:
        return self.app.state.sandbox


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only disables Nagle's algorithm on accepted sockets that say so, and
    # without TCP_NODELAY every answer on a kept-alive connection waits for the client's delayed ACK (~40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


async def start_server(app: Starlette, host: str, port: int, running: type[RunningServer] = RunningServer):
    """Serves `app` on host:port (0: any free port); returns once its lifespan has started and it listens.

    uvicorn's own main loop is not used: the caller decides when to stop (tests at teardown, __main__ on a signal).
    """
    sock = _bind(host, port)
    config = uvicorn.Config(
        app,
        http="httptools",
        ws="none",
        lifespan="on",
        access_log=False,  # access lines would carry the access_token query parameter
        log_config=None,
        server_header=False,
        date_header=False,
    )
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup(sockets=[sock])
    shown = f"[{host}]" if ":" in host else host
    return running(f"http://{shown}:{sock.getsockname()[1]}", app, server, sock)


async def start_sandbox(config: SandboxConfig) -> RunningSandbox:
    """Starts the sandbox; when this returns the start-up handshake is done and connections are accepted."""
    return await start_server(create_app(config), config.host, config.port, RunningSandbox)
