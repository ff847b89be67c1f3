"""When the orchestrator cannot store a delivery: 503 with not_stored, so Dimelo sends it again; never a 500."""

import asyncio
import logging
import socket
from collections.abc import Iterator

import grpc
import httpx
import pytest
from prometheus_client import REGISTRY

from botbridge.orchestrator.v1 import orchestrator_pb2
from service_kit.grpc_client import MAX_ATTEMPTS

PATH = "/dimelo/webhook"


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound but not listening: connections to it are refused for the whole test."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.mark.parametrize("code", [grpc.StatusCode.INTERNAL, grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED])
async def test_failing_orchestrator_means_503(
    gateway: httpx.AsyncClient, orchestrator, seed_delivery, code: grpc.StatusCode, caplog: pytest.LogCaptureFixture
) -> None:
    # In: the seed delivery while SubmitDelivery fails with `code`. Out: 503 not_stored naming the code, an ERROR log.
    orchestrator.failure = code
    response = await gateway.post(PATH, json=seed_delivery)
    assert response.status_code == 503
    assert response.json()["error"] == "not_stored"
    assert code.name in response.json()["message"]
    assert any(r.levelno == logging.ERROR and r.name.startswith("gateway") for r in caplog.records)


async def test_unreachable_orchestrator_means_503(open_gateway, settings, seed_delivery, closed_port: int) -> None:
    # In: the seed delivery with nothing listening at ORCHESTRATOR_ADDR for the whole 0.3 s deadline.
    # Out: 503 not_stored once the deadline passed.
    update = {"orchestrator_addr": f"127.0.0.1:{closed_port}", "submit_timeout_seconds": 0.3}
    gateway = await open_gateway(settings.model_copy(update=update))
    response = await gateway.post(PATH, json=seed_delivery)
    assert response.status_code == 503
    assert response.json()["error"] == "not_stored"


async def test_delivery_waits_for_a_restarting_orchestrator(open_gateway, settings, start_orchestrator, seed_delivery):
    # In: a delivery sent while the orchestrator is down (its port accepts TCP but speaks no gRPC), then the
    # orchestrator starts on that port within the deadline. Out: 200, stored: a restart costs Dimelo no failure.
    connected = asyncio.Event()
    held: list[asyncio.StreamWriter] = []

    def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        connected.set()

    down = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = down.sockets[0].getsockname()[1]
    gateway = await open_gateway(settings.model_copy(update={"orchestrator_addr": f"127.0.0.1:{port}"}))
    sending = asyncio.create_task(gateway.post(PATH, json=seed_delivery))
    await asyncio.wait_for(connected.wait(), 5)  # the gateway's call is now waiting for a gRPC connection
    down.close()
    for writer in held:
        writer.close()
    await down.wait_closed()
    orchestrator, _ = await start_orchestrator(f"127.0.0.1:{port}")
    response = await sending
    assert response.status_code == 200
    assert len(orchestrator.deliveries) == 1


async def test_orchestrator_slower_than_the_deadline_means_503(open_gateway, settings, orchestrator, seed_delivery):
    # In: SubmitDelivery that never answers, with a 0.2 s deadline. Out: 503 naming DEADLINE_EXCEEDED.
    orchestrator.hold = True
    gateway = await open_gateway(settings.model_copy(update={"submit_timeout_seconds": 0.2}))
    response = await gateway.post(PATH, json=seed_delivery)
    assert response.status_code == 503
    assert "DEADLINE_EXCEEDED" in response.json()["message"]


def orchestrator_failures(call: str, code: str, reason: str) -> float:
    labels = {"call": call, "code": code, "reason": reason}
    return REGISTRY.get_sample_value("botbridge_webhook_orchestrator_failures_total", labels) or 0.0


async def test_a_delivery_cut_off_is_sent_again_but_a_quarantine_never(
    gateway: httpx.AsyncClient, orchestrator, seed_delivery
):
    """In: the orchestrator fails every call with UNAVAILABLE and no reason (as when it dies mid-call); a delivery,
    then a body that is not a delivery. Out: SubmitDelivery reached it MAX_ATTEMPTS times (safe: events are kept by
    id), QuarantineDelivery once (each call keeps the body again); both answered 503."""
    orchestrator.failure = grpc.StatusCode.UNAVAILABLE

    delivered = await gateway.post(PATH, json=seed_delivery)
    quarantined = await gateway.post(PATH, content=b"{oops")

    assert (delivered.status_code, quarantined.status_code) == (503, 503)
    assert orchestrator.calls == {"SubmitDelivery": MAX_ATTEMPTS, "QuarantineDelivery": 1}


@pytest.mark.parametrize(("body", "call"), [(None, "submit"), (b"{oops", "quarantine")])
async def test_the_orchestrators_reason_is_counted_and_named(
    gateway: httpx.AsyncClient, orchestrator, seed_delivery, caplog: pytest.LogCaptureFixture, body, call
):
    """In: a delivery (or a body that is not one) while the orchestrator's store cannot write: UNAVAILABLE, reason
    STORE_UNAVAILABLE. Out: 503 naming code and reason, the call tried once (the orchestrator's verdict is not
    repeated), the failure counted by call, code and reason, and an ERROR line naming the reason."""
    orchestrator.failure = grpc.StatusCode.UNAVAILABLE
    orchestrator.reason = orchestrator_pb2.ERROR_REASON_STORE_UNAVAILABLE
    before = orchestrator_failures(call, "UNAVAILABLE", "STORE_UNAVAILABLE")

    response = await (gateway.post(PATH, content=body) if body else gateway.post(PATH, json=seed_delivery))

    assert response.status_code == 503
    assert "(UNAVAILABLE, STORE_UNAVAILABLE)" in response.json()["message"]
    assert sum(orchestrator.calls.values()) == 1
    assert orchestrator_failures(call, "UNAVAILABLE", "STORE_UNAVAILABLE") == before + 1
    assert any(r.levelno == logging.ERROR and "STORE_UNAVAILABLE" in r.getMessage() for r in caplog.records)


async def test_a_failure_without_reason_is_counted_as_unspecified(open_gateway, settings, orchestrator, seed_delivery):
    """In: SubmitDelivery that never answers within its 0.2 s deadline. Out: counted with code DEADLINE_EXCEEDED and
    reason UNSPECIFIED (the orchestrator gave none)."""
    orchestrator.hold = True
    gateway = await open_gateway(settings.model_copy(update={"submit_timeout_seconds": 0.2}))
    before = orchestrator_failures("submit", "DEADLINE_EXCEEDED", "UNSPECIFIED")

    await gateway.post(PATH, json=seed_delivery)

    assert orchestrator_failures("submit", "DEADLINE_EXCEEDED", "UNSPECIFIED") == before + 1
