"""Each peer service's retry table covers every method of its proto, and a channel applies it per method: over real
gRPC on loopback, a call that a server fails UNAVAILABLE with no verdict (as when it dies mid-call) or CANCELLED (as
it answers calls that come while it stops) is sent again only for a method the table says is safe; a service's own
error (a reason, rich_errors) is never sent again."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import grpc
import pytest

from botbridge.ai.v1 import ai_pb2
from botbridge.dimelo.v1 import dimelo_pb2
from botbridge.orchestrator.v1 import orchestrator_pb2
from service_kit.grpc_client import MAX_ATTEMPTS, peer_channel
from service_kit.retried_methods import AI_SERVICE, DIMELO_SERVICE, ORCHESTRATOR_SERVICE, RetryTable
from service_kit.rich_errors import ORCHESTRATOR

TABLES = [
    (DIMELO_SERVICE, dimelo_pb2.DESCRIPTOR.services_by_name["DimeloService"]),
    (ORCHESTRATOR_SERVICE, orchestrator_pb2.DESCRIPTOR.services_by_name["OrchestratorService"]),
    (AI_SERVICE, ai_pb2.DESCRIPTOR.services_by_name["AiService"]),
]


@pytest.mark.parametrize(("table", "service"), TABLES, ids=lambda value: getattr(value, "name", ""))
def test_every_method_has_a_decision(table: RetryTable, service):
    """In: a service's retry table and its proto. Out: each method in exactly one of retried / not_retried, with a
    reason; no method the proto does not have."""
    assert table.service == service.full_name
    assert set(table.retried) | set(table.not_retried) == {method.name for method in service.methods}
    assert not set(table.retried) & set(table.not_retried)
    assert all(why.strip() for why in [*table.retried.values(), *table.not_retried.values()])


class FailingServer:
    """Answers every method of the tables' services with `code` (UNAVAILABLE unless set), counting calls per
    method: plainly (no verdict, as when the peer dies mid-call or stops), or with a reason when `rich` is set."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.rich = False
        self.code = grpc.StatusCode.UNAVAILABLE
        self.server = grpc.aio.server()
        for table, service in TABLES:
            handlers = {
                method.name: grpc.unary_unary_rpc_method_handler(self._failing(f"/{table.service}/{method.name}"))
                for method in service.methods
            }
            self.server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(table.service, handlers)])
        self.port = self.server.add_insecure_port("127.0.0.1:0")

    def _failing(self, method: str):
        async def fail(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
            self.calls[method] += 1
            if self.rich:
                reason = orchestrator_pb2.ERROR_REASON_STORE_UNAVAILABLE
                await ORCHESTRATOR.abort(context, grpc.StatusCode.UNAVAILABLE, "the store cannot write now", reason)
            await context.abort(self.code, "the peer went away")

        return fail


@pytest.fixture
async def failing() -> AsyncIterator[FailingServer]:
    server = FailingServer()
    await server.server.start()
    yield server
    await server.server.stop(0)


async def _call_every_method(port: int, table: RetryTable, service, code: grpc.StatusCode) -> None:
    async with peer_channel(f"127.0.0.1:{port}", table, default_timeout=10) as channel:

        async def call(method: str) -> None:
            with pytest.raises(grpc.aio.AioRpcError) as failed:
                await channel.unary_unary(f"/{table.service}/{method}")(b"")
            assert failed.value.code() is code

        await asyncio.gather(*(call(method.name) for method in service.methods))


@pytest.mark.parametrize("code", [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED], ids=lambda c: c.name)
@pytest.mark.parametrize(("table", "service"), TABLES, ids=lambda value: getattr(value, "name", ""))
async def test_only_the_tables_retried_methods_are_sent_again(
    failing: FailingServer, table: RetryTable, service, code: grpc.StatusCode
):
    """In: each method of the service called once through peer_channel(table); the server fails each plainly with
    UNAVAILABLE, or CANCELLED (what an orchestrator that is stopping answered the gateway's deliveries: under load,
    enough 503s for Dimelo to disable the webhook). Out: a retried method reached the server MAX_ATTEMPTS times, any
    other (e.g. QuarantineDelivery, CreateReply) once."""
    failing.code = code
    await _call_every_method(failing.port, table, service, code)

    expected = {f"/{table.service}/{m.name}": MAX_ATTEMPTS if m.name in table.retried else 1 for m in service.methods}
    assert dict(failing.calls) == expected


async def test_a_services_own_unavailable_is_never_sent_again(failing: FailingServer):
    """In: SubmitDelivery (a retried method) failed UNAVAILABLE with reason STORE_UNAVAILABLE, the server's verdict.
    Out: the call reached the server once: the caller decides on the reason, the channel does not repeat it."""
    failing.rich = True
    async with peer_channel(f"127.0.0.1:{failing.port}", ORCHESTRATOR_SERVICE, default_timeout=10) as channel:
        method = f"/{ORCHESTRATOR_SERVICE.service}/SubmitDelivery"
        with pytest.raises(grpc.aio.AioRpcError) as failed:
            await channel.unary_unary(method)(b"")

    assert ORCHESTRATOR.reason(failed.value) == orchestrator_pb2.ERROR_REASON_STORE_UNAVAILABLE
    assert failing.calls == {method: 1}
