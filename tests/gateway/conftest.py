"""A real in-process fake OrchestratorService on a loopback gRPC port, and the gateway app in front of it."""

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from botbridge.orchestrator.v1 import orchestrator_pb2, orchestrator_pb2_grpc
from gateway.app import create_app
from gateway.routes import ORCHESTRATOR_SERVICE
from gateway.settings import GatewaySettings
from service_kit.grpc_server import GrpcServer
from service_kit.rich_errors import ORCHESTRATOR

SEED_DELIVERY = Path(__file__).with_name("seed_delivery.json")


class FakeOrchestrator(orchestrator_pb2_grpc.OrchestratorServiceServicer):
    """Records what the gateway sends and counts the calls per method; can fail every call (with `failure`, and
    `reason` when set, as the orchestrator does), hold SubmitDelivery, or call some events duplicates."""

    def __init__(self) -> None:
        self.deliveries: list[orchestrator_pb2.SubmitDeliveryRequest] = []
        self.quarantined: list[orchestrator_pb2.QuarantineDeliveryRequest] = []
        self.calls: Counter[str] = Counter()
        self.duplicate_ids: set[str] = set()
        self.failure: grpc.StatusCode | None = None
        self.reason: int | None = None
        self.release = asyncio.Event()
        self.hold = False

    async def _fail_if_asked(self, context) -> None:
        if self.failure is None:
            return
        message = "the fake orchestrator fails on purpose"
        if self.reason is None:
            await context.abort(self.failure, message)
        await ORCHESTRATOR.abort(context, self.failure, message, self.reason)

    async def SubmitDelivery(self, request, context):
        self.calls["SubmitDelivery"] += 1
        if self.hold:
            await self.release.wait()
        await self._fail_if_asked(context)
        self.deliveries.append(request)
        receipts = [
            orchestrator_pb2.EventReceipt(
                event_id=event.id,
                disposition=orchestrator_pb2.EVENT_DISPOSITION_DUPLICATE
                if event.id in self.duplicate_ids
                else orchestrator_pb2.EVENT_DISPOSITION_ACCEPTED,
            )
            for event in request.delivery.events
        ]
        quarantine_ids = [f"event-quarantine-{position}" for position, _ in enumerate(request.quarantine, 1)]
        return orchestrator_pb2.SubmitDeliveryResponse(receipts=receipts, quarantine_ids=quarantine_ids)

    async def QuarantineDelivery(self, request, context):
        self.calls["QuarantineDelivery"] += 1
        await self._fail_if_asked(context)
        self.quarantined.append(request)
        return orchestrator_pb2.QuarantineDeliveryResponse(quarantine_id=f"quarantine-{len(self.quarantined)}")


@pytest.fixture
async def start_orchestrator() -> AsyncIterator[Callable[[str], Awaitable[tuple[FakeOrchestrator, GrpcServer]]]]:
    """Starts fake orchestrators (with gRPC health) on given addresses; stops them at teardown."""
    started: list[tuple[FakeOrchestrator, GrpcServer]] = []

    async def start(address: str) -> tuple[FakeOrchestrator, GrpcServer]:
        fake, server = FakeOrchestrator(), GrpcServer([ORCHESTRATOR_SERVICE])
        orchestrator_pb2_grpc.add_OrchestratorServiceServicer_to_server(fake, server.server)
        server.bind(address)
        await server.start()
        started.append((fake, server))
        return fake, server

    yield start
    for fake, server in started:
        fake.release.set()
        await server.stop(0)


@pytest.fixture
async def orchestrator_server(start_orchestrator) -> tuple[FakeOrchestrator, GrpcServer]:
    return await start_orchestrator("127.0.0.1:0")


@pytest.fixture
def orchestrator(orchestrator_server: tuple[FakeOrchestrator, GrpcServer]) -> FakeOrchestrator:
    return orchestrator_server[0]


@pytest.fixture
def settings(orchestrator_server: tuple[FakeOrchestrator, GrpcServer]) -> GatewaySettings:
    return GatewaySettings(
        verify_token="verify-token-123",
        webhook_secret="webhook-secret-456",
        orchestrator_addr=f"127.0.0.1:{orchestrator_server[1].port}",
        max_body_bytes=64 * 1024,
    )


@pytest.fixture
async def open_gateway() -> AsyncIterator[Callable[[GatewaySettings], Awaitable[httpx.AsyncClient]]]:
    """Opens the app (lifespan included) for some settings; the client sends the settings' Dimelo secret."""
    async with AsyncExitStack() as stack:

        async def open_(settings: GatewaySettings) -> httpx.AsyncClient:
            app = create_app(settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app),
                base_url="http://gateway.test",
                headers={"X-Dimelo-Secret": secret} if secret else {},
            )
            return await stack.enter_async_context(client)

        yield open_


@pytest.fixture
async def gateway(open_gateway, settings: GatewaySettings) -> httpx.AsyncClient:
    return await open_gateway(settings)


@pytest.fixture
def seed_delivery() -> dict[str, Any]:
    """The sample delivery of the seed guide, "Managing events"."""
    return json.loads(SEED_DELIVERY.read_text(encoding="utf-8"))
