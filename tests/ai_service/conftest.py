"""A real AiService on a loopback port, with a channel to it."""

from collections.abc import AsyncIterator

import grpc
import pytest

from ai_service.server import create_server
from ai_service.settings import AiSettings
from botbridge.ai.v1 import ai_pb2_grpc


@pytest.fixture
def ai_settings() -> AiSettings:
    return AiSettings(listen_addr="127.0.0.1:0")


@pytest.fixture
async def ai_channel(ai_settings: AiSettings) -> AsyncIterator[grpc.aio.Channel]:
    server = await create_server(ai_settings)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield channel
    finally:
        await channel.close()
        await server.stop(0)


@pytest.fixture
def ai_stub(ai_channel: grpc.aio.Channel) -> ai_pb2_grpc.AiServiceStub:
    return ai_pb2_grpc.AiServiceStub(ai_channel)
