"""Builds the adapter's gRPC server: DimeloService, health and reflection, bound but not started; and the service
`python -m dimelo_adapter` runs."""

import asyncio
from contextlib import AsyncExitStack

import httpx

from botbridge.dimelo.v1 import dimelo_pb2, dimelo_pb2_grpc
from dimelo_adapter.client import DimeloClient, Sleep
from dimelo_adapter.interceptor import ErrorStatusInterceptor
from dimelo_adapter.servicer import DimeloServicer
from dimelo_adapter.settings import AdapterSettings
from service_kit.grpc_server import GrpcServer
from service_kit.service import Service

SERVICE_NAME = dimelo_pb2.DESCRIPTOR.services_by_name["DimeloService"].full_name


async def create_server(
    settings: AdapterSettings, transport: httpx.AsyncBaseTransport | None = None, sleep: Sleep = asyncio.sleep
) -> GrpcServer:
    """The server, bound; its HTTP client is closed when it stops, or at once if binding fails. `transport` and
    `sleep` replace the network and the retry waits in tests."""
    async with AsyncExitStack() as opened:
        client = DimeloClient(settings, transport, sleep)
        opened.push_async_callback(client.aclose)
        server = GrpcServer([SERVICE_NAME], interceptors=[ErrorStatusInterceptor()])
        servicer = DimeloServicer(client, settings.dimelo_agent_status_seconds)
        dimelo_pb2_grpc.add_DimeloServiceServicer_to_server(servicer, server.server)
        server.bind(settings.adapter_listen_addr, settings)
        server.close_on_stop(opened.pop_all())
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
