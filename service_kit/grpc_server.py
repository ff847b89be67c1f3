"""gRPC server start-up shared by the services: health, reflection, and a graceful stop on SIGTERM."""

import asyncio
import logging
import signal
from collections.abc import Sequence

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

log = logging.getLogger(__name__)

# Clients reconnect every few minutes, so replicas added by scaling out soon get their share of the calls.
SERVER_OPTIONS = (
    ("grpc.max_connection_age_ms", 300_000),
    ("grpc.max_connection_age_grace_ms", 30_000),
)


class GrpcServer:
    """A grpc.aio server with the standard health and reflection services beside the service's own."""

    def __init__(self, service_names: Sequence[str], interceptors: Sequence[grpc.aio.ServerInterceptor] = ()) -> None:
        self.server = grpc.aio.server(interceptors=list(interceptors), options=SERVER_OPTIONS)
        self.health = health.aio.HealthServicer()
        self._service_names = list(service_names)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            [*self._service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], self.server
        )
        self.port = 0

    def bind(self, address: str) -> int:
        """Listens on `address` (host:port, port 0 for any free one) and returns the bound port."""
        self.port = self.server.add_insecure_port(address)
        if not self.port:
            raise OSError(f"cannot listen on {address}")
        return self.port

    async def start(self) -> None:
        await self.server.start()
        await self.set_serving(True)

    async def set_serving(self, serving: bool) -> None:
        """Sets the overall health and each service's to SERVING or NOT_SERVING."""
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ["", *self._service_names]:
            await self.health.set(name, status)

    async def stop(self, grace: float) -> None:
        """Reports NOT_SERVING, stops taking calls and lets in-flight calls finish for `grace` seconds."""
        await self.set_serving(False)
        await self.server.stop(grace)


async def wait_for_termination_signal() -> None:
    """Returns on the first SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("termination signal received, draining")
