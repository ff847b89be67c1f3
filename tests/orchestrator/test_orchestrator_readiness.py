"""The orchestrator's health tells readiness: SERVING only while its store and its peers answer; taking deliveries
(OrchestratorService, what the gateway asks) needs only the store."""

import asyncio

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client import REGISTRY

from botbridge.ai.v1 import ai_pb2_grpc
from botbridge.dimelo.v1 import dimelo_pb2_grpc
from orchestrator.server import SERVICE_NAME
from service_kit.grpc_server import GrpcServer
from tests.orchestrator.conftest import customer_message
from tests.orchestrator.fakes import FakeAi, FakeDimelo
from tests.support.eventually import eventually

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


@pytest.fixture
async def peers():
    """The AI and the adapter behind one server with a health service, so the test can take them down."""
    ai, dimelo = FakeAi(), FakeDimelo()
    server = GrpcServer(["botbridge.ai.v1.AiService", "botbridge.dimelo.v1.DimeloService"])
    ai_pb2_grpc.add_AiServiceServicer_to_server(ai, server.server)
    dimelo_pb2_grpc.add_DimeloServiceServicer_to_server(dimelo, server.server)
    port = server.bind("127.0.0.1:0")
    await server.start()
    yield ai, dimelo, f"127.0.0.1:{port}", server
    await server.stop(0)


async def status_becomes(health: health_pb2_grpc.HealthStub, service: str, wanted: int, timeout: float = 5.0) -> None:
    """Returns once the service's health is `wanted` (watching it, not polling); TimeoutError otherwise."""

    async def watch() -> None:
        async for reply in health.Watch(health_pb2.HealthCheckRequest(service=service)):
            if reply.status == wanted:
                return

    await asyncio.wait_for(watch(), timeout)


async def test_a_peer_down_makes_the_orchestrator_not_ready_but_still_taking_deliveries(
    peers, settings_for, start_orchestrator
):
    """In: the orchestrator ready, then its peers' health NOT_SERVING, then SERVING again. Out: the overall status
    follows the peers (NOT_SERVING, then SERVING), OrchestratorService stays SERVING (the store answers), and the
    dependency gauge says which peer is down."""
    *_, peer_server = peers
    running = await start_orchestrator(settings_for(readiness_interval_seconds=0.05))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.orchestrator.port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        await status_becomes(health, "", SERVING)

        await peer_server.set_serving(False)
        await status_becomes(health, "", NOT_SERVING)
        intake = await health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME))
        assert intake.status == SERVING
        assert REGISTRY.get_sample_value("botbridge_dependency_up", {"dependency": "ai"}) == 0

        await peer_server.set_serving(True)
        await status_becomes(health, "", SERVING)
        assert REGISTRY.get_sample_value("botbridge_dependency_up", {"dependency": "ai"}) == 1


async def test_a_store_that_does_not_answer_stops_the_deliveries(peers, settings_for, start_orchestrator, monkeypatch):
    """In: the orchestrator ready, then its store failing every query, then answering again. Out: OrchestratorService
    (and the overall status) NOT_SERVING while the store fails, so the gateway answers 503; SERVING again after."""
    running = await start_orchestrator(settings_for(readiness_interval_seconds=0.05))
    store = running.orchestrator.store
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.orchestrator.port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        await status_becomes(health, SERVICE_NAME, SERVING)

        async def unreachable():
            raise ConnectionError("the database does not answer")

        monkeypatch.setattr(store, "stats", unreachable)
        await status_becomes(health, SERVICE_NAME, NOT_SERVING)
        assert (await health.Check(health_pb2.HealthCheckRequest())).status == NOT_SERVING

        monkeypatch.undo()
        await status_becomes(health, SERVICE_NAME, SERVING)


async def test_the_backlog_gauges_follow_the_store(peers, settings_for, start_orchestrator):
    """In: a message held in the queue (an ordering window of a minute). Out: the readiness checks report it: the
    backlog gauge counts one pending event, and the oldest pending age is set."""
    running = await start_orchestrator(settings_for(readiness_interval_seconds=0.05, ordering_window_seconds=60))
    await running.submit(customer_message(thread_id="thread-backlog"))
    await eventually(
        lambda: REGISTRY.get_sample_value("botbridge_intake_backlog_events"),
        lambda backlog: backlog == 1,
        what="the backlog gauge counting the pending event",
    )
    assert REGISTRY.get_sample_value("botbridge_intake_oldest_pending_age_seconds") >= 0
