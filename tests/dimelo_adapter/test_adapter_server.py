"""The server serves health beside DimeloService, closes its HTTP client on stop, and caps requests in flight."""

import asyncio

import grpc
import httpx
import pytest
from adapter_testkit import adapter_settings, thread_json
from grpc_health.v1 import health_pb2, health_pb2_grpc

from dimelo_adapter.client import DimeloClient
from dimelo_adapter.server import SERVICE_NAME, create_server


class ClosableTransport(httpx.MockTransport):
    """A transport that records being closed."""

    closed = False

    async def aclose(self) -> None:
        self.closed = True


async def test_health_is_serving_then_the_http_client_is_closed_on_stop():
    """In: a started server, then stop. Out: DimeloService SERVING while up; its HTTP transport closed after."""
    transport = ClosableTransport(lambda request: httpx.Response(200, json={}))
    server = await create_server(adapter_settings(), transport)
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        answer = await health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME))
    assert SERVICE_NAME == "botbridge.dimelo.v1.DimeloService"
    assert answer.status == health_pb2.HealthCheckResponse.SERVING
    assert not transport.closed

    await server.stop(0)

    assert transport.closed


async def test_a_server_that_cannot_listen_closes_its_http_client():
    """In: an address of no interface of this host (TEST-NET-1). Out: the bind error, and the HTTP transport closed."""
    transport = ClosableTransport(lambda request: httpx.Response(200, json={}))

    with pytest.raises(OSError, match=r"cannot listen on 192\.0\.2\.1:0"):
        await create_server(adapter_settings(adapter_listen_addr="192.0.2.1:0"), transport)

    assert transport.closed


async def test_no_more_requests_than_the_concurrency_limit_are_in_flight():
    """In: 6 reads at once with DIMELO_MAX_CONCURRENCY=2, Dimelo holding each answer. Out: never more than 2 in
    flight, and all 6 answered once Dimelo lets them go."""
    in_flight = 0
    peak = 0
    limit_reached = asyncio.Event()
    release = asyncio.Event()

    async def slow_dimelo(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight == 2:
            limit_reached.set()
        await release.wait()
        in_flight -= 1
        return httpx.Response(200, json=thread_json())

    client = DimeloClient(adapter_settings(dimelo_max_concurrency=2), httpx.MockTransport(slow_dimelo))
    reads = [asyncio.create_task(client.get_thread(f"t-{n}")) for n in range(6)]
    await limit_reached.wait()
    for _ in range(20):  # let every other read reach the limit, if it could pass it
        await asyncio.sleep(0)
    release.set()
    threads = await asyncio.gather(*reads)
    await client.aclose()

    assert peak == 2
    assert len(threads) == 6
