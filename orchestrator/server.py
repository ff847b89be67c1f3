"""Builds the orchestrator: store, peers, scheduler and gRPC server, and stops them in order."""

import grpc

from botbridge.ai.v1 import ai_pb2_grpc
from botbridge.dimelo.v1 import dimelo_pb2_grpc
from botbridge.orchestrator.v1 import orchestrator_pb2, orchestrator_pb2_grpc
from orchestrator.conversation import ConversationHandler
from orchestrator.database import Database
from orchestrator.intake import IntakeServicer
from orchestrator.readiness import readiness_checks
from orchestrator.scheduler import Scheduler
from orchestrator.settings import Settings
from orchestrator.store import Store
from service_kit.grpc_client import peer_channel
from service_kit.grpc_server import GrpcServer

SERVICE_NAME = orchestrator_pb2.DESCRIPTOR.services_by_name["OrchestratorService"].full_name


class Orchestrator:
    """The running orchestrator; `port` is the bound gRPC port."""

    def __init__(self, settings: Settings, store: Store, channels: list[grpc.aio.Channel]) -> None:
        self._settings = settings
        self.store = store
        self._channels = channels
        ai_channel, dimelo_channel = channels
        handler = ConversationHandler(
            settings, store, ai_pb2_grpc.AiServiceStub(ai_channel), dimelo_pb2_grpc.DimeloServiceStub(dimelo_channel)
        )
        self.scheduler = Scheduler(settings, store, handler)
        readiness = readiness_checks(store, ai_channel, dimelo_channel, SERVICE_NAME)
        self.grpc = GrpcServer(
            [SERVICE_NAME], readiness=readiness.run, readiness_interval=settings.readiness_interval_seconds
        )
        orchestrator_pb2_grpc.add_OrchestratorServiceServicer_to_server(
            IntakeServicer(settings, store, self.scheduler), self.grpc.server
        )
        self.port = self.grpc.bind(settings.orchestrator_listen_addr, settings)

    async def start(self) -> None:
        await self.grpc.start()
        self.scheduler.start()

    async def stop(self) -> None:
        """Refuses new deliveries, finishes in-flight conversations within the grace period, then closes."""
        await self.grpc.stop(self._settings.grace_seconds / 2)
        await self.scheduler.stop(self._settings.grace_seconds / 2)
        for channel in self._channels:
            await channel.close()
        await self.store.close()


async def create_server(settings: Settings) -> Orchestrator:
    """The orchestrator, bound and not started."""
    database = await Database.open(
        settings.orchestrator_db_path, settings.orchestrator_database_url.get_secret_value()
    )
    store = await Store.open(database, settings.lease_seconds)
    channels = [
        peer_channel(settings.ai_addr, tls=settings),
        peer_channel(settings.dimelo_adapter_addr, settings.adapter_timeout_seconds, tls=settings),
    ]
    return Orchestrator(settings, store, channels)
