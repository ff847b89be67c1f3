"""The orchestrator under test, in-process on gRPC port 0, with fake AI and adapter servers."""

import contextlib
import itertools

import grpc
import pytest

from botbridge.ai.v1 import ai_pb2_grpc
from botbridge.dimelo.v1 import dimelo_pb2_grpc
from botbridge.events.v1 import events_pb2
from botbridge.orchestrator.v1 import orchestrator_pb2, orchestrator_pb2_grpc
from orchestrator.database import Database
from orchestrator.server import create_server
from orchestrator.settings import Settings
from orchestrator.store import HistoryMessage, Store
from tests.orchestrator.fakes import FakeAi, FakeDimelo
from tests.support.eventually import eventually

_ids = itertools.count(1)


@pytest.fixture
async def peers():
    ai, dimelo = FakeAi(), FakeDimelo()
    server = grpc.aio.server()
    ai_pb2_grpc.add_AiServiceServicer_to_server(ai, server)
    dimelo_pb2_grpc.add_DimeloServiceServicer_to_server(dimelo, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    yield ai, dimelo, f"127.0.0.1:{port}"
    await server.stop(None)


@pytest.fixture
def settings_for(tmp_path, peers, database_url):
    def make(**overrides) -> Settings:
        values = dict(
            orchestrator_listen_addr="127.0.0.1:0",
            ai_addr=peers[2],
            dimelo_adapter_addr=peers[2],
            orchestrator_db_path=tmp_path / "store.sqlite3",
            orchestrator_database_url=database_url,
            agent_category_ids=["agent-cat"],
            ai_deadline_seconds=1.0,
            retry_base_seconds=0.01,
            ordering_window_seconds=0.0,
            handover_message="Passing you to an agent.",
        )
        values.update(overrides)
        return Settings(**values)

    return make


class Running:
    """A started orchestrator and a client stub to submit deliveries."""

    def __init__(self, orchestrator, channel) -> None:
        self.orchestrator = orchestrator
        self.stub = orchestrator_pb2_grpc.OrchestratorServiceStub(channel)

    async def submit(self, *events: events_pb2.Event) -> orchestrator_pb2.SubmitDeliveryResponse:
        delivery = events_pb2.Delivery(id=f"delivery-{next(_ids)}", domain_id="domain", events=events)
        return await self.stub.SubmitDelivery(orchestrator_pb2.SubmitDeliveryRequest(delivery=delivery))


@pytest.fixture
async def start_orchestrator():
    started = []

    async def start(settings: Settings) -> Running:
        orchestrator = await create_server(settings)
        await orchestrator.start()
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{orchestrator.port}")
        started.append((orchestrator, channel))
        return Running(orchestrator, channel)

    yield start
    for orchestrator, channel in started:
        await channel.close()
        await orchestrator.stop()


@pytest.fixture
async def open_store(tmp_path, database_url):
    """Opens stores (replicas) on one database; closes them afterwards."""
    opened = []

    async def open_one(replica: str, lease_seconds: float = 30.0) -> Store:
        database = await Database.open(tmp_path / "store.sqlite3", database_url, timeout=2.0)
        store = await Store.open(database, lease_seconds, replica)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        with contextlib.suppress(Exception):
            await store.close()


async def settled(running: Running, thread_id: str, count: int, timeout: float = 5.0) -> list:
    """Waits until `count` events of the thread are processed (done or dead); returns the thread's events."""
    return await eventually(
        lambda: running.orchestrator.store.thread_events(thread_id),
        lambda events: sum(e.state != "pending" for e in events) >= count,
        timeout=timeout,
        interval=0.01,
        what=f"thread {thread_id} settled",
    )


def customer_message(
    thread_id: str = "thread-1", body: str = "What are your opening hours?", **content
) -> events_pb2.Event:
    """A content.imported event for a customer message, as the gateway forwards it."""
    content_id = content.pop("id", f"content-{next(_ids)}")
    event = events_pb2.Event(
        id=f"event-{next(_ids)}",
        type="content.imported",
        resource_type="chat/message",
        resource_id=content_id,
        content=events_pb2.Content(
            **{
                "id": content_id,
                "thread_id": thread_id,
                "source_id": "source-1",
                "body": body,
                "created_from": "synchronizer",
                "status": "new",
                **content,
            }
        ),
        raw_json="{}",
    )
    event.issued_at.GetCurrentTime()
    return event


async def record_bot_reply(store: Store, thread_id: str, message: HistoryMessage) -> None:
    """The bot's reply in the thread's history, as processing records it once posted."""
    write = store.message_write(thread_id, message)

    def in_one_commit() -> None:
        with store._db.transaction():
            write()

    await store._db.write(in_one_commit)
