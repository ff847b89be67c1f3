"""A real AiService on a loopback port, with a channel to it; LLM responders talking to a fake model."""

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

import grpc
import httpx
import pytest
from fake_chat_server import FakeModel, llm_settings

from ai_service.llm.client import ChatCompletionsClient
from ai_service.llm.responder import LlmResponder
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


@pytest.fixture
async def llm_responder() -> AsyncIterator[Callable[..., LlmResponder]]:
    """Builds LlmResponders that talk to a FakeModel in-process (`llm_responder(model, **settings)`)."""
    async with AsyncExitStack() as clients:

        def build(model: FakeModel, **settings: object) -> LlmResponder:
            configured = llm_settings(**settings)
            http = httpx.AsyncClient(transport=model.transport())
            clients.push_async_callback(http.aclose)
            client = ChatCompletionsClient(http, configured.llm_base_url, configured.llm_api_key)
            return LlmResponder(client, configured)

        yield build
