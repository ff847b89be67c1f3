"""Builds the adapter's gRPC server: DimeloService, health and reflection, bound but not started; and the service
`python -m dimelo_adapter` runs."""

import asyncio

import httpx

from botbridge.dimelo.v1 import dimelo_pb2, dimelo_pb2_grpc
from dimelo_adapter.client import DimeloClient, Sleep
from dimelo_adapter.interceptor import ErrorStatusInterceptor
from dimelo_adapter.servicer import DimeloServicer
from dimelo_adapter.settings import AdapterSettings
from service_kit.grpc_server import GrpcServer
from service_kit.service import Service

SERVICE_NAME = dimelo_pb2.DESCRIPTOR.services_by_name["DimeloService"].full_name


class AdapterServer(GrpcServer):
    """The gRPC server that also closes the adapter's HTTP client once stopped."""

    def __init__(self, client: DimeloClient, agent_status_seconds: float) -> None:
        super().__init__([SERVICE_NAME], interceptors=[ErrorStatusInterceptor()])
        self._client = client
        servicer = DimeloServicer(client, agent_status_seconds)
        dimelo_pb2_grpc.add_DimeloServiceServicer_to_server(servicer, self.server)

    async def stop(self, grace: float) -> None:
        await super().stop(grace)
        await self._client.aclose()


async def create_server(
    settings: AdapterSettings, transport: httpx.AsyncBaseTransport | None = None, sleep: Sleep = asyncio.sleep
) -> GrpcServer:
    """`transport` and `sleep` replace the network and the retry waits in tests."""
    client = DimeloClient(settings, transport, sleep)
    server = AdapterServer(client, settings.dimelo_agent_status_seconds)
    try:
        server.bind(settings.adapter_listen_addr, settings)
    except BaseException:
        await client.aclose()
        raise
    return server


async def service(settings: AdapterSettings) -> Service:
    """The adapter as `run_service` runs it: its server, and metrics on METRICS_HOST:METRICS_PORT."""
    server = await create_server(settings)
    return Service(
        start=server.start,
        stop=lambda: server.stop(settings.adapter_grace_seconds),
        facts=lambda: {"port": server.port, "dimelo_api_url": settings.dimelo_api_url},
        metrics=(settings.metrics_host, settings.metrics_port),
    )
