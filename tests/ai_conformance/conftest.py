"""Our two AI services on loopback ports: the reference ai_service (in-process, grpc.aio) and the minimal example
(in-process, sync gRPC in its own threads)."""

from collections.abc import AsyncIterator, Iterator

import pytest

from ai_service.server import create_server
from ai_service.settings import AiSettings
from examples.minimal_ai import server as minimal_ai


@pytest.fixture
async def ai_service_address() -> AsyncIterator[str]:
    server = await create_server(AiSettings(listen_addr="127.0.0.1:0"))
    await server.start()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        await server.stop(0)


@pytest.fixture
def minimal_ai_address() -> Iterator[str]:
    server, _, port = minimal_ai.serve("127.0.0.1:0")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(None).wait()
