"""The AI services we ship, each served on a loopback port for a test: `async with serving_X() as address`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ai_service.server import create_server
from ai_service.settings import AiSettings
from dimelo_sandbox.serve import start_server
from examples.minimal_ai import server as minimal_ai
from tests.ai_service.fake_chat_server import FakeModel, llm_settings


@asynccontextmanager
async def serving_ai_service() -> AsyncIterator[str]:
    """ai_service with its default FAQ backend, in-process (grpc.aio)."""
    server = await create_server(AiSettings(listen_addr="127.0.0.1:0"))
    await server.start()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        await server.stop(0)


@asynccontextmanager
async def serving_llm_ai_service() -> AsyncIterator[str]:
    """ai_service with AI_BACKEND=llm, in front of a fake OpenAI-compatible model on loopback HTTP."""
    model = await start_server(FakeModel().app(), "127.0.0.1", 0)
    server = await create_server(llm_settings(listen_addr="127.0.0.1:0", llm_base_url=f"{model.url}/v1"))
    await server.start()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        await server.stop(0)
        await model.stop()


@asynccontextmanager
async def serving_example_ai() -> AsyncIterator[str]:
    """examples/minimal_ai, in-process (sync gRPC in its own threads)."""
    server, _, port = minimal_ai.serve("127.0.0.1:0")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(None).wait()
