"""Builds the orchestrator: store, peers, scheduler, retention and gRPC server, and stops them in order; and the
service `python -m orchestrator` runs."""

import asyncio
import logging

import grpc

from botbridge.ai.v1 import ai_pb2_grpc
from botbridge.dimelo.v1 import dimelo_pb2_grpc
from botbridge.orchestrator.v1 import orchestrator_pb2, orchestrator_pb2_grpc
from orchestrator.conversation import ConversationHandler
from orchestrator.database import Database
from orchestrator.intake import IntakeServicer
from orchestrator.metrics import RETENTION_DELETED
from orchestrator.readiness import readiness_checks
from orchestrator.scheduler import Scheduler
from orchestrator.settings import Settings
from orchestrator.store import Store
from orchestrator.supervision import Supervisor
from orchestrator.thread_page import thread_page
from service_kit.grpc_client import peer_channel
from service_kit.grpc_server import GrpcServer
from service_kit.retried_methods import AI_SERVICE, DIMELO_SERVICE
from service_kit.service import Service

SERVICE_NAME = orchestrator_pb2.DESCRIPTOR.services_by_name["OrchestratorService"].full_name
log = logging.getLogger(__name__)


class Orchestrator:
    """The running orchestrator; `port` is the bound gRPC port; `supervisor.failed` is set when the process must
    stop to be restarted."""

    def __init__(self, settings: Settings, store: Store, channels: list[grpc.aio.Channel]) -> None:
        self._settings = settings
        self.store = store
        self._channels = channels
        ai_channel, dimelo_channel = channels
        handler = ConversationHandler(
            settings, store, ai_pb2_grpc.AiServiceStub(ai_channel), dimelo_pb2_grpc.DimeloServiceStub(dimelo_channel)
        )
        self.supervisor = Supervisor()
        self.scheduler = Scheduler(settings, store, handler, self.supervisor)
        readiness = readiness_checks(store, ai_channel, dimelo_channel, SERVICE_NAME, self.scheduler.alive)
        self.grpc = GrpcServer(
            [SERVICE_NAME], readiness=readiness.run, readiness_interval=settings.readiness_interval_seconds
        )
        orchestrator_pb2_grpc.add_OrchestratorServiceServicer_to_server(
            IntakeServicer(settings, store, self.scheduler), self.grpc.server
        )
        self.port = self.grpc.bind(settings.orchestrator_listen_addr, settings)

    async def start(self) -> None:
        self.scheduler.start()
        self.supervisor.run("retention", self._forget_old)
        await self.grpc.start()

    async def _forget_old(self) -> bool:
        """One retention pass, then a pause of RETENTION_INTERVAL_SECONDS."""
        deleted = await self.store.forget_older_than(self._settings.retention_days * 86400)
        for table, count in deleted.items():
            RETENTION_DELETED.labels(table).inc(count)
        if any(deleted.values()):
            log.info("retention: deleted what is older than %g days", self._settings.retention_days, extra=deleted)
        await asyncio.sleep(self._settings.retention_interval_seconds)
        return True

    async def stop(self) -> None:
        """Refuses new deliveries, finishes in-flight conversations within the grace period, then closes."""
        await self.grpc.stop(self._settings.grace_seconds / 2)
        await self.scheduler.stop(self._settings.grace_seconds / 2)
        await self.supervisor.stop()
        for channel in self._channels:
            await channel.close()
        await self.store.close()


async def create_server(settings: Settings) -> Orchestrator:
    """The orchestrator, bound and not started."""
    database = await Database.open(
        settings.orchestrator_db_path,
        settings.orchestrator_database_url.get_secret_value(),
        settings.store_pool_size,
        settings.store_timeout_seconds,
    )
    store = await Store.open(database, settings.lease_seconds, settings.orchestrator_replica_id)
    channels = [
        peer_channel(settings.ai_addr, AI_SERVICE, tls=settings),
        peer_channel(settings.dimelo_adapter_addr, DIMELO_SERVICE, settings.adapter_timeout_seconds, tls=settings),
    ]
    return Orchestrator(settings, store, channels)


async def service(settings: Settings) -> Service:
    """The orchestrator as `run_service` runs it: metrics with the thread page on METRICS_HOST:METRICS_PORT; a
    background loop failed beyond repair makes it unready at once, then stops it (exit 1, for the supervisor)."""
    orchestrator = await create_server(settings)

    async def failed() -> object:
        await orchestrator.supervisor.failed.wait()
        await orchestrator.grpc.set_serving(False)
        return orchestrator.supervisor.failure

    return Service(
        start=orchestrator.start,
        stop=orchestrator.stop,
        facts=lambda: {"port": orchestrator.port, "db": str(settings.orchestrator_db_path)},
        metrics=(settings.metrics_host, settings.metrics_port),
        metrics_page=thread_page(orchestrator.store, asyncio.get_running_loop()),
        failed=failed,
    )
