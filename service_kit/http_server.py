"""Serves an ASGI app with uvicorn on the current event loop, on a socket bound beforehand (port 0 works): the
gateway, the sandbox and the tests' HTTP servers. The caller decides when to stop (a service on its signal, tests at
teardown): uvicorn's own signal handling is not used."""

import asyncio
import socket
from dataclasses import dataclass
from typing import Any, TypeVar

import uvicorn


@dataclass
class RunningServer:
    """A started server: its base URL and app; `await stop()` shuts it down gracefully."""

    url: str
    app: Any
    _server: uvicorn.Server
    _socket: socket.socket
    _ticking: asyncio.Task[None]

    async def stop(self) -> None:
        self._server.should_exit = True
        await self._ticking
        await self._server.shutdown(sockets=[self._socket])


R = TypeVar("R", bound=RunningServer)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only disables Nagle's algorithm on accepted sockets that say so, and
    # without TCP_NODELAY every answer on a kept-alive connection waits for the client's delayed ACK (~40 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


# The ignore: mypy takes no default for a parameter typed by a TypeVar, though RunningServer is R's bound.
async def start_http(config: uvicorn.Config, running: type[R] = RunningServer) -> R:  # type: ignore[assignment]
    """Serves `config.app` on config.host:config.port; returns once its lifespan has started and it listens. uvicorn's
    once-a-second tick (the Date header) runs until `stop()`."""
    sock = _bind(config.host, config.port)
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup(sockets=[sock])
    ticking = asyncio.create_task(server.main_loop(), name="uvicorn-tick")
    shown = f"[{config.host}]" if ":" in config.host else config.host
    return running(f"http://{shown}:{sock.getsockname()[1]}", config.app, server, sock, ticking)
