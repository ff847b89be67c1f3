"""Supervised loops: a store error is survived (counted, backed off, then on); any other error fails the process."""

import asyncio
import sqlite3

import grpc
from grpc_health.v1 import health_pb2_grpc
from prometheus_client import REGISTRY

from orchestrator.server import SERVICE_NAME
from orchestrator.supervision import Supervisor
from tests.orchestrator.test_orchestrator_readiness import NOT_SERVING, status_becomes


def errors(loop: str, result: str) -> float:
    return REGISTRY.get_sample_value("botbridge_loop_errors_total", {"loop": loop, "result": result}) or 0.0


async def test_a_loop_survives_store_errors_and_goes_on():
    """In: an iteration failing twice with a locked database, then working. Out: the loop went on (3 more turns),
    two survived errors counted, and the process is not failed."""
    outcomes = [sqlite3.OperationalError("database is locked")] * 2
    turns = []
    done = asyncio.Event()

    async def iteration() -> bool:
        if outcomes:
            raise outcomes.pop(0)
        turns.append(1)
        if len(turns) == 3:
            done.set()
            return False
        return True

    before = errors("test-survives", "survived")
    supervisor = Supervisor()
    supervisor.run("test-survives", iteration)
    await asyncio.wait_for(done.wait(), 5)
    await supervisor.wait("test-survives")

    assert len(turns) == 3 and errors("test-survives", "survived") - before == 2
    assert not supervisor.failed.is_set()


async def test_an_error_a_loop_cannot_survive_fails_the_process():
    """In: an iteration raising a programming error. Out: the loop ends, `failed` is set with the loop's name and
    the error, and the fatal error is counted."""

    async def iteration() -> bool:
        raise KeyError("thread-1")

    supervisor = Supervisor()
    supervisor.run("test-fatal", iteration)
    await asyncio.wait_for(supervisor.failed.wait(), 5)

    assert not supervisor.alive("test-fatal")
    assert supervisor.failure == "test-fatal: KeyError: 'thread-1'"
    assert errors("test-fatal", "fatal") == 1


async def test_a_scheduler_that_cannot_go_on_makes_the_orchestrator_unready(
    peers, settings_for, start_orchestrator, monkeypatch
):
    """In: a running orchestrator whose claim meets an error no loop may survive (a programming error). Out: the
    process is marked failed (so `python -m orchestrator` exits 1) and OrchestratorService turns NOT_SERVING, so
    the gateway stops sending it deliveries."""
    running = await start_orchestrator(settings_for(readiness_interval_seconds=0.05))
    orchestrator = running.orchestrator

    async def broken_claim(*_):
        raise AttributeError("a bug")

    monkeypatch.setattr(orchestrator.store, "claim_next", broken_claim)
    orchestrator.scheduler.wake()
    await asyncio.wait_for(orchestrator.supervisor.failed.wait(), 10)

    assert orchestrator.supervisor.failure == "scheduler: AttributeError: a bug"
    async with grpc.aio.insecure_channel(f"127.0.0.1:{orchestrator.port}") as channel:
        await status_becomes(health_pb2_grpc.HealthStub(channel), SERVICE_NAME, NOT_SERVING)
