"""Builds the AI's gRPC server: AiService plus health and reflection, bound but not started."""

from ai_service.faq import load_faq
from ai_service.responder import Responder
from ai_service.servicer import AiServicer
from ai_service.settings import AiSettings
from botbridge.ai.v1 import ai_pb2, ai_pb2_grpc
from service_kit.grpc_server import GrpcServer

SERVICE_NAME = ai_pb2.DESCRIPTOR.services_by_name["AiService"].full_name


async def create_server(settings: AiSettings) -> GrpcServer:
    """Loads the FAQ and binds `settings.listen_addr` (port 0 for any free one; the port is in `server.port`)."""
    responder = Responder(load_faq(settings.faq_path), settings.confidence_threshold)
    server = GrpcServer([SERVICE_NAME])
    ai_pb2_grpc.add_AiServiceServicer_to_server(AiServicer(responder), server.server)
    server.bind(settings.listen_addr)
    return server
