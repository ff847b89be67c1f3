"""The edge under test: the real gateway app in front of the real orchestrator (gRPC on loopback), on SQLite and on
PostgreSQL. Only intake runs: the scheduler is not started, so stored events stay as intake left them."""

import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import GatewaySettings
from orchestrator.server import Orchestrator, create_server
from orchestrator.settings import Settings
from orchestrator.store import Store

SECRET = "edge-webhook-secret"
PATH = "/dimelo/webhook"
BOT_SOURCE = "s-bot"
UNUSED_PEER = "127.0.0.1:9"


@dataclass
class Edge:
    """A client posting signed deliveries to the gateway, and the orchestrator's store behind it."""

    client: httpx.AsyncClient
    orchestrator: Orchestrator
    database_url: str
    sqlite_path: Path

    @property
    def store(self) -> Store:
        return self.orchestrator.store

    async def deliver(self, delivery: object) -> httpx.Response:
        body = delivery if isinstance(delivery, bytes) else json.dumps(delivery).encode()
        return await self.client.post(PATH, content=body, headers={"Content-Type": "application/json"})


def message(event_id: str, thread_id: str = "t-1", **metadata: object) -> dict:
    """A content.imported event as Dimelo sends it, on the bot's source."""
    content = {
        "id": f"c-{event_id}",
        "thread_id": thread_id,
        "source_id": BOT_SOURCE,
        "body": "Hello",
        "created_from": "synchronizer",
        "status": "new",
        "created_at": "2024-05-24T04:00:44Z",
        **metadata,
    }
    return {
        "id": event_id,
        "type": "content.imported",
        "issued_at": "2024-05-24T04:00:44Z",
        "resource": {"type": "chat/message", "id": content["id"], "metadata": content},
    }


@pytest.fixture
def store_folder(tmp_path: Path) -> Path:
    """Where the SQLite store lives."""
    return tmp_path


@pytest.fixture
async def edge(store_folder: Path, database_url: str) -> AsyncIterator[Edge]:
    """The orchestrator (intake only: its gRPC server, no scheduler) and the gateway app in front of it."""
    sqlite_path = store_folder / "orchestrator.sqlite3"
    orchestrator = await create_server(
        Settings(
            orchestrator_listen_addr="127.0.0.1:0",
            ai_addr=UNUSED_PEER,
            dimelo_adapter_addr=UNUSED_PEER,
            orchestrator_db_path=sqlite_path,
            orchestrator_database_url=database_url,
            agent_category_ids=["agents"],
            bot_source_ids=[BOT_SOURCE],
        )
    )
    async with AsyncExitStack() as stack:
        await orchestrator.grpc.start()
        stack.push_async_callback(orchestrator.stop)
        settings = GatewaySettings(
            verify_token="edge-verify-token", webhook_secret=SECRET, orchestrator_addr=f"127.0.0.1:{orchestrator.port}"
        )
        app = create_app(settings)
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url="http://gateway.test", headers={"X-Dimelo-Secret": SECRET}
        )
        yield Edge(await stack.enter_async_context(client), orchestrator, database_url, sqlite_path)
