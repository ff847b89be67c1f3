"""The adapter started in-process on port 0 against a scripted Dimelo (httpx.MockTransport), reached over real gRPC."""

from collections.abc import AsyncIterator, Iterator

import grpc
import httpx
import pytest
from adapter_testkit import FakeDimelo, adapter_settings, as_exchange

from botbridge.dimelo.v1 import dimelo_pb2_grpc
from dimelo_adapter.server import create_server
from tests.spec.spec_check import check_all


@pytest.fixture
def dimelo() -> Iterator[FakeDimelo]:
    """The scripted Dimelo; once the test is over, every request the adapter sent it is checked against
    RingCentral's spec (the scripted answers are the test's, so only the requests)."""
    fake = FakeDimelo()
    yield fake
    _, problems = check_all(as_exchange(request) for request in fake.requests)
    assert problems == [], problems


@pytest.fixture
def waits() -> list[float]:
    """The retry waits the adapter asked for; nothing really sleeps."""
    return []


@pytest.fixture
async def adapter(dimelo: FakeDimelo, waits: list[float]) -> AsyncIterator[dimelo_pb2_grpc.DimeloServiceStub]:
    async def record_wait(seconds: float) -> None:
        waits.append(seconds)

    server = await create_server(adapter_settings(), httpx.MockTransport(dimelo.handle), record_wait)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield dimelo_pb2_grpc.DimeloServiceStub(channel)
    finally:
        await channel.close()
        await server.stop(0)
