"""Consumer contract, gateway -> orchestrator: what gateway/routes.py relies on from OrchestratorService, written
once and run over gRPC against the real orchestrator (a fresh SQLite store per test).

The gateway answers Dimelo 200 only after SubmitDelivery succeeds, counting the receipts' dispositions, and 503 on
any error (Dimelo then re-sends); a body it cannot parse goes to QuarantineDelivery; /readyz asks the health
service about OrchestratorService. The deliveries here are parsed by the gateway's own parser, as it sends them:
unreadable events go along as quarantine items, and the orchestrator quarantines what it cannot store.
They are on a source the bot does not handle, so the orchestrator stores them and never calls its peers.
"""

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from botbridge.orchestrator.v1 import orchestrator_pb2, orchestrator_pb2_grpc
from gateway.routes import ORCHESTRATOR_SERVICE
from gateway.settings import GatewaySettings
from orchestrator.server import create_server as create_orchestrator
from orchestrator.settings import Settings as OrchestratorSettings
from service_kit.webhook_delivery import delivery_request

# The deadline the gateway gives each call.
TIMEOUT = GatewaySettings.model_fields["submit_timeout_seconds"].default
ACCEPTED = orchestrator_pb2.EVENT_DISPOSITION_ACCEPTED
DUPLICATE = orchestrator_pb2.EVENT_DISPOSITION_DUPLICATE
QUARANTINED = orchestrator_pb2.EVENT_DISPOSITION_QUARANTINED
BOT_SOURCE = "s-bot"
OTHER_SOURCE = "s-not-the-bots"
UNUSED_PEER = "127.0.0.1:9"


def event(event_id: str, event_type: str = "content.imported") -> dict:
    """A webhook event as Dimelo sends it."""
    return {
        "id": event_id,
        "type": event_type,
        "issued_at": "2024-05-24T04:00:44Z",
        "resource": {
            "type": "chat/message",
            "id": f"c-{event_id}",
            "metadata": {
                "id": f"c-{event_id}",
                "thread_id": "t-1",
                "source_id": OTHER_SOURCE,
                "body": "Hello",
                "created_from": "synchronizer",
                "status": "new",
                "created_at": "2024-05-24T04:00:44Z",
            },
        },
    }


@dataclass(frozen=True)
class Case:
    name: str
    # The deliveries Dimelo sends in turn, each as its events' (id, type); the receipts of the last one are checked.
    deliveries: list[list[tuple[str, str]]]
    expected: list[int]


CASES = [
    Case(
        "new events: one receipt each, in order",
        [[("e1", "content.imported"), ("e2", "content.replied")]],
        [ACCEPTED, ACCEPTED],
    ),
    Case(
        "a delivery sent again: all duplicates",
        [[("e1", "content.imported")], [("e1", "content.imported")]],
        [DUPLICATE],
    ),
    Case(
        "a seen event beside a new one",
        [[("e1", "content.imported")], [("e1", "content.imported"), ("e2", "content.imported")]],
        [DUPLICATE, ACCEPTED],
    ),
    Case(
        "event types the bot does not use",
        [[("e1", "survey_response.imported"), ("e2", "push_agent.updated")]],
        [ACCEPTED, ACCEPTED],
    ),
    Case(
        "the same event twice in one delivery",
        [[("e1", "content.imported"), ("e1", "content.imported")]],
        [ACCEPTED, DUPLICATE],
    ),
    Case("a delivery without events", [[]], []),
    Case(
        "an id too long to index beside a good event",
        [[("e" * 600, "content.imported"), ("e2", "content.imported")]],
        [QUARANTINED, ACCEPTED],
    ),
]


@dataclass
class Orchestrator:
    service: orchestrator_pb2_grpc.OrchestratorServiceStub
    health: health_pb2_grpc.HealthStub


@pytest.fixture
async def orchestrator(tmp_path) -> AsyncIterator[Orchestrator]:
    settings = OrchestratorSettings(
        orchestrator_listen_addr="127.0.0.1:0",
        # Never dialled: every event is on a source the bot does not handle, so no peer is called.
        ai_addr=UNUSED_PEER,
        dimelo_adapter_addr=UNUSED_PEER,
        orchestrator_db_path=tmp_path / "orchestrator.sqlite3",
        agent_category_ids=["agents"],
        bot_source_ids=[BOT_SOURCE],
        grace_seconds=1.0,
    )
    server = await create_orchestrator(settings)
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            service = orchestrator_pb2_grpc.OrchestratorServiceStub(channel)
            yield Orchestrator(service, health_pb2_grpc.HealthStub(channel))
    finally:
        await server.stop()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_receipts_are_what_the_gateway_counts(orchestrator: Orchestrator, case: Case):
    # In: the deliveries in turn, parsed by the gateway. Out: each call succeeds within the gateway's deadline; the
    # last one has one receipt per event, in order, with the event's id and the expected disposition.
    for events in case.deliveries:
        body = json.dumps({"id": str(uuid.uuid4()), "domain_id": "d-1", "events": [event(*e) for e in events]})
        request = delivery_request(body.encode())
        response = await orchestrator.service.SubmitDelivery(request, timeout=TIMEOUT)

    assert [receipt.event_id for receipt in response.receipts] == [event_id for event_id, _ in case.deliveries[-1]]
    assert [receipt.disposition for receipt in response.receipts] == case.expected
    assert [bool(r.quarantine_id) for r in response.receipts] == [d == QUARANTINED for d in case.expected]


async def test_unreadable_events_are_kept_under_ids_beside_the_stored_ones(orchestrator: Orchestrator):
    # In: a delivery of an event without an id (the gateway sends it as a quarantine item) and a good event.
    # Out: one receipt, accepted, for the good event; one quarantine id for the item.
    body = json.dumps({"id": "d", "events": [{"type": "content.imported"}, event("e1")]})
    response = await orchestrator.service.SubmitDelivery(delivery_request(body.encode()), timeout=TIMEOUT)

    assert [(r.event_id, r.disposition) for r in response.receipts] == [("e1", ACCEPTED)]
    [quarantine_id] = response.quarantine_ids
    assert quarantine_id


@pytest.mark.parametrize(
    "body", [b'{"events": "not a list"}', b"\xff\xfe binary, not UTF-8", b""], ids=["json", "binary", "empty"]
)
async def test_an_unparsable_body_is_kept_under_an_id(orchestrator: Orchestrator, body: bytes):
    # In: a body the gateway could not parse, twice. Out: each time a quarantine id, a new one each time.
    request = orchestrator_pb2.QuarantineDeliveryRequest(body=body, reason="the body is not a delivery")
    first = await orchestrator.service.QuarantineDelivery(request, timeout=TIMEOUT)
    second = await orchestrator.service.QuarantineDelivery(request, timeout=TIMEOUT)

    assert first.quarantine_id
    assert second.quarantine_id
    assert first.quarantine_id != second.quarantine_id


async def test_health_says_serving_for_the_service_the_gateway_asks_about(orchestrator: Orchestrator):
    # In: the gateway's readiness check. Out: SERVING for botbridge.orchestrator.v1.OrchestratorService.
    request = health_pb2.HealthCheckRequest(service=ORCHESTRATOR_SERVICE)
    reply = await orchestrator.health.Check(request, timeout=TIMEOUT)

    assert reply.status == health_pb2.HealthCheckResponse.SERVING
