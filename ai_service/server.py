"""Builds the AI's gRPC server: AiService with the configured backend, plus health and reflection, bound but not
started."""

from contextlib import AsyncExitStack

from ai_service.backend import open_backend
from ai_service.servicer import AiServicer
from ai_service.settings import AiSettings
from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc
from service_kit.grpc_server import GrpcServer

SERVICE_NAME = ai_pb2.DESCRIPTOR.services_by_name["AiService"].full_name


class AiServer(GrpcServer):
    """The gRPC server that also closes what its backend opened once stopped."""

    def __init__(self, servicer: AiServicer, resources: AsyncExitStack) -> None:
        super().__init__([SERVICE_NAME])
        self._resources = resources
        ai_pb2_grpc.add_AiServiceServicer_to_server(servicer, self.server)

    async def stop(self, grace: float) -> None:
        await super().stop(grace)
        await self._resources.aclose()


async def create_server(settings: AiSettings) -> GrpcServer:
    """Opens the backend (AI_BACKEND) and binds `settings.listen_addr` (port 0 for any free one: see `server.port`)."""
    resources = AsyncExitStack()
    try:
        server = AiServer(AiServicer(await open_backend(settings, resources)), resources)
        server.bind(settings.listen_addr, settings)
    except BaseException:
        await resources.aclose()
        raise
    return server
