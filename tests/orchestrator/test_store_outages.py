"""The store going away and coming back: the orchestrator stays up, turns unready, and heals without a restart."""

import asyncio
import contextlib
import sqlite3

import grpc
import pytest
from grpc_health.v1 import health_pb2_grpc

from botbridge.orchestrator.v1 import orchestrator_pb2
from orchestrator.database import STORE_ERRORS, Database
from orchestrator.server import SERVICE_NAME
from orchestrator.store import Store
from service_kit.rich_errors import ORCHESTRATOR
from tests.chaos.tcp_proxy import Proxy
from tests.orchestrator.conftest import customer_message, settled
from tests.orchestrator.test_orchestrator_readiness import NOT_SERVING, SERVING, status_becomes
from tests.orchestrator.test_supervision import errors
from tests.postgres import fresh_schema


async def test_postgresql_unreachable_then_back_heals_without_a_restart(tmp_path):
    """In: a store on PostgreSQL through a TCP proxy; the proxy killed (every connection breaks), then started
    again. Out: writes fail with a store error while it is down, and succeed again once it is back, on the same
    Database object."""
    with fresh_schema() as url:
        proxy = Proxy("127.0.0.1", 5432)
        proxy.start()
        try:
            proxied = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.listen_port}")
            store = await Store.open(await Database.open(tmp_path / "unused", proxied, 2, timeout=0.5), 30, "r1")
            await store.probe_write()

            proxy.kill()
            with pytest.raises(STORE_ERRORS):
                await store.probe_write()

            proxy.start()
            for _ in range(50):  # the pool replaces its broken connections
                with contextlib.suppress(*STORE_ERRORS):
                    await store.probe_write()
                    break
                await asyncio.sleep(0.1)
            else:
                pytest.fail("the store never healed")
            await store.close()
        finally:
            proxy.kill()


async def test_a_locked_sqlite_store_is_survived_and_the_message_answered_once_it_frees(
    peers, settings_for, start_orchestrator
):
    """In: a customer message due in 0.5 s, and another process holding the SQLite store locked for 2 s (the store
    waits 0.3 s at most). Out: the scheduling loop survives (errors counted), OrchestratorService turns NOT_SERVING
    (the write probe fails) then SERVING, a delivery meanwhile is refused with UNAVAILABLE naming the lock (reason
    STORE_UNAVAILABLE, on which the gateway acts, the text being for people), and the
    message is answered once, without a restart."""
    _, dimelo, _ = peers
    settings = settings_for(ordering_window_seconds=0.5, store_timeout_seconds=0.3, readiness_interval_seconds=0.05)
    if settings.orchestrator_database_url.get_secret_value():
        pytest.skip("SQLite only")
    running = await start_orchestrator(settings)
    before = errors("scheduler", "survived")
    await running.submit(customer_message())
    async with grpc.aio.insecure_channel(f"127.0.0.1:{running.orchestrator.port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        locker = sqlite3.connect(settings.orchestrator_db_path, isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            await status_becomes(health, SERVICE_NAME, NOT_SERVING)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await running.submit(customer_message())
            assert refused.value.code() is grpc.StatusCode.UNAVAILABLE
            assert "the store cannot write now (OperationalError: database is locked)" in refused.value.details()
            assert ORCHESTRATOR.reason(refused.value) == orchestrator_pb2.ERROR_REASON_STORE_UNAVAILABLE
            await asyncio.sleep(1.5)
        finally:
            locker.execute("COMMIT")
            locker.close()
        await status_becomes(health, SERVICE_NAME, SERVING)

    [event] = await settled(running, "thread-1", 1, timeout=10)
    assert event.outcome == "answered" and len(dimelo.replies) == 1
    assert errors("scheduler", "survived") > before
