"""Builds the AI's gRPC server: AiService with the configured backend, plus health and reflection, bound but not
started; and the service `python -m ai_service` runs."""

from contextlib import AsyncExitStack

from ai_service.backend import open_backend
from ai_service.servicer import AiServicer
from ai_service.settings import AiSettings
from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc
from service_kit.grpc_server import GrpcServer
from service_kit.service import Service

SERVICE_NAME = ai_pb2.DESCRIPTOR.services_by_name["AiService"].full_name


async def create_server(settings: AiSettings) -> GrpcServer:
    """Opens the backend (AI_BACKEND) and binds `settings.listen_addr` (port 0 for any free one: see `server.port`);
    the backend is closed when the server stops, or at once if binding fails."""
    async with AsyncExitStack() as opened:
        server = GrpcServer([SERVICE_NAME])
        ai_pb2_grpc.add_AiServiceServicer_to_server(AiServicer(await open_backend(settings, opened)), server.server)
        server.bind(settings.listen_addr, settings)
        server.close_on_stop(opened.pop_all())
    return server


async def service(settings: AiSettings) -> Service:
    """The AI service as `run_service` runs it: its server, and metrics on METRICS_HOST:METRICS_PORT."""
    server = await create_server(settings)
    if settings.backend == "llm":
        backend: dict[str, object] = {
            "model": settings.llm_model,
            "base_url": settings.llm_base_url,
            "tools": settings.llm_use_tools,
        }
    else:
        backend = {"threshold": settings.confidence_threshold}
    return Service(
        start=server.start,
        stop=lambda: server.stop(settings.grace_seconds),
        facts=lambda: {"port": server.port, "backend": settings.backend, **backend},
        metrics=(settings.metrics_host, settings.metrics_port),
    )
