"""Fixtures: a sandbox served on loopback port 0, an HTTP client, and a webhook endpoint that records what it gets."""

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sandbox_testing import BOT
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from dimelo_sandbox.config import SandboxConfig
from dimelo_sandbox.serve import RunningSandbox, start_sandbox, start_server

FAST = {"job_seconds": 0.01, "time_scale": 0.001}


@pytest.fixture(autouse=True)
def _no_sandbox_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests configure the sandbox explicitly; SANDBOX_* variables of the shell must not leak in."""
    for name in list(os.environ):
        if name.startswith("SANDBOX_"):
            monkeypatch.delenv(name)


@dataclass
class Sandbox:
    """A running sandbox with a client on its base URL."""

    running: RunningSandbox
    http: httpx.AsyncClient

    @property
    def state(self):
        return self.running.sandbox

    async def world(self) -> dict[str, Any]:
        return (await self.http.get("/_sandbox/world")).json()

    async def customer_says(self, body: str = "Hello, my modem is broken", **fields: Any) -> dict[str, Any]:
        answer = await self.http.post("/_sandbox/messages", json={"body": body, **fields})
        assert answer.status_code == 201, answer.text
        return answer.json()

    async def reply(self, in_reply_to_id: str, body: str = "Let me help you.", headers=BOT) -> httpx.Response:
        return await self.http.post(
            "/1.0/contents", data={"in_reply_to_id": in_reply_to_id, "body": body}, headers=headers
        )

    async def settle(self) -> None:
        """Waits until every asynchronous job (thread close, categorization, export) has run."""
        await asyncio.wait_for(self.state.jobs.wait_idle(), 5)


StartSandbox = Callable[..., Awaitable[Sandbox]]


@pytest.fixture
async def start() -> AsyncIterator[StartSandbox]:
    """Starts sandboxes with the given config values (fast jobs and waits unless told otherwise); stops them all."""
    started: list[Sandbox] = []

    async def _start(**values: Any) -> Sandbox:
        config = SandboxConfig(**{"port": 0, "seed": 7, **FAST, **values})
        running = await start_sandbox(config)
        sandbox = Sandbox(running, httpx.AsyncClient(base_url=running.url, timeout=10))
        started.append(sandbox)
        return sandbox

    yield _start
    for sandbox in started:
        await sandbox.http.aclose()
        await sandbox.running.stop()


@pytest.fixture
async def sandbox(start: StartSandbox) -> Sandbox:
    return await start()


@dataclass
class Receiver:
    """A webhook endpoint. `handshake` picks its answer to the GET: "ok", "json" (a JSON-quoted challenge),
    "wrong" (another body) or "404"; POSTs are answered with the statuses in `answers`, then 200."""

    url: str = ""
    handshake: str = "ok"
    answers: list[int] = field(default_factory=list)
    handshakes: list[Request] = field(default_factory=list)
    requests: asyncio.Queue = field(default_factory=asyncio.Queue)

    async def next_request(self, timeout: float = 5) -> dict[str, Any]:
        """The next POST: `{"body", "headers", "at"}` (loop time of arrival)."""
        return await asyncio.wait_for(self.requests.get(), timeout)

    async def events(self, count: int, timeout: float = 5) -> list[dict[str, Any]]:
        """The events of the next POSTs, until `count` events have arrived."""
        events: list[dict[str, Any]] = []
        while len(events) < count:
            events.extend((await self.next_request(timeout))["body"]["events"])
        return events

    async def _endpoint(self, request: Request) -> Response:
        if request.method == "GET":
            self.handshakes.append(request)
            challenge = request.query_params.get("hub.challenge", "")
            if self.handshake == "404":
                return PlainTextResponse("no", status_code=404)
            if self.handshake == "json":
                return Response(f'"{challenge}"', media_type="application/json")
            if self.handshake == "wrong":
                return PlainTextResponse("ok")
            return Response(challenge, media_type="text/html")
        body = await request.json()
        self.requests.put_nowait(
            {"body": body, "headers": dict(request.headers), "at": asyncio.get_running_loop().time()}
        )
        status = self.answers.pop(0) if self.answers else 200
        return PlainTextResponse("", status_code=status)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = Starlette(routes=[Route("/hook", hook._endpoint, methods=["GET", "POST"])])
    running = await start_server(app, "127.0.0.1", 0)
    hook.url = f"{running.url}/hook"
    yield hook
    await running.stop()
