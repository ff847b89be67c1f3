"""A sandbox on loopback port 0 that records every REST exchange and webhook delivery, for checking them."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from dimelo_sandbox.config import SandboxConfig
from dimelo_sandbox.serve import RunningSandbox, start_sandbox, start_server

BOT = {"Authorization": "Bearer sandbox-bot-token"}


@dataclass
class RecordingSandbox:
    running: RunningSandbox
    http: httpx.AsyncClient
    record_path: Path

    def records(self, kind: str) -> list[dict[str, Any]]:
        """What the sandbox recorded so far: "rest" exchanges or "webhook" deliveries."""
        if not self.record_path.exists():
            return []
        lines = self.record_path.read_text(encoding="utf-8").splitlines()
        return [record for record in map(json.loads, lines) if record["kind"] == kind]

    async def world(self) -> dict[str, Any]:
        return (await self.http.get("/_sandbox/world")).json()

    async def customer_says(self, body: str, **fields: Any) -> dict[str, Any]:
        answer = await self.http.post("/_sandbox/messages", json={"body": body, **fields})
        assert answer.status_code == 201, answer.text
        return answer.json()


@pytest.fixture
async def recording_sandbox(tmp_path: Path) -> AsyncIterator[RecordingSandbox]:
    path = tmp_path / "exchanges.jsonl"
    config = SandboxConfig(port=0, seed=11, job_seconds=0.01, time_scale=0.001, record_path=str(path))
    running = await start_sandbox(config)
    http = httpx.AsyncClient(base_url=running.url, timeout=10)
    try:
        yield RecordingSandbox(running, http, path)
    finally:
        await http.aclose()
        await running.stop()


@pytest.fixture
async def webhook_receiver(recording_sandbox: RecordingSandbox) -> AsyncIterator[str]:
    """An endpoint that passes the handshake and takes every delivery, subscribed to the sandbox's webhook."""

    async def hook(request: Request) -> PlainTextResponse:
        return PlainTextResponse(request.query_params.get("hub.challenge", "") if request.method == "GET" else "")

    running = await start_server(Starlette(routes=[Route("/hook", hook, methods=["GET", "POST"])]), "127.0.0.1", 0)
    answer = await recording_sandbox.http.put("/_sandbox/webhook", json={"url": f"{running.url}/hook"})
    assert answer.json()["enabled"] is True
    yield f"{running.url}/hook"
    await running.stop()
